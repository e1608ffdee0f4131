//! Running a scenario: replications in parallel on a pool of the requested size, each streaming
//! its hourly series into the run database as it goes and storing its timeline of events before
//! it is marked complete; and reading a stored run back ([`load_run`], [`series`]).
//!
//! A cancel stops every replication after the epoch it is simulating and stores it `cancelled`
//! (its series so far kept); a replication that panics or fails part-way is stored `failed`.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use rayon::prelude::*;
use serde_json::Value;
use sim_core::engine::events::{RunEvent, RunEventKind};
use sim_core::engine::{EpochReport, Observer, Timeline, simulate};
use sim_core::replication::{combine, replication_seed};
use sim_core::scenario::PowerSource;
use sim_core::summary::{RunSummary, summarize};
use store::{EventRow, NewRun, SeriesRow, Store};

use crate::LoadedScenario;
use crate::session::{CancelToken, Cancelled, Progress, is_cancelled, panic_message};

/// Hours of series written per transaction.
const SERIES_BATCH_HOURS: usize = 24;

/// A hook called with (replication, report) after every simulated epoch.
pub type OnEpoch = dyn Fn(u32, &EpochReport) + Send + Sync;

/// What [`run_scenario`] runs: a loaded scenario, how many replications and threads, where to store
/// them, and the hooks to watch or stop them.
pub struct RunRequest<'a> {
    /// The scenario to run, with its price book.
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
    /// The run database (SQLite file) the runs, their series and summaries are stored in.
    pub db: PathBuf,
    /// Called after every simulated epoch of every replication, from worker threads, one call
    /// at a time, with fractions never going back. With a precision goal the fraction is of the
    /// replications planned so far.
    pub progress: Option<&'a (dyn Fn(&Progress) + Sync)>,
    /// Once cancelled, every replication running stops after its current epoch (within one
    /// simulated hour) and is stored `cancelled`, those not started are stored `cancelled`
    /// without running, and the run returns [`Cancelled`].
    pub cancel: Option<&'a CancelToken>,
    /// Called with (replication, report) after every simulated epoch, on the replication's
    /// thread, before the cancel is looked at (to watch the series as they come). A panic in it
    /// fails the replication as a panic in the engine would.
    pub on_epoch: Option<&'a OnEpoch>,
    /// Record replication 0's playback data (every device's state hour by hour, for the fleet
    /// view) with the run: the same results, a little more time and store space.
    pub playback: bool,
    /// Stream replication 0's playback hour by hour to a live view (implies `playback`). A full
    /// channel holds the engine back until the view takes the next hour; a view that hangs up
    /// stops the run as a cancel does.
    pub live: Option<crate::playback::live::LiveSender>,
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

/// What [`run_scenario`] returns: every replication's summary and their mean.
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

/// The progress of one run over its replications (shared by the workers).
struct Tracker<'a> {
    start: Instant,
    message: String,
    epochs: u32,
    /// Devices in the fleet.
    devices: u64,
    sink: Option<&'a (dyn Fn(&Progress) + Sync)>,
    state: Mutex<Tracked>,
}

#[derive(Default)]
struct Tracked {
    epochs_done: u64,
    planned: u32,
    messages: u64,
    fraction: f64,
    /// Each replication's figures so far, by replication index.
    live: Vec<crate::session::LiveFigures>,
}

impl Tracker<'_> {
    fn epoch(&self, replication: u32, r: &EpochReport) {
        use sim_core::engine::Counter;
        let generated: u64 = r.per_class.iter().map(|c| c.counts.get(Counter::Generated)).sum();
        // Under the lock, so events leave in order and the fraction never goes back.
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.epochs_done += 1;
        st.messages += generated;
        let rep = replication as usize;
        if st.live.len() <= rep {
            st.live.resize(rep + 1, crate::session::LiveFigures { devices: self.devices, ..Default::default() });
        }
        let live = &mut st.live[rep];
        live.hours = r.index + 1;
        live.online = 0;
        live.buffered = 0;
        for c in &r.per_class {
            let n = &c.counts;
            live.generated += n.get(Counter::Generated);
            live.delivered += n.get(Counter::Delivered);
            live.lost_network += n.lost_network();
            live.dropped_overflow += n.get(Counter::DroppedOverflow);
            live.dropped_reboot += n.get(Counter::DroppedReboot);
            live.stranded_dead += n.get(Counter::StrandedDead);
            live.online += c.online;
            live.buffered += c.buffered;
        }
        let live = live.clone();
        let f = st.epochs_done as f64 / (self.epochs as u64 * st.planned as u64).max(1) as f64;
        st.fraction = st.fraction.max(f.min(1.0));
        if let Some(sink) = self.sink {
            let p = Progress {
                phase: "run".into(),
                message: self.message.clone(),
                epoch: r.index + 1,
                epochs: r.epochs,
                replication,
                replications: st.planned,
                point: 0,
                points: 1,
                messages_generated: st.messages,
                live: Some(live),
                ..Progress::default()
            };
            sink(&p.timed(st.fraction, self.start));
        }
    }

    fn plan_more(&self, replications: u32) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).planned += replications;
    }
}

