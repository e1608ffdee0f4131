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

/// A complete, validated scenario (one TOML file): the fleet, its links and power, events, costs
/// and targets. Durations are simulated time in microseconds ([`SimDuration`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Scenario name (`scenario.name`), shown in reports.
    pub name: String,
    /// Free-text description (`scenario.description`), if any.
    pub description: Option<String>,
    /// Master random seed (`scenario.seed`, default 0); every random stream is derived from it.
    pub seed: u64,
    /// Simulated length of one run (`scenario.duration`): 1 s up to [`MAX_DURATION`].
    pub duration: SimDuration,
    /// The calendar time of simulated time 0 (`scenario.start`), milliseconds since the Unix
    /// epoch, UTC; [`crate::time::DEFAULT_START_MS`] when the file names none. Exports stamp
    /// hours with it; the engine does not read it.
    pub start_ms: i64,
    /// TCO horizon in years (used by the business case).
    pub horizon_years: f64,
    /// Price book to price the business case with (`scenario.price_book`); None: no cost figures.
    pub price_book: Option<String>,
    /// Sites (`[[site]]`), in file order; classes and events refer to them by index.
    pub sites: Vec<Site>,
    /// Network profiles (`[network.NAME]`); classes refer to them by index.
    pub networks: Vec<NetworkProfile>,
    /// Power profiles (`[power.NAME]`); classes refer to them by index.
    pub powers: Vec<PowerProfile>,
    /// Device classes (`[fleet.NAME]`), in file order.
    pub classes: Vec<DeviceClass>,
    /// Cloud/broker limits and reconnect behaviour (`[backend]`).
    pub backend: Backend,
    /// Field-service settings (`[maintenance]`).
    pub maintenance: Maintenance,
    /// Scheduled events (`[[event]]`), as given in the file.
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
    /// How the fleet view draws it (`[view]`): a site plan behind the map.
    pub view: Option<ViewPlan>,
}

/// The fleet view's background: a site plan image, placed by its corners or over the map.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewPlan {
    /// The image file (PNG), relative to the scenario's folder, else to `assets/`.
    pub background: String,
    /// Its north-west and south-east corners as `[latitude, longitude]`, degrees; None: the
    /// image is stretched over the drawn map.
    pub corners: Option<[[f64; 2]; 2]>,
}

impl Scenario {
    /// Total number of devices over all classes.
    pub fn device_count(&self) -> u64 {
        self.classes.iter().map(|c| c.count as u64).sum()
    }
}

/// A physical site (`[[site]]`) with its gateways.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// Site id, unique within the scenario; events and classes name sites by it.
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
    /// The outage belongs to each device alone.
    Device,
    /// The outage is shared by every device behind one gateway.
    Gateway,
    /// The outage is shared by every device at one site.
    Site,
}

/// Packet-loss model of a link (`[network.NAME.loss]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    /// No random loss (default).
    None,
    /// Gilbert-Elliott two-state channel, stepped once per device tick: the transition first, then
    /// the tick's attempts are lost with the new state's probability (the peers' order; the
    /// stationary loss and burst statistics are NTIA's either way).
    GilbertElliott {
        /// Per-tick probability of moving from the good to the bad state (0..1).
        p_good_to_bad: f64,
        /// Per-tick probability of moving from the bad back to the good state (0..1).
        p_bad_to_good: f64,
        /// Loss probability in the good state (0..1, default 0).
        loss_good: f64,
        /// Loss probability in the bad state (0..1, default 1).
        loss_bad: f64,
    },
}

/// One-way message latency model of a link (`[network.NAME.latency]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Latency {
    /// Zero latency (default).
    None,
    /// The same latency for every message (at most 1 h).
    Fixed(SimDuration),
    /// Lognormal one-way latency given by its median and 99th percentile.
    LogNormal {
        /// Median latency (at least 1 µs, at most 1 h).
        median: SimDuration,
        /// 99th-percentile latency; never below the median.
        p99: SimDuration,
    },
}

/// Distribution of outage durations in an [`OutageProcess`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DownTime {
    /// Exponential durations with mean `mean_down` (default).
    Exponential,
    /// Lognormal outage durations with this log-space standard deviation (mean kept at `mean_down`).
    LogNormal {
        /// Log-space standard deviation of the durations (`sigma_ln`, 0.01..4).
        sigma: f64,
    },
}

