//! `Store::open_read_only`: every read works, nothing is written, and databases it cannot read
//! as they are (missing, older, newer) are refused with their own error.

use std::path::Path;

use rusqlite::Connection;
use store::{MalformedRow, NewRecording, PilotRow, SCHEMA_VERSION, Store, StoreError, SweepPoint};

mod common;
use common::{fingerprint, fresh_dir, new_run, series_row, side_file};

/// A pid no process has (Linux pids stay below 2^22).
const DEAD_PID: u32 = 0x7fff_fff0;

fn pilot_row(device: &str, seq: u64) -> PilotRow {
    PilotRow {
        device: device.into(),
        seq,
        ts_us: seq as i64 * 60_000_000,
        rx_us: seq as i64 * 60_000_000 + 3,
        battery_pct: Some(80.0),
        fields_json: Some("{\"t\":1}".into()),
    }
}

/// A database with a complete run, a run whose process is gone (still `running`), a sweep and a
/// recording; returns (complete run, orphaned run, sweep, recording).
fn build(path: &Path) -> (i64, i64, i64, i64) {
    let mut s = Store::open(path).unwrap();
    let run = s.begin_run(&new_run("t", std::process::id())).unwrap();
    s.append_series(run, &[series_row("a", 0), series_row("a", 1)]).unwrap();
    s.finish_run(run, "{\"ok\":true}", 1.5).unwrap();
    let orphan = s.begin_run(&new_run("t", DEAD_PID)).unwrap();
    let sweep = s.begin_sweep("2026-12-03T00:00:00Z", "sweep", "t", "t.toml", "{}").unwrap();
    s.add_sweep_point(sweep, &SweepPoint { idx: 0, label: "a".into(), value: "1".into(), run }).unwrap();
    s.finish_sweep(sweep).unwrap();
    let rec = s
        .begin_recording(&NewRecording {
            created_at: "2026-12-03T00:00:00Z",
            name: "pilot",
            broker: "mqtt://h:1883",
            map_text: "map",
            pid: std::process::id(),
        })
        .unwrap();
    let bad = MalformedRow { topic: "t".into(), reason: "not JSON".into(), payload: vec![0xff] };
    s.append_recording(rec, &[pilot_row("x", 0), pilot_row("y", 0)], &[bad]).unwrap();
    s.finish_recording(rec).unwrap();
    (run, orphan, sweep, rec)
}

