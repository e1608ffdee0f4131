//! Playback data: each device's state hour by hour, for the fleet view.
//!
//! With [`super::simulate_playback`] the engine samples every device at the end of every epoch
//! (one simulated hour) and hands the devices whose state changed to
//! [`super::Observer::states`]. Sampling only looks (at copies where looking would advance
//! state), so a run with playback gives the same results, bit for bit, as one without.
//!
//! A state is what the device is doing at the epoch's end, except for two things that take
//! seconds and would never be seen at an hour's end: a device that applied a firmware update
//! during the hour shows [`DeviceState::Updating`] for that hour, and one that rebooted shows
//! [`DeviceState::Rebooting`].
//!
//! Each sample also reads the device's battery charge and buffer fill in tenths (of the cell's
//! capacity, of the buffer's), for a device's details in the view.
//!
//! [`Timeline`] holds a run's changes per device, run-length encoded (a change is an epoch and
//! a state; the levels are a second such series), and answers the state and levels of any
//! device at any epoch; [`Timeline::encode`] writes it as compact bytes (varints) for the run
//! store. The sample of epoch `e` is the state seen at
//! its end, simulated hour `e + 1`; the state at a time is that of the last sample taken at or
//! before it ([`Timeline::epoch_at`]), the first sample standing for the first hour.

use super::lifecycle::{ActionKind, Plan};

/// What a device is doing, as the fleet view colours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum DeviceState {
    /// Installed later in the run (staged provisioning).
    NotInstalled = 0,
    /// In service with a usable link.
    Online = 1,
    /// Its link is down (an outage, a reconnect, a refused credential): readings wait in the
    /// buffer, which still has room.
    Buffering = 2,
    /// Its link is down and the buffer is full: readings are being lost.
    BufferFull = 3,
    /// Its mains power is off.
    PoweredOff = 4,
    /// Rebooted during the hour (crash, brownout, power sag, or the reboot of an update).
    Rebooting = 5,
    /// Applied a firmware update during the hour.
    Updating = 6,
    /// Its battery is dead, awaiting a truck roll (or for good without maintenance).
    BatteryDead = 7,
    /// A hardware failure, awaiting a truck roll.
    Failed = 8,
    /// A firmware update bricked it, awaiting a truck roll.
    Bricked = 9,
}

impl DeviceState {
    /// Every state, in code order.
    pub const ALL: [DeviceState; 10] = [
        DeviceState::NotInstalled,
        DeviceState::Online,
        DeviceState::Buffering,
        DeviceState::BufferFull,
        DeviceState::PoweredOff,
        DeviceState::Rebooting,
        DeviceState::Updating,
        DeviceState::BatteryDead,
        DeviceState::Failed,
        DeviceState::Bricked,
    ];

    /// The state of a code written by [`DeviceState::code`].
    pub fn from_code(code: u8) -> Option<DeviceState> {
        DeviceState::ALL.get(code as usize).copied()
    }

    /// Its one-byte code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Its name in snake case (`buffer_full`), as files and front ends spell it.
    pub fn key(self) -> &'static str {
        match self {
            DeviceState::NotInstalled => "not_installed",
            DeviceState::Online => "online",
            DeviceState::Buffering => "buffering",
            DeviceState::BufferFull => "buffer_full",
            DeviceState::PoweredOff => "powered_off",
            DeviceState::Rebooting => "rebooting",
            DeviceState::Updating => "updating",
            DeviceState::BatteryDead => "battery_dead",
            DeviceState::Failed => "failed",
            DeviceState::Bricked => "bricked",
        }
    }

    /// Its name for people (a legend).
    pub fn label(self) -> &'static str {
        match self {
            DeviceState::NotInstalled => "not yet installed",
            DeviceState::Online => "online",
            DeviceState::Buffering => "offline, buffering",
            DeviceState::BufferFull => "buffer full, losing data",
            DeviceState::PoweredOff => "offline in a power outage",
            DeviceState::Rebooting => "rebooting",
            DeviceState::Updating => "updating firmware",
            DeviceState::BatteryDead => "battery dead",
            DeviceState::Failed => "hardware failed",
            DeviceState::Bricked => "bricked by an update",
        }
    }
}

