//! The bridge commands for the front ends: `async fn`s that run on the caller's tokio runtime
//! (the CLI builds one and blocks on them; the desktop app awaits them in its commands) and
//! drive `bridge` (live publishing, the pilot emulator, the recorder with its live divergence
//! check against a twin). None builds a runtime of its own, so each is safe to call from async
//! code. Live publishing and recording stop on a [`CancelToken`]. A broker that cannot be
//! reached, or refuses the login, once the retry policy is spent is
//! [`ErrorCode::BrokerUnreachable`]; a bad URL, credentials file or mapping file is
//! [`ErrorCode::InvalidInput`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use bridge::broker::{Broker, Connect, Credentials, TlsFiles};
use bridge::emulate::TruthReport;
use bridge::live::{LiveEvent, LiveOptions, LiveSummary};
use bridge::map::PilotMap;
use bridge::record::{RecordOptions, RecordSummary, Recorded};
use sim_core::pilot::{PilotMessage, Tolerances, compare, stream_stats};
use store::{PilotRow, Store};

use crate::session::{CancelToken, Progress};
use crate::{Error, ErrorCode, Result};

pub use bridge::broker::{Connect as BrokerConnection, redact};
pub use bridge::emulate::Truth;
pub use bridge::live::MIN_SPEED;
#[cfg(unix)]
pub use bridge::mosquitto::{KEPT_BROKER_USER, Mosquitto as LocalBroker};

/// Reads a pilot's payload mapping file: the mapping and its text (stored with the recording).
pub fn read_map(path: &Path) -> Result<(PilotMap, String)> {
    PilotMap::read(path).map_err(|e| Error::new(ErrorCode::InvalidInput, e))
}

/// How to reach the broker: URL, TLS files, credentials (secrets stay inside).
#[derive(Clone, Debug, Default)]
pub struct BrokerArgs {
    /// The broker, `mqtt://HOST:PORT` or `mqtts://HOST:PORT` (no credentials in it).
    pub url: String,
    /// The CA certificate that signed the broker's (mqtts only).
    pub ca: Option<PathBuf>,
    /// A folder of per-device client certificates and keys (mqtts only).
    pub cert_dir: Option<PathBuf>,
    /// Passwords: one for every client, or `NAME:PASSWORD` lines (else `SCALEPROOF_MQTT_PASSWORD`).
    pub password_file: Option<PathBuf>,
    /// The user name template (`{device}` is replaced); default: the client's own name.
    pub username: Option<String>,
}

impl BrokerArgs {
    /// Everything here is the user's input: an error means a bad URL or an unreadable file.
    pub fn connect(&self) -> Result<Connect> {
        let connect = || {
            let broker = Broker::parse(&self.url)?;
            let tls = TlsFiles { ca: self.ca.clone(), cert_dir: self.cert_dir.clone() };
            let creds = Credentials::load(self.password_file.as_deref(), self.username.clone())?;
            Connect::new(broker, tls, creds)
        };
        connect().map_err(|e| Error::new(ErrorCode::InvalidInput, e))
    }
}

/// Resolves when `cancel` is cancelled; never without one.
async fn cancelled(cancel: Option<&CancelToken>) {
    match cancel {
        Some(c) => c.cancelled().await,
        None => std::future::pending().await,
    }
}

fn now_unix_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// What live publishing and recording tell their caller as they go (a front-end contract, like
/// [`Progress`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum BridgeEvent {
    /// Something the user should know that does not stop the work (a low open-file limit,
    /// devices that gave up connecting, a lost connection, a pilot drifting from its twin).
    Warning(String),
    /// How far the work is: phase `live` after each simulated hour published (`epoch` hours of
    /// `epochs`, `messages_generated` the twin's readings so far), phase `record` once connected
    /// and subscribed (no readings yet) and after each stored batch (`messages_generated` the readings stored so far; `fraction` of the
    /// duration when there is one, else 0), phase `emulate` every 1,024 readings published.
    Progress(Progress),
    /// The pilot recorded so far beside its twin over the same devices and span, after each
    /// divergence check of a recording with a twin.
    Compared(LiveComparison),
}

/// The pilot so far beside its twin (see [`BridgeEvent::Compared`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct LiveComparison {
    /// Messages recorded so far.
    pub messages: u64,
    /// Devices seen so far.
    pub devices: u32,
    /// Device-days the recording covers so far.
    pub device_days: f64,
    /// Each metric of pilot and twin, its distance and tolerance.
    pub comparison: crate::contract::PilotComparison,
}

