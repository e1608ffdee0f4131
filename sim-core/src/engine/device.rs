//! One device: its compact hot state, the per-class constants derived from the scenario, and the
//! tick that advances it. A tick does, in this order: repair, mains power, battery death, idle
//! drain, hardware failure, reboot, sample, channel step, link check, flush.

use super::counts::{Counter, Counts, LatencyStats};
use super::medium::Frame;
use super::timeline::Interval;
use super::trace::{TraceEvent, TraceKind};
use crate::rng::{Purpose, Stream, tick_base};
use crate::scenario::{BufferStorage, Loss, OverflowPolicy, PowerSource, Scenario};
use crate::time::{US_PER_MS, US_PER_S, US_PER_YEAR};

/// Per-class constants, derived once from the scenario.
#[derive(Clone, Debug)]
pub(crate) struct ClassModel {
    pub period_us: u64,
    pub jitter_us: u64,
    pub ge: Option<(f64, f64, f64, f64)>,
    pub acked: bool,
    pub attempts: u32,
    pub backoff_base_us: f64,
    pub backoff_cap_us: f64,
    pub latency: crate::models::latency::LatencySampler,
    /// (airtime, airtime + duty-cycle off time, channels, spreading factor)
    pub lora: Option<(u64, u64, u32, u8)>,
    /// Device-scope outage process: (mean up s, mean down s, distribution).
    pub device_outage: Option<(f64, f64, crate::scenario::DownTime)>,
    pub battery: Option<BatteryModel>,
    pub mains: bool,
    pub p_reboot: f64,
    pub p_fail: f64,
    pub capacity: u32,
    pub drop_oldest: bool,
    pub ram_buffer: bool,
    pub flush_per_tick: u32,
    /// Publishes the backend allows this device per tick (None: unlimited).
    pub publish_allowance: Option<f64>,
    pub tx_mah: f64,
    pub maintenance: Option<u64>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct BatteryModel {
    pub capacity_mah: f64,
    pub init_min_frac: f64,
    pub init_max_frac: f64,
    /// Sleep, sampling and self-discharge per tick.
    pub drain_per_tick_mah: f64,
    pub low_mah: f64,
    pub p_low_reboot: f64,
}

impl ClassModel {
    pub(crate) fn new(s: &Scenario, class: usize) -> ClassModel {
        let c = &s.classes[class];
        let net = &s.networks[c.network];
        let power = &s.powers[c.power];
        let period_us = c.telemetry.period.0;
        let period_s = period_us as f64 / US_PER_S as f64;
        let per_tick = |per_day: f64| (per_day * period_s / 86_400.0).min(1.0);
        let lora = net.lora.map(|r| {
            let airtime_s = crate::models::lora::uplink_airtime_s(&r, c.telemetry.payload_bytes);
            let airtime = (airtime_s * US_PER_S as f64).round() as u64;
            let cycle = (airtime_s * 100.0 / r.duty_cycle_pct * US_PER_S as f64).round() as u64;
            (airtime, cycle, r.channels, r.spreading_factor)
        });
        let tx_ms = match lora {
            Some((airtime, ..)) => airtime as f64 / US_PER_MS as f64,
            None => net.tx_ms,
        };
        let cur = power.currents;
        let tx_mah = (cur.tx_ma * tx_ms + cur.rx_ma * net.rx_ms) / 3_600_000.0;
        let (battery, mains) = match power.source {
            PowerSource::Battery {
                capacity_mah,
                initial_charge_pct,
                self_discharge_pct_per_year,
                low_battery_pct,
                low_battery_reboots_per_day,
            } => {
                let self_discharge_mah =
                    capacity_mah * self_discharge_pct_per_year / 100.0 * period_us as f64 / US_PER_YEAR as f64;
                // A device that opens a TLS session per report pays a handshake every tick.
                let handshake_mah = match s.identity {
                    Some(id) if id.session_per_report => {
                        super::lifecycle::transfer_mah(s, class, id.handshake.bytes(1))
                    }
                    _ => 0.0,
                };
                let drain = cur.sleep_ma * period_s / 3600.0
                    + cur.sample_ma * power.sample_ms / 3_600_000.0
                    + self_discharge_mah
                    + handshake_mah;
                (
                    Some(BatteryModel {
                        capacity_mah,
                        init_min_frac: initial_charge_pct.0 / 100.0,
                        init_max_frac: initial_charge_pct.1 / 100.0,
                        drain_per_tick_mah: drain,
                        low_mah: capacity_mah * low_battery_pct / 100.0,
                        p_low_reboot: per_tick(low_battery_reboots_per_day),
                    }),
                    false,
                )
            }
            PowerSource::Mains { .. } => (None, true),
        };
        let device_outage = net
            .outages
            .iter()
            .find(|o| o.scope == crate::scenario::Scope::Device)
            .map(|o| (o.mean_up.as_secs_f64(), o.mean_down.as_secs_f64(), o.down_distribution));
        let total_devices = s.device_count().max(1) as f64;
        let publish_allowance = s.backend.publishes_per_s.map(|q| q * period_s / total_devices);
        ClassModel {
            period_us,
            jitter_us: c.telemetry.jitter.0,
            ge: match net.loss {
                Loss::None => None,
                Loss::GilbertElliott { p_good_to_bad, p_bad_to_good, loss_good, loss_bad } => {
                    Some((p_good_to_bad, p_bad_to_good, loss_good, loss_bad))
                }
            },
            acked: net.delivery.acked,
            attempts: net.delivery.attempts,
            backoff_base_us: net.delivery.backoff_base.0 as f64,
            backoff_cap_us: net.delivery.backoff_cap.0 as f64,
            latency: crate::models::latency::LatencySampler::new(&net.latency),
            lora,
            device_outage,
            battery,
            mains,
            p_reboot: per_tick(c.reboots_per_day),
            // AFR is a yearly probability: per-tick hazard = -ln(1 - AFR) * period / year.
            p_fail: (-(1.0 - c.afr_pct / 100.0).max(1e-12).ln() * period_us as f64 / US_PER_YEAR as f64).min(1.0),
            capacity: c.buffer.capacity,
            drop_oldest: c.buffer.policy == OverflowPolicy::DropOldest,
            ram_buffer: c.buffer.storage == BufferStorage::Ram,
            flush_per_tick: c.buffer.flush_per_tick,
            publish_allowance,
            tx_mah,
            maintenance: s
                .maintenance
                .enabled
                .then_some(s.maintenance.detection_delay.0 + s.maintenance.truck_roll_response.0),
        }
    }
}

/// Consecutive buffered messages: ticks `first .. first + len`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Run {
    pub first: u32,
    pub len: u32,
}

