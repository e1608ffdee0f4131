//! Fault tests through the `scaleproof` binary, kept from probing it as a careless user and an
//! attacker would: read-only commands write nothing and a database from a newer version is
//! refused untouched; bad numbers and unwritable outputs are refused up front (exit 2, nothing
//! run or stored); `pilot broker` keeps its state private and across restarts, asks for a
//! password, and stops with its parent; a recorder, two run loops, a sweep and a reader share one
//! database and lose nothing; runs and sweeps killed with SIGKILL leave the database intact.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use bridge::mosquitto::{Mosquitto, temp_dir};

mod common;
use common::{bin, ok};

/// Exit code 2, a message containing `want`, and never a doubled "error: error:".
fn refused(out: Output, want: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(err.contains(want), "{want:?} not in:\n{err}");
    assert!(!err.contains("error: error:"), "{err}");
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn read_only_commands_write_nothing_and_a_newer_database_is_refused_untouched() {
    let dir = temp_dir("cli-ro");
    let db = dir.join("runs.db");
    ok(bin().args(["run", "scenarios/mine-pilot.toml", "--replications", "1", "--db"]).arg(&db).output().unwrap());
    let before = bytes(&db);
    for args in [&["runs"][..], &["runs", "--json"], &["show", "1"], &["export", "1", "--table", "series"]] {
        ok(bin().args(args).arg("--db").arg(&db).output().unwrap());
    }
    assert_eq!(bytes(&db), before, "reading changed the database");

    // A database written by a newer Scaleproof, in rollback-journal mode.
    let newer = dir.join("newer.db");
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.execute_batch("PRAGMA journal_mode=DELETE; CREATE TABLE t(x); PRAGMA user_version=99;").unwrap();
    }
    let before = bytes(&newer);
    for args in [&["runs"][..], &["show", "1"], &["run", "scenarios/mine-pilot.toml"]] {
        let out = bin().args(args).arg("--db").arg(&newer).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("newer"), "{args:?}: {err}");
    }
    assert_eq!(bytes(&newer), before, "a newer database was modified before it was refused");
    assert!(!dir.join("newer.db-wal").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_numbers_and_unwritable_outputs_are_refused_up_front() {
    let dir = temp_dir("cli-args");
    let db = dir.join("runs.db");
    let url = "mqtt://127.0.0.1:9";
    let emulate = |flag: &str, v: &str| bin().args(["pilot", "emulate", "--broker", url, flag, v]).output().unwrap();
    // Found by probing: `--period-s nan` panicked and `--days inf` aborted on a 5 GB allocation.
    refused(emulate("--period-s", "nan"), "--period-s");
    refused(emulate("--days", "inf"), "--days");
    refused(emulate("--speed", "nan"), "--speed");
    let live = |flag: &str, v: &str| {
        bin().args(["live", "scenarios/mine-pilot.toml", "--broker", url, flag, v]).output().unwrap()
    };
    // Found by probing: `--speed 1e-20` panicked and `--speed nan` was accepted.
    refused(live("--speed", "1e-20"), "--speed");
    refused(live("--speed", "nan"), "--speed");
    refused(live("--connect-rate", "0"), "--connect-rate");
    refused(live("--connect-attempts", "0"), "--connect-attempts");
    refused(
        bin()
            .args(["pilot", "compare", "x", "scenarios/mine-pilot.toml", "--tolerance", "gap_ks=nan"])
            .output()
            .unwrap(),
        "gap_ks",
    );
    refused(
        bin()
            .args(["calibrate", "x", "--base", "scenarios/mine-pilot.toml", "--out", "o.toml"])
            .args(["--readings-between", "2026-01-02T00:00:00Z..2026-01-01T00:00:00Z"])
            .output()
            .unwrap(),
        "FROM must be before TO",
    );

    // Found by probing: the run was simulated and stored, then the report failed (exit 1).
    // A folder that cannot exist: its parent is a regular file.
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = bin()
        .args(["run", "scenarios/mine-pilot.toml", "--report"])
        .arg(file.join("x.html"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    refused(out, "a-file");
    // Found by probing: the base case ran before the KPI was rejected.
    let out = bin()
        .args(["sensitivity", "scenarios/mine-pilot.toml", "--on", "tco_per_devce_year"])
        .args(["--vary", "price.labour.truck_roll=-20%,+20%", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    refused(out, "did you mean `tco_per_device_year`");
    assert!(!db.exists(), "nothing was run or stored");
    let _ = std::fs::remove_dir_all(&dir);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !done() {
        assert!(t0.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn start_broker(state: &Path, port: u16) -> Child {
    let child = bin()
        .args(["pilot", "broker", "--port", &port.to_string()])
        .env("XDG_STATE_HOME", state)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the broker listens", Duration::from_secs(10), || listening(port));
    child
}

#[test]
fn pilot_broker_is_private_asks_for_a_password_keeps_its_state_and_stops_with_its_parent() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("cli-broker");
    let state = dir.join("state");
    let db = dir.join("runs.db");
    let port = free_port();
    let url = format!("mqtt://127.0.0.1:{port}");
    let mut broker = start_broker(&state, port);
    let home = state.join(format!("scaleproof/broker-{port}"));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("client.pw")), 0o600);
    assert_eq!(mode(&home.join("mosquitto.conf")) & 0o022, 0, "nobody else can rewrite the configuration");
    let map = "scenarios/maps/emulated-pilot.toml";
    let pw = home.join("client.pw");
    let login = |c: &mut Command| {
        c.args(["--username", "scaleproof", "--password-file"]).arg(&pw);
    };

    // Anonymous clients are refused, with the broker's reason (found by probing: silent).
    let out = bin()
        .args(["pilot", "record", "--broker", &url, "--map", map, "--duration", "2s", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("refused the connection") && err.contains("incomplete"), "{err}");

    // The recorder's session is made, then it leaves; the pilot publishes while it is away.
    let mut rec = bin();
    rec.args(["pilot", "record", "--broker", &url, "--map", map, "--name", "kept", "--duration", "1s", "--db"])
        .arg(&db);
    login(&mut rec);
    ok(rec.output().unwrap());
    let mut emu = bin();
    emu.args(["pilot", "emulate", "--broker", &url, "--devices", "4", "--days", "1", "--json"]);
    login(&mut emu);
    let report: serde_json::Value = serde_json::from_str(&ok(emu.output().unwrap())).unwrap();
    let published = report["published"].as_u64().unwrap();
    assert!(published > 1000, "{report}");

    // SIGTERM to scaleproof stops its mosquitto too (found by probing: it kept the port).
    unsafe { libc::kill(broker.id() as i32, libc::SIGTERM) };
    broker.wait().unwrap();
    wait_until("mosquitto stops with its parent", Duration::from_secs(5), || !listening(port));

    // Restarted on the same port, the broker still holds the queued messages for the session.
    let mut broker = start_broker(&state, port);
    let mut rec = bin();
    rec.args([
        "pilot",
        "record",
        "--broker",
        &url,
        "--map",
        map,
        "--name",
        "kept",
        "--idle-timeout",
        "2s",
        "--json",
        "--db",
    ])
    .arg(&db);
    login(&mut rec);
    let s: serde_json::Value = serde_json::from_str(&ok(rec.output().unwrap())).unwrap();
    assert_eq!(s["received"].as_u64(), Some(published), "every queued message survived the restart: {s}");
    unsafe { libc::kill(broker.id() as i32, libc::SIGTERM) };
    broker.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_recorder_two_run_loops_a_sweep_and_a_reader_share_one_database_and_lose_nothing() {
    // Found by probing: `scaleproof run` on the recorder's database made `pilot record` fail
    // with "database is locked" within 0.4 s.
    let broker = Mosquitto::start("cli-shared", "");
    let dir = temp_dir("cli-shared-db");
    let db = dir.join("runs.db");
    let url = broker.url();
    let recorder = bin()
        .args(["pilot", "record", "--broker", &url, "--map", "scenarios/maps/emulated-pilot.toml", "--name", "shared"])
        .args(["--idle-timeout", "4s", "--json", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    broker.wait_subscribed("scaleproof-rec-shared");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let db2 = db.clone();
    let loops: Vec<_> = (0..2)
        .map(|_| {
            let (db, stop) = (db2.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || n < 3 {
                    ok(bin()
                        .args(["run", "scenarios/mine-pilot.toml", "--replications", "1", "--db"])
                        .arg(&db)
                        .output()
                        .unwrap());
                    n += 1;
                }
                n
            })
        })
        .collect();
    let (db3, stop3) = (db.clone(), stop.clone());
    let reader = std::thread::spawn(move || {
        let mut n = 0;
        while !stop3.load(std::sync::atomic::Ordering::Relaxed) {
            ok(bin().args(["runs", "--json", "--db"]).arg(&db3).output().unwrap());
            n += 1;
        }
        n
    });
    let sweep = bin()
        .args([
            "sweep",
            "scenarios/mine-pilot.toml",
            "--over",
            "devices=20,40",
            "--replications",
            "1",
            "--json",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&ok(bin()
        .args(["pilot", "emulate", "--broker", &url, "--devices", "20", "--days", "2", "--json"])
        .output()
        .unwrap()))
    .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let runs: usize = loops.into_iter().map(|l| l.join().unwrap()).sum();
    let reads = reader.join().unwrap();
    ok(sweep);
    let rec: serde_json::Value = serde_json::from_str(&ok(recorder.wait_with_output().unwrap())).unwrap();
    let published = report["published"].as_u64().unwrap();
    assert_eq!(rec["received"].as_u64(), Some(published), "{rec}");
    let store = store::Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let listed = store.list_runs(10_000).unwrap();
    assert_eq!(listed.len(), runs + 2, "every run of both loops and the sweep's two points");
    assert!(listed.iter().all(|r| r.status == "complete"));
    eprintln!("{published} messages recorded beside {runs} runs, a sweep and {reads} reads");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn runs_and_sweeps_killed_with_sigkill_leave_the_database_intact() {
    let dir = temp_dir("cli-kills");
    let db = dir.join("runs.db");
    let mut first: serde_json::Value = serde_json::from_str(&ok(bin()
        .args(["run", "scenarios/mine-pilot.toml", "--replications", "1", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap()))
    .unwrap();
    // `run --json` adds what the database knows of the run to its stored summary.
    for k in ["status", "created_at", "file", "overrides", "statistic"] {
        first.as_object_mut().unwrap().remove(k);
    }
    let kills = 6;
    for k in 0..kills {
        let args: &[&str] = if k % 2 == 0 {
            &["run", "scenarios/mine-production.toml", "--set", "scenario.duration=5d"]
        } else {
            &[
                "sweep",
                "scenarios/mine-production.toml",
                "--set",
                "scenario.duration=5d",
                "--over",
                "devices=20,2000,20000",
            ]
        };
        let mut child =
            bin().args(args).arg("--db").arg(&db).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        // Killed at a different moment each time: 100 to 600 ms in.
        std::thread::sleep(Duration::from_millis(100 + 100 * k));
        let _ = child.kill();
        child.wait().unwrap();
    }
    let store = store::Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let runs = store.list_runs(1000).unwrap();
    let oldest = runs.last().unwrap();
    assert_eq!(oldest.id, 1);
    let kept: serde_json::Value = serde_json::from_str(oldest.summary_json.as_deref().unwrap()).unwrap();
    assert_eq!(kept, first, "the first run is byte for byte what it was");
    assert!(runs.iter().all(|r| r.status != "running"), "killed runs are marked incomplete");
    ok(bin().args(["runs", "--db"]).arg(&db).output().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_cancels_a_run_which_is_stored_cancelled_and_exits_130() {
    let dir = temp_dir("cli-ctrl-c");
    let db = dir.join("runs.db");
    let child = bin()
        .args(["run", "scenarios/plant-production.toml", "--set", "scenario.duration=365d", "--replications", "1"])
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Mid-way: its first day of series is stored (a year is far from done).
    let hours = || {
        let Ok(store) = store::Store::open_read_only(&db) else { return 0 };
        let Ok(runs) = store.list_runs(10) else { return 0 };
        runs.iter().map(|r| store.series(r.id).map_or(0, |s| s.len())).sum::<usize>()
    };
    wait_until("a day of series stored", Duration::from_secs(120), || hours() > 0);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr:\n{err}");
    assert!(err.contains("cancelled"), "{err}");
    assert!(out.stdout.is_empty(), "no summary is printed for a cancelled run");
    let store = store::Store::open(&db).unwrap();
    let runs = store.list_runs(10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, "cancelled");
    assert!(store.series(runs[0].id).unwrap().len() < 365 * 24, "it stopped before the end");
    // `runs` and `show` read a cancelled run.
    let listed = ok(bin().args(["runs", "--db"]).arg(&db).output().unwrap());
    assert!(listed.contains("cancelled"), "{listed}");
    let shown = bin().args(["show", &runs[0].id.to_string(), "--db"]).arg(&db).output().unwrap();
    let shown = format!("{}{}", String::from_utf8_lossy(&shown.stdout), String::from_utf8_lossy(&shown.stderr));
    assert!(shown.contains("cancelled"), "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}
