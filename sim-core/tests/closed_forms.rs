//! The simulator against closed forms and published figures. Each test states its tolerance and
//! where it comes from.

mod common;

use common::{MAINS, one_class, run, scenario};
use sim_core::engine::ge_step;
use sim_core::models::gilbert_elliott::{mean_burst_length, mean_loss, stationary_bad};
use sim_core::models::lora::{pure_aloha_success, time_on_air_s};
use sim_core::models::renewal::outage_fraction;
use sim_core::rng::{Purpose, Stream};

/// The engine's Gilbert-Elliott step, driven for 4 M steps: the loss rate and the mean loss-burst
/// length match NTIA's closed forms (simple and four-parameter models). Tolerance 2 %: the
/// standard error of the burst mean over ~40,000 bursts is under 0.5 %.
#[test]
fn gilbert_elliott_loss_and_burst_length() {
    for (p, r, loss_good, loss_bad) in [(0.01, 0.2, 0.0, 1.0), (0.02, 0.3, 0.01, 0.6)] {
        let mut d = Stream::new(3, 0, Purpose::Channel).draws(0);
        let mut bad = d.uniform() < stationary_bad(p, r);
        let (mut lost, mut bursts, mut in_burst) = (0u64, 0u64, false);
        let n = 4_000_000;
        for _ in 0..n {
            bad = ge_step(bad, d.uniform(), p, r);
            let l = d.uniform() < if bad { loss_bad } else { loss_good };
            if l {
                lost += 1;
                if !in_burst {
                    bursts += 1;
                }
            }
            in_burst = l;
        }
        let rate = lost as f64 / n as f64;
        let want = mean_loss(p, r, loss_good, loss_bad);
        assert!((rate / want - 1.0).abs() < 0.02, "loss rate {rate} vs {want}");
        let burst = lost as f64 / bursts as f64;
        let want = mean_burst_length(p, r, loss_good, loss_bad);
        assert!((burst / want - 1.0).abs() < 0.02, "burst {burst} vs {want}");
    }
}

/// The whole engine with unacknowledged delivery: the fraction of messages the channel drops
/// equals the stationary GE loss p/(p+r) = 4.76 %. 2,000 devices x 1,440 ticks; with lag-1
/// correlation 0.79 the standard error is ~0.04 percentage points; tolerance 0.2 points.
#[test]
fn engine_channel_loss_is_stationary_ge_loss() {
    let text = one_class(
        "1d",
        r#"loss = { model = "gilbert-elliott", p_good_to_bad = 0.01, p_bad_to_good = 0.2, loss_good = 0.0, loss_bad = 1.0 }
delivery = { mode = "unacked" }"#,
        MAINS,
        r#"count = 2000
telemetry = { period = "60s" }"#,
        "",
    );
    let r = run(&scenario(&text), 5);
    let lost = r.loss_causes.channel as f64 / r.messages.generated as f64;
    assert!((lost - 0.01 / 0.21).abs() < 0.002, "lost {lost}");
    assert!(r.messages.balanced());
}

/// Pure ALOHA on one LoRa channel: 200 devices, SF7 frames of 56.576 ms, a period chosen so the
/// offered load is G = 0.5, and jitter of nearly half a period so frame times are effectively
/// uniform (no duty-cycle limit, so jittered neighbours may send). Success should be e^(-2G) = 36.8 % (for N = 200 the finite form (1 - 2T/P)^(N-1) is
/// 36.9 %). ~760,000 frames; tolerance 1 percentage point.
#[test]
fn pure_aloha_success_on_one_channel() {
    let toa = time_on_air_s(7, 125, 1, 7 + 13, 8);
    assert!((toa - 0.056576).abs() < 1e-9);
    let n = 200.0;
    let g = 0.5;
    let period_us = (n * toa / g * 1e6).round() as u64;
    let jitter_us = period_us * 49 / 100;
    let text = one_class(
        "1d",
        r#"delivery = { mode = "unacked" }
lora = { spreading_factor = 7, bandwidth_khz = 125, coding_rate = 1, channels = 1, duty_cycle_pct = 100.0 }"#,
        MAINS,
        &format!(
            r#"count = 200
telemetry = {{ period = "{period_us}us", jitter = "{jitter_us}us", payload_bytes = 7 }}"#
        ),
        "",
    );
    let r = run(&scenario(&text), 9);
    let success = r.messages.delivered as f64 / r.messages.generated as f64;
    assert!((success - pure_aloha_success(g)).abs() < 0.01, "success {success} vs {}", pure_aloha_success(g));
    assert_eq!(r.messages.delivered + r.loss_causes.collision, r.messages.generated);
}

