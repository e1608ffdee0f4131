//! The commands the front end invokes. Each is a one-liner over `studio`, testable without a
//! window: the `*_with` functions take the state directly, and the `#[tauri::command]` wrappers
//! only hand it over.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use studio::contract::summary::RunDetail;
use studio::contract::{
    Comparison, Problem, RunListItem, RunSeries, ScenarioForm, ScenarioItem, StudyDetail, SweepDetail, SweepListItem,
};
use studio::session::RunJob;
use studio::{CancelToken, Config, ErrorCode, ErrorReport, Progress};
use tauri::ipc::Channel;

/// What the commands share: the configuration (database, price books) and the cancel tokens of
/// the runs in progress, by the job id the front end chose.
pub struct AppState {
    config: Config,
    jobs: Mutex<HashMap<u32, CancelToken>>,
    /// The private broker the pilot screen started, stopped with the app.
    #[cfg(unix)]
    broker: Mutex<Option<studio::bridge::LocalBroker>>,
    /// Where reports and new scenario files are written without asking (None: a dialog asks).
    pub save_dir: Option<PathBuf>,
    /// When the app started.
    pub launched: std::time::Instant,
    /// The startup benchmark: print the first frame's time and exit.
    pub exit_after_first_frame: bool,
}

impl AppState {
    /// State over `config` with no run in progress.
    pub fn new(config: Config) -> AppState {
        AppState {
            config,
            jobs: Mutex::new(HashMap::new()),
            #[cfg(unix)]
            broker: Mutex::new(None),
            save_dir: None,
            launched: std::time::Instant::now(),
            exit_after_first_frame: false,
        }
    }

    /// The configuration the commands use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn jobs(&self) -> std::sync::MutexGuard<'_, HashMap<u32, CancelToken>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers the cancel token of work the front end knows as `job`.
    pub fn add_job(&self, job: u32, token: CancelToken) {
        self.jobs().insert(job, token);
    }

    /// Forgets the cancel token of `job` (its work ended).
    pub fn forget_job(&self, job: u32) {
        self.jobs().remove(&job);
    }

    /// The private broker the pilot screen started, if any (its log tells who is subscribed).
    #[cfg(unix)]
    pub fn local_broker(&self) -> std::sync::MutexGuard<'_, Option<studio::bridge::LocalBroker>> {
        self.broker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the private broker, if one was started (its state is saved for the next start).
    pub fn stop_broker(&self) -> bool {
        #[cfg(unix)]
        {
            self.local_broker().take().is_some()
        }
        #[cfg(not(unix))]
        false
    }
}

pub(crate) type Reply<T> = Result<T, ErrorReport>;

pub(crate) fn report(e: studio::Error) -> ErrorReport {
    e.report()
}

/// The page painted its first frame (it calls this once, two animation frames after it mounted):
/// for the startup benchmark, the milliseconds since launch are printed and the app exits.
#[tauri::command]
pub fn first_frame(app: tauri::AppHandle, state: tauri::State<'_, AppState>) {
    if state.exit_after_first_frame {
        let ms = state.launched.elapsed().as_secs_f64() * 1e3;
        #[expect(clippy::print_stdout, reason = "the benchmark reads it")]
        {
            println!("first frame {ms:.0} ms after launch");
        }
        app.exit(0);
    }
}

/// The bundled scenarios, each with what the library shows of it.
#[tauri::command]
pub fn library(state: tauri::State<'_, AppState>) -> Reply<Vec<ScenarioItem>> {
    studio::library::scenarios(state.config(), &studio::library::bundled_dir()).map_err(report)
}

/// The text of a scenario file the user picked.
#[tauri::command]
pub fn read_scenario(path: PathBuf) -> Reply<String> {
    studio::library::read_text(&path).map_err(report)
}

/// Every problem of a scenario's text as the editor holds it (empty: valid), as if it were the
/// file at `path`.
#[tauri::command]
pub fn check_scenario(state: tauri::State<'_, AppState>, path: PathBuf, text: String) -> Reply<Vec<Problem>> {
    check_scenario_with(&state, &path, &text)
}

/// See [`check_scenario`].
pub fn check_scenario_with(state: &AppState, path: &std::path::Path, text: &str) -> Reply<Vec<Problem>> {
    match studio::load_scenario_text(state.config(), path, text, &[]) {
        Ok(_) => Ok(Vec::new()),
        Err(e) if e.code() == ErrorCode::InvalidInput && !e.problem_list().is_empty() => Ok(e.problem_list().to_vec()),
        Err(e) => Err(e.report()),
    }
}