#[test]
fn a_read_only_store_reads_everything_and_writes_nothing() {
    let dir = fresh_dir("read-only");
    let path = dir.join("runs.db");
    let (run, orphan, sweep, rec) = build(&path);
    let wal_before = side_file(&path, "-wal").exists();
    let before = fingerprint(&path);

    let mut ro = Store::open_read_only(&path).unwrap();
    assert_eq!(ro.schema_version().unwrap(), SCHEMA_VERSION);
    let runs = ro.list_runs(10).unwrap();
    assert_eq!(
        runs.iter().map(|r| (r.id, r.status.as_str())).collect::<Vec<_>>(),
        [(orphan, "running"), (run, "complete")]
    );
    let record = ro.get_run(run).unwrap().unwrap();
    assert_eq!((record.row.seed, record.price_book_text.as_deref()), (42, Some("book")));
    assert_eq!(ro.replication_summaries(run).unwrap(), ["{\"ok\":true}"]);
    assert_eq!(ro.last_run().unwrap(), Some(orphan));
    assert_eq!(ro.series(run).unwrap(), [series_row("a", 0), series_row("a", 1)]);
    assert_eq!(ro.get_sweep(sweep).unwrap().unwrap().points.len(), 1);
    assert_eq!(ro.integrity_check().unwrap(), "ok");
    let found = ro.find_recording("pilot").unwrap().unwrap();
    assert_eq!((found.id, found.received, found.malformed, found.devices.len()), (rec, 2, 1, 2));
    assert_eq!(ro.list_recordings(10).unwrap(), [found]);
    assert_eq!(ro.recording_messages(rec).unwrap().len(), 2);
    assert_eq!(ro.malformed_sample(rec).unwrap()[0].payload, [0xff]);

    let writes: [(&str, store::Result<()>); 8] = [
        ("begin_run", ro.begin_run(&new_run("t", 1)).map(drop)),
        ("append_series", ro.append_series(run, &[series_row("a", 9)])),
        ("finish_run", ro.finish_run(orphan, "{}", 1.0)),
        ("begin_sweep", ro.begin_sweep("now", "sweep", "t", "t.toml", "{}").map(drop)),
        ("set_sweep_spec", ro.set_sweep_spec(sweep, "{\"x\":1}")),
        ("finish_sweep", ro.finish_sweep(sweep)),
        ("append_recording", ro.append_recording(rec, &[pilot_row("z", 5)], &[]).map(drop)),
        ("finish_recording", ro.finish_recording(rec)),
    ];
    for (what, result) in writes {
        let err = result.expect_err(what).to_string();
        assert!(err.contains("readonly"), "{what}: {err}");
    }
    // A recording cannot begin either (making the connection durable writes nothing).
    let begun = ro.begin_recording(&NewRecording {
        created_at: "now",
        name: "n",
        broker: "mqtt://h:1",
        map_text: "",
        pid: std::process::id(),
    });
    assert!(begun.is_err());
    // Nothing changed as seen through the store, the orphan included ...
    assert_eq!(ro.list_runs(10).unwrap(), runs);
    drop(ro);
    // ... nor in the file, closed.
    assert_eq!(fingerprint(&path), before, "a read-only open modified the database");
    // SQLite opens a WAL database's `-wal` and `-shm` even for reading (they carry the locks)
    // and, read-only, leaves them behind; the log stays empty.
    let wal = side_file(&path, "-wal");
    assert!(!wal_before, "the closed writer left a -wal");
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0, "a read-only open wrote to the -wal");
    // The orphan is still there for a writable open to mark.
    let s = Store::open(&path).unwrap();
    assert_eq!(s.get_run(orphan).unwrap().unwrap().row.status, "incomplete");
    drop(s);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_read_only_store_sees_what_a_writer_has_committed() {
    let dir = fresh_dir("read-only-live");
    let path = dir.join("runs.db");
    let mut w = Store::open(&path).unwrap();
    let a = w.begin_run(&new_run("t", std::process::id())).unwrap();
    let ro = Store::open_read_only(&path).unwrap();
    assert_eq!(ro.last_run().unwrap(), Some(a));
    w.append_series(a, &[series_row("a", 0)]).unwrap();
    let b = w.begin_run(&new_run("t", std::process::id())).unwrap();
    assert_eq!(ro.last_run().unwrap(), Some(b));
    assert_eq!(ro.series(a).unwrap().len(), 1);
    drop((ro, w));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A raw database with only `user_version` set (journal mode DELETE), its fingerprint after a
/// refused read-only open, and the error.
fn open_with_version(dir: &Path, version: i64) -> StoreError {
    let path = dir.join(format!("v{version}.db"));
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE runs (id INTEGER PRIMARY KEY);").unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
    }
    let before = fingerprint(&path);
    let err = match Store::open_read_only(&path) {
        Err(e) => e,
        Ok(_) => panic!("schema version {version} opened read-only"),
    };
    assert_eq!(fingerprint(&path), before, "version {version}: the refused database was modified");
    assert!(!side_file(&path, "-wal").exists() && !side_file(&path, "-journal").exists());
    err
}

#[test]
fn read_only_opens_refuse_missing_older_and_newer_databases() {
    let dir = fresh_dir("read-only-refused");
    let missing = dir.join("absent").join("runs.db");
    match Store::open_read_only(&missing) {
        Err(StoreError::Missing { path }) => assert_eq!(path, missing.display().to_string()),
        Err(e) => panic!("expected Missing, got {e}"),
        Ok(_) => panic!("a missing database opened"),
    }
    assert!(!dir.join("absent").exists(), "a read-only open created the directory");

    let older = open_with_version(&dir, SCHEMA_VERSION - 1);
    assert!(
        matches!(older, StoreError::Outdated { found, supported } if found == SCHEMA_VERSION - 1 && supported == SCHEMA_VERSION),
        "{older}"
    );
    assert!(older.to_string().contains("writes to it"), "{older}");
    let newer = open_with_version(&dir, SCHEMA_VERSION + 1);
    assert!(matches!(newer, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1), "{newer}");
    std::fs::remove_dir_all(&dir).unwrap();
}