pub(crate) const DEAD: u8 = 1;
pub(crate) const FAILED: u8 = 2;
pub(crate) const POWERED_OFF: u8 = 4;
pub(crate) const GE_BAD: u8 = 8;
pub(crate) const BATTERY_DEATH: u8 = 16;
/// The buffer has more runs than the inline one (kept in the chunk's spill map).
pub(crate) const SPILLED: u8 = 32;
/// The link was down at the device's last stepped tick: a hint for bulk stepping, which tries a
/// run of outage ticks for a device with a backlog only then (a throttled device with a backlog
/// and a working link skips the attempt, and its link check, on every tick).
pub(crate) const LINK_DOWN: u8 = 64;
/// The device rebooted since the playback sampler last looked (see [`super::playback`]); read
/// and cleared only by that sampler, so it changes nothing else.
pub(crate) const REBOOTED: u8 = 128;

/// The hot state of one device: 48 bytes. Who the device is (class, site, gateway, random key)
/// is derived from its index, not stored. Buffered messages are runs of consecutive ticks: one
/// run inline; more runs (gaps from drop-newest or missed ticks) go to the chunk's spill map
/// only when they occur.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dev {
    /// Remaining charge, mAh (battery classes).
    pub battery_mah: f64,
    /// In service: the link is unusable (reconnecting) until then. Out of service: the truck
    /// roll restores the device then (u64::MAX: never).
    pub wait_until_us: u64,
    pub head: Run,
    pub buffered: u32,
    pub next_tick: u32,
    /// Offset of tick 0 within the period, in units of period / 2^32.
    pub phase: u32,
    /// Index of the next shared outage interval not yet passed.
    pub link_cursor: u32,
    pub flags: u8,
}

// A chunk of 1,024 devices advances in parallel with its `Dev`s in one slice: at 48 bytes a chunk
// is 48 KiB, within a core's L2 cache, and a device is at most two cache lines. A field added here
// changes the engine's speed, not just its memory; grow this size on purpose.
const _: () = assert!(std::mem::size_of::<Dev>() == 48);

