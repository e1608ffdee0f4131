//! The reference-fleet benchmark's result (`bench --json`), with the run's summary as RunSummary
//! JSON version 1.

use serde::{Deserialize, Serialize};
use sim_core::summary::RunSummary;
use ts_rs::TS;

use super::summary::SummaryOf;

/// One run's summary exactly as RunSummary JSON version 1 writes it: its id and seed, and its
/// figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RunSummaryV1 {
    /// The run's id (0 when it was not stored).
    pub run_id: i64,
    /// The seed (a u64 that may pass 2^53: see `RunOne.seed`).
    pub seed: u64,
    /// The run's figures (its fields appear at the top level).
    #[serde(flatten)]
    pub summary: SummaryOf<u64, f64>,
}

impl RunSummaryV1 {
    /// The wire form of a summary.
    pub fn of(s: &RunSummary) -> RunSummaryV1 {
        let v = serde_json::to_value(s).expect("a summary serializes");
        serde_json::from_value(v).unwrap_or_else(|e| panic!("the contract mirrors RunSummary JSON v1: {e}"))
    }
}

/// What one benchmark run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct BenchResult {
    /// Devices simulated.
    pub devices: u64,
    /// Worker threads.
    pub threads: usize,
    /// Simulated time, seconds.
    pub simulated_s: f64,
    /// Device ticks simulated (the peers' unit of work).
    pub device_steps: u64,
    /// Messages generated.
    pub messages: u64,
    /// Wall-clock seconds of the simulation alone.
    pub wall_s: f64,
    /// Device ticks per wall-clock second.
    pub device_steps_per_s: f64,
    /// Messages per wall-clock second.
    pub messages_per_s: f64,
    /// Peak resident memory of the process during the run, bytes (Linux; 0 elsewhere).
    pub peak_rss_bytes: u64,
    /// Resident memory just before the fleet was built, bytes.
    pub baseline_rss_bytes: u64,
    /// (peak - baseline) / devices.
    pub bytes_per_device: f64,
    /// The run's own summary (its counters are the peers' counters).
    pub summary: RunSummaryV1,
}