struct SeriesWriter<'a> {
    store: Store,
    run: i64,
    replication: u32,
    class_names: Vec<String>,
    battery: Vec<bool>,
    pending: Vec<SeriesRow>,
    error: Option<anyhow::Error>,
    tracker: &'a Tracker<'a>,
    cancel: Option<&'a CancelToken>,
    on_epoch: Option<&'a OnEpoch>,
    /// The device states so far, when the run records its playback.
    timeline: Option<sim_core::engine::Timeline>,
    /// The live view's stream, and the hour being streamed.
    live: Option<crate::playback::live::LiveStream>,
    /// Epochs simulated so far.
    hours: u32,
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
        if let Some(hook) = self.on_epoch {
            hook(self.replication, r);
        }
        if let Some(live) = &mut self.live {
            live.epoch(r);
        }
        self.hours = r.index + 1;
        self.tracker.epoch(self.replication, r);
    }

    fn states(&mut self, epoch: u32, changes: &[sim_core::engine::StateChange]) {
        if let Some(t) = &mut self.timeline {
            t.record(epoch, changes);
        }
        if let Some(live) = &mut self.live {
            live.states(changes);
        }
    }

    fn keep_going(&mut self) -> bool {
        !self.cancel.is_some_and(CancelToken::is_cancelled) && !self.live.as_ref().is_some_and(|l| l.hung_up)
    }
}

/// Runs, stores and summarises a scenario. A cancel returns [`crate::ErrorCode::Cancelled`]
/// with what ran stored `cancelled`; a panicking replication is stored `failed` and returns
/// [`crate::ErrorCode::Internal`].
pub fn run_scenario(req: &RunRequest<'_>) -> crate::Result<RunOutcome> {
    run_replications(req).map_err(crate::Error::from)
}

fn run_replications(req: &RunRequest<'_>) -> Result<RunOutcome> {
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
    let epochs = s.duration.0.div_ceil(sim_core::engine::EPOCH_US) as u32;
    let tracker = Tracker {
        start: Instant::now(),
        message: match (first_batch, req.precision) {
            (1, None) => format!("run {}", s.name),
            (r, _) => format!("run {} x{r}", s.name),
        },
        epochs,
        devices: s.device_count(),
        sink: req.progress,
        state: Mutex::new(Tracked { planned: first_batch, ..Tracked::default() }),
    };

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
    let mut summaries: Vec<RunSummary> = Vec::new();
    let mut first_id = None;
    let mut batch = first_batch;
    loop {
        if req.cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(Cancelled.into());
        }
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
            ids.par_iter().map(|&(i, id)| run_one(req, id, i, replication_seed(seed, i), &tracker)).collect()
        });
        summaries.extend(first_failure(results)?);
        let Some(goal) = req.precision else { break };
        let n = summaries.len() as u32;
        if n >= goal.max_replications || sim_core::verdict::precise_enough(s, &summaries, goal.relative_half_width) {
            break;
        }
        batch = REPLICATION_BATCH.min(goal.max_replications - n);
        tracker.plan_more(batch);
    }
    let precision_met =
        req.precision.map(|goal| sim_core::verdict::precise_enough(s, &summaries, goal.relative_half_width));
    let mean = mean_of(req.loaded, &summaries);
    let combined = (summaries.len() > 1).then(|| combine_summaries(&mean, &summaries));
    Ok(RunOutcome { summaries, combined, mean, precision_met })
}

