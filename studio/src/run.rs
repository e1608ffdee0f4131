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
    pub replications: u32,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    pub db: PathBuf,
    /// Called with the fraction done (0..1), from worker threads.
    pub progress: Option<&'a (dyn Fn(f64) + Sync)>,
}

pub struct RunOutcome {
    /// One summary per replication, replication 0 first.
    pub summaries: Vec<RunSummary>,
    /// With replications: the mean and 95 % interval of every figure.
    pub combined: Option<Value>,
}

struct SeriesWriter<'a> {
    store: Store,
    run: i64,
    class_names: Vec<String>,
    battery: Vec<bool>,
    pending: Vec<SeriesRow>,
    error: Option<anyhow::Error>,
    done: &'a AtomicU64,
    total: u64,
    progress: Option<&'a (dyn Fn(f64) + Sync)>,
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
            use sim_core::engine::counts::Counter;
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
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(p) = self.progress {
            p(done as f64 / self.total as f64);
        }
    }
}

/// Runs, stores and summarises a scenario.
pub fn run_scenario(req: &RunRequest<'_>) -> Result<RunOutcome> {
    let s = &req.loaded.scenario;
    let seed = req.seed.unwrap_or(s.seed);
    let replications = req.replications.max(1);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = req.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build().context("starting the worker threads")?;
    let overrides_json = serde_json::to_string(&req.loaded.overrides)?;
    let created_at = crate::utc_now_rfc3339();
    let epochs = s.duration.0.div_ceil(sim_core::engine::EPOCH_US);
    let done = AtomicU64::new(0);
    let total = epochs * replications as u64;

    // Replication 0 is recorded first so the others can point at it.
    let mut first_store = Store::open(&req.db).with_context(|| format!("opening {}", req.db.display()))?;
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
    let first_id = first_store.begin_run(&new_run(0, None))?;
    let mut ids = vec![first_id];
    for i in 1..replications {
        ids.push(first_store.begin_run(&new_run(i, Some(first_id)))?);
    }
    drop(first_store);

    let results: Vec<Result<RunSummary>> = pool.install(|| {
        ids.par_iter()
            .enumerate()
            .map(|(i, &id)| {
                let rep_seed = replication_seed(seed, i as u32);
                let store = Store::open(&req.db)?;
                let mut writer = SeriesWriter {
                    store,
                    run: id,
                    class_names: s.classes.iter().map(|c| c.name.clone()).collect(),
                    battery: s
                        .classes
                        .iter()
                        .map(|c| matches!(s.powers[c.power].source, PowerSource::Battery { .. }))
                        .collect(),
                    pending: Vec::new(),
                    error: None,
                    done: &done,
                    total,
                    progress: req.progress,
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
            })
            .collect()
    });
    let summaries = results.into_iter().collect::<Result<Vec<_>>>()?;
    let combined = (summaries.len() > 1).then(|| combine_summaries(&summaries));
    Ok(RunOutcome { summaries, combined })
}

/// The mean and 95 % interval of every figure of R replications' summaries; identity fields
/// (scenario, devices, ...) are kept as they are, and the seeds and run ids are listed.
pub fn combine_summaries(summaries: &[RunSummary]) -> Value {
    let values: Vec<Value> = summaries.iter().map(|s| serde_json::to_value(s).expect("a summary serializes")).collect();
    let mut c = combine(&values);
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
