//! The run's timeline of events, as the engine used them: shared network outages per gateway
//! and site, mains outages and sags, scheduled `[[event]]`s with their captions, firmware waves
//! and credential leaks, each with its simulated times. Collected while the shared timelines
//! ([`super::timeline`]) and the lifecycle plan ([`super::lifecycle`]) are built, from the very
//! intervals the devices then run against, so they cannot drift from what darkened devices.
//!
//! Not recorded: device-scope outages (one renewal process per device, drawn as the device
//! runs; counted in the summary's `outages`) and per-device certificate expiries (the
//! summary's `security` section). Every shared outage is one event up to [`MAX_RUN_EVENTS`]:
//! the bundled scenarios produce at most a few hundred per run (5,155 for the five-year
//! benchmark; `docs/exports.md`), while validation allows about 20 million shared outages and
//! sags, which no store or chart should take row by row. Past the cap, [`cap`] keeps every
//! scheduled, site-wide and lifecycle event and the earliest drawn gateway outages and sags.

use serde::{Deserialize, Serialize};

/// What happened. Declaration order is the order of events that start at the same time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunEventKind {
    /// A scheduled `power-outage`, or a mains outage drawn for a power profile at a site: mains
    /// devices there are off. A scheduled one also takes the site's gateways down.
    PowerOutage,
    /// The network is down at every gateway of a site (a scheduled `site-outage`, or a
    /// site-scope outage process of a network profile).
    SiteOutage,
    /// The network is down at one gateway (a scheduled `gateway-outage`, or a gateway-scope
    /// outage process of a network profile).
    GatewayOutage,
    /// A momentary mains sag (a scheduled `brownout`, or one drawn for a power profile at a
    /// site): each mains device there resets with the sag's probability. No end.
    PowerSag,
    /// A scheduled firmware campaign, from its start to the end of its last wave.
    FirmwareCampaign,
    /// One wave of a firmware campaign, from its first device's start to its last download.
    FirmwareWave,
    /// A scheduled credential compromise: from the leak until the last exposed device is back.
    CredentialLeak,
}

impl RunEventKind {
    /// Every kind, in declaration order.
    pub const ALL: [RunEventKind; 7] = [
        RunEventKind::PowerOutage,
        RunEventKind::SiteOutage,
        RunEventKind::GatewayOutage,
        RunEventKind::PowerSag,
        RunEventKind::FirmwareCampaign,
        RunEventKind::FirmwareWave,
        RunEventKind::CredentialLeak,
    ];

    /// The name stored and exported (`gateway_outage`), the same as its serde form.
    pub fn name(self) -> &'static str {
        match self {
            RunEventKind::PowerOutage => "power_outage",
            RunEventKind::SiteOutage => "site_outage",
            RunEventKind::GatewayOutage => "gateway_outage",
            RunEventKind::PowerSag => "power_sag",
            RunEventKind::FirmwareCampaign => "firmware_campaign",
            RunEventKind::FirmwareWave => "firmware_wave",
            RunEventKind::CredentialLeak => "credential_leak",
        }
    }

    /// The kind named `name` ([`RunEventKind::name`]).
    pub fn parse(name: &str) -> Option<RunEventKind> {
        RunEventKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// A short label for a front end: "gateway outage".
    pub fn label(self) -> &'static str {
        match self {
            RunEventKind::PowerOutage => "power cut",
            RunEventKind::SiteOutage => "site outage",
            RunEventKind::GatewayOutage => "gateway outage",
            RunEventKind::PowerSag => "brownout",
            RunEventKind::FirmwareCampaign => "firmware update",
            RunEventKind::FirmwareWave => "firmware wave",
            RunEventKind::CredentialLeak => "credential compromise",
        }
    }
}

/// One event of a run. Times are simulated microseconds from the run's start (hour 0 of the
/// series); an interval is `[start_us, end_us)` and may end after the run does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunEvent {
    /// What kind of event it is.
    pub kind: RunEventKind,
    /// When it starts, µs from the run's start.
    pub start_us: u64,
    /// When it ends, µs from the run's start; None for a sag (instantaneous) and for what never
    /// ends in the model (a leak nobody comes to fix, a download on a link too slow for it).
    pub end_us: Option<u64>,
    /// The site (its `[site.ID]`); None for fleet-wide events (campaigns, waves, leaks).
    pub site: Option<String>,
    /// The gateway within the site, from 0 (gateway outages only).
    pub gateway: Option<u32>,
    /// The network or power profile whose outage process drew it; None for scheduled events
    /// (they hit every profile at the site) and lifecycle events.
    pub profile: Option<String>,
    /// The scenario `[[event]]` it comes from (0-based, in file order); None: drawn by a model.
    pub event: Option<u32>,
    /// The wave of a firmware campaign, from 0.
    pub wave: Option<u32>,
    /// The scheduled event's caption (None when it has none, and for drawn events and waves).
    pub caption: Option<String>,
    /// Devices it concerns: behind the gateway or at the site (of the profile, for a drawn
    /// outage or sag), a campaign's targets, a wave's devices, a leak's blast radius.
    pub devices: u64,
}

