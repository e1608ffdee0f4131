//! A stored run played back: where every device is (its site and gateway, from the scenario as
//! the run ran it), what state each device is in at any simulated time (the playback data
//! recorded with the run, `sim_core::engine::playback`), the fleet's figures hour by hour (its
//! series), its events and its verdict, and the story a demo tells of them ([`demo`]). The fleet
//! view draws these frames; it runs no simulation of its own.

pub mod demo;
pub mod live;

use sim_core::engine::Layout;
pub use sim_core::engine::{DeviceState, StateChange, Timeline};
use sim_core::summary::RunSummary;

pub use sim_core::engine::events::{RunEvent, RunEventKind};

use crate::contract::{
    DeviceDetails, FleetFrame, FleetKpis, FleetLayout, FleetSite, RunSeries, SiteStates, StateLegend,
};
use crate::{Config, Error, Result};

/// A run ready to be played back: its layout, its device states over time, its figures and its
/// events.
pub struct Playback {
    /// Where everything is (constant over the run).
    pub layout: FleetLayout,
    /// Every device's state over time.
    pub timeline: Timeline,
    /// The fleet's figures at the end of each hour, by epoch (empty: none stored).
    pub kpis: Vec<FleetKpis>,
    /// The run's events (outages, scheduled events with their captions, firmware waves,
    /// leaks), in the engine's order.
    pub events: Vec<RunEvent>,
    /// The run's summary (None: a playback built from a timeline alone).
    pub summary: Option<RunSummary>,
    /// Each class's buffer capacity, readings (by class index).
    pub buffer_capacity: Vec<u32>,
    /// The site plan drawn behind the map (`[view] background`), when its file was found.
    pub background: Option<Background>,
    /// What the view should tell its user and could not use (a site plan not found).
    pub notes: Vec<String>,
    /// Hours there is data for: all of them for a stored run, those simulated so far for a
    /// live one ([`live`]).
    pub simulated_hours: u32,
}

/// A site plan behind the map.
#[derive(Clone, Debug, PartialEq)]
pub struct Background {
    /// The image file.
    pub path: std::path::PathBuf,
    /// Its north-west and south-east corners, `[latitude, longitude]`; None: over the map.
    pub corners: Option<[[f64; 2]; 2]>,
}

/// A month as the cost to date counts it: 365.25 / 12 days, in seconds.
const MONTH_S: f64 = 365.25 / 12.0 * 86_400.0;

/// Run `run`'s playback (a replication: the run itself). Not found when the run does not exist
/// or was not recorded with its playback (`scaleproof run --playback`, or any run the studio
/// starts).
pub fn load(config: &Config, run: i64) -> Result<Playback> {
    let store = crate::records::open_existing(config)?;
    let Some(rec) = store.get_run(run)? else {
        return Err(Error::not_found(format!("no run {run}")));
    };
    let Some(bytes) = store.playback(run)? else {
        return Err(Error::not_found(format!(
            "run {run} has no playback data: run it again with `scaleproof run --playback` (the studio records it always)"
        )));
    };
    let timeline = Timeline::decode(&bytes).map_err(|e| anyhow::anyhow!("run {run}'s playback data: {e}"))?;
    let loaded = crate::stored_scenario(&store, run)?;
    let mut p = Playback::new(run, &loaded.scenario, timeline)?;
    p.find_plan(&loaded);
    let (series, events) = crate::run::series_and_events(&store, run)?;
    let summary: Option<RunSummary> = match rec.row.summary_json {
        Some(j) => Some(serde_json::from_str(&j).map_err(|e| anyhow::anyhow!("run {run}'s summary: {e}"))?),
        None => None,
    };
    p.layout.currency = summary.as_ref().and_then(|s| s.cost.as_ref()).map(|c| c.currency.clone());
    p.kpis = kpis(&series, summary.as_ref());
    p.events = events;
    p.summary = summary;
    Ok(p)
}

/// Where `[view] background = name` is: beside the scenario file, else in the `assets/` folder
/// beside the scenario's folder (the project's layout: `scenarios/` and `assets/` side by side),
/// else in `assets/` of the working directory.
fn find_background(scenario_file: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    let dir = scenario_file.parent().unwrap_or(std::path::Path::new("."));
    let candidates = [
        dir.join(name),
        dir.parent().unwrap_or(std::path::Path::new(".")).join("assets").join(name),
        std::path::Path::new("assets").join(name),
    ];
    candidates.into_iter().find(|p| p.is_file())
}

