//! The engine: a pure function of (scenario, seed) that pushes hourly reports into an observer
//! and returns the run's totals.
//!
//! Time advances in epochs of one simulated hour. In each epoch every chunk of devices advances
//! its devices tick by tick to the epoch's end (chunks run in parallel; a chunk is a fixed number
//! of devices, so results do not depend on the thread count); then the chunks' counters are merged
//! in chunk order and the shared LoRa medium settles its frames. Devices never wait on each
//! other inside an epoch: shared outages are precomputed timelines ([`timeline`]), and the only
//! coupling through the medium is resolved after the fact ([`medium`]).
//!
//! Every loop over simulated time advances it (ticks by their period, outages and renewals by
//! positive draws, certificate chains by their lifetime), and what a run will do is bounded from
//! the scenario alone before it starts ([`work`]); validation rejects what passes the limits.

pub(crate) mod bulk;
pub(crate) mod counts;
pub(crate) mod device;
pub mod events;
#[cfg(test)]
mod events_tests;
pub(crate) mod lifecycle;
pub(crate) mod medium;
pub mod playback;
pub(crate) mod timeline;
pub(crate) mod trace;
pub(crate) mod work;

// What other crates use of the submodules (which stay crate-private).
pub use counts::{Counter, Counts, LIFE_BINS, LatencyStats, life_bin_start_days};
pub use device::ge_step;
pub use playback::{DeviceState, Levels, NO_BATTERY, StateChange, Timeline};
pub use timeline::Layout;
pub use trace::{TraceEvent, TraceKind};
pub use work::{MAX_LIFECYCLE_ACTIONS, Work, estimate};

use rayon::prelude::*;

use crate::rng::{Purpose, Stream, mix64};
use crate::scenario::Scenario;
use crate::time::US_PER_H;
use bulk::QuietRun;

use device::{ClassModel, Conditioned, Dev, DevAux, DevOutage, Run, Side, Sink, TickEnv};
use medium::{Frame, Medium};
use std::collections::{HashMap, VecDeque};
use timeline::Timelines;

/// What a battery class draws in a tick that sends once (sleep, sampling, self-discharge and one
/// transmission), from the engine's own per-class constants.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TickCharge {
    /// The battery's capacity, mAh.
    pub capacity_mah: f64,
    /// Charge drawn per tick, mAh.
    pub per_tick_mah: f64,
}

/// The charge class `class` of `s` draws per tick as the engine models it; None for a class
/// without a battery.
pub fn tick_charge(s: &Scenario, class: usize) -> Option<TickCharge> {
    let m = ClassModel::new(s, class);
    m.battery.map(|b| TickCharge { capacity_mah: b.capacity_mah, per_tick_mah: b.drain_per_tick_mah + m.tx_mah })
}

/// Devices per chunk: the unit of parallel work. Fixed, so sums are formed in the same order
/// whatever the thread count.
pub const CHUNK_DEVICES: usize = 1024;
/// Length of one epoch (the resolution of the time series).
pub const EPOCH_US: u64 = US_PER_H;

/// The state of each class at the end of an epoch, plus what happened during it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClassEpoch {
    /// What happened to the class during the epoch (in [`ClassOutput::end`]: the run's totals).
    pub counts: Counts,
    /// Devices in service, powered and with a usable link at the epoch's end.
    pub online: u64,
    /// Devices in service (not dead, not failed) at the epoch's end.
    pub in_service: u64,
    /// Messages held in device buffers at the epoch's end (devices in service).
    pub buffered: u64,
    /// Charge left in the batteries of in-service battery devices at the epoch's end, mAh (sum).
    pub battery_sum_mah: f64,
    /// Battery devices counted in `battery_sum_mah`.
    pub battery_devices: u64,
    /// At the last epoch only: devices by projected battery life (bins of
    /// [`counts::life_bin`]); empty otherwise.
    pub life_hist: Vec<u64>,
}

impl ClassEpoch {
    fn merge(&mut self, o: &ClassEpoch) {
        if self.life_hist.len() < o.life_hist.len() {
            self.life_hist.resize(o.life_hist.len(), 0);
        }
        for (a, b) in self.life_hist.iter_mut().zip(&o.life_hist) {
            *a += b;
        }
        self.counts.merge(&o.counts);
        self.online += o.online;
        self.in_service += o.in_service;
        self.buffered += o.buffered;
        self.battery_sum_mah += o.battery_sum_mah;
        self.battery_devices += o.battery_devices;
    }
}

