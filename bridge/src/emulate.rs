//! The pilot emulator: a stand-in for real hardware, for demos and tests. N devices with known
//! ground-truth parameters publish in a pilot's own format (not Scaleproof's), faster than real
//! time, with timestamps in emulated time; the ground truth goes to a file.
//!
//! It shares no code path with the twin on purpose: its randomness is `rand`'s (not sim-core's
//! counter streams), its channel, outages, reboots, latency and battery are written here from
//! their textbook definitions, so calibrating the twin from it is a real test of the fit.
//!
//! Per device, one reading every `period_s`: a Gilbert channel steps once per reading (good to
//! bad with p, bad to good with r; lost in the bad state), outages alternate exponential up and
//! down times (a reading during an outage is lost), a reboot (Poisson, `reboots_per_day`)
//! takes the place of a reading and restarts the sequence at 0, a delivered reading arrives
//! after a lognormal latency, and the battery falls linearly with reading noise.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use rand::{Rng, SeedableRng, rngs::SmallRng};
use rand_distr::{Distribution, Exp, LogNormal, Normal};
use rumqttc::{AsyncClient, Event, Packet, QoS};
use serde::{Deserialize, Serialize};

use crate::broker::{Connect, Unreachable};
use crate::retry::Attempts;

/// The emulated pilot's ground truth (and the emulator's settings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Truth {
    pub devices: u32,
    pub days: f64,
    pub period_s: f64,
    pub seed: u64,
    /// Emulated time 0, seconds since the Unix epoch.
    pub start_unix_s: i64,
    pub site: String,
    pub p_good_to_bad: f64,
    pub p_bad_to_good: f64,
    pub outage_mean_up_h: f64,
    pub outage_mean_down_h: f64,
    pub latency_median_s: f64,
    pub latency_p99_s: f64,
    pub reboots_per_day: f64,
    pub battery_drain_pct_per_day: f64,
}

impl Default for Truth {
    /// A month of 50 cellular sensors with a visible share of every effect (assumptions chosen
    /// for a demo and a test with enough events to fit: ~1,700 loss bursts, ~500 outages,
    /// ~375 reboots).
    fn default() -> Self {
        Truth {
            devices: 50,
            days: 30.0,
            period_s: 300.0,
            seed: 1,
            start_unix_s: 1_767_225_600, // 2026-01-01T00:00:00Z
            site: "pilot-site".into(),
            p_good_to_bad: 0.004,
            p_bad_to_good: 0.4,
            outage_mean_up_h: 48.0,
            outage_mean_down_h: 3.0,
            latency_median_s: 0.8,
            latency_p99_s: 6.0,
            reboots_per_day: 0.25,
            battery_drain_pct_per_day: 0.2,
        }
    }
}

impl Truth {
    /// Every setting finite and in a range the emulator can play (it holds every message of the
    /// run in memory: at most [`MAX_EMULATED_MESSAGES`]); all problems at once, by flag name.
    pub fn check(&self) -> std::result::Result<(), Vec<String>> {
        let mut bad = Vec::new();
        let mut range = |flag: &str, x: f64, lo: f64, hi: f64| {
            if !(x.is_finite() && (lo..=hi).contains(&x)) {
                bad.push(format!("--{flag} must be a number from {lo} to {hi}, got {x}"));
            }
        };
        range("devices", self.devices as f64, 1.0, 100_000.0);
        range("days", self.days, 1e-3, 3_650.0);
        range("period-s", self.period_s, 1.0, 86_400.0);
        range("p-good-to-bad", self.p_good_to_bad, 0.0, 1.0);
        range("p-bad-to-good", self.p_bad_to_good, 1e-6, 1.0);
        range("outage-up-h", self.outage_mean_up_h, 1e-3, 1e9);
        range("outage-down-h", self.outage_mean_down_h, 1e-6, 1e6);
        range("latency-median-s", self.latency_median_s, 1e-6, 86_400.0);
        range("latency-p99-s", self.latency_p99_s, 1e-6, 86_400.0);
        range("reboots-per-day", self.reboots_per_day, 0.0, 1_000.0);
        range("drain-pct-per-day", self.battery_drain_pct_per_day, 0.0, 100.0);
        if self.latency_p99_s.is_finite() && self.latency_p99_s <= self.latency_median_s {
            bad.push(format!(
                "--latency-p99-s ({}) must be above --latency-median-s ({})",
                self.latency_p99_s, self.latency_median_s
            ));
        }
        let messages = self.devices as f64 * self.days * 86_400.0 / self.period_s;
        if messages.is_finite() && messages > MAX_EMULATED_MESSAGES as f64 {
            bad.push(format!(
                "{messages:.0} readings ({} devices x {} days every {} s): at most {MAX_EMULATED_MESSAGES} (fewer devices or days, or a longer period)",
                self.devices, self.days, self.period_s
            ));
        }
        if bad.is_empty() { Ok(()) } else { Err(bad) }
    }
}