/// [`StateChange::battery_tenths`] of a mains-powered device.
pub const NO_BATTERY: u8 = u8::MAX;

/// A device whose state or levels changed at the end of an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateChange {
    /// The device's global index (classes in scenario order, devices in order within each).
    pub device: u32,
    /// Its state from this epoch on.
    pub state: DeviceState,
    /// Its battery's charge in tenths of the cell's capacity, rounded down (0 to 10;
    /// [`NO_BATTERY`] on mains).
    pub battery_tenths: u8,
    /// Its buffer's fill in tenths of its capacity, rounded down (0 to 10).
    pub buffer_tenths: u8,
}

impl StateChange {
    /// A change of state alone (levels 0, no battery).
    pub fn of(device: u32, state: DeviceState) -> StateChange {
        StateChange { device, state, battery_tenths: NO_BATTERY, buffer_tenths: 0 }
    }

    /// State and levels in one number: a device is reported when it changes.
    pub fn key(&self) -> u32 {
        self.state.code() as u32 | (self.battery_tenths as u32) << 8 | (self.buffer_tenths as u32) << 16
    }

    /// Its levels.
    pub fn levels(&self) -> Levels {
        Levels { battery_tenths: self.battery_tenths, buffer_tenths: self.buffer_tenths }
    }
}

/// A device's battery charge and buffer fill, in tenths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Levels {
    /// The battery's charge in tenths of capacity (0 to 10; [`NO_BATTERY`] on mains).
    pub battery_tenths: u8,
    /// The buffer's fill in tenths of capacity (0 to 10).
    pub buffer_tenths: u8,
}

/// What the engine knows of a device at an epoch's end, for [`classify`].
pub(crate) struct Seen {
    pub installed: bool,
    pub battery_dead: bool,
    pub out_of_service: bool,
    pub bricked: bool,
    pub powered_off: bool,
    pub updated: bool,
    pub rebooted: bool,
    pub link_down: bool,
    pub buffer_full: bool,
}

/// The state shown for what was seen (the first that applies, in this order).
pub(crate) fn classify(s: &Seen) -> DeviceState {
    if !s.installed {
        DeviceState::NotInstalled
    } else if s.out_of_service {
        if s.battery_dead {
            DeviceState::BatteryDead
        } else if s.bricked {
            DeviceState::Bricked
        } else {
            DeviceState::Failed
        }
    } else if s.powered_off {
        DeviceState::PoweredOff
    } else if s.updated {
        DeviceState::Updating
    } else if s.rebooted {
        DeviceState::Rebooting
    } else if s.link_down && s.buffer_full {
        DeviceState::BufferFull
    } else if s.link_down {
        DeviceState::Buffering
    } else {
        DeviceState::Online
    }
}

/// Whether device `g`'s lifecycle actions applied before `cursor` include an update in
/// `[from_us, to_us)` (it updated this hour), and whether the last update applied bricked it at
/// the time its truck roll is due, `wait_until_us` (a failure after a repaired brick is a
/// hardware failure).
pub(crate) fn updates(
    plan: &Plan,
    g: u32,
    cursor: usize,
    from_us: u64,
    to_us: u64,
    maintenance: Option<u64>,
    wait_until_us: u64,
) -> (bool, bool) {
    let applied = &plan.actions_of(g)[..cursor];
    let updated = applied
        .iter()
        .rev()
        .take_while(|a| a.at_us >= from_us)
        .any(|a| a.at_us < to_us && matches!(a.kind, ActionKind::Update { .. }));
    let bricked = applied.iter().rev().find(|a| matches!(a.kind, ActionKind::Update { .. })).is_some_and(|a| {
        matches!(a.kind, ActionKind::Update { outcome: crate::models::ota::Outcome::Bricked, .. })
            && maintenance.map_or(u64::MAX, |d| a.at_us.saturating_add(d)) == wait_until_us
    });
    (updated, bricked)
}

/// A run's device states over time: per device, the epochs at which its state changed and the
/// state from then on (every device starts with a change at epoch 0).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    /// Epochs in the run.
    pub epochs: u32,
    /// Per device: `(epoch, state)` by epoch, the first at epoch 0.
    pub devices: Vec<Vec<(u32, DeviceState)>>,
    /// Per device: `(epoch, levels)` by epoch, when they changed (empty for playback data
    /// recorded before levels were).
    pub levels: Vec<Vec<(u32, Levels)>>,
}

