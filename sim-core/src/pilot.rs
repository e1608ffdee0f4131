//! Pilot maths: what a message stream (recorded from a real pilot, or traced from its twin) says
//! about the link, the devices and their batteries; the calibration fit with 95 % intervals; and
//! the pilot-versus-twin distances with a verdict. Pure functions over [`PilotMessage`]s; the
//! MQTT side lives in `bridge`, storage in `store`.
//!
//! The model the fit inverts is the twin's (see `engine::device::tick`) for an unacknowledged
//! uplink: a Gilbert channel stepped once per sample (loss 0 in the good state, 1 in the bad
//! one), device-scope outages with exponential up and down times during which every sample is
//! lost, reboots that restart the sequence numbering, lognormal one-way latency, and a battery
//! draining linearly.

use std::collections::VecDeque;

use crate::engine::trace::{TraceEvent, TraceKind};
use crate::models::latency::inverse_normal_cdf;

/// One received message, reduced to what the maths needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PilotMessage {
    /// Device index within the recording (0..devices).
    pub device: u32,
    /// The device's sequence number; it restarts (goes down) when the device reboots.
    pub seq: u64,
    /// When the device took the reading (device clock), µs since the recording's epoch.
    pub ts_us: u64,
    /// When the backend received it, µs since the same epoch.
    pub rx_us: u64,
    /// Battery charge the device reported with the reading, percent of capacity, if it reports one.
    pub battery_pct: Option<f64>,
}

/// Turns a traced run's events (see `engine::trace`) into the messages its backend receives,
/// numbered the way a device numbers them: from 0, again after every reboot. An engine
/// `Observer`; take what arrived after each epoch with [`TwinStreams::take`].
#[derive(Debug, Default)]
pub struct TwinStreams {
    devices: Vec<DeviceSeq>,
    messages: Vec<PilotMessage>,
    reboots: Vec<(u32, u64)>,
    /// Readings taken, and readings that left a buffer without arriving, so far.
    pub generated: u64,
    /// Readings that left a buffer without arriving (lost on the link, or wiped), so far.
    pub lost: u64,
}

#[derive(Debug, Default, Clone)]
struct DeviceSeq {
    next_seq: u64,
    /// Readings in the device's buffer: tick, sequence number, time, battery.
    pending: VecDeque<(u32, u64, u64, f32)>,
}

impl TwinStreams {
    /// A recorder for a run of `devices` devices (device indices 0..devices).
    pub fn new(devices: u32) -> TwinStreams {
        TwinStreams { devices: vec![DeviceSeq::default(); devices as usize], ..TwinStreams::default() }
    }

    /// Messages and reboots (device, time µs) since the last call, in the order noted.
    pub fn take(&mut self) -> (Vec<PilotMessage>, Vec<(u32, u64)>) {
        (std::mem::take(&mut self.messages), std::mem::take(&mut self.reboots))
    }

    /// Readings still in a buffer.
    pub fn buffered(&self) -> u64 {
        self.devices.iter().map(|d| d.pending.len() as u64).sum()
    }

    fn event(&mut self, e: &TraceEvent) {
        let Some(d) = self.devices.get_mut(e.device as usize) else { return };
        let find = |d: &DeviceSeq, tick: u32| d.pending.iter().position(|p| p.0 == tick);
        match e.kind {
            TraceKind::Sample { tick, battery_pct } => {
                self.generated += 1;
                d.pending.push_back((tick, d.next_seq, e.at_us, battery_pct));
                d.next_seq += 1;
            }
            TraceKind::Delivered { tick, .. } => {
                if let Some(i) = find(d, tick) {
                    let (_, seq, ts_us, battery) = d.pending.remove(i).expect("found");
                    self.messages.push(PilotMessage {
                        device: e.device,
                        seq,
                        ts_us,
                        rx_us: e.at_us,
                        battery_pct: (!battery.is_nan()).then_some(battery as f64),
                    });
                }
            }
            TraceKind::Lost { tick } => {
                if let Some(i) = find(d, tick) {
                    d.pending.remove(i);
                    self.lost += 1;
                }
            }
            TraceKind::Wiped => {
                self.lost += d.pending.len() as u64;
                d.pending.clear();
            }
            TraceKind::Reboot => {
                d.next_seq = 0;
                self.reboots.push((e.device, e.at_us));
            }
        }
    }
}