/// The device's own outage process (classes with `scope = "device"` outages only).
#[derive(Clone, Debug, Default)]
pub(crate) struct DevOutage {
    pub next_down_us: u64,
    pub next_up_us: u64,
    /// Outages drawn so far (indexes the random stream).
    pub n: u32,
}

/// Per-device state of LoRa and mains classes only.
#[derive(Clone, Debug, Default)]
pub(crate) struct DevAux {
    /// Earliest time the duty cycle allows the next LoRa frame.
    pub next_lora_us: u64,
    pub mains_cursor: u32,
    pub sag_cursor: u32,
}

/// The state beside the hot struct that a tick may touch.
pub(crate) struct Side<'a> {
    pub outage: &'a mut DevOutage,
    pub aux: &'a mut DevAux,
    /// Extra buffer runs of the chunk's devices, by slot; only devices with `SPILLED` have one.
    pub spill: &'a mut std::collections::HashMap<u32, std::collections::VecDeque<Run>>,
    pub slot: u32,
}

impl Dev {
    /// The charge a device of class model `m` starts with (the same draw as [`Dev::new`]).
    pub(crate) fn initial_battery_mah(m: &ClassModel, key: u64) -> f64 {
        let mut init = Stream::of(key, Purpose::Init).draws(0);
        let _phase = init.uniform();
        m.battery
            .map_or(0.0, |b| b.capacity_mah * (b.init_min_frac + (b.init_max_frac - b.init_min_frac) * init.uniform()))
    }

    /// A new device, keyed by `key` (see [`crate::rng::entity_key`]).
    pub(crate) fn new(m: &ClassModel, key: u64, outage: &mut DevOutage) -> Dev {
        let mut init = Stream::of(key, Purpose::Init).draws(0);
        let phase = (init.uniform() * 4_294_967_296.0) as u32;
        let battery_mah = match m.battery {
            Some(b) => b.capacity_mah * (b.init_min_frac + (b.init_max_frac - b.init_min_frac) * init.uniform()),
            None => 0.0,
        };
        let mut flags = 0;
        if let Some((p, r, ..)) = m.ge
            && init.uniform() < crate::models::gilbert_elliott::stationary_bad(p, r)
        {
            flags |= GE_BAD;
        }
        *outage = DevOutage { next_down_us: u64::MAX, next_up_us: u64::MAX, n: 0 };
        if let Some((up, down, dist)) = m.device_outage {
            let mut d = Stream::of(key, Purpose::DeviceOutage).draws(0);
            let start = d.exponential(up) * US_PER_S as f64;
            let len = crate::models::renewal::draw_down_s(&mut d, down, dist) * US_PER_S as f64;
            outage.next_down_us = start as u64;
            outage.next_up_us = ((start + len) as u64).max(outage.next_down_us + 1);
            outage.n = 1;
        }
        Dev {
            battery_mah,
            wait_until_us: 0,
            head: Run::default(),
            buffered: 0,
            next_tick: 0,
            phase,
            link_cursor: 0,
            flags,
        }
    }

    /// Time of tick `k`: phase + k * period + jitter (a pure function of k).
    #[inline]
    pub(crate) fn tick_time(&self, m: &ClassModel, jitter: Stream, k: u32) -> u64 {
        let phase_us = ((self.phase as u128 * m.period_us as u128) >> 32) as u64;
        let base = phase_us + k as u64 * m.period_us;
        if m.jitter_us == 0 {
            return base;
        }
        let u = jitter.uniform_at(k as u64);
        let j = ((2.0 * u - 1.0) * m.jitter_us as f64) as i64;
        (base as i64 + j).max(0) as u64
    }

    fn drain_battery(&mut self, mah: f64, energy: &mut f64) {
        let used = mah.min(self.battery_mah);
        self.battery_mah -= used;
        *energy += used;
    }

    pub(crate) fn is_out_of_service(&self) -> bool {
        self.flags & (DEAD | FAILED) != 0
    }
}

