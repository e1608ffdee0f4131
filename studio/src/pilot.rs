//! The pilot bridge's orchestration: a recording read back from the run database, the twin of
//! the pilot (the scenario's first device class, with the pilot's device count and duration,
//! every message traced), calibration (fit, then a calibrated scenario written from the base
//! file with its comments kept) and the pilot-versus-twin comparison with its report.

use std::path::Path;

use anyhow::{Context, Result};
use sim_core::engine::simulate_traced;
use sim_core::pilot::{Comparison, Fit, PilotMessage, StreamStats, TwinStreams, compare, fit, stream_stats};
use sim_core::scenario::Scenario;
use store::RecordingRow;

pub use sim_core::pilot::Tolerances;
/// Malformed payloads kept per recording as a sample (the rest are only counted).
pub use store::MALFORMED_SAMPLE;
use toml_edit::{DocumentMut, InlineTable, Item, Value, value};

/// A recording as the pilot maths sees it: times relative to its first plausible reading.
pub struct Recording {
    /// The recording as the run database lists it (id, name, broker, devices, counts).
    pub row: RecordingRow,
    /// Unix time (µs) of the first reading: time 0 of `messages`.
    pub epoch_us: i64,
    /// The readings inside the window, times in µs from `epoch_us`.
    pub messages: Vec<PilotMessage>,
    /// Readings left out because their time is implausible (see [`ReadingWindow`]), and the
    /// window used (Unix µs).
    pub excluded: u64,
    /// The window readings were kept in, Unix µs, both ends included.
    pub window_us: (i64, i64),
}

/// Which reading times are plausible. A device whose clock is not yet set (before NTP sync) or
/// is wrong sends readings at time 0 or years away; one of them among thousands would stretch
/// the recording over decades. [`ReadingWindow::Auto`] keeps readings between the 1st and 99th
/// percentile of all reading times, widened on both sides by that span (at least one day):
/// the recording's own extent, so that up to 1 % of bad clocks on either side cannot move it.
/// [`ReadingWindow::Between`] is a window the user sets (`--readings-between FROM..TO`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReadingWindow {
    /// The recording's own extent: 1st to 99th percentile, widened by that span (the default).
    #[default]
    Auto,
    /// Unix µs, both ends included.
    Between(i64, i64),
}

impl ReadingWindow {
    /// `FROM..TO`, each an RFC 3339 date-time (`2026-01-01T00:00:00Z..2026-03-01T00:00:00Z`).
    pub fn parse(text: &str) -> crate::Result<ReadingWindow> {
        Self::parse_text(text).map_err(crate::Error::invalid)
    }

    fn parse_text(text: &str) -> std::result::Result<ReadingWindow, String> {
        let (a, b) = text.split_once("..").ok_or(format!("{text:?}: expected FROM..TO (RFC 3339 date-times)"))?;
        let t = |x: &str| {
            bridge::map::parse_rfc3339_us(x.trim())
                .ok_or(format!("{x:?} is not an RFC 3339 date-time (2026-01-01T00:00:00Z)"))
        };
        let (from, to) = (t(a)?, t(b)?);
        if from >= to {
            return Err(format!("{text:?}: FROM must be before TO"));
        }
        Ok(ReadingWindow::Between(from, to))
    }

    /// The window for these reading times (Unix µs).
    pub fn resolve(&self, times_us: &[i64]) -> (i64, i64) {
        match *self {
            ReadingWindow::Between(a, b) => (a, b),
            ReadingWindow::Auto => {
                if times_us.is_empty() {
                    return (i64::MIN, i64::MAX);
                }
                let mut t = times_us.to_vec();
                t.sort_unstable();
                let q = |p: f64| t[((t.len() - 1) as f64 * p).round() as usize];
                let (lo, hi) = (q(0.01), q(0.99));
                let widen = (hi - lo).max(86_400_000_000);
                (lo.saturating_sub(widen), hi.saturating_add(widen))
            }
        }
    }
}

impl Recording {
    /// Devices in the recording.
    pub fn devices(&self) -> u32 {
        self.row.devices.len() as u32
    }

    /// From the first reading to the last, µs.
    pub fn span_us(&self) -> u64 {
        self.messages.iter().map(|m| m.ts_us).max().unwrap_or(0)
    }
}