impl crate::engine::Observer for TwinStreams {
    fn epoch(&mut self, _: &crate::engine::EpochReport) {}
    fn trace(&mut self, events: &[TraceEvent]) {
        for e in events {
            self.event(e);
        }
    }
}

/// A gap in one device's sequence numbers between two received messages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gap {
    /// Messages missing.
    pub missing: u64,
    /// Time between the readings on either side, µs.
    pub silence_us: u64,
}

/// What a message stream shows, before any model is fitted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamStats {
    /// Devices in the recording (indices 0..devices).
    pub devices: u32,
    /// Device-time covered: first to last reading of each device, summed, days.
    pub device_days: f64,
    /// Median time between consecutive sequence numbers, µs.
    pub period_us: u64,
    /// Messages received, duplicates counted once.
    pub received: u64,
    /// Sequence numbers that should have arrived between each device's first and last message
    /// of each boot (received + missing).
    pub expected: u64,
    /// Messages received more than once (same device, sequence number and reading time).
    pub duplicates: u64,
    /// Every gap, in device order then time order.
    pub gaps: Vec<Gap>,
    /// Sequence restarts.
    pub reboots: u64,
    /// Latency of each message, seconds (rx - ts; negative clock skew clamped to 0).
    pub latencies_s: Vec<f64>,
    /// Least-squares battery slope of each device with at least 3 readings, % per day.
    pub battery_slopes_pct_per_day: Vec<f64>,
}

impl StreamStats {
    /// Whether a gap is an outage (a silence of at least [`OUTAGE_THRESHOLD_PERIODS`] reporting
    /// periods) rather than a loss burst on the channel.
    pub fn is_outage(&self, g: &Gap) -> bool {
        g.silence_us as f64 >= OUTAGE_THRESHOLD_PERIODS * self.period_us as f64
    }

    /// The gaps that are loss bursts, in order.
    pub fn bursts(&self) -> impl Iterator<Item = &Gap> {
        self.gaps.iter().filter(|g| !self.is_outage(g))
    }

    /// Received / expected messages, 0..1 (1 when nothing was expected).
    pub fn delivery_ratio(&self) -> f64 {
        if self.expected == 0 { 1.0 } else { self.received as f64 / self.expected as f64 }
    }
}

/// Reads the streams of `devices` devices. Messages may come in any order; duplicates (same
/// device, sequence number and reading time) count once.
pub fn stream_stats(messages: &[PilotMessage], devices: u32) -> StreamStats {
    let mut by_device: Vec<Vec<PilotMessage>> = vec![Vec::new(); devices as usize];
    for m in messages {
        if let Some(v) = by_device.get_mut(m.device as usize) {
            v.push(*m);
        }
    }
    let mut st = StreamStats { devices, ..StreamStats::default() };
    let mut steps: Vec<u64> = Vec::new();
    for v in &mut by_device {
        v.sort_by_key(|m| (m.ts_us, m.seq));
        let before = v.len();
        v.dedup_by_key(|m| (m.ts_us, m.seq));
        st.duplicates += (before - v.len()) as u64;
        let Some(first) = v.first() else { continue };
        st.device_days += (v.last().expect("not empty").ts_us - first.ts_us) as f64 / 86_400e6;
        st.received += v.len() as u64;
        st.expected += 1;
        for w in v.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b.seq <= a.seq {
                st.reboots += 1;
                st.expected += 1;
                continue;
            }
            let d = b.seq - a.seq;
            st.expected += d;
            if d == 1 {
                steps.push(b.ts_us - a.ts_us);
            } else {
                st.gaps.push(Gap { missing: d - 1, silence_us: b.ts_us - a.ts_us });
            }
        }
        st.latencies_s.extend(v.iter().map(|m| m.rx_us.saturating_sub(m.ts_us) as f64 / 1e6));
        let readings: Vec<(f64, f64)> =
            v.iter().filter_map(|m| m.battery_pct.map(|b| (m.ts_us as f64 / 86_400e6, b))).collect();
        if readings.len() >= 3
            && let Some(slope) = least_squares_slope(&readings)
        {
            st.battery_slopes_pct_per_day.push(slope);
        }
    }
    steps.sort_unstable();
    st.period_us = steps.get(steps.len() / 2).copied().unwrap_or(0);
    st
}