fn clear_buffer(dev: &mut Dev, side: &mut Side<'_>, t: u64, out: &mut Sink<'_>) -> u64 {
    let n = dev.buffered as u64;
    if n > 0 {
        out.note(t, TraceKind::Wiped);
    }
    dev.buffered = 0;
    dev.head = Run::default();
    if dev.flags & SPILLED != 0 {
        side.spill.remove(&side.slot);
        dev.flags &= !SPILLED;
    }
    n
}

/// A reboot or power cut: a RAM buffer loses what it held.
fn wipe_ram_buffer(dev: &mut Dev, side: &mut Side<'_>, m: &ClassModel, t: u64, out: &mut Sink<'_>) {
    if m.ram_buffer {
        let n = clear_buffer(dev, side, t, out);
        out.counts.add(Counter::DroppedReboot, n);
    }
}

/// The device dies or fails at `t` (`flags`: why): its buffer is stranded and it waits for the
/// maintenance truck roll (forever without maintenance).
fn take_out_of_service(dev: &mut Dev, side: &mut Side<'_>, m: &ClassModel, t: u64, out: &mut Sink<'_>, flags: u8) {
    let n = clear_buffer(dev, side, t, out);
    out.counts.add(Counter::StrandedDead, n);
    dev.flags |= flags;
    dev.wait_until_us = m.maintenance.map_or(u64::MAX, |d| t.saturating_add(d));
}

fn push(dev: &mut Dev, side: &mut Side<'_>, k: u32) {
    dev.buffered += 1;
    if dev.flags & SPILLED != 0 {
        let spill = side.spill.get_mut(&side.slot).expect("a SPILLED device has spill runs");
        match spill.back_mut() {
            Some(last) if last.first + last.len == k => last.len += 1,
            _ => spill.push_back(Run { first: k, len: 1 }),
        }
        return;
    }
    if dev.head.len == 0 {
        dev.head = Run { first: k, len: 1 };
    } else if dev.head.first + dev.head.len == k {
        dev.head.len += 1;
    } else {
        side.spill.insert(side.slot, std::collections::VecDeque::from([Run { first: k, len: 1 }]));
        dev.flags |= SPILLED;
    }
}

/// Puts tick `k`'s message into the buffer; returns the tick of the message dropped for room,
/// if one was (the oldest or this one, as the policy says).
pub(crate) fn sample_into_buffer(dev: &mut Dev, side: &mut Side<'_>, m: &ClassModel, k: u32) -> Option<u32> {
    if dev.buffered >= m.capacity {
        if m.drop_oldest {
            let oldest = pop(dev, side);
            push(dev, side, k);
            Some(oldest)
        } else {
            Some(k)
        }
    } else {
        push(dev, side, k);
        None
    }
}

/// Removes the oldest message and returns its tick index.
fn pop(dev: &mut Dev, side: &mut Side<'_>) -> u32 {
    debug_assert!(dev.buffered > 0, "pop from an empty buffer");
    let k = dev.head.first;
    dev.head.first += 1;
    dev.head.len -= 1;
    dev.buffered -= 1;
    if dev.head.len == 0 && dev.flags & SPILLED != 0 {
        let spill = side.spill.get_mut(&side.slot).expect("a SPILLED device has spill runs");
        dev.head = spill.pop_front().unwrap_or_default();
        if spill.is_empty() {
            side.spill.remove(&side.slot);
            dev.flags &= !SPILLED;
        }
    }
    k
}

/// What a tick needs besides the device: who it is and the shared timelines it sees.
pub(crate) struct TickEnv<'a> {
    /// The device's random-stream key.
    pub key: u64,
    pub class: u16,
    pub gateway: u32,
    pub m: &'a ClassModel,
    pub link: &'a [Interval],
    pub mains: &'a [Interval],
    pub sags: &'a [(u64, f64)],
    pub connects_per_s: Option<f64>,
    pub reconnect_window_us: u64,
}

/// Per-class accumulators a tick writes to.
pub(crate) struct Sink<'a> {
    pub counts: &'a mut Counts,
    pub latency: &'a mut LatencyStats,
    pub energy_mah: &'a mut f64,
    pub frames: &'a mut Vec<Frame>,
    /// Per-message events of a traced device (see [`super::trace`]): its global index and where
    /// the events go. `None` for every device of a normal run.
    pub trace: Option<(u32, &'a mut Vec<TraceEvent>)>,
}

