//! Running a scenario: replications in parallel on a pool of the requested size, each streaming
//! its hourly series into the run database as it goes.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde_json::Value;
use sim_core::engine::{EpochReport, Observer, simulate};
use sim_core::replication::{combine, replication_seed};
use sim_core::scenario::PowerSource;
use sim_core::summary::{RunSummary, summarize};
use store::{NewRun, SeriesRow, Store};

use crate::LoadedScenario;

/// Hours of series written per transaction.
const SERIES_BATCH_HOURS: usize = 24;

pub struct RunRequest<'a> {
    pub loaded: &'a LoadedScenario,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Replications to run (with `precision`: the first batch).
    pub replications: u32,
    /// Add replications until the targeted KPIs are precise enough (None: exactly
    /// `replications`).
    pub precision: Option<Precision>,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    pub db: PathBuf,
    /// Called with the fraction done (0..1), from worker threads. With a precision goal the
    /// fraction is of the replications planned so far.
    pub progress: Option<&'a (dyn Fn(f64) + Sync)>,
}

/// A precision goal for the KPIs that have targets (`sim_core::verdict::precise_enough`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// The 95 % interval's half-width, as a fraction of the KPI's mean (of the loss ratio for
    /// the delivery ratio: `Kpi::scale`), that is precise enough for a KPI whose interval still
    /// contains its target.
    pub relative_half_width: f64,
    /// At most this many replications.
    pub max_replications: u32,
}

impl Precision {
    /// 1 % of the mean, at most 20 replications: assumption (a goal that decides the bundled
    /// scenarios' targets on a laptop in minutes; Law, "Simulation Modeling and Analysis",
    /// section 9.4.1, gives the sequential procedure).
    pub const DEFAULT: Precision = Precision { relative_half_width: 0.01, max_replications: 20 };
    /// The first batch when the caller did not choose one.
    pub const FIRST_BATCH: u32 = 3;
}

/// Replications added per round while the precision goal is not met. Fixed, so the number of
/// replications (and every result) does not depend on the thread count.
pub const REPLICATION_BATCH: u32 = 4;

pub struct RunOutcome {
    /// One summary per replication, replication 0 first.
    pub summaries: Vec<RunSummary>,
    /// With replications: the mean and 95 % interval of every figure.
    pub combined: Option<Value>,
    /// The means of the replications, priced, with the verdict on all of them: the one
    /// statistic reports and tables show.
    pub mean: RunSummary,
    /// Whether the precision goal was met (None without one).
    pub precision_met: Option<bool>,
}

struct SeriesWriter<'a> {
    store: Store,
    run: i64,
    class_names: Vec<String>,
    battery: Vec<bool>,
    pending: Vec<SeriesRow>,
    error: Option<anyhow::Error>,
    done: &'a AtomicU64,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl SeriesWriter<'_> {
    fn flush(&mut self) {
        if self.pending.is_empty() || self.error.is_some() {
            return;
        }
        if let Err(e) = self.store.append_series(self.run, &self.pending) {
            self.error = Some(anyhow::Error::new(e).context("writing the run's series"));
        }
        self.pending.clear();
    }
}

impl Observer for SeriesWriter<'_> {
    fn epoch(&mut self, r: &EpochReport) {
        for (i, c) in r.per_class.iter().enumerate() {
            use sim_core::engine::Counter;
            self.pending.push(SeriesRow {
                class: self.class_names[i].clone(),
                hour: r.index,
                generated: c.counts.get(Counter::Generated),
                delivered: c.counts.get(Counter::Delivered),
                lost_network: c.counts.lost_network(),
                lost_collision: c.counts.get(Counter::LostCollision),
                dropped_overflow: c.counts.get(Counter::DroppedOverflow),
                dropped_reboot: c.counts.get(Counter::DroppedReboot),
                stranded_dead: c.counts.get(Counter::StrandedDead),
                online: c.online,
                buffered: c.buffered,
                battery_mean_mah: (self.battery[i] && c.battery_devices > 0)
                    .then(|| c.battery_sum_mah / c.battery_devices as f64),
            });
        }
        if (r.index as usize + 1).is_multiple_of(SERIES_BATCH_HOURS) {
            self.flush();
        }
        (self.progress)(self.done.fetch_add(1, Ordering::Relaxed) + 1);
    }
}

