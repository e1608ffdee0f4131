//! The pilot bridge's commands: a private broker for demos, the emulated pilot, the recorder
//! with its live pilot-versus-twin check, calibration and the comparison with its report. Like
//! the other commands, each is a thin call into `studio`; the bridge's futures run on Tauri's
//! async runtime, so the window never waits on a broker. Secrets stay on this side: the front
//! end names the password file, the app reads it, and nothing it sends back contains it.

use std::path::{Path, PathBuf};

use studio::bridge::{BridgeEvent, BrokerArgs, Truth};
use studio::contract::{Fit, PilotComparison, RecordingItem};
use studio::contract::{RecordSummary, TruthReport};
use studio::{CancelToken, ErrorCode};
use tauri::ipc::Channel;

use crate::commands::{AppState, Reply, follow, report, save_path};

/// How to reach the broker, as the pilot screen holds it (blank fields: not given).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerAsk {
    /// `mqtt://HOST:PORT` or `mqtts://HOST:PORT`.
    pub url: String,
    /// The CA certificate that signed the broker's (mqtts).
    pub ca: Option<String>,
    /// A folder of per-device client certificates and keys (mqtts).
    pub cert_dir: Option<String>,
    /// The file with the password (or `NAME:PASSWORD` lines); read here, never sent back.
    pub password_file: Option<String>,
    /// The user name (`{device}` is replaced by each client's name).
    pub username: Option<String>,
}

fn given(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl BrokerAsk {
    /// The broker settings `studio` connects with (an error: a bad URL or unreadable file).
    pub fn connect(&self) -> studio::Result<studio::bridge::BrokerConnection> {
        BrokerArgs {
            url: self.url.trim().to_string(),
            ca: given(&self.ca).map(PathBuf::from),
            cert_dir: given(&self.cert_dir).map(PathBuf::from),
            password_file: given(&self.password_file).map(PathBuf::from),
            username: given(&self.username),
        }
        .connect()
    }
}

/// What the pilot screen starts from: the bundled mapping file of the emulated pilot, its twin
/// scenario, and the emulator's default ground truth.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PilotDefaults {
    /// `scenarios/maps/emulated-pilot.toml`: how to read the emulated pilot's payloads.
    pub map: String,
    /// `scenarios/emulated-pilot.toml`: the emulated pilot's twin.
    pub twin: String,
    /// The emulator's settings by default.
    pub truth: Truth,
}

/// See [`PilotDefaults`].
#[tauri::command]
pub fn pilot_defaults() -> PilotDefaults {
    let dir = studio::library::bundled_dir();
    PilotDefaults {
        map: dir.join("maps/emulated-pilot.toml").display().to_string(),
        twin: dir.join("emulated-pilot.toml").display().to_string(),
        truth: Truth::default(),
    }
}

/// A private broker the app started (for a demo): where it listens and how to log in.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalBrokerInfo {
    /// `mqtt://127.0.0.1:PORT`.
    pub url: String,
    /// The user name clients log in with.
    pub username: String,
    /// The file holding the clients' password (its path only).
    pub password_file: String,
}

/// Starts a private mosquitto on loopback `port` (state kept across restarts, a password for
/// every client), or tells where the one already started listens. It stops with the app: a
/// command that is not `async` runs on the main thread, and the broker gets SIGTERM (saving its
/// state) when the thread that started it ends, however the app ends.
#[tauri::command]
pub fn start_local_broker(state: tauri::State<'_, AppState>, port: u16) -> Reply<LocalBrokerInfo> {
    start_local_broker_with(&state, port).map_err(report)
}

/// See [`start_local_broker`].
#[cfg(unix)]
pub fn start_local_broker_with(state: &AppState, port: u16) -> studio::Result<LocalBrokerInfo> {
    let mut held = state.local_broker();
    if held.is_none() {
        *held = Some(studio::bridge::local_broker(port, false)?);
    }
    let b = held.as_ref().expect("started above");
    Ok(LocalBrokerInfo {
        url: b.url(),
        username: studio::bridge::KEPT_BROKER_USER.to_string(),
        password_file: b.dir.join("client.pw").display().to_string(),
    })
}

/// See [`start_local_broker`].
#[cfg(not(unix))]
pub fn start_local_broker_with(_: &AppState, _: u16) -> studio::Result<LocalBrokerInfo> {
    Err(studio::Error::invalid("a private broker runs mosquitto, which needs a Unix system"))
}

/// Stops the private broker (its state is saved for the next start); false when none runs.
#[tauri::command]
pub fn stop_local_broker(state: tauri::State<'_, AppState>) -> bool {
    state.stop_broker()
}

