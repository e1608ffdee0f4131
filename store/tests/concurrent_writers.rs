//! Several connections (one `Store::open` each, as separate processes would have) writing and
//! reading one database at once: every write succeeds (no "database is locked") and nothing is
//! lost. Readers (one writable, one read-only) run beside them.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use store::{NewRecording, PilotRow, Store, SweepPoint};

mod common;
use common::{fresh_dir, new_run, series_row};

const RECORDERS: usize = 3;
const BATCHES: usize = 80;
const BATCH: usize = 50;
/// Each batch names devices `d0 ..` up to this many new ones (a recording ends with
/// `DEVICES_PER_BATCH * BATCHES / 2` devices: batch b uses devices b/2 * DEVICES_PER_BATCH ..).
const DEVICES_PER_BATCH: usize = 5;
const RUN_LOOPS: usize = 2;
const RUNS_PER_LOOP: usize = 25;
const HOURS: u32 = 12;
const SWEEPS: usize = 10;
const POINTS: u32 = 6;

fn record(path: &Path, who: usize) -> i64 {
    let mut s = Store::open(path).unwrap();
    let rec = s
        .begin_recording(&NewRecording {
            created_at: "2026-12-03T00:00:00Z",
            name: &format!("rec{who}"),
            broker: "mqtt://localhost:1883",
            map_text: "",
            pid: std::process::id(),
        })
        .unwrap();
    for b in 0..BATCHES {
        let rows: Vec<PilotRow> = (0..BATCH)
            .map(|i| {
                let seq = (b * BATCH + i) as u64;
                PilotRow {
                    device: format!("d{}", b / 2 * DEVICES_PER_BATCH + i % DEVICES_PER_BATCH),
                    seq,
                    ts_us: seq as i64 * 1_000_000,
                    rx_us: seq as i64 * 1_000_000 + 5,
                    battery_pct: Some(90.0),
                    fields_json: None,
                }
            })
            .collect();
        // Every batch repeats its first message: one duplicate per batch.
        let mut rows = rows;
        rows.push(rows[0].clone());
        let (stored, dups) = s.append_recording(rec, &rows, &[]).unwrap();
        assert_eq!((stored, dups), (BATCH as u64, 1));
    }
    s.finish_recording(rec).unwrap();
    rec
}

fn runs(path: &Path, who: usize) -> Vec<i64> {
    let mut s = Store::open(path).unwrap();
    let name = format!("runner{who}");
    let mut ids = Vec::new();
    for _ in 0..RUNS_PER_LOOP {
        let id = s.begin_run(&new_run(&name, std::process::id())).unwrap();
        for hour in 0..HOURS {
            s.append_series(id, &[series_row("a", hour), series_row("b", hour)]).unwrap();
        }
        s.finish_run(id, "{}", 0.5).unwrap();
        ids.push(id);
    }
    ids
}

fn sweeps(path: &Path, run: i64) -> Vec<i64> {
    let mut s = Store::open(path).unwrap();
    let mut ids = Vec::new();
    for _ in 0..SWEEPS {
        let id = s.begin_sweep("2026-12-03T00:00:00Z", "sweep", "t", "t.toml", "{}").unwrap();
        for idx in 0..POINTS {
            s.add_sweep_point(id, &SweepPoint { idx, label: idx.to_string(), value: idx.to_string(), run }).unwrap();
        }
        s.finish_sweep(id).unwrap();
        ids.push(id);
    }
    ids
}

/// Reads until told to stop; a complete run always has all its series.
fn read(path: &Path, stop: &AtomicBool, read_only: bool) -> usize {
    let s = if read_only { Store::open_read_only(path) } else { Store::open(path) }.unwrap();
    let mut rounds = 0;
    while !stop.load(Ordering::Relaxed) || rounds == 0 {
        for row in s.list_runs(20).unwrap() {
            let rec = s.get_run(row.id).unwrap().expect("a listed run exists");
            let series = s.series(row.id).unwrap();
            if rec.row.status == "complete" && rec.row.scenario_name.starts_with("runner") {
                assert_eq!(series.len(), 2 * HOURS as usize, "run {} is complete but lacks series", row.id);
            }
        }
        for r in s.list_recordings(10).unwrap() {
            assert!(r.received <= (BATCHES * BATCH) as u64);
        }
        rounds += 1;
    }
    rounds
}

