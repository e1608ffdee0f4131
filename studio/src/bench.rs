//! `scaleproof bench`: the peers' reference fleet (scenarios/bench/reference-fleet.toml, embedded)
//! through the normal scenario reader and engine, timed, with its memory measured.

use std::time::Instant;

use anyhow::Context;
use sim_core::engine::{NoObserver, Stepping, simulate_with};
use sim_core::scenario::{ScenarioSource, parse_scenario};
use sim_core::summary::summarize;

/// The reference fleet scenario, as shipped in scenarios/bench/.
pub const REFERENCE_FLEET: &str = include_str!("../../scenarios/bench/reference-fleet.toml");

/// What `scaleproof bench` runs: the reference fleet at a size, for a time.
#[derive(Clone, Debug)]
pub struct BenchRequest {
    /// Devices in the reference fleet.
    pub devices: u32,
    /// Simulated time, days.
    pub days: f64,
    /// Worker threads (None: one per logical CPU).
    pub threads: Option<usize>,
    /// The seed (None: the reference scenario's own).
    pub seed: Option<u64>,
    /// How the engine advances devices (bulk skipping or every tick).
    pub stepping: Stepping,
}

pub use crate::contract::BenchResult;

/// Reads a `Vm...:  N kB` line of /proc/self/status, in bytes (Linux only; 0 elsewhere).
#[cfg(target_os = "linux")]
fn proc_status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

/// Memory figures are read from /proc, which only Linux has.
#[cfg(not(target_os = "linux"))]
fn proc_status_kib(_field: &str) -> u64 {
    0
}

/// Runs the reference fleet as `req` says and measures it: wall-clock time of the simulation alone,
/// throughput and memory per device. Fails if the sized scenario does not validate or the worker
/// threads cannot start.
pub fn run_bench(req: &BenchRequest) -> crate::Result<BenchResult> {
    let overrides =
        vec![format!("fleet.devices.count={}", req.devices), format!("scenario.duration=\"{}d\"", req.days)];
    let s = parse_scenario(&ScenarioSource {
        file: "scenarios/bench/reference-fleet.toml",
        bytes: REFERENCE_FLEET.as_bytes(),
        overrides: &overrides,
    })
    .map_err(|d| anyhow::anyhow!("{d}"))?;
    let seed = req.seed.unwrap_or(s.seed);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = req.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build().context("starting the worker threads")?;
    let threads = pool.current_num_threads();
    // Reset the peak-RSS mark so the peak belongs to this run (Linux: "5" clears VmHWM).
    #[cfg(target_os = "linux")]
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let baseline = proc_status_kib("VmRSS:");
    let start = Instant::now();
    let out = pool.install(|| simulate_with(&s, seed, &mut NoObserver, req.stepping));
    let wall_s = start.elapsed().as_secs_f64();
    let peak = proc_status_kib("VmHWM:");
    let summary = summarize(&s, seed, &out);
    let steps = summary.radio.device_steps;
    let messages = summary.messages.generated;
    Ok(BenchResult {
        devices: s.device_count(),
        threads,
        simulated_s: s.duration.as_secs_f64(),
        device_steps: steps,
        messages,
        wall_s,
        device_steps_per_s: steps as f64 / wall_s,
        messages_per_s: messages as f64 / wall_s,
        peak_rss_bytes: peak,
        baseline_rss_bytes: baseline,
        bytes_per_device: peak.saturating_sub(baseline) as f64 / s.device_count().max(1) as f64,
        summary: crate::contract::RunSummaryV1::of(&summary),
    })
}
