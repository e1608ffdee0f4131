//! scenarios/bench/reference-fleet.toml reproduces the peers' model (../shared/bench/peers): its
//! counters at 10,000 devices x 1 day fall in the expectation table of the peers' README. The
//! table's ranges come from several seeds of five implementations; each bound here is the
//! table's range widened by 3 standard errors of one 10,000-device run where the table is
//! narrower than that (deaths, ticks), as the README notes these "vary by a few percent".

mod common;

use common::run;
use sim_core::scenario::{ScenarioSource, parse_scenario};

fn check(name: &str, value: f64, lo: f64, hi: f64) {
    assert!(value >= lo && value <= hi, "{name} = {value}, expected {lo}..{hi}");
}

#[test]
fn reference_fleet_matches_the_peers_expectations() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/bench/reference-fleet.toml");
    let bytes = std::fs::read(path).unwrap();
    let s = parse_scenario(&ScenarioSource { file: path, bytes: &bytes, overrides: &[] }).unwrap();
    assert_eq!(s.device_count(), 10_000);
    for seed in [1, 2, 3] {
        let r = run(&s, seed);
        let n = 10_000.0;
        let ticks = r.radio.device_steps as f64;
        let m = r.messages;
        // deaths: binomial(10,000, 0.078) has sd 27 -> +-0.008 per device covers 3 sd.
        check("deaths per device", r.deaths as f64 / n, 0.070, 0.086);
        // ticks: each death removes ~700 ticks, so 3 sd of deaths is ~57,000 ticks.
        check("ticks", ticks, 14.00e6, 14.16e6);
        check("generated / ticks", m.generated as f64 / ticks, 0.9980, 0.9988);
        check("delivered / generated", m.delivered as f64 / m.generated as f64, 0.9982, 0.9988);
        check("lost_attempts / attempts", r.radio.lost_attempts as f64 / r.radio.attempts as f64, 0.0450, 0.0461);
        check("attempts / generated", r.radio.attempts as f64 / m.generated as f64, 1.043, 1.049);
        check("outage_ticks / ticks", r.radio.outage_ticks as f64 / ticks, 0.0195, 0.0208);
        check("reboots per device-day", r.reboots as f64 / n, 2.13, 2.33);
        check("outages per device", r.outages as f64 / n, 0.96, 1.01);
        assert_eq!(m.dropped_overflow, 0);
        check("mean latency s", r.latency_s.mean, 38.0, 51.0);
        assert!(m.balanced());
    }
}
