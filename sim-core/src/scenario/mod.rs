//! The validated scenario: what a scenario file means once every field has been checked.
//! Files are read in two stages (see [`read`]): TOML text -> spanned tree -> `Scenario`, with every
//! problem collected as a [`Diagnostic`](crate::diagnostic::Diagnostic).

mod query;
pub mod read;
pub mod schema;

use crate::time::SimDuration;

pub use read::{ScenarioSource, parse_scenario};

/// The file format version this build reads.
pub const SCHEMA_VERSION: i64 = 1;
/// The largest fleet a scenario may declare (all classes together).
pub const MAX_DEVICES: u64 = 10_000_000;
/// The longest simulated duration a scenario may declare.
pub const MAX_DURATION: SimDuration = SimDuration(50 * crate::time::US_PER_YEAR);

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub seed: u64,
    pub duration: SimDuration,
    /// The calendar time of simulated time 0 (`scenario.start`), milliseconds since the Unix
    /// epoch, UTC; [`crate::time::DEFAULT_START_MS`] when the file names none. Exports stamp
    /// hours with it; the engine does not read it.
    pub start_ms: i64,
    /// TCO horizon in years (used by the business case).
    pub horizon_years: f64,
    pub price_book: Option<String>,
    pub sites: Vec<Site>,
    pub networks: Vec<NetworkProfile>,
    pub powers: Vec<PowerProfile>,
    pub classes: Vec<DeviceClass>,
    pub backend: Backend,
    pub maintenance: Maintenance,
    pub events: Vec<Event>,
    /// What the business case prices, from the price book (`[cost]`); None without a price book.
    pub cost: Option<CostPlan>,
    /// What production must achieve (`[targets]`), checked by the verdict.
    pub targets: Targets,
    /// How devices are installed and onboarded (`[provisioning]`); None: all online at the start.
    pub provisioning: Option<Provisioning>,
    /// How firmware is updated (`[firmware]`); campaigns are `firmware-update` events.
    pub firmware: Option<Firmware>,
    /// Device identity and credentials (`[identity]`).
    pub identity: Option<IdentityPlan>,
}