/// What the front end asks to run.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunAsk {
    /// The job id the front end gives it (to cancel it).
    pub job: u32,
    /// Where the scenario's text came from (price books are looked for beside it).
    pub path: PathBuf,
    /// The scenario's text as the editor holds it.
    pub text: String,
    /// Devices in the whole fleet, spread over the classes as a sweep would (None: as written).
    pub devices: Option<u64>,
    /// Replications (at least 1).
    pub replications: u32,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
}

/// Runs a scenario on a session thread, streaming its progress to `on_progress`, and returns
/// the stored run. A cancel ([`cancel_run`]) ends it with the `cancelled` error code.
#[tauri::command]
pub async fn start_run(
    state: tauri::State<'_, AppState>,
    ask: RunAsk,
    on_progress: Channel<Progress>,
) -> Reply<RunDetail> {
    let config = state.config().clone();
    let session = begin_run(&state, &ask).map_err(report)?;
    let outcome = follow(&state, ask.job, session, on_progress).await?;
    let first = outcome.summaries.first().map_or(0, |s| s.run_id);
    studio::records::run_detail(&config, first).map_err(report)
}

/// Streams a session's progress to the window on a blocking task (the window never waits on
/// the work), forgets its job's cancel token when it ends, and returns its result.
pub(crate) async fn follow<T: Send + 'static>(
    state: &AppState,
    job: u32,
    session: studio::Session<T>,
    on_progress: Channel<Progress>,
) -> Reply<T> {
    let outcome = tauri::async_runtime::spawn_blocking(move || {
        while let Some(p) = session.next_progress() {
            // A window that went away stops listening; the work goes on and is stored.
            let _ = on_progress.send(p);
        }
        session.wait()
    })
    .await;
    state.forget_job(job);
    outcome.map_err(|e| studio::Error::new(ErrorCode::Internal, e).report())?.map_err(report)
}

/// Loads the asked scenario and starts its run, registering its cancel token under the job id.
pub fn begin_run(state: &AppState, ask: &RunAsk) -> studio::Result<studio::Session<studio::RunOutcome>> {
    let config = state.config();
    let mut overrides = Vec::new();
    if let Some(n) = ask.devices {
        let base = studio::load_scenario_text(config, &ask.path, &ask.text, &[])?;
        overrides = studio::sweep::fleet_size_overrides(&base.scenario, n);
    }
    let loaded = studio::load_scenario_text(config, &ask.path, &ask.text, &overrides)?;
    let session = studio::session::start_run(RunJob {
        seed: ask.seed,
        replications: ask.replications.max(1),
        // Every run the studio starts can be played back in the fleet view.
        playback: true,
        ..RunJob::new(loaded, config.db.clone())
    })?;
    state.add_job(ask.job, session.cancel_token());
    Ok(session)
}

/// Stops a run in progress within one simulated hour (what ran is stored `cancelled`); false
/// when no such run is going.
#[tauri::command]
pub fn cancel_run(state: tauri::State<'_, AppState>, job: u32) -> bool {
    cancel_run_with(&state, job)
}

/// See [`cancel_run`].
pub fn cancel_run_with(state: &AppState, job: u32) -> bool {
    state.jobs().get(&job).map(CancelToken::cancel).is_some()
}

/// The stored runs, newest first.
#[tauri::command]
pub fn runs(state: tauri::State<'_, AppState>) -> Reply<Vec<RunListItem>> {
    studio::records::runs(state.config(), 200).map_err(report)
}

/// One stored run as `show --json` prints it.
#[tauri::command]
pub fn run_detail(state: tauri::State<'_, AppState>, id: i64) -> Reply<RunDetail> {
    studio::records::run_detail(state.config(), id).map_err(report)
}

/// A stored run's hourly series per class (replication 0) with its timeline of events.
#[tauri::command]
pub fn run_series(state: tauri::State<'_, AppState>, id: i64) -> Reply<RunSeries> {
    studio::run::series(state.config(), id).map_err(report)
}