/// One hour of the run.
#[derive(Clone, Debug)]
pub struct EpochReport {
    /// 0-based index of this epoch.
    pub index: u32,
    /// Epochs in the whole run (the scenario's duration in hours, rounded up).
    pub epochs: u32,
    /// Start of the epoch, microseconds of simulated time.
    pub start_us: u64,
    /// End of the epoch, microseconds: `start_us` + [`EPOCH_US`], capped at the run's duration.
    pub end_us: u64,
    /// State and counts per device class, in scenario order.
    pub per_class: Vec<ClassEpoch>,
}

/// Receives the engine's reports as the run advances.
pub trait Observer {
    /// Receives the report of each epoch, in order, once the epoch has been simulated.
    fn epoch(&mut self, report: &EpochReport);
    /// Whether the run goes on after the epoch just reported: asked once after every
    /// [`Observer::epoch`], so `false` stops the engine within one epoch ([`EPOCH_US`], one
    /// simulated hour) of the request, and the run returns what it simulated so far
    /// ([`RunOutput::stopped`]). The default never stops.
    fn keep_going(&mut self) -> bool {
        true
    }
    /// The per-message events of the traced devices from the epoch just run: by device index,
    /// each device's in the order they happened to it (a delivery is noted when the message is
    /// sent, with its arrival time, which may fall in a later epoch). Called before
    /// [`Observer::epoch`], and only by [`simulate_traced`].
    fn trace(&mut self, _events: &[trace::TraceEvent]) {}
    /// The devices whose state changed by the end of epoch `epoch` (all of them at epoch 0), by
    /// device index (see [`playback`]). Called before [`Observer::epoch`], and only by
    /// [`simulate_playback`].
    fn states(&mut self, _epoch: u32, _changes: &[StateChange]) {}
}

/// An observer that ignores everything.
pub struct NoObserver;
impl Observer for NoObserver {
    fn epoch(&mut self, _: &EpochReport) {}
}

/// Everything a run produced, per device class.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Results per device class, in scenario order.
    pub per_class: Vec<ClassOutput>,
    /// Network outages over the run: scheduled, shared (each once) and devices' own.
    pub network_outages: u64,
    /// Mains interruptions drawn per (power profile, site), plus scheduled power outages.
    pub power_outages: u64,
    /// Epochs simulated: all the scenario's, unless the observer stopped the run.
    pub epochs: u32,
    /// The observer stopped the run ([`Observer::keep_going`]) after `epochs` epochs, before the
    /// scenario's end: the totals are those of the hours simulated, and LoRa frames still in the
    /// air at the stop are not settled.
    pub stopped: bool,
    /// Provisioning, firmware campaigns and identity, as planned before the devices ran (its
    /// `events` are moved to [`RunOutput::events`]).
    pub lifecycle: lifecycle::Plan,
    /// The run's timeline: shared outages, sags, scheduled events, firmware waves, credential
    /// leaks, sorted by [`events::RunEvent::order`], at most [`events::MAX_RUN_EVENTS`]. Not
    /// part of the RunSummary.
    pub events: Vec<events::RunEvent>,
    /// Drawn gateway outages and sags left out of `events` by the cap (0 below it).
    pub events_omitted: u64,
}

/// What one device class produced over the run.
#[derive(Clone, Debug)]
pub struct ClassOutput {
    /// Totals over the run.
    pub counts: Counts,
    /// Latency of the delivered messages.
    pub latency: LatencyStats,
    /// Charge drawn from batteries, mAh (0 for mains devices).
    pub energy_mah: f64,
    /// State at the end of the run.
    pub end: ClassEpoch,
    /// Shared outages (per gateway link of this class) longer than the class's buffer can ride
    /// through: capacity x period.
    pub outages_longer_than_buffer: u64,
    /// Messages delivered on the busiest day of the run (days of 24 epochs from the start).
    pub peak_day_delivered: u64,
    /// Times a device of this class got its link back after an outage (shared or its own) or
    /// its credential back: reconnects besides reboots and truck rolls.
    pub link_reconnects: u64,
}

