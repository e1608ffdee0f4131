//! The RunSummary (DESIGN.md section 7, version 1): what a run produced, as the CLI prints it with
//! `--json` and the store keeps it.

use serde::{Deserialize, Serialize};

use crate::engine::RunOutput;
use crate::engine::counts::{Counter, Counts, LatencyStats};
pub use crate::engine::lifecycle::{
    CampaignSummary, CompromiseSummary, OtaSummary, ProvisioningSummary, SecuritySummary, WaveSummary,
};
use crate::scenario::{PowerSource, Scenario};
use crate::time::US_PER_S;

/// Version of the RunSummary JSON contract this build writes (`schema_version`).
pub const SUMMARY_SCHEMA_VERSION: u32 = 1;

/// What one run produced (the RunSummary JSON, contract v1): counts over the whole fleet, per
/// class, and the optional lifecycle, cost and verdict sections.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Contract version of this JSON ([`SUMMARY_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The run's id in the run database, filled in by whoever stores the run (0 until then).
    /// Summaries stored before it was a number held it as a string; those still read.
    #[serde(deserialize_with = "run_id_number_or_string")]
    pub run_id: i64,
    /// Name of the scenario that was run.
    pub scenario: String,
    /// Seed of the run's random streams; the same scenario and seed give the same results.
    pub seed: u64,
    /// Devices in the fleet, over all classes.
    pub devices: u64,
    /// Simulated time, seconds (the scenario's duration).
    pub simulated_s: f64,
    /// Wall-clock seconds, measured by the caller (the only field besides `run_id` that varies
    /// between identical runs).
    pub wall_s: f64,
    /// Version of the engine that produced the run; results are comparable within one version.
    pub engine_version: String,
    /// Where every generated message ended up, over the fleet.
    pub messages: Messages,
    /// Messages lost by the network, by cause (they add up to `messages.lost_network`).
    pub loss_causes: LossCauses,
    /// Delivered / generated messages, 0..1 (1 when none were generated).
    pub delivery_ratio: f64,
    /// Delivery latency of delivered messages (creation to delivery), seconds.
    pub latency_s: LatencySummary,
    /// Device reboots: crashes, brownouts, power cuts and voltage sags, firmware updates.
    pub reboots: u64,
    /// Network outages (a shared outage counts once).
    pub outages: u64,
    /// Mains power outages at sites.
    pub power_outages: u64,
    /// Battery deaths: devices that ran flat and went out of service.
    pub deaths: u64,
    /// Hardware failures that took a device out of service.
    pub hardware_failures: u64,
    /// Truck rolls: field visits that put an out-of-service device back in service.
    pub truck_rolls: u64,
    /// Truck rolls that replaced a dead battery.
    pub battery_replacements: u64,
    /// Radio activity over the fleet.
    pub radio: Radio,
    /// Gateways (or cells) over all sites.
    pub gateways: u64,
    /// The same figures for each device class, in scenario order.
    pub per_class: Vec<ClassSummary>,
    /// Installation and onboarding (absent without `[provisioning]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<ProvisioningSummary>,
    /// Firmware campaigns (absent without `[firmware]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ota: Option<OtaSummary>,
    /// Credentials, certificates and TLS sessions (absent without `[identity]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<SecuritySummary>,
    /// The business case (absent without a price book).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::cost::CostSummary>,
    /// Targets and the warning signs of a pilot that will not scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<crate::verdict::Verdict>,
}

/// Where every generated message ended up. generated = delivered + lost_network +
/// dropped_overflow + dropped_reboot + stranded_dead + buffered_end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Messages {
    /// Messages the devices produced.
    pub generated: u64,
    /// Messages the backend received.
    pub delivered: u64,
    /// Messages lost on the way (the sum of `loss_causes`).
    pub lost_network: u64,
    /// Messages dropped because the device's buffer was full.
    pub dropped_overflow: u64,
    /// Messages a reboot or power cut wiped from a RAM buffer.
    pub dropped_reboot: u64,
    /// Messages left in the buffer of a device that died or failed.
    pub stranded_dead: u64,
    /// Messages still buffered when the run ended.
    pub buffered_end: u64,
}