/// The most readings one emulation generates (about 1 GB of messages in memory).
pub const MAX_EMULATED_MESSAGES: u64 = 20_000_000;

/// What the emulator did: the ground truth plus what happened.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TruthReport {
    pub truth: Option<Truth>,
    pub readings: u64,
    pub lost_channel: u64,
    pub lost_outage: u64,
    pub reboots: u64,
    pub outages: u64,
    pub published: u64,
    pub acknowledged: u64,
    pub wall_s: f64,
}

/// One message as the emulated hardware sends it.
#[derive(Clone, Debug)]
pub struct EmuMessage {
    pub device: u32,
    pub seq: u64,
    pub ts_s: f64,
    pub rx_s: f64,
    pub battery_pct: f64,
}

pub fn device_name(i: u32) -> String {
    format!("emu-{i:03}")
}

/// The topic and payload the emulated hardware uses (the pilot's format, read by
/// `scenarios/maps/emulated-pilot.toml`).
pub fn encode(t: &Truth, m: &EmuMessage) -> (String, Vec<u8>) {
    let name = device_name(m.device);
    let topic = format!("pilot/{}/{name}/up", t.site);
    let ms = |s: f64| (t.start_unix_s as f64 * 1000.0 + s * 1000.0).round() as i64;
    let payload = serde_json::json!({
        "dev": name,
        "fcnt": m.seq,
        "time": ms(m.ts_s),
        "received_at": ms(m.rx_s),
        "batt": { "pct": (m.battery_pct * 10.0).round() / 10.0 },
        "rms": 1.0 + (m.seq % 7) as f64 * 0.1,
    });
    (topic, payload.to_string().into_bytes())
}

/// Generates every delivered message of the emulated pilot, sorted by arrival.
pub fn generate(t: &Truth, report: &mut TruthReport) -> Result<Vec<EmuMessage>> {
    if let Err(bad) = t.check() {
        bail!("{}", bad.join("; "));
    }
    let sigma = (t.latency_p99_s / t.latency_median_s).ln() / 2.326_347_874;
    let latency = LogNormal::new(t.latency_median_s.ln(), sigma.max(1e-9))?;
    let up = Exp::new(1.0 / (t.outage_mean_up_h * 3600.0))?;
    let down = Exp::new(1.0 / (t.outage_mean_down_h * 3600.0))?;
    let noise = Normal::new(0.0, 0.05)?;
    let p_reboot = t.reboots_per_day * t.period_s / 86_400.0;
    let horizon_s = t.days * 86_400.0;
    let mut out = Vec::new();
    for d in 0..t.devices {
        let mut rng = SmallRng::seed_from_u64(t.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ d as u64);
        let start_pct = rng.random_range(95.0..100.0);
        let offset = rng.random_range(0.0..t.period_s);
        let mut bad = rng.random::<f64>() < t.p_good_to_bad / (t.p_good_to_bad + t.p_bad_to_good);
        let mut next_down = up.sample(&mut rng);
        let mut next_up = next_down + down.sample(&mut rng);
        report.outages += u64::from(next_down < horizon_s);
        let mut seq = 0u64;
        let mut k = 0u64;
        loop {
            let ts = offset + k as f64 * t.period_s;
            if ts >= horizon_s {
                break;
            }
            k += 1;
            while ts >= next_up {
                next_down = next_up + up.sample(&mut rng);
                next_up = next_down + down.sample(&mut rng);
                report.outages += u64::from(next_down < horizon_s);
            }
            if rng.random::<f64>() < p_reboot {
                report.reboots += 1;
                seq = 0;
                continue;
            }
            report.readings += 1;
            let this = seq;
            seq += 1;
            bad = if bad { rng.random::<f64>() >= t.p_bad_to_good } else { rng.random::<f64>() < t.p_good_to_bad };
            if bad {
                report.lost_channel += 1;
                continue;
            }
            if ts >= next_down {
                report.lost_outage += 1;
                continue;
            }
            let battery = start_pct - t.battery_drain_pct_per_day * ts / 86_400.0 + noise.sample(&mut rng);
            out.push(EmuMessage {
                device: d,
                seq: this,
                ts_s: ts,
                rx_s: ts + latency.sample(&mut rng),
                battery_pct: battery,
            });
        }
    }
    out.sort_by(|a, b| a.rx_s.total_cmp(&b.rx_s).then(a.device.cmp(&b.device)));
    Ok(out)
}

