//! The pilot bridge end to end, against a real mosquitto: an emulated pilot of 50 devices with
//! known ground truth is recorded through the broker, the twin is calibrated from the recording,
//! and the comparison tells a twin built from the truth from a deliberately wrong one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bridge::broker::{Broker, Connect, Credentials, TlsFiles};
use bridge::emulate::{Truth, TruthReport, publish};
use bridge::map::PilotMap;
use bridge::mosquitto::{Mosquitto, temp_dir};
use bridge::record::{RecordOptions, record};
use sim_core::pilot::Tolerances;
use store::Store;
use studio::pilot::{TwinParams, calibrate, compare_pilot, load_recording, write_twin};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn within(name: &str, got: f64, want: f64) {
    let rel = (got - want).abs() / want;
    assert!(rel <= 0.15, "{name}: fitted {got:.5}, true {want:.5} ({:.1} % off; tolerance 15 %)", rel * 100.0);
    eprintln!("{name}: fitted {got:.5}, true {want:.5} ({:+.1} %)", (got - want) / want * 100.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calibration_from_an_emulated_pilot_recovers_the_truth_and_compare_tells_right_from_wrong() {
    // The twins are written outside the repository: find the price books by the environment.
    // SAFETY: the only test in this binary; nothing else reads the environment concurrently.
    unsafe { std::env::set_var("SCALEPROOF_PRICEBOOKS", root().join("pricebooks")) };
    let broker = Mosquitto::start("pilot-e2e", "");
    let dir = temp_dir("pilot-e2e-db");
    let db = dir.join("runs.db");
    let connect =
        Connect::new(Broker::parse(&broker.url()).unwrap(), TlsFiles::default(), Credentials::default()).unwrap();
    let map_text = std::fs::read_to_string(root().join("scenarios/maps/emulated-pilot.toml")).unwrap();

    let c = connect.clone();
    let (db2, mt) = (db.clone(), map_text.clone());
    let recorder = tokio::spawn(async move {
        let map = PilotMap::parse("map", &mt).unwrap();
        let mut store = Store::open(&db2).unwrap();
        let opts = RecordOptions {
            name: "pilot".into(),
            duration: None,
            idle_timeout: Some(Duration::from_secs(3)),
            created_at: "test".into(),
        };
        record(&c, &map, &mt, &mut store, &opts, std::future::pending(), |_| {}).await.unwrap()
    });
    broker.subscribed("scaleproof-rec-pilot").await;
    let truth = Truth::default();
    let mut report = TruthReport::default();
    publish(&connect, &truth, 0.0, &mut report, &mut |_, _| {}).await.unwrap();
    let summary = recorder.await.unwrap();
    assert_eq!(summary.received, report.published);
    eprintln!("emulated and recorded {} messages in {:.1} s", report.published, report.wall_s);

    // Calibrate from the recording: every ground-truth parameter within 15 %.
    let rec = load_recording(&db, "pilot", Default::default()).unwrap();
    assert_eq!(rec.devices(), 50);
    let base = root().join("scenarios/emulated-pilot.toml");
    let cal = calibrate(&studio::Config::in_dir("unused"), &rec, &base, "test").unwrap();
    let f = &cal.fit;
    within("p_good_to_bad", f.p_good_to_bad.value, truth.p_good_to_bad);
    within("p_bad_to_good", f.p_bad_to_good.value, truth.p_bad_to_good);
    within("outage mean up (h)", f.outage_mean_up_h.value, truth.outage_mean_up_h);
    within("outage mean down (h)", f.outage_mean_down_h.value, truth.outage_mean_down_h);
    within("latency median (s)", f.latency_median_s.value, truth.latency_median_s);
    within("latency p99 (s)", f.latency_p99_s.value, truth.latency_p99_s);
    within("reboots per day", f.reboots_per_day.value, truth.reboots_per_day);
    within("battery drain (%/day)", f.battery_drain_pct_per_day.unwrap().value, truth.battery_drain_pct_per_day);
    within("period (s)", f.period_s, truth.period_s);
    assert!(cal.scenario_text.starts_with("# Calibrated by `scaleproof calibrate`"));

    // A twin built from the truth matches; one with 5x the burst rate and 3x the latency does not.
    let truth_params = TwinParams {
        devices: truth.devices,
        duration_s: truth.days * 86_400.0,
        period_s: truth.period_s,
        p_good_to_bad: truth.p_good_to_bad,
        p_bad_to_good: truth.p_bad_to_good,
        outage_h: Some((truth.outage_mean_up_h, truth.outage_mean_down_h)),
        latency_s: Some((truth.latency_median_s, truth.latency_p99_s)),
        reboots_per_day: truth.reboots_per_day,
        battery_drain_pct_per_day: Some(truth.battery_drain_pct_per_day),
    };
    let wrong_params = TwinParams {
        p_good_to_bad: truth.p_good_to_bad * 5.0,
        latency_s: Some((truth.latency_median_s * 3.0, truth.latency_p99_s * 3.0)),
        ..truth_params.clone()
    };
    let tol = Tolerances::default();
    for (name, params, should_match) in [("truth", &truth_params, true), ("wrong", &wrong_params, false)] {
        let (text, warnings) = write_twin(&studio::Config::in_dir("unused"), &base, params).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let c = compare_pilot(&rec, &file, &[], &tol, "test").unwrap();
        eprintln!("{name}: {:#?}", c.comparison.distances);
        assert_eq!(c.comparison.matches, should_match, "{name}: {:#?}", c.comparison.distances);
        if !should_match {
            let failing: Vec<&str> =
                c.comparison.distances.iter().filter(|d| !d.ok).map(|d| d.metric.as_str()).collect();
            assert!(failing.iter().any(|m| m.starts_with("delivery")), "{failing:?}");
            assert!(failing.iter().any(|m| m.starts_with("latency")), "{failing:?}");
        }
        assert!(c.report.html.contains(if should_match { "Match." } else { "Mismatch." }));
    }
    // The calibrated twin matches its own pilot too.
    let file = dir.join("calibrated.toml");
    std::fs::write(&file, &cal.scenario_text).unwrap();
    let c = compare_pilot(&rec, &file, &[], &tol, "test").unwrap();
    assert!(c.comparison.matches, "{:#?}", c.comparison.distances);
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}