/// Battery life from average current: 100 mAh at 1 mA sleep plus 100 mA for 360 ms every 60 s
/// (average 1.6 mA) lasts 62.5 h. The engine's projected life (capacity / drain per day) must
/// match within 0.5 %, and every device must be dead by 63 h and alive at 62 h (one tick of
/// slack).
#[test]
fn battery_life_from_average_current() {
    let make = |duration: &str| {
        one_class(
            duration,
            r#"tx_ms = 360
delivery = { mode = "acked", attempts = 1 }"#,
            r#"kind = "battery"
capacity_mah = 100
self_discharge_pct_per_year = 0
currents_ma = { sleep = 1.0, tx = 100.0 }"#,
            r#"count = 50
telemetry = { period = "60s" }"#,
            "",
        )
    };
    let want_h = sim_core::models::battery::life_hours(
        100.0,
        sim_core::models::battery::average_current_ma(1.0, 100.0 * 0.36 / 3600.0, 60.0),
        0.0,
    );
    assert!((want_h - 62.5).abs() < 1e-9);
    let r = run(&scenario(&make("62h")), 1);
    assert_eq!(r.deaths, 0);
    let life_days = r.per_class[0].battery.as_ref().unwrap().projected_life_days;
    assert!((life_days * 24.0 / want_h - 1.0).abs() < 0.005, "{life_days} days");
    let r = run(&scenario(&make("63h")), 1);
    assert_eq!(r.deaths, 50);
}

/// Messages lost to buffer overflow in an outage of known length: a 10 h site outage at a 60 s
/// period puts exactly 600 ticks in the outage for every device; with a 100-message buffer each
/// device drops 500 during the outage and one more at the first tick after it (the new sample
/// arrives before the flush): 501 per device, exactly.
#[test]
fn buffer_overflow_in_a_known_outage() {
    let text = one_class(
        "1d",
        r#"delivery = { mode = "acked", attempts = 1 }"#,
        MAINS,
        r#"count = 300
telemetry = { period = "60s" }
buffer = { capacity = 100, policy = "drop-oldest", storage = "flash", flush_per_tick = 1000 }"#,
        r#"[backend]
reconnect_window = "0s"

[[event]]
at = "3h"
kind = "site-outage"
site = "s"
duration = "10h""#,
    );
    let r = run(&scenario(&text), 2);
    assert_eq!(r.messages.dropped_overflow, 300 * 501);
    assert_eq!(r.radio.outage_ticks, 300 * 600);
    assert_eq!(r.messages.buffered_end, 0);
    assert!(r.messages.balanced());
    // Latency: the oldest survivor waited the whole outage minus 99 periods.
    assert!(r.latency_s.max <= 10.0 * 3600.0);
}

/// Outage fraction of the alternating renewal process: up ~ Exp(1 h), down ~ Exp(20 min) gives
/// 25 % of ticks in outage, per device and shared per gateway. 1,000 devices x 20 days: the
/// per-device case averages ~360,000 outages (tolerance 0.5 points); the gateway case has 10
/// gateways x 360 outages (tolerance 2 points).
#[test]
fn renewal_outage_fraction() {
    let want = outage_fraction(3600.0, 1200.0);
    assert!((want - 0.25).abs() < 1e-12);
    for (scope, tol) in [("device", 0.005), ("gateway", 0.02)] {
        let text = one_class(
            "20d",
            &format!(
                r#"outages = {{ scope = "{scope}", mean_up = "1h", mean_down = "20min" }}
delivery = {{ mode = "acked" }}"#
            ),
            MAINS,
            r#"count = 1000
telemetry = { period = "60s" }"#,
            "[backend]\nreconnect_window = \"0s\"",
        )
        .replace("gateways = 1", "gateways = 10");
        let r = run(&scenario(&text), 4);
        let fraction = r.radio.outage_ticks as f64 / r.radio.device_steps as f64;
        assert!((fraction - want).abs() < tol, "{scope}: {fraction}");
    }
}

/// The reconnect storm: after a site outage, 20,000 devices reconnect through a broker that
/// accepts 10 connections/s, so the last one is back 2,000 s after the outage and the average
/// device waits 1,000 s: 16.7 extra link-down ticks at a 60 s period. Tolerance 5 %.
#[test]
fn reconnect_storm_after_a_site_outage() {
    let text = one_class(
        "1d",
        r#"delivery = { mode = "acked" }"#,
        MAINS,
        r#"count = 20000
telemetry = { period = "60s" }
buffer = { capacity = 1000 }"#,
        r#"[backend]
connects_per_s = 10
reconnect_window = "30s"

[[event]]
at = "2h"
kind = "site-outage"
site = "s"
duration = "1h""#,
    );
    let r = run(&scenario(&text), 8);
    let extra_per_device = (r.radio.outage_ticks as f64 - 20000.0 * 60.0) / 20000.0;
    let want = 1000.0 / 60.0;
    assert!((extra_per_device / want - 1.0).abs() < 0.05, "{extra_per_device} vs {want}");
    assert!(r.latency_s.max < 3600.0 + 2000.0 + 120.0, "max latency {}", r.latency_s.max);
}
