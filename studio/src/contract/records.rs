//! What the run database holds, as lists front ends show: runs, sweeps and recordings; and the
//! problems of invalid input.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Simulating now (or its process was killed a moment ago and nobody has looked since).
    Running,
    /// Finished, with a summary.
    Complete,
    /// Its process died before it finished: the series it got to are kept, no summary.
    Incomplete,
    /// Stopped by its caller: the series it got to are kept, no summary.
    Cancelled,
    /// Stopped by a bug (a panic inside the run): the series it got to are kept, no summary.
    Failed,
}

impl RunStatus {
    /// The status as the store writes it.
    pub fn parse(s: &str) -> Option<RunStatus> {
        serde_json::from_value(serde_json::Value::from(s)).ok()
    }

    /// The status as the store writes it and tables print it.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Complete => "complete",
            RunStatus::Incomplete => "incomplete",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Failed => "failed",
        }
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stored run in a list (`scaleproof runs --json`): newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RunListItem {
    /// The run's id (a replication has its own).
    pub id: i64,
    /// When it started, RFC 3339 UTC.
    pub created_at: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file as given.
    pub file: String,
    /// This replication's seed.
    pub seed: u64,
    /// Devices simulated.
    pub devices: u64,
    /// Where it stands.
    pub status: RunStatus,
    /// The run this one is a replication of (None: replication 0 or a single run).
    pub replication_of: Option<i64>,
    /// Which replication this is (0 for the first or only one).
    pub replication_index: u32,
    /// Its delivery ratio (0 to 1), once it finished.
    pub delivery_ratio: Option<f64>,
    /// Wall-clock seconds it took (None until it finished).
    pub wall_s: Option<f64>,
    /// The name people gave it in the studio, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub label: Option<String>,
    /// Its tags, in the order given.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What a stored study is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SweepKind {
    /// The same scenario at several values of one field.
    Sweep,
    /// A KPI's swing as fields vary one at a time (a tornado).
    Sensitivity,
}

/// One stored sweep or sensitivity study in a list (`scaleproof sweeps --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct SweepListItem {
    /// The study's id (`sweep:ID`).
    pub id: i64,
    /// Sweep or sensitivity study.
    pub kind: SweepKind,
    /// When it started, RFC 3339 UTC.
    pub created_at: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file as given.
    pub file: String,
    /// Where it stands (a run status).
    pub status: RunStatus,
    /// Points (runs) stored so far.
    pub points: usize,
    /// The field paths varied.
    pub swept: Vec<String>,
    /// A sweep's values, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub values: Option<Vec<String>>,
    /// A sensitivity study's KPI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub kpi: Option<String>,
}

/// One pilot recording in a list (`scaleproof pilot recordings --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RecordingItem {
    /// The recording's id.
    pub id: i64,
    /// Its name (unique).
    pub name: String,
    /// When it started, RFC 3339 UTC.
    pub created_at: String,
    /// The broker recorded, credentials removed.
    pub broker: String,
    /// Where it stands (`running` while it records).
    pub status: RunStatus,
    /// Devices seen.
    pub devices: usize,
    /// Messages stored.
    pub received: u64,
    /// Messages received again (stored once).
    pub duplicates: u64,
    /// Payloads that could not be read (counted, a sample kept).
    pub malformed: u64,
}

/// One problem of invalid input: where (file, line, column, field path) and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Problem {
    /// The file, as given.
    pub file: String,
    /// 1-based; 0 when the problem comes from a `--set` override.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Dotted path of the field, e.g. `fleet.vibration.buffer.capacity`.
    pub path: String,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The `--set` override the problem comes from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub from_override: Option<String>,
}

impl From<&sim_core::diagnostic::Diagnostic> for Problem {
    fn from(d: &sim_core::diagnostic::Diagnostic) -> Problem {
        Problem {
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            path: d.path.clone(),
            message: d.message.clone(),
            from_override: d.from_override.clone(),
        }
    }
}

/// A scenario file as the library lists it (`studio::library::scenarios`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ScenarioItem {
    /// The file's path, as found.
    pub path: String,
    /// `scenario.name`, or the file's stem when the file does not validate.
    pub name: String,
    /// `scenario.description`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    /// Devices in the fleet (0 when the file does not validate).
    pub devices: u64,
    /// Simulated time, seconds.
    pub duration_s: f64,
    /// The id of the price book it is priced with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub price_book: Option<String>,
    /// Problems found when validating it (0: valid).
    pub problems: u32,
}
