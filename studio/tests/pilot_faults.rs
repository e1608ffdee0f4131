//! Calibration and comparison on recordings that broke them when probed: a reading with an
//! unset clock (time 0) among thousands of good ones, and a pilot whose long silences are all
//! channel bursts (a degenerate outage fit). Recordings are written straight into a real SQLite
//! file from the emulator's messages (no broker needed for the maths).

use std::path::{Path, PathBuf};

use bridge::emulate::{Truth, TruthReport, device_name, generate};
use bridge::mosquitto::temp_dir;
use sim_core::pilot::Tolerances;
use store::{NewRecording, PilotRow, Store};
use studio::pilot::{ReadingWindow, calibrate, compare_pilot, load_recording};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Stores the emulated pilot `t` as recording `name` (plus `extra` rows) in `db`.
fn store_emulated(db: &Path, name: &str, t: &Truth, extra: &[PilotRow]) -> u64 {
    let messages = generate(t, &mut TruthReport::default()).unwrap();
    let us = |s: f64| t.start_unix_s * 1_000_000 + (s * 1e6).round() as i64;
    let mut rows: Vec<PilotRow> = messages
        .iter()
        .map(|m| PilotRow {
            device: device_name(m.device),
            seq: m.seq,
            ts_us: us(m.ts_s),
            rx_us: us(m.rx_s),
            battery_pct: Some(m.battery_pct),
            fields_json: None,
        })
        .collect();
    rows.extend_from_slice(extra);
    let mut store = Store::open(db).unwrap();
    let rec = store
        .begin_recording(&NewRecording { created_at: "test", name, broker: "mqtt://test:1883", map_text: "", pid: 1 })
        .unwrap();
    store.append_recording(rec, &rows, &[]).unwrap();
    store.finish_recording(rec).unwrap();
    rows.len() as u64
}

#[test]
fn a_reading_with_an_unset_clock_is_left_out_and_calibration_and_compare_work() {
    // Found by probing: one reading at time 0 among 6,000 made `calibrate` exit 1 ("the
    // calibrated scenario does not validate (a bug)") and `pilot compare` fail ("1767315319s is
    // out of range").
    let dir = temp_dir("pilot-clock");
    let db = dir.join("runs.db");
    let t = Truth { devices: 10, days: 3.0, period_s: 300.0, ..Truth::default() };
    let bad =
        PilotRow { device: device_name(3), seq: 999_999, ts_us: 0, rx_us: 0, battery_pct: None, fields_json: None };
    let n = store_emulated(&db, "clock", &t, &[bad]);
    assert!(n > 6_000, "{n}");

    let rec = load_recording(&db, "clock", ReadingWindow::Auto).unwrap();
    assert_eq!(rec.excluded, 1);
    assert_eq!(rec.messages.len() as u64, n - 1);
    assert!(rec.span_us() < 4 * 86_400_000_000, "the recording spans its 3 days, not 56 years");
    let note = rec.excluded_note().unwrap();
    assert!(note.contains("1 readings") && note.contains("--readings-between"), "{note}");
    let base = root().join("scenarios/emulated-pilot.toml");
    let cal = calibrate(&studio::Config::in_dir("unused"), &rec, &base, "test").unwrap();
    assert!(cal.scenario_text.contains("implausible times left out"));
    let c = compare_pilot(&rec, &base, &[], &Tolerances::default(), "test").unwrap();
    assert!(c.comparison.distances.iter().all(|d| d.distance.is_finite()));

    // A window the user sets: only the first day.
    let from = t.start_unix_s * 1_000_000;
    let w = ReadingWindow::Between(from, from + 86_400_000_000);
    let day = load_recording(&db, "clock", w).unwrap();
    assert!(day.excluded > n / 2, "{}", day.excluded);
    assert_eq!(ReadingWindow::parse("2026-01-01T00:00:00Z..2026-01-02T00:00:00Z").unwrap(), w);
    assert!(ReadingWindow::parse("2026-01-02T00:00:00Z..2026-01-01T00:00:00Z").is_err());
    assert!(ReadingWindow::parse("yesterday..today").is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn long_silences_that_are_all_channel_bursts_give_a_valid_scenario_without_outages() {
    // Found by probing: `calibrate` wrote `mean_up = "0.0ms"` and failed its own validation.
    let dir = temp_dir("pilot-degenerate");
    let db = dir.join("runs.db");
    let t = Truth {
        devices: 40,
        days: 20.0,
        period_s: 120.0,
        p_good_to_bad: 0.03,
        p_bad_to_good: 0.3,
        outage_mean_up_h: 1_000_000.0,
        ..Truth::default()
    };
    store_emulated(&db, "bursty", &t, &[]);
    let rec = load_recording(&db, "bursty", ReadingWindow::Auto).unwrap();
    let cal = calibrate(&studio::Config::in_dir("unused"), &rec, &root().join("scenarios/emulated-pilot.toml"), "test")
        .unwrap();
    let fit_warnings = cal.fit.warnings.join("\n");
    assert!(fit_warnings.contains("degenerate outage fit"), "the fit says it is degenerate: {fit_warnings}");
    assert_eq!(cal.fit.outages_seen, 0);
    assert!(!cal.scenario_text.contains("mean_up"), "no outages written: {}", cal.scenario_text);
    // The long silences went into the channel fit: bursts that are long and frequent.
    assert!(cal.fit.p_good_to_bad.value > 0.01, "{:?}", cal.fit.p_good_to_bad);
    let _ = std::fs::remove_dir_all(&dir);
}
