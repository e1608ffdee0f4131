//! A running engine's playback, streamed hour by hour to a live fleet view. The run is an
//! ordinary run (stored, with its playback, when it ends); its first replication also sends each
//! simulated hour's device changes and fleet figures down a bounded channel. A full channel
//! holds the engine back until the view takes the next hour, so the run goes at the view's pace;
//! a view that hangs up stops the run, which is stored `cancelled` with the hours it simulated.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use sim_core::engine::{Counter, EpochReport, StateChange};

use super::Playback;
use crate::contract::FleetKpis;
use crate::session::{RunJob, Session};
use crate::{LoadedScenario, Result, RunOutcome};

/// One simulated hour of a running engine.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveHour {
    /// The hour's epoch (0-based; its sample is hour `epoch + 1`).
    pub epoch: u32,
    /// The devices whose state or levels changed by its end.
    pub changes: Vec<StateChange>,
    /// The fleet's figures at its end.
    pub kpis: FleetKpis,
}

/// The engine's end of the stream.
pub type LiveSender = SyncSender<LiveHour>;

/// The writer's side: gathers an hour's changes, sends the hour when its figures are in.
pub(crate) struct LiveStream {
    tx: LiveSender,
    changes: Vec<StateChange>,
    delivered: u64,
    lost: u64,
    /// The view hung up: the run stops.
    pub(crate) hung_up: bool,
}

impl LiveStream {
    pub(crate) fn new(tx: LiveSender) -> LiveStream {
        LiveStream { tx, changes: Vec::new(), delivered: 0, lost: 0, hung_up: false }
    }

    /// The hour's changes (they come before its figures).
    pub(crate) fn states(&mut self, changes: &[StateChange]) {
        self.changes.extend_from_slice(changes);
    }

    /// The hour's figures: the hour is complete and is sent, waiting while the view is behind.
    pub(crate) fn epoch(&mut self, r: &EpochReport) {
        let (mut online, mut buffered) = (0, 0);
        for c in &r.per_class {
            let n = &c.counts;
            self.delivered += n.get(Counter::Delivered);
            self.lost += n.lost();
            online += c.online;
            buffered += c.buffered;
        }
        let kpis = FleetKpis {
            hour: r.index + 1,
            online,
            buffered,
            delivered: self.delivered,
            lost: self.lost,
            cost_to_date: None,
        };
        let hour = LiveHour { epoch: r.index, changes: std::mem::take(&mut self.changes), kpis };
        if self.hung_up {
            return;
        }
        // Blocks while the channel is full: the view sets the pace.
        let sent = match self.tx.try_send(hour) {
            Err(TrySendError::Full(hour)) => self.tx.send(hour).is_ok(),
            other => other.is_ok(),
        };
        self.hung_up = !sent;
    }
}

/// How many simulated hours the engine may run ahead of the view.
pub const AHEAD_HOURS: usize = 24;

/// Starts `loaded` as a run stored in `db` (its playback recorded), streaming it to a view:
/// the playback to draw (the layout and the run's events, known before it runs; no hour yet),
/// the hours as they come, and the run's session.
pub fn start(
    loaded: LoadedScenario,
    db: std::path::PathBuf,
    seed: Option<u64>,
) -> Result<(Playback, Receiver<LiveHour>, Session<RunOutcome>)> {
    let s = &loaded.scenario;
    let seed_used = seed.unwrap_or(s.seed);
    let mut playback = Playback::new(0, s, sim_core::engine::Timeline::of_run(s))?;
    playback.events = sim_core::engine::run_events(s, seed_used);
    playback.find_plan(&loaded);
    playback.simulated_hours = 0;
    let (tx, rx) = sync_channel(AHEAD_HOURS);
    let session =
        crate::session::start_run(RunJob { seed, live: Some(tx), playback: true, ..RunJob::new(loaded, db) })?;
    Ok((playback, rx, session))
}

impl Playback {
    /// Adds a live hour (hours in order).
    pub fn append(&mut self, hour: LiveHour) {
        self.timeline.record(hour.epoch, &hour.changes);
        self.kpis.push(hour.kpis);
        self.simulated_hours = self.simulated_hours.max(hour.epoch + 1);
    }
}