/// A fixed run of consecutive devices (by global index) and its private accumulators.
struct Chunk {
    /// Global index of `devs[0]`.
    first: u32,
    devs: Vec<Dev>,
    /// Beside `devs`, only when some class needs them (else empty).
    outages: Vec<DevOutage>,
    aux: Vec<DevAux>,
    /// Next lifecycle action of each device (empty when the plan has none).
    lc_cursor: Vec<u32>,
    spill: HashMap<u32, VecDeque<Run>>,
    epoch: Vec<ClassEpoch>,
    latency: Vec<LatencyStats>,
    energy: Vec<f64>,
    frames: Vec<Frame>,
    trace: Vec<trace::TraceEvent>,
    /// The state each device was last reported in (playback only; `u8::MAX`: not yet).
    /// Per device: the state and levels last reported ([`StateChange::key`]).
    shown: Vec<u32>,
    /// Devices whose state changed this epoch (playback only).
    changes: Vec<StateChange>,
}

struct World<'s> {
    scenario: &'s Scenario,
    seed: u64,
    bulk: bool,
    models: Vec<ClassModel>,
    timelines: Timelines,
    layout: Layout,
    plan: lifecycle::Plan,
    /// Global index of each class's first device, and one past the last class.
    class_start: Vec<u32>,
    /// `device_entity` hash of each class name.
    class_hash: Vec<u64>,
    /// Devices with a global index below this are traced.
    traced: u32,
    /// Each device's state is sampled at every epoch's end ([`playback`]).
    playback: bool,
}

/// Who a device is, derived from its global index.
struct Identity {
    class: usize,
    key: u64,
    site: usize,
    gateway: usize,
    link: u32,
}

impl World<'_> {
    fn identity(&self, global: u32, class_hint: usize) -> Identity {
        let mut ci = class_hint;
        while global >= self.class_start[ci + 1] {
            ci += 1;
        }
        let c = &self.scenario.classes[ci];
        let i = global - self.class_start[ci];
        let (site, gateway) = self.layout.place(self.scenario, c, i);
        Identity {
            class: ci,
            key: crate::rng::entity_key(self.seed, self.class_hash[ci].wrapping_add(i as u64)),
            site,
            gateway,
            link: self.timelines.link_of[c.network][gateway],
        }
    }
}

/// A stable key for device `index` of class `name`: adding devices to one class never changes
/// another class's random numbers.
pub fn device_entity(class_name: &str, index: u32) -> u64 {
    class_hash(class_name).wrapping_add(index as u64)
}

fn class_hash(class_name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in class_name.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(h)
}

/// How the engine advances devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stepping {
    /// Skip runs of quiet ticks in bulk wherever that is exact in distribution (the default).
    Auto,
    /// Step every tick (the reference the bulk path is tested against).
    EveryTick,
}

/// Runs the scenario with `seed` to its end.
pub fn simulate(s: &Scenario, seed: u64, observer: &mut dyn Observer) -> RunOutput {
    simulate_with(s, seed, observer, Stepping::Auto)
}

/// Runs the scenario with `seed` to its end, stepping as `stepping` says.
pub fn simulate_with(s: &Scenario, seed: u64, observer: &mut dyn Observer, stepping: Stepping) -> RunOutput {
    run(s, seed, observer, stepping, 0, false)
}

/// Runs the scenario with `seed` to its end as [`simulate`] does (the same results, bit for
/// bit) and hands each device's state changes to `observer` epoch by epoch (see [`playback`]).
pub fn simulate_playback(s: &Scenario, seed: u64, observer: &mut dyn Observer) -> RunOutput {
    run(s, seed, observer, Stepping::Auto, 0, true)
}

/// Runs the scenario with `seed` to its end and hands the per-message events of the first
/// `devices` devices to `observer` epoch by epoch (see [`trace`]). Every tick is stepped, so the
/// counts are those of [`Stepping::EveryTick`]: the same distribution as a normal run, not the
/// same draws.
pub fn simulate_traced(s: &Scenario, seed: u64, observer: &mut dyn Observer, devices: u32) -> RunOutput {
    run(s, seed, observer, Stepping::EveryTick, devices, false)
}