/// `scaleproof live`: the scenario (already loaded, with --devices and --duration applied) on
/// the broker. On cancel publishing stops at once (the engine within one simulated hour) and
/// the summary counts what was published until then. `on` hears warnings and progress as they
/// happen.
pub async fn live(
    connect: &Connect,
    scenario: &sim_core::scenario::Scenario,
    opts: LiveRequest,
    on: &mut (dyn FnMut(BridgeEvent) + Send),
    cancel: Option<&CancelToken>,
) -> Result<LiveSummary> {
    let start = std::time::Instant::now();
    let duration_s = scenario.duration.as_secs_f64();
    let message = format!("live {} on {}", scenario.name, connect.broker.display());
    let epochs = scenario.duration.0.div_ceil(sim_core::engine::EPOCH_US) as u32;
    let o = LiveOptions {
        speed: opts.speed,
        qos: if opts.qos == 0 { rumqttc::QoS::AtMostOnce } else { rumqttc::QoS::AtLeastOnce },
        prefix: opts.prefix,
        connect_rate: opts.connect_rate,
        start_unix_ms: now_unix_ms(),
        seed: opts.seed.unwrap_or(scenario.seed),
    };
    Ok(bridge::live::live_until(connect, scenario, &o, cancelled(cancel), |e| match e {
        LiveEvent::Warning(w) => on(BridgeEvent::Warning(w)),
        LiveEvent::Played { simulated_s, generated, .. } => on(BridgeEvent::Progress(
            Progress {
                phase: "live".into(),
                message: message.clone(),
                epoch: (simulated_s / 3600.0) as u32,
                epochs,
                replications: 1,
                points: 1,
                messages_generated: generated,
                ..Progress::default()
            }
            .timed(if duration_s > 0.0 { simulated_s / duration_s } else { 1.0 }, start),
        )),
    })
    .await?)
}

/// How to play a scenario on the broker (see [`live`]).
pub struct LiveRequest {
    /// Simulated seconds per wall-clock second (0: as fast as the broker takes it).
    pub speed: f64,
    /// MQTT QoS of the telemetry: 0 or 1.
    pub qos: u8,
    /// The first topic level of every device (`{prefix}/{site}/{device}`).
    pub prefix: String,
    /// New connections per second while the fleet comes online.
    pub connect_rate: f64,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
}

/// `scaleproof pilot emulate`: publishes the emulated pilot and writes its ground truth. `on`
/// hears progress (phase `emulate`, `messages_generated` the readings published so far, every
/// 1,024 of them). A cancel stops publishing at once: the error is [`ErrorCode::Cancelled`], and
/// what was published stays with the broker.
pub async fn emulate(
    connect: &Connect,
    truth: &Truth,
    speed: f64,
    truth_file: Option<&Path>,
    on: &mut (dyn FnMut(BridgeEvent) + Send),
    cancel: Option<&CancelToken>,
) -> Result<TruthReport> {
    let start = std::time::Instant::now();
    let message = format!("emulate {} devices for {} days on {}", truth.devices, truth.days, connect.broker.display());
    let mut report = TruthReport::default();
    let mut published = |done: u64, total: u64| {
        on(BridgeEvent::Progress(
            Progress {
                phase: "emulate".into(),
                message: message.clone(),
                replications: 1,
                points: 1,
                messages_generated: done,
                ..Progress::default()
            }
            .timed(if total > 0 { done as f64 / total as f64 } else { 1.0 }, start),
        ))
    };
    tokio::select! {
        biased;
        () = cancelled(cancel) => {
            return Err(Error::cancelled("emulation stopped: what was published stays with the broker"));
        }
        done = bridge::emulate::publish(connect, truth, speed, &mut report, &mut published) => done?,
    }
    if let Some(f) = truth_file {
        let json = serde_json::to_string_pretty(&report).context("serialising the truth report")?;
        std::fs::write(f, json + "\n").with_context(|| format!("cannot write {}", f.display()))?;
    }
    Ok(report)
}

/// What to record from a pilot and where (see [`record`]).
pub struct RecordRequest<'a> {
    /// The run database the recording is stored in.
    pub db: &'a Path,
    /// The mapping file, read (see [`PilotMap::read`]), and its text.
    pub map: &'a PilotMap,
    /// The mapping file's text, stored with the recording.
    pub map_text: &'a str,
    /// The recording's name (also its MQTT client id, `scaleproof-rec-NAME`, whose persistent
    /// session keeps what arrives between recordings).
    pub name: String,
    /// Stop after this long (wall clock); None: until the idle timeout or a cancel.
    pub duration: Option<Duration>,
    /// Stop once no message has come for this long (counted from the first message).
    pub idle_timeout: Option<Duration>,
    /// Warn while recording when the pilot drifts away from this scenario's twin.
    pub twin: Option<&'a Path>,
    /// Check the twin every this many messages.
    pub check_every: u64,
}

