//! Sessions: long work (a run, a sweep, a sensitivity study, a calibration) started on its own
//! thread, with a stream of [`Progress`] events, a cancel that stops the engine within one
//! simulated epoch, and a result.
//!
//! Each session has its own thread, worker pool and database connections, so several can run at
//! once. A cancelled session returns [`Cancelled`] (find it with `downcast_ref`) and leaves its
//! runs and sweep stored `cancelled`; a panic in a replication is contained: that run is stored
//! `failed` and the session returns an error, never a panic.
//!
//! The async bridge (record, live) takes the same [`CancelToken`]: [`CancelToken::cancelled`]
//! is a future that resolves on cancel.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Instant;

use anyhow::anyhow;

use crate::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use sim_core::engine::EpochReport;

use crate::LoadedScenario;
use crate::run::{Precision, RunOutcome, RunRequest, run_scenario};
use crate::sensitivity::{SensitivityOutcome, SensitivityRequest, Variation, run_sensitivity};
use crate::sweep::{SweepOutcome, SweepRequest, SweepSpec, run_sweep};

/// The work was cancelled on request: the cause inside the [`Error`] (code
/// [`ErrorCode::Cancelled`]) a cancelled session returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// Whether `e` is (or wraps) [`Cancelled`].
pub(crate) fn is_cancelled(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.is::<Cancelled>() || c.downcast_ref::<Error>().is_some_and(|e| e.code() == ErrorCode::Cancelled))
}

impl From<Cancelled> for Error {
    fn from(c: Cancelled) -> Error {
        Error::new(ErrorCode::Cancelled, c)
    }
}

/// A cancel shared by the work and whoever may stop it (cheap to clone: every clone is the same
/// token). Once cancelled it stays cancelled.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<CancelInner>);

#[derive(Debug, Default)]
struct CancelInner {
    cancelled: AtomicBool,
    notify: tokio::sync::Notify,
}

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks the work to stop: a run stops after the epoch it is simulating (within one simulated
    /// hour), the async bridge at its next await.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    /// Whether [`CancelToken::cancel`] was called on it or any clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once the token is cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            let mut notified = std::pin::pin!(notified);
            // Registered before the flag is read: a cancel in between still wakes it.
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Where long work stands: one event after every simulated epoch of every replication, and a
/// last one (`done`) when the work finished. Serialised as it is for the desktop app (a
/// front-end contract: fields are added, never renamed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Progress {
    /// What is running: `run`, `sweep`, `sensitivity`, `calibrate`.
    pub phase: String,
    /// What is running, for people (e.g. `run plant-production x3`, `devices=2000`).
    pub message: String,
    /// Epochs (simulated hours) done by the replication that reported, of `epochs`.
    pub epoch: u32,
    /// Epochs in one replication of the current scenario.
    pub epochs: u32,
    /// The replication that reported (0-based), of `replications` planned so far (a precision
    /// goal may add more).
    pub replication: u32,
    /// Replications planned so far.
    pub replications: u32,
    /// The sweep point or study run in progress (0-based), of `points` (0 of 1 for a run).
    pub point: u32,
    /// Sweep points or study runs in all (1 for a run).
    pub points: u32,
    /// Messages the devices generated so far, over every replication and point.
    pub messages_generated: u64,
    /// Fraction of the whole work done, 0 to 1, never going back.
    pub fraction: f64,
    /// Wall-clock seconds since the work started.
    pub elapsed_s: f64,
    /// Wall-clock seconds left, estimated from the pace so far (None before any progress).
    pub eta_s: Option<f64>,
    /// The work finished (the last event, at fraction 1).
    pub done: bool,
    /// The replication that reported, so far (engine runs only: None for the bridge).
    pub live: Option<LiveFigures>,
}

/// What one replication of a run has done so far: its messages by fate since the start, and its
/// devices at the end of the last simulated hour.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct LiveFigures {
    /// Simulated hours done.
    pub hours: u32,
    /// Messages the devices generated.
    pub generated: u64,
    /// Messages that reached the backend.
    pub delivered: u64,
    /// Lost in the network (channel, outage, collision, duty cycle).
    pub lost_network: u64,
    /// Dropped by full buffers.
    pub dropped_overflow: u64,
    /// Wiped from RAM buffers by reboots and power cuts.
    pub dropped_reboot: u64,
    /// Stranded in devices that died or failed.
    pub stranded_dead: u64,
    /// Devices online (in service with a working link) now.
    pub online: u64,
    /// Devices in the fleet.
    pub devices: u64,
    /// Messages waiting in buffers now.
    pub buffered: u64,
}

impl Progress {
    /// Sets `fraction` (clamped to 0..1) with the elapsed time since `start` and the ETA it
    /// implies.
    pub fn timed(mut self, fraction: f64, start: Instant) -> Progress {
        self.fraction = fraction.clamp(0.0, 1.0);
        self.elapsed_s = start.elapsed().as_secs_f64();
        self.eta_s = (self.fraction > 0.0).then(|| self.elapsed_s * (1.0 - self.fraction) / self.fraction);
        self
    }
}

