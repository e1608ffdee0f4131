//! The typed wire contract of a run's summary: RunSummary JSON version 1 (sim-core's
//! `summary::RunSummary`) as `run --json` and `show --json` print it, in its two forms (one
//! replication, and the mean with its 95 % interval over several), and the run around it.
//!
//! One set of types describes both forms: [`SummaryOf<C, F>`] is generic over the representation
//! of its figures, `C` for counts and `F` for real-valued figures: `SummaryOf<u64, f64>` for one
//! replication, `SummaryOf<Stat, Stat>` over replications. Identity fields (`schema_version`,
//! `scenario`, `devices`, `simulated_s`, `engine_version`, `gateways`), texts, booleans and the
//! verdict are the same in both. A field is `Option` where the JSON can hold `null`, and skipped
//! when `None` exactly where sim-core skips it.
//!
//! These types mirror sim-core's: core types stay free to change, and the golden test
//! (`studio/tests/contracts.rs`) reads every `run --json` golden file through them and prints it
//! back byte for byte, so a field missing here or a number of the wrong type fails it.

use super::RunStatus;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use sim_core::summary::RunSummary;
use ts_rs::TS;

/// A figure over replications: the mean with its 95 % Student-t interval (clipped to the values
/// the figure can take), in the unit of the figure it stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Stat {
    /// Mean over the replications.
    pub mean: f64,
    /// Lower end of the 95 % interval of the mean.
    pub ci95_low: f64,
    /// Upper end of the 95 % interval of the mean.
    pub ci95_high: f64,
}

/// A RunSummary (version 1) without its per-replication identity (`run_id`, `seed`): `C` is a
/// count (`u64` for one replication, [`Stat`] over replications), `F` a real-valued figure
/// (`f64` or [`Stat`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct SummaryOf<C, F> {
    /// Always 1 for this contract.
    pub schema_version: u32,
    /// The scenario's name.
    pub scenario: String,
    /// Devices in the fleet.
    pub devices: u64,
    /// Simulated time, seconds.
    pub simulated_s: f64,
    /// Wall-clock time the simulation took, seconds (varies between identical runs).
    pub wall_s: F,
    /// `sim-core VERSION+modelN`.
    pub engine_version: String,
    /// Where every generated message ended up, messages.
    pub messages: Messages<C>,
    /// Messages lost by the network, by cause (they add up to `messages.lost_network`).
    pub loss_causes: LossCauses<C>,
    /// Delivered / generated messages, 0..1.
    pub delivery_ratio: F,
    /// Latency of delivered messages, seconds.
    pub latency_s: Latency<F>,
    /// Device reboots: firmware crashes, low-battery brownouts, power cuts and power sags.
    pub reboots: C,
    /// Network outages (a shared outage counts once).
    pub outages: C,
    /// Mains power outages at sites.
    pub power_outages: C,
    /// Battery devices that ran flat (out of service until a truck roll).
    pub deaths: C,
    /// Devices whose hardware failed (out of service until a truck roll).
    pub hardware_failures: C,
    /// Technician visits that brought a dead, failed or bricked device back into service.
    pub truck_rolls: C,
    /// Truck rolls that replaced a flat battery.
    pub battery_replacements: C,
    /// Radio activity, device ticks and transmission attempts.
    pub radio: Radio<C>,
    /// Gateways (or cells) over all sites.
    pub gateways: u64,
    /// The same figures for each device class, in the scenario's order.
    pub per_class: Vec<ClassSummary<C, F>>,
    /// Installation and onboarding (absent without `[provisioning]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<Provisioning<C, F>>,
    /// Firmware campaigns (absent without `[firmware]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ota: Option<Ota<C, F>>,
    /// Credentials, certificates and TLS sessions (absent without `[identity]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Security<C, F>>,
    /// The business case (absent without a price book).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost<F>>,
    /// Targets and the warning signs of a pilot that will not scale. Over replications it is the
    /// verdict on all of them together (targets judged by the interval of their mean), not a
    /// statistic of verdicts, so it has one form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