/// What differs between two stored runs: assumptions, prices and results.
#[tauri::command]
pub fn compare_runs(state: tauri::State<'_, AppState>, a: i64, b: i64) -> Reply<Comparison> {
    studio::compare::compare_runs(&state.config().db, a, b).map_err(report)
}

/// Writes the HTML report of a run (`run:12`) or a sweep (`sweep:3`), with its charts as SVG
/// files beside it, where the user says in a save dialog; the file written, or None when the
/// dialog was cancelled.
#[tauri::command]
pub async fn export_report(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    target: String,
) -> Reply<Option<String>> {
    let parsed = studio::reports::Target::parse(&target).map_err(report)?;
    let name = format!("scaleproof-{}.html", target.replace(':', "-"));
    let Some(path) = save_path(&app, &state, "HTML report", "html", &name)? else { return Ok(None) };
    export_report_to(&state, parsed, &path).map_err(report)?;
    Ok(Some(path.display().to_string()))
}

/// See [`export_report`]: the report of `target` written to `html`.
pub fn export_report_to(
    state: &AppState,
    target: studio::reports::Target,
    html: &std::path::Path,
) -> studio::Result<()> {
    let report = studio::reports::build_report(&state.config().db, target, &studio::utc_now_rfc3339())?;
    studio::reports::write_report(&report, html)?;
    Ok(())
}

/// Where to write a new file: `save_dir` when set, else what the user picks in a save dialog
/// (None: they cancelled).
pub(crate) fn save_path(
    app: &tauri::AppHandle,
    state: &AppState,
    kind: &str,
    extension: &str,
    name: &str,
) -> Reply<Option<PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    if let Some(dir) = &state.save_dir {
        return Ok(Some(dir.join(name)));
    }
    let picked = app.dialog().file().add_filter(kind, &[extension]).set_file_name(name).blocking_save_file();
    let Some(picked) = picked else { return Ok(None) };
    picked.into_path().map(Some).map_err(|e| studio::Error::new(ErrorCode::Io, e).report())
}

/// What the library shows of one scenario file (the user's own files are listed this way).
#[tauri::command]
pub fn scenario_item(state: tauri::State<'_, AppState>, path: PathBuf) -> ScenarioItem {
    studio::library::item(state.config(), &path)
}

/// A scenario file the user picks in an open dialog (None: they cancelled).
#[tauri::command]
pub async fn open_scenario(app: tauri::AppHandle, state: tauri::State<'_, AppState>) -> Reply<Option<ScenarioItem>> {
    use tauri_plugin_dialog::DialogExt;
    let Some(picked) = app.dialog().file().add_filter("Scenario", &["toml"]).blocking_pick_file() else {
        return Ok(None);
    };
    let path = picked.into_path().map_err(|e| studio::Error::new(ErrorCode::Io, e).report())?;
    Ok(Some(studio::library::item(state.config(), &path)))
}

/// Writes the editor's text over the scenario file at `path` (whole or not at all) and lists it
/// again.
#[tauri::command]
pub fn save_scenario(state: tauri::State<'_, AppState>, path: PathBuf, text: String) -> Reply<ScenarioItem> {
    save_scenario_with(&state, &path, &text)
}

/// See [`save_scenario`].
pub fn save_scenario_with(state: &AppState, path: &std::path::Path, text: &str) -> Reply<ScenarioItem> {
    studio::library::write_text(path, text).map_err(report)?;
    Ok(studio::library::item(state.config(), path))
}

/// Writes the editor's text to a new file the user names in a save dialog (`name` is offered);
/// the file as listed, or None when they cancelled.
#[tauri::command]
pub async fn save_scenario_as(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    text: String,
    name: String,
) -> Reply<Option<ScenarioItem>> {
    let Some(path) = save_path(&app, &state, "Scenario", "toml", &name)? else { return Ok(None) };
    save_scenario_with(&state, &path, &text).map(Some)
}

/// The form of the editor's text: the fields people change most, with their values (text that
/// is not TOML has none: invalid input).
#[tauri::command]
pub fn scenario_form(text: String) -> Reply<ScenarioForm> {
    studio::edit::form(&text).map_err(report)
}

/// The editor's text with one field of the form set (empty: removed), the rest as written.
#[tauri::command]
pub fn set_scenario_field(text: String, path: String, value: String) -> Reply<String> {
    studio::edit::set_field(&text, &path, &value).map_err(report)
}