/// The fleet's figures at the end of each hour, summed over classes, totals to date.
fn kpis(series: &RunSeries, summary: Option<&RunSummary>) -> Vec<FleetKpis> {
    let mut out: Vec<FleetKpis> = Vec::new();
    let (mut delivered, mut lost) = (0u64, 0u64);
    for h in &series.hours {
        delivered += h.delivered;
        lost += h.lost();
        let hour = h.hour + 1;
        if out.last().is_none_or(|k| k.hour != hour) {
            out.push(FleetKpis { hour, online: 0, buffered: 0, delivered: 0, lost: 0, cost_to_date: None });
        }
        let k = out.last_mut().expect("pushed above");
        k.online += h.online;
        k.buffered += h.buffered;
        k.delivered = delivered;
        k.lost = lost;
    }
    if let Some(c) = summary.and_then(|s| s.cost.as_ref()) {
        for k in &mut out {
            k.cost_to_date =
                Some(c.capex.units_f64() + c.opex_per_month.units_f64() * (k.hour as f64 * 3600.0 / MONTH_S));
        }
    }
    out
}

impl Playback {
    /// The playback of `timeline`, recorded by a run of `s`.
    pub fn new(run: i64, s: &sim_core::scenario::Scenario, timeline: Timeline) -> Result<Playback> {
        let devices: u32 = s.classes.iter().map(|c| c.count).sum();
        if timeline.devices.len() as u32 != devices {
            return Err(anyhow::anyhow!(
                "run {run}'s playback has {} devices, its scenario {devices}",
                timeline.devices.len()
            )
            .into());
        }
        let layout = Layout::new(s);
        let mut site_of = Vec::with_capacity(devices as usize);
        let mut gateway_of = Vec::with_capacity(devices as usize);
        let mut class_of = Vec::with_capacity(devices as usize);
        for (ci, c) in s.classes.iter().enumerate() {
            for i in 0..c.count {
                let (site, gateway) = layout.place(s, c, i);
                site_of.push(site as u16);
                gateway_of.push((gateway - layout.site_gateway_offset[site]) as u16);
                class_of.push(ci as u16);
            }
        }
        let fleet = FleetLayout {
            run,
            scenario: s.name.clone(),
            hours: timeline.epochs,
            sites: s
                .sites
                .iter()
                .map(|x| FleetSite { id: x.id.clone(), position: x.position, gateways: x.gateways })
                .collect(),
            classes: s.classes.iter().map(|c| c.name.clone()).collect(),
            legend: DeviceState::ALL
                .iter()
                .map(|st| StateLegend { code: st.code(), key: st.key().into(), label: st.label().into() })
                .collect(),
            site_of,
            gateway_of,
            class_of,
            start_ms: s.start_ms,
            currency: None,
        };
        let buffer_capacity = s.classes.iter().map(|c| c.buffer.capacity).collect();
        let hours = timeline.epochs;
        Ok(Playback {
            layout: fleet,
            timeline,
            kpis: Vec::new(),
            events: Vec::new(),
            summary: None,
            buffer_capacity,
            background: None,
            notes: Vec::new(),
            simulated_hours: hours,
        })
    }

    /// The hourly sample (1-based) shown at simulated time `at_s` seconds: the state at the end
    /// of that hour.
    pub fn hour_at(&self, at_s: f64) -> u32 {
        self.timeline.epoch_at((at_s.max(0.0) * 1e6) as u64) + 1
    }

    /// The fleet at simulated time `at_s` seconds: each device's state (the last hourly sample
    /// at or before it) and the counts per site and state.
    pub fn frame(&self, at_s: f64) -> FleetFrame {
        let epoch = self.hour_at(at_s) - 1;
        let states = self.timeline.states_at(epoch);
        let n_states = DeviceState::ALL.len();
        let mut counts = vec![vec![0u32; n_states]; self.layout.sites.len()];
        for (d, &code) in states.iter().enumerate() {
            counts[self.layout.site_of[d] as usize][code as usize] += 1;
        }
        FleetFrame {
            at_s,
            hour: epoch + 1,
            sites: counts
                .into_iter()
                .zip(&self.layout.sites)
                .map(|(counts, site)| SiteStates { site: site.id.clone(), counts })
                .collect(),
            states,
            kpis: self.kpis.get(epoch as usize).cloned(),
        }
    }

