//! Bulk stepping: skipping quiet ticks, exactly in distribution.
//!
//! A tick is *quiet* when a device in service, with an empty buffer and a usable link, samples
//! one message and delivers it at the first attempt, with no failure, reboot, channel-state
//! switch, throttling or loss. On a quiet path each of those events is an independent Bernoulli
//! trial with a probability that stays constant until something else changes (an outage starts,
//! the battery crosses its low mark, the epoch ends). So the number of quiet ticks before the
//! first event is geometric: P(G >= g) = Q^g with Q the product of (1 - p_i). One draw gives G;
//! the G quiet ticks are applied at once (counts, a linear battery drain, one latency per
//! message), and the tick after them is stepped with its decisions drawn given that at least one
//! event happens ([`Conditioned`]). The result has the same distribution as stepping every tick,
//! which `tests/bulk_stepping.rs` checks over many seeds.
//!
//! The engine uses it wherever it applies (LoRa classes never: their frames must meet on the
//! medium one by one).

use super::counts::Counter;
use super::device::{self, ClassModel, DEAD, Dev, FAILED, GE_BAD, POWERED_OFF, Side, Sink, TickEnv};
use crate::rng::{Draws, Purpose, Stream};

/// What [`quiet_run`] found.
pub enum QuietRun {
    /// The device cannot skip here: step this tick normally.
    No,
    /// `skipped` quiet ticks were applied; if `then` is set, the next tick has at least one event
    /// and must be stepped with this conditioning.
    Skipped { skipped: u32, then: Option<([f64; 5], Draws)> },
}

/// The quiet-path probability of each event, in the order a tick decides them.
fn event_probs(dev: &Dev, m: &ClassModel) -> [f64; 5] {
    let p_reboot = match m.battery {
        Some(b) if dev.battery_mah - b.drain_per_tick_mah < b.low_mah => b.p_low_reboot,
        _ => m.p_reboot,
    };
    let (p_switch, p_loss) = match m.ge {
        None => (0.0, 0.0),
        Some((p, r, lg, lb)) => {
            if dev.flags & GE_BAD != 0 {
                (r, lb)
            } else {
                (p, lg)
            }
        }
    };
    let p_throttle = match m.publish_allowance {
        Some(q) if q < 1.0 => 1.0 - q,
        _ => 0.0,
    };
    [m.p_fail, p_reboot, p_switch, p_throttle, p_loss]
}

/// Tries to skip quiet ticks from tick `k` at time `t`; nothing beyond `limit_us` is touched.
pub fn quiet_run(
    dev: &mut Dev,
    side: &mut Side<'_>,
    k: u32,
    t: u64,
    env: &TickEnv<'_>,
    out: &mut Sink<'_>,
    limit_us: u64,
) -> QuietRun {
    let m = env.m;
    if m.lora.is_some() || dev.buffered != 0 || dev.flags & (DEAD | FAILED | POWERED_OFF) != 0 {
        return QuietRun::No;
    }
    // The first moment anything scheduled could happen: a shared outage, the device's own
    // outage, a mains cut or sag.
    let mut limit = limit_us;
    if device::link_down_at(dev, side.outage, t, env) {
        return QuietRun::No;
    }
    if let Some(iv) = env.link.get(dev.link_cursor as usize) {
        limit = limit.min(iv.start_us);
    }
    if m.device_outage.is_some() {
        limit = limit.min(side.outage.next_down_us);
    }
    if m.mains {
        let mut c = side.aux.mains_cursor as usize;
        while c < env.mains.len() && env.mains[c].end_us <= t {
            c += 1;
        }
        if let Some(iv) = env.mains.get(c) {
            if iv.start_us <= t {
                return QuietRun::No;
            }
            limit = limit.min(iv.start_us);
        }
        if let Some(&(at, _)) = env.sags.get(side.aux.sag_cursor as usize) {
            if at <= t {
                return QuietRun::No;
            }
            limit = limit.min(at);
        }
    }
    // Ticks whose latest possible time (with jitter) is before the limit.
    let phase_us = ((dev.phase as u128 * m.period_us as u128) >> 32) as u64;
    let Some(room) = limit.checked_sub(m.jitter_us + phase_us + 1) else { return QuietRun::No };
    let last_tick = room / m.period_us; // ticks 0..=last_tick end before the limit
    if last_tick < k as u64 {
        return QuietRun::No;
    }
    let mut n_max = (last_tick - k as u64 + 1).min(u32::MAX as u64 / 2) as u32;
    // Battery: every tick of the run must start charged, draw without clamping, and stay on one
    // side of the low-battery mark.
    let per_tick = m.battery.map_or(0.0, |b| b.drain_per_tick_mah + m.tx_mah);
    if let Some(b) = m.battery {
        let charge = dev.battery_mah;
        // Truncation is floor for these non-negative ratios, without a libm call.
        let mut fits = ((charge / per_tick) as u64) as f64 - 1.0;
        if charge - b.drain_per_tick_mah >= b.low_mah {
            fits = fits.min((((charge - b.drain_per_tick_mah - b.low_mah) / per_tick) as u64) as f64 - 1.0);
        }
        if fits < 1.0 {
            return QuietRun::No;
        }
        n_max = n_max.min(fits.min(u32::MAX as f64 / 2.0) as u32);
    }
    if n_max == 0 {
        return QuietRun::No;
    }

    let probs = event_probs(dev, m);
    let quiet: f64 = probs.iter().map(|p| 1.0 - p).product();
    if quiet <= 0.0 {
        return QuietRun::No;
    }
    let mut draws = Stream::of(env.key, Purpose::Bulk).draws((k as u64) << 4);
    // G ~ Geometric: quiet ticks before the first event.
    let g = if quiet >= 1.0 { u64::MAX } else { (draws.uniform_open0().ln() / quiet.ln()) as u64 };
    let skipped = g.min(n_max as u64) as u32;

    if skipped > 0 {
        let n = skipped as u64;
        out.counts.add(Counter::Ticks, n);
        out.counts.add(Counter::Generated, n);
        out.counts.add(Counter::Delivered, n);
        out.counts.add(Counter::Attempts, n);
        if m.battery.is_some() {
            let used = per_tick * n as f64;
            dev.battery_mah -= used;
            *out.energy_mah += used;
        }
        // Each message is delivered in its own tick: its latency is the network's alone.
        let mut lat = Stream::of(env.key, Purpose::Latency).draws((k as u64) << 12);
        m.latency.record_many(n, out.latency, &mut lat);
    }
    let then = (g < n_max as u64).then(|| {
        let k_event = k as u64 + skipped as u64;
        (probs, Stream::of(env.key, Purpose::Bulk).draws((k_event << 4) | 1))
    });
    QuietRun::Skipped { skipped, then }
}
