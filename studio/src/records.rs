//! What the run database holds, as front ends read it: the lists of runs, sweeps and
//! recordings, one run's detail, and run and sweep references as people type them.

use serde_json::Value;
use store::{Store, SweepRecord};

use crate::contract::summary::{RunDetail, RunFacts};
use crate::contract::{RecordingItem, RunListItem, RunStatus, SweepKind, SweepListItem};
use crate::{Config, Error, Result};

/// Opens the run database for reading (see [`crate::open_for_reading`]); a database that does not
/// exist holds nothing to read: [`crate::ErrorCode::NotFound`].
pub fn open_existing(config: &Config) -> Result<Store> {
    if !config.db.exists() {
        return Err(Error::not_found(format!(
            "no run database at {} (nothing has been run or recorded there yet; --db or SCALEPROOF_DB names another)",
            config.db.display()
        )));
    }
    Ok(crate::open_for_reading(&config.db)?)
}

/// A status as stored; an unknown one (from a newer version) reads as `incomplete`.
fn status(s: &str) -> RunStatus {
    RunStatus::parse(s).unwrap_or(RunStatus::Incomplete)
}

/// The newest `limit` runs, newest first (none when there is no database yet).
pub fn runs(config: &Config, limit: usize) -> Result<Vec<RunListItem>> {
    if !config.db.exists() {
        return Ok(Vec::new());
    }
    let rows = open_existing(config)?.list_runs(limit)?;
    Ok(rows
        .into_iter()
        .map(|r| RunListItem {
            delivery_ratio: r
                .summary_json
                .as_deref()
                .and_then(|j| serde_json::from_str::<Value>(j).ok())
                .and_then(|v| v["delivery_ratio"].as_f64()),
            replication_index: r.replication_index,
            id: r.id,
            created_at: r.created_at,
            scenario: r.scenario_name,
            file: r.scenario_file,
            seed: r.seed,
            devices: r.devices,
            status: status(&r.status),
            replication_of: r.replication_of,
            wall_s: r.wall_s,
            label: r.label,
            tags: r.tags,
        })
        .collect())
}

/// Opens the run database to change what people wrote about runs (it must exist).
fn open_for_writing(config: &Config) -> Result<Store> {
    open_existing(config)?;
    Ok(Store::open(&config.db)?)
}

/// Names a run (None or blank: no name).
pub fn set_run_label(config: &Config, run: i64, label: Option<&str>) -> Result<()> {
    if !open_for_writing(config)?.set_run_label(run, label)? {
        return Err(Error::not_found(format!("no run {run}")));
    }
    Ok(())
}

/// Sets a run's tags (trimmed; blanks and repeats dropped).
pub fn set_run_tags(config: &Config, run: i64, tags: &[String]) -> Result<()> {
    if !open_for_writing(config)?.set_run_tags(run, tags)? {
        return Err(Error::not_found(format!("no run {run}")));
    }
    Ok(())
}