/// A file (or a folder) the user picks in an open dialog: the CA certificate, the client
/// certificates' folder, the password file, a mapping file. None: they cancelled.
#[tauri::command]
pub async fn pick_path(app: tauri::AppHandle, folder: bool, title: String) -> Reply<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app.dialog().file().set_title(title);
    let picked = if folder { dialog.blocking_pick_folder() } else { dialog.blocking_pick_file() };
    let Some(picked) = picked else { return Ok(None) };
    let path = picked.into_path().map_err(|e| studio::Error::new(ErrorCode::Io, e).report())?;
    Ok(Some(path.display().to_string()))
}

/// Runs `work` with a cancel token registered under `job`, forgetting it when the work ends.
async fn with_job<T>(state: &AppState, job: u32, work: impl AsyncFnOnce(&CancelToken) -> T) -> T {
    let token = CancelToken::new();
    state.add_job(job, token.clone());
    let out = work(&token).await;
    state.forget_job(job);
    out
}

/// Publishes the emulated pilot (`truth`) at `speed` emulated seconds per second (0: as fast
/// as the broker takes it), streaming its progress; a cancel ([`crate::commands::cancel_run`]
/// with `job`) stops it with the `cancelled` code.
#[tauri::command]
pub async fn start_emulate(
    state: tauri::State<'_, AppState>,
    job: u32,
    broker: BrokerAsk,
    truth: Truth,
    speed: f64,
    on_event: Channel<BridgeEvent>,
) -> Reply<TruthReport> {
    emulate_with(&state, job, &broker, &truth, speed, &mut |e| {
        let _ = on_event.send(e);
    })
    .await
    .map_err(report)
}

/// See [`start_emulate`].
pub async fn emulate_with(
    state: &AppState,
    job: u32,
    broker: &BrokerAsk,
    truth: &Truth,
    speed: f64,
    on: &mut (dyn FnMut(BridgeEvent) + Send),
) -> studio::Result<TruthReport> {
    if let Err(problems) = truth.check() {
        return Err(studio::Error::invalid(problems.join("; ")));
    }
    if !(speed == 0.0 || (studio::bridge::MIN_SPEED..=1e9).contains(&speed)) {
        let m = format!("speed: expected 0 (as fast as possible) or from {} to 1e9", studio::bridge::MIN_SPEED);
        return Err(studio::Error::invalid(m));
    }
    let connect = broker.connect()?;
    with_job(state, job, async |token| studio::bridge::emulate(&connect, truth, speed, None, on, Some(token)).await)
        .await
}

/// What the pilot screen asks to record.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordAsk {
    /// How to read the pilot's payloads (a mapping file).
    pub map: PathBuf,
    /// The recording's name.
    pub name: String,
    /// Stop after this many seconds (None: on the idle timeout or the stop button).
    pub duration_s: Option<f64>,
    /// Stop once no message has come for this many seconds (None: never).
    pub idle_timeout_s: Option<f64>,
    /// The scenario the pilot is compared with as it records (None: no live comparison).
    pub twin: Option<PathBuf>,
    /// Compare with the twin each time this many more messages are stored.
    pub check_every: u64,
}

fn seconds(what: &str, s: Option<f64>) -> studio::Result<Option<std::time::Duration>> {
    s.map(|s| {
        std::time::Duration::try_from_secs_f64(s)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| studio::Error::invalid(format!("{what}: expected a positive number of seconds, got {s}")))
    })
    .transpose()
}

/// Records the pilot from the broker into the run database until the duration, the idle
/// timeout or the stop button ([`crate::commands::cancel_run`] with `job`: what came is kept),
/// streaming progress, warnings and, with a twin, the pilot so far beside its twin.
#[tauri::command]
pub async fn start_record(
    state: tauri::State<'_, AppState>,
    job: u32,
    broker: BrokerAsk,
    ask: RecordAsk,
    on_event: Channel<BridgeEvent>,
) -> Reply<RecordSummary> {
    record_with(&state, job, &broker, &ask, &mut |e| {
        let _ = on_event.send(e);
    })
    .await
    .map_err(report)
}