fn least_squares_slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// A fitted value with its 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// Lower bound of the 95 % interval.
    pub low: f64,
    /// Upper bound of the 95 % interval.
    pub high: f64,
    /// Observations behind it (bursts, outages, messages, devices, ...).
    pub n: u64,
}

impl Estimate {
    fn normal(value: f64, se: f64, n: u64) -> Estimate {
        Estimate { value, low: value - 1.96 * se, high: value + 1.96 * se, n }
    }

    /// The same interval through a monotone map (e.g. a rate to its mean time).
    fn map(self, f: impl Fn(f64) -> f64) -> Estimate {
        let (a, b) = (f(self.low), f(self.high));
        Estimate { value: f(self.value), low: a.min(b), high: a.max(b), n: self.n }
    }

    /// Whether `x` lies inside the interval (bounds included).
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// The calibrated parameters (the names say their units).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Fit {
    /// Devices in the recording.
    pub devices: u32,
    /// Device-time covered, days (see [`StreamStats::device_days`]).
    pub device_days: f64,
    /// Reporting period (median time between consecutive messages), seconds.
    pub period_s: f64,
    /// Messages received.
    pub received: u64,
    /// Received / expected messages, 0..1.
    pub delivery_ratio: f64,
    /// Gilbert channel: good to bad and bad to good per sample.
    pub p_good_to_bad: Estimate,
    /// Gilbert channel: probability per sample of leaving the bad state (1 / mean burst length).
    pub p_bad_to_good: Estimate,
    /// Gaps at least this long (in time) are outages; shorter ones are channel bursts.
    pub outage_threshold_s: f64,
    /// Outages seen: silences of at least `outage_threshold_s` (0 when the fit was degenerate).
    pub outages_seen: u64,
    /// Mean time between outages (link up), hours; infinite when no outage was fitted.
    pub outage_mean_up_h: Estimate,
    /// Mean outage length (link down), hours.
    pub outage_mean_down_h: Estimate,
    /// Median one-way latency of the lognormal fit, seconds (0 when fewer than 10 latencies).
    pub latency_median_s: Estimate,
    /// 99th-percentile one-way latency of the lognormal fit, seconds (0 when not fitted).
    pub latency_p99_s: Estimate,
    /// Device reboots (sequence restarts) per device-day, Poisson rate.
    pub reboots_per_day: Estimate,
    /// Battery drain, % of capacity per day (positive: draining). None without readings.
    pub battery_drain_pct_per_day: Option<Estimate>,
    /// What the fit could not do well, in words.
    pub warnings: Vec<String>,
}

/// Silences at least this many periods long are outages.
pub const OUTAGE_THRESHOLD_PERIODS: f64 = 20.0;

/// The shortest mean up time an outage fit may give (the scenario's lower bound for
/// `outages.mean_up`): below it the fit is degenerate.
pub const MIN_OUTAGE_MEAN_UP_S: f64 = 60.0;