impl Sink<'_> {
    #[inline]
    fn note(&mut self, at_us: u64, kind: TraceKind) {
        if let Some((device, events)) = &mut self.trace {
            events.push(TraceEvent { device: *device, at_us, kind });
        }
    }
}

/// Advances `dev` through tick `k` at time `t`.
pub(crate) fn tick(
    dev: &mut Dev,
    side: &mut Side<'_>,
    k: u32,
    t: u64,
    env: &TickEnv<'_>,
    out: &mut Sink<'_>,
    cond: &mut Conditioned,
) {
    let m = env.m;
    // Out of service: wait for the truck roll.
    if dev.is_out_of_service() {
        if t < dev.wait_until_us {
            skip_sags(side, env, t);
            return;
        }
        out.counts.inc(Counter::TruckRolls);
        if dev.flags & BATTERY_DEATH != 0 {
            out.counts.inc(Counter::BatteryReplacements);
        }
        if let Some(b) = m.battery {
            dev.battery_mah = b.capacity_mah;
        }
        dev.flags &= !(DEAD | FAILED | BATTERY_DEATH);
        dev.wait_until_us = t;
    }
    let tick_base = tick_base(k);
    let mut fault = Stream::of(env.key, Purpose::Fault).draws(tick_base);

    // Mains power.
    if m.mains {
        let mut c = side.aux.mains_cursor as usize;
        while c < env.mains.len() && env.mains[c].end_us <= t {
            c += 1;
        }
        side.aux.mains_cursor = c as u32;
        if c < env.mains.len() && env.mains[c].start_us <= t {
            if dev.flags & POWERED_OFF == 0 {
                dev.flags |= POWERED_OFF;
                out.counts.inc(Counter::Reboots);
                dev.flags |= REBOOTED;
                out.note(t, TraceKind::Reboot);
                wipe_ram_buffer(dev, side, m, t, out);
            }
            out.counts.inc(Counter::PoweredOffTicks);
            skip_sags(side, env, t);
            return;
        }
        if dev.flags & POWERED_OFF != 0 {
            dev.flags &= !POWERED_OFF;
            // Power is back: the device boots and reconnects after the site's storm.
            let storm = env.mains.get(c.wrapping_sub(1)).map_or(1, |iv| iv.storm);
            let end = env.mains.get(c.wrapping_sub(1)).map_or(t, |iv| iv.end_us);
            let delay = reconnect_delay(env, storm, c as u64 | 1 << 40);
            dev.wait_until_us = dev.wait_until_us.max(end + delay);
        }
        let mut reset = false;
        let mut sc = side.aux.sag_cursor as usize;
        while sc < env.sags.len() && env.sags[sc].0 <= t {
            reset |= fault.bernoulli(env.sags[sc].1);
            sc += 1;
        }
        side.aux.sag_cursor = sc as u32;
        if reset {
            out.counts.inc(Counter::Reboots);
            dev.flags |= REBOOTED;
            out.note(t, TraceKind::Reboot);
            wipe_ram_buffer(dev, side, m, t, out);
            return;
        }
    }

    // Battery death.
    if let Some(b) = m.battery {
        if dev.battery_mah <= 0.0 {
            out.counts.inc(Counter::Deaths);
            take_out_of_service(dev, side, m, t, out, DEAD | BATTERY_DEATH);
            return;
        }
        out.counts.inc(Counter::Ticks);
        dev.drain_battery(b.drain_per_tick_mah, out.energy_mah);
    } else {
        out.counts.inc(Counter::Ticks);
    }

    // Hardware failure.
    if m.p_fail > 0.0 && cond.decide(Event::Fail, || fault.bernoulli(m.p_fail)) {
        out.counts.inc(Counter::HardwareFailures);
        take_out_of_service(dev, side, m, t, out, FAILED);
        return;
    }

    // Reboot: firmware crash, or brownout on a low battery.
    let p_reboot = match m.battery {
        Some(b) if dev.battery_mah < b.low_mah => b.p_low_reboot,
        _ => m.p_reboot,
    };
    if p_reboot > 0.0 && cond.decide(Event::Reboot, || fault.bernoulli(p_reboot)) {
        out.counts.inc(Counter::Reboots);
        dev.flags |= REBOOTED;
        out.note(t, TraceKind::Reboot);
        wipe_ram_buffer(dev, side, m, t, out);
        return;
    }

    // Sample.
    out.counts.inc(Counter::Generated);
    if out.trace.is_some() {
        let battery_pct = m.battery.map_or(f32::NAN, |b| (100.0 * dev.battery_mah / b.capacity_mah) as f32);
        out.note(t, TraceKind::Sample { tick: k, battery_pct });
    }
    if let Some(dropped) = sample_into_buffer(dev, side, m, k) {
        out.counts.inc(Counter::DroppedOverflow);
        out.note(t, TraceKind::Lost { tick: dropped });
    }

    // Channel: one Gilbert-Elliott transition per tick; this tick's attempts see the new state.
    let mut chan = Stream::of(env.key, Purpose::Channel).draws(tick_base);
    let loss = match m.ge {
        None => 0.0,
        Some((p, r, lg, lb)) => {
            let was_bad = dev.flags & GE_BAD != 0;
            let p_switch = if was_bad { r } else { p };
            // The same draw as `ge_step`: switch when u < P(switch).
            let bad = was_bad ^ cond.decide(Event::Switch, || chan.uniform() < p_switch);
            if bad {
                dev.flags |= GE_BAD;
            } else {
                dev.flags &= !GE_BAD;
            }
            if bad { lb } else { lg }
        }
    };

    // Link.
    let link_down = link_down_at(dev, side.outage, t, env);
    if link_down {
        dev.flags |= LINK_DOWN;
    } else {
        dev.flags &= !LINK_DOWN;
    }
    if link_down {
        out.counts.inc(Counter::OutageTicks);
        if m.acked {
            return;
        }
    }

    // Flush, oldest first.
    let mut allowance = dev.buffered.min(m.flush_per_tick);
    if let Some(q) = m.publish_allowance {
        let mut qd = Stream::of(env.key, Purpose::Quota).draws(tick_base);
        let extra =
            if q < 1.0 { !cond.decide(Event::Throttle, || qd.uniform() >= q) } else { qd.uniform() < q.fract() };
        let allowed = q.floor() as u64 + u64::from(extra);
        if (allowance as u64) > allowed {
            out.counts.inc(Counter::Throttled);
            allowance = allowed as u32;
        }
    }
    let mut lat = Stream::of(env.key, Purpose::Latency).draws(tick_base);
    let jitter_stream = Stream::of(env.key, Purpose::Jitter);
    let mut send_at = t;
    for _ in 0..allowance {
        if !m.acked {
            // Unacknowledged: one transmission; the message leaves the buffer whatever happens.
            let k_sent = pop(dev, side);
            let created = dev.tick_time(m, jitter_stream, k_sent);
            if let Some((airtime, cycle, channels, sf)) = m.lora {
                // The firmware drops a frame the duty cycle does not allow yet; it never goes on air.
                if send_at < side.aux.next_lora_us {
                    out.counts.inc(Counter::LostDutyCycle);
                    out.note(send_at, TraceKind::Lost { tick: k_sent });
                    continue;
                }
                out.counts.inc(Counter::Attempts);
                dev.drain_battery(m.tx_mah, out.energy_mah);
                side.aux.next_lora_us = send_at + cycle;
                if link_down {
                    out.counts.inc(Counter::LostOutage);
                    out.note(send_at, TraceKind::Lost { tick: k_sent });
                } else {
                    // A frame the channel drops was still on air and still interferes.
                    let channel_lost = chan.bernoulli(loss);
                    if channel_lost {
                        out.counts.inc(Counter::LostAttempts);
                        out.note(send_at, TraceKind::Lost { tick: k_sent });
                    }
                    let channel = (chan.uniform() * channels as f64) as u32;
                    let latency_us = m.latency.sample_us(lat.uniform());
                    if !channel_lost {
                        // Traces do not resolve collisions on the shared medium (see `trace`).
                        let at = send_at + airtime + latency_us;
                        out.note(at, TraceKind::Delivered { tick: k_sent, created_us: created });
                    }
                    out.frames.push(Frame {
                        key: (env.gateway as u64) << 16 | (sf as u64) << 8 | channel as u64,
                        start_us: send_at,
                        end_us: send_at + airtime,
                        created_us: created,
                        extra_latency_us: latency_us,
                        class: env.class,
                        channel_lost,
                        collided: false,
                    });
                }
                send_at += airtime;
                continue;
            }
            out.counts.inc(Counter::Attempts);
            dev.drain_battery(m.tx_mah, out.energy_mah);
            if link_down {
                out.counts.inc(Counter::LostOutage);
                out.note(send_at, TraceKind::Lost { tick: k_sent });
            } else if cond.decide(Event::Loss, || chan.bernoulli(loss)) {
                out.counts.inc(Counter::LostAttempts);
                out.counts.inc(Counter::LostChannel);
                out.note(send_at, TraceKind::Lost { tick: k_sent });
            } else {
                out.counts.inc(Counter::Delivered);
                let latency = send_at.saturating_sub(created) + m.latency.sample_us(lat.uniform());
                out.latency.record(latency);
                out.note(created + latency, TraceKind::Delivered { tick: k_sent, created_us: created });
            }
            continue;
        }
        // Acknowledged: up to `attempts` tries with backoff; on failure the message stays.
        let mut delivered = false;
        for a in 0..m.attempts {
            out.counts.inc(Counter::Attempts);
            dev.drain_battery(m.tx_mah, out.energy_mah);
            if cond.decide(Event::Loss, || chan.bernoulli(loss)) {
                out.counts.inc(Counter::LostAttempts);
                if a + 1 < m.attempts {
                    let backoff = (m.backoff_base_us * 2f64.powi(a as i32)).min(m.backoff_cap_us) * chan.uniform();
                    send_at += backoff as u64;
                }
                continue;
            }
            delivered = true;
            break;
        }
        if !delivered {
            break;
        }
        let k_sent = pop(dev, side);
        let created = dev.tick_time(m, jitter_stream, k_sent);
        out.counts.inc(Counter::Delivered);
        let latency = send_at.saturating_sub(created) + m.latency.sample_us(lat.uniform());
        out.latency.record(latency);
        out.note(created + latency, TraceKind::Delivered { tick: k_sent, created_us: created });
    }
}

