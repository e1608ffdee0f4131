//! The virtual fleet on a real broker. The scenario runs in the engine with every message of
//! every device traced (on its own thread, one simulated hour ahead at most); each device is
//! its own MQTT client with its own client id and credentials, and publishes each message the
//! twin delivered at the simulated time it arrived, paced at `speed` simulated seconds per wall
//! second. What the simulation lost (the link, outages, overflow, reboots) is never published;
//! what it buffered is published late, when the twin flushed it; a reboot disconnects the
//! client, which reconnects.
//!
//! Topics: `{prefix}/{site}/{device}/telemetry` (the payload below), and per device a command
//! topic `{prefix}/{site}/{device}/command` it subscribes to and answers on
//! `{prefix}/{site}/{device}/reply`.
//!
//! Telemetry payload (JSON): `{"device": "sensor-00007", "class": "sensor", "site": "north",
//! "seq": 412, "ts": 1767225600000, "battery_pct": 97.41, "fw": 1, "cfg": 0}`: `seq` restarts at
//! 0 after a reboot, `ts` is when the reading was taken (ms since the Unix epoch, simulated
//! time counted from the run's start), `battery_pct` is absent for mains devices, `fw` is the
//! firmware build and `cfg` the configuration version the device runs.
//!
//! Commands (JSON, with an `id` the reply carries back): `{"op": "ping"}`, `{"op": "config",
//! "set": {...}}` (bumps `cfg`), `{"op": "firmware", "build": 7}` (the device answers
//! `accepted`, then `installed`, and reports `fw: 7` from then on).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use rumqttc::{AsyncClient, Event, Packet, QoS};
use serde::Serialize;
use serde_json::{Value, json};
use sim_core::engine::{EpochReport, Observer, simulate_traced};
use sim_core::pilot::{PilotMessage, TwinStreams};
use sim_core::scenario::Scenario;

use crate::broker::{Connect, Unreachable};
use crate::retry::Attempts;

#[derive(Clone, Debug)]
pub struct LiveOptions {
    /// Simulated seconds per wall second; 0: as fast as the broker takes it.
    pub speed: f64,
    pub qos: QoS,
    pub prefix: String,
    /// New connections per second while the fleet comes up.
    pub connect_rate: f64,
    /// Wall-clock time (ms since the Unix epoch) of simulated time 0.
    pub start_unix_ms: i64,
    pub seed: u64,
}

impl LiveOptions {
    /// The pacing settings are finite and in range: all problems at once, by flag name.
    pub fn check(&self) -> std::result::Result<(), Vec<String>> {
        let mut bad = Vec::new();
        if !(self.speed.is_finite() && (self.speed == 0.0 || (MIN_SPEED..=1e9).contains(&self.speed))) {
            bad.push(format!(
                "--speed must be 0 (as fast as the broker takes it) or from {MIN_SPEED} to 1e9 simulated seconds per second, got {}",
                self.speed
            ));
        }
        if !(self.connect_rate.is_finite() && (1.0..=1e6).contains(&self.connect_rate)) {
            bad.push(format!("--connect-rate must be from 1 to 1e6 connections per second, got {}", self.connect_rate));
        }
        if bad.is_empty() { Ok(()) } else { Err(bad) }
    }
}

/// The slowest pace: one simulated second per 1,000 wall seconds (slower overflows the wall
/// clock's arithmetic over a long run and is never what anyone wants).
pub const MIN_SPEED: f64 = 1e-3;

/// What a live run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct LiveSummary {
    pub broker: String,
    pub devices: u32,
    /// Most clients connected at once, and connection attempts the broker refused or that failed.
    pub connections_peak: u64,
    pub connect_failures: u64,
    pub simulated_s: f64,
    /// Readings the twin took; published; acknowledged by the broker (QoS 1; QoS 0: published).
    pub generated: u64,
    pub published: u64,
    pub acknowledged: u64,
    /// Readings the simulation lost (link, outages, overflow, reboots): never published.
    pub dropped_by_simulation: u64,
    /// Readings still in device buffers when the run ended.
    pub buffered_end: u64,
    /// Readings the twin delivered while the device's MQTT client was not connected (refused by
    /// the broker, or reconnecting after a reboot): not published.
    pub not_connected: u64,
    pub reboots: u64,
    pub commands_answered: u64,
    pub wall_s: f64,
    pub messages_per_s: f64,
    /// CPU time this process used (user + system), seconds.
    pub cpu_s: f64,
}