/// The replications' summaries, or the first failure among them (a cancel only when nothing
/// failed: a failure says more).
fn first_failure(results: Vec<Result<RunSummary>>) -> Result<Vec<RunSummary>> {
    let mut ok = Vec::with_capacity(results.len());
    let mut cancelled = false;
    let mut failure = None;
    for r in results {
        match r {
            Ok(s) => ok.push(s),
            Err(e) if is_cancelled(&e) => cancelled = true,
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    match (failure, cancelled) {
        (Some(e), _) => Err(e),
        (None, true) => Err(Cancelled.into()),
        (None, false) => Ok(ok),
    }
}

/// One replication, its run row ended whatever happens: `complete` with its summary,
/// `cancelled` when stopped, `failed` when it panicked or failed part-way (the panic contained).
fn run_one(
    req: &RunRequest<'_>,
    id: i64,
    replication: u32,
    rep_seed: u64,
    tracker: &Tracker<'_>,
) -> Result<RunSummary> {
    let start = Instant::now();
    let outcome = if req.cancel.is_some_and(CancelToken::is_cancelled) {
        Err(Cancelled.into())
    } else {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            simulate_one(req, id, replication, rep_seed, tracker, start)
        })) {
            Ok(r) => r,
            Err(panic) => Err(anyhow!("replication {replication} (run {id}) panicked: {}", panic_message(&panic))),
        }
    };
    let Err(e) = outcome else { return outcome };
    let wall_s = start.elapsed().as_secs_f64();
    let ended = Store::open(&req.db)
        .and_then(|mut store| if is_cancelled(&e) { store.cancel_run(id, wall_s) } else { store.fail_run(id, wall_s) });
    match ended {
        Ok(()) => Err(e),
        Err(store_error) => Err(e.context(format!("run {id} could not be marked as ended: {store_error}"))),
    }
}