/// Runs, stores and summarises a scenario.
pub fn run_scenario(req: &RunRequest<'_>) -> Result<RunOutcome> {
    let s = &req.loaded.scenario;
    let seed = req.seed.unwrap_or(s.seed);
    let first_batch = req.replications.max(1);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = req.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build().context("starting the worker threads")?;
    let overrides_json = serde_json::to_string(&req.loaded.overrides)?;
    let created_at = crate::utc_now_rfc3339();
    let epochs = s.duration.0.div_ceil(sim_core::engine::EPOCH_US);
    let done = AtomicU64::new(0);
    let planned = AtomicU64::new(first_batch as u64);

    let new_run = |i: u32, of: Option<i64>| NewRun {
        created_at: &created_at,
        scenario_name: &s.name,
        scenario_file: &req.loaded.file,
        scenario_text: &req.loaded.text,
        overrides_json: &overrides_json,
        seed: replication_seed(seed, i),
        engine_version: sim_core::ENGINE_VERSION,
        devices: s.device_count(),
        pid: std::process::id(),
        replication_of: of,
        replication_index: i,
        price_book_text: req.loaded.book.as_ref().map(|b| b.text.as_str()),
    };
    let progress = |epochs_done: u64| {
        if let Some(p) = req.progress {
            p((epochs_done as f64 / (epochs * planned.load(Ordering::Relaxed)) as f64).min(1.0));
        }
    };
    let mut summaries: Vec<RunSummary> = Vec::new();
    let mut first_id = None;
    let mut batch = first_batch;
    loop {
        let from = summaries.len() as u32;
        // Replication 0 is recorded first so the others can point at it.
        let mut store = Store::open(&req.db).with_context(|| format!("opening {}", req.db.display()))?;
        let mut ids = Vec::new();
        for i in from..from + batch {
            let id = store.begin_run(&new_run(i, first_id))?;
            first_id.get_or_insert(id);
            ids.push((i, id));
        }
        drop(store);
        let results: Vec<Result<RunSummary>> = pool.install(|| {
            ids.par_iter().map(|&(i, id)| run_one(req, id, replication_seed(seed, i), &done, &progress)).collect()
        });
        summaries.extend(results.into_iter().collect::<Result<Vec<_>>>()?);
        let Some(goal) = req.precision else { break };
        let n = summaries.len() as u32;
        if n >= goal.max_replications || sim_core::verdict::precise_enough(s, &summaries, goal.relative_half_width) {
            break;
        }
        batch = REPLICATION_BATCH.min(goal.max_replications - n);
        planned.fetch_add(batch as u64, Ordering::Relaxed);
    }
    let precision_met =
        req.precision.map(|goal| sim_core::verdict::precise_enough(s, &summaries, goal.relative_half_width));
    let mean = mean_of(req.loaded, &summaries);
    let combined = (summaries.len() > 1).then(|| combine_summaries(&mean, &summaries));
    Ok(RunOutcome { summaries, combined, mean, precision_met })
}