/// The run's timeline without running the devices: the shared timelines and the lifecycle plan
/// are built as [`simulate`] builds them, so this is exactly its [`RunOutput::events`] (for a
/// preview, or a test).
pub fn run_events(s: &Scenario, seed: u64) -> Vec<events::RunEvent> {
    let layout = Layout::new(s);
    take_events(&mut timeline::build(s, seed, &layout), &mut lifecycle::plan(s, seed, &layout)).0
}

/// The events the timelines and the plan collected, moved out of them, sorted and capped, with
/// how many the cap left out.
fn take_events(timelines: &mut Timelines, plan: &mut lifecycle::Plan) -> (Vec<events::RunEvent>, u64) {
    let mut out = std::mem::take(&mut timelines.events);
    out.append(&mut plan.events);
    events::sort(&mut out);
    let omitted = events::cap(&mut out, events::MAX_RUN_EVENTS);
    (out, omitted)
}

fn run(
    s: &Scenario,
    seed: u64,
    observer: &mut dyn Observer,
    stepping: Stepping,
    traced: u32,
    playback: bool,
) -> RunOutput {
    let layout = Layout::new(s);
    let mut timelines = timeline::build(s, seed, &layout);
    let mut plan = lifecycle::plan(s, seed, &layout);
    let (run_events, events_omitted) = take_events(&mut timelines, &mut plan);
    let models: Vec<ClassModel> = (0..s.classes.len()).map(|c| ClassModel::new(s, c)).collect();
    let n_classes = s.classes.len();

    let mut long_outages = vec![0u64; n_classes];
    for (ci, c) in s.classes.iter().enumerate() {
        let covers_us = (c.buffer.capacity.saturating_sub(1) as u64).saturating_mul(c.telemetry.period.0);
        let mut links: Vec<u32> = (0..layout.gateway_site.len())
            .filter(|&g| layout.per_net_gateway[c.network][g] > 0)
            .map(|g| timelines.link_of[c.network][g])
            .collect();
        links.dedup();
        long_outages[ci] = links
            .iter()
            .map(|&l| {
                timelines.links[l as usize].iter().filter(|iv| iv.end_us - iv.start_us > covers_us).count() as u64
            })
            .sum();
    }
    let mut class_start = vec![0u32];
    for c in &s.classes {
        class_start.push(class_start.last().expect("starts at 0") + c.count);
    }
    let world = World {
        scenario: s,
        seed,
        bulk: stepping == Stepping::Auto,
        class_hash: s.classes.iter().map(|c| class_hash(&c.name)).collect(),
        models,
        timelines,
        layout,
        plan,
        class_start,
        traced,
        playback,
    };
    let any_outage = world.models.iter().any(|m| m.device_outage.is_some());
    let any_aux = world.models.iter().any(|m| m.mains || m.lora.is_some());
    let n_devices = *world.class_start.last().expect("starts at 0");
    let mut chunks: Vec<Chunk> = (0..n_devices)
        .step_by(CHUNK_DEVICES)
        .map(|first| {
            let n = (n_devices - first).min(CHUNK_DEVICES as u32);
            let mut outages = if any_outage { vec![DevOutage::default(); n as usize] } else { Vec::new() };
            let mut scratch = DevOutage::default();
            let mut class = 0;
            let devs = (0..n)
                .map(|j| {
                    let id = world.identity(first + j, class);
                    class = id.class;
                    let o = outages.get_mut(j as usize).unwrap_or(&mut scratch);
                    Dev::new(&world.models[id.class], id.key, o)
                })
                .collect();
            let mut chunk = Chunk {
                first,
                devs,
                outages,
                aux: if any_aux { vec![DevAux::default(); n as usize] } else { Vec::new() },
                lc_cursor: if world.plan.actions.is_empty() { Vec::new() } else { vec![0; n as usize] },
                spill: HashMap::new(),
                epoch: vec![ClassEpoch::default(); n_classes],
                latency: vec![LatencyStats::default(); n_classes],
                energy: vec![0.0; n_classes],
                frames: Vec::new(),
                trace: Vec::new(),
                shown: if playback { vec![u32::MAX; n as usize] } else { Vec::new() },
                changes: Vec::new(),
            };
            if !world.plan.online_us.is_empty() {
                chunk.start_at_install(&world);
            }
            chunk
        })
        .collect();

    let horizon = s.duration.0;
    let epochs = horizon.div_ceil(EPOCH_US) as u32;
    let mut totals: Vec<Counts> = vec![Counts::default(); n_classes];
    let mut medium = Medium::default();
    let mut medium_latency = vec![LatencyStats::default(); n_classes];
    let mut last = vec![ClassEpoch::default(); n_classes];
    let mut day_delivered = vec![0u64; n_classes];
    let mut peak_day = vec![0u64; n_classes];
    let mut simulated = epochs;

    for e in 0..epochs {
        let start = e as u64 * EPOCH_US;
        let end = (start + EPOCH_US).min(horizon);
        chunks.par_iter_mut().for_each(|c| c.advance(&world, start, end));
        let mut per_class = vec![ClassEpoch::default(); n_classes];
        let mut frames = Vec::new();
        let mut traced = Vec::new();
        let mut changes = Vec::new();
        for c in &mut chunks {
            traced.append(&mut c.trace);
            changes.append(&mut c.changes);
            for (acc, ce) in per_class.iter_mut().zip(c.epoch.iter_mut()) {
                acc.merge(ce);
                *ce = ClassEpoch::default();
            }
            frames.append(&mut c.frames);
        }
        let mut medium_counts = vec![Counts::default(); n_classes];
        let settle = if e + 1 == epochs { u64::MAX } else { end };
        medium.resolve(frames, settle, &mut medium_counts, &mut medium_latency);
        for (pc, mc) in per_class.iter_mut().zip(&medium_counts) {
            pc.counts.merge(mc);
        }
        for (t, pc) in totals.iter_mut().zip(&per_class) {
            t.merge(&pc.counts);
        }
        for ci in 0..n_classes {
            day_delivered[ci] += per_class[ci].counts.get(Counter::Delivered);
            if (e + 1) % 24 == 0 || e + 1 == epochs {
                peak_day[ci] = peak_day[ci].max(day_delivered[ci]);
                day_delivered[ci] = 0;
            }
        }
        if world.traced > 0 {
            observer.trace(&traced);
        }
        if world.playback {
            observer.states(e, &changes);
        }
        observer.epoch(&EpochReport { index: e, epochs, start_us: start, end_us: end, per_class: per_class.clone() });
        last = per_class;
        if e + 1 < epochs && !observer.keep_going() {
            simulated = e + 1;
            break;
        }
    }
    let stopped = simulated < epochs;
    debug_assert!(stopped || medium.in_flight() == 0, "every LoRa frame is settled by the last epoch");

    let mut per_class = Vec::with_capacity(n_classes);
    for ci in 0..n_classes {
        let mut latency = medium_latency[ci].clone();
        let mut energy = 0.0;
        for c in &chunks {
            latency.merge(&c.latency[ci]);
            energy += c.energy[ci];
        }
        let mut end = last[ci].clone();
        end.counts = totals[ci];
        per_class.push(ClassOutput {
            counts: totals[ci],
            latency,
            energy_mah: energy,
            end,
            outages_longer_than_buffer: long_outages[ci],
            peak_day_delivered: peak_day[ci],
            link_reconnects: 0,
        });
    }
    let own_outages = device_outages(&world, &chunks);
    if s.identity.is_some() {
        let shared = shared_reconnects(&world);
        for (ci, pc) in per_class.iter_mut().enumerate() {
            pc.link_reconnects = shared[ci] + own_outages[ci] + world.plan.restorations[ci];
        }
    }
    RunOutput {
        per_class,
        network_outages: world.timelines.network_outages + own_outages.iter().sum::<u64>(),
        power_outages: world.timelines.power_outages,
        epochs: simulated,
        stopped,
        lifecycle: world.plan,
        events: run_events,
        events_omitted,
    }
}