/// Publishes the emulated pilot to the broker: one MQTT client per device (client id
/// `emu-NNN`, persistent session, QoS 1), paced at `speed` emulated seconds per wall second
/// (0: as fast as the broker takes them). Returns once the broker has acknowledged every
/// message; a broker that goes away is waited for, and unacknowledged messages are resent.
/// `on_published(published, total)` hears how far it is every 1,024 messages and at the end.
pub async fn publish(
    connect: &Connect,
    t: &Truth,
    speed: f64,
    report: &mut TruthReport,
    on_published: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<()> {
    let started = Instant::now();
    let messages = generate(t, report)?;
    let acked = Arc::new(AtomicU64::new(0));
    // The first client that gave up, and why: the emulation cannot be complete without it.
    let gave_up: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let mut clients = Vec::new();
    let mut loops = Vec::new();
    for d in 0..t.devices {
        let name = device_name(d);
        let mut o = connect.options(&name, &name)?;
        o.set_clean_session(false);
        o.set_inflight(100);
        let (client, mut el) = AsyncClient::new(o, 256);
        let (acked, gave_up) = (acked.clone(), gave_up.clone());
        let mut attempts = Attempts::new(connect.retry);
        loops.push(tokio::spawn(async move {
            loop {
                match el.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => attempts.connected(),
                    Ok(Event::Incoming(Packet::PubAck(_))) => {
                        acked.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(e) => match attempts.failed(&e) {
                        Ok(delay) => tokio::time::sleep(delay).await,
                        Err(why) => {
                            gave_up.lock().expect("not poisoned").get_or_insert(format!("{name}: {why}"));
                            break;
                        }
                    },
                }
            }
        }));
        clients.push(client);
    }
    let failed = || gave_up.lock().expect("not poisoned").clone();
    let t0 = Instant::now();
    for m in &messages {
        if speed > 0.0 {
            let due = t0 + Duration::from_secs_f64(m.rx_s / speed);
            if due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
        }
        let (topic, payload) = encode(t, m);
        // A client whose connection gave up drops its requests: the publish fails, and the
        // reason is the connection's.
        if clients[m.device as usize].publish(topic, QoS::AtLeastOnce, false, payload).await.is_err() {
            break;
        }
        report.published += 1;
        if report.published.is_multiple_of(1024) {
            on_published(report.published, messages.len() as u64);
            if let Some(why) = failed() {
                return Err(Unreachable(format!("cannot publish to {}: {why}", connect.broker.display())).into());
            }
        }
    }
    on_published(report.published, messages.len() as u64);
    if let Some(why) = failed() {
        return Err(Unreachable(format!("cannot publish to {}: {why}", connect.broker.display())).into());
    }
    // Wait for every acknowledgement; give up only when nothing has moved for a minute.
    report.acknowledged = crate::wait_for(
        || acked.load(Ordering::Relaxed),
        report.published,
        Duration::from_secs(60),
        || failed().is_some(),
    )
    .await;
    if let Some(why) = failed() {
        return Err(Unreachable(format!(
            "cannot publish to {}: {why} ({} of {} messages acknowledged)",
            connect.broker.display(),
            report.acknowledged,
            report.published
        ))
        .into());
    }
    for c in &clients {
        let _ = c.disconnect().await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    for l in loops {
        l.abort();
    }
    report.truth = Some(t.clone());
    report.wall_s = started.elapsed().as_secs_f64();
    if report.acknowledged < report.published {
        bail!(
            "the broker acknowledged {} of {} messages (no progress for 60 s)",
            report.acknowledged,
            report.published
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_emulated_pilot_shows_its_ground_truth() {
        let t = Truth::default();
        let mut r = TruthReport::default();
        let ms = generate(&t, &mut r).unwrap();
        let slots = (t.devices as f64 * t.days * 86_400.0 / t.period_s).round() as u64;
        assert_eq!(r.readings + r.reboots, slots);
        assert_eq!(ms.len() as u64, r.readings - r.lost_channel - r.lost_outage);
        // Stationary loss p/(p+r) = 0.99 %; 432,000 readings: SD 0.05 points (bursty, so wider).
        let loss = r.lost_channel as f64 / r.readings as f64;
        assert!((loss - 0.004 / 0.404).abs() < 0.002, "{loss}");
        // Down share 3/51 = 5.9 %.
        let down = r.lost_outage as f64 / r.readings as f64;
        assert!((down - 3.0 / 51.0).abs() < 0.012, "{down}");
        assert!(ms.windows(2).all(|w| w[0].rx_s <= w[1].rx_s));
    }

    #[test]
    fn settings_that_cannot_be_played_are_refused_not_a_panic_or_an_abort() {
        // Found by probing: `--period-s nan` panicked and `--days inf` aborted on a 5 GB
        // allocation.
        let mut r = TruthReport::default();
        for t in [
            Truth { period_s: f64::NAN, ..Truth::default() },
            Truth { days: f64::INFINITY, ..Truth::default() },
            Truth { days: 3_000.0, period_s: 1.0, ..Truth::default() },
            Truth { latency_p99_s: 0.1, ..Truth::default() },
            Truth { p_good_to_bad: -0.5, ..Truth::default() },
        ] {
            let e = generate(&t, &mut r).unwrap_err().to_string();
            assert!(e.contains("--") || e.contains("at most"), "{e}");
        }
        let e = Truth { period_s: f64::NAN, days: -1.0, ..Truth::default() }.check().unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
    }
}