impl Timeline {
    /// An empty timeline of `devices` devices over `epochs` epochs (add changes with
    /// [`Timeline::record`]).
    pub fn new(devices: u32, epochs: u32) -> Timeline {
        Timeline { epochs, devices: vec![Vec::new(); devices as usize], levels: vec![Vec::new(); devices as usize] }
    }

    /// An empty timeline for a run of `s`: its devices over its epochs.
    pub fn of_run(s: &crate::scenario::Scenario) -> Timeline {
        Timeline::new(s.device_count() as u32, s.duration.0.div_ceil(super::EPOCH_US) as u32)
    }

    /// Adds the changes seen at the end of `epoch` (epochs in order): to a device's states when
    /// its state changed, to its levels when they did.
    pub fn record(&mut self, epoch: u32, changes: &[StateChange]) {
        for c in changes {
            if let Some(d) = self.devices.get_mut(c.device as usize)
                && d.last().is_none_or(|&(_, s)| s != c.state)
            {
                d.push((epoch, c.state));
            }
            if let Some(l) = self.levels.get_mut(c.device as usize)
                && l.last().is_none_or(|&(_, v)| v != c.levels())
            {
                l.push((epoch, c.levels()));
            }
        }
    }

    /// Device `device`'s levels sampled at the end of `epoch` (None: not recorded, or before
    /// its first sample).
    pub fn levels_at(&self, device: u32, epoch: u32) -> Option<Levels> {
        let l = self.levels.get(device as usize)?;
        match l.partition_point(|&(e, _)| e <= epoch) {
            0 => None,
            i => Some(l[i - 1].1),
        }
    }

    /// The epoch from which device `device` has been in its state at `epoch`.
    pub fn since(&self, device: u32, epoch: u32) -> Option<u32> {
        let changes = self.devices.get(device as usize)?;
        match changes.partition_point(|&(e, _)| e <= epoch) {
            0 => None,
            i => Some(changes[i - 1].0),
        }
    }

    /// Device `device`'s state sampled at the end of `epoch` (after the last change at or before
    /// it; before its first: not installed).
    pub fn state_at(&self, device: u32, epoch: u32) -> DeviceState {
        let Some(changes) = self.devices.get(device as usize) else { return DeviceState::NotInstalled };
        match changes.partition_point(|&(e, _)| e <= epoch) {
            0 => DeviceState::NotInstalled,
            i => changes[i - 1].1,
        }
    }

    /// The epoch whose sample is the state at simulated time `t_us`: the last one taken at or
    /// before it (the first for the first hour; the last after the run's end).
    pub fn epoch_at(&self, t_us: u64) -> u32 {
        ((t_us / super::EPOCH_US) as u32).saturating_sub(1).min(self.epochs.saturating_sub(1))
    }

    /// Every device's state during `epoch`, as codes.
    pub fn states_at(&self, epoch: u32) -> Vec<u8> {
        (0..self.devices.len() as u32).map(|d| self.state_at(d, epoch).code()).collect()
    }

    /// Changes over all devices (states and levels).
    pub fn changes(&self) -> usize {
        self.devices.iter().map(Vec::len).sum::<usize>() + self.levels.iter().map(Vec::len).sum::<usize>()
    }

