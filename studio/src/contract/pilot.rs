//! The pilot bridge's results as front ends read them: a calibration's fit (`calibrate --json`)
//! and the pilot beside its twin (`pilot compare --json`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A fitted value with its 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FitEstimate {
    /// The fitted value (its unit is in the field's name).
    pub value: f64,
    /// The interval's low end.
    pub low: f64,
    /// The interval's high end.
    pub high: f64,
    /// Observations behind it (bursts, outages, messages, devices, ...).
    pub n: u64,
}

impl From<&sim_core::pilot::Estimate> for FitEstimate {
    fn from(e: &sim_core::pilot::Estimate) -> FitEstimate {
        FitEstimate { value: e.value, low: e.low, high: e.high, n: e.n }
    }
}

/// The twin's parameters fitted to a recording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Fit {
    /// Devices in the recording.
    pub devices: u32,
    /// Device-days of readings.
    pub device_days: f64,
    /// The reporting period, seconds.
    pub period_s: f64,
    /// Messages received.
    pub received: u64,
    /// Delivered over sent (0 to 1), from sequence numbers.
    pub delivery_ratio: f64,
    /// Gilbert channel: good to bad per sample.
    pub p_good_to_bad: FitEstimate,
    /// Gilbert channel: bad to good per sample.
    pub p_bad_to_good: FitEstimate,
    /// Gaps at least this long are outages; shorter ones are channel bursts.
    pub outage_threshold_s: f64,
    /// Outages seen.
    pub outages_seen: u64,
    /// Mean time between outages, hours.
    pub outage_mean_up_h: FitEstimate,
    /// Mean outage length, hours.
    pub outage_mean_down_h: FitEstimate,
    /// Median latency, seconds.
    pub latency_median_s: FitEstimate,
    /// 99th-percentile latency, seconds.
    pub latency_p99_s: FitEstimate,
    /// Reboots per device-day.
    pub reboots_per_day: FitEstimate,
    /// Battery drain, % of capacity per day (positive: draining); None without readings.
    pub battery_drain_pct_per_day: Option<FitEstimate>,
    /// What the fit could not do well, in words.
    pub warnings: Vec<String>,
}

impl From<&sim_core::pilot::Fit> for Fit {
    fn from(f: &sim_core::pilot::Fit) -> Fit {
        Fit {
            devices: f.devices,
            device_days: f.device_days,
            period_s: f.period_s,
            received: f.received,
            delivery_ratio: f.delivery_ratio,
            p_good_to_bad: (&f.p_good_to_bad).into(),
            p_bad_to_good: (&f.p_bad_to_good).into(),
            outage_threshold_s: f.outage_threshold_s,
            outages_seen: f.outages_seen,
            outage_mean_up_h: (&f.outage_mean_up_h).into(),
            outage_mean_down_h: (&f.outage_mean_down_h).into(),
            latency_median_s: (&f.latency_median_s).into(),
            latency_p99_s: (&f.latency_p99_s).into(),
            reboots_per_day: (&f.reboots_per_day).into(),
            battery_drain_pct_per_day: f.battery_drain_pct_per_day.as_ref().map(FitEstimate::from),
            warnings: f.warnings.clone(),
        }
    }
}

/// One metric of the pilot beside its twin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct PilotDistance {
    /// What is compared, in words.
    pub metric: String,
    /// The pilot's value.
    pub pilot: f64,
    /// The twin's value.
    pub twin: f64,
    /// The distance the tolerance applies to (see `how`).
    pub distance: f64,
    /// The largest distance that still matches.
    pub tolerance: f64,
    /// How the distance is measured.
    pub how: String,
    /// Whether the distance is within the tolerance.
    pub ok: bool,
}

/// The pilot beside its twin: a distance per metric and the verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct PilotComparison {
    /// One line per metric.
    pub distances: Vec<PilotDistance>,
    /// Whether every distance is within its tolerance.
    pub matches: bool,
}

impl From<&sim_core::pilot::Comparison> for PilotComparison {
    fn from(c: &sim_core::pilot::Comparison) -> PilotComparison {
        PilotComparison {
            distances: c
                .distances
                .iter()
                .map(|d| PilotDistance {
                    metric: d.metric.clone(),
                    pilot: d.pilot,
                    twin: d.twin,
                    distance: d.distance,
                    tolerance: d.tolerance,
                    how: d.how.to_string(),
                    ok: d.ok,
                })
                .collect(),
            matches: c.matches,
        }
    }
}