impl RunEvent {
    /// An event with only its kind, times and devices; scope fields are filled in by the caller.
    pub(crate) fn new(kind: RunEventKind, start_us: u64, end_us: Option<u64>, devices: u64) -> RunEvent {
        RunEvent {
            kind,
            start_us,
            end_us,
            site: None,
            gateway: None,
            profile: None,
            event: None,
            wave: None,
            caption: None,
            devices,
        }
    }

    /// Whether it is one of the scenario's `[[event]]`s (not a wave of one, not drawn).
    pub fn is_scheduled(&self) -> bool {
        self.event.is_some() && self.kind != RunEventKind::FirmwareWave
    }

    /// What a front end writes beside it: the caption, else the kind's label.
    pub fn label(&self) -> &str {
        self.caption.as_deref().unwrap_or(self.kind.label())
    }

    /// The order of a run's events: by start, kind, then scope (site, gateway, profile), the
    /// scheduled event and wave, end, devices and caption: a total order, so sorting is
    /// deterministic whatever order the events were collected in.
    pub fn order(a: &RunEvent, b: &RunEvent) -> std::cmp::Ordering {
        let key = |e: &RunEvent| {
            (e.start_us, e.kind, e.site.clone(), e.gateway, e.profile.clone(), e.event, e.wave, e.end_us, e.devices)
        };
        key(a).cmp(&key(b)).then_with(|| a.caption.cmp(&b.caption))
    }
}

/// The end of an interval, None for "never" (a time saturated at or past `i64::MAX` µs, which
/// no store can hold: 292,000 years).
pub(crate) fn end_of(us: u64) -> Option<u64> {
    (us < i64::MAX as u64).then_some(us)
}

/// The most events a run reports (20 times the largest bundled scenario's timeline).
pub const MAX_RUN_EVENTS: usize = 100_000;

/// Whether `e` is one of the many: a gateway outage or a sag drawn by a model (not scheduled).
fn is_bulk(e: &RunEvent) -> bool {
    e.event.is_none() && matches!(e.kind, RunEventKind::GatewayOutage | RunEventKind::PowerSag)
}

/// Keeps at most `max` of `events` (sorted): every scheduled, site-wide and lifecycle event,
/// then the earliest drawn gateway outages and sags that fit. Returns how many were left out.
pub fn cap(events: &mut Vec<RunEvent>, max: usize) -> u64 {
    if events.len() <= max {
        return 0;
    }
    let kept_always = events.iter().filter(|e| !is_bulk(e)).count();
    let mut room = max.saturating_sub(kept_always);
    let before = events.len();
    events.retain(|e| {
        if !is_bulk(e) {
            return true;
        }
        let keep = room > 0;
        room = room.saturating_sub(1);
        keep
    });
    (before - events.len()) as u64
}

/// Sorts events by [`RunEvent::order`].
pub fn sort(events: &mut [RunEvent]) {
    events.sort_by(RunEvent::order);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_their_serde_form_and_parse_back() {
        for k in RunEventKind::ALL {
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.name()));
            assert_eq!(RunEventKind::parse(k.name()), Some(k));
        }
        assert_eq!(RunEventKind::parse("outage"), None);
    }

    #[test]
    fn a_capped_timeline_keeps_what_is_scheduled_or_site_wide_and_the_earliest_of_the_rest() {
        let gw = |start| RunEvent::new(RunEventKind::GatewayOutage, start, Some(start + 1), 5);
        let site = |start| RunEvent::new(RunEventKind::SiteOutage, start, Some(start + 1), 50);
        let planned = RunEvent { event: Some(0), ..gw(9) };
        let mut v = vec![gw(1), site(2), gw(3), gw(4), site(5), planned.clone(), gw(10)];
        sort(&mut v);
        let mut all = v.clone();
        assert_eq!(cap(&mut all, 7), 0);
        assert_eq!(all, v);
        assert_eq!(cap(&mut v, 5), 2);
        assert_eq!(v, [gw(1), site(2), gw(3), site(5), planned.clone()]);
        let mut v = vec![gw(1), site(2), planned.clone()];
        assert_eq!(cap(&mut v, 1), 1, "what is always kept may exceed a tiny cap");
        assert_eq!(v, [site(2), planned]);
    }

    #[test]
    fn order_is_start_then_kind_then_scope() {
        let at = |start, kind, site: &str| RunEvent { site: Some(site.into()), ..RunEvent::new(kind, start, None, 1) };
        let mut v = vec![
            at(5, RunEventKind::GatewayOutage, "b"),
            at(5, RunEventKind::GatewayOutage, "a"),
            at(5, RunEventKind::PowerOutage, "z"),
            at(1, RunEventKind::PowerSag, "a"),
        ];
        sort(&mut v);
        let got: Vec<(u64, RunEventKind, &str)> =
            v.iter().map(|e| (e.start_us, e.kind, e.site.as_deref().unwrap())).collect();
        assert_eq!(
            got,
            [
                (1, RunEventKind::PowerSag, "a"),
                (5, RunEventKind::PowerOutage, "z"),
                (5, RunEventKind::GatewayOutage, "a"),
                (5, RunEventKind::GatewayOutage, "b"),
            ]
        );
    }
}