/// Where every generated message ended up, messages. generated = delivered + lost_network +
/// dropped_overflow + dropped_reboot + stranded_dead + buffered_end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Messages<C> {
    /// Messages the devices sampled.
    pub generated: C,
    /// Messages that reached the backend.
    pub delivered: C,
    /// Messages the network lost (broken down in `loss_causes`).
    pub lost_network: C,
    /// Messages dropped because the device buffer was full.
    pub dropped_overflow: C,
    /// Messages lost from a RAM buffer when the device rebooted or lost power.
    pub dropped_reboot: C,
    /// Messages left in the buffer of a device that died or failed.
    pub stranded_dead: C,
    /// Still in device buffers at the end of the run.
    pub buffered_end: C,
}

/// Messages lost by the network, by cause.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct LossCauses<C> {
    /// Dropped by the channel (unacknowledged delivery).
    pub channel: C,
    /// Sent while the link was down (unacknowledged delivery).
    pub outage: C,
    /// LoRa frames that overlapped another frame on the same gateway, channel and SF.
    pub collision: C,
    /// LoRa frames not sent because of the regional duty-cycle limit.
    pub duty_cycle: C,
}

/// Latency of delivered messages, seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Latency<F> {
    /// Mean latency, seconds.
    pub mean: F,
    /// Median latency, seconds.
    pub p50: F,
    /// 95th percentile, seconds (from log-spaced bins, within 1.6 %).
    pub p95: F,
    /// 99th percentile, seconds (from log-spaced bins, within 1.6 %).
    pub p99: F,
    /// Largest latency, seconds.
    pub max: F,
}

/// Radio activity, device ticks and transmission attempts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Radio<C> {
    /// Device ticks simulated (device-steps).
    pub device_steps: C,
    /// Transmission attempts.
    pub attempts: C,
    /// Attempts lost by the channel in acknowledged mode (the message stays buffered).
    pub lost_attempts: C,
    /// Device ticks at which the backend's publish quota held back part of the flush.
    pub throttled_ticks: C,
    /// Device ticks at which the link was down (outage or reconnecting).
    pub outage_ticks: C,
    /// Device ticks a mains-powered device spent without power.
    pub powered_off_ticks: C,
}

/// One device class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ClassSummary<C, F> {
    /// The class's name in the scenario.
    pub name: String,
    /// Devices of the class.
    pub devices: C,
    /// Where the class's generated messages ended up, messages.
    pub messages: Messages<C>,
    /// The class's messages lost by the network, by cause.
    pub loss_causes: LossCauses<C>,
    /// Delivered / generated messages, 0..1.
    pub delivery_ratio: F,
    /// Latency of delivered messages, seconds.
    pub latency_s: Latency<F>,
    /// Reboots of the class's devices (crashes, brownouts, power cuts and sags).
    pub reboots: C,
    /// The class's battery devices that ran flat.
    pub deaths: C,
    /// The class's devices whose hardware failed.
    pub hardware_failures: C,
    /// Technician visits that brought one of the class's out-of-service devices back.
    pub truck_rolls: C,
    /// Devices online (in service, powered, link up) at the end of the run.
    pub online_end: C,
    /// How long an outage the buffer rides through before it overflows, seconds.
    pub buffer_covers_s: F,
    /// Shared (gateway- or site-wide) outages on this class's gateways that lasted longer than
    /// `buffer_covers_s`, counted once per gateway.
    pub shared_outages_longer_than_buffer: C,
    /// Battery figures (`null` for mains-powered classes).
    pub battery: Option<Battery<C, F>>,
    /// Payload of one message, bytes.
    pub payload_bytes: C,
    /// Reporting period, seconds.
    pub period_s: F,
    /// Transmission attempts (each is billed by a cellular operator).
    pub attempts: C,
    /// Device-seconds in service with the link up.
    pub connected_device_s: F,
    /// Messages delivered on the busiest day (daily platform quotas).
    pub peak_day_delivered: C,
    /// Firmware bytes downloaded, retransmissions included, bytes.
    pub ota_bytes: C,
    /// TLS handshake bytes (reconnects, or one session per report), bytes.
    pub handshake_bytes: C,
}

/// Battery figures of a battery-powered class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Battery<C, F> {
    /// Mean remaining charge of the devices in service at the end, percent of capacity.
    pub mean_remaining_pct: F,
    /// Capacity / mean charge drawn per device-day in service: how long a full battery lasts,
    /// days.
    pub projected_life_days: F,
    /// Charge drawn by the class, mAh.
    pub energy_used_mah: F,
    /// Devices in service at the end by projected life: `life_hist[i]` devices last from
    /// `30 x 10^(i/10)` days up to the next bin (30 bins; the first and last are open-ended).
    pub life_hist: Vec<C>,
}