    /// The timeline as bytes: a version byte, the epoch and device counts, then per device the
    /// number of state changes and each as (epoch minus the previous change's, state code), then
    /// per device the number of level changes and each as (epoch delta, battery tenths, buffer
    /// tenths); integers as LEB128 varints. Version 1 (states only) is still read.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.devices.len() * 8 + self.changes() * 3);
        out.push(ENCODING_VERSION);
        varint(&mut out, self.epochs as u64);
        varint(&mut out, self.devices.len() as u64);
        for d in &self.devices {
            varint(&mut out, d.len() as u64);
            let mut last = 0;
            for &(e, s) in d {
                varint(&mut out, (e - last) as u64);
                out.push(s.code());
                last = e;
            }
        }
        for d in 0..self.devices.len() {
            let l = self.levels.get(d).map_or(&[][..], Vec::as_slice);
            varint(&mut out, l.len() as u64);
            let mut last = 0;
            for &(e, v) in l {
                varint(&mut out, (e - last) as u64);
                out.push(v.battery_tenths);
                out.push(v.buffer_tenths);
                last = e;
            }
        }
        out
    }

    /// Reads what [`Timeline::encode`] wrote; an error says what is wrong with the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Timeline, String> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.byte()?;
        if !(1..=ENCODING_VERSION).contains(&version) {
            return Err(format!("playback encoding version {version}; this build reads 1 to {ENCODING_VERSION}"));
        }
        let epochs = u32::try_from(r.varint()?).map_err(|_| "too many epochs")?;
        let n = usize::try_from(r.varint()?).map_err(|_| "too many devices")?;
        if n > bytes.len() {
            return Err(format!("{n} devices in {} bytes", bytes.len()));
        }
        let mut devices = Vec::with_capacity(n);
        for _ in 0..n {
            let k = usize::try_from(r.varint()?).map_err(|_| "too many changes")?;
            if k > bytes.len() {
                return Err(format!("{k} changes in {} bytes", bytes.len()));
            }
            let mut d = Vec::with_capacity(k);
            let mut e: u32 = 0;
            for _ in 0..k {
                let delta = u32::try_from(r.varint()?).map_err(|_| "an epoch out of range")?;
                e = e.checked_add(delta).filter(|&e| e <= epochs).ok_or("an epoch past the run's end")?;
                let code = r.byte()?;
                d.push((e, DeviceState::from_code(code).ok_or_else(|| format!("unknown state code {code}"))?));
            }
            devices.push(d);
        }
        let mut levels = vec![Vec::new(); n];
        if version >= 2 {
            for l in &mut levels {
                let k = usize::try_from(r.varint()?).map_err(|_| "too many changes")?;
                if k > bytes.len() {
                    return Err(format!("{k} level changes in {} bytes", bytes.len()));
                }
                let mut e: u32 = 0;
                for _ in 0..k {
                    let delta = u32::try_from(r.varint()?).map_err(|_| "an epoch out of range")?;
                    e = e.checked_add(delta).filter(|&e| e <= epochs).ok_or("an epoch past the run's end")?;
                    let (battery_tenths, buffer_tenths) = (r.byte()?, r.byte()?);
                    if (battery_tenths > 10 && battery_tenths != NO_BATTERY) || buffer_tenths > 10 {
                        return Err(format!("levels out of range: battery {battery_tenths}, buffer {buffer_tenths}"));
                    }
                    l.push((e, Levels { battery_tenths, buffer_tenths }));
                }
            }
        }
        if r.at != bytes.len() {
            return Err(format!("{} bytes left over", bytes.len() - r.at));
        }
        Ok(Timeline { epochs, devices, levels })
    }
}