impl Scenario {
    pub fn device_count(&self) -> u64 {
        self.classes.iter().map(|c| c.count as u64).sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub id: String,
    /// Latitude, longitude in degrees (for the map).
    pub position: [f64; 2],
    /// Gateways (or cells) serving the site; devices are spread over them evenly.
    pub gateways: u32,
}

/// Where an outage process lives: one per device, or one shared by every device behind a
/// gateway or at a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Device,
    Gateway,
    Site,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    None,
    /// Gilbert-Elliott two-state channel, stepped once per device tick: the transition first, then
    /// the tick's attempts are lost with the new state's probability (the peers' order; the
    /// stationary loss and burst statistics are NTIA's either way).
    GilbertElliott {
        p_good_to_bad: f64,
        p_bad_to_good: f64,
        loss_good: f64,
        loss_bad: f64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Latency {
    None,
    Fixed(SimDuration),
    /// Lognormal one-way latency given by its median and 99th percentile.
    LogNormal {
        median: SimDuration,
        p99: SimDuration,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DownTime {
    Exponential,
    /// Lognormal outage durations with this log-space standard deviation (mean kept at `mean_down`).
    LogNormal {
        sigma: f64,
    },
}

/// An alternating renewal process: up ~ Exp(mean_up), down ~ `down_distribution`(mean_down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutageProcess {
    pub scope: Scope,
    pub mean_up: SimDuration,
    pub mean_down: SimDuration,
    pub down_distribution: DownTime,
}

/// How a message is delivered over the link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delivery {
    /// Acknowledged (e.g. MQTT QoS 1, CoAP CON): a failed message stays buffered and is retried.
    /// Unacknowledged (LoRaWAN unconfirmed, QoS 0): sent once, lost if the link drops it.
    pub acked: bool,
    /// Attempts per message within one tick before the device gives up until its next tick.
    pub attempts: u32,
    /// Exponential backoff with full jitter between attempts: min(cap, base * 2^n) * U(0,1).
    pub backoff_base: SimDuration,
    pub backoff_cap: SimDuration,
}

/// A shared LoRa channel plan: devices on the same gateway and channel collide (pure ALOHA).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoraRadio {
    pub spreading_factor: u8,
    pub bandwidth_khz: u32,
    /// 1..=4 for coding rates 4/5 .. 4/8.
    pub coding_rate: u8,
    pub channels: u32,
    pub duty_cycle_pct: f64,
    /// LoRaWAN MAC overhead added to the application payload (13 bytes by the spec).
    pub overhead_bytes: u32,
    pub preamble_symbols: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NetworkProfile {
    pub name: String,
    pub loss: Loss,
    pub latency: Latency,
    /// Outage processes of this link (per device, per gateway, per site), all applied.
    pub outages: Vec<OutageProcess>,
    pub delivery: Delivery,
    pub lora: Option<LoraRadio>,
    /// Radio-on time per transmission attempt, ms (LoRa: computed from the airtime instead).
    pub tx_ms: f64,
    /// Bulk transfer rate (firmware images, TLS handshakes), kbit/s (LoRa: from the airtime).
    pub throughput_kbps: f64,
    /// Receive window per attempt (acknowledgement), ms.
    pub rx_ms: f64,
}

/// Currents of the device in each state, mA.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Currents {
    pub sleep_ma: f64,
    pub sample_ma: f64,
    pub tx_ma: f64,
    pub rx_ma: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PowerSource {
    Battery {
        capacity_mah: f64,
        /// Initial charge drawn uniformly in [min, max] percent of capacity.
        initial_charge_pct: (f64, f64),
        self_discharge_pct_per_year: f64,
        /// Below this charge, brownout reboots become likely.
        low_battery_pct: f64,
        low_battery_reboots_per_day: f64,
    },
    Mains {
        /// Utility interruptions per year at a site (SAIFI), lognormal durations.
        outages_per_year: f64,
        mean_outage: SimDuration,
        outage_sigma_ln: f64,
        /// Momentary sags per year at a site; each resets a device with `reset_probability`.
        sags_per_year: f64,
        reset_probability: f64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PowerProfile {
    pub name: String,
    pub source: PowerSource,
    pub currents: Currents,
    /// Time spent sampling the sensor each tick, ms.
    pub sample_ms: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverflowPolicy {
    DropOldest,
    DropNewest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BufferStorage {
    /// Lost on reboot.
    Ram,
    /// Survives reboots.
    Flash,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Buffer {
    /// Messages the device can hold, the newest sample included (1 = no store-and-forward).
    pub capacity: u32,
    pub policy: OverflowPolicy,
    pub storage: BufferStorage,
    /// Messages sent per tick at most (the flush rate after a reconnect).
    pub flush_per_tick: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Telemetry {
    pub period: SimDuration,
    /// Each tick is moved by U(-jitter, +jitter).
    pub jitter: SimDuration,
    pub payload_bytes: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeviceClass {
    pub name: String,
    pub count: u32,
    /// Indices into `Scenario::sites`.
    pub sites: Vec<usize>,
    /// Index into `Scenario::networks`.
    pub network: usize,
    /// Index into `Scenario::powers`.
    pub power: usize,
    pub telemetry: Telemetry,
    pub buffer: Buffer,
    /// Spontaneous firmware crashes/resets per device-day.
    pub reboots_per_day: f64,
    /// Hardware annual failure rate, percent per device-year.
    pub afr_pct: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backend {
    /// Broker/cloud limit on new connections per second (e.g. Azure S1: 100/s).
    pub connects_per_s: Option<f64>,
    /// Broker/cloud limit on device-to-cloud publishes per second.
    pub publishes_per_s: Option<f64>,
    /// Devices reconnect uniformly spread over this window after a shared outage ends.
    pub reconnect_window: SimDuration,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Maintenance {
    /// Whether dead or failed devices are visited and brought back at all.
    pub enabled: bool,
    /// Time until the operator notices a silent device.
    pub detection_delay: SimDuration,
    /// Time from dispatch until the technician is on site (truck roll).
    pub truck_roll_response: SimDuration,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// The network at a site is down (every gateway at the site).
    SiteOutage { site: usize, duration: SimDuration },
    /// One gateway (0-based) at a site is down.
    GatewayOutage { site: usize, gateway: u32, duration: SimDuration },
    /// Mains power is cut at a site: mains devices are off, the site's gateways are down.
    PowerOutage { site: usize, duration: SimDuration },
    /// A momentary sag at a site: every mains-powered device there resets with this probability.
    Brownout { site: usize, reset_probability: f64 },
    /// A firmware campaign over the devices installed by then (needs `[firmware]`).
    FirmwareUpdate(Box<Campaign>),
    /// A device credential leaks and is revoked: every device that holds it is offline until it
    /// is re-provisioned (needs `[identity]`).
    CredentialCompromise,
}

/// A firmware campaign: the image and how it is rolled out (waves with hawkBit-style
/// thresholds; domain-models 5.2).
#[derive(Clone, Debug, PartialEq)]
pub struct Campaign {
    pub image_bytes: u64,
    /// The first wave (canary): this share of the fleet, at least `canary_min` devices.
    pub canary_pct: f64,
    pub canary_min: u64,
    /// Cumulative shares of the fleet updated by the end of each later wave, e.g. [10, 50, 100].
    pub waves_pct: Vec<f64>,
    /// Soak time between the end of a wave and the start of the next.
    pub wait: SimDuration,
    /// Devices started per minute within a wave.
    pub devices_per_minute: f64,
    /// A wave must reach this success share for the next one to start.
    pub success_threshold_pct: f64,
    /// An error share above this aborts the later waves.
    pub error_threshold_pct: f64,
    /// This release's boot/health failure probability (None: `[firmware] boot_failure_pct`).
    pub boot_failure: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub at: SimDuration,
    pub kind: EventKind,
    pub caption: String,
}

/// Which price-book items a scenario buys, and the assumptions of its business case.
#[derive(Clone, Debug, PartialEq)]
pub struct CostPlan {
    pub platform: String,
    pub connectivity: String,
    pub storage: Option<String>,
    /// How long telemetry is kept in the time-series store.
    pub retention: SimDuration,
    /// Price-book hardware item per device class (index as `Scenario::classes`).
    pub device_hardware: Vec<Option<String>>,
    pub gateway_hardware: Option<String>,
    /// Replacement cell per power profile (index as `Scenario::powers`; batteries only).
    pub battery_hardware: Vec<Option<String>>,
    pub discount_rate_pct: f64,
    /// Share of stored bytes read out of the cloud each month (dashboards, BI exports).
    pub egress_share: f64,
    pub shadow_ops_per_device_day: f64,
    pub rules_per_message: f64,
    pub actions_per_rule: f64,
    /// Peak over mean message rate, for sizing a self-hosted broker.
    pub peak_to_mean: f64,
    /// Battery swaps a technician does per visit in a planned campaign.
    pub battery_swaps_per_visit: u32,
    /// Other choices to price on the same usage (for crossovers).
    pub alternatives: Alternatives,
    /// `path=value` price overrides applied to the price book.
    pub prices: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Alternatives {
    pub platforms: Vec<String>,
    pub connectivity: Vec<String>,
}

/// Production targets; each one set is a pass/fail line of the verdict.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Targets {
    pub delivery_ratio: Option<f64>,
    pub p99_latency: Option<SimDuration>,
    pub battery_life: Option<SimDuration>,
    pub tco_per_device_year: Option<f64>,
    pub max_devices_offline_pct: Option<f64>,
}

pub use crate::models::provisioning::Onboarding;

/// How devices are installed and onboarded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Provisioning {
    /// Devices installed per week, in index order (0: all at the start).
    pub installs_per_week: f64,
    pub onboarding: Onboarding,
    /// The run covers the rollout (devices start as they come online); false: the run is the
    /// steady state after it (every device online from the start, the rollout reported).
    pub rollout_in_run: bool,
}

impl Provisioning {
    pub fn is_manual(&self) -> bool {
        matches!(self.onboarding, Onboarding::Manual { .. })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirmwareUpdate {
    /// No remote update: a firmware fix is a site visit per device.
    None,
    /// Remote update into a single slot: a failed flash bricks the device.
    SingleSlot,
    /// Remote update into A/B slots with rollback after a failed boot.
    AbRollback,
}

/// The device's update mechanism (domain-models 5.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Firmware {
    pub update: FirmwareUpdate,
    /// A lost chunk is resent (resume) instead of restarting the whole image.
    pub resume: bool,
    pub chunk_bytes: u64,
    /// Download attempts (without resume) or sends per chunk (with resume).
    pub attempts: u32,
    /// Probability of power loss or a reset while the image is written.
    pub power_loss_during_write: f64,
    /// Probability that a good release fails to boot or fails its health window.
    pub boot_failure: f64,
    /// Bootloader or partition-table corruption with A/B slots.
    pub brick_ab: f64,
    /// Campaigns a year, for the business case (None: as often as in the run).
    pub campaigns_per_year: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// One secret on every device.
    Shared,
    /// A unique identity per device.
    PerDevice,
}

/// Device identity: credentials, certificates and TLS sessions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdentityPlan {
    pub credentials: Credentials,
    /// Certificate lifetime and rotation (None: credentials that do not expire).
    pub certificates: Option<crate::models::identity::Certificates>,
    pub handshake: crate::models::identity::Handshake,
    /// Every report opens a new TLS session (sleepy devices) instead of keeping one open.
    pub session_per_report: bool,
    /// Time from a leak until re-provisioning starts.
    pub compromise_response: SimDuration,
}
