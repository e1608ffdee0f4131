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
    /// The calendar time of hour 0 (`scenario.start`), ms since the Unix epoch, UTC.
    pub start_ms: i64,
    /// The currency of `FleetKpis::cost_to_date` (None: the scenario has no cost plan).
    pub currency: Option<String>,
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
    /// The fleet's figures at the end of that hour (None: the run stored no series).
    pub kpis: Option<FleetKpis>,
}

/// The fleet's figures at the end of one simulated hour, counted from the run's start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FleetKpis {
    /// The hour (1-based, as `FleetFrame::hour`).
    pub hour: u32,
    /// Devices in service with a usable link at the hour's end.
    pub online: u64,
    /// Readings waiting in device buffers at the hour's end.
    pub buffered: u64,
    /// Readings delivered to date.
    pub delivered: u64,
    /// Readings lost to date: in the network, dropped by full buffers or reboots, stranded in
    /// dead devices.
    pub lost: u64,
    /// Cost of ownership to date, undiscounted: the capital spend at the start plus the bill's
    /// mean monthly spend for the months elapsed (a month is 365.25 / 12 days). None without a
    /// cost plan.
    pub cost_to_date: Option<f64>,
}

/// One device at one simulated time, as the view's details panel shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct DeviceDetails {
    /// Its index (classes in scenario order, devices in order within each).
    pub device: u32,
    /// Its class's name.
    pub class: String,
    /// Its site's id.
    pub site: String,
    /// Its gateway within the site, from 0.
    pub gateway: u16,
    /// Its state's code (see `FleetLayout::legend`).
    pub state: u8,
    /// Since when it has been in that state, simulated seconds from the run's start (the end of
    /// the hour whose sample first saw it).
    pub since_s: f64,
    /// Its battery's charge in tenths of capacity, rounded down (None: on mains, or not
    /// recorded).
    pub battery_tenths: Option<u8>,
    /// Its buffer's fill in tenths of capacity, rounded down (None: not recorded).
    pub buffer_tenths: Option<u8>,
    /// The buffer's capacity, readings.
    pub buffer_capacity: u32,
    /// The last event at its gateway, its site or fleet-wide, at or before that time, as
    /// `12d 10:00  caption`.
    pub last_event: Option<String>,
}

/// One moment of a run's story, as the fleet view's demo mode tells it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct DemoBeat {
    /// When, simulated seconds from the run's start.
    pub at_s: f64,
    /// What the caption says, starting with the simulated time (`12d 10:00  ...`).
    pub caption: String,
    /// The site the camera moves to (an index of `FleetLayout::sites`); None: the whole fleet.
    pub site: Option<u16>,
}

/// The card at the end of a demo: the verdict and what broke.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct DemoSummary {
    /// The headline: the scenario and its verdict (`Mine production: NOT ready for production`).
    pub title: String,
    /// Whether the run was judged ready for production (None: the scenario sets no targets).
    pub ready: Option<bool>,
    /// What broke and what held, a line each, failures first.
    pub lines: Vec<String>,
}
