//! Comparing two stored runs: what differs in their assumptions (every scenario field after
//! overrides, every price) and in their results (the headline figures, side by side).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use sim_core::scenario::read::flatten;
use sim_core::summary::RunSummary;
use store::Store;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    pub path: String,
    /// "-" where the run does not set it.
    pub a: String,
    pub b: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figure {
    pub name: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

impl Figure {
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub run_a: i64,
    pub run_b: i64,
    pub scenario_a: String,
    pub scenario_b: String,
    /// Scenario fields (after overrides) that differ.
    pub assumptions: Vec<Difference>,
    /// Prices that differ (after each scenario's price overrides).
    pub prices: Vec<Difference>,
    pub results: Vec<Figure>,
}

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

/// The headline figures of a summary, by name.
pub fn figures(s: &RunSummary) -> Vec<(String, Option<f64>)> {
    let m = &s.messages;
    let mut f: Vec<(String, Option<f64>)> = vec![
        ("devices".into(), Some(s.devices as f64)),
        ("delivery ratio, %".into(), Some(s.delivery_ratio * 100.0)),
        ("messages generated".into(), Some(m.generated as f64)),
        ("lost in the network".into(), Some(m.lost_network as f64)),
        ("dropped: buffer overflow".into(), Some(m.dropped_overflow as f64)),
        ("dropped: reboot".into(), Some(m.dropped_reboot as f64)),
        ("stranded in dead devices".into(), Some(m.stranded_dead as f64)),
        ("latency p50, s".into(), Some(s.latency_s.p50)),
        ("latency p99, s".into(), Some(s.latency_s.p99)),
        ("reboots".into(), Some(s.reboots as f64)),
        ("network outages".into(), Some(s.outages as f64)),
        ("battery deaths".into(), Some(s.deaths as f64)),
        ("hardware failures".into(), Some(s.hardware_failures as f64)),
        ("truck rolls".into(), Some(s.truck_rolls as f64)),
        (
            "battery life (shortest class), days".into(),
            s.per_class.iter().filter_map(|c| c.battery.as_ref().map(|b| b.projected_life_days)).reduce(f64::min),
        ),
    ];
    let c = s.cost.as_ref();
    f.push(("TCO".into(), c.map(|c| c.tco.units_f64())));
    f.push(("TCO per device-year".into(), c.map(|c| c.tco_per_device_year.units_f64())));
    f.push(("capex".into(), c.map(|c| c.capex.units_f64())));
    f.push(("opex per month".into(), c.map(|c| c.opex_per_month.units_f64())));
    for cat in sim_core::cost::bill::Category::ALL {
        f.push((format!("TCO: {}", cat.label()), c.map(|c| c.breakdown.get(cat).units_f64())));
    }
    f.push((
        "verdict: failed findings".into(),
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
pub fn compare_runs(db: &Path, a: i64, b: i64) -> Result<Comparison> {
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
    let results = fa.into_iter().zip(fb).map(|((name, a), (_, b))| Figure { name, a, b }).collect();
    Ok(Comparison {
        run_a: a,
        run_b: b,
        scenario_a: sa.scenario.clone(),
        scenario_b: sb.scenario.clone(),
        assumptions: diff(&flat(&ra), &flat(&rb)),
        prices: diff(&prices(a)?, &prices(b)?),
        results,
    })
}