/// What the work of a session is handed: its cancel token and where its progress goes.
pub struct SessionContext {
    /// Checked by the work after every epoch; [`SessionContext::check`] reads it.
    pub cancel: CancelToken,
    sender: mpsc::Sender<Progress>,
    last: Mutex<Option<Progress>>,
}

impl SessionContext {
    /// Sends a progress event to the session's holder (ignored once nobody listens).
    pub fn progress(&self, p: &Progress) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(p.clone());
        let _ = self.sender.send(p.clone());
    }

    /// The work stops here if the session was cancelled.
    pub fn check(&self) -> Result<()> {
        if self.cancel.is_cancelled() { Err(Cancelled.into()) } else { Ok(()) }
    }
}

/// Long work running on its own thread: read its [`Progress`] with [`Session::next_progress`],
/// stop it with [`Session::cancel`], collect its result with [`Session::wait`].
pub struct Session<T> {
    cancel: CancelToken,
    events: Mutex<mpsc::Receiver<Progress>>,
    thread: JoinHandle<Result<T>>,
}

impl<T: Send + 'static> Session<T> {
    /// Starts `work` on a new thread. A panic in it is contained: [`Session::wait`] returns an
    /// error saying so. When `work` succeeds a last event with `done` (fraction 1) follows its
    /// own.
    pub fn spawn(phase: &str, work: impl FnOnce(&SessionContext) -> Result<T> + Send + 'static) -> Result<Session<T>> {
        let cancel = CancelToken::new();
        let (sender, events) = mpsc::channel();
        let cx = SessionContext { cancel: cancel.clone(), sender, last: Mutex::new(None) };
        let phase = phase.to_string();
        let thread = std::thread::Builder::new()
            .name(format!("scaleproof-{phase}"))
            .spawn(move || {
                let start = Instant::now();
                let out = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&cx))) {
                    Ok(r) => r,
                    Err(panic) => {
                        Err(Error::new(ErrorCode::Internal, anyhow!("the {phase} panicked: {}", panic_message(&panic))))
                    }
                };
                if out.is_ok() {
                    let last = cx.last.lock().unwrap_or_else(|e| e.into_inner()).take();
                    let mut p = last.unwrap_or_else(|| Progress { phase: phase.clone(), ..Progress::default() });
                    p.done = true;
                    p.epoch = p.epochs;
                    p = p.timed(1.0, start);
                    p.eta_s = Some(0.0);
                    let _ = cx.sender.send(p);
                }
                out
            })
            .map_err(|e| Error::from(e).context("starting the session's thread"))?;
        Ok(Session { cancel, events: Mutex::new(events), thread })
    }

    /// Asks the work to stop (see [`CancelToken::cancel`]); [`Session::wait`] then returns
    /// [`Cancelled`] unless the work had already finished.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The session's cancel token (e.g. for a Ctrl-C handler).
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Whether the work has ended (its result is ready for [`Session::wait`]).
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// The next progress event, waiting for it; None once the work has ended and every event
    /// has been read.
    pub fn next_progress(&self) -> Option<Progress> {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).recv().ok()
    }

    /// The next progress event if one is waiting, without waiting.
    pub fn try_progress(&self) -> Option<Progress> {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).try_recv().ok()
    }

    /// Waits for the work to end and returns its result ([`Cancelled`] when it was cancelled).
    pub fn wait(self) -> Result<T> {
        match self.thread.join() {
            Ok(r) => r,
            Err(panic) => Err(Error::new(
                ErrorCode::Internal,
                anyhow!("the session's thread panicked: {}", panic_message(&panic)),
            )),
        }
    }
}

/// The text of a panic's payload.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".into()
    }
}

/// A hook called with (replication, report) after every simulated epoch (see
/// [`RunRequest::on_epoch`]).
pub type EpochHook = Arc<dyn Fn(u32, &EpochReport) + Send + Sync>;

/// A run to start: what [`RunRequest`] says, owned.
pub struct RunJob {
    /// The scenario to run, loaded and validated.
    pub loaded: LoadedScenario,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Replications to run (at least 1); with `precision`, the first batch.
    pub replications: u32,
    /// Run more replications until the targeted KPIs are precise enough (see [`Precision`]).
    pub precision: Option<Precision>,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// The run database the runs and their series are stored in.
    pub db: PathBuf,
    /// Called after every simulated epoch of every replication (tests use it to inject faults).
    pub on_epoch: Option<EpochHook>,
    /// Record replication 0's playback data for the fleet view (see [`RunRequest::playback`]).
    pub playback: bool,
    /// Stream replication 0's playback to a live view (see [`RunRequest::live`]).
    pub live: Option<crate::playback::live::LiveSender>,
}