/// What the front end asks to sweep: the editor's scenario at each fleet size.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepAsk {
    /// The job id the front end gives it (to cancel it).
    pub job: u32,
    /// Where the scenario's text came from (price books are looked for beside it).
    pub path: PathBuf,
    /// The scenario's text as the editor holds it.
    pub text: String,
    /// The fleet sizes (devices in the whole fleet), in the order run.
    pub devices: Vec<u64>,
    /// Replications per point (at least 1; 2 or more give the cost curve its 95 % band).
    pub replications: u32,
}

/// Sweeps the editor's scenario over fleet sizes on a session thread, streaming progress, and
/// returns the stored sweep with its crossovers. A cancel ends it with the `cancelled` code.
#[tauri::command]
pub async fn start_sweep(
    state: tauri::State<'_, AppState>,
    ask: SweepAsk,
    on_progress: Channel<Progress>,
) -> Reply<SweepDetail> {
    let session = begin_sweep(&state, &ask).map_err(report)?;
    let outcome = follow(&state, ask.job, session, on_progress).await?;
    Ok(studio::sweep::sweep_detail(outcome.sweep_id, &outcome.points))
}

/// Starts the asked sweep, registering its cancel token under the job id.
pub fn begin_sweep(state: &AppState, ask: &SweepAsk) -> studio::Result<studio::Session<studio::sweep::SweepOutcome>> {
    if ask.devices.is_empty() {
        return Err(studio::Error::invalid("a sweep needs at least one fleet size"));
    }
    let values = ask.devices.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    let session = studio::session::start_sweep(studio::session::SweepJob {
        file: ask.path.clone(),
        text: Some(ask.text.clone()),
        overrides: Vec::new(),
        spec: studio::sweep::SweepSpec::parse(&format!("devices={values}"))?,
        replications: ask.replications.max(1),
        precision: None,
        threads: None,
        config: state.config().clone(),
    })?;
    state.add_job(ask.job, session.cancel_token());
    Ok(session)
}

/// The stored sweeps and sensitivity studies, newest first.
#[tauri::command]
pub fn sweeps(state: tauri::State<'_, AppState>) -> Reply<Vec<SweepListItem>> {
    studio::records::sweeps(state.config(), 200).map_err(report)
}

/// One stored sweep with its points and crossovers.
#[tauri::command]
pub fn sweep_detail(state: tauri::State<'_, AppState>, id: i64) -> Reply<SweepDetail> {
    studio::sweep::stored_sweep(state.config(), id).map_err(report)
}

/// Puts the window in full screen (presentation mode) or back.
#[tauri::command]
pub fn set_fullscreen(window: tauri::WebviewWindow, on: bool) -> Reply<()> {
    window.set_fullscreen(on).map_err(|e| studio::Error::new(ErrorCode::Internal, e).report())
}

/// Saves a chart as the page drew it (`png_base64`: its canvas as PNG, base64) where the user
/// says in a save dialog (`name` offered); the file written, or None when they cancelled.
#[tauri::command]
pub async fn save_chart(
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    name: String,
    png_base64: String,
) -> Reply<Option<String>> {
    let png = decode_png(&png_base64).map_err(report)?;
    let Some(path) = save_path(&app, &state, "PNG image", "png", &name)? else { return Ok(None) };
    studio::library::write_file(&path, &png).map_err(report)?;
    Ok(Some(path.display().to_string()))
}

/// A PNG from base64 text (with or without its `data:image/png;base64,` prefix); anything that
/// is not a PNG is invalid input.
pub fn decode_png(text: &str) -> studio::Result<Vec<u8>> {
    use base64::Engine;
    let body = text.strip_prefix("data:image/png;base64,").unwrap_or(text);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| studio::Error::invalid(format!("the chart's picture is not base64: {e}")))?;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(studio::Error::invalid("the chart's picture is not a PNG"));
    }
    Ok(bytes)
}

/// Names a stored run (None or blank: no name).
#[tauri::command]
pub fn rename_run(state: tauri::State<'_, AppState>, id: i64, label: Option<String>) -> Reply<()> {
    studio::records::set_run_label(state.config(), id, label.as_deref()).map_err(report)
}

/// Sets a stored run's tags.
#[tauri::command]
pub fn tag_run(state: tauri::State<'_, AppState>, id: i64, tags: Vec<String>) -> Reply<()> {
    studio::records::set_run_tags(state.config(), id, &tags).map_err(report)
}