/// Shared outages that ended inside the run while each device was installed, per class: each
/// is a reconnect (and a TLS handshake) for every device behind the link.
fn shared_reconnects(w: &World<'_>) -> Vec<u64> {
    let horizon = w.scenario.duration.0;
    let mut out = vec![0u64; w.scenario.classes.len()];
    let mut class = 0;
    for g in 0..*w.class_start.last().expect("starts at 0") {
        let id = w.identity(g, class);
        class = id.class;
        let Some(ivs) = w.timelines.links.get(id.link as usize) else { continue };
        let online = w.plan.online_at(g);
        let from = ivs.partition_point(|iv| iv.end_us <= online);
        let to = ivs.partition_point(|iv| iv.end_us < horizon);
        out[id.class] += to.saturating_sub(from) as u64;
    }
    out
}

/// Device-scope outages that started before the horizon, per class (counted at the end from
/// each device's renewal counter).
fn device_outages(w: &World<'_>, chunks: &[Chunk]) -> Vec<u64> {
    let horizon = w.scenario.duration.0;
    let mut n = vec![0u64; w.scenario.classes.len()];
    for c in chunks {
        let mut class = 0;
        for (j, o) in c.outages.iter().enumerate() {
            let id = w.identity(c.first + j as u32, class);
            class = id.class;
            let m = &w.models[id.class];
            if m.device_outage.is_some() {
                // Draw on to the horizon (dead devices stopped drawing); of the outages drawn,
                // only the last one can start after the horizon.
                let mut o = o.clone();
                device::advance_device_outage(&mut o, id.key, horizon - 1, m);
                n[id.class] += o.n as u64 - u64::from(o.next_down_us >= horizon);
            }
        }
    }
    n
}