/// Fits the twin's parameters to `st`. Errors when there is too little to fit anything.
pub fn fit(st: &StreamStats) -> Result<Fit, String> {
    if st.received < 100 || st.period_us == 0 {
        return Err(format!(
            "{} messages from {} devices: too few to calibrate (need at least 100 with consecutive sequence numbers)",
            st.received, st.devices
        ));
    }
    let period_s = st.period_us as f64 / 1e6;
    let threshold_s = OUTAGE_THRESHOLD_PERIODS * period_s;
    let mut warnings = Vec::new();

    // Outages: silences of at least the threshold. Down times are exponential, so the excess
    // over the threshold has the down time's mean, and the outages too short to see are
    // exp(-threshold/mean) of all.
    let long: Vec<&Gap> = st.gaps.iter().filter(|g| st.is_outage(g)).collect();
    let mut n_out = long.len() as u64;
    let total_s = st.device_days * 86_400.0;
    let (mut mean_down_s, mut n_out_all, mut down_s_all) = if n_out > 0 {
        // A silence spans the outage plus about one period (half a period on each side).
        let excess: f64 = long.iter().map(|g| g.silence_us as f64 / 1e6 - threshold_s).sum::<f64>() / n_out as f64;
        let mean_down = excess.max(period_s);
        let seen_share = (-(threshold_s - period_s) / mean_down).exp();
        let n_all = n_out as f64 / seen_share;
        (mean_down, n_all, n_all * mean_down)
    } else {
        warnings.push("no silence long enough to be an outage: outages not fitted (set none)".into());
        (0.0, 0.0, 0.0)
    };
    // A degenerate fit: the long silences, read as exponential outages, imply more down time
    // than the recording has (or outages closer than a minute apart). They are the channel's
    // long bursts, not outages: fitted as bursts, and no outages are written.
    let mut all_gaps_are_bursts = false;
    if n_out > 0 {
        let up_s = total_s - down_s_all;
        let mean_up_s = up_s / n_out_all;
        if !(up_s > 0.0 && mean_up_s.is_finite() && mean_up_s >= MIN_OUTAGE_MEAN_UP_S) {
            warnings.push(format!(
                "degenerate outage fit: {n_out} silences of {threshold_s:.0} s or more would mean {:.0} outages down {:.1} % of the time; they are fitted as loss bursts and no outages are written",
                n_out_all,
                100.0 * down_s_all / total_s.max(1.0)
            ));
            (n_out, mean_down_s, n_out_all, down_s_all) = (0, 0.0, 0.0, 0.0);
            all_gaps_are_bursts = true;
        }
    }
    let outage_mean_down_h =
        Estimate::normal(mean_down_s, mean_down_s / (n_out.max(1) as f64).sqrt(), n_out).map(|s| s / 3600.0);
    let up_s = (total_s - down_s_all).max(0.0);
    let outage_mean_up_h = if n_out > 0 {
        let rate = n_out_all / up_s;
        Estimate::normal(rate, rate / (n_out as f64).sqrt(), n_out).map(|r| 1.0 / r / 3600.0)
    } else {
        Estimate { value: f64::INFINITY, low: f64::INFINITY, high: f64::INFINITY, n: 0 }
    };

    // Channel bursts: the gaps shorter than the threshold, less the short outages expected among
    // them (their number from the outage fit, their length from the exponential below the
    // threshold, in samples).
    let short: Vec<&Gap> = if all_gaps_are_bursts { st.gaps.iter().collect() } else { st.bursts().collect() };
    let mut bursts = short.len() as f64;
    let mut burst_samples: f64 = short.iter().map(|g| g.missing as f64).sum();
    if n_out > 0 {
        let hidden = n_out_all - n_out as f64;
        let m = mean_down_s;
        let c = threshold_s - period_s;
        let q = (-c / m).exp();
        let mean_short_s = m - c * q / (1.0 - q);
        bursts = (bursts - hidden).max(1.0);
        burst_samples = (burst_samples - hidden * (mean_short_s / period_s).max(1.0)).max(bursts);
    }
    // Samples in the good state that could have started a burst: every received message.
    let good = st.received as f64;
    let p = bursts / good;
    let r = (bursts / burst_samples).min(1.0);
    let n_bursts = bursts.round() as u64;
    if n_bursts < 30 {
        warnings.push(format!("only {n_bursts} loss bursts: the channel fit is rough"));
    }
    let p_good_to_bad = Estimate::normal(p, (p * (1.0 - p) / good).sqrt(), n_bursts);
    let p_bad_to_good = Estimate::normal(r, r * ((1.0 - r).max(0.0) / bursts.max(1.0)).sqrt(), n_bursts);

    // Latency: lognormal by the moments of the logs; messages that waited a period or more
    // (buffered behind an outage) are not network latency and are left out.
    let logs: Vec<f64> = st.latencies_s.iter().filter(|&&l| l > 0.0 && l < period_s).map(|l| l.ln()).collect();
    let (latency_median_s, latency_p99_s) = if logs.len() >= 10 {
        let n = logs.len() as f64;
        let mu = logs.iter().sum::<f64>() / n;
        let sigma = (logs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let z99 = inverse_normal_cdf(0.99);
        let se_mu = sigma / n.sqrt();
        let se_q = (sigma * sigma / n + z99 * z99 * sigma * sigma / (2.0 * (n - 1.0))).sqrt();
        (
            Estimate::normal(mu, se_mu, logs.len() as u64).map(f64::exp),
            Estimate::normal(mu + z99 * sigma, se_q, logs.len() as u64).map(f64::exp),
        )
    } else {
        warnings.push("fewer than 10 latencies: latency not fitted".into());
        let zero = Estimate { value: 0.0, low: 0.0, high: 0.0, n: logs.len() as u64 };
        (zero, zero)
    };

    // Reboots: a Poisson rate per device-day.
    let rate = st.reboots as f64 / st.device_days.max(1e-9);
    let reboots_per_day =
        Estimate::normal(rate, (st.reboots.max(1) as f64).sqrt() / st.device_days.max(1e-9), st.reboots);

    // Battery: the mean of the devices' slopes, with a Student-t interval across devices.
    let battery_drain_pct_per_day = if st.battery_slopes_pct_per_day.len() >= 2 {
        let drains: Vec<f64> = st.battery_slopes_pct_per_day.iter().map(|s| -s).collect();
        let (mean, half) = crate::replication::mean_ci95(&drains);
        Some(Estimate { value: mean, low: mean - half, high: mean + half, n: drains.len() as u64 })
    } else {
        warnings.push("battery readings from fewer than 2 devices: drain not fitted".into());
        None
    };

    Ok(Fit {
        devices: st.devices,
        device_days: st.device_days,
        period_s,
        received: st.received,
        delivery_ratio: st.delivery_ratio(),
        p_good_to_bad,
        p_bad_to_good,
        outage_threshold_s: threshold_s,
        outages_seen: n_out,
        outage_mean_up_h,
        outage_mean_down_h,
        latency_median_s,
        latency_p99_s,
        reboots_per_day,
        battery_drain_pct_per_day,
        warnings,
    })
}

/// Two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical CDFs.
pub fn ks_distance(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() { 0.0 } else { 1.0 };
    }
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

/// How far apart pilot and twin may be and still match.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Tolerances {
    /// Delivery ratio, percentage points.
    pub delivery_pp: f64,
    /// Kolmogorov-Smirnov distance between the gap-length distributions.
    pub gap_ks: f64,
    /// Kolmogorov-Smirnov distance between the latency distributions.
    pub latency_ks: f64,
    /// Reboots and outages per device-day, relative difference.
    pub rate_rel: f64,
    /// Battery drain per day, relative difference.
    pub battery_rel: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        // Assumptions: what a pilot engineer would call "the twin behaves like the pilot" for a
        // 20-to-50-device, 30-day pilot; sampling noise at that size is a few tenths of these.
        Tolerances { delivery_pp: 0.5, gap_ks: 0.10, latency_ks: 0.10, rate_rel: 0.30, battery_rel: 0.15 }
    }
}