/// A recording with its readings at plausible times (see [`ReadingWindow`]).
pub fn load_recording(db: &Path, id_or_name: &str, window: ReadingWindow) -> crate::Result<Recording> {
    if !db.exists() {
        return Err(crate::Error::not_found(format!(
            "no recording `{id_or_name}`: there is no run database at {} yet",
            db.display()
        )));
    }
    let store = crate::open_for_reading(db)?;
    let row = store.find_recording(id_or_name)?.ok_or_else(|| {
        crate::Error::not_found(format!(
            "no recording `{id_or_name}` in {} (see `scaleproof pilot recordings`)",
            db.display()
        ))
    })?;
    let mut stored = store.recording_messages(row.id)?;
    if stored.is_empty() {
        return Err(crate::Error::invalid(format!("recording {} ({}) has no messages", row.id, row.name)));
    }
    let window_us = window.resolve(&stored.iter().map(|m| m.ts_us).collect::<Vec<_>>());
    let before = stored.len();
    stored.retain(|m| (window_us.0..=window_us.1).contains(&m.ts_us));
    let excluded = (before - stored.len()) as u64;
    if stored.is_empty() {
        return Err(crate::Error::invalid(format!(
            "recording {} ({}): none of its {before} readings is inside the window {}",
            row.id,
            row.name,
            window_text(window_us)
        )));
    }
    let epoch_us = stored.iter().map(|m| m.ts_us).min().expect("not empty");
    let messages = stored
        .iter()
        .map(|m| PilotMessage {
            device: m.device,
            seq: m.seq,
            ts_us: (m.ts_us - epoch_us) as u64,
            rx_us: (m.rx_us - epoch_us).max(0) as u64,
            battery_pct: m.battery_pct,
        })
        .collect();
    Ok(Recording { row, epoch_us, messages, excluded, window_us })
}

/// A reading window as RFC 3339 text.
pub fn window_text((from, to): (i64, i64)) -> String {
    let t = |us: i64| {
        time::OffsetDateTime::from_unix_timestamp_nanos(us as i128 * 1000)
            .ok()
            .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| format!("{us} us"))
    };
    format!("{}..{}", t(from), t(to))
}

impl Recording {
    /// What the window left out, for people (None when nothing was).
    pub fn excluded_note(&self) -> Option<String> {
        (self.excluded > 0).then(|| {
            format!(
                "{} readings with implausible times left out (outside {}; --readings-between sets the window)",
                self.excluded,
                window_text(self.window_us)
            )
        })
    }
}

/// The scenario's first device class, its network and its power profile, by name.
fn first_class(s: &Scenario) -> Result<(String, String, String)> {
    let c = s.classes.first().context("the scenario has no device class")?;
    Ok((c.name.clone(), s.networks[c.network].name.clone(), s.powers[c.power].name.clone()))
}

/// The twin of the pilot: the scenario with its first class at the pilot's device count and
/// the run as long as the recording, every message of those devices traced. The file is read
/// once; the twin needs no price book.
pub(crate) fn twin_messages(
    scenario_path: &Path,
    overrides: &[String],
    devices: u32,
    span_us: u64,
) -> Result<(Scenario, Vec<PilotMessage>)> {
    let file = scenario_path.display().to_string();
    let bytes = std::fs::read(scenario_path).with_context(|| format!("{file}: cannot read the scenario"))?;
    let parse = |o: &[String]| {
        sim_core::scenario::parse_scenario(&sim_core::scenario::ScenarioSource {
            file: &file,
            bytes: &bytes,
            overrides: o,
        })
        .map_err(|d| anyhow::anyhow!("{d}"))
    };
    let (class, ..) = first_class(&parse(overrides)?)?;
    let mut o = overrides.to_vec();
    o.push(format!("fleet.{class}.count={devices}"));
    o.push(format!("scenario.duration=\"{}s\"", span_us.div_ceil(1_000_000).max(60)));
    let s = parse(&o)?;
    let mut streams = TwinStreams::new(devices);
    simulate_traced(&s, s.seed, &mut streams, devices);
    let (messages, _) = streams.take();
    Ok((s, messages))
}

/// What calibration produced.
pub struct Calibration {
    /// The fitted parameters with their 95 % intervals, and what could not be fitted well.
    pub fit: Fit,
    /// The calibrated scenario (the base file with the fitted values written in).
    pub scenario_text: String,
}

fn duration_text(seconds: f64) -> String {
    if seconds >= 3600.0 {
        format!("{:.3}h", seconds / 3600.0)
    } else if seconds >= 1.0 {
        format!("{:.3}s", seconds)
    } else {
        format!("{:.1}ms", seconds * 1000.0)
    }
}