/// Deletes a stored run with its replications; how many stored runs went. A run a sweep needs
/// is kept (invalid input).
#[tauri::command]
pub fn delete_run(state: tauri::State<'_, AppState>, id: i64) -> Reply<usize> {
    studio::records::delete_run(state.config(), id).map_err(report)
}

/// What the front end asks to study: the editor's scenario with each assumption moved alone.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudyAsk {
    /// The job id the front end gives it (to cancel it).
    pub job: u32,
    /// Where the scenario's text came from (price books are looked for beside it).
    pub path: PathBuf,
    /// The scenario's text as the editor holds it.
    pub text: String,
    /// The assumptions moved, as `scaleproof sensitivity --vary` takes them
    /// (`PATH=-20%,+20%`, `PATH=x0.5,x2`, `price.PATH=...`).
    pub vary: Vec<String>,
    /// The KPI each setting is judged by (one of [`sensitivity_kpis`]).
    pub kpi: String,
    /// Replications per setting.
    pub replications: u32,
}

/// The KPIs a sensitivity study can be judged by.
#[tauri::command]
pub fn sensitivity_kpis() -> Vec<String> {
    studio::sensitivity::KPIS.iter().map(|k| k.to_string()).collect()
}

/// Runs a sensitivity study of the editor's scenario on a session thread, streaming progress;
/// the stored study (its tornado). A cancel ends it with the `cancelled` code.
#[tauri::command]
pub async fn start_sensitivity(
    state: tauri::State<'_, AppState>,
    ask: StudyAsk,
    on_progress: Channel<Progress>,
) -> Reply<StudyDetail> {
    let session = begin_sensitivity(&state, &ask).map_err(report)?;
    let outcome = follow(&state, ask.job, session, on_progress).await?;
    Ok(StudyDetail { id: outcome.id, study: outcome.study })
}

/// Checks the asked study (every variation and the KPI) and starts it, registering its cancel
/// token under the job id.
pub fn begin_sensitivity(
    state: &AppState,
    ask: &StudyAsk,
) -> studio::Result<studio::Session<studio::sensitivity::SensitivityOutcome>> {
    let variations = ask
        .vary
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| studio::sensitivity::Variation::parse(v.trim()))
        .collect::<studio::Result<Vec<_>>>()?;
    if variations.is_empty() {
        return Err(studio::Error::invalid("a sensitivity study needs at least one assumption to move"));
    }
    studio::sensitivity::check_kpi(&ask.kpi)?;
    let loaded = studio::load_scenario_text(state.config(), &ask.path, &ask.text, &[])?;
    studio::sensitivity::check_kpi_for(&loaded, &ask.kpi)?;
    let session = studio::session::start_sensitivity(studio::session::SensitivityJob {
        file: ask.path.clone(),
        text: Some(ask.text.clone()),
        overrides: Vec::new(),
        variations,
        kpi: ask.kpi.clone(),
        replications: ask.replications.max(1),
        threads: None,
        config: state.config().clone(),
    })?;
    state.add_job(ask.job, session.cancel_token());
    Ok(session)
}

/// One stored sensitivity study with its tornado.
#[tauri::command]
pub fn study_detail(state: tauri::State<'_, AppState>, id: i64) -> Reply<StudyDetail> {
    studio::sensitivity::stored_study_detail(state.config(), id).map_err(report)
}

/// Opens the fleet view (its own window, `scaleproof-view`) on stored run `id`, which must have
/// its playback data (every run the studio starts has). The view runs on its own: closing it
/// leaves the studio as it was.
#[tauri::command]
pub fn open_fleet_view(state: tauri::State<'_, AppState>, id: i64) -> Reply<()> {
    open_fleet_view_with(&state, id).map(|_| ()).map_err(report)
}

/// See [`open_fleet_view`]: the view's process, started.
pub fn open_fleet_view_with(state: &AppState, id: i64) -> studio::Result<std::process::Child> {
    studio::playback::load(state.config(), id)?;
    let mut view = studio::view::command(&state.config().db, id);
    view.stdin(std::process::Stdio::null());
    view.spawn().map_err(|e| {
        let why = format!("cannot start the fleet view {}: {e}", studio::view::binary().display());
        studio::Error::new(ErrorCode::Io, std::io::Error::other(why))
    })
}
