//! Same scenario + same seed = same results, bit for bit, whatever the thread count: every file in
//! scenarios/ runs three times (1 thread, 2 threads, 2 threads again) and the summaries and hourly
//! series must be identical. Runs are cut to 2 simulated days (`--set scenario.duration=2d`) so
//! the test stays fast (scheduled events move to 12 h, 13 h, ...); device counts are kept, so production files still span many chunks.

mod common;

use std::path::Path;

use sim_core::engine::{ClassEpoch, EpochReport, Observer, simulate};
use sim_core::scenario::{ScenarioSource, parse_scenario};
use sim_core::summary::summarize;

struct Series(Vec<Vec<ClassEpoch>>);
impl Observer for Series {
    fn epoch(&mut self, r: &EpochReport) {
        self.0.push(r.per_class.clone());
    }
}

#[test]
fn every_scenario_is_deterministic_across_thread_counts() {
    let files = common::scenario_files();
    assert!(files.len() >= 9, "expected the 8 design scenarios and the reference fleet, found {files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let name = f.display().to_string();
        // Scheduled events move into the shortened run (event i at 12 h + i h).
        let full = parse_scenario(&ScenarioSource { file: &name, bytes: &bytes, overrides: &[] })
            .unwrap_or_else(|d| panic!("{d}"));
        let mut overrides = vec!["scenario.duration=2d".to_string()];
        overrides.extend((0..full.events.len()).map(|i| format!("event.{i}.at={}h", 12 + i)));
        let s = parse_scenario(&ScenarioSource { file: &name, bytes: &bytes, overrides: &overrides })
            .unwrap_or_else(|d| panic!("{d}"));
        let run_with = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut series = Series(Vec::new());
                let out = simulate(&s, s.seed, &mut series);
                (summarize(&s, s.seed, &out).fingerprint(), series.0)
            })
        };
        let (a, sa) = run_with(1);
        let (b, sb) = run_with(2);
        let (c, sc) = run_with(2);
        assert_eq!(a, b, "{name}: 1 vs 2 threads");
        assert_eq!(b, c, "{name}: run twice");
        assert!(sa == sb && sb == sc, "{name}: hourly series differ");
        assert!(a.contains("\"generated\""), "{name}");
    }
}

/// Records the series and asks the engine to stop once `stop_after` epochs are done.
struct StopAfter {
    series: Series,
    stop_after: u32,
}
impl Observer for StopAfter {
    fn epoch(&mut self, r: &EpochReport) {
        self.series.epoch(r);
    }
    fn keep_going(&mut self) -> bool {
        (self.series.0.len() as u32) < self.stop_after
    }
}

#[test]
fn an_observer_stops_the_engine_after_the_epoch_it_says_and_the_hours_before_are_unchanged() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/plant-pilot.toml");
    let bytes = std::fs::read(&f).unwrap();
    let overrides = vec!["scenario.duration=2d".to_string(), "event.0.at=12h".to_string()];
    let s = parse_scenario(&ScenarioSource { file: "plant-pilot.toml", bytes: &bytes, overrides: &overrides })
        .unwrap_or_else(|d| panic!("{d}"));
    let mut full = Series(Vec::new());
    let whole = simulate(&s, s.seed, &mut full);
    assert!(!whole.stopped);
    assert_eq!(whole.epochs, 48);
    for stop_after in [1, 5, 47] {
        let mut o = StopAfter { series: Series(Vec::new()), stop_after };
        let out = simulate(&s, s.seed, &mut o);
        assert!(out.stopped, "stopped after {stop_after}");
        assert_eq!(out.epochs, stop_after, "no epoch is simulated after the stop");
        assert_eq!(o.series.0, full.0[..stop_after as usize], "the hours before the stop are those of the full run");
    }
    // Asking to stop after the last epoch changes nothing.
    let mut o = StopAfter { series: Series(Vec::new()), stop_after: 48 };
    let out = simulate(&s, s.seed, &mut o);
    assert!(!out.stopped);
    assert_eq!(summarize(&s, s.seed, &out).fingerprint(), summarize(&s, s.seed, &whole).fingerprint());
}