impl Messages {
    /// Whether the categories add up to `generated` (every message accounted for once).
    pub fn balanced(&self) -> bool {
        self.generated
            == self.delivered
                + self.lost_network
                + self.dropped_overflow
                + self.dropped_reboot
                + self.stranded_dead
                + self.buffered_end
    }
}

/// Messages lost by the network, by cause (they add up to `messages.lost_network`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossCauses {
    /// Dropped by the channel (unacknowledged delivery).
    pub channel: u64,
    /// Sent while the link was down (unacknowledged delivery).
    pub outage: u64,
    /// LoRa frames that overlapped another frame on the same gateway, channel and SF.
    pub collision: u64,
    /// LoRa frames not sent because of the regional duty-cycle limit.
    pub duty_cycle: u64,
}

/// Distribution of delivery latency (message creation to delivery), seconds; 0 when none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Mean, seconds.
    pub mean: f64,
    /// Median, seconds (log-binned histogram, capped at `max`).
    pub p50: f64,
    /// 95th percentile, seconds.
    pub p95: f64,
    /// 99th percentile, seconds.
    pub p99: f64,
    /// Largest latency observed, seconds (exact).
    pub max: f64,
}

/// Radio and link activity, counted in device ticks (one per device per reporting period).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Radio {
    /// Device ticks simulated (device-steps).
    pub device_steps: u64,
    /// Transmission attempts (each costs radio energy; retries included).
    pub attempts: u64,
    /// Attempts the channel lost (acknowledged mode: the message stays buffered and is retried).
    pub lost_attempts: u64,
    /// Device ticks at which the backend's publish quota held back part of the flush.
    pub throttled_ticks: u64,
    /// Device ticks at which the link was down (outage or reconnecting).
    pub outage_ticks: u64,
    /// Device ticks a mains-powered device spent without power.
    pub powered_off_ticks: u64,
}

/// One device class's results (an entry of `per_class`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassSummary {
    /// Class name, as in the scenario.
    pub name: String,
    /// Devices in the class.
    pub devices: u64,
    /// Where the class's generated messages ended up.
    pub messages: Messages,
    /// The class's network losses by cause.
    pub loss_causes: LossCauses,
    /// Delivered / generated for the class, 0..1 (1 when none were generated).
    pub delivery_ratio: f64,
    /// The class's delivery latency, seconds.
    pub latency_s: LatencySummary,
    /// Reboots of the class's devices.
    pub reboots: u64,
    /// Battery deaths in the class.
    pub deaths: u64,
    /// Hardware failures in the class.
    pub hardware_failures: u64,
    /// Truck rolls to the class's devices.
    pub truck_rolls: u64,
    /// Devices online (in service, powered, link up) at the end of the run.
    pub online_end: u64,
    /// How long an outage the buffer rides through before it overflows, seconds.
    pub buffer_covers_s: f64,
    /// Shared (gateway- or site-wide) outages on this class's gateways that lasted longer than
    /// `buffer_covers_s`, counted once per gateway.
    pub shared_outages_longer_than_buffer: u64,
    /// Battery figures (absent for mains-powered classes).
    pub battery: Option<BatterySummary>,
    /// What the class used, as vendors meter it (for the business case): payload per message,
    /// bytes.
    pub payload_bytes: u32,
    /// Reporting period, seconds.
    pub period_s: f64,
    /// Transmission attempts (each is billed by a cellular operator).
    pub attempts: u64,
    /// Device-seconds in service with the link up.
    pub connected_device_s: f64,
    /// Messages delivered on the busiest day (daily platform quotas).
    pub peak_day_delivered: u64,
    /// Firmware bytes downloaded, retransmissions included.
    #[serde(default)]
    pub ota_bytes: u64,
    /// TLS handshake bytes (reconnects, or one session per report).
    #[serde(default)]
    pub handshake_bytes: u64,
}