struct Identity {
    name: String,
    /// `{prefix}/{site}/{device}`.
    topic: String,
    telemetry_topic: String,
    /// The payload's constant start: `{"device":...,"class":...,"site":...,`.
    payload_head: String,
    /// Battery devices report a battery level.
    battery: bool,
}

/// Device names and topics, by global device index.
fn identities(s: &Scenario, prefix: &str) -> Vec<Identity> {
    let layout = sim_core::engine::Layout::new(s);
    let mut out = Vec::new();
    for c in &s.classes {
        let battery = matches!(s.powers[c.power].source, sim_core::scenario::PowerSource::Battery { .. });
        for i in 0..c.count {
            let (site, _) = layout.place(s, c, i);
            let name = format!("{}-{i:05}", c.name);
            let site = s.sites[site].id.clone();
            let topic = format!("{prefix}/{site}/{name}");
            let q = |x: &str| serde_json::to_string(x).expect("a string serializes");
            let payload_head = format!("{{\"device\":{},\"class\":{},\"site\":{},", q(&name), q(&c.name), q(&site));
            out.push(Identity { telemetry_topic: format!("{topic}/telemetry"), name, topic, payload_head, battery });
        }
    }
    out
}

/// One simulated hour of the fleet.
struct Batch {
    messages: Vec<PilotMessage>,
    reboots: Vec<(u32, u64)>,
    generated: u64,
    lost: u64,
    buffered: u64,
    /// The end of the epoch, simulated microseconds.
    end_us: u64,
}

struct Forward {
    streams: TwinStreams,
    tx: tokio::sync::mpsc::Sender<Batch>,
    sent: (u64, u64),
}

impl Observer for Forward {
    fn trace(&mut self, events: &[sim_core::engine::TraceEvent]) {
        self.streams.trace(events);
    }
    fn epoch(&mut self, report: &EpochReport) {
        let (mut messages, mut reboots) = self.streams.take();
        // The trace comes device by device: put both in time order for pacing.
        messages.sort_by_key(|m| (m.rx_us, m.device));
        reboots.sort_by_key(|&(device, at)| (at, device));
        let batch = Batch {
            messages,
            reboots,
            generated: self.streams.generated - self.sent.0,
            lost: self.streams.lost - self.sent.1,
            buffered: self.streams.buffered(),
            end_us: report.end_us,
        };
        self.sent = (self.streams.generated, self.streams.lost);
        // The receiver gone means the run was stopped: the rest is not needed.
        let _ = self.tx.blocking_send(batch);
    }
    /// The engine stops within an epoch of the publisher stopping (the receiver gone).
    fn keep_going(&mut self) -> bool {
        !self.tx.is_closed()
    }
}

/// Shared per-device state the dispatcher and the device's task both see.
struct DeviceState {
    fw: AtomicU32,
    cfg: AtomicU32,
    connected: AtomicBool,
    /// Connected or refused at least once.
    settled: AtomicBool,
}

#[derive(Default)]
struct Counters {
    connected_now: AtomicU64,
    settled: AtomicU64,
    connected_peak: AtomicU64,
    connect_failures: AtomicU64,
    acked: AtomicU64,
    commands: AtomicU64,
    /// Devices whose connection gave up (a refused login, or the retry policy spent).
    gave_up: AtomicU64,
    /// Why the first device gave up.
    first_failure: std::sync::Mutex<Option<String>>,
}

/// Raises this process's open-file limit to its hard limit (each client is a socket).
#[cfg(unix)]
fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit with a valid pointer to an rlimit we own.
    unsafe {
        let mut l = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) != 0 {
            return 1024;
        }
        if l.rlim_cur < l.rlim_max {
            l.rlim_cur = l.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
        l.rlim_cur
    }
}

