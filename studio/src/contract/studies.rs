//! Sweeps and sensitivity studies as front ends read them (`sweep --json`,
//! `sensitivity --json`): each point's summary in the one-replication or replicated form of
//! [`super::summary`], the crossovers along a sweep, and a study's tornado rows.

use serde::{Deserialize, Serialize};
use sim_core::summary::RunSummary;
use ts_rs::TS;

use super::summary::{Stat, SummaryOf};

/// One replication's summary inside a sweep point: its figures as they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct PointOne {
    /// The run's id in the run database.
    pub run_id: i64,
    /// The replication's seed (a u64 that may pass 2^53: see `RunOne.seed`).
    pub seed: u64,
    /// What the figures are: "one replication: no intervals".
    pub statistic: String,
    /// The replication's figures (its fields appear at the top level).
    #[serde(flatten)]
    pub summary: SummaryOf<u64, f64>,
}

/// Several replications' summary inside a sweep point: every count and figure as a [`Stat`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct PointReplicated {
    /// The replications' run ids, replication 0 first.
    pub run_ids: Vec<i64>,
    /// The replications' seeds, replication 0 first.
    pub seeds: Vec<u64>,
    /// How many replications there are (at least 2).
    pub replications: u32,
    /// What the figures are: "mean over replications, with its 95 % Student-t interval".
    pub statistic: String,
    /// Every figure as the mean over replications with its 95 % interval (fields appear at the top
    /// level).
    #[serde(flatten)]
    pub summary: SummaryOf<Stat, Stat>,
}

/// A sweep point's summary: one replication's, or the replications' combined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)]
pub enum PointSummary {
    /// Several replications (the JSON has `run_ids`).
    Replicated(PointReplicated),
    /// One replication.
    One(PointOne),
}

impl PointSummary {
    /// The summary of a point's replications: `mean` is [`crate::run::mean_of`] them.
    pub fn of(mean: &RunSummary, summaries: &[RunSummary]) -> PointSummary {
        let v = crate::run::summary_json(mean, summaries);
        serde_json::from_value(v).unwrap_or_else(|e| panic!("the contract mirrors RunSummary JSON v1: {e}"))
    }
}

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct SweepPoint {
    /// `PATH=VALUE`, as the sweep set it.
    pub label: String,
    /// The value swept to.
    pub value: String,
    /// Replication 0's run id.
    pub run_id: i64,
    /// Replications run at this point.
    pub replications: usize,
    /// Its figures.
    pub summary: PointSummary,
}

/// Where another platform or connectivity plan overtakes the chosen one along a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct CrossoverPoint {
    /// `platform` or `connectivity`.
    pub choice: String,
    /// The scenario's choice.
    pub chosen: String,
    /// The alternative it is compared with.
    pub alternative: String,
    /// Where the two TCO-per-device-year curves cross, in the swept value's unit.
    pub at: f64,
    /// Whether the alternative is the cheaper one above `at`.
    pub alternative_cheaper_above: bool,
    /// When the curves do not cross within the sweep but close over its last two points: the
    /// alternative's gap at the last point, in percent of the chosen design's value.
    pub closing_gap_pct: Option<f64>,
}

impl From<&sim_core::cost::crossover::Crossover> for CrossoverPoint {
    fn from(c: &sim_core::cost::crossover::Crossover) -> CrossoverPoint {
        CrossoverPoint {
            choice: c.choice.clone(),
            chosen: c.chosen.clone(),
            alternative: c.alternative.clone(),
            at: c.at,
            alternative_cheaper_above: c.alternative_cheaper_above,
            closing_gap_pct: c.closing_gap_pct,
        }
    }
}

/// A sweep as front ends read it (`sweep --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct SweepDetail {
    /// The sweep's id (`sweep:ID`).
    pub sweep_id: i64,
    /// Its points, in the order swept.
    pub points: Vec<SweepPoint>,
    /// Where alternatives overtake the chosen design along the sweep.
    pub crossovers: Vec<CrossoverPoint>,
}

/// One assumption of a sensitivity study, moved alone to its low and high setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct StudyRow {
    /// The field (or `price.PATH`) varied.
    pub path: String,
    /// Its low setting, as set.
    pub low_setting: String,
    /// Its high setting, as set.
    pub high_setting: String,
    /// The KPI at the low setting.
    pub kpi_low: f64,
    /// The KPI at the high setting.
    pub kpi_high: f64,
}

impl StudyRow {
    /// How far the KPI moves between the two settings (its unit).
    pub fn swing(&self) -> f64 {
        (self.kpi_high - self.kpi_low).abs()
    }
}

/// A sensitivity study's result: the KPI at the base case and each assumption's swing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Study {
    /// The KPI studied (a name or a dotted path into the RunSummary).
    pub kpi: String,
    /// The KPI at the base case.
    pub baseline: f64,
    /// Widest swing first.
    pub rows: Vec<StudyRow>,
}

/// A stored sensitivity study as front ends read it (`sensitivity --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct StudyDetail {
    /// The study's id (`sweep:ID`).
    pub id: i64,
    /// Its result.
    pub study: Study,
}