    /// Finds the site plan `loaded`'s scenario names (`[view] background`), or notes that it
    /// was not found.
    pub fn find_plan(&mut self, loaded: &crate::LoadedScenario) {
        let Some(v) = &loaded.scenario.view else { return };
        match find_background(std::path::Path::new(&loaded.file), &v.background) {
            Some(path) => self.background = Some(Background { path, corners: v.corners }),
            None => self.notes.push(format!(
                "the site plan {:?} ([view] background of {}) was not found beside the scenario or in assets/; \
                 the map is drawn without it",
                v.background, loaded.file
            )),
        }
    }

    /// Device `device` at simulated time `at_s` (None: no such device).
    pub fn device(&self, device: u32, at_s: f64) -> Option<DeviceDetails> {
        let d = device as usize;
        let l = &self.layout;
        let site = *l.site_of.get(d)? as usize;
        let gateway = l.gateway_of[d];
        let epoch = self.hour_at(at_s) - 1;
        let levels = self.timeline.levels_at(device, epoch);
        let at_us = (at_s.max(0.0) * 1e6) as u64;
        let site_id = &l.sites[site].id;
        let last_event = self
            .events
            .iter()
            .filter(|e| e.start_us <= at_us)
            .filter(|e| match (&e.site, e.gateway) {
                (None, _) => true,
                (Some(s), None) => s == site_id,
                (Some(s), Some(g)) => s == site_id && g == gateway as u32,
            })
            .max_by_key(|e| e.start_us)
            .map(|e| format!("{}  {}", sim_core::text::sim_clock(e.start_us as f64 / 1e6), e.label()));
        Some(DeviceDetails {
            device,
            class: l.classes[l.class_of[d] as usize].clone(),
            site: site_id.clone(),
            gateway,
            state: self.timeline.state_at(device, epoch).code(),
            since_s: self.timeline.since(device, epoch).map_or(0.0, |e| (e as f64 + 1.0) * 3600.0),
            battery_tenths: levels.map(|v| v.battery_tenths).filter(|&b| b != sim_core::engine::NO_BATTERY),
            buffer_tenths: levels.map(|v| v.buffer_tenths),
            buffer_capacity: self.buffer_capacity[l.class_of[d] as usize],
            last_event,
        })
    }

    /// The run's length, simulated seconds.
    pub fn duration_s(&self) -> f64 {
        self.layout.hours as f64 * 3600.0
    }

    /// The index of the site called `id`.
    pub fn site_index(&self, id: &str) -> Option<usize> {
        self.layout.sites.iter().position(|s| s.id == id)
    }

    /// The outages in progress during hourly sample `hour` (1-based; just before its end, the
    /// time its states were sampled).
    pub fn dark_in(&self, hour: u32) -> Vec<(usize, Option<u32>)> {
        self.dark_at(hour as f64 * 3600.0 - 1.0)
    }

    /// The outages in progress at `at_s`: each as its site and, for one gateway's, the gateway.
    /// An area is dark while its network or its mains power is down.
    pub fn dark_at(&self, at_s: f64) -> Vec<(usize, Option<u32>)> {
        let at_us = (at_s.max(0.0) * 1e6) as u64;
        let mut dark: Vec<(usize, Option<u32>)> = self
            .events
            .iter()
            .filter(|e| {
                matches!(e.kind, RunEventKind::PowerOutage | RunEventKind::SiteOutage | RunEventKind::GatewayOutage)
                    && e.start_us <= at_us
                    && e.end_us.is_none_or(|end| at_us < end)
            })
            .filter_map(|e| {
                let site = self.site_index(e.site.as_deref()?)?;
                let gateway = if e.kind == RunEventKind::GatewayOutage { e.gateway } else { None };
                Some((site, gateway))
            })
            .collect();
        dark.sort_unstable();
        dark.dedup();
        dark
    }

    /// The calendar date and time of simulated time `at_s` (`2026-03-13 10:00`, UTC), from the
    /// scenario's start.
    pub fn calendar(&self, at_s: f64) -> String {
        let ms = self.layout.start_ms as i128 + (at_s.max(0.0) * 1000.0) as i128;
        match time::OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000) {
            Ok(t) => format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute()),
            Err(_) => String::new(),
        }
    }
}