/// Installation and onboarding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Provisioning<C, F> {
    /// "manual" or "zero-touch".
    pub onboarding: String,
    /// Installs a week.
    pub installs_per_week: F,
    /// Devices to install.
    pub devices: C,
    /// Devices online before the end of the run.
    pub online_by_end: C,
    /// When the last device came online (or will), days from the first install.
    pub fleet_online_days: F,
    /// Whether the run covers the rollout (else it is the steady state after it).
    pub rollout_in_run: bool,
    /// Share of the run's device-time with devices installed, 0..1 (1 without a rollout in the
    /// run).
    pub installed_share: F,
    /// Technician hours, hours.
    pub technician_hours: F,
    /// Second visits: manual set-up mistakes, zero-touch devices that gave up.
    pub revisits: C,
    /// Zero-touch enrolment attempts with the registry, retries included.
    pub enrolment_attempts: C,
}

/// Firmware campaigns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Ota<C, F> {
    /// "none", "single-slot" or "a-b".
    pub update: String,
    /// Whether interrupted downloads resume.
    pub resume: bool,
    /// Each campaign in the run, in order.
    pub campaigns: Vec<Campaign<C, F>>,
    /// Devices left without a bootable image (out of service until a truck roll), all campaigns.
    pub bricked: C,
    /// Updates after which the old image runs again, all campaigns.
    pub rolled_back: C,
    /// Bytes the downloads sent, retransmissions included, bytes.
    pub bytes_sent: C,
    /// Updates that found their device failed, dead or without power (not applied).
    pub missed_out_of_service: C,
    /// Campaigns a year the business case assumes.
    pub campaigns_per_year: F,
}

/// One firmware campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Campaign<C, F> {
    /// When it started, days into the run.
    pub at_days: F,
    /// Size of the image, bytes.
    pub image_bytes: C,
    /// Devices installed when the campaign started (its target).
    pub devices: C,
    /// The campaign's waves, in order.
    pub waves: Vec<Wave<C, F>>,
    /// Devices now running the new image.
    pub succeeded: C,
    /// Devices running the old image again (A/B revert).
    pub rolled_back: C,
    /// Devices left without a bootable image (out of service until a truck roll).
    pub bricked: C,
    /// Devices whose download never completed.
    pub download_failed: C,
    /// Devices in waves that never started (the error threshold stopped the campaign).
    pub not_reached: C,
    /// The wave (from 0) after which the campaign stopped; `null`: it ran to the end.
    pub stopped_after_wave: Option<C>,
    /// From the start to the end of the last wave, hours.
    pub duration_h: F,
    /// Whether the last wave ended before the end of the run.
    pub finished_in_run: bool,
    /// Bytes the downloads sent, retransmissions included, bytes.
    pub bytes_sent: C,
    /// Battery charge the downloads cost, mAh (battery devices).
    pub energy_mah: F,
}

/// One wave of a firmware campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Wave<C, F> {
    /// Devices in the wave.
    pub devices: C,
    /// Devices now running the new image.
    pub succeeded: C,
    /// Devices running the old image again (A/B revert).
    pub rolled_back: C,
    /// Devices left without a bootable image (out of service until a truck roll).
    pub bricked: C,
    /// Devices whose download never completed.
    pub download_failed: C,
    /// When the wave started, days into the run.
    pub start_days: F,
    /// When the wave ended, days into the run.
    pub end_days: F,
}

/// Credentials, certificates and TLS sessions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Security<C, F> {
    /// "shared" or "per-device".
    pub credentials: String,
    /// Certificate lifetime, days (`null`: certificates do not expire).
    pub certificate_lifetime_days: Option<F>,
    /// Whether certificates are renewed before they expire.
    pub rotation: bool,
    /// Certificates issued in the run (first issue, renewals, re-issues after a visit).
    pub certificates_issued: C,
    /// Times a device dropped offline with an expired certificate.
    pub certificate_expiries: C,
    /// The first expiry, days into the run (`null`: none).
    pub first_expiry_days: Option<F>,
    /// Device-days offline with an expired certificate, within the run.
    pub expired_device_days: F,
    /// Each credential leak in the run, in order.
    pub compromises: Vec<Compromise<C, F>>,
    /// "persistent" or "per-report".
    pub sessions: String,
    /// TLS handshakes (one per reconnect, or one per report).
    pub handshakes: C,
    /// Bytes of those handshakes, bytes.
    pub handshake_bytes: C,
    /// Battery charge of those handshakes, mAh.
    pub handshake_energy_mah: F,
}

