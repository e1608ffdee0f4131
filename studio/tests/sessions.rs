//! Sessions: a 20,000-device run cancelled mid-way stops within one epoch and is stored
//! `cancelled`; a panicking replication is contained and stored `failed`; two sessions run at
//! once; progress events are monotone and end at 100 %; a cancelled sweep is stored `cancelled`
//! with its remaining points not run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bridge::mosquitto::temp_dir;
use store::Store;
use studio::session::{EpochHook, Progress, RunJob, SweepJob, start_run, start_sweep};
use studio::sweep::SweepSpec;
use studio::{Config, ErrorCode, load_scenario};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn scenario(file: &str, overrides: &[&str]) -> studio::LoadedScenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    // Only price books are read from the configuration; each test names its own database.
    let config = Config::in_dir(std::env::temp_dir());
    load_scenario(&config, &root().join("scenarios").join(file), &overrides).unwrap()
}

/// Every event of a session, in order, until its work ends.
fn drain<T: Send + 'static>(s: &studio::Session<T>) -> Vec<Progress> {
    std::iter::from_fn(|| s.next_progress()).collect()
}

#[test]
fn a_20000_device_run_cancelled_mid_way_stops_within_one_epoch_and_is_stored_cancelled() {
    let db = temp_dir("session-cancel").join("runs.db");
    // A year of a 20,000-device plant: far more than the test waits for.
    let loaded = scenario("plant-production.toml", &["fleet.machine-sensors.count=20000", "scenario.duration=365d"]);
    assert_eq!(loaded.scenario.device_count(), 20_000);
    // Epochs done, as the engine's thread sees them (the hook runs before the cancel is checked).
    let engine_done = Arc::new(AtomicU32::new(0));
    let seen = engine_done.clone();
    let hook: EpochHook = Arc::new(move |_, r| seen.store(r.index + 1, Ordering::SeqCst));
    let session =
        start_run(RunJob { on_epoch: Some(hook), threads: Some(2), ..RunJob::new(loaded, db.clone()) }).unwrap();

    // Wait until it is mid-way: some epochs done, far from the end.
    let mut before = Vec::new();
    while let Some(p) = session.next_progress() {
        let mid_way = p.epoch >= 3;
        before.push(p);
        if mid_way {
            break;
        }
    }
    assert!(before.last().is_some_and(|p| p.epoch >= 3 && !p.done), "{:?}", before.last());
    assert!(!session.is_finished());
    session.cancel();
    // Read after the cancel: at least the epochs done when it was asked.
    let at_cancel = engine_done.load(Ordering::SeqCst);
    let epochs = before[0].epochs;
    assert_eq!(epochs, 365 * 24);
    assert!(at_cancel < epochs / 2, "cancelled at epoch {at_cancel} of {epochs}: not mid-way");

    let after = drain(&session);
    let err = session.wait().err().expect("a cancelled run returns an error");
    assert_eq!(err.code(), ErrorCode::Cancelled, "expected a cancel, got {err:#}");

    let stopped_at = engine_done.load(Ordering::SeqCst);
    let last_reported = after.last().or(before.last()).unwrap().epoch;
    assert_eq!(last_reported, stopped_at);
    assert!(
        stopped_at <= at_cancel + 1,
        "the engine ran on to epoch {stopped_at} after a cancel at epoch {at_cancel}: more than one epoch"
    );
    assert!(after.iter().all(|p| !p.done), "a cancelled session sends no `done` event");

    let store = Store::open(&db).unwrap();
    let runs = store.list_runs(10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, "cancelled");
    assert!(runs[0].summary_json.is_none());
    assert!(runs[0].wall_s.is_some());
    // The hours simulated before the stop are kept, and nothing after.
    let hours = store.series(runs[0].id).unwrap().iter().map(|r| r.hour + 1).max().unwrap_or(0);
    assert_eq!(hours, stopped_at);
    let config = Config::in_dir(std::env::temp_dir()).with_db(Some(db.clone()));
    match studio::records::run_detail(&config, runs[0].id).unwrap() {
        studio::contract::summary::RunDetail::Unfinished(u) => {
            assert_eq!(u.facts.status, studio::contract::RunStatus::Cancelled)
        }
        other => panic!("a cancelled run has no summary, got {other:?}"),
    }
}

#[test]
fn a_panicking_replication_is_stored_failed_and_the_session_returns_an_error() {
    let db = temp_dir("session-panic").join("runs.db");
    let loaded = scenario("mine-pilot.toml", &["scenario.duration=2d"]);
    let hook: EpochHook = Arc::new(|replication, r| {
        if replication == 1 && r.index == 5 {
            panic!("a test hook panics in replication 1");
        }
    });
    let session = start_run(RunJob {
        replications: 2,
        threads: Some(2),
        on_epoch: Some(hook),
        ..RunJob::new(loaded, db.clone())
    })
    .unwrap();
    let events = drain(&session);
    let err = session.wait().err().expect("a panicking replication fails the run");
    assert_eq!(err.code(), ErrorCode::Internal, "a panic is a bug: {err:#}");
    let text = format!("{err:#}");
    assert!(text.contains("panicked") && text.contains("a test hook panics"), "{text}");
    assert!(events.iter().all(|p| !p.done));

    let store = Store::open(&db).unwrap();
    let mut statuses: Vec<(u32, String)> =
        store.list_runs(10).unwrap().into_iter().map(|r| (r.replication_index, r.status)).collect();
    statuses.sort();
    assert_eq!(statuses, [(0, "complete".to_string()), (1, "failed".to_string())]);
    // The failed replication kept the hours it simulated before the panic (whole batches of 24
    // are written as they fill; the rest when the replication ends).
    let failed = store.list_runs(10).unwrap().into_iter().find(|r| r.status == "failed").unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert!(failed.summary_json.is_none());
}