impl Chunk {
    /// Devices installed later start at their first tick after they come online, with the
    /// power events before then already behind them.
    fn start_at_install(&mut self, w: &World<'_>) {
        let horizon = w.scenario.duration.0;
        let mut class = 0;
        for (j, dev) in self.devs.iter_mut().enumerate() {
            let g = self.first + j as u32;
            let online = w.plan.online_at(g);
            if online == 0 {
                continue;
            }
            let id = w.identity(g, class);
            class = id.class;
            let m = &w.models[id.class];
            let phase_us = ((dev.phase as u128 * m.period_us as u128) >> 32) as u64;
            let k = online.min(horizon + m.period_us).saturating_sub(phase_us).div_ceil(m.period_us);
            dev.next_tick = k as u32;
            if let Some(aux) = self.aux.get_mut(j)
                && m.mains
            {
                let c = &w.scenario.classes[id.class];
                let mains = &w.timelines.mains[c.power][id.site];
                let sags = &w.timelines.sags[c.power][id.site];
                aux.mains_cursor = mains.partition_point(|iv| iv.end_us <= online) as u32;
                aux.sag_cursor = sags.partition_point(|x| x.0 < online) as u32;
            }
        }
    }

    fn advance(&mut self, w: &World<'_>, epoch_start: u64, epoch_end: u64) {
        let s = w.scenario;
        let horizon = s.duration.0;
        let mut scratch_outage = DevOutage::default();
        let mut scratch_aux = DevAux::default();
        let mut class = 0;
        for (j, dev) in self.devs.iter_mut().enumerate() {
            let id = w.identity(self.first + j as u32, class);
            class = id.class;
            let ci = id.class;
            let m = &w.models[ci];
            let c = &s.classes[ci];
            let env = TickEnv {
                key: id.key,
                class: ci as u16,
                gateway: id.gateway as u32,
                m,
                link: w.timelines.links.get(id.link as usize).map_or(&[], |v| v.as_slice()),
                mains: if m.mains { &w.timelines.mains[c.power][id.site] } else { &[] },
                sags: if m.mains { &w.timelines.sags[c.power][id.site] } else { &[] },
                connects_per_s: s.backend.connects_per_s,
                reconnect_window_us: s.backend.reconnect_window.0,
            };
            let mut side = Side {
                outage: self.outages.get_mut(j).unwrap_or(&mut scratch_outage),
                aux: self.aux.get_mut(j).unwrap_or(&mut scratch_aux),
                spill: &mut self.spill,
                slot: j as u32,
            };
            let jitter = Stream::of(id.key, Purpose::Jitter);
            let ce = &mut self.epoch[ci];
            let mut sink = Sink {
                counts: &mut ce.counts,
                latency: &mut self.latency[ci],
                energy_mah: &mut self.energy[ci],
                frames: &mut self.frames,
                trace: (self.first + (j as u32) < w.traced).then(|| (self.first + j as u32, &mut self.trace)),
            };
            let limit = epoch_end.min(horizon);
            let g = self.first + j as u32;
            let actions = w.plan.actions_of(g);
            let mut cursor = self.lc_cursor.get(j).copied().unwrap_or(0) as usize;
            let chunk_mah = w.plan.chunk_mah.get(ci).copied().unwrap_or(0.0);
            loop {
                let k = dev.next_tick;
                let t = dev.tick_time(m, jitter, k);
                if t >= limit {
                    break;
                }
                while let Some(a) = actions.get(cursor).filter(|a| a.at_us <= t) {
                    device::apply_action(dev, &mut side, a.kind, t, m, &mut sink, chunk_mah);
                    cursor += 1;
                }
                // Bulk stepping stops short of the next action.
                let run_limit = actions.get(cursor).map_or(limit, |a| limit.min(a.at_us));
                let mut cond = Conditioned::off();
                if w.bulk {
                    match bulk::quiet_run(dev, &mut side, k, t, &env, &mut sink, run_limit) {
                        QuietRun::No => {}
                        QuietRun::Skipped { skipped, then } => {
                            dev.next_tick += skipped;
                            let Some((probs, draws)) = then else { continue };
                            cond = Conditioned::at_least_one(probs, draws);
                        }
                    }
                }
                let k = dev.next_tick;
                let t = dev.tick_time(m, jitter, k);
                device::tick(dev, &mut side, k, t, &env, &mut sink, &mut cond);
                dev.next_tick += 1;
            }
            // Actions due before the epoch ends but after the device's last tick in it.
            while let Some(a) = actions.get(cursor).filter(|a| a.at_us < limit) {
                device::apply_action(dev, &mut side, a.kind, a.at_us, m, &mut sink, chunk_mah);
                cursor += 1;
            }
            if let Some(c) = self.lc_cursor.get_mut(j) {
                *c = cursor as u32;
            }
            // End-of-epoch snapshot (devices not installed yet are not counted).
            let installed = w.plan.online_at(g) < epoch_end;
            let mut link_down = false;
            if !dev.is_out_of_service() && installed {
                ce.in_service += 1;
                ce.buffered += dev.buffered as u64;
                if let Some(b) = m.battery {
                    ce.battery_sum_mah += dev.battery_mah;
                    ce.battery_devices += 1;
                    if epoch_end >= horizon {
                        // Projected life: capacity over the charge drawn per day since the start
                        // (a cell replaced during the run reads from its replacement's drain).
                        let initial = Dev::initial_battery_mah(m, id.key);
                        let drawn = (initial - dev.battery_mah).max(1e-9);
                        let days = b.capacity_mah * (horizon as f64 / crate::time::US_PER_DAY as f64) / drawn;
                        if ce.life_hist.is_empty() {
                            ce.life_hist = vec![0; counts::LIFE_BINS];
                        }
                        ce.life_hist[counts::life_bin(days)] += 1;
                    }
                }
                // Reporting must not change the device: look at copies.
                let (mut d, mut o) = (dev.clone(), side.outage.clone());
                link_down = device::link_down_at(&mut d, &mut o, epoch_end, &env);
                if dev.flags & device::POWERED_OFF == 0 && !link_down {
                    ce.online += 1;
                }
            }
            if w.playback {
                let (updated, bricked) = if actions.is_empty() {
                    (false, false)
                } else {
                    playback::updates(&w.plan, g, cursor, epoch_start, epoch_end, m.maintenance, dev.wait_until_us)
                };
                let state = playback::classify(&playback::Seen {
                    installed,
                    battery_dead: dev.flags & device::BATTERY_DEATH != 0,
                    out_of_service: dev.is_out_of_service(),
                    bricked,
                    powered_off: dev.flags & device::POWERED_OFF != 0,
                    updated,
                    rebooted: dev.flags & device::REBOOTED != 0,
                    link_down,
                    buffer_full: dev.buffered >= m.capacity,
                });
                dev.flags &= !device::REBOOTED;
                let battery_tenths = m.battery.as_ref().map_or(playback::NO_BATTERY, |b| {
                    (dev.battery_mah / b.capacity_mah * 10.0).floor().clamp(0.0, 10.0) as u8
                });
                let buffer_tenths = (dev.buffered as u64 * 10 / m.capacity.max(1) as u64).min(10) as u8;
                let change = StateChange { device: g, state, battery_tenths, buffer_tenths };
                if self.shown[j] != change.key() {
                    self.shown[j] = change.key();
                    self.changes.push(change);
                }
            }
        }
    }
}