/// A leaked credential and its cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Compromise<C, F> {
    /// When it leaked, days into the run.
    pub at_days: F,
    /// Devices the leaked credential exposes, all revoked.
    pub blast_radius: C,
    /// From the leak until the last exposed device is back, days.
    pub restored_after_days: F,
    /// Device-days the exposed devices spent offline within the run.
    pub offline_device_days: F,
    /// Technician hours, hours.
    pub technician_hours: F,
    /// Site visits (manual re-provisioning: one per site with exposed devices).
    pub site_visits: C,
    /// Remote re-enrolments (zero-touch).
    pub reenrolments: C,
}

/// The business case. Amounts are in `currency` units (millionths at most).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Cost<F> {
    /// ISO code of the price book's currency, e.g. "USD".
    pub currency: String,
    /// The price book's id.
    pub price_book: String,
    /// The price book's date, YYYY-MM-DD.
    pub price_book_date: String,
    /// The cloud platform priced.
    pub platform: String,
    /// The connectivity option priced.
    pub connectivity: String,
    /// The time-series store (`null`: none priced).
    pub storage: Option<String>,
    /// Horizon of the business case, years.
    pub horizon_years: F,
    /// Yearly discount rate, percent.
    pub discount_rate_pct: F,
    /// Spent at the start (month 0), currency units.
    pub capex: F,
    /// Undiscounted recurring spend per month, averaged over the horizon, currency units.
    pub opex_per_month: F,
    /// Total cost of ownership over the horizon (discounted), currency units.
    pub tco: F,
    /// TCO per device and year, currency units.
    pub tco_per_device_year: F,
    /// TCO by category, currency units.
    pub breakdown: Breakdown<F>,
    /// How the platform is sized (e.g. "1 x S2", "3 VMs").
    pub platform_sizing: String,
    /// Set when no size of the platform covers the fleet's peak day.
    pub quota_exceeded: Option<String>,
    /// Every item of the bill.
    pub lines: Vec<BillLine<F>>,
    /// The TCO of the same run under other platform or connectivity choices.
    pub alternatives: Vec<Alternative<F>>,
}

/// TCO by category (discounted, over the horizon), currency units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Breakdown<F> {
    /// Devices, gateways and other equipment.
    pub hardware: F,
    /// Installing the fleet.
    pub installation: F,
    /// Onboarding, certificates and re-provisioning after credential leaks.
    pub provisioning: F,
    /// SIMs, data plans and gateway backhaul.
    pub connectivity: F,
    /// The cloud IoT platform.
    pub cloud: F,
    /// Time-series storage and data egress.
    pub storage: F,
    /// Truck rolls, replaced devices, battery swaps and other site work.
    pub maintenance: F,
}

/// The category of a bill line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CostCategory {
    /// Devices, gateways and other equipment.
    Hardware,
    /// Installing the fleet.
    Installation,
    /// Onboarding, certificates and re-provisioning after credential leaks.
    Provisioning,
    /// SIMs, data plans and gateway backhaul.
    Connectivity,
    /// The cloud IoT platform.
    Cloud,
    /// Time-series storage and data egress.
    Storage,
    /// Truck rolls, replaced devices, battery swaps and other site work.
    Maintenance,
}

/// One item of the bill: what it is, how it was metered, and what it adds up to (currency
/// units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct BillLine<F> {
    /// Which TCO category the line adds to.
    pub category: CostCategory,
    /// What is bought, e.g. "gateway backhaul".
    pub item: String,
    /// How the quantity was metered (a typical month, or the one-time order).
    pub basis: String,
    /// Spent at the start (month 0), currency units.
    pub capex: F,
    /// The first month's charge (recurring items), currency units.
    pub first_month: F,
    /// Its share of the TCO (discounted), currency units.
    pub tco: F,
}

