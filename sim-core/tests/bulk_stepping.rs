//! Bulk stepping against stepping every tick: over 40 seeds per mode, every RunSummary figure has
//! the same distribution: the two means agree within 4 standard errors of their difference
//! (Welch) and the standard deviations within a factor of 2.5 (for 40 + 40 samples an F ratio
//! beyond 2.5 has probability under 0.5 %). The seeds are fixed, so the test is repeatable.
//! Small biases are caught by the closed-form test at the end, which has far more ticks.

mod common;

use common::scenario;
use sim_core::engine::{NoObserver, Stepping, simulate_with};
use sim_core::summary::{RunSummary, summarize};

const SEEDS: u64 = 40;

fn figures(r: &RunSummary) -> Vec<(&'static str, f64)> {
    let m = r.messages;
    vec![
        ("generated", m.generated as f64),
        ("delivered", m.delivered as f64),
        ("lost_network", m.lost_network as f64),
        ("dropped_overflow", m.dropped_overflow as f64),
        ("dropped_reboot", m.dropped_reboot as f64),
        ("stranded_dead", m.stranded_dead as f64),
        ("buffered_end", m.buffered_end as f64),
        ("reboots", r.reboots as f64),
        ("deaths", r.deaths as f64),
        ("hardware_failures", r.hardware_failures as f64),
        ("truck_rolls", r.truck_rolls as f64),
        ("device_steps", r.radio.device_steps as f64),
        ("attempts", r.radio.attempts as f64),
        ("lost_attempts", r.radio.lost_attempts as f64),
        ("throttled_ticks", r.radio.throttled_ticks as f64),
        ("outage_ticks", r.radio.outage_ticks as f64),
        ("latency_mean", r.latency_s.mean),
        ("latency_p50", r.latency_s.p50),
        ("latency_p95", r.latency_s.p95),
        ("energy_mah", r.per_class[0].battery.as_ref().map_or(0.0, |b| b.energy_used_mah)),
    ]
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn compare(name: &str, text: &str) {
    let s = scenario(text);
    let run = |stepping| -> Vec<Vec<(&'static str, f64)>> {
        (0..SEEDS)
            .map(|seed| figures(&summarize(&s, seed, &simulate_with(&s, seed, &mut NoObserver, stepping))))
            .collect()
    };
    let tick = run(Stepping::EveryTick);
    let bulk = run(Stepping::Auto);
    for f in 0..tick[0].len() {
        let label = tick[0][f].0;
        let a: Vec<f64> = tick.iter().map(|r| r[f].1).collect();
        let b: Vec<f64> = bulk.iter().map(|r| r[f].1).collect();
        let ((ma, sa), (mb, sb)) = (mean_sd(&a), mean_sd(&b));
        let se = ((sa * sa + sb * sb) / SEEDS as f64).sqrt();
        let tolerance = 4.0 * se + 1e-9 * ma.abs().max(1.0);
        assert!(
            (ma - mb).abs() <= tolerance,
            "{name}: {label}: every tick {ma} (sd {sa}) vs bulk {mb} (sd {sb}), tolerance {tolerance}"
        );
        if sa > 0.0 && sb > 0.0 && sa.max(sb) > 1e-6 * ma.abs() {
            let ratio = sa.max(sb) / sa.min(sb);
            assert!(ratio < 2.5, "{name}: {label}: sd every tick {sa} vs bulk {sb}");
        }
    }
}

#[test]
fn battery_devices_with_loss_reboots_failures_and_outages() {
    compare(
        "battery",
        r#"schema = 1
[scenario]
name = "bulk check: battery"
duration = "3d"

[[site]]
id = "s"
gateways = 3

[network.link]
loss = { model = "gilbert-elliott", p_good_to_bad = 0.004, p_bad_to_good = 0.3, loss_good = 0.002, loss_bad = 0.5 }
latency = { model = "lognormal", median = "300ms", p99 = "3s" }
outages = [
  { scope = "device", mean_up = "20h", mean_down = "40min" },
  { scope = "gateway", mean_up = "30h", mean_down = "2h" },
]
delivery = { mode = "acked", attempts = 2, backoff_base = "1s", backoff_cap = "10s" }
tx_ms = 1000

[power.cell]
kind = "battery"
capacity_mah = 60
initial_charge_pct = [10, 100]
self_discharge_pct_per_year = 5
currents_ma = { sleep = 0.5, tx = 100 }
low_battery_pct = 20
low_battery_reboots_per_day = 30

[fleet.sensors]
count = 300
sites = ["s"]
network = "link"
power = "cell"
telemetry = { period = "60s", payload_bytes = 40 }
buffer = { capacity = 100, storage = "ram", flush_per_tick = 5 }
reboots_per_day = 0.5
afr_pct = 40

[maintenance]
enabled = true
detection_delay = "6h"
truck_roll_response = "6h"
"#,
    );
}

#[test]
fn mains_devices_with_sags_quota_and_unacked_delivery() {
    compare(
        "mains",
        r#"schema = 1
[scenario]
name = "bulk check: mains"
duration = "2d"

[[site]]
id = "s"
gateways = 2

[network.link]
loss = { model = "gilbert-elliott", p_good_to_bad = 0.01, p_bad_to_good = 0.2, loss_good = 0.0, loss_bad = 0.8 }
delivery = { mode = "unacked" }

[power.grid]
kind = "mains"
outages_per_year = 150
mean_outage = "1h"
sags_per_year = 2000
reset_probability = 0.3

[fleet.meters]
count = 300
sites = ["s"]
network = "link"
power = "grid"
telemetry = { period = "60s", jitter = "20s" }
buffer = { capacity = 10, storage = "ram" }
reboots_per_day = 0.3

[backend]
publishes_per_s = 4.5
"#,
    );
}

/// With bulk stepping on, event rates match their closed forms over 86 M ticks: reboots at
/// p = 2e-4 per tick (binomial, relative sd 0.8 %) and channel loss at the stationary
/// Gilbert-Elliott rate 0.5 x 0.01/(0.01+0.3) = 1.61 % (relative sd ~0.3 % with bursts).
/// Tolerance 3 %: a quiet-run length off by 2 % shows up here.
#[test]
fn bulk_event_rates_match_closed_forms() {
    let s = scenario(
        r#"schema = 1
[scenario]
name = "bulk check: rates"
duration = "30d"

[[site]]
id = "s"

[network.link]
loss = { model = "gilbert-elliott", p_good_to_bad = 0.01, p_bad_to_good = 0.3, loss_good = 0.0, loss_bad = 0.5 }
delivery = { mode = "unacked" }

[power.grid]
kind = "mains"

[fleet.meters]
count = 2000
sites = ["s"]
network = "link"
power = "grid"
telemetry = { period = "60s" }
reboots_per_day = 0.288
"#,
    );
    let r = summarize(&s, 11, &simulate_with(&s, 11, &mut NoObserver, Stepping::Auto));
    let ticks = r.radio.device_steps as f64;
    assert_eq!(ticks, 2000.0 * 30.0 * 1440.0);
    let reboots = r.reboots as f64 / ticks;
    assert!((reboots / 2e-4 - 1.0).abs() < 0.03, "reboot rate {reboots}");
    let loss = r.loss_causes.channel as f64 / r.messages.generated as f64;
    let want = 0.5 * 0.01 / 0.31;
    assert!((loss / want - 1.0).abs() < 0.03, "loss rate {loss} vs {want}");
    assert!(r.messages.balanced());
}