/// Battery figures of a battery-powered class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatterySummary {
    /// Mean remaining charge of the devices in service at the end, percent of capacity.
    pub mean_remaining_pct: f64,
    /// Capacity / mean charge drawn per device-day in service: how long a full battery lasts.
    pub projected_life_days: f64,
    /// Charge drawn by the class over the run, mAh.
    pub energy_used_mah: f64,
    /// Devices in service at the end by projected life: `life_hist[i]` devices last from
    /// `30 x 10^(i/10)` days up to the next bin (30 bins; the first and last are open-ended).
    #[serde(default)]
    pub life_hist: Vec<u64>,
}

fn messages(c: &Counts, buffered_end: u64) -> Messages {
    Messages {
        generated: c.get(Counter::Generated),
        delivered: c.get(Counter::Delivered),
        lost_network: c.lost_network(),
        dropped_overflow: c.get(Counter::DroppedOverflow),
        dropped_reboot: c.get(Counter::DroppedReboot),
        stranded_dead: c.get(Counter::StrandedDead),
        buffered_end,
    }
}

fn causes(c: &Counts) -> LossCauses {
    LossCauses {
        channel: c.get(Counter::LostChannel),
        outage: c.get(Counter::LostOutage),
        collision: c.get(Counter::LostCollision),
        duty_cycle: c.get(Counter::LostDutyCycle),
    }
}

