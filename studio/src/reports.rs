//! Building reports from the run database: a run (with its replications) or a sweep, with the
//! assumptions they were computed under (scenario text, overrides, the stored price book).

use std::path::Path;

use anyhow::{Context, Result, bail};
use report::{Assumptions, BookInfo, Hour, Report, RunInput, SweepInput, SweepPointInput};
use sim_core::scenario::{ScenarioSource, parse_scenario};
use store::Store;

/// What a report is about: `12` or `run:12` (a run), `sweep:3` (a sweep), `last` (the newest run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Run(i64),
    Sweep(i64),
    LastRun,
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, String> {
        let bad = || format!("{s:?} is not a run or sweep: use a run id (12), run:12, sweep:3 or last");
        if s == "last" {
            return Ok(Target::LastRun);
        }
        if let Some(id) = s.strip_prefix("sweep:") {
            return id.parse().map(Target::Sweep).map_err(|_| bad());
        }
        s.trim_start_matches("run:").trim_start_matches('#').parse().map(Target::Run).map_err(|_| bad())
    }
}

/// The assumptions of a stored run: its scenario and the price book it was priced with (with
/// the scenario's own price overrides applied again, so the prices shown are the prices used).
pub fn assumptions_of(store: &Store, run: i64) -> Result<Assumptions> {
    let Some(rec) = store.get_run(run)? else { bail!("no run {run}") };
    let overrides: Vec<String> = serde_json::from_str(&rec.overrides_json).unwrap_or_default();
    let book = match &rec.price_book_text {
        Some(text) => {
            let prices = parse_scenario(&ScenarioSource {
                file: &rec.row.scenario_file,
                bytes: rec.scenario_text.as_bytes(),
                overrides: &overrides,
            })
            .ok()
            .and_then(|s| s.cost.map(|c| c.prices))
            .unwrap_or_default();
            let source = Path::new(&rec.row.scenario_file)
                .file_name()
                .map_or(rec.row.scenario_file.clone(), |n| n.to_string_lossy().into_owned());
            crate::pricebook::parse_book_bytes("stored price book", text.as_bytes(), &prices, &source).ok().map(|b| {
                BookInfo {
                    id: b.book.id,
                    title: b.book.title,
                    currency: b.book.currency,
                    date: b.book.date,
                    lines: b.book.lines,
                }
            })
        }
        None => None,
    };
    Ok(Assumptions { scenario_file: rec.row.scenario_file, scenario_text: rec.scenario_text, overrides, book })
}

/// Builds the report of a run or sweep stored in `db`.
pub fn build_report(db: &Path, target: Target, generated_at: &str) -> Result<Report> {
    let store = crate::open_for_reading(db)?;
    match target {
        Target::Run(_) | Target::LastRun => {
            let id = match target {
                Target::Run(id) => id,
                _ => store.last_run()?.context("no runs stored yet")?,
            };
            if store.get_run(id)?.is_none() {
                bail!("no run {id} in {}", db.display());
            }
            // A replication reports as the run it replicates, with all its siblings.
            let run = crate::run::load_run(&store, id)?;
            let id = run.id;
            let mut hours: Vec<Hour> = Vec::new();
            for r in store.series(id)? {
                let i = r.hour as usize;
                if hours.len() <= i {
                    hours.resize(i + 1, Hour::default());
                }
                let h = &mut hours[i];
                h.hour = r.hour;
                h.generated += r.generated;
                h.delivered += r.delivered;
                h.online += r.online;
                h.buffered += r.buffered;
            }
            let assumptions = assumptions_of(&store, id)?;
            Ok(report::run_report(&RunInput {
                summaries: &run.summaries,
                mean: &run.mean,
                hours: &hours,
                assumptions: &assumptions,
                generated_at,
            }))
        }
        Target::Sweep(id) => {
            if let Some(rec) = store.get_sweep(id)?
                && rec.kind == "sensitivity"
            {
                let study = crate::sensitivity::stored_study(&rec.spec_json)?;
                let base = rec.points.first().context("the study has no base case")?.run;
                let assumptions = assumptions_of(&store, base)?;
                let rows: Vec<report::TornadoRow> = study
                    .rows
                    .iter()
                    .map(|r| report::TornadoRow {
                        path: r.path.clone(),
                        low_setting: r.low_setting.clone(),
                        high_setting: r.high_setting.clone(),
                        kpi_low: r.kpi_low,
                        kpi_high: r.kpi_high,
                    })
                    .collect();
                return Ok(report::sensitivity_report(&report::SensitivityInput {
                    id,
                    scenario: &rec.scenario_name,
                    kpi: &study.kpi,
                    baseline: study.baseline,
                    rows: &rows,
                    assumptions: &assumptions,
                    generated_at,
                }));
            }
            drop(store);
            let (rec, points) = crate::sweep::load_sweep(db, id)?;
            let store = crate::open_for_reading(db)?;
            // The assumptions of the point the bill and the verdict describe: the last one.
            let Some(last) = points.last() else { bail!("sweep {id} has no points") };
            let assumptions = assumptions_of(&store, last.run_id)?;
            let crossovers = crate::sweep::sweep_crossovers(&points);
            let over = serde_json::from_str::<serde_json::Value>(&rec.spec_json)
                .ok()
                .and_then(|v| v["over"].as_str().map(str::to_string))
                .unwrap_or_default();
            Ok(report::sweep_report(&SweepInput {
                id,
                over: &over,
                points: points
                    .iter()
                    .map(|p| SweepPointInput { value: p.value.clone(), summaries: &p.summaries, mean: &p.mean })
                    .collect(),
                crossovers: &crossovers,
                assumptions: &assumptions,
                generated_at,
            }))
        }
    }
}
