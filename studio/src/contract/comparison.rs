//! Two stored runs side by side (`compare --json`): what differs in their assumptions and their
//! headline results.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One scenario field or price that differs between the runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Difference {
    /// The field (dotted path) or price that differs.
    pub path: String,
    /// Run A's value; "-" where the run does not set it.
    pub a: String,
    /// Run B's value; "-" where the run does not set it.
    pub b: String,
}

/// What a figure measures, so B - A can be written in its unit (percentage points, a
/// duration, money in the runs' currency).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A number of things.
    Count,
    /// 0..100.
    Percent,
    /// Seconds.
    Seconds,
    /// Days.
    Days,
    /// In `Comparison::currency`.
    Money,
}

/// One headline figure of both runs. In JSON, `id` is a stable snake_case identifier (what a
/// script keys on), `label` the text shown to people and `unit` what the values measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Figure {
    /// Stable snake_case identifier (`delivery_pct`, `tco_per_device_year`, ...).
    pub id: String,
    /// The text shown to people.
    #[serde(rename = "label")]
    pub name: String,
    /// What the values measure.
    pub unit: Unit,
    /// Run A's value (None where it has none).
    pub a: Option<f64>,
    /// Run B's value.
    pub b: Option<f64>,
}

impl Figure {
    /// B - A, in the figure's unit.
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }
}

/// Two stored runs side by side (`compare --json`): runs A and B, the assumptions and prices that
/// differ, and their headline figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Comparison {
    /// Run A's id.
    pub run_a: i64,
    /// Run B's id.
    pub run_b: i64,
    /// Run A's scenario name.
    pub scenario_a: String,
    /// Run B's scenario name.
    pub scenario_b: String,
    /// Scenario fields (after overrides) that differ.
    pub assumptions: Vec<Difference>,
    /// Prices that differ (after each scenario's price overrides).
    pub prices: Vec<Difference>,
    /// The headline figures of both runs.
    pub results: Vec<Figure>,
    /// The currency of the money figures (run A's price book), when the runs are priced.
    pub currency: Option<String>,
}