/// No open-file limit to raise: no warning about one.
#[cfg(not(unix))]
fn raise_fd_limit() -> u64 {
    u64::MAX
}

/// CPU seconds (user and system) this process has used.
#[cfg(unix)]
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage with a zeroed rusage we own.
    unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut u) != 0 {
            return 0.0;
        }
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        tv(u.ru_utime) + tv(u.ru_stime)
    }
}

/// Not measured here: the summary reports 0 CPU seconds.
#[cfg(not(unix))]
fn cpu_seconds() -> f64 {
    0.0
}

/// The answer to a command payload, and whether it changes the device.
fn answer(payload: &[u8], state: &DeviceState) -> Vec<Value> {
    let Ok(v) = serde_json::from_slice::<Value>(payload) else {
        return vec![json!({"status": "error", "error": "the command is not JSON"})];
    };
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    match v.get("op").and_then(Value::as_str) {
        Some("ping") => vec![json!({"id": id, "status": "ok", "op": "ping"})],
        Some("config") => match v.get("set") {
            Some(Value::Object(set)) => {
                let cfg = state.cfg.fetch_add(1, Ordering::Relaxed) + 1;
                vec![json!({"id": id, "status": "ok", "op": "config", "applied": set, "cfg": cfg})]
            }
            _ => vec![json!({"id": id, "status": "error", "error": "config needs a `set` object"})],
        },
        Some("firmware") => match v.get("build").and_then(Value::as_u64) {
            Some(build) if build <= u32::MAX as u64 => {
                state.fw.store(build as u32, Ordering::Relaxed);
                vec![
                    json!({"id": id, "status": "accepted", "op": "firmware", "build": build}),
                    json!({"id": id, "status": "installed", "op": "firmware", "build": build}),
                ]
            }
            _ => vec![json!({"id": id, "status": "error", "error": "firmware needs a `build` number"})],
        },
        Some(op) => vec![json!({"id": id, "status": "error", "error": format!("unknown op `{op}`")})],
        None => vec![json!({"id": id, "status": "error", "error": "no `op`"})],
    }
}

/// The telemetry payload of message `m` (the module's documented schema), written directly: a
/// `serde_json::Value` per message cost more CPU than the socket write.
fn telemetry(id: &Identity, m: &PilotMessage, start_unix_ms: i64, st: &DeviceState) -> String {
    use std::fmt::Write as _;
    let mut p = String::with_capacity(id.payload_head.len() + 96);
    p.push_str(&id.payload_head);
    let ts = start_unix_ms + (m.ts_us / 1000) as i64;
    let _ = write!(p, "\"seq\":{},\"ts\":{ts},", m.seq);
    if id.battery
        && let Some(b) = m.battery_pct
    {
        let _ = write!(p, "\"battery_pct\":{},", (b * 100.0).round() / 100.0);
    }
    let _ = write!(p, "\"fw\":{},\"cfg\":{}}}", st.fw.load(Ordering::Relaxed), st.cfg.load(Ordering::Relaxed));
    p
}

/// What [`live_until`] tells its caller while it runs.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveEvent {
    /// Something the user should know that does not stop the run (a low open-file limit,
    /// devices that gave up connecting), for people.
    Warning(String),
    /// After each simulated hour is published: how far the fleet has played.
    Played {
        /// Simulated seconds played so far.
        simulated_s: f64,
        /// Readings the twin took so far.
        generated: u64,
        /// Readings published so far.
        published: u64,
    },
}

/// Runs the scenario's fleet on the broker until the scenario's duration has been played
/// (events dropped: [`live_until`] hands them over).
pub async fn live(connect: &Connect, s: &Scenario, opts: &LiveOptions) -> Result<LiveSummary> {
    live_until(connect, s, opts, std::future::pending(), |_| {}).await
}