/// Applies a lifecycle action (see [`super::lifecycle`]) to the device at time `t`.
pub(crate) fn apply_action(
    dev: &mut Dev,
    side: &mut Side<'_>,
    action: super::lifecycle::ActionKind,
    t: u64,
    m: &ClassModel,
    out: &mut Sink<'_>,
    chunk_mah: f64,
) {
    use super::lifecycle::ActionKind;
    use crate::models::ota::Outcome;
    match action {
        ActionKind::Refuse { until_us } => {
            // Out of service, the device waits for its truck roll, whose technician also
            // re-provisions it.
            if !dev.is_out_of_service() {
                dev.wait_until_us = dev.wait_until_us.max(until_us);
            }
        }
        ActionKind::Update { outcome, chunks } => {
            if dev.is_out_of_service() || dev.flags & POWERED_OFF != 0 {
                out.counts.inc(Counter::OtaMissed);
                return;
            }
            out.counts.add(Counter::OtaChunks, chunks as u64);
            if m.battery.is_some() {
                dev.drain_battery(chunks as f64 * chunk_mah, out.energy_mah);
            }
            let reboots = match outcome {
                Outcome::Succeeded => 1,
                // The new image boots, fails, and the bootloader reverts.
                Outcome::RolledBack => 2,
                Outcome::DownloadFailed => 0,
                Outcome::Bricked => {
                    out.counts.inc(Counter::OtaBricked);
                    take_out_of_service(dev, side, m, t, out, FAILED);
                    return;
                }
            };
            if reboots > 0 {
                out.counts.add(Counter::Reboots, reboots);
                dev.flags |= REBOOTED;
                wipe_ram_buffer(dev, side, m, t, out);
            }
        }
    }
}