fn inline(pairs: &[(&str, Value)]) -> Item {
    let mut t = InlineTable::new();
    for (k, v) in pairs {
        t.insert(*k, v.clone());
    }
    value(t)
}

fn table_mut<'d>(doc: &'d mut DocumentMut, path: &[&str]) -> Result<&'d mut Item> {
    let mut item = doc.as_item_mut();
    for p in path {
        item = item.get_mut(p).with_context(|| format!("the base scenario has no `{}`", path.join(".")))?;
    }
    Ok(item)
}

/// The values calibration writes into a base scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct TwinParams {
    /// Devices of the first class (the pilot's device count).
    pub devices: u32,
    /// The run's duration, seconds (the recording's span).
    pub duration_s: f64,
    /// The reporting period, seconds.
    pub period_s: f64,
    /// Gilbert channel: probability of going from good to bad, per reporting period.
    pub p_good_to_bad: f64,
    /// Gilbert channel: probability of going from bad to good, per reporting period.
    pub p_bad_to_good: f64,
    /// Device-scope exponential outages: mean up and mean down, hours (None: no outages).
    pub outage_h: Option<(f64, f64)>,
    /// Lognormal latency: median and 99th percentile, seconds.
    pub latency_s: Option<(f64, f64)>,
    /// Reboots per device-day.
    pub reboots_per_day: f64,
    /// Battery drain, percent of capacity per day (None: no battery readings).
    pub battery_drain_pct_per_day: Option<f64>,
}

impl TwinParams {
    /// The fitted values of `f` (point estimates), for a run of `duration_s` seconds; outages and
    /// latency only where the recording showed any.
    pub fn from_fit(f: &Fit, duration_s: f64) -> TwinParams {
        TwinParams {
            devices: f.devices,
            duration_s,
            period_s: f.period_s,
            p_good_to_bad: f.p_good_to_bad.value,
            p_bad_to_good: f.p_bad_to_good.value,
            outage_h: (f.outages_seen > 0).then_some((f.outage_mean_up_h.value, f.outage_mean_down_h.value)),
            latency_s: (f.latency_median_s.n > 0).then_some((f.latency_median_s.value, f.latency_p99_s.value)),
            reboots_per_day: f.reboots_per_day.value,
            battery_drain_pct_per_day: f.battery_drain_pct_per_day.map(|b| b.value),
        }
    }
}

/// Fits the recording and writes the fitted values into the base scenario (see [`write_twin`]).
pub fn calibrate(
    config: &crate::Config,
    rec: &Recording,
    base_path: &Path,
    generated_at: &str,
) -> crate::Result<Calibration> {
    let stats = stream_stats(&rec.messages, rec.devices());
    let mut f = fit(&stats).map_err(|e| anyhow::anyhow!("recording {}: {e}", rec.row.id))?;
    let params = TwinParams::from_fit(&f, rec.span_us() as f64 / 1e6);
    let (body, warnings) = write_twin(config, base_path, &params)?;
    f.warnings.extend(warnings);
    let mut header = format!(
        "# Calibrated by `scaleproof calibrate` on {generated_at} from recording {} (`{}`, {} devices, {:.1} device-days,\n# {} messages) with {} as the base. Fitted (95 % intervals):\n",
        rec.row.id,
        rec.row.name,
        rec.devices(),
        f.device_days,
        f.received,
        base_path.display()
    );
    for line in fit_lines(&f) {
        header.push_str(&format!("#   {line}\n"));
    }
    f.warnings.extend(rec.excluded_note());
    for w in &f.warnings {
        header.push_str(&format!("#   note: {w}\n"));
    }
    let scenario_text = format!("{header}{body}");
    validate(&scenario_text)?;
    Ok(Calibration { fit: f, scenario_text })
}

fn validate(text: &str) -> Result<Scenario> {
    sim_core::scenario::parse_scenario(&sim_core::scenario::ScenarioSource {
        file: "calibrated scenario",
        bytes: text.as_bytes(),
        overrides: &[],
    })
    .map_err(|d| anyhow::anyhow!("the calibrated scenario does not validate (a bug):\n{d}"))
}

