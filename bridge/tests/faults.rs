//! Fault tests against a real mosquitto, kept from probing the bridge as an attacker and a
//! careless user would: a crafted or oversized payload is counted as malformed and the recording
//! goes on; a fast pilot is recorded through backpressure (no reconnects, no duplicates without
//! end); a broker that cannot be reached, refuses the login or fails TLS verification is an
//! error with the reason, for the recorder, the emulator and `live`, after a bounded retry.

use std::time::{Duration, Instant};

use bridge::broker::{Broker, Connect, Credentials, TlsFiles};
use bridge::emulate::{Truth, TruthReport, publish};
use bridge::live::{LiveOptions, live};
use bridge::map::PilotMap;
use bridge::mosquitto::{Mosquitto, temp_dir};
use bridge::record::{RecordOptions, RecordSummary, record};
use bridge::retry::RetryPolicy;
use rumqttc::{AsyncClient, Event, Packet, QoS};
use store::Store;

const MAP: &str = include_str!("../../scenarios/maps/emulated-pilot.toml");

/// A retry policy short enough for a test: 3 attempts, 50 then 100 ms apart.
fn quick() -> RetryPolicy {
    RetryPolicy { attempts: 3, first_delay: Duration::from_millis(50), max_delay: Duration::from_millis(100) }
}

fn connect(url: &str) -> Connect {
    let mut c = Connect::new(Broker::parse(url).unwrap(), TlsFiles::default(), Credentials::default()).unwrap();
    c.retry = quick();
    c
}

fn opts(idle: Duration) -> RecordOptions {
    RecordOptions { name: "pilot".into(), duration: None, idle_timeout: Some(idle), created_at: "test".into() }
}

fn start_recorder(
    c: Connect,
    map_text: String,
    db: std::path::PathBuf,
    idle: Duration,
) -> tokio::task::JoinHandle<anyhow::Result<RecordSummary>> {
    tokio::spawn(async move {
        let map = PilotMap::parse("map", &map_text).unwrap();
        let mut store = Store::open(&db).unwrap();
        record(&c, &map, &map_text, &mut store, &opts(idle), std::future::pending(), |_| {}).await
    })
}

/// Publishes `payloads` on `topic` at QoS 1 and waits for every acknowledgement.
async fn publish_raw(url: &str, topic: &str, payloads: Vec<Vec<u8>>) {
    let c = connect(url);
    let mut o = c.options("raw-publisher", "raw-publisher").unwrap();
    o.set_max_packet_size(1 << 22, 1 << 22);
    let (client, mut el) = AsyncClient::new(o, 64);
    let n = payloads.len();
    let acks = tokio::spawn(async move {
        let mut got = 0;
        while got < n {
            if let Ok(Event::Incoming(Packet::PubAck(_))) = el.poll().await {
                got += 1;
            }
        }
    });
    for p in payloads {
        client.publish(topic, QoS::AtLeastOnce, false, p).await.unwrap();
    }
    tokio::time::timeout(Duration::from_secs(30), acks).await.expect("every message acknowledged").unwrap();
}