/// [`live`], stopping early when `stop` resolves: publishing ends at once (the engine stops
/// within one simulated hour), the devices disconnect and the summary counts what was
/// published until then (`simulated_s` the hours the fleet played). Runs on the caller's
/// runtime. `on` hears warnings and progress ([`LiveEvent`]) as they happen.
pub async fn live_until(
    connect: &Connect,
    s: &Scenario,
    opts: &LiveOptions,
    stop: impl std::future::Future<Output = ()>,
    mut on: impl FnMut(LiveEvent) + Send,
) -> Result<LiveSummary> {
    let mut stop_requested = std::pin::pin!(stop);
    if let Err(bad) = opts.check() {
        bail!("{}", bad.join("; "));
    }
    let started = Instant::now();
    let cpu0 = cpu_seconds();
    let ids = identities(s, &opts.prefix);
    let n = ids.len() as u32;
    if n == 0 {
        bail!("the scenario has no devices");
    }
    let fds = raise_fd_limit();
    if fds < n as u64 + 64 {
        on(LiveEvent::Warning(format!(
            "live: the open-file limit is {fds}, fewer than the {n} connections: raise it (ulimit -n)"
        )));
    }
    let counters = Arc::new(Counters::default());
    let states: Arc<Vec<DeviceState>> = Arc::new(
        (0..n)
            .map(|_| DeviceState {
                fw: AtomicU32::new(1),
                cfg: AtomicU32::new(0),
                connected: AtomicBool::new(false),
                settled: AtomicBool::new(false),
            })
            .collect(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::with_capacity(n as usize);
    let mut tasks = Vec::with_capacity(n as usize);
    for (d, id) in ids.iter().enumerate() {
        let mut o = connect.options(&id.name, &id.name)?;
        o.set_inflight(100);
        // A persistent session: what was in flight when the device rebooted is sent again (the
        // twin decided it was delivered; the MQTT layer must not lose it).
        o.set_clean_session(false);
        let (client, mut el) = AsyncClient::new(o, 64);
        let (counters, states, stop) = (counters.clone(), states.clone(), stop.clone());
        let command = format!("{}/command", id.topic);
        let reply = format!("{}/reply", id.topic);
        let c2 = client.clone();
        let delay = Duration::from_secs_f64(d as f64 / opts.connect_rate.max(1.0));
        let mut attempts = Attempts::new(connect.retry);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let st = &states[d];
            // Connected, or refused, at least once: the fleet has come up as far as it will.
            let settle = || {
                if !st.settled.swap(true, Ordering::Relaxed) {
                    counters.settled.fetch_add(1, Ordering::Relaxed);
                }
            };
            loop {
                match el.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        attempts.connected();
                        settle();
                        if !st.connected.swap(true, Ordering::Relaxed) {
                            let now = counters.connected_now.fetch_add(1, Ordering::Relaxed) + 1;
                            counters.connected_peak.fetch_max(now, Ordering::Relaxed);
                        }
                        let _ = c2.try_subscribe(command.clone(), QoS::AtLeastOnce);
                    }
                    Ok(Event::Incoming(Packet::PubAck(_))) => {
                        counters.acked.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) if p.topic == command => {
                        for a in answer(&p.payload, st) {
                            if c2.try_publish(reply.clone(), QoS::AtLeastOnce, false, a.to_string()).is_ok() {
                                counters.commands.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        settle();
                        if st.connected.swap(false, Ordering::Relaxed) {
                            counters.connected_now.fetch_sub(1, Ordering::Relaxed);
                        } else if !stop.load(Ordering::Relaxed) {
                            counters.connect_failures.fetch_add(1, Ordering::Relaxed);
                        }
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        match attempts.failed(&e) {
                            Ok(delay) => tokio::time::sleep(delay).await,
                            Err(why) => {
                                // This device stays offline; the run goes on without it.
                                counters.gave_up.fetch_add(1, Ordering::Relaxed);
                                counters.first_failure.lock().expect("not poisoned").get_or_insert(why);
                                break;
                            }
                        }
                    }
                }
            }
        }));
        clients.push(client);
    }
    // Wait until every client has connected or been refused once (each keeps trying after).
    let ramp = Duration::from_secs_f64(n as f64 / opts.connect_rate.max(1.0)) + Duration::from_secs(20);
    let t_ramp = Instant::now();
    while counters.settled.load(Ordering::Relaxed) < n as u64 && t_ramp.elapsed() < ramp {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // No device up yet: wait until one connects or every one has given up (the retry policy
    // bounds this).
    while counters.connected_now.load(Ordering::Relaxed) == 0 && counters.gave_up.load(Ordering::Relaxed) < n as u64 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let up = counters.connected_now.load(Ordering::Relaxed);
    let why = || counters.first_failure.lock().expect("not poisoned").clone().unwrap_or_else(|| "no answer".into());
    if up == 0 {
        stop.store(true, Ordering::Relaxed);
        for t in &tasks {
            t.abort();
        }
        return Err(Unreachable(format!(
            "none of the {n} devices could connect to {}: {}",
            connect.broker.display(),
            why()
        ))
        .into());
    }
    let gave_up = counters.gave_up.load(Ordering::Relaxed);
    if gave_up > 0 {
        on(LiveEvent::Warning(format!(
            "live: {gave_up} of {n} devices gave up connecting (first: {}); they stay offline",
            why()
        )));
    }
    if up < n as u64 {
        on(LiveEvent::Warning(format!(
            "live: {up} of {n} devices connected after {:.0} s; publishing anyway",
            t_ramp.elapsed().as_secs_f64()
        )));
    }

    // The engine, on its own thread, at most two simulated hours ahead.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
    let scenario = s.clone();
    let seed = opts.seed;
    let engine = std::thread::spawn(move || {
        let mut fwd = Forward { streams: TwinStreams::new(n), tx, sent: (0, 0) };
        simulate_traced(&scenario, seed, &mut fwd, n);
    });
    let mut summary = LiveSummary { broker: connect.broker.display(), devices: n, ..LiveSummary::default() };
    let t0 = Instant::now();
    let pace = |sim_us: u64| t0 + Duration::from_secs_f64(sim_us as f64 / 1e6 / opts.speed);
    let mut stopped = false;
    let mut played_us = 0;
    'batches: loop {
        let batch = tokio::select! {
            b = rx.recv() => match b {
                Some(b) => b,
                None => break,
            },
            () = &mut stop_requested => {
                stopped = true;
                break;
            }
        };
        summary.generated += batch.generated;
        summary.dropped_by_simulation += batch.lost;
        summary.buffered_end = batch.buffered;
        // A reboot disconnects its device's client when the fleet's time reaches it.
        let mut reboots = batch.reboots.iter().peekable();
        let reboot = |d: u32, summary: &mut LiveSummary| {
            let _ = clients[d as usize].try_disconnect();
            summary.reboots += 1;
        };
        for m in &batch.messages {
            while let Some(&(d, _)) = reboots.next_if(|r| r.1 <= m.rx_us) {
                reboot(d, &mut summary);
            }
            if opts.speed > 0.0 {
                let due = pace(m.rx_us);
                if due > Instant::now() + Duration::from_millis(1) {
                    tokio::select! {
                        () = tokio::time::sleep_until(due.into()) => {}
                        () = &mut stop_requested => {
                            stopped = true;
                            break 'batches;
                        }
                    }
                }
            }
            played_us = played_us.max(m.rx_us);
            let id = &ids[m.device as usize];
            let st = &states[m.device as usize];
            if !st.connected.load(Ordering::Relaxed) {
                summary.not_connected += 1;
                continue;
            }
            let p = telemetry(id, m, opts.start_unix_ms, st);
            let client = &clients[m.device as usize];
            match client.try_publish(id.telemetry_topic.clone(), opts.qos, false, p) {
                Ok(()) => {}
                // The client's queue is full: wait for it (the broker sets the pace).
                Err(rumqttc::ClientError::TryRequest(rumqttc::Request::Publish(p))) => {
                    client.publish(p.topic, opts.qos, false, p.payload).await?
                }
                Err(e) => return Err(e.into()),
            }
            summary.published += 1;
        }
        for &(d, _) in reboots {
            reboot(d, &mut summary);
        }
        on(LiveEvent::Played {
            simulated_s: batch.end_us.max(played_us) as f64 / 1e6,
            generated: summary.generated,
            published: summary.published,
        });
    }
    // Stopped early: the engine sees the receiver gone and stops after its epoch.
    drop(rx);
    engine.join().map_err(|_| anyhow::anyhow!("the engine thread panicked"))?;
    summary.simulated_s = if stopped { played_us as f64 / 1e6 } else { s.duration.as_secs_f64() };

    // Wait for the broker's acknowledgements (QoS 1) until nothing has moved for 5 s.
    if stopped {
        summary.acknowledged =
            counters.acked.load(Ordering::Relaxed).saturating_sub(counters.commands.load(Ordering::Relaxed));
    } else if opts.qos != QoS::AtMostOnce {
        // Command replies are QoS 1 too: their acknowledgements are not telemetry's.
        let acked = || counters.acked.load(Ordering::Relaxed).saturating_sub(counters.commands.load(Ordering::Relaxed));
        summary.acknowledged = crate::wait_for(acked, summary.published, Duration::from_secs(5), || false).await;
    } else {
        summary.acknowledged = summary.published;
    }
    let publish_wall = t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for c in &clients {
        let _ = c.try_disconnect();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for t in tasks {
        t.abort();
    }
    summary.connections_peak = counters.connected_peak.load(Ordering::Relaxed);
    summary.connect_failures = counters.connect_failures.load(Ordering::Relaxed);
    summary.commands_answered = counters.commands.load(Ordering::Relaxed);
    summary.wall_s = started.elapsed().as_secs_f64();
    summary.messages_per_s = summary.published as f64 / publish_wall.max(1e-9);
    summary.cpu_s = cpu_seconds() - cpu0;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> DeviceState {
        DeviceState {
            fw: AtomicU32::new(1),
            cfg: AtomicU32::new(0),
            connected: AtomicBool::new(true),
            settled: AtomicBool::new(true),
        }
    }

    #[test]
    fn the_telemetry_payload_is_the_documented_json() {
        let q = |x: &str| serde_json::to_string(x).unwrap();
        let id = Identity {
            name: "sensor-00007".into(),
            topic: "fleet/north \"shaft\"/sensor-00007".into(),
            telemetry_topic: String::new(),
            payload_head: format!(
                "{{\"device\":{},\"class\":{},\"site\":{},",
                q("sensor-00007"),
                q("sensor"),
                q("north \"shaft\"")
            ),
            battery: true,
        };
        let m = PilotMessage { device: 7, seq: 412, ts_us: 1_500_000, rx_us: 2_000_000, battery_pct: Some(97.4149) };
        let v: Value = serde_json::from_str(&telemetry(&id, &m, 1_767_225_600_000, &state())).unwrap();
        assert_eq!(
            v,
            json!({"device": "sensor-00007", "class": "sensor", "site": "north \"shaft\"", "seq": 412,
                   "ts": 1_767_225_601_500i64, "battery_pct": 97.41, "fw": 1, "cfg": 0})
        );
        let mains = Identity { battery: false, ..id };
        let v: Value = serde_json::from_str(&telemetry(&mains, &m, 0, &state())).unwrap();
        assert!(v.get("battery_pct").is_none());
    }

    #[test]
    fn commands_are_answered_and_change_what_the_device_reports() {
        let st = state();
        assert_eq!(answer(br#"{"id":"a","op":"ping"}"#, &st)[0]["status"], "ok");
        let r = answer(br#"{"id":"b","op":"firmware","build":7}"#, &st);
        assert_eq!((r[0]["status"].as_str(), r[1]["status"].as_str()), (Some("accepted"), Some("installed")));
        assert_eq!(st.fw.load(Ordering::Relaxed), 7);
        assert_eq!(answer(br#"{"id":"c","op":"config","set":{"period_s":60}}"#, &st)[0]["cfg"], 1);
        assert_eq!(answer(br#"{"id":"d","op":"reboot-everything"}"#, &st)[0]["status"], "error");
        assert_eq!(answer(b"garbage", &st)[0]["error"], "the command is not JSON");
    }
}
