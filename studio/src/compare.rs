//! Comparing two stored runs: what differs in their assumptions (every scenario field after
//! overrides, every price) and in their results (the headline figures, side by side).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use sim_core::scenario::read::flatten;
use sim_core::summary::RunSummary;
use store::Store;

pub use crate::contract::{Comparison, Difference, Figure, Unit};

fn diff(a: &[(String, String)], b: &[(String, String)]) -> Vec<Difference> {
    let ma: BTreeMap<&str, &str> = a.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mb: BTreeMap<&str, &str> = b.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut keys: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
    keys.extend(b.iter().map(|(k, _)| k.as_str()).filter(|k| !ma.contains_key(k)));
    keys.into_iter()
        .filter(|k| ma.get(k) != mb.get(k))
        .map(|k| Difference {
            path: k.to_string(),
            a: ma.get(k).map_or("-".into(), |v| v.to_string()),
            b: mb.get(k).map_or("-".into(), |v| v.to_string()),
        })
        .collect()
}

/// The headline figures of a summary: (id, label, unit, value).
pub fn figures(s: &RunSummary) -> Vec<(String, String, Unit, Option<f64>)> {
    let m = &s.messages;
    let n = |x: u64| Some(x as f64);
    let mut f: Vec<(String, String, Unit, Option<f64>)> = [
        ("devices", "devices", n(s.devices)),
        ("delivery_pct", "delivery ratio, %", Some(s.delivery_ratio * 100.0)),
        ("generated", "messages generated", n(m.generated)),
        ("lost_network", "lost in the network", n(m.lost_network)),
        ("dropped_overflow", "dropped: buffer overflow", n(m.dropped_overflow)),
        ("dropped_reboot", "dropped: reboot", n(m.dropped_reboot)),
        ("stranded_dead", "stranded in dead devices", n(m.stranded_dead)),
        ("p50_latency_s", "latency p50, s", Some(s.latency_s.p50)),
        ("p99_latency_s", "latency p99, s", Some(s.latency_s.p99)),
        ("reboots", "reboots", n(s.reboots)),
        ("outages", "network outages", n(s.outages)),
        ("deaths", "battery deaths", n(s.deaths)),
        ("hardware_failures", "hardware failures", n(s.hardware_failures)),
        ("truck_rolls", "truck rolls", n(s.truck_rolls)),
        (
            "battery_life_days",
            "battery life (shortest class), days",
            s.per_class.iter().filter_map(|c| c.battery.as_ref().map(|b| b.projected_life_days)).reduce(f64::min),
        ),
    ]
    .into_iter()
    .map(|(id, label, v)| {
        let unit = match id {
            "delivery_pct" => Unit::Percent,
            "p50_latency_s" | "p99_latency_s" => Unit::Seconds,
            "battery_life_days" => Unit::Days,
            _ => Unit::Count,
        };
        (id.to_string(), label.to_string(), unit, v)
    })
    .collect();
    let c = s.cost.as_ref();
    let mut push = |id: String, label: String, v: Option<f64>| f.push((id, label, Unit::Money, v));
    push("tco".into(), "TCO".into(), c.map(|c| c.tco.units_f64()));
    push("tco_per_device_year".into(), "TCO per device-year".into(), c.map(|c| c.tco_per_device_year.units_f64()));
    push("capex".into(), "capex".into(), c.map(|c| c.capex.units_f64()));
    push("opex_per_month".into(), "opex per month".into(), c.map(|c| c.opex_per_month.units_f64()));
    for cat in sim_core::cost::bill::Category::ALL {
        use sim_core::cost::bill::Category as C;
        // The key of the category in the summary's `cost.breakdown`.
        let key = match cat {
            C::Hardware => "hardware",
            C::Installation => "installation",
            C::Provisioning => "provisioning",
            C::Connectivity => "connectivity",
            C::Cloud => "cloud",
            C::Storage => "storage",
            C::Maintenance => "maintenance",
        };
        let id = format!("tco_{key}");
        push(id, format!("TCO: {}", cat.label()), c.map(|c| c.breakdown.get(cat).units_f64()));
    }
    f.push((
        "failed_findings".into(),
        "verdict: failed findings".into(),
        Unit::Count,
        s.verdict
            .as_ref()
            .map(|v| v.findings.iter().filter(|x| x.severity == sim_core::verdict::Severity::Fail).count() as f64),
    ));
    f
}

fn summary_of(store: &Store, id: i64) -> Result<(store::RunRecord, RunSummary)> {
    let Some(rec) = store.get_run(id)? else { bail!("no run {id}") };
    let json = rec.row.summary_json.clone().with_context(|| format!("run {id} did not finish: it has no summary"))?;
    let s = serde_json::from_str(&json).with_context(|| format!("reading the summary of run {id}"))?;
    Ok((rec, s))
}

/// Compares two stored runs.
pub fn compare_runs(db: &Path, a: i64, b: i64) -> crate::Result<Comparison> {
    let store = crate::open_for_reading(db)?;
    let (ra, sa) = summary_of(&store, a)?;
    let (rb, sb) = summary_of(&store, b)?;
    let flat = |r: &store::RunRecord| {
        let o: Vec<String> = serde_json::from_str(&r.overrides_json).unwrap_or_default();
        flatten(r.scenario_text.as_bytes(), &o)
    };
    let prices = |id: i64| -> Result<Vec<(String, String)>> {
        Ok(crate::reports::assumptions_of(&store, id)?
            .book
            .map(|b| b.lines.into_iter().map(|l| (l.path, l.price)).collect())
            .unwrap_or_default())
    };
    let fa = figures(&sa);
    let fb = figures(&sb);
    let results =
        fa.into_iter().zip(fb).map(|((id, name, unit, a), (.., b))| Figure { id, name, unit, a, b }).collect();
    let currency = sa.cost.as_ref().or(sb.cost.as_ref()).map(|c| c.currency.clone());
    Ok(Comparison {
        run_a: a,
        run_b: b,
        scenario_a: sa.scenario.clone(),
        scenario_b: sb.scenario.clone(),
        assumptions: diff(&flat(&ra), &flat(&rb)),
        prices: diff(&prices(a)?, &prices(b)?),
        results,
        currency,
    })
}

/// The comparison as a self-contained HTML page, each B - A in its figure's unit.
pub fn report(c: &Comparison, generated_at: &str) -> report::Report {
    let tri = |d: &[Difference]| -> Vec<(String, String, String)> {
        d.iter().map(|x| (x.path.clone(), x.a.clone(), x.b.clone())).collect()
    };
    let (assumptions, prices) = (tri(&c.assumptions), tri(&c.prices));
    let currency = c.currency.clone().unwrap_or_default();
    let results: Vec<report::CompareFigure> = c
        .results
        .iter()
        .map(|f| report::CompareFigure {
            label: f.name.clone(),
            unit: match f.unit {
                Unit::Count => report::Unit::Count,
                Unit::Percent => report::Unit::Percent,
                Unit::Seconds => report::Unit::Seconds,
                Unit::Days => report::Unit::Days,
                Unit::Money => report::Unit::Money(currency.clone()),
            },
            a: f.a,
            b: f.b,
        })
        .collect();
    report::compare_report(&report::CompareInput {
        title_a: format!("run {} ({})", c.run_a, c.scenario_a),
        title_b: format!("run {} ({})", c.run_b, c.scenario_b),
        assumptions: &assumptions,
        prices: &prices,
        results: &results,
        generated_at,
    })
}