fn good(seq: u64) -> Vec<u8> {
    format!(
        r#"{{"dev":"emu-001","fcnt":{seq},"time":{},"received_at":{}}}"#,
        1_767_225_600_000 + seq * 60_000,
        1_767_225_600_500 + seq * 60_000
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crafted_time_and_an_oversized_payload_are_malformed_and_the_recording_goes_on() {
    let broker = Mosquitto::start("faults-payload", "");
    let dir = temp_dir("faults-payload-db");
    let db = dir.join("rec.db");
    // The emulated pilot's map with RFC 3339 times.
    let map = MAP.replace(
        r#"timestamp = { pointer = "/time", unit = "ms" }"#,
        r#"timestamp = { pointer = "/time", unit = "rfc3339" }"#,
    );
    assert_ne!(map, MAP, "the map names its timestamp as the test expects");
    let recorder = start_recorder(connect(&broker.url()), map, db.clone(), Duration::from_secs(2));
    broker.subscribed("scaleproof-rec-pilot").await;

    let crafted = r#"{"dev":"emu-001","fcnt":3,"time":"2026-01-01T00:03:00+0é00","received_at":1767225780000}"#;
    let oversized =
        format!(r#"{{"dev":"emu-001","fcnt":4,"time":"2026-01-01T00:04:00Z","pad":"{}"}}"#, "x".repeat(300 * 1024));
    let mut payloads = vec![crafted.as_bytes().to_vec(), oversized.into_bytes()];
    for seq in 10..60 {
        let t = format!(
            r#"{{"dev":"emu-001","fcnt":{seq},"time":"2026-01-01T{:02}:{:02}:00Z","received_at":1}}"#,
            seq / 60,
            seq % 60
        );
        payloads.push(t.into_bytes());
    }
    publish_raw(&broker.url(), "pilot/site/emu-001/up", payloads).await;
    let summary = recorder.await.unwrap().unwrap();
    assert_eq!((summary.received, summary.malformed, summary.reconnects), (50, 2, 0), "{summary:?}");
    let store = Store::open(&db).unwrap();
    let rec = store.find_recording("pilot").unwrap().unwrap();
    assert_eq!(rec.status, "complete");
    let sample = store.malformed_sample(rec.id).unwrap();
    assert!(sample.iter().any(|m| m.reason.contains("RFC 3339")), "{sample:?}");
    let big = sample.iter().find(|m| m.reason.contains("max_payload_bytes")).expect("the oversized payload is sampled");
    assert!(big.payload.len() <= 4096, "the sample keeps the start of an oversized payload only");
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fast_pilot_is_recorded_through_backpressure_without_reconnects() {
    // Found by probing: 3 million messages queued for the recorder made it reconnect 44 times,
    // count 75 million duplicates and reach 12 GB. Here 120,000 messages wait for it (queued
    // while it was away), then arrive as fast as the broker sends them.
    let broker = Mosquitto::start("faults-fast", "");
    let dir = temp_dir("faults-fast-db");
    let db = dir.join("rec.db");
    // Create the recorder's persistent session, then leave.
    let first = start_recorder(connect(&broker.url()), MAP.into(), db.clone(), Duration::from_millis(300));
    broker.subscribed("scaleproof-rec-pilot").await;
    publish_raw(&broker.url(), "pilot/site/emu-001/up", vec![good(0)]).await;
    let s0 = first.await.unwrap().unwrap();
    assert_eq!(s0.received, 1);
    let truth = Truth { devices: 40, days: 2.0, period_s: 60.0, ..Truth::default() };
    let mut report = TruthReport::default();
    publish(&connect(&broker.url()), &truth, 0.0, &mut report, &mut |_, _| {}).await.unwrap();
    assert_eq!(report.acknowledged, report.published);
    assert!(report.published > 100_000, "{report:?}");

    let t0 = Instant::now();
    let again = start_recorder(connect(&broker.url()), MAP.into(), db.clone(), Duration::from_secs(3));
    let s = again.await.unwrap().unwrap();
    let wall = t0.elapsed().as_secs_f64() - 3.0;
    eprintln!(
        "recorded {} queued messages in {wall:.1} s ({:.0} msg/s, debug build)",
        s.received,
        s.received as f64 / wall
    );
    assert_eq!(s.received, report.published, "{s:?}");
    assert_eq!(s.reconnects, 0, "{s:?}");
    assert_eq!(s.duplicates, 0, "{s:?}");
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_broker_is_an_error_for_the_recorder_the_emulator_and_live() {
    let dir = temp_dir("faults-unreachable");
    let url = format!("mqtt://127.0.0.1:{}", closed_port());
    let t0 = Instant::now();
    let e = start_recorder(connect(&url), MAP.into(), dir.join("rec.db"), Duration::from_secs(1))
        .await
        .unwrap()
        .unwrap_err();
    let e = e.to_string();
    assert!(e.contains("refused") && e.contains("3 attempts") && e.contains("incomplete"), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(20), "bounded by the retry policy");
    let store = Store::open(&dir.join("rec.db")).unwrap();
    assert_eq!(store.find_recording("pilot").unwrap().unwrap().status, "incomplete");

    let truth = Truth { devices: 2, days: 0.1, ..Truth::default() };
    let e = publish(&connect(&url), &truth, 0.0, &mut TruthReport::default(), &mut |_, _| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot publish") && e.contains("attempts"), "{e}");

    let s = sim_core::scenario::parse_scenario(&sim_core::scenario::ScenarioSource {
        file: "mine-pilot.toml",
        bytes: include_bytes!("../../scenarios/mine-pilot.toml"),
        overrides: &["scenario.duration=\"1h\"".into()],
    })
    .unwrap();
    let o = LiveOptions {
        speed: 0.0,
        qos: QoS::AtLeastOnce,
        prefix: "t".into(),
        connect_rate: 1000.0,
        start_unix_ms: 0,
        seed: 1,
    };
    let e = live(&connect(&url), &s, &o).await.unwrap_err().to_string();
    assert!(e.contains("none of the") && e.contains("could connect"), "{e}");
    let e = live(&connect(&url), &s, &LiveOptions { speed: f64::NAN, ..o.clone() }).await.unwrap_err().to_string();
    assert!(e.contains("--speed"), "{e}");
    let e = live(&connect(&url), &s, &LiveOptions { speed: 1e-20, ..o }).await.unwrap_err().to_string();
    assert!(e.contains("--speed"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_login_is_an_error_at_once_with_the_brokers_reason() {
    let dir = temp_dir("faults-login");
    let pw = dir.join("passwd");
    let status = std::process::Command::new("mosquitto_passwd")
        .args(["-c", "-b", pw.to_str().unwrap(), "scaleproof-rec-pilot", "right"])
        .status()
        .unwrap();
    assert!(status.success());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644)).unwrap();
    let broker =
        Mosquitto::start("faults-login-broker", &format!("allow_anonymous false\npassword_file {}\n", pw.display()));
    let secrets = dir.join("client.pw");
    std::fs::write(&secrets, "*:wrong\n").unwrap();
    let mut c = Connect::new(
        Broker::parse(&broker.url()).unwrap(),
        TlsFiles::default(),
        Credentials::load(Some(&secrets), None).unwrap(),
    )
    .unwrap();
    c.retry = RetryPolicy { attempts: 100, ..quick() };
    let t0 = Instant::now();
    let e = start_recorder(c, MAP.into(), dir.join("rec.db"), Duration::from_secs(1)).await.unwrap().unwrap_err();
    let e = e.to_string();
    assert!(e.contains("refused the connection") && !e.contains("wrong"), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(5), "a refused login is not retried: {:?}", t0.elapsed());
    // The right password is let in: a recording of one second ends complete.
    std::fs::write(&secrets, "*:right\n").unwrap();
    let c = Connect::new(
        Broker::parse(&broker.url()).unwrap(),
        TlsFiles::default(),
        Credentials::load(Some(&secrets), None).unwrap(),
    )
    .unwrap();
    let map = PilotMap::parse("map", MAP).unwrap();
    let mut store = Store::open(&dir.join("rec.db")).unwrap();
    let o = RecordOptions { duration: Some(Duration::from_secs(1)), idle_timeout: None, ..opts(Duration::ZERO) };
    let s = record(&c, &map, MAP, &mut store, &o, std::future::pending(), |_| {}).await.unwrap();
    assert_eq!(s.reconnects, 0);
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}