/// `scaleproof pilot record`: until the duration, the idle timeout or the cancel (which ends
/// the recording as the duration would: what was received is kept). `on` hears warnings
/// (lost connections, divergence from the twin) and progress after every stored batch.
pub async fn record(
    connect: &Connect,
    req: &RecordRequest<'_>,
    on: &mut (dyn FnMut(BridgeEvent) + Send),
    cancel: &CancelToken,
) -> Result<RecordSummary> {
    let start = std::time::Instant::now();
    let mut stored = 0u64;
    let mut store = Store::open(req.db)?;
    let opts = RecordOptions {
        name: req.name.clone(),
        duration: req.duration,
        idle_timeout: req.idle_timeout,
        created_at: crate::utc_now_rfc3339(),
    };
    let mut watch = Divergence::new(req.twin, req.check_every);
    let message = format!("record {}", req.name);
    let duration = req.duration;
    let recorded = |what: Recorded<'_>| match what {
        Recorded::Stored(rows) => {
            watch.add(rows, &mut *on);
            stored += rows.len() as u64;
            let fraction = duration.map_or(0.0, |d| start.elapsed().as_secs_f64() / d.as_secs_f64().max(1e-9));
            on(BridgeEvent::Progress(
                Progress {
                    phase: "record".into(),
                    message: message.clone(),
                    replications: 1,
                    points: 1,
                    messages_generated: stored,
                    ..Progress::default()
                }
                .timed(fraction, start),
            ));
        }
        Recorded::Note(note) => on(BridgeEvent::Warning(note)),
        Recorded::Connected => on(BridgeEvent::Progress(
            Progress {
                phase: "record".into(),
                message: format!("{message}: connected, waiting for messages"),
                replications: 1,
                points: 1,
                ..Progress::default()
            }
            .timed(0.0, start),
        )),
    };
    Ok(bridge::record::record(connect, req.map, req.map_text, &mut store, &opts, cancel.cancelled(), recorded).await?)
}

/// The live divergence check: the pilot so far against its twin (same devices, same span),
/// every `every` messages; a warning per metric out of tolerance.
struct Divergence<'a> {
    twin: Option<&'a Path>,
    every: u64,
    next_check: u64,
    devices: HashMap<String, u32>,
    epoch_us: Option<i64>,
    messages: Vec<PilotMessage>,
}

impl<'a> Divergence<'a> {
    fn new(twin: Option<&'a Path>, every: u64) -> Divergence<'a> {
        Divergence {
            twin,
            every: every.max(100),
            next_check: every.max(100),
            devices: HashMap::new(),
            epoch_us: None,
            messages: Vec::new(),
        }
    }

    fn add(&mut self, rows: &[PilotRow], on: &mut (dyn FnMut(BridgeEvent) + Send)) {
        let Some(twin) = self.twin else { return };
        for r in rows {
            let n = self.devices.len() as u32;
            let device = *self.devices.entry(r.device.clone()).or_insert(n);
            // Time 0 a day before the first reading, so readings that arrive late still fit.
            let epoch = *self.epoch_us.get_or_insert(r.ts_us - 86_400_000_000);
            if r.ts_us < epoch {
                continue;
            }
            self.messages.push(PilotMessage {
                device,
                seq: r.seq,
                ts_us: (r.ts_us - epoch) as u64,
                rx_us: (r.rx_us - epoch).max(0) as u64,
                battery_pct: r.battery_pct,
            });
        }
        if (self.messages.len() as u64) < self.next_check {
            return;
        }
        self.next_check += self.every;
        let n = self.devices.len() as u32;
        let pilot = stream_stats(&self.messages, n);
        let span = self.messages.iter().map(|m| m.ts_us).max().unwrap_or(0);
        match crate::pilot::twin_messages(twin, &[], n, span) {
            Ok((_, twin_msgs)) => {
                let t = stream_stats(&twin_msgs, n);
                let c = compare(&pilot, &t, &Tolerances::default());
                for d in c.distances.iter().filter(|d| !d.ok) {
                    on(BridgeEvent::Warning(format!(
                        "divergence after {} messages ({:.1} device-days): {} pilot {:.4}, twin {:.4} ({} {:.3} > {:.3})",
                        self.messages.len(),
                        pilot.device_days,
                        d.metric,
                        d.pilot,
                        d.twin,
                        d.how,
                        d.distance,
                        d.tolerance
                    )));
                }
                on(BridgeEvent::Compared(LiveComparison {
                    messages: self.messages.len() as u64,
                    devices: n,
                    device_days: pilot.device_days,
                    comparison: (&c).into(),
                }));
            }
            Err(e) => on(BridgeEvent::Warning(format!("divergence check skipped: {e}"))),
        }
    }
}

/// `scaleproof pilot broker`: a private mosquitto on `port` (loopback) configured for recording
/// (persistent sessions and queued messages kept across its restarts in a per-user state
/// directory, autosaved every second; no limit on queued messages; 1,000 in flight per client;
/// a password for every client unless `anonymous`). See [`bridge::mosquitto::Mosquitto::start_kept`].
#[cfg(unix)]
pub fn local_broker(port: u16, anonymous: bool) -> Result<LocalBroker> {
    bridge::mosquitto::Mosquitto::start_kept(port, anonymous)
        .map_err(|e| Error::new(ErrorCode::Io, anyhow::Error::msg(e)))
}
