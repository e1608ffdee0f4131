//! `live` against a real mosquitto: the twin's fleet publishes what the simulation delivered,
//! devices answer commands, TLS with per-device client certificates works, and a device without
//! a valid certificate is refused.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bridge::broker::{Broker, Connect, Credentials, TlsFiles};
use bridge::live::{LiveOptions, live};
use bridge::mosquitto::{Mosquitto, temp_dir};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use sim_core::scenario::{Scenario, ScenarioSource, parse_scenario};

fn scenario(devices: u32, duration: &str) -> Scenario {
    let text = include_str!("../../scenarios/emulated-pilot.toml");
    let o = vec![
        format!("fleet.sensor.count={devices}"),
        format!("scenario.duration=\"{duration}\""),
        "scenario.price_book=\"none\"".into(),
    ];
    let o: Vec<String> = o.into_iter().filter(|x| !x.contains("price_book")).collect();
    parse_scenario(&ScenarioSource { file: "emulated-pilot.toml", bytes: text.as_bytes(), overrides: &o }).unwrap()
}

fn opts(speed: f64) -> LiveOptions {
    LiveOptions {
        speed,
        qos: QoS::AtLeastOnce,
        prefix: "fleet".into(),
        connect_rate: 500.0,
        start_unix_ms: 1_767_225_600_000,
        seed: 3,
    }
}

