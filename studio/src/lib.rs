//! studio: the façade the CLI (and later the desktop app and the fleet view) call. It owns
//! everything that touches the OS around the pure engine: reading files, the wall clock, thread
//! pools and the run database.

// Libraries never print: what a user sees is the front end's to write.
#![warn(clippy::print_stdout, clippy::print_stderr)]
// Every public item says what it is, with its unit (CI denies warnings).
#![warn(missing_docs)]

pub mod bench;
pub mod bridge;
pub mod compare;
mod config;
pub mod contract;
pub mod edit;
mod error;
pub mod export;
pub mod library;
pub mod model;
pub mod pilot;
pub mod playback;
pub mod pricebook;
pub mod records;
pub mod reports;
pub mod run;
pub mod sensitivity;
pub mod session;
pub mod sweep;
pub mod view;

pub use config::Config;
pub use error::{Error, ErrorCode, ErrorReport, Result};
pub use run::{RunOutcome, RunRequest, run_scenario};
pub use session::{CancelToken, Cancelled, LiveFigures, Progress, Session};

use std::path::Path;

use sim_core::diagnostic::Diagnostics;
use sim_core::scenario::read::diagnostic_at;
use sim_core::scenario::{Scenario, ScenarioSource, parse_scenario};

/// Why a scenario could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io(String),
    /// The file was read but is not a valid scenario (every problem, with locations).
    Invalid(Diagnostics),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(m) => f.write_str(m),
            LoadError::Invalid(d) => d.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

/// A scenario as loaded from a file: its text (stored with every run) and its validated form.
#[derive(Clone)]
pub struct LoadedScenario {
    /// The scenario file's path, as given.
    pub file: String,
    /// The file's text as read (stored with every run).
    pub text: String,
    /// The `--set PATH=VALUE` overrides applied, in order.
    pub overrides: Vec<String>,
    /// The validated scenario, overrides applied.
    pub scenario: Scenario,
    /// The price book the scenario names (with its `[cost.prices]` overrides applied).
    pub book: Option<pricebook::LoadedBook>,
}

/// Reads and validates a scenario file with `--set` overrides; its price book is looked for in
/// `config`'s price-book folders first, then `pricebooks/` beside the scenario and up its
/// parents, then the working directory. A file that cannot be read or is invalid is
/// [`ErrorCode::InvalidInput`], with every problem and its location.
pub fn load_scenario(config: &Config, path: &Path, overrides: &[String]) -> Result<LoadedScenario> {
    read_scenario(config, path, overrides).map_err(Error::from)
}

/// A scenario as an editor holds it, unsaved: `text` validated as if it were the file at `path`
/// with `--set`-style `overrides` (its price book is looked for beside `path`, as
/// [`load_scenario`] would). Every problem is
/// reported at once, with its line, as [`ErrorCode::InvalidInput`].
pub fn load_scenario_text(config: &Config, path: &Path, text: &str, overrides: &[String]) -> Result<LoadedScenario> {
    scenario_from_bytes(config, path, text.as_bytes(), overrides).map_err(Error::from)
}

fn read_scenario(config: &Config, path: &Path, overrides: &[String]) -> Result<LoadedScenario, LoadError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io(format!("{file}: cannot read the scenario: {e}")))?;
    scenario_from_bytes(config, path, &bytes, overrides)
}

fn scenario_from_bytes(
    config: &Config,
    path: &Path,
    bytes: &[u8],
    overrides: &[String],
) -> Result<LoadedScenario, LoadError> {
    let file = path.display().to_string();
    let src = ScenarioSource { file: &file, bytes, overrides };
    let scenario = parse_scenario(&src).map_err(LoadError::Invalid)?;
    let book = match (&scenario.price_book, &scenario.cost) {
        (Some(id), Some(plan)) => {
            let found = pricebook::find_price_book(&config.price_books, path, id).map_err(|tried| {
                let list = tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
                LoadError::Invalid(Diagnostics(vec![diagnostic_at(
                    &src,
                    "scenario.price_book",
                    format!("no price book \"{id}\" (looked for {list})"),
                )]))
            })?;
            let source = path.file_name().map_or(file.clone(), |n| n.to_string_lossy().into_owned());
            let loaded = pricebook::load_price_book(&found, &plan.prices, &source)?;
            let problems = sim_core::cost::check_plan(&scenario, &loaded.book);
            if !problems.is_empty() {
                return Err(LoadError::Invalid(Diagnostics(
                    problems.into_iter().map(|(p, m)| diagnostic_at(&src, &p, m)).collect(),
                )));
            }
            Some(loaded)
        }
        _ => None,
    };
    Ok(LoadedScenario {
        file,
        text: String::from_utf8_lossy(bytes).into_owned(),
        overrides: overrides.to_vec(),
        scenario,
        book,
    })
}