/// One line of the comparison.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Distance {
    /// What is compared (`delivery ratio (%)`, `latency (s, median)`, ...), with its unit.
    pub metric: String,
    /// The pilot's value of the metric.
    pub pilot: f64,
    /// The twin's value of the metric.
    pub twin: f64,
    /// The distance the tolerance applies to (see `how`).
    pub distance: f64,
    /// The largest `distance` that still counts as a match.
    pub tolerance: f64,
    /// How `distance` is measured (`KS distance`, `relative difference`, ...).
    pub how: &'static str,
    /// Whether `distance <= tolerance`.
    pub ok: bool,
}

/// Pilot and twin side by side.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// One line per metric compared.
    pub distances: Vec<Distance>,
    /// Whether every distance is within its tolerance.
    pub matches: bool,
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b { 0.0 } else { (a - b).abs() / a.abs().max(b.abs()) }
}

/// Outages (silences over the threshold) per device-day.
pub fn outage_rate(st: &StreamStats, threshold_s: f64) -> f64 {
    let n = st.gaps.iter().filter(|g| g.silence_us as f64 / 1e6 >= threshold_s).count();
    n as f64 / st.device_days.max(1e-9)
}

/// Compares the pilot's streams with the twin's.
pub fn compare(pilot: &StreamStats, twin: &StreamStats, tol: &Tolerances) -> Comparison {
    let mut d = Vec::new();
    let mut push = |metric: &str, p: f64, t: f64, distance: f64, tolerance: f64, how| {
        d.push(Distance {
            metric: metric.into(),
            pilot: p,
            twin: t,
            distance,
            tolerance,
            how,
            ok: distance <= tolerance,
        })
    };
    let (dp, dt) = (100.0 * pilot.delivery_ratio(), 100.0 * twin.delivery_ratio());
    push("delivery ratio (%)", dp, dt, (dp - dt).abs(), tol.delivery_pp, "absolute difference, points");
    let short = |s: &StreamStats| -> Vec<f64> { s.bursts().map(|g| g.missing as f64).collect() };
    let (gp, gt) = (short(pilot), short(twin));
    let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    push("loss burst length (messages, mean)", mean(&gp), mean(&gt), ks_distance(&gp, &gt), tol.gap_ks, "KS distance");
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    push(
        "latency (s, median)",
        median(&pilot.latencies_s),
        median(&twin.latencies_s),
        ks_distance(&pilot.latencies_s, &twin.latencies_s),
        tol.latency_ks,
        "KS distance",
    );
    let th = OUTAGE_THRESHOLD_PERIODS * pilot.period_us as f64 / 1e6;
    let (op, ot) = (outage_rate(pilot, th), outage_rate(twin, th));
    push("outages per device-day", op, ot, rel(op, ot), tol.rate_rel, "relative difference");
    let (rp, rt) =
        (pilot.reboots as f64 / pilot.device_days.max(1e-9), twin.reboots as f64 / twin.device_days.max(1e-9));
    push("reboots per device-day", rp, rt, rel(rp, rt), tol.rate_rel, "relative difference");
    if !pilot.battery_slopes_pct_per_day.is_empty() && !twin.battery_slopes_pct_per_day.is_empty() {
        let bp = -mean(&pilot.battery_slopes_pct_per_day);
        let bt = -mean(&twin.battery_slopes_pct_per_day);
        push("battery drain (%/day)", bp, bt, rel(bp, bt), tol.battery_rel, "relative difference");
    }
    let matches = d.iter().all(|x| x.ok);
    Comparison { distances: d, matches }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(device: u32, seq: u64, ts_s: u64) -> PilotMessage {
        PilotMessage { device, seq, ts_us: ts_s * 1_000_000, rx_us: ts_s * 1_000_000 + 500_000, battery_pct: None }
    }

    #[test]
    fn gaps_reboots_and_duplicates_are_read_from_sequence_numbers() {
        // Device 0: 0,1,2, (3,4 lost), 5, 5 again, reboot, 0,1.
        let ms = [
            msg(0, 0, 0),
            msg(0, 1, 60),
            msg(0, 2, 120),
            msg(0, 5, 300),
            msg(0, 5, 300),
            msg(0, 0, 400),
            msg(0, 1, 460),
        ];
        let st = stream_stats(&ms, 1);
        assert_eq!(st.received, 6);
        assert_eq!(st.duplicates, 1);
        assert_eq!(st.reboots, 1);
        assert_eq!(st.gaps, vec![Gap { missing: 2, silence_us: 180_000_000 }]);
        assert_eq!(st.expected, 8);
        assert_eq!(st.period_us, 60_000_000);
    }

    #[test]
    fn ks_distance_is_zero_for_equal_samples_and_one_for_disjoint() {
        assert_eq!(ks_distance(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), 0.0);
        assert_eq!(ks_distance(&[1.0, 2.0], &[5.0, 6.0]), 1.0);
        assert!((ks_distance(&[1.0, 2.0, 3.0, 4.0], &[3.0, 4.0, 5.0, 6.0]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn battery_slope_is_least_squares() {
        let pts: Vec<(f64, f64)> = (0..10).map(|d| (d as f64, 100.0 - 0.25 * d as f64)).collect();
        assert!((least_squares_slope(&pts).unwrap() + 0.25).abs() < 1e-12);
    }
}
