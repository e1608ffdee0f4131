//! The bridge is async and runs on the caller's runtime: emulate, record and live are awaited
//! from inside a tokio runtime (where building a runtime of their own would panic), in spawned
//! tasks (their futures are `Send`, as a desktop app's commands need), and stop on a cancel.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bridge::broker::{Broker, Connect, Credentials, TlsFiles};
use bridge::emulate::Truth;
use bridge::map::PilotMap;
use bridge::mosquitto::{Mosquitto, temp_dir};
use sim_core::scenario::{ScenarioSource, parse_scenario};
use studio::CancelToken;
use studio::bridge::{BridgeEvent, LiveRequest, RecordRequest};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulate_record_and_live_run_on_the_callers_runtime_and_stop_on_cancel() {
    let broker = Mosquitto::start("bridge-async", "");
    let db = temp_dir("bridge-async-db").join("runs.db");
    let connect =
        Connect::new(Broker::parse(&broker.url()).unwrap(), TlsFiles::default(), Credentials::default()).unwrap();
    let map_text = std::fs::read_to_string(root().join("scenarios/maps/emulated-pilot.toml")).unwrap();

    // A recorder with no duration and no idle timeout: only the cancel ends it.
    let stop_recording = CancelToken::new();
    let recorder = {
        let (connect, stop, db, map_text) = (connect.clone(), stop_recording.clone(), db.clone(), map_text.clone());
        let twin = root().join("scenarios/emulated-pilot.toml");
        tokio::spawn(async move {
            let map = PilotMap::parse("map", &map_text).unwrap();
            let req = RecordRequest {
                db: &db,
                map: &map,
                map_text: &map_text,
                name: "async".into(),
                duration: None,
                idle_timeout: None,
                twin: Some(&twin),
                check_every: 1000,
            };
            let mut events = Vec::new();
            let summary = studio::bridge::record(&connect, &req, &mut |e| events.push(e), &stop).await;
            summary.map(|s| (s, events))
        })
    };

    broker.subscribed("scaleproof-rec-async").await;
    let truth = Truth { devices: 5, ..Truth::default() };
    let mut emulated = Vec::new();
    let report = studio::bridge::emulate(&connect, &truth, 0.0, None, &mut |e| emulated.push(e), None).await.unwrap();
    assert!(report.published > 0);
    // Progress every 1,024 readings published and at the end, which is all of them.
    let published: Vec<_> = progress(&emulated, "emulate").iter().map(|p| (p.messages_generated, p.fraction)).collect();
    assert!(published.len() as u64 > report.published / 1024, "{published:?}");
    assert!(published.is_sorted(), "{published:?}");
    assert_eq!(published.last(), Some(&(report.published, 1.0)));

    stop_recording.cancel();
    let (recorded, events) = tokio::time::timeout(Duration::from_secs(60), recorder).await.unwrap().unwrap().unwrap();
    assert!(recorded.received > 0 && recorded.received <= report.published, "{recorded:?}");
    // Progress after every stored batch: readings stored so far, never going back.
    let stored: Vec<u64> = progress(&events, "record").iter().map(|p| p.messages_generated).collect();
    // The first tells the pilot may start: connected and subscribed, nothing stored yet.
    let first = progress(&events, "record").into_iter().next().unwrap();
    assert_eq!(first.messages_generated, 0);
    assert!(first.message.ends_with("connected, waiting for messages"), "{}", first.message);
    assert!(!stored.is_empty() && stored.is_sorted(), "{stored:?}");
    assert!(*stored.last().unwrap() >= recorded.received, "{stored:?} vs {recorded:?}");
    // With a twin, the pilot so far beside it after each stored batch that passed another 1,000
    // messages: more messages each time, every metric compared.
    let compared: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            BridgeEvent::Compared(c) => Some(c),
            _ => None,
        })
        .collect();
    assert!(compared.len() >= 2, "{} checks", compared.len());
    assert!(compared.windows(2).all(|w| w[0].messages < w[1].messages));
    let last = compared.last().unwrap();
    assert_eq!(last.devices, 5);
    assert!(last.comparison.distances.len() >= 4, "{last:?}");

    // Played in real time, the emulation would take a month: a cancel stops it at once.
    let stop_emulating = CancelToken::new();
    stop_emulating.cancel();
    let e = studio::bridge::emulate(&connect, &truth, 1.0, None, &mut |_| {}, Some(&stop_emulating)).await.unwrap_err();
    assert_eq!(e.code(), studio::ErrorCode::Cancelled, "{e}");

    // A month of a small fleet played in real time would take a month: the cancel ends it.
    let text = std::fs::read(root().join("scenarios/emulated-pilot.toml")).unwrap();
    let overrides = vec!["fleet.sensor.count=3".to_string(), "scenario.duration=\"30d\"".to_string()];
    let scenario = parse_scenario(&ScenarioSource { file: "emulated-pilot.toml", bytes: &text, overrides: &overrides })
        .unwrap_or_else(|d| panic!("{d}"));
    let stop_live = CancelToken::new();
    let live = {
        let (connect, stop) = (connect.clone(), stop_live.clone());
        tokio::spawn(async move {
            let req = LiveRequest { speed: 1.0, qos: 1, prefix: "async".into(), connect_rate: 500.0, seed: Some(3) };
            studio::bridge::live(&connect, &scenario, req, &mut |_| {}, Some(&stop)).await
        })
    };
    stop_live.cancel();
    let summary = tokio::time::timeout(Duration::from_secs(60), live).await.unwrap().unwrap().unwrap();
    assert_eq!(summary.devices, 3);
    assert!(summary.simulated_s < 86_400.0, "stopped long before the month's end: {}", summary.simulated_s);

    // Played to its end as fast as the broker takes it: an event per simulated hour, the last
    // at hour 6 of 6 with every reading the twin took.
    let overrides = vec!["fleet.sensor.count=3".to_string(), "scenario.duration=\"6h\"".to_string()];
    let scenario = parse_scenario(&ScenarioSource { file: "emulated-pilot.toml", bytes: &text, overrides: &overrides })
        .unwrap_or_else(|d| panic!("{d}"));
    let req = LiveRequest { speed: 0.0, qos: 1, prefix: "async".into(), connect_rate: 500.0, seed: Some(3) };
    let mut events = Vec::new();
    let summary = studio::bridge::live(&connect, &scenario, req, &mut |e| events.push(e), None).await.unwrap();
    let played = progress(&events, "live");
    assert_eq!(played.iter().map(|p| p.epoch).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    assert!(played.iter().all(|p| p.epochs == 6));
    let last = played.last().unwrap();
    assert_eq!((last.fraction, last.messages_generated), (1.0, summary.generated));
    assert!(played.windows(2).all(|w| w[0].fraction <= w[1].fraction));
}

