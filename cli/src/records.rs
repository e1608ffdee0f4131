//! What the run database holds, as the command line prints it: one run as JSON (the same object
//! for `run --json` and `show --json`) and the list of sweeps and sensitivity studies.

use std::fmt::Write;

use anyhow::{Context, Result};
use serde_json::{Value, json};
use store::{Store, SweepRecord};

use crate::output::WIDTH;

/// A stored run as JSON: its RunSummary (with replications, the combined summary: a mean and a
/// 95 % interval for every figure, plus `replications`, `seeds` and `run_ids`), and what the
/// database knows of it: `status`, `created_at`, `file` and `overrides`. `run_id` is a number.
/// A run that did not finish has no summary: only its identity fields.
pub(crate) fn run_json(store: &Store, id: i64) -> Result<Value> {
    let rec = store.get_run(id)?.with_context(|| format!("no run {id}"))?;
    let r = &rec.row;
    let mut v = if r.summary_json.is_some() {
        let run = studio::run::load_run(store, id)?;
        studio::run::summary_json(&run.mean, &run.summaries)
    } else {
        json!({ "scenario": r.scenario_name, "seed": r.seed, "devices": r.devices, "engine_version": rec.engine_version })
    };
    v["run_id"] = json!(id);
    v["status"] = json!(r.status);
    v["created_at"] = json!(r.created_at);
    v["file"] = json!(r.scenario_file);
    v["overrides"] = serde_json::from_str(&rec.overrides_json).unwrap_or(Value::Null);
    if let Some(of) = r.replication_of {
        v["replication_of"] = json!(of);
    }
    Ok(v)
}

/// What a sweep swept: (paths, the values of a sweep, the KPI of a sensitivity study).
fn swept(s: &SweepRecord) -> (Vec<String>, Vec<String>, Option<String>) {
    let spec: Value = serde_json::from_str(&s.spec_json).unwrap_or(Value::Null);
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
    };
    if s.kind == "sensitivity" {
        let mut paths: Vec<String> = Vec::new();
        for p in s.points.iter().filter(|p| p.idx > 0) {
            let path = p.label.split_once('=').map_or(p.label.as_str(), |(k, _)| k).to_string();
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        (paths, Vec::new(), spec["kpi"].as_str().map(String::from))
    } else {
        (spec["over"].as_str().map(String::from).into_iter().collect(), strings(&spec["values"]), None)
    }
}

/// One sweep or sensitivity study as JSON (`sweeps --json`).
pub(crate) fn sweep_json(s: &SweepRecord) -> Value {
    let (paths, values, kpi) = swept(s);
    let mut v = json!({
        "id": s.id, "kind": s.kind, "created_at": s.created_at, "scenario": s.scenario_name,
        "file": s.scenario_file, "status": s.status, "points": s.points.len(), "swept": paths,
    });
    if s.kind == "sensitivity" {
        v["kpi"] = json!(kpi);
    } else {
        v["values"] = json!(values);
    }
    v
}

/// The human table of `sweeps`: one row per sweep, its scenario on the next line when the row
/// would pass the width.
pub(crate) fn sweeps_table(sweeps: &[SweepRecord]) -> String {
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
        let (paths, values, kpi) = swept(s);
        let what = match kpi {
            Some(k) => format!("{k} against {}", paths.join(", ")),
            None => format!("{}={}", paths.join(","), values.join(",")),
        };
        let row = format!(
            "{:>4}  {:<20}  {:<11}  {:<10}  {:>6}  {what}",
            s.id,
            s.created_at,
            s.kind,
            s.status,
            s.points.len()
        );
        let tail = format!("; {}", s.scenario_name);
        if row.chars().count() + tail.chars().count() <= WIDTH {
            let _ = writeln!(o, "{row}{tail}");
        } else {
            let _ = writeln!(o, "{row}\n      {}", s.scenario_name);
        }
    }
    let _ = writeln!(o, "\n`scaleproof report sweep:ID --out FILE.html` writes one's report.");
    o
}
