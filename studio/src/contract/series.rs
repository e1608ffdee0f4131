//! A run's hourly series and its timeline of events (shared outages, sags, scheduled events
//! with their captions, firmware waves, credential leaks): what the report, the studio and the
//! fleet view draw. The timeline mirrors the engine's `RunEvent`, so the engine's type stays
//! free to change.

use serde::{Deserialize, Serialize};
use sim_core::engine::events::{RunEvent, RunEventKind};
use ts_rs::TS;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TimelineEventKind {
    /// Mains off at a site (scheduled or drawn); a scheduled one takes the gateways down too.
    PowerOutage,
    /// The network down at every gateway of a site.
    SiteOutage,
    /// The network down at one gateway.
    GatewayOutage,
    /// A momentary mains sag (no end).
    PowerSag,
    /// A firmware campaign, from its start to its last wave's end.
    FirmwareCampaign,
    /// One wave of a firmware campaign.
    FirmwareWave,
    /// A credential leaked: its blast radius refused by the broker until fixed.
    CredentialLeak,
}

impl From<RunEventKind> for TimelineEventKind {
    fn from(k: RunEventKind) -> TimelineEventKind {
        match k {
            RunEventKind::PowerOutage => TimelineEventKind::PowerOutage,
            RunEventKind::SiteOutage => TimelineEventKind::SiteOutage,
            RunEventKind::GatewayOutage => TimelineEventKind::GatewayOutage,
            RunEventKind::PowerSag => TimelineEventKind::PowerSag,
            RunEventKind::FirmwareCampaign => TimelineEventKind::FirmwareCampaign,
            RunEventKind::FirmwareWave => TimelineEventKind::FirmwareWave,
            RunEventKind::CredentialLeak => TimelineEventKind::CredentialLeak,
        }
    }
}

/// One event of a run's timeline. Times are simulated microseconds from the run's start (hour
/// 0 of the series); an interval is `[start_us, end_us)` and may end after the run does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TimelineEvent {
    /// What happened.
    pub kind: TimelineEventKind,
    /// When it starts, µs from the run's start.
    pub start_us: u64,
    /// When it ends, µs from the run's start (None: a sag, or what never ends in the model).
    pub end_us: Option<u64>,
    /// The site; None for fleet-wide events (campaigns, waves, leaks).
    pub site: Option<String>,
    /// The gateway within the site, from 0 (gateway outages only).
    pub gateway: Option<u32>,
    /// The network or power profile whose outage process drew it.
    pub profile: Option<String>,
    /// The scenario `[[event]]` it comes from (0-based, in file order); None: drawn by a model.
    pub event: Option<u32>,
    /// The wave of a firmware campaign, from 0.
    pub wave: Option<u32>,
    /// The scheduled event's caption.
    pub caption: Option<String>,
    /// Devices it concerns (behind the gateway, at the site, targeted, in the blast radius).
    pub devices: u64,
}

impl From<&RunEvent> for TimelineEvent {
    fn from(e: &RunEvent) -> TimelineEvent {
        TimelineEvent {
            kind: e.kind.into(),
            start_us: e.start_us,
            end_us: e.end_us,
            site: e.site.clone(),
            gateway: e.gateway,
            profile: e.profile.clone(),
            event: e.event,
            wave: e.wave,
            caption: e.caption.clone(),
            devices: e.devices,
        }
    }
}

/// One hour of one device class (counts in messages, `battery_mean_mah` in mAh).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ClassHour {
    /// The device class.
    pub class: String,
    /// Hours from the run's start (hour 0 starts at [`RunSeries::start_ms`]).
    pub hour: u32,
    /// Messages generated in the hour.
    pub generated: u64,
    /// Messages delivered.
    pub delivered: u64,
    /// Lost in the network, every cause (channel, outages, LoRa collisions, duty cycle).
    pub lost_network: u64,
    /// Lost to LoRa collisions (a part of `lost_network`).
    pub lost_collision: u64,
    /// Dropped by full buffers.
    pub dropped_overflow: u64,
    /// Wiped from RAM buffers by reboots.
    pub dropped_reboot: u64,
    /// Left in devices that died.
    pub stranded_dead: u64,
    /// Devices in service, powered and with a usable link at the hour's end.
    pub online: u64,
    /// Messages waiting in device buffers at the hour's end.
    pub buffered: u64,
    /// Mean charge of the battery devices in service, mAh (None for mains classes).
    pub battery_mean_mah: Option<f64>,
}

impl ClassHour {
    /// Messages lost for good in the hour: in the network, dropped by full buffers or reboots,
    /// stranded in dead devices (as `sim_core::engine::Counts::lost`).
    pub fn lost(&self) -> u64 {
        self.lost_network + self.dropped_overflow + self.dropped_reboot + self.stranded_dead
    }
}

/// A stored run's hourly series with its timeline of events: what the report, the studio and
/// the fleet view draw, from one source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RunSeries {
    /// The run (replication) the series is of.
    pub run: i64,
    /// The calendar time of hour 0 (`scenario.start`), ms since the Unix epoch, UTC.
    pub start_ms: i64,
    /// One row per hour and class, by hour then class name.
    pub hours: Vec<ClassHour>,
    /// Shared outages, sags, scheduled events with their captions, firmware waves, credential
    /// leaks, sorted by start (the engine's order); times in µs from hour 0's start.
    pub events: Vec<TimelineEvent>,
}