impl RunJob {
    /// One replication of `loaded` on every core, stored in `db`.
    pub fn new(loaded: LoadedScenario, db: PathBuf) -> RunJob {
        RunJob {
            loaded,
            seed: None,
            replications: 1,
            precision: None,
            threads: None,
            db,
            on_epoch: None,
            playback: false,
            live: None,
        }
    }
}

/// Starts a run (see [`run_scenario`]).
pub fn start_run(job: RunJob) -> Result<Session<RunOutcome>> {
    Session::spawn("run", move |cx| {
        let progress = |p: &Progress| cx.progress(p);
        run_scenario(&RunRequest {
            loaded: &job.loaded,
            seed: job.seed,
            replications: job.replications,
            precision: job.precision,
            threads: job.threads,
            db: job.db.clone(),
            progress: Some(&progress),
            cancel: Some(&cx.cancel),
            on_epoch: job.on_epoch.as_deref(),
            playback: job.playback,
            live: job.live.clone(),
        })
    })
}

/// A sweep to start: what [`SweepRequest`] says, owned.
pub struct SweepJob {
    /// The base scenario file (price books are looked for beside it).
    pub file: PathBuf,
    /// The scenario's text as an editor holds it, read as if it were `file` (None: the file's).
    pub text: Option<String>,
    /// `--set PATH=VALUE` overrides applied to the base before the sweep's own.
    pub overrides: Vec<String>,
    /// What is swept and over which values.
    pub spec: SweepSpec,
    /// Replications per point; with `precision`, the first batch of each.
    pub replications: u32,
    /// Run more replications at each point until its targeted KPIs are precise enough.
    pub precision: Option<Precision>,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Where the runs are stored and price books found.
    pub config: crate::Config,
}

/// Starts a sweep (see [`run_sweep`]): on cancel the points not started are not run and the
/// sweep is stored `cancelled`.
pub fn start_sweep(job: SweepJob) -> Result<Session<SweepOutcome>> {
    Session::spawn("sweep", move |cx| {
        let progress = |p: &Progress| cx.progress(p);
        run_sweep(&SweepRequest {
            file: &job.file,
            text: job.text.as_deref(),
            overrides: &job.overrides,
            spec: &job.spec,
            replications: job.replications,
            precision: job.precision,
            threads: job.threads,
            config: &job.config,
            progress: Some(&progress),
            cancel: Some(&cx.cancel),
        })
    })
}

/// A sensitivity study to start: what [`SensitivityRequest`] says, owned.
pub struct SensitivityJob {
    /// The base scenario file (price books are looked for beside it).
    pub file: PathBuf,
    /// The scenario's text as an editor holds it, read as if it were `file` (None: the file's).
    pub text: Option<String>,
    /// `--set PATH=VALUE` overrides applied to the base case.
    pub overrides: Vec<String>,
    /// The settings moved one at a time, each to its low and high value.
    pub variations: Vec<Variation>,
    /// The KPI every variation is judged by: one of [`crate::sensitivity::KPIS`] or a dotted path.
    pub kpi: String,
    /// Replications per variation.
    pub replications: u32,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Where the runs are stored and price books found.
    pub config: crate::Config,
}

/// Starts a sensitivity study (see [`run_sensitivity`]); on cancel it is stored `cancelled`.
pub fn start_sensitivity(job: SensitivityJob) -> Result<Session<SensitivityOutcome>> {
    Session::spawn("sensitivity", move |cx| {
        let progress = |p: &Progress| cx.progress(p);
        run_sensitivity(&SensitivityRequest {
            file: &job.file,
            text: job.text.as_deref(),
            overrides: &job.overrides,
            variations: &job.variations,
            kpi: &job.kpi,
            replications: job.replications,
            threads: job.threads,
            config: &job.config,
            progress: Some(&progress),
            cancel: Some(&cx.cancel),
        })
    })
}

/// Starts a calibration (see [`crate::pilot::calibrate`]): the recording is read from the
/// configured database and fitted. The fit is one pass that cannot be stopped part-way; a cancel before it starts
/// returns [`Cancelled`].
pub fn start_calibrate(
    config: crate::Config,
    recording: String,
    window: crate::pilot::ReadingWindow,
    base: PathBuf,
    generated_at: String,
) -> Result<Session<crate::pilot::Calibration>> {
    Session::spawn("calibrate", move |cx| {
        let message = format!("calibrate from recording {recording}");
        let start = Instant::now();
        let step = |fraction: f64| {
            cx.progress(
                &Progress { phase: "calibrate".into(), message: message.clone(), points: 1, ..Progress::default() }
                    .timed(fraction, start),
            )
        };
        step(0.0);
        cx.check()?;
        let rec = crate::pilot::load_recording(&config.db, &recording, window)?;
        step(0.5);
        cx.check()?;
        let cal = crate::pilot::calibrate(&config, &rec, &base, &generated_at)?;
        step(1.0);
        Ok(cal)
    })
}