/// The random decisions of a quiet tick, in the order a tick makes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Fail = 0,
    Reboot = 1,
    Switch = 2,
    Throttle = 3,
    Loss = 4,
}

/// How a tick makes its random decisions. Normally each decision uses the tick's own stream.
/// After bulk stepping has skipped a run of quiet ticks, the next tick is known to have at least
/// one event; `Conditioned` then draws the decisions in order from their distribution given that
/// at least one of them happens (P(event i | none before, at least one from i on) =
/// p_i / (1 - prod_{j >= i} (1 - p_j))); once one has happened, the rest are drawn normally.
pub(crate) struct Conditioned {
    active: bool,
    next: usize,
    probs: [f64; 5],
    draws: crate::rng::Draws,
}

impl Conditioned {
    /// Plain stepping: every decision is drawn normally.
    pub(crate) fn off() -> Conditioned {
        Conditioned { active: false, next: 0, probs: [0.0; 5], draws: Stream::UNUSED.draws(0) }
    }

    /// The tick after a quiet run: `probs` are the quiet-path probabilities of each event.
    pub(crate) fn at_least_one(probs: [f64; 5], draws: crate::rng::Draws) -> Conditioned {
        Conditioned { active: true, next: 0, probs, draws }
    }

    /// Decides event `e`; `normal` draws it the usual way.
    #[inline(always)]
    pub(crate) fn decide(&mut self, e: Event, normal: impl FnOnce() -> bool) -> bool {
        let i = e as usize;
        if !self.active || i < self.next {
            return normal();
        }
        self.decide_conditioned(i)
    }