/// See [`start_record`].
pub async fn record_with(
    state: &AppState,
    job: u32,
    broker: &BrokerAsk,
    ask: &RecordAsk,
    on: &mut (dyn FnMut(BridgeEvent) + Send),
) -> studio::Result<RecordSummary> {
    let config = state.config();
    let name = ask.name.trim().to_string();
    if name.is_empty() {
        return Err(studio::Error::invalid("the recording needs a name"));
    }
    let duration = seconds("duration", ask.duration_s)?;
    let idle_timeout = seconds("idle timeout", ask.idle_timeout_s)?;
    if let Some(t) = &ask.twin {
        studio::load_scenario(config, t, &[])?;
    }
    let connect = broker.connect()?;
    let (map, map_text) = studio::bridge::read_map(&ask.map)?;
    let req = studio::bridge::RecordRequest {
        db: &config.db,
        map: &map,
        map_text: &map_text,
        name,
        duration,
        idle_timeout,
        twin: ask.twin.as_deref(),
        check_every: ask.check_every,
    };
    with_job(state, job, async |token| studio::bridge::record(&connect, &req, on, token).await).await
}

/// The stored recordings, newest first.
#[tauri::command]
pub fn recordings(state: tauri::State<'_, AppState>) -> Reply<Vec<RecordingItem>> {
    studio::records::recordings(state.config(), 200).map_err(report)
}

/// A calibration's outcome: the fit with its intervals, the calibrated scenario's text and a
/// file name to offer for it.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Calibrated {
    /// The fitted parameters with their 95 % intervals.
    pub fit: Fit,
    /// The base scenario with the fitted values written in (comments kept).
    pub text: String,
    /// `calibrated-RECORDING.toml`.
    pub name: String,
}

/// Fits the twin to a recording (by id or name) on a session thread, the `base` scenario
/// calibrated; streams progress; a cancel before the fit starts ends it `cancelled`.
#[tauri::command]
pub async fn start_calibrate(
    state: tauri::State<'_, AppState>,
    job: u32,
    recording: String,
    base: PathBuf,
    on_progress: Channel<studio::Progress>,
) -> Reply<Calibrated> {
    let session = studio::session::start_calibrate(
        state.config().clone(),
        recording.clone(),
        studio::pilot::ReadingWindow::Auto,
        base,
        studio::utc_now_rfc3339(),
    )
    .map_err(report)?;
    state.add_job(job, session.cancel_token());
    let cal = follow(&state, job, session, on_progress).await?;
    Ok(Calibrated { fit: (&cal.fit).into(), text: cal.scenario_text, name: format!("calibrated-{recording}.toml") })
}

/// The pilot beside its twin: `scenario` sized to the recording, both message streams compared
/// with the default tolerances. Runs off the window's thread (the twin is a simulation).
#[tauri::command]
pub async fn compare_pilot(
    state: tauri::State<'_, AppState>,
    recording: String,
    scenario: PathBuf,
) -> Reply<PilotComparison> {
    let db = state.config().db.clone();
    blocking(move || compare_pilot_with(&db, &recording, &scenario).map(|c| (&c.comparison).into())).await
}

/// See [`compare_pilot`]: the comparison with its report.
pub fn compare_pilot_with(
    db: &Path,
    recording: &str,
    scenario: &Path,
) -> studio::Result<studio::pilot::PilotComparison> {
    let rec = studio::pilot::load_recording(db, recording, studio::pilot::ReadingWindow::Auto)?;
    let tolerances = studio::pilot::Tolerances::default();
    studio::pilot::compare_pilot(&rec, scenario, &[], &tolerances, &studio::utc_now_rfc3339())
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> studio::Result<T> + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| studio::Error::new(ErrorCode::Internal, e).report())?
        .map_err(report)
}

/// Writes the pilot-versus-twin report (charts as SVG beside it) where the user says and opens
/// it in their browser; the file written, or None when the dialog was cancelled. Unattended
/// (`SCALEPROOF_STUDIO_SAVE_DIR` set), it is written and not opened.
#[tauri::command]
pub async fn open_pilot_report(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    recording: String,
    scenario: PathBuf,
) -> Reply<Option<String>> {
    let name = format!("scaleproof-pilot-{recording}.html");
    let Some(path) = save_path(&app, &state, "HTML report", "html", &name)? else { return Ok(None) };
    let db = state.config().db.clone();
    let html = path.clone();
    blocking(move || {
        let c = compare_pilot_with(&db, &recording, &scenario)?;
        studio::reports::write_report(&c.report, &html).map(|_| ())
    })
    .await?;
    if state.save_dir.is_none() {
        // The user's browser shows it; the app grants its page no opener of its own.
        open::that_detached(&path).map_err(|e| {
            let why = std::io::Error::other(format!("wrote {} but cannot open it: {e}", path.display()));
            studio::Error::new(ErrorCode::Io, why).report()
        })?;
    }
    Ok(Some(path.display().to_string()))
}