/// An alternating renewal process: up ~ Exp(mean_up), down ~ `down_distribution`(mean_down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutageProcess {
    /// Whether each device, each gateway or each site has its own process.
    pub scope: Scope,
    /// Mean time between outages (up time; at least 60 s).
    pub mean_up: SimDuration,
    /// Mean outage duration (1 s to 365 days).
    pub mean_down: SimDuration,
    /// Shape of the outage-duration distribution (default exponential).
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
    /// Upper bound of the backoff before jitter (default 300 s); `backoff_base` defaults to 1 s.
    pub backoff_cap: SimDuration,
}

/// A shared LoRa channel plan: devices on the same gateway and channel collide (pure ALOHA).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoraRadio {
    /// LoRa spreading factor, 7..=12.
    pub spreading_factor: u8,
    /// Channel bandwidth in kHz: 125 (default), 250 or 500.
    pub bandwidth_khz: u32,
    /// 1..=4 for coding rates 4/5 .. 4/8.
    pub coding_rate: u8,
    /// Uplink channels per gateway (1..=64, default 3); frames collide only on the same channel.
    pub channels: u32,
    /// Regional duty-cycle limit per device, percent of time on air (default 1 %).
    pub duty_cycle_pct: f64,
    /// LoRaWAN MAC overhead added to the application payload (13 bytes by the spec).
    pub overhead_bytes: u32,
    /// Preamble length in symbols (default 8).
    pub preamble_symbols: u32,
}

/// A link type (`[network.NAME]`): loss, latency, outages, delivery and radio timing.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkProfile {
    /// Profile name, as device classes refer to it.
    pub name: String,
    /// Random packet loss on the link (default none).
    pub loss: Loss,
    /// One-way latency of delivered messages (default zero).
    pub latency: Latency,
    /// Outage processes of this link (per device, per gateway, per site), all applied.
    pub outages: Vec<OutageProcess>,
    /// Acknowledgement, retries and backoff (default: acked, 1 attempt, backoff 1 s up to 300 s).
    pub delivery: Delivery,
    /// LoRa radio plan; Some makes airtime, duty cycle and collisions count (requires unacked).
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
    /// Sleep current, mA (default 0).
    pub sleep_ma: f64,
    /// Current while sampling the sensor, mA (default 0).
    pub sample_ma: f64,
    /// Current while transmitting, mA (default 0).
    pub tx_ma: f64,
    /// Current while receiving (acknowledgement window), mA (default 0).
    pub rx_ma: f64,
}

/// Where a power profile's energy comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum PowerSource {
    /// A battery, drained by the device's currents and self-discharge.
    Battery {
        /// Nominal capacity, mAh.
        capacity_mah: f64,
        /// Initial charge drawn uniformly in [min, max] percent of capacity.
        initial_charge_pct: (f64, f64),
        /// Self-discharge, percent of capacity per year (default 1).
        self_discharge_pct_per_year: f64,
        /// Below this charge, brownout reboots become likely.
        low_battery_pct: f64,
        /// Brownout reboots per device-day once below `low_battery_pct` (default 0).
        low_battery_reboots_per_day: f64,
    },
    /// Mains power, subject to the site's utility interruptions and sags.
    Mains {
        /// Utility interruptions per year at a site (SAIFI), lognormal durations.
        outages_per_year: f64,
        /// Mean interruption duration (default 2 h).
        mean_outage: SimDuration,
        /// Log-space standard deviation of interruption durations (default 1.2).
        outage_sigma_ln: f64,
        /// Momentary sags per year at a site; each resets a device with `reset_probability`.
        sags_per_year: f64,
        /// Probability (0..1) that a sag resets a device (default 0.3).
        reset_probability: f64,
    },
}

/// A named power profile (`[power.NAME]`): the source and the device's currents.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerProfile {
    /// Profile name, as device classes refer to it.
    pub name: String,
    /// Battery or mains, with its parameters.
    pub source: PowerSource,
    /// Device currents per state (all 0 when `currents_ma` is absent).
    pub currents: Currents,
    /// Time spent sampling the sensor each tick, ms.
    pub sample_ms: f64,
}

