//! The README's pilot walkthrough through the `scaleproof` binary against a real mosquitto
//! (emulate, record, calibrate, compare, live), and the bridge commands' answers to bad input.

use std::path::Path;
use std::process::Stdio;

use bridge::mosquitto::{Mosquitto, temp_dir};

mod common;
use common::{bin, ok, root};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_walkthrough_emulate_record_calibrate_compare_and_live() {
    let broker = Mosquitto::start("cli-walk", "");
    let dir = temp_dir("cli-walk-files");
    let db = dir.join("runs.db");
    let url = broker.url();
    // A short pilot: 20 devices for 10 days.
    let recorder = bin()
        .args(["pilot", "record", "--broker", &url, "--map", "scenarios/maps/emulated-pilot.toml", "--name", "walk"])
        .args(["--idle-timeout", "3s", "--json", "--db", s(&db)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    broker.wait_subscribed("scaleproof-rec-walk");
    let truth = dir.join("truth.json");
    let emu: serde_json::Value = serde_json::from_str(&ok(bin()
        .args(["pilot", "emulate", "--broker", &url, "--devices", "20", "--days", "10", "--json", "--truth", s(&truth)])
        .output()
        .unwrap()))
    .unwrap();
    let rec: serde_json::Value = serde_json::from_str(&ok(recorder.wait_with_output().unwrap())).unwrap();
    assert_eq!(rec["received"], emu["published"]);
    assert!(std::fs::read_to_string(&truth).unwrap().contains("\"p_good_to_bad\": 0.004"));

    let listed = ok(bin().args(["pilot", "recordings", "--db", s(&db)]).output().unwrap());
    assert!(listed.contains("walk") && listed.contains("complete"), "{listed}");

    let calibrated = dir.join("calibrated.toml");
    let fit: serde_json::Value = serde_json::from_str(&ok(bin()
        .args(["calibrate", "walk", "--base", "scenarios/emulated-pilot.toml", "--out", s(&calibrated)])
        .args(["--json", "--db", s(&db)])
        .output()
        .unwrap()))
    .unwrap();
    assert_eq!(fit["devices"], 20);
    assert!(fit["p_good_to_bad"]["low"].as_f64().unwrap() < fit["p_good_to_bad"]["high"].as_f64().unwrap());
    ok(bin().args(["validate", s(&calibrated)]).output().unwrap());

    let html = dir.join("compare.html");
    let text = ok(bin()
        .args([
            "pilot",
            "compare",
            "walk",
            s(&calibrated),
            "--out",
            s(&html),
            "--png",
            s(&dir.join("png")),
            "--db",
            s(&db),
        ])
        .env("SCALEPROOF_PRICEBOOKS", root().join("pricebooks"))
        .output()
        .unwrap());
    assert!(text.contains("Verdict: match."), "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("Loss bursts by length"));
    assert_eq!(std::fs::read_dir(dir.join("png")).unwrap().count(), 4, "one PNG per chart");
    let text =
        ok(bin().args(["pilot", "compare", "walk", "scenarios/emulated-pilot.toml", "--db", s(&db)]).output().unwrap());
    assert!(text.contains("Verdict: mismatch."), "{text}");

    // live: 50 devices of the calibrated scenario for 2 simulated hours, as fast as possible.
    let live: serde_json::Value = serde_json::from_str(&ok(bin()
        .args([
            "live",
            s(&calibrated),
            "--broker",
            &url,
            "--devices",
            "50",
            "--duration",
            "2h",
            "--speed",
            "0",
            "--json",
        ])
        .env("SCALEPROOF_PRICEBOOKS", root().join("pricebooks"))
        .output()
        .unwrap()))
    .unwrap();
    assert_eq!(live["devices"], 50);
    assert_eq!(live["connections_peak"], 50);
    assert_eq!(live["acknowledged"], live["published"]);
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_bridge_input_is_a_clear_error_with_exit_2() {
    let dir = temp_dir("cli-bad-bridge");
    let db = dir.join("runs.db");
    let fail = |args: &[&str]| {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stderr).unwrap()
    };
    let e = fail(&["live", "scenarios/emulated-pilot.toml", "--broker", "tcp://localhost:1883"]);
    assert!(e.contains("expected mqtt://HOST:PORT"), "{e}");
    let e = fail(&["live", "scenarios/emulated-pilot.toml", "--broker", "mqtt://admin:hunter2@localhost:1883"]);
    assert!(e.contains("--password-file") && !e.contains("hunter2"), "{e}");
    let e = fail(&["live", "scenarios/emulated-pilot.toml", "--broker", "mqtts://localhost:8883"]);
    assert!(e.contains("needs --ca"), "{e}");
    let map = dir.join("map.toml");
    std::fs::write(&map, "topics = [\"a/#\"]\ndevice = { topic_level = 1 }\nseq = \"counter\"\ntimestamp = { pointer = \"/t\", unit = \"ms\" }\n").unwrap();
    let e = fail(&["pilot", "record", "--broker", "mqtt://127.0.0.1:1", "--map", s(&map), "--db", s(&db)]);
    assert!(e.contains("map.toml:3: seq: `counter` is not a JSON pointer"), "{e}");
    let e =
        fail(&["calibrate", "nope", "--base", "scenarios/emulated-pilot.toml", "--out", "/dev/null", "--db", s(&db)]);
    assert!(e.contains("no recording `nope`"), "{e}");
    let e = fail(&[
        "pilot",
        "compare",
        "nope",
        "scenarios/emulated-pilot.toml",
        "--tolerance",
        "delivery=1",
        "--db",
        s(&db),
    ]);
    assert!(e.contains("one of delivery_pp"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
