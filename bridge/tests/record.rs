//! The recorder against a real mosquitto: a broker restart in the middle of a recording loses
//! no acknowledged message, and a flood of malformed payloads is counted exactly while every
//! valid message is kept.

use std::time::Duration;

use bridge::broker::{Broker, Connect, Credentials, TlsFiles};
use bridge::emulate::{Truth, TruthReport, publish};
use bridge::map::PilotMap;
use bridge::mosquitto::{Mosquitto, temp_dir};
use bridge::record::{RecordOptions, record};
use rumqttc::{AsyncClient, Event, Packet, QoS};
use store::Store;

const MAP: &str = include_str!("../../scenarios/maps/emulated-pilot.toml");

fn connect(url: &str) -> Connect {
    Connect::new(Broker::parse(url).unwrap(), TlsFiles::default(), Credentials::default()).unwrap()
}

fn small_truth() -> Truth {
    Truth { devices: 5, days: 1.0, period_s: 60.0, ..Truth::default() }
}

/// Starts a recorder that stops after `idle` without messages; returns its task.
fn start_recorder(
    url: &str,
    db: std::path::PathBuf,
    idle: Duration,
) -> tokio::task::JoinHandle<bridge::record::RecordSummary> {
    let c = connect(url);
    tokio::spawn(async move {
        let map = PilotMap::parse("map", MAP).unwrap();
        let mut store = Store::open(&db).unwrap();
        let opts =
            RecordOptions { name: "pilot".into(), duration: None, idle_timeout: Some(idle), created_at: "test".into() };
        record(&c, &map, MAP, &mut store, &opts, std::future::pending(), |_| {}).await.unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_loses_no_acknowledged_message() {
    let broker = Mosquitto::start("restart", "");
    let dir = temp_dir("restart-db");
    let db = dir.join("rec.db");
    let recorder = start_recorder(&broker.url(), db.clone(), Duration::from_secs(4));
    broker.subscribed("scaleproof-rec-pilot").await;

    // The emulator runs for about 4 s; the broker restarts 1.5 s in.
    let truth = small_truth();
    let broker = std::sync::Arc::new(std::sync::Mutex::new(broker));
    let b = broker.clone();
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        b.lock().unwrap().restart();
    });
    let mut report = TruthReport::default();
    let url = broker.lock().unwrap().url();
    publish(&connect(&url), &truth, truth.days * 86_400.0 / 4.0, &mut report, &mut |_, _| {}).await.unwrap();
    restarter.join().unwrap();
    let summary = recorder.await.unwrap();

    assert_eq!(report.acknowledged, report.published, "the emulator waits for every acknowledgement");
    assert!(summary.reconnects >= 1, "the recorder saw the broker go away: {summary:?}");
    let store = Store::open(&db).unwrap();
    let rec = store.find_recording("pilot").unwrap().unwrap();
    assert_eq!(
        rec.received, report.published,
        "every acknowledged message is stored once ({} duplicates)",
        rec.duplicates
    );
    assert_eq!(rec.malformed, 0);
    assert_eq!(rec.devices.len(), 5);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_malformed_payloads_is_counted_exactly() {
    let broker = Mosquitto::start("flood", "");
    let dir = temp_dir("flood-db");
    let db = dir.join("rec.db");
    let recorder = start_recorder(&broker.url(), db.clone(), Duration::from_secs(3));
    broker.subscribed("scaleproof-rec-pilot").await;

    // 2,000 malformed messages of five kinds on the pilot's topics, interleaved with the pilot.
    let c = connect(&broker.url());
    let mut o = c.options("flooder", "flooder").unwrap();
    o.set_inflight(200);
    let (client, mut el) = AsyncClient::new(o, 1000);
    let acks = tokio::spawn(async move {
        let mut n = 0;
        while n < 2000 {
            if let Ok(Event::Incoming(Packet::PubAck(_))) = el.poll().await {
                n += 1;
            }
        }
    });
    let bad: [&[u8]; 5] = [
        b"\xff\xfe not even utf-8",
        b"{\"fcnt\": 1, \"time\": 1767225600000",
        b"{\"time\": 1767225600000, \"received_at\": 1767225600000}",
        b"{\"fcnt\": \"seven\", \"time\": 1767225600000, \"received_at\": 1767225600000}",
        b"{\"fcnt\": 7, \"time\": \"noon\", \"received_at\": 1767225600000}",
    ];
    let flood = tokio::spawn(async move {
        for i in 0..2000 {
            client
                .publish(format!("pilot/x/bad-{}/up", i % 7), QoS::AtLeastOnce, false, bad[i % 5].to_vec())
                .await
                .unwrap();
        }
        acks.await.unwrap();
    });
    let truth = small_truth();
    let mut report = TruthReport::default();
    publish(&c, &truth, 0.0, &mut report, &mut |_, _| {}).await.unwrap();
    flood.await.unwrap();
    let summary = recorder.await.unwrap();

    assert_eq!(summary.malformed, 2000);
    assert_eq!(summary.received, report.published);
    let store = Store::open(&db).unwrap();
    let rec = store.find_recording("pilot").unwrap().unwrap();
    assert_eq!((rec.received, rec.malformed), (report.published, 2000));
    let sample = store.malformed_sample(rec.id).unwrap();
    assert_eq!(sample.len(), store::MALFORMED_SAMPLE as usize);
    assert!(sample.iter().any(|m| m.reason.starts_with("not JSON")));
    assert!(sample.iter().any(|m| m.reason.contains("/fcnt")));
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}