/// The scenario a stored run ran: its stored text with its overrides, priced with the price
/// book stored with it (not the files as they are now).
pub(crate) fn stored_scenario(store: &store::Store, run: i64) -> anyhow::Result<LoadedScenario> {
    use anyhow::Context;
    let Some(rec) = store.get_run(run)? else { anyhow::bail!("no run {run}") };
    let overrides: Vec<String> = serde_json::from_str(&rec.overrides_json).unwrap_or_default();
    let file = rec.row.scenario_file.clone();
    let src = ScenarioSource { file: &file, bytes: rec.scenario_text.as_bytes(), overrides: &overrides };
    let scenario = parse_scenario(&src)
        .map_err(LoadError::Invalid)
        .with_context(|| format!("run {run}: its stored scenario no longer validates"))?;
    let book = match (&rec.price_book_text, &scenario.cost) {
        (Some(text), Some(plan)) => {
            let source = Path::new(&file).file_name().map_or(file.clone(), |n| n.to_string_lossy().into_owned());
            Some(
                pricebook::parse_book_bytes("stored price book", text.as_bytes(), &plan.prices, &source)
                    .map_err(LoadError::Invalid)
                    .with_context(|| format!("run {run}: its stored price book no longer validates"))?,
            )
        }
        _ => None,
    };
    Ok(LoadedScenario { file, text: rec.scenario_text, overrides, scenario, book })
}

/// Opens the run database for a command that only reads it: never created, migrated, marked or
/// switched to WAL, so a read-only file can be read and a newer version is refused untouched.
/// A database from an older version cannot be read as it is: it is upgraded first (a write, as
/// any writing command would do).
pub(crate) fn open_for_reading(db: &Path) -> anyhow::Result<store::Store> {
    use anyhow::Context;
    match store::Store::open_read_only(db) {
        Err(store::StoreError::Outdated { .. }) => {
            store::Store::open(db).with_context(|| format!("upgrading {}", db.display()))
        }
        Err(store::StoreError::Missing { .. }) => {
            anyhow::bail!("no run database at {} (nothing has been run or recorded there yet)", db.display())
        }
        r => r.with_context(|| format!("opening {}", db.display())),
    }
}

/// The current UTC time as RFC 3339 (`2026-11-22T10:00:00Z`).
pub fn utc_now_rfc3339() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Adds the business case (when the scenario has a price book) and the verdict to a summary
/// (`sim_core::assess`: priced first, judged with that bill).
pub fn price_and_judge(loaded: &LoadedScenario, summary: &mut sim_core::summary::RunSummary) {
    sim_core::assess(&loaded.scenario, loaded.book.as_ref().map(|b| &b.book), summary).fill(summary);
}

/// A duration as scenarios write them (`"90s"`, `"2h"`, `"12d 10:00"`).
pub fn parse_duration(text: &str) -> Result<std::time::Duration> {
    sim_core::time::parse_duration(text).map(|d| std::time::Duration::from_micros(d.0)).map_err(Error::invalid)
}

/// Which file format a JSON Schema describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// Scenario files (`scenarios/*.toml`).
    Scenario,
    /// Price books (`pricebooks/*.toml`).
    PriceBook,
}

/// The JSON Schema of a file format, for editors (completion and checks as people type).
pub fn schema(kind: SchemaKind) -> serde_json::Value {
    match kind {
        SchemaKind::Scenario => sim_core::scenario::schema::scenario_schema(),
        SchemaKind::PriceBook => sim_core::cost::schema::pricebook_schema(),
    }
}