/// Writes `p` into the base scenario, comments kept: the first class's count, reporting period
/// and reboot rate; its network's channel, latency and outages (a device-scope exponential
/// process) and unacknowledged delivery; its battery's sleep current, moved so the modelled
/// drain matches `p`'s; and the run's duration. Returns the text and what could not be matched.
pub fn write_twin(config: &crate::Config, base_path: &Path, p: &TwinParams) -> crate::Result<(String, Vec<String>)> {
    let base = crate::load_scenario(config, base_path, &[]).map_err(anyhow::Error::new)?;
    let (class, net, power) = first_class(&base.scenario)?;
    let mut warnings = Vec::new();
    let mut doc: DocumentMut = base.text.parse().context("the base scenario is not TOML")?;

    table_mut(&mut doc, &["scenario"])?["duration"] = value(duration_text(p.duration_s.max(60.0)));
    let fleet = table_mut(&mut doc, &["fleet", &class])?;
    fleet["count"] = value(p.devices as i64);
    fleet["reboots_per_day"] = value(round_sig(p.reboots_per_day, 4));
    match fleet.get_mut("telemetry").and_then(|t| t.as_inline_table_mut()) {
        Some(t) => {
            t.insert("period", duration_text(p.period_s).into());
            t.insert("jitter", "0s".into());
        }
        None => fleet["telemetry"] = inline(&[("period", duration_text(p.period_s).into())]),
    }
    let acked = base.scenario.networks.iter().find(|n| n.name == net).is_some_and(|n| n.delivery.acked);
    if acked {
        warnings.push(format!(
            "network `{net}` retries lost messages (acked) in the base; the pilot's gaps are messages lost for good, so the calibrated twin sends unacknowledged"
        ));
    }
    let network = table_mut(&mut doc, &["network", &net])?;
    network["loss"] = inline(&[
        ("model", "gilbert-elliott".into()),
        ("p_good_to_bad", round_sig(p.p_good_to_bad, 4).into()),
        ("p_bad_to_good", round_sig(p.p_bad_to_good, 4).into()),
        ("loss_good", 0.0.into()),
        ("loss_bad", 1.0.into()),
    ]);
    if let Some((median, p99)) = p.latency_s {
        network["latency"] = inline(&[
            ("model", "lognormal".into()),
            ("median", duration_text(median).into()),
            ("p99", duration_text(p99.max(median * 1.001)).into()),
        ]);
    }
    match p.outage_h {
        Some((up, down)) => {
            network["outages"] = inline(&[
                ("scope", "device".into()),
                ("mean_up", duration_text(up * 3600.0).into()),
                ("mean_down", duration_text(down * 3600.0).into()),
            ]);
        }
        None => {
            if let Some(t) = network.as_table_like_mut() {
                t.remove("outages");
            }
        }
    }
    network["delivery"] = inline(&[("mode", "unacked".into())]);

    // Battery: move the sleep current so the model drains what the pilot measured.
    if let Some(drain) = p.battery_drain_pct_per_day {
        let s = validate(&doc.to_string())?;
        if let Some(b) = sim_core::engine::tick_charge(&s, 0) {
            let sleep_now = s.powers[s.classes[0].power].currents.sleep_ma;
            let model_mah_day = b.per_tick_mah * 86_400.0 / p.period_s;
            let want_mah_day = drain / 100.0 * b.capacity_mah;
            let sleep = sleep_now + (want_mah_day - model_mah_day) / 24.0;
            if sleep < 0.0 {
                warnings.push(format!(
                    "the pilot drains {drain:.3} %/day, less than the base's radio and sampling currents alone ({:.3} %/day): sleep current set to 0",
                    100.0 * (model_mah_day - sleep_now * 24.0) / b.capacity_mah
                ));
            }
            let currents = table_mut(&mut doc, &["power", &power, "currents_ma"])?;
            match currents.as_inline_table_mut() {
                Some(t) => {
                    t.insert("sleep", round_sig(sleep.max(0.0), 4).into());
                }
                None => currents["sleep"] = value(round_sig(sleep.max(0.0), 4)),
            }
        }
    }
    Ok((doc.to_string(), warnings))
}

fn round_sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let m = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * m).round() / m
}

/// The fit as lines of text: value and 95 % interval per parameter.
pub fn fit_lines(f: &Fit) -> Vec<String> {
    let e = |name: &str, x: &sim_core::pilot::Estimate, unit: &str| {
        format!("{name:<28} {:>10} {unit:<8} [{}, {}]  (n = {})", sig(x.value), sig(x.low), sig(x.high), x.n)
    };
    let mut v = vec![
        e("p_good_to_bad", &f.p_good_to_bad, "/msg"),
        e("p_bad_to_good", &f.p_bad_to_good, "/msg"),
        e("outage mean up", &f.outage_mean_up_h, "h"),
        e("outage mean down", &f.outage_mean_down_h, "h"),
        e("latency median", &f.latency_median_s, "s"),
        e("latency p99", &f.latency_p99_s, "s"),
        e("reboots", &f.reboots_per_day, "/day"),
    ];
    if let Some(b) = &f.battery_drain_pct_per_day {
        v.push(e("battery drain", b, "%/day"));
    }
    v.push(format!("{:<28} {:>10} s", "reporting period", sig(f.period_s)));
    v.push(format!("{:<28} {:>10} %", "delivery ratio", sig(100.0 * f.delivery_ratio)));
    v
}