/// The TCO of the same run under another platform or connectivity choice, currency units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Alternative<F> {
    /// "platform" or "connectivity".
    pub choice: String,
    /// The platform or connectivity option priced instead.
    pub name: String,
    /// Total cost of ownership over the horizon (discounted), currency units.
    pub tco: F,
    /// TCO per device and year, currency units.
    pub tco_per_device_year: F,
}

/// The production-readiness verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Verdict {
    /// `status == "ready"`.
    pub ready: bool,
    /// The overall answer.
    pub status: Readiness,
    /// The replications judged: targets by the 95 % interval of their mean, warning signs by the
    /// mean summary.
    pub replications: u32,
    /// Every target and warning sign checked, with its evidence.
    pub findings: Vec<Finding>,
}

/// The overall answer of a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Readiness {
    /// Every target met with its whole interval, no warning sign failed.
    Ready,
    /// No finding failed, but a target's interval straddles it.
    Undecided,
    /// A finding failed.
    NotReady,
}

/// How a finding came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Target met, or no sign of trouble.
    Pass,
    /// A warning sign worth attention; it does not make the verdict "not ready".
    Warn,
    /// A target whose 95 % interval contains it (or a single replication, which has no
    /// interval): the run cannot say whether the design meets it.
    Undecided,
    /// Target missed, or a sign that the pilot will not scale; the verdict is "not ready".
    Fail,
}

/// One target or warning sign, with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Finding {
    /// A stable name: `target.delivery_ratio`, `sign.manual_onboarding`, ...
    pub check: String,
    /// How it came out.
    pub severity: Severity,
    /// One line saying what was found, for a person.
    pub title: String,
    /// What in the run or the design shows it.
    pub evidence: String,
    /// For a target: the KPI over the replications (mean and 95 % interval), in the unit of
    /// `target`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Estimate>,
    /// For a target: the target, in the KPI's unit (a ratio 0..1, seconds, days, currency
    /// units, percent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
}

/// A KPI estimated from replications: the mean and the 95 % Student-t interval of the mean (no
/// interval, low = high = mean, from one replication), in the unit of the KPI.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Estimate {
    /// Mean over the replications.
    pub mean: f64,
    /// Lower end of the 95 % interval of the mean (the mean for one replication).
    pub ci95_low: f64,
    /// Upper end of the 95 % interval of the mean (the mean for one replication).
    pub ci95_high: f64,
    /// Replications the estimate is over.
    pub replications: u32,
}

/// What the run database knows of a run, besides its summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RunFacts {
    /// The run's id in the run database (the one asked for: a replication's own id when a
    /// replication was asked for).
    pub run_id: i64,
    /// Where the run stands: running, complete, or stopped before a summary.
    pub status: RunStatus,
    /// When the run was started, RFC 3339 UTC.
    pub created_at: String,
    /// The scenario file, as given on the command line.
    pub file: String,
    /// The `--set PATH=VALUE` overrides applied to the scenario, in order.
    pub overrides: Vec<String>,
    /// The run this one is a replication of (absent for replication 0 and single runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_of: Option<i64>,
}

/// A finished run of one replication: its figures as they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RunOne {
    /// What the run database knows of the run (its fields appear at the top level).
    #[serde(flatten)]
    pub facts: RunFacts,
    /// The seed of the replication. A u64 that may pass 2^53: JavaScript's `JSON.parse` rounds
    /// such a seed, so show it, but read it with a lossless parser to run it again.
    pub seed: u64,
    /// What the figures are: "one replication: no intervals".
    pub statistic: String,
    /// The replication's figures (its fields appear at the top level).
    #[serde(flatten)]
    pub summary: SummaryOf<u64, f64>,
}

/// A finished run of several replications: every count and figure as a [`Stat`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RunReplicated {
    /// What the run database knows of the run (its fields appear at the top level).
    #[serde(flatten)]
    pub facts: RunFacts,
    /// The replications' run ids, replication 0 first.
    pub run_ids: Vec<i64>,
    /// The replications' seeds, replication 0 first (u64s: see `RunOne.seed`).
    pub seeds: Vec<u64>,
    /// How many replications there are (at least 2).
    pub replications: u32,
    /// What the figures are: "mean over replications, with its 95 % Student-t interval".
    pub statistic: String,
    /// Every figure as the mean over replications with its 95 % interval (fields appear at the top
    /// level).
    #[serde(flatten)]
    pub summary: SummaryOf<Stat, Stat>,
}