/// One replication: simulated with its series streamed to the store, priced, judged, finished.
fn simulate_one(
    req: &RunRequest<'_>,
    id: i64,
    replication: u32,
    rep_seed: u64,
    tracker: &Tracker<'_>,
    start: Instant,
) -> Result<RunSummary> {
    let s = &req.loaded.scenario;
    let store = Store::open(&req.db)?;
    let mut writer = SeriesWriter {
        store,
        run: id,
        replication,
        class_names: s.classes.iter().map(|c| c.name.clone()).collect(),
        battery: s.classes.iter().map(|c| matches!(s.powers[c.power].source, PowerSource::Battery { .. })).collect(),
        pending: Vec::new(),
        error: None,
        tracker,
        cancel: req.cancel,
        on_epoch: req.on_epoch,
        timeline: ((req.playback || req.live.is_some()) && replication == 0).then(|| Timeline::of_run(s)),
        live: req.live.clone().filter(|_| replication == 0).map(crate::playback::live::LiveStream::new),
        hours: 0,
    };
    let out = if writer.timeline.is_some() {
        sim_core::engine::simulate_playback(s, rep_seed, &mut writer)
    } else {
        simulate(s, rep_seed, &mut writer)
    };
    // A stopped run keeps the series of the hours it simulated.
    writer.flush();
    if let Some(e) = writer.error.take() {
        return Err(e);
    }
    if out.stopped {
        // A stopped run keeps the playback of the hours it simulated too (a live view closed
        // early can be played back as far as it went).
        if let Some(mut t) = writer.timeline.take() {
            t.epochs = writer.hours;
            let data = t.encode();
            writer
                .store
                .put_playback(id, t.devices.len() as u32, t.epochs, &data)
                .context("writing the run's playback")?;
        }
        return Err(Cancelled.into());
    }
    let events: Vec<EventRow> = out.events.iter().map(event_row).collect();
    writer.store.append_events(id, &events).context("writing the run's events")?;
    if let Some(t) = writer.timeline.take() {
        let data = t.encode();
        writer.store.put_playback(id, t.devices.len() as u32, t.epochs, &data).context("writing the run's playback")?;
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

/// The mean and 95 % interval of every figure of R replications' summaries; identity fields
/// (scenario, devices, ...) are kept as they are, and the seeds and run ids are listed.
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
    /// The scenario as the run ran it (stored text, overrides and price book).
    pub loaded: LoadedScenario,
    /// Every finished replication's summary, replication 0 first.
    pub summaries: Vec<RunSummary>,
    /// [`mean_of`] the summaries.
    pub mean: RunSummary,
}

/// Reads run `id` (or the run it is a replication of) with all its replications, judged
/// together. Errors when no replication finished.
pub(crate) fn load_run(store: &Store, id: i64) -> Result<StoredRun> {
    let Some(rec) = store.get_run(id)? else { anyhow::bail!("no run {id}") };
    let id = rec.row.replication_of.unwrap_or(id);
    let summaries = store
        .replication_summaries(id)?
        .iter()
        .map(|j| serde_json::from_str(j))
        .collect::<Result<Vec<RunSummary>, _>>()
        .with_context(|| format!("reading the summaries of run {id}"))?;
    if summaries.is_empty() {
        anyhow::bail!("run {id} has no complete summary ({})", why_no_summary(&rec.row.status));
    }
    let loaded = crate::stored_scenario(store, id)?;
    let mean = mean_of(&loaded, &summaries);
    Ok(StoredRun { id, loaded, summaries, mean })
}

/// The stored form of an engine event.
pub(crate) fn event_row(e: &RunEvent) -> EventRow {
    EventRow {
        kind: e.kind.name().to_string(),
        start_us: e.start_us,
        end_us: e.end_us,
        site: e.site.clone(),
        gateway: e.gateway,
        profile: e.profile.clone(),
        event: e.event,
        wave: e.wave,
        caption: e.caption.clone(),
        devices: e.devices,
    }
}

/// A stored event as the engine reported it; an error for a kind this build does not know.
pub(crate) fn stored_event(r: &EventRow) -> Result<RunEvent> {
    let kind = RunEventKind::parse(&r.kind).with_context(|| format!("unknown event kind {:?}", r.kind))?;
    Ok(RunEvent {
        kind,
        start_us: r.start_us,
        end_us: r.end_us,
        site: r.site.clone(),
        gateway: r.gateway,
        profile: r.profile.clone(),
        event: r.event,
        wave: r.wave,
        caption: r.caption.clone(),
        devices: r.devices,
    })
}

/// A stored run's timeline of events, in the engine's order (empty for runs stored before
/// events were).
pub(crate) fn events(store: &Store, run: i64) -> Result<Vec<RunEvent>> {
    store
        .events(run)?
        .iter()
        .map(stored_event)
        .collect::<Result<_>>()
        .with_context(|| format!("reading the events of run {run}"))
}

pub use crate::contract::{ClassHour, RunSeries};

/// Run `run`'s own hourly series (of that replication) and timeline of events, as front ends
/// draw them.
pub fn series(config: &crate::Config, run: i64) -> crate::Result<RunSeries> {
    let store = crate::records::open_existing(config)?;
    let (series, events) = series_and_events(&store, run)?;
    Ok(RunSeries { events: events.iter().map(crate::contract::TimelineEvent::from).collect(), ..series })
}

/// Run `run`'s hourly series (its `events` left empty) and its timeline as the engine reported
/// it (what the report crate draws).
pub(crate) fn series_and_events(store: &Store, run: i64) -> Result<(RunSeries, Vec<RunEvent>)> {
    let Some(rec) = store.get_run(run)? else { return Err(crate::Error::not_found(format!("no run {run}")).into()) };
    let hours = store
        .series(run)?
        .into_iter()
        .map(|r| ClassHour {
            class: r.class,
            hour: r.hour,
            generated: r.generated,
            delivered: r.delivered,
            lost_network: r.lost_network,
            lost_collision: r.lost_collision,
            dropped_overflow: r.dropped_overflow,
            dropped_reboot: r.dropped_reboot,
            stranded_dead: r.stranded_dead,
            online: r.online,
            buffered: r.buffered,
            battery_mean_mah: r.battery_mean_mah,
        })
        .collect();
    Ok((RunSeries { run, start_ms: crate::export::start_ms(&rec)?, hours, events: Vec::new() }, events(store, run)?))
}

/// Why a run with this status has no summary, for people.
pub fn why_no_summary(status: &str) -> &'static str {
    match status {
        "cancelled" => "it was cancelled",
        "failed" => "it failed part-way",
        _ => "it is still running, or was killed",
    }
}