/// One replication: simulated with its series streamed to the store, priced, judged, finished.
fn run_one(
    req: &RunRequest<'_>,
    id: i64,
    rep_seed: u64,
    done: &AtomicU64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunSummary> {
    let s = &req.loaded.scenario;
    let store = Store::open(&req.db)?;
    let mut writer = SeriesWriter {
        store,
        run: id,
        class_names: s.classes.iter().map(|c| c.name.clone()).collect(),
        battery: s.classes.iter().map(|c| matches!(s.powers[c.power].source, PowerSource::Battery { .. })).collect(),
        pending: Vec::new(),
        error: None,
        done,
        progress,
    };
    let start = Instant::now();
    let out = simulate(s, rep_seed, &mut writer);
    writer.flush();
    if let Some(e) = writer.error.take() {
        return Err(e);
    }
    let mut summary = summarize(s, rep_seed, &out);
    crate::price_and_judge(req.loaded, &mut summary);
    summary.run_id = id;
    summary.wall_s = start.elapsed().as_secs_f64();
    writer.store.finish_run(id, &serde_json::to_string(&summary)?, summary.wall_s)?;
    Ok(summary)
}

/// The replications' mean summary with the verdict on all of them
/// (`sim_core::assess_replications`): headline figures, bill and verdict from one statistic, the
/// mean.
pub fn mean_of(loaded: &LoadedScenario, summaries: &[RunSummary]) -> RunSummary {
    sim_core::assess_replications(&loaded.scenario, loaded.book.as_ref().map(|b| &b.book), summaries)
}

/// The mean and 95 % interval of every figure of R replications' summaries; identity fields
/// (scenario, devices, ...) are kept as they are, and the seeds and run ids are listed.
/// The JSON of a run as every front end prints it: one replication's summary as it is, or the
/// combined figures of several; either way with a `statistic` saying which it is.
pub fn summary_json(mean: &RunSummary, summaries: &[RunSummary]) -> Value {
    match summaries {
        [one] => {
            let mut v = serde_json::to_value(one).expect("a summary serializes");
            v["statistic"] = Value::from(ONE_REPLICATION);
            v
        }
        many => combine_summaries(mean, many),
    }
}

/// The `statistic` of a single replication's figures.
pub const ONE_REPLICATION: &str = "one replication: no intervals";

/// `mean` is [`mean_of`] the summaries: its verdict (on all replications together, not a mean of
/// verdicts) replaces the replications' own.
pub fn combine_summaries(mean: &RunSummary, summaries: &[RunSummary]) -> Value {
    let values: Vec<Value> = summaries.iter().map(|s| serde_json::to_value(s).expect("a summary serializes")).collect();
    let mut c = combine(&values);
    c["verdict"] = serde_json::to_value(&mean.verdict).expect("a verdict serializes");
    c["statistic"] = Value::from(sim_core::replication::STATISTIC);
    // Identity fields are the same in every replication (or differ by design, like the seed):
    // keep them as they are rather than as statistics.
    for key in ["schema_version", "devices", "simulated_s", "engine_version", "scenario", "gateways"] {
        c[key] = values[0][key].clone();
    }
    if let Some(obj) = c.as_object_mut() {
        obj.remove("run_id");
        obj.remove("seed");
    }
    c["seeds"] = Value::from(summaries.iter().map(|s| s.seed).collect::<Vec<_>>());
    c["replications"] = Value::from(summaries.len());
    c["run_ids"] = Value::from(summaries.iter().map(|s| s.run_id).collect::<Vec<_>>());
    c
}

/// A stored run with its replications, as the front ends show it.
pub struct StoredRun {
    /// Replication 0's id (a replication is shown as the run it replicates).
    pub id: i64,
    pub loaded: LoadedScenario,
    pub summaries: Vec<RunSummary>,
    /// [`mean_of`] the summaries.
    pub mean: RunSummary,
}

/// Reads run `id` (or the run it is a replication of) with all its replications, judged
/// together. Errors when no replication finished.
pub fn load_run(store: &Store, id: i64) -> Result<StoredRun> {
    let Some(rec) = store.get_run(id)? else { anyhow::bail!("no run {id}") };
    let id = rec.row.replication_of.unwrap_or(id);
    let summaries = store
        .replication_summaries(id)?
        .iter()
        .map(|j| serde_json::from_str(j))
        .collect::<Result<Vec<RunSummary>, _>>()
        .with_context(|| format!("reading the summaries of run {id}"))?;
    if summaries.is_empty() {
        anyhow::bail!("run {id} has no complete summary (it is still running, or was killed)");
    }
    let loaded = crate::stored_scenario(store, id)?;
    let mean = mean_of(&loaded, &summaries);
    Ok(StoredRun { id, loaded, summaries, mean })
}