/// A run without a summary (still running, failed or killed): its identity only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RunUnfinished {
    /// What the run database knows of the run (its fields appear at the top level).
    #[serde(flatten)]
    pub facts: RunFacts,
    /// The scenario's name.
    pub scenario: String,
    /// The seed (a u64: see `RunOne.seed`).
    pub seed: u64,
    /// Devices in the fleet.
    pub devices: u64,
    /// `sim-core VERSION+modelN`.
    pub engine_version: String,
}

/// A stored run as every front end reads it (`run --json`, `show --json`): one of three forms,
/// told apart by their fields (`run_ids` over replications, `messages` with one replication,
/// neither when the run did not finish).
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)]
pub enum RunDetail {
    /// A finished run of one replication.
    One(RunOne),
    /// A finished run of several replications.
    Replicated(RunReplicated),
    /// A run that is still running, failed or was killed.
    Unfinished(RunUnfinished),
}

impl<'de> Deserialize<'de> for RunDetail {
    /// Picks the form by its fields, then reads it strictly, so an error names the field at
    /// fault (an untagged enum would only say that no form matched).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RunDetail, D::Error> {
        let v = Value::deserialize(d)?;
        let form = if v.get("run_ids").is_some() {
            serde_json::from_value(v).map(RunDetail::Replicated)
        } else if v.get("messages").is_some() {
            serde_json::from_value(v).map(RunDetail::One)
        } else {
            serde_json::from_value(v).map(RunDetail::Unfinished)
        };
        form.map_err(serde::de::Error::custom)
    }
}

impl RunDetail {
    /// A finished run of one replication. `facts.run_id` is the run's id (the summary's own
    /// `run_id` is not repeated).
    pub fn one(summary: &RunSummary, facts: RunFacts) -> RunDetail {
        let mut v = serde_json::to_value(summary).expect("a summary serializes");
        v["statistic"] = Value::from(crate::run::ONE_REPLICATION);
        RunDetail::One(with_facts(v, facts))
    }

    /// A finished run of several replications: `mean` is [`crate::run::mean_of`] the summaries
    /// (its verdict, on all of them, is the run's), `summaries` the replications in order.
    pub fn replicated(mean: &RunSummary, summaries: &[RunSummary], facts: RunFacts) -> RunDetail {
        RunDetail::Replicated(with_facts(crate::run::combine_summaries(mean, summaries), facts))
    }

    /// A finished run as `run --json` prints it: [`RunDetail::one`] for one replication,
    /// [`RunDetail::replicated`] for more.
    pub fn finished(mean: &RunSummary, summaries: &[RunSummary], facts: RunFacts) -> RunDetail {
        match summaries {
            [one] => RunDetail::one(one, facts),
            many => RunDetail::replicated(mean, many, facts),
        }
    }

    /// A run without a summary.
    pub fn unfinished(scenario: String, seed: u64, devices: u64, engine_version: String, facts: RunFacts) -> RunDetail {
        RunDetail::Unfinished(RunUnfinished { facts, scenario, seed, devices, engine_version })
    }

    /// What the database knows of the run.
    pub fn facts(&self) -> &RunFacts {
        match self {
            RunDetail::One(r) => &r.facts,
            RunDetail::Replicated(r) => &r.facts,
            RunDetail::Unfinished(r) => &r.facts,
        }
    }
}

/// Reads a summary's JSON (`summary_json`'s) into a form, with the facts in place of its
/// `run_id`. A failure is a bug: the contract no longer mirrors sim-core's RunSummary.
fn with_facts<T: serde::de::DeserializeOwned>(mut v: Value, facts: RunFacts) -> T {
    if let Some(obj) = v.as_object_mut() {
        obj.remove("run_id");
    }
    let facts = serde_json::to_value(facts).expect("run facts serialize");
    for (k, x) in facts.as_object().into_iter().flatten() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap_or_else(|e| panic!("the contract mirrors RunSummary JSON v1: {e}"))
}