/// What a full buffer does with a new message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverflowPolicy {
    /// Discard the oldest buffered message to make room (default).
    DropOldest,
    /// Discard the new message.
    DropNewest,
}

/// Where buffered messages are kept, which decides whether they survive a reboot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BufferStorage {
    /// Lost on reboot.
    Ram,
    /// Survives reboots.
    Flash,
}

/// The device's store-and-forward buffer (`buffer` of a device class).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Buffer {
    /// Messages the device can hold, the newest sample included (1 = no store-and-forward).
    pub capacity: u32,
    /// What happens when the buffer is full (default drop-oldest).
    pub policy: OverflowPolicy,
    /// RAM (default) or flash.
    pub storage: BufferStorage,
    /// Messages sent per tick at most (the flush rate after a reconnect).
    pub flush_per_tick: u32,
}

/// How often a device reports and how much it sends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Telemetry {
    /// Reporting period: one sample (and send) per tick.
    pub period: SimDuration,
    /// Each tick is moved by U(-jitter, +jitter).
    pub jitter: SimDuration,
    /// Application payload per message, bytes (default 50).
    pub payload_bytes: u32,
}

/// A device class (`[fleet.NAME]`): identical devices sharing a network, power and telemetry.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceClass {
    /// Class name, unique within the scenario.
    pub name: String,
    /// Number of devices in the class.
    pub count: u32,
    /// Indices into `Scenario::sites`.
    pub sites: Vec<usize>,
    /// Index into `Scenario::networks`.
    pub network: usize,
    /// Index into `Scenario::powers`.
    pub power: usize,
    /// Reporting period, jitter and payload size.
    pub telemetry: Telemetry,
    /// Store-and-forward buffer (default: capacity 1, drop-oldest, RAM).
    pub buffer: Buffer,
    /// Spontaneous firmware crashes/resets per device-day.
    pub reboots_per_day: f64,
    /// Hardware annual failure rate, percent per device-year.
    pub afr_pct: f64,
}

/// Backend capacity limits (`[backend]`); None means unlimited.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backend {
    /// Broker/cloud limit on new connections per second (e.g. Azure S1: 100/s).
    pub connects_per_s: Option<f64>,
    /// Broker/cloud limit on device-to-cloud publishes per second.
    pub publishes_per_s: Option<f64>,
    /// Devices reconnect uniformly spread over this window after a shared outage ends.
    pub reconnect_window: SimDuration,
}

/// Field service (`[maintenance]`): whether and how fast failed devices are repaired.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Maintenance {
    /// Whether dead or failed devices are visited and brought back at all.
    pub enabled: bool,
    /// Time until the operator notices a silent device.
    pub detection_delay: SimDuration,
    /// Time from dispatch until the technician is on site (truck roll).
    pub truck_roll_response: SimDuration,
}

/// What a scheduled event does. Sites are indices into `Scenario::sites`.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// The network at a site is down (every gateway at the site).
    SiteOutage {
        /// Index into `Scenario::sites`.
        site: usize,
        /// How long the outage lasts (at most 365 days).
        duration: SimDuration,
    },
    /// One gateway (0-based) at a site is down.
    GatewayOutage {
        /// Index into `Scenario::sites`.
        site: usize,
        /// Gateway number within the site, below `Site::gateways`.
        gateway: u32,
        /// How long the outage lasts (at most 365 days).
        duration: SimDuration,
    },
    /// Mains power is cut at a site: mains devices are off, the site's gateways are down.
    PowerOutage {
        /// Index into `Scenario::sites`.
        site: usize,
        /// How long the power is off (at most 365 days).
        duration: SimDuration,
    },
    /// A momentary sag at a site: every mains-powered device there resets with this probability.
    Brownout {
        /// Index into `Scenario::sites`.
        site: usize,
        /// Probability (0..1) that each mains device resets (default 0.3).
        reset_probability: f64,
    },
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
    /// Image size, bytes (the file gives `image_kb`, 1 kB = 1024 bytes).
    pub image_bytes: u64,
    /// The first wave (canary): this share of the fleet, at least `canary_min` devices.
    pub canary_pct: f64,
    /// Minimum number of devices in the canary wave (default 25).
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