#[test]
fn two_sessions_run_at_once_and_both_finish() {
    let db = temp_dir("session-two").join("runs.db");
    let a = start_run(RunJob {
        threads: Some(1),
        ..RunJob::new(scenario("mine-pilot.toml", &["scenario.duration=3d"]), db.clone())
    })
    .unwrap();
    let b = start_run(RunJob {
        threads: Some(1),
        replications: 2,
        ..RunJob::new(scenario("plant-pilot.toml", &["scenario.duration=2d", "event.0.at=12h"]), db.clone())
    })
    .unwrap();
    // Both are under way before either is waited for.
    let (ea, eb) = (drain(&a), drain(&b));
    let (a, b) = (a.wait().unwrap(), b.wait().unwrap());
    assert!(ea.last().unwrap().done && eb.last().unwrap().done);
    assert_eq!((a.summaries.len(), b.summaries.len()), (1, 2));
    let store = Store::open(&db).unwrap();
    let runs = store.list_runs(10).unwrap();
    assert_eq!(runs.len(), 3);
    assert!(runs.iter().all(|r| r.status == "complete"), "{runs:?}");
}

#[test]
fn progress_is_monotone_ends_at_100_percent_and_counts_the_messages() {
    let db = temp_dir("session-progress").join("runs.db");
    let session = start_run(RunJob {
        replications: 3,
        threads: Some(2),
        ..RunJob::new(scenario("mine-pilot.toml", &["scenario.duration=3d"]), db)
    })
    .unwrap();
    let events = drain(&session);
    let out = session.wait().unwrap();
    // One event per epoch of each replication, and the last one.
    assert_eq!(events.len(), 3 * 72 + 1);
    for w in events.windows(2) {
        assert!(w[1].fraction >= w[0].fraction, "fraction went back: {:?} then {:?}", w[0], w[1]);
        assert!(w[1].messages_generated >= w[0].messages_generated);
        assert!(w[1].elapsed_s >= w[0].elapsed_s);
    }
    let last = events.last().unwrap();
    assert!(last.done);
    assert_eq!((last.fraction, last.eta_s, last.epoch, last.epochs), (1.0, Some(0.0), 72, 72));
    assert_eq!((last.phase.as_str(), last.replications, last.points), ("run", 3, 1));
    let generated: u64 = out.summaries.iter().map(|s| s.messages.generated).sum();
    assert_eq!(last.messages_generated, generated);
    // Each replication's epochs come in order.
    for rep in 0..3 {
        let epochs: Vec<u32> =
            events[..events.len() - 1].iter().filter(|p| p.replication == rep).map(|p| p.epoch).collect();
        assert_eq!(epochs, (1..=72).collect::<Vec<_>>(), "replication {rep}");
        // Its live figures add up, hour by hour, to what its summary says at the end.
        let live = events.iter().rfind(|p| p.replication == rep && !p.done).and_then(|p| p.live.clone()).unwrap();
        let m = &out.summaries[rep as usize].messages;
        assert_eq!(
            (
                live.hours,
                live.generated,
                live.delivered,
                live.dropped_overflow,
                live.dropped_reboot,
                live.stranded_dead
            ),
            (72, m.generated, m.delivered, m.dropped_overflow, m.dropped_reboot, m.stranded_dead),
            "replication {rep}"
        );
        assert_eq!((live.lost_network, live.buffered, live.devices), (m.lost_network, m.buffered_end, 20));
        assert!(live.online <= live.devices);
    }
    // The event is a front-end contract: it round-trips through JSON.
    let json = serde_json::to_string(last).unwrap();
    assert_eq!(&serde_json::from_str::<Progress>(&json).unwrap(), last);
    assert!(json.contains("\"messages_generated\"") && json.contains("\"eta_s\""));
}

#[test]
fn a_cancelled_sweep_runs_no_further_point_and_is_stored_cancelled() {
    let db = temp_dir("session-sweep").join("runs.db");
    let session = start_sweep(SweepJob {
        file: root().join("scenarios/mine-pilot.toml"),
        text: None,
        overrides: vec!["scenario.duration=30d".into()],
        spec: SweepSpec::parse("devices=5000,20,40").unwrap(),
        replications: 1,
        precision: None,
        threads: Some(1),
        config: Config::in_dir(std::env::temp_dir()).with_db(Some(db.clone())),
    })
    .unwrap();
    let first = session.next_progress().unwrap();
    assert_eq!((first.phase.as_str(), first.point, first.points), ("sweep", 0, 3));
    session.cancel();
    let rest = drain(&session);
    let err = session.wait().err().expect("a cancelled sweep returns an error");
    assert_eq!(err.code(), ErrorCode::Cancelled, "{err:#}");
    assert!(rest.iter().all(|p| p.point == 0), "no point after the cancel starts");
    let store = Store::open(&db).unwrap();
    let sweeps = store.list_sweeps(10).unwrap();
    assert_eq!(sweeps.len(), 1);
    assert_eq!(sweeps[0].status, "cancelled");
    assert!(sweeps[0].points.is_empty());
    let runs = store.list_runs(10).unwrap();
    assert_eq!(runs.len(), 1, "only the first point's run was started");
    assert_eq!(runs[0].status, "cancelled");
}