#[test]
fn concurrent_writers_and_readers_lose_nothing() {
    let dir = fresh_dir("concurrent");
    let path = dir.join("runs.db");
    // The schema exists before the threads start (concurrent creation is tested in `open.rs`),
    // and a run for the sweep points to refer to.
    let base_run = {
        let mut s = Store::open(&path).unwrap();
        let id = s.begin_run(&new_run("base", std::process::id())).unwrap();
        s.finish_run(id, "{}", 0.1).unwrap();
        id
    };
    let stop = Arc::new(AtomicBool::new(false));
    let (recordings, run_ids, sweep_ids, reads) = std::thread::scope(|scope| {
        let readers: Vec<_> = [false, true]
            .map(|read_only| {
                let stop = stop.clone();
                let path = &path;
                scope.spawn(move || read(path, &stop, read_only))
            })
            .into();
        let recorders: Vec<_> = (0..RECORDERS)
            .map(|who| {
                scope.spawn({
                    let path = &path;
                    move || record(path, who)
                })
            })
            .collect();
        let runners: Vec<_> = (0..RUN_LOOPS)
            .map(|who| {
                scope.spawn({
                    let path = &path;
                    move || runs(path, who)
                })
            })
            .collect();
        let sweeper = scope.spawn(|| sweeps(&path, base_run));
        // Join every writer before unwrapping, so that a failing writer stops the reader too.
        let recordings: Vec<_> = recorders.into_iter().map(|h| h.join()).collect();
        let run_ids: Vec<_> = runners.into_iter().map(|h| h.join()).collect();
        let sweep_ids = sweeper.join();
        stop.store(true, Ordering::Relaxed);
        let reads: Vec<usize> = readers.into_iter().map(|h| h.join().unwrap()).collect();
        let recordings: Vec<i64> = recordings.into_iter().map(|r| r.unwrap()).collect();
        let run_ids: Vec<i64> = run_ids.into_iter().flat_map(|r| r.unwrap()).collect();
        (recordings, run_ids, sweep_ids.unwrap(), reads)
    });
    assert!(reads.iter().all(|&n| n > 0));

    let s = Store::open(&path).unwrap();
    assert_eq!(s.integrity_check().unwrap(), "ok");
    let all_runs = s.list_runs(10_000).unwrap();
    assert_eq!(all_runs.len(), 1 + RUN_LOOPS * RUNS_PER_LOOP);
    assert!(all_runs.iter().all(|r| r.status == "complete"));
    assert_eq!(run_ids.len(), RUN_LOOPS * RUNS_PER_LOOP);
    for id in &run_ids {
        assert_eq!(s.series(*id).unwrap().len(), 2 * HOURS as usize, "run {id}");
    }
    assert_eq!(sweep_ids.len(), SWEEPS);
    for id in &sweep_ids {
        let w = s.get_sweep(*id).unwrap().unwrap();
        assert_eq!(w.status, "complete");
        assert_eq!(w.points.iter().map(|p| p.idx).collect::<Vec<_>>(), (0..POINTS).collect::<Vec<_>>());
    }
    assert_eq!(s.list_recordings(100).unwrap().len(), RECORDERS);
    for rec in &recordings {
        let r = s.find_recording(&rec.to_string()).unwrap().unwrap();
        assert_eq!(r.status, "complete");
        assert_eq!((r.received, r.duplicates, r.malformed), ((BATCHES * BATCH) as u64, BATCHES as u64, 0));
        assert_eq!(r.devices.len(), BATCHES / 2 * DEVICES_PER_BATCH);
        assert_eq!(s.recording_messages(*rec).unwrap().len(), BATCHES * BATCH);
    }
    drop(s);
    std::fs::remove_dir_all(&dir).unwrap();
}
