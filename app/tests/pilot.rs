//! The pilot screen's commands without a window, against a real mosquitto the app starts: the
//! emulated pilot recorded with its twin beside it live, a stop that stops the emulator, the
//! pilot compared with its twin and the report written, and the broker's password never in
//! anything the window receives.

use std::path::PathBuf;
use std::time::Duration;

use scaleproof_studio::commands::{AppState, cancel_run_with};
use scaleproof_studio::pilot::{
    BrokerAsk, RecordAsk, compare_pilot_with, emulate_with, pilot_defaults, record_with, start_local_broker_with,
};
use studio::bridge::{BridgeEvent, Truth};
use studio::{Config, ErrorCode};

#[test]
fn a_pilot_is_emulated_recorded_beside_its_twin_and_compared() {
    let dir = std::env::temp_dir().join(format!("scaleproof-app-pilot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // SAFETY: the only test of this binary sets it before any other thread starts; the
    // broker's state (and its password) goes to this test's folder, not the user's.
    unsafe { std::env::set_var("XDG_STATE_HOME", &dir) };
    let state = AppState::new(Config::in_dir(&dir));
    let defaults = pilot_defaults();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();

    let info = start_local_broker_with(&state, port).unwrap();
    assert_eq!(start_local_broker_with(&state, port).unwrap(), info, "started once");
    let secret = std::fs::read_to_string(&info.password_file).unwrap();
    let secret = secret.trim().rsplit(':').next().unwrap();
    assert!(secret.len() >= 16);
    let shown =
        format!("{}{}{}{}", info.url, info.username, info.password_file, serde_json::to_string(&defaults).unwrap());
    assert!(!shown.contains(secret), "the password never reaches the window");
    let broker = BrokerAsk {
        url: info.url.clone(),
        username: Some(info.username.clone()),
        password_file: Some(info.password_file.clone()),
        ca: Some("  ".into()),
        ..BrokerAsk::default()
    };

    tauri::async_runtime::block_on(async {
        let ask = RecordAsk {
            map: defaults.map.clone().into(),
            name: "bench".into(),
            duration_s: None,
            idle_timeout_s: Some(3.0),
            twin: Some(PathBuf::from(&defaults.twin)),
            check_every: 500,
        };
        let recorder = {
            let (state, broker) = (&state, broker.clone());
            async move {
                let mut events = Vec::new();
                record_with(state, 1, &broker, &ask, &mut |e| events.push(e)).await.map(|s| (s, events))
            }
        };
        let emulator = async {
            // The recorder subscribes first, or the broker would drop what comes before it.
            while !state.local_broker().as_ref().unwrap().is_subscribed("scaleproof-rec-bench") {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let truth = Truth { devices: 5, days: 2.0, ..defaults.truth.clone() };
            let mut events = Vec::new();
            emulate_with(&state, 2, &broker, &truth, 0.0, &mut |e| events.push(e)).await.map(|r| (r, events))
        };
        let (recorded, emulated) = tokio::join!(recorder, emulator);
        let (report, emu_events) = emulated.unwrap();
        let (summary, rec_events) = recorded.unwrap();
        assert_eq!(summary.received, report.published, "every reading recorded once");
        assert!(emu_events.iter().any(|e| matches!(e, BridgeEvent::Progress(p) if p.fraction == 1.0)));
        let compared = rec_events.iter().filter(|e| matches!(e, BridgeEvent::Compared(_))).count();
        assert!(compared >= 1, "the pilot so far beside its twin while recording");

        // A real-time emulation would take days: the stop button ends it at once.
        let slow = Truth { devices: 2, days: 1.0, ..defaults.truth.clone() };
        let stop = async {
            while !cancel_run_with(&state, 3) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        let mut ignore = |_| {};
        let (stopped, ()) = tokio::join!(emulate_with(&state, 3, &broker, &slow, 1.0, &mut ignore), stop);
        assert_eq!(stopped.unwrap_err().code(), ErrorCode::Cancelled);
    });

    // The pilot beside its twin, and the report of it.
    let c = compare_pilot_with(&state.config().db, "bench", defaults.twin.as_ref()).unwrap();
    assert!(c.comparison.distances.len() >= 4);
    let html = dir.join("pilot.html");
    studio::reports::write_report(&c.report, &html).unwrap();
    assert!(std::fs::read_to_string(&html).unwrap().contains("twin"));
    let Err(missing) = compare_pilot_with(&state.config().db, "no-such-recording", defaults.twin.as_ref()) else {
        panic!("no such recording")
    };
    assert_eq!(missing.code(), ErrorCode::NotFound, "{missing}");

    // A bad URL is the user's to fix.
    let bad = BrokerAsk { url: "http://example.org".into(), ..BrokerAsk::default() };
    assert_eq!(bad.connect().unwrap_err().code(), ErrorCode::InvalidInput);

    assert!(state.stop_broker());
    assert!(!state.stop_broker());
}