/// Deletes a run with its replications, series and events; returns how many stored runs went
/// (the run and its replications). A run that a sweep or study needs is refused (invalid
/// input), as is one that does not exist (not found).
pub fn delete_run(config: &Config, run: i64) -> Result<usize> {
    match open_for_writing(config)?.delete_run(run)? {
        store::Deleted::Runs(n) => Ok(n),
        store::Deleted::Missing => Err(Error::not_found(format!("no run {run}"))),
        store::Deleted::InSweep(sweep) => {
            Err(Error::invalid(format!("run {run} is a point of sweep {sweep}, which needs it: it is kept")))
        }
    }
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

fn sweep_item(s: &SweepRecord) -> SweepListItem {
    let (swept, values, kpi) = swept(s);
    let kind = if s.kind == "sensitivity" { SweepKind::Sensitivity } else { SweepKind::Sweep };
    SweepListItem {
        id: s.id,
        kind,
        created_at: s.created_at.clone(),
        scenario: s.scenario_name.clone(),
        file: s.scenario_file.clone(),
        status: status(&s.status),
        points: s.points.len(),
        swept,
        values: (kind == SweepKind::Sweep).then_some(values),
        kpi: if kind == SweepKind::Sensitivity { kpi } else { None },
    }
}

/// The newest `limit` sweeps and sensitivity studies, newest first.
pub fn sweeps(config: &Config, limit: usize) -> Result<Vec<SweepListItem>> {
    if !config.db.exists() {
        return Ok(Vec::new());
    }
    Ok(open_existing(config)?.list_sweeps(limit)?.iter().map(sweep_item).collect())
}

/// The newest `limit` pilot recordings, newest first.
pub fn recordings(config: &Config, limit: usize) -> Result<Vec<RecordingItem>> {
    if !config.db.exists() {
        return Ok(Vec::new());
    }
    let rows = open_existing(config)?.list_recordings(limit)?;
    Ok(rows
        .into_iter()
        .map(|r| RecordingItem {
            id: r.id,
            name: r.name,
            created_at: r.created_at,
            broker: r.broker,
            status: status(&r.status),
            devices: r.devices.len(),
            received: r.received,
            duplicates: r.duplicates,
            malformed: r.malformed,
        })
        .collect())
}

/// A run as people type it (`12`, `#12`, `run:12`, `last`), checked against the database.
pub fn run_ref(config: &Config, text: &str) -> Result<i64> {
    let store = open_existing(config)?;
    let db = config.db.display();
    let id = if text == "last" {
        store.last_run()?.ok_or_else(|| Error::not_found(format!("no runs stored in {db} yet")))?
    } else {
        text.trim_start_matches("run:")
            .trim_start_matches('#')
            .parse::<i64>()
            .map_err(|_| Error::invalid(format!("{text:?} is not a run id (a number, run:N, or `last`)")))?
    };
    if store.get_run(id)?.is_none() {
        return Err(Error::not_found(format!("no run {id} in {db} (scaleproof runs lists them)")));
    }
    Ok(id)
}

/// A run that has a summary (one that finished), for work that needs its results.
pub fn finished_run_ref(config: &Config, text: &str) -> Result<i64> {
    let id = run_ref(config, text)?;
    let rec = open_existing(config)?.get_run(id)?.ok_or_else(|| Error::not_found(format!("run {id} vanished")))?;
    if rec.row.summary_json.is_none() {
        return Err(Error::invalid(format!(
            "run {id} did not finish (it is {}): it has no results; `scaleproof show {id}` shows what it has",
            rec.row.status
        )));
    }
    Ok(id)
}

/// A sweep or sensitivity study id, checked against the database.
pub fn sweep_ref(config: &Config, id: i64) -> Result<i64> {
    if open_existing(config)?.get_sweep(id)?.is_none() {
        return Err(Error::not_found(format!(
            "no sweep {id} in {} (scaleproof sweeps lists them)",
            config.db.display()
        )));
    }
    Ok(id)
}

/// A stored run as every front end reads it (`run --json`, `show --json`): its RunSummary (with
/// replications, the combined summary: a mean and a 95 % interval for every figure, plus
/// `replications`, `seeds` and `run_ids`), and what the database knows of it. A run that did
/// not finish has no summary: only its identity.
pub fn run_detail(config: &Config, id: i64) -> Result<RunDetail> {
    let store = open_existing(config)?;
    let rec = store.get_run(id)?.ok_or_else(|| Error::not_found(format!("no run {id}")))?;
    let r = &rec.row;
    let facts = RunFacts {
        run_id: id,
        status: status(&r.status),
        created_at: r.created_at.clone(),
        file: r.scenario_file.clone(),
        overrides: serde_json::from_str(&rec.overrides_json).unwrap_or_default(),
        replication_of: r.replication_of,
    };
    Ok(if r.summary_json.is_some() {
        let run = crate::run::load_run(&store, id)?;
        RunDetail::finished(&run.mean, &run.summaries, facts)
    } else {
        RunDetail::unfinished(r.scenario_name.clone(), r.seed, r.devices, rec.engine_version.clone(), facts)
    })
}

/// A stored run as the CLI's `show` prints it: what the database knows of it, and (when one
/// finished) its replications judged together.
pub struct RunView {
    /// The run's row and scenario as stored.
    pub record: store::RunRecord,
    /// Its replications with their mean, or why there are none.
    pub group: Result<crate::run::StoredRun>,
}

/// Run `id` with its replications (see [`RunView`]).
pub fn run_view(config: &Config, id: i64) -> Result<RunView> {
    let store = open_existing(config)?;
    let record = store.get_run(id)?.ok_or_else(|| Error::not_found(format!("no run {id}")))?;
    let group = crate::run::load_run(&store, id).map_err(Error::from);
    Ok(RunView { record, group })
}