/// A scheduled event (`[[event]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// When the event happens, as an offset from simulated time 0; before the end of the run.
    pub at: SimDuration,
    /// What happens, with its parameters.
    pub kind: EventKind,
    /// Label shown on the timeline (empty when the file gives none).
    pub caption: String,
}

/// Which price-book items a scenario buys, and the assumptions of its business case.
#[derive(Clone, Debug, PartialEq)]
pub struct CostPlan {
    /// Price-book item of the IoT platform (`cost.platform`).
    pub platform: String,
    /// Price-book item of the connectivity plan (`cost.connectivity`).
    pub connectivity: String,
    /// Price-book item of the time-series store (`cost.storage`); None: storage not priced.
    pub storage: Option<String>,
    /// How long telemetry is kept in the time-series store.
    pub retention: SimDuration,
    /// Price-book hardware item per device class (index as `Scenario::classes`).
    pub device_hardware: Vec<Option<String>>,
    /// Price-book hardware item per gateway; None: gateways not priced.
    pub gateway_hardware: Option<String>,
    /// Replacement cell per power profile (index as `Scenario::powers`; batteries only).
    pub battery_hardware: Vec<Option<String>>,
    /// Annual discount rate for the present value of costs, percent (default 0).
    pub discount_rate_pct: f64,
    /// Share of stored bytes read out of the cloud each month (dashboards, BI exports).
    pub egress_share: f64,
    /// Device-shadow/registry operations per device-day (default 0).
    pub shadow_ops_per_device_day: f64,
    /// Rule evaluations per delivered message (default 1).
    pub rules_per_message: f64,
    /// Actions triggered per rule evaluation (default 1).
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

/// Alternative price-book choices priced on the same usage, for crossover comparisons.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Alternatives {
    /// Other platform items (`cost.alternatives.platform`).
    pub platforms: Vec<String>,
    /// Other connectivity items (`cost.alternatives.connectivity`).
    pub connectivity: Vec<String>,
}

/// Production targets; each one set is a pass/fail line of the verdict.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Targets {
    /// Minimum delivery ratio, fraction 0..1.
    pub delivery_ratio: Option<f64>,
    /// Maximum p99 one-way latency (at most one day).
    pub p99_latency: Option<SimDuration>,
    /// Minimum battery life of the worst battery class.
    pub battery_life: Option<SimDuration>,
    /// Maximum TCO per device-year, in the price book's currency.
    pub tco_per_device_year: Option<f64>,
    /// Maximum share of devices offline at the end of the run, percent.
    pub max_devices_offline_pct: Option<f64>,
}

pub use crate::models::provisioning::Onboarding;

/// How devices are installed and onboarded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Provisioning {
    /// Devices installed per week, in index order (0: all at the start).
    pub installs_per_week: f64,
    /// Onboarding method and its parameters.
    pub onboarding: Onboarding,
    /// The run covers the rollout (devices start as they come online); false: the run is the
    /// steady state after it (every device online from the start, the rollout reported).
    pub rollout_in_run: bool,
}

impl Provisioning {
    /// Whether devices are onboarded by hand (a technician visit each).
    pub fn is_manual(&self) -> bool {
        matches!(self.onboarding, Onboarding::Manual { .. })
    }
}

/// How firmware is installed remotely (`[firmware] update`).
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
    /// `none`, single slot or A/B with rollback.
    pub update: FirmwareUpdate,
    /// A lost chunk is resent (resume) instead of restarting the whole image.
    pub resume: bool,
    /// Image chunk size, bytes (default 1024).
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

/// How devices authenticate (`[identity] credentials`).
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
    /// Shared secret or per-device identity.
    pub credentials: Credentials,
    /// Certificate lifetime and rotation (None: credentials that do not expire).
    pub certificates: Option<crate::models::identity::Certificates>,
    /// TLS handshake sizes and the share of resumed sessions.
    pub handshake: crate::models::identity::Handshake,
    /// Every report opens a new TLS session (sleepy devices) instead of keeping one open.
    pub session_per_report: bool,
    /// Time from a leak until re-provisioning starts.
    pub compromise_response: SimDuration,
}