fn sig(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let r = round_sig(x, 4);
    if r.abs() >= 1e5 || (r != 0.0 && r.abs() < 1e-3) { format!("{r:.3e}") } else { format!("{r}") }
}

/// Per-day delivery ratio and mean battery of a message stream.
pub fn daily(messages: &[PilotMessage], st: &StreamStats) -> Vec<report::pilot::Day> {
    let day_us = 86_400_000_000u64;
    let last = messages.iter().map(|m| m.ts_us).max().unwrap_or(0);
    let days = (last / day_us + 1) as usize;
    let mut got = vec![0u64; days];
    let mut batt = vec![(0.0, 0u64); days];
    for m in messages {
        let d = (m.ts_us / day_us) as usize;
        got[d] += 1;
        if let Some(b) = m.battery_pct {
            batt[d].0 += b;
            batt[d].1 += 1;
        }
    }
    let per_day = if st.period_us > 0 { st.devices as f64 * 86_400e6 / st.period_us as f64 } else { 0.0 };
    (0..days)
        .map(|d| {
            let covered = if d + 1 == days { ((last % day_us) as f64 / day_us as f64).max(1e-9) } else { 1.0 };
            let ratio = if per_day > 0.0 { (got[d] as f64 / (per_day * covered)).min(1.0) } else { 0.0 };
            report::pilot::Day {
                day: d as f64,
                delivery_ratio: ratio,
                battery_pct: (batt[d].1 > 0).then(|| batt[d].0 / batt[d].1 as f64),
            }
        })
        .collect()
}

/// Pilot and twin side by side, with the HTML report.
pub struct PilotComparison {
    /// What the pilot's message stream shows.
    pub pilot: StreamStats,
    /// What the twin's message stream shows.
    pub twin: StreamStats,
    /// A distance per metric against its tolerance, and whether all match.
    pub comparison: Comparison,
    /// The HTML report of pilot beside twin.
    pub report: report::Report,
}

/// Runs the twin of the pilot (the scenario at `scenario_path` with `overrides`, sized to the
/// recording) and compares the two message streams within `tol`, with the HTML report.
pub fn compare_pilot(
    rec: &Recording,
    scenario_path: &Path,
    overrides: &[String],
    tol: &Tolerances,
    generated_at: &str,
) -> crate::Result<PilotComparison> {
    let pilot = stream_stats(&rec.messages, rec.devices());
    let (s, twin_msgs) = twin_messages(scenario_path, overrides, rec.devices(), rec.span_us())?;
    let twin = stream_stats(&twin_msgs, rec.devices());
    let comparison = compare(&pilot, &twin, tol);
    let (dp, dt) = (daily(&rec.messages, &pilot), daily(&twin_msgs, &twin));
    let report = report::pilot::pilot_report(&report::pilot::PilotInput {
        recording: format!("recording {} ({}, {} devices)", rec.row.id, rec.row.name, rec.devices()),
        scenario: format!("{} ({})", s.name, scenario_path.display()),
        pilot: &pilot,
        twin: &twin,
        comparison: &comparison,
        daily: [&dp, &dt],
        generated_at,
    });
    Ok(PilotComparison { pilot, twin, comparison, report })
}

/// Sets one comparison tolerance by name (`delivery_pp`, `gap_ks`, `latency_ks`, `rate_rel`,
/// `battery_rel`), as `--tolerance NAME=VALUE` gives it.
pub fn set_tolerance(tol: &mut Tolerances, name: &str, value: f64) -> crate::Result<()> {
    match name {
        "delivery_pp" => tol.delivery_pp = value,
        "gap_ks" => tol.gap_ks = value,
        "latency_ks" => tol.latency_ks = value,
        "rate_rel" => tol.rate_rel = value,
        "battery_rel" => tol.battery_rel = value,
        _ => {
            return Err(crate::Error::invalid(format!(
                "--tolerance {name}: one of delivery_pp, gap_ks, latency_ks, rate_rel, battery_rel"
            )));
        }
    }
    Ok(())
}