/// A subscriber that keeps every message on `filter`.
async fn subscriber(port: u16, filter: &str) -> (AsyncClient, Arc<Mutex<Vec<(String, serde_json::Value)>>>) {
    let mut o = MqttOptions::new("watcher", "127.0.0.1", port);
    o.set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut el) = AsyncClient::new(o, 100);
    client.subscribe(filter, QoS::AtLeastOnce).await.unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let mut ready = Some(ready_tx);
    tokio::spawn(async move {
        loop {
            match el.poll().await {
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let v = serde_json::from_slice(&p.payload).unwrap_or(serde_json::Value::Null);
                    g.lock().unwrap().push((p.topic.clone(), v));
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    ready_rx.await.unwrap();
    (client, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_publishes_what_the_twin_delivered_and_answers_commands() {
    let broker = Mosquitto::start("live", "");
    let (commander, got) = subscriber(broker.port, "fleet/#").await;
    let connect =
        Connect::new(Broker::parse(&broker.url()).unwrap(), TlsFiles::default(), Credentials::default()).unwrap();
    // 20 devices for 12 simulated hours at 14,400x: about 3 s.
    let s = scenario(20, "12h");
    let run = tokio::spawn(async move { live(&connect, &s, &opts(14_400.0)).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    commander
        .publish(
            "fleet/pilot-site/sensor-00003/command",
            QoS::AtLeastOnce,
            false,
            r#"{"id":"job-1","op":"firmware","build":7}"#,
        )
        .await
        .unwrap();
    let summary = run.await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(summary.devices, 20);
    assert_eq!(summary.connections_peak, 20);
    assert_eq!(summary.connect_failures, 0);
    assert_eq!(summary.acknowledged, summary.published);
    assert_eq!(
        summary.generated,
        summary.published + summary.not_connected + summary.dropped_by_simulation + summary.buffered_end
    );
    assert!(summary.dropped_by_simulation > 0, "the link loses messages: {summary:?}");
    let got = got.lock().unwrap();
    let telemetry: Vec<&serde_json::Value> =
        got.iter().filter(|(t, _)| t.ends_with("/telemetry")).map(|(_, v)| v).collect();
    assert_eq!(telemetry.len() as u64, summary.published, "the broker passed on every published message");
    for v in &telemetry {
        for f in ["device", "class", "site", "seq", "ts", "battery_pct", "fw", "cfg"] {
            assert!(v.get(f).is_some(), "{f} missing in {v}");
        }
    }
    // The job reached sensor-00003: it accepted, installed, and reported the new build after.
    let replies: Vec<&str> = got
        .iter()
        .filter(|(t, _)| t == "fleet/pilot-site/sensor-00003/reply")
        .filter_map(|(_, v)| v["status"].as_str())
        .collect();
    assert_eq!(replies, ["accepted", "installed"]);
    let fw: Vec<u64> =
        telemetry.iter().filter(|v| v["device"] == "sensor-00003").map(|v| v["fw"].as_u64().unwrap()).collect();
    assert_eq!(fw.first(), Some(&1));
    assert_eq!(fw.last(), Some(&7));
    // Sequence gaps where the simulation lost readings: seq never repeats within a boot.
    let seqs: Vec<u64> =
        telemetry.iter().filter(|v| v["device"] == "sensor-00000").map(|v| v["seq"].as_u64().unwrap()).collect();
    assert!(seqs.len() > 100);
}

struct Pki {
    dir: std::path::PathBuf,
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A CA, a server certificate for 127.0.0.1, and client certificates for `devices` (the last
/// one signed by a rogue CA instead).
fn pki(devices: &[String]) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let dir = temp_dir("pki");
    let ca = |cn: &str| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, cn);
        let key = KeyPair::generate().unwrap();
        let cert = p.self_signed(&key).unwrap();
        (p, key, cert)
    };
    let (ca_p, ca_key, ca_cert) = ca("Scaleproof test CA");
    let (rogue_p, rogue_key, _) = ca("rogue CA");
    let issuer = Issuer::from_params(&ca_p, &ca_key);
    let rogue = Issuer::from_params(&rogue_p, &rogue_key);
    write(&dir, "ca.crt", &ca_cert.pem());
    let key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    write(&dir, "server.crt", &server.pem());
    write(&dir, "server.key", &key.serialize_pem());
    let certs = dir.join("devices");
    std::fs::create_dir_all(&certs).unwrap();
    for (i, d) in devices.iter().enumerate() {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, d.as_str());
        let key = KeyPair::generate().unwrap();
        let by = if i + 1 == devices.len() { &rogue } else { &issuer };
        let cert = p.signed_by(&key, by).unwrap();
        write(&certs, &format!("{d}.crt"), &cert.pem());
        write(&certs, &format!("{d}.key"), &key.serialize_pem());
    }
    Pki { dir }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_client_certificates_works_and_a_device_without_a_valid_one_is_refused() {
    let devices: Vec<String> = (0..5).map(|i| format!("sensor-{i:05}")).collect();
    let pki = pki(&devices);
    let d = pki.dir.display();
    let broker = Mosquitto::start(
        "tls",
        &format!(
            "cafile {d}/ca.crt\ncertfile {d}/server.crt\nkeyfile {d}/server.key\nrequire_certificate true\nuse_identity_as_username true\n"
        ),
    );
    let url = format!("mqtts://127.0.0.1:{}", broker.port);
    let tls = TlsFiles { ca: Some(pki.dir.join("ca.crt")), cert_dir: Some(pki.dir.join("devices")) };
    let connect = Connect::new(Broker::parse(&url).unwrap(), tls, Credentials::default()).unwrap();
    let s = scenario(5, "2h");
    let summary = tokio::time::timeout(Duration::from_secs(60), live(&connect, &s, &opts(0.0))).await.unwrap().unwrap();
    // Four devices with certificates from the broker's CA connect; the fifth, whose
    // certificate a rogue CA signed, is refused every time it tries.
    assert_eq!(summary.connections_peak, 4, "{summary:?}");
    assert!(summary.connect_failures >= 1, "{summary:?}");
    assert!(summary.not_connected > 0, "{summary:?}");
    assert!(summary.acknowledged + 10 >= summary.published, "{summary:?}");
    // The broker saw the client certificate's name as the username.
    let log = broker.log();
    assert!(log.contains("sensor-00000"), "{log}");
    let _ = std::fs::remove_dir_all(&pki.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_device_logs_in_with_its_own_password_and_a_wrong_one_is_refused() {
    let dir = temp_dir("passwd");
    let pw = dir.join("passwd");
    // The broker's password file (hashed by mosquitto_passwd); the devices' file has the secrets,
    // and sensor-00002's is wrong.
    for (i, d) in ["sensor-00000", "sensor-00001", "sensor-00002"].iter().enumerate() {
        let mut c = std::process::Command::new("mosquitto_passwd");
        if i == 0 {
            c.arg("-c");
        }
        assert!(c.args(["-b", pw.to_str().unwrap(), d, &format!("secret-{i}")]).status().unwrap().success());
    }
    // mosquitto drops to its own user before reading the file.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644)).unwrap();
    let secrets = dir.join("devices.pw");
    std::fs::write(&secrets, "sensor-00000:secret-0\nsensor-00001:secret-1\nsensor-00002:guessed\n").unwrap();
    let broker = Mosquitto::start("passwd-broker", &format!("allow_anonymous false\npassword_file {}\n", pw.display()));
    let creds = Credentials::load(Some(&secrets), None).unwrap();
    let connect = Connect::new(Broker::parse(&broker.url()).unwrap(), TlsFiles::default(), creds).unwrap();
    let summary = live(&connect, &scenario(3, "2h"), &opts(0.0)).await.unwrap();
    assert_eq!(summary.connections_peak, 2, "{summary:?}");
    assert!(summary.connect_failures >= 1 && summary.not_connected > 0, "{summary:?}");
    assert_eq!(summary.acknowledged, summary.published);
    // The secrets are not in the summary.
    assert!(!format!("{summary:?}").contains("secret-"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_whose_certificate_does_not_verify_is_an_error_with_the_tls_reason() {
    // Found by probing: a rogue CA (all correctly refused) left the recorder hanging, `live`
    // exiting 0 with "0 connected" and the emulator hanging.
    let ours = pki(&["sensor-00000".to_string()]);
    let other = pki(&["x".to_string()]);
    let d = ours.dir.display();
    let broker = Mosquitto::start(
        "tls-verify",
        &format!("cafile {d}/ca.crt\ncertfile {d}/server.crt\nkeyfile {d}/server.key\nrequire_certificate false\n"),
    );
    let url = format!("mqtts://127.0.0.1:{}", broker.port);
    // The client trusts another CA than the one that signed the broker's certificate.
    let tls = TlsFiles { ca: Some(other.dir.join("ca.crt")), cert_dir: None };
    let connect = Connect::new(Broker::parse(&url).unwrap(), tls, Credentials::default()).unwrap();
    let t0 = std::time::Instant::now();
    let e = live(&connect, &scenario(2, "1h"), &opts(0.0)).await.unwrap_err().to_string();
    assert!(e.contains("TLS") && e.contains("could connect"), "{e}");
    let map = bridge::map::PilotMap::parse("map", include_str!("../../scenarios/maps/emulated-pilot.toml")).unwrap();
    let db = ours.dir.join("rec.db");
    let mut store = store::Store::open(&db).unwrap();
    let o = bridge::record::RecordOptions {
        name: "tls".into(),
        duration: Some(Duration::from_secs(30)),
        idle_timeout: None,
        created_at: "test".into(),
    };
    let e = bridge::record::record(&connect, &map, "", &mut store, &o, std::future::pending(), |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("TLS"), "{e}");
    let truth = bridge::emulate::Truth { devices: 1, days: 0.1, ..Default::default() };
    let e = bridge::emulate::publish(&connect, &truth, 0.0, &mut Default::default(), &mut |_, _| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("TLS"), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(20), "TLS failures are not retried: {:?}", t0.elapsed());
    let _ = std::fs::remove_dir_all(&ours.dir);
    let _ = std::fs::remove_dir_all(&other.dir);
}
