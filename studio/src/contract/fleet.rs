//! The fleet view's data: where every device is (a run's [`FleetLayout`], constant) and what
//! state each is in at a simulated time (a [`FleetFrame`]).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One state of the legend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StateLegend {
    /// The code frames use for it (`FleetFrame::states`, the index of `SiteStates::counts`).
    pub code: u8,
    /// Its name in snake case (`buffer_full`).
    pub key: String,
    /// Its name for people (`buffer full, losing data`).
    pub label: String,
}

/// A site on the map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FleetSite {
    /// The site's id in the scenario.
    pub id: String,
    /// Latitude and longitude, degrees.
    pub position: [f64; 2],
    /// Gateways (or cells) at the site.
    pub gateways: u32,
}

/// Where everything of a played-back run is: sites, and each device's site, gateway and class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FleetLayout {
    /// The run played back.
    pub run: i64,
    /// The scenario's name.
    pub scenario: String,
    /// Hours the run simulated (hourly samples).
    pub hours: u32,
    /// The scenario's sites, in order.
    pub sites: Vec<FleetSite>,
    /// The device classes' names, in order.
    pub classes: Vec<String>,
    /// Every state a device can be in, by code.
    pub legend: Vec<StateLegend>,
    /// Each device's site (an index of `sites`), by device index.
    pub site_of: Vec<u16>,
    /// Each device's gateway within its site (0 to the site's gateways - 1).
    pub gateway_of: Vec<u16>,
    /// Each device's class (an index of `classes`).
    pub class_of: Vec<u16>,
}

/// A site's devices by state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SiteStates {
    /// The site's id.
    pub site: String,
    /// Devices in each state, by state code.
    pub counts: Vec<u32>,
}

/// The fleet at one simulated time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FleetFrame {
    /// The simulated time asked for, seconds from the run's start.
    pub at_s: f64,
    /// The hourly sample shown: the state at the end of this simulated hour (1-based).
    pub hour: u32,
    /// Counts per site and state, sites in layout order.
    pub sites: Vec<SiteStates>,
    /// Each device's state code, by device index.
    pub states: Vec<u8>,
}