    #[cold]
    fn decide_conditioned(&mut self, i: usize) -> bool {
        self.next = i + 1;
        let none_from_here: f64 = self.probs[i..].iter().map(|p| 1.0 - p).product();
        let q = self.probs[i] / (1.0 - none_from_here);
        let hit = self.draws.uniform() < q;
        if hit {
            // An event happened: everything after it is unconditioned.
            self.active = false;
        }
        hit
    }
}

/// One Gilbert-Elliott transition from state `bad` with uniform draw `u`: good -> bad with
/// probability p, bad -> good with probability r. Returns the new state.
#[inline]
pub fn ge_step(bad: bool, u: f64, p: f64, r: f64) -> bool {
    if bad { u >= r } else { u < p }
}

/// Advances the device's own outage process to `t`; returns whether `t` is inside an outage.
pub(crate) fn advance_device_outage(o: &mut DevOutage, key: u64, t: u64, m: &ClassModel) -> bool {
    let Some((up, mean_down, dist)) = m.device_outage else {
        return false;
    };
    while t >= o.next_up_us {
        let mut d = Stream::of(key, Purpose::DeviceOutage).draws((o.n as u64) << 2);
        o.n += 1;
        let start = o.next_up_us as f64 + d.exponential(up) * US_PER_S as f64;
        let len = crate::models::renewal::draw_down_s(&mut d, mean_down, dist) * US_PER_S as f64;
        o.next_down_us = start as u64;
        o.next_up_us = ((start + len) as u64).max(o.next_down_us + 1);
    }
    t >= o.next_down_us
}

/// Moves past the sags up to `t` without drawing (the device is off or out of service).
fn skip_sags(side: &mut Side<'_>, env: &TickEnv<'_>, t: u64) {
    if !env.m.mains {
        return;
    }
    let mut sc = side.aux.sag_cursor as usize;
    while sc < env.sags.len() && env.sags[sc].0 <= t {
        sc += 1;
    }
    side.aux.sag_cursor = sc as u32;
}

/// Whether the device's link is unusable at `t` (its own outage, a shared outage, or still
/// reconnecting after one).
pub(crate) fn link_down_at(dev: &mut Dev, outage: &mut DevOutage, t: u64, env: &TickEnv<'_>) -> bool {
    let mut down = advance_device_outage(outage, env.key, t, env.m);
    let mut c = dev.link_cursor as usize;
    while c < env.link.len() && env.link[c].end_us <= t {
        // Every outage that ended since the last look holds the link until its storm is over.
        let iv = env.link[c];
        let delay = reconnect_delay(env, iv.storm, c as u64);
        dev.wait_until_us = dev.wait_until_us.max(iv.end_us + delay);
        c += 1;
    }
    dev.link_cursor = c as u32;
    down |= c < env.link.len() && env.link[c].start_us <= t;
    down || t < dev.wait_until_us
}

/// Reconnect delay after a shared outage of `storm` devices: each device waits a uniform share of
/// max(reconnect window, storm / broker connect rate) (a fluid model of the reconnect storm).
fn reconnect_delay(env: &TickEnv<'_>, storm: u32, which: u64) -> u64 {
    let u = Stream::of(env.key, Purpose::Reconnect).uniform_at(which);
    let drain_us = env.connects_per_s.map_or(0.0, |c| storm as f64 / c * US_PER_S as f64);
    (u * (env.reconnect_window_us as f64).max(drain_us)) as u64
}