/// The progress events of `phase` among a bridge command's events.
fn progress(events: &[BridgeEvent], phase: &str) -> Vec<studio::Progress> {
    events
        .iter()
        .filter_map(|e| match e {
            BridgeEvent::Progress(p) if p.phase == phase => Some(p.clone()),
            _ => None,
        })
        .collect()
}

/// Front ends branch on the error's code: a broker nobody listens on is `broker_unreachable`
/// once the retry policy is spent; a malformed URL is the user's input.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_broker_and_a_bad_url_have_their_own_error_codes() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let args = studio::bridge::BrokerArgs { url: format!("mqtt://127.0.0.1:{port}"), ..Default::default() };
    let mut connect = args.connect().unwrap();
    connect.retry.attempts = 2;
    let truth = Truth { devices: 2, days: 0.1, ..Truth::default() };
    let e = studio::bridge::emulate(&connect, &truth, 0.0, None, &mut |_| {}, None).await.unwrap_err();
    assert_eq!(e.code(), studio::ErrorCode::BrokerUnreachable, "{e}");
    assert!(e.to_string().contains("cannot publish"), "{e}");

    let bad = studio::bridge::BrokerArgs { url: "http://example.org".into(), ..Default::default() };
    let e = bad.connect().unwrap_err();
    assert_eq!(e.code(), studio::ErrorCode::InvalidInput, "{e}");
    assert!(e.to_string().contains("mqtt://"), "{e}");
}