fn latency(l: &LatencyStats) -> LatencySummary {
    LatencySummary {
        mean: l.mean_s(),
        p50: l.quantile_s(0.5),
        p95: l.quantile_s(0.95),
        p99: l.quantile_s(0.99),
        max: l.max_us as f64 / US_PER_S as f64,
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Builds the summary of a finished run.
pub fn summarize(s: &Scenario, seed: u64, out: &RunOutput) -> RunSummary {
    let mut total = Counts::default();
    let mut total_latency = LatencyStats::default();
    let mut buffered_end = 0;
    let mut per_class = Vec::new();
    for (c, o) in s.classes.iter().zip(&out.per_class) {
        total.merge(&o.counts);
        total_latency.merge(&o.latency);
        buffered_end += o.end.buffered;
        let battery = match s.powers[c.power].source {
            PowerSource::Battery { capacity_mah, .. } => {
                let device_days = o.counts.get(Counter::Ticks) as f64 * c.telemetry.period.as_secs_f64() / 86_400.0;
                let per_day = if device_days > 0.0 { o.energy_mah / device_days } else { 0.0 };
                Some(BatterySummary {
                    mean_remaining_pct: if o.end.battery_devices > 0 {
                        o.end.battery_sum_mah / o.end.battery_devices as f64 / capacity_mah * 100.0
                    } else {
                        0.0
                    },
                    projected_life_days: if per_day > 0.0 { capacity_mah / per_day } else { f64::INFINITY.min(1e9) },
                    energy_used_mah: o.energy_mah,
                    life_hist: o.end.life_hist.clone(),
                })
            }
            PowerSource::Mains { .. } => None,
        };
        per_class.push(ClassSummary {
            name: c.name.clone(),
            devices: c.count as u64,
            messages: messages(&o.counts, o.end.buffered),
            loss_causes: causes(&o.counts),
            delivery_ratio: ratio(o.counts.get(Counter::Delivered), o.counts.get(Counter::Generated)),
            latency_s: latency(&o.latency),
            reboots: o.counts.get(Counter::Reboots),
            deaths: o.counts.get(Counter::Deaths),
            hardware_failures: o.counts.get(Counter::HardwareFailures),
            truck_rolls: o.counts.get(Counter::TruckRolls),
            online_end: o.end.online,
            buffer_covers_s: c.buffer.capacity.saturating_sub(1) as f64 * c.telemetry.period.as_secs_f64(),
            shared_outages_longer_than_buffer: o.outages_longer_than_buffer,
            battery,
            payload_bytes: c.telemetry.payload_bytes,
            period_s: c.telemetry.period.as_secs_f64(),
            attempts: o.counts.get(Counter::Attempts),
            connected_device_s: o.counts.get(Counter::Ticks).saturating_sub(o.counts.get(Counter::OutageTicks)) as f64
                * c.telemetry.period.as_secs_f64(),
            peak_day_delivered: o.peak_day_delivered,
            ota_bytes: o.counts.get(Counter::OtaChunks) * s.firmware.map_or(0, |f| f.chunk_bytes),
            handshake_bytes: 0,
        });
    }
    let ota = out.lifecycle.ota.clone().map(|mut o| {
        o.missed_out_of_service = total.get(Counter::OtaMissed);
        o
    });
    let security = match (&out.lifecycle.security, s.identity) {
        (Some(sec), Some(id)) => {
            let mut sec = sec.clone();
            for (ci, (pc, o)) in per_class.iter_mut().zip(&out.per_class).enumerate() {
                let handshakes = if id.session_per_report {
                    o.counts.get(Counter::Generated)
                } else {
                    o.link_reconnects + o.counts.get(Counter::Reboots) + o.counts.get(Counter::TruckRolls)
                };
                let bytes = id.handshake.bytes(handshakes).round() as u64;
                pc.handshake_bytes = bytes;
                sec.handshakes += handshakes;
                sec.handshake_bytes += bytes;
                if matches!(s.powers[s.classes[ci].power].source, PowerSource::Battery { .. }) {
                    sec.handshake_energy_mah += crate::engine::lifecycle::transfer_mah(s, ci, bytes as f64);
                }
            }
            Some(sec)
        }
        _ => None,
    };
    RunSummary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        run_id: 0,
        scenario: s.name.clone(),
        seed,
        devices: s.device_count(),
        simulated_s: s.duration.as_secs_f64(),
        wall_s: 0.0,
        engine_version: crate::ENGINE_VERSION.to_string(),
        messages: messages(&total, buffered_end),
        loss_causes: causes(&total),
        delivery_ratio: ratio(total.get(Counter::Delivered), total.get(Counter::Generated)),
        latency_s: latency(&total_latency),
        reboots: total.get(Counter::Reboots),
        outages: out.network_outages,
        power_outages: out.power_outages,
        deaths: total.get(Counter::Deaths),
        hardware_failures: total.get(Counter::HardwareFailures),
        truck_rolls: total.get(Counter::TruckRolls),
        battery_replacements: total.get(Counter::BatteryReplacements),
        radio: Radio {
            device_steps: total.get(Counter::Ticks),
            attempts: total.get(Counter::Attempts),
            lost_attempts: total.get(Counter::LostAttempts),
            throttled_ticks: total.get(Counter::Throttled),
            outage_ticks: total.get(Counter::OutageTicks),
            powered_off_ticks: total.get(Counter::PoweredOffTicks),
        },
        gateways: s.sites.iter().map(|x| x.gateways as u64).sum(),
        per_class,
        provisioning: out.lifecycle.provisioning.clone(),
        ota,
        security,
        cost: None,
        verdict: None,
    }
}

/// A run id as a JSON number, or as the string older versions stored ("" for none).
fn run_id_number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(i64),
        Text(String),
    }
    match Id::deserialize(d)? {
        Id::Number(n) => Ok(n),
        Id::Text(t) if t.is_empty() => Ok(0),
        Id::Text(t) => t.parse().map_err(|_| serde::de::Error::custom(format!("run_id {t:?} is not a number"))),
    }
}

impl RunSummary {
    /// The summary without the fields that legitimately differ between identical runs
    /// (`run_id`, `wall_s`), as canonical JSON: equal strings mean identical results.
    pub fn fingerprint(&self) -> String {
        let mut s = self.clone();
        s.run_id = 0;
        s.wall_s = 0.0;
        serde_json::to_string(&s).expect("a summary always serializes")
    }
}
