//! A stored run played back: where every device is (its site and gateway, from the scenario as
//! the run ran it) and what state each device is in at any simulated time, from the playback
//! data recorded with the run (`sim_core::engine::playback`). The fleet view draws these frames;
//! it runs no simulation of its own.

use sim_core::engine::Layout;
pub use sim_core::engine::{DeviceState, StateChange, Timeline};

use crate::contract::{FleetFrame, FleetLayout, FleetSite, SiteStates, StateLegend};
use crate::{Config, Error, Result};

/// A run ready to be played back: its layout and its device states over time.
pub struct Playback {
    /// Where everything is (constant over the run).
    pub layout: FleetLayout,
    /// Every device's state over time.
    pub timeline: Timeline,
}

/// Run `run`'s playback (a replication: the run itself). Not found when the run does not exist
/// or was not recorded with its playback (`scaleproof run --playback`, or any run the studio
/// starts).
pub fn load(config: &Config, run: i64) -> Result<Playback> {
    let store = crate::records::open_existing(config)?;
    if store.get_run(run)?.is_none() {
        return Err(Error::not_found(format!("no run {run}")));
    }
    let Some(bytes) = store.playback(run)? else {
        return Err(Error::not_found(format!(
            "run {run} has no playback data: run it again with `scaleproof run --playback` (the studio records it always)"
        )));
    };
    let timeline = Timeline::decode(&bytes).map_err(|e| anyhow::anyhow!("run {run}'s playback data: {e}"))?;
    let loaded = crate::stored_scenario(&store, run)?;
    Playback::new(run, &loaded.scenario, timeline)
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
        };
        Ok(Playback { layout: fleet, timeline })
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
        }
    }
}