const ENCODING_VERSION: u8 = 2;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.at).ok_or("the playback data ends early")?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err("a varint longer than 64 bits".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_read_back_as_written_and_looked_up_at_any_epoch() {
        let mut t = Timeline::new(3, 100);
        let c = StateChange::of;
        t.record(0, &[c(0, DeviceState::Online), c(1, DeviceState::NotInstalled), c(2, DeviceState::Online)]);
        t.record(5, &[c(0, DeviceState::Buffering)]);
        t.record(9, &[c(0, DeviceState::BufferFull), c(1, DeviceState::Online)]);
        t.record(70, &[c(0, DeviceState::Online), c(2, DeviceState::Bricked)]);
        let bytes = t.encode();
        assert_eq!(Timeline::decode(&bytes).unwrap(), t);
        assert_eq!(t.state_at(0, 4), DeviceState::Online);
        assert_eq!(t.state_at(0, 5), DeviceState::Buffering);
        assert_eq!(t.state_at(0, 69), DeviceState::BufferFull);
        assert_eq!(t.state_at(0, 99), DeviceState::Online);
        assert_eq!(t.state_at(1, 8), DeviceState::NotInstalled);
        assert_eq!(t.states_at(70), [1, 1, 9]);
        assert_eq!(t.state_at(7, 0), DeviceState::NotInstalled, "no such device");
        let h = super::super::EPOCH_US;
        assert_eq!([0, h - 1, h, 2 * h - 1, 6 * h, 1000 * h].map(|x| t.epoch_at(x)), [0, 0, 0, 0, 5, 99]);
        // Header (3 bytes) + per device a count and 2 bytes a state change, then a count and 3
        // bytes a level change (each device's levels recorded once: they never change here).
        let states: usize = t.devices.iter().map(Vec::len).sum();
        assert_eq!((states, t.changes() - states), (8, 3));
        assert_eq!(bytes.len(), 3 + 3 + 2 * states + 3 + 3 * 3);
        assert_eq!(t.since(0, 69), Some(9));
    }

    #[test]
    fn levels_are_kept_when_they_change_and_old_data_reads_without_them() {
        let mut t = Timeline::new(1, 10);
        let c = |state, battery_tenths, buffer_tenths| StateChange { device: 0, state, battery_tenths, buffer_tenths };
        t.record(0, &[c(DeviceState::Online, 10, 0)]);
        t.record(2, &[c(DeviceState::Buffering, 10, 3)]);
        t.record(3, &[c(DeviceState::Buffering, 9, 6)]);
        t.record(4, &[c(DeviceState::Online, 9, 6)]);
        assert_eq!(t.devices[0].len(), 3, "the state changed three times");
        assert_eq!(t.levels[0].len(), 3, "the levels changed three times");
        assert_eq!(t.levels_at(0, 1), Some(Levels { battery_tenths: 10, buffer_tenths: 0 }));
        assert_eq!(t.levels_at(0, 9), Some(Levels { battery_tenths: 9, buffer_tenths: 6 }));
        assert_eq!(Timeline::decode(&t.encode()).unwrap(), t);
        // Version 1: states only.
        let v1 = [1, 10, 1, 1, 0, DeviceState::Online.code()];
        let old = Timeline::decode(&v1).unwrap();
        assert_eq!((old.state_at(0, 5), old.levels_at(0, 5)), (DeviceState::Online, None));
        let mut bad = t.encode();
        let n = bad.len();
        bad[n - 1] = 11;
        assert!(Timeline::decode(&bad).unwrap_err().contains("out of range"));
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut t = Timeline::new(2, 10);
        t.record(0, &[StateChange::of(0, DeviceState::Online)]);
        let bytes = t.encode();
        for cut in 0..bytes.len() {
            assert!(Timeline::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad = bytes.clone();
        bad.push(7);
        assert!(Timeline::decode(&bad).is_err());
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert!(Timeline::decode(&bad).unwrap_err().contains("version 9"));
        assert!(Timeline::decode(&[1, 5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
    }

    #[test]
    fn the_first_state_that_applies_wins() {
        let none = Seen {
            installed: true,
            battery_dead: false,
            out_of_service: false,
            bricked: false,
            powered_off: false,
            updated: false,
            rebooted: false,
            link_down: false,
            buffer_full: false,
        };
        assert_eq!(classify(&none), DeviceState::Online);
        assert_eq!(classify(&Seen { link_down: true, ..none }), DeviceState::Buffering);
        assert_eq!(classify(&Seen { link_down: true, buffer_full: true, ..none }), DeviceState::BufferFull);
        assert_eq!(classify(&Seen { buffer_full: true, ..none }), DeviceState::Online, "draining, not losing");
        assert_eq!(classify(&Seen { rebooted: true, link_down: true, ..none }), DeviceState::Rebooting);
        assert_eq!(classify(&Seen { updated: true, rebooted: true, ..none }), DeviceState::Updating);
        assert_eq!(classify(&Seen { powered_off: true, updated: true, ..none }), DeviceState::PoweredOff);
        assert_eq!(classify(&Seen { out_of_service: true, powered_off: true, ..none }), DeviceState::Failed);
        assert_eq!(classify(&Seen { out_of_service: true, bricked: true, ..none }), DeviceState::Bricked);
        assert_eq!(classify(&Seen { out_of_service: true, battery_dead: true, ..none }), DeviceState::BatteryDead);
        assert_eq!(classify(&Seen { installed: false, out_of_service: true, ..none }), DeviceState::NotInstalled);
        for s in DeviceState::ALL {
            assert_eq!(DeviceState::from_code(s.code()), Some(s));
        }
        assert_eq!(DeviceState::from_code(10), None);
    }
}
