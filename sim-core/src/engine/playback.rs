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
//! [`Timeline`] holds a run's changes per device, run-length encoded (a change is an epoch and
//! a state), and answers the state of any device at any epoch; [`Timeline::encode`] writes it
//! as compact bytes (varints) for the run store. The sample of epoch `e` is the state seen at
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

/// A device whose state changed at the end of an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateChange {
    /// The device's global index (classes in scenario order, devices in order within each).
    pub device: u32,
    /// Its state from this epoch on.
    pub state: DeviceState,
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
}

impl Timeline {
    /// An empty timeline of `devices` devices over `epochs` epochs (add changes with
    /// [`Timeline::record`]).
    pub fn new(devices: u32, epochs: u32) -> Timeline {
        Timeline { epochs, devices: vec![Vec::new(); devices as usize] }
    }

    /// Adds the changes seen at the end of `epoch` (epochs in order).
    pub fn record(&mut self, epoch: u32, changes: &[StateChange]) {
        for c in changes {
            if let Some(d) = self.devices.get_mut(c.device as usize) {
                d.push((epoch, c.state));
            }
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

    /// Changes over all devices.
    pub fn changes(&self) -> usize {
        self.devices.iter().map(Vec::len).sum()
    }

    /// The timeline as bytes: a version byte, the epoch and device counts, then per device the
    /// number of changes and each change as (epoch minus the previous change's, state code), all
    /// integers as LEB128 varints.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.devices.len() * 4 + self.changes() * 2);
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
        out
    }

    /// Reads what [`Timeline::encode`] wrote; an error says what is wrong with the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Timeline, String> {
        let mut r = Reader { bytes, at: 0 };
        match r.byte()? {
            ENCODING_VERSION => {}
            v => return Err(format!("playback encoding version {v}; this build reads {ENCODING_VERSION}")),
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
        if r.at != bytes.len() {
            return Err(format!("{} bytes left over", bytes.len() - r.at));
        }
        Ok(Timeline { epochs, devices })
    }
}

const ENCODING_VERSION: u8 = 1;

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
        let c = |device, state| StateChange { device, state };
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
        // Header (3 bytes) + per device a count and 2 bytes a change.
        assert_eq!(bytes.len(), 3 + 3 + 2 * t.changes());
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut t = Timeline::new(2, 10);
        t.record(0, &[StateChange { device: 0, state: DeviceState::Online }]);
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
