//! The stored sweeps and sensitivity studies as the command line prints them.

use std::fmt::Write;

use studio::contract::{SweepKind, SweepListItem};

use crate::output::WIDTH;

fn kind(k: SweepKind) -> &'static str {
    match k {
        SweepKind::Sweep => "sweep",
        SweepKind::Sensitivity => "sensitivity",
    }
}

/// The human table of `sweeps`: one row per sweep, its scenario on the next line when the row
/// would pass the width.
pub(crate) fn sweeps_table(sweeps: &[SweepListItem]) -> String {
    if sweeps.is_empty() {
        return "no sweeps or sensitivity studies stored yet (scaleproof sweep FILE --over PATH=V1,V2,...)\n".into();
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:>4}  {:<20}  {:<11}  {:<10}  {:>6}  swept; scenario",
        "id", "created", "kind", "status", "points"
    );
    for s in sweeps {
        let what = match &s.kpi {
            Some(k) => format!("{k} against {}", s.swept.join(", ")),
            None => format!("{}={}", s.swept.join(","), s.values.as_deref().unwrap_or_default().join(",")),
        };
        let row = format!(
            "{:>4}  {:<20}  {:<11}  {:<10}  {:>6}  {what}",
            s.id,
            s.created_at,
            kind(s.kind),
            s.status.as_str(),
            s.points
        );
        let tail = format!("; {}", s.scenario);
        if row.chars().count() + tail.chars().count() <= WIDTH {
            let _ = writeln!(o, "{row}{tail}");
        } else {
            let _ = writeln!(o, "{row}\n      {}", s.scenario);
        }
    }
    let _ = writeln!(o, "\n`scaleproof report sweep:ID --out FILE.html` writes one's report.");
    o
}
