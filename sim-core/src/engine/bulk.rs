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
use super::device::{self, ClassModel, DEAD, Dev, FAILED, GE_BAD, LINK_DOWN, POWERED_OFF, Side, Sink, TickEnv};
use crate::rng::{Draws, Purpose, Stream, tick_base};

/// Draws reserved in the bulk stream per step, as a shift: a bulk step from tick `k` uses
/// counter `k << BULK_DRAWS_SHIFT` for its geometric draw and `(k' << BULK_DRAWS_SHIFT) | 1 ..`
/// for the conditioned tick `k'` after the quiet run.
const BULK_DRAWS_SHIFT: u32 = 4;

/// What [`quiet_run`] found.
pub(crate) enum QuietRun {
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
pub(crate) fn quiet_run(
    dev: &mut Dev,
    side: &mut Side<'_>,
    k: u32,
    t: u64,
    env: &TickEnv<'_>,
    out: &mut Sink<'_>,
    limit_us: u64,
) -> QuietRun {
    let m = env.m;
    if m.lora.is_some() || dev.flags & (DEAD | FAILED | POWERED_OFF) != 0 {
        return QuietRun::No;
    }
    // A backlog with a link that worked last tick (e.g. throttled): nothing to skip.
    if dev.buffered != 0 && dev.flags & LINK_DOWN == 0 {
        return QuietRun::No;
    }
    // The first moment anything scheduled could happen: a mains cut or sag, a shared outage, the
    // device's own outage.
    let mut limit = limit_us;
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
    if device::link_down_at(dev, side.outage, t, env) {
        return if m.acked { outage_run(dev, side, k, t, env, out, limit) } else { QuietRun::No };
    }
    if dev.buffered != 0 {
        return QuietRun::No;
    }
    if let Some(iv) = env.link.get(dev.link_cursor as usize) {
        limit = limit.min(iv.start_us);
    }
    if m.device_outage.is_some() {
        limit = limit.min(side.outage.next_down_us);
    }
    let Some(mut n_max) = ticks_before(dev, m, k, limit) else { return QuietRun::No };
    let per_tick = m.battery.map_or(0.0, |b| b.drain_per_tick_mah + m.tx_mah);
    let Some(fits) = battery_ticks(dev, m, per_tick) else { return QuietRun::No };
    n_max = n_max.min(fits);
    if n_max == 0 {
        return QuietRun::No;
    }

    let probs = event_probs(dev, m);
    let quiet: f64 = probs.iter().map(|p| 1.0 - p).product();
    if quiet <= 0.0 {
        return QuietRun::No;
    }
    let mut draws = Stream::of(env.key, Purpose::Bulk).draws((k as u64) << BULK_DRAWS_SHIFT);
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
        let mut lat = Stream::of(env.key, Purpose::Latency).draws(tick_base(k));
        m.latency.record_many(n, out.latency, &mut lat);
    }
    let then = (g < n_max as u64).then(|| {
        let k_event = k as u64 + skipped as u64;
        (probs, Stream::of(env.key, Purpose::Bulk).draws((k_event << BULK_DRAWS_SHIFT) | 1))
    });
    QuietRun::Skipped { skipped, then }
}

/// How many ticks from `k` on certainly happen before `limit` (their latest time, jitter
/// included); None if not even tick `k` does.
fn ticks_before(dev: &Dev, m: &ClassModel, k: u32, limit: u64) -> Option<u32> {
    let phase_us = ((dev.phase as u128 * m.period_us as u128) >> 32) as u64;
    let room = limit.checked_sub(m.jitter_us + phase_us + 1)?;
    let last_tick = room / m.period_us; // ticks 0..=last_tick end before the limit
    (last_tick >= k as u64).then(|| (last_tick - k as u64 + 1).min(u32::MAX as u64 / 2) as u32)
}

/// Battery: how many ticks drawing `per_tick` each can run so that every one starts charged,
/// draws without clamping and stays on one side of the low-battery mark. None when not even
/// one; u32::MAX / 2 for mains classes.
fn battery_ticks(dev: &Dev, m: &ClassModel, per_tick: f64) -> Option<u32> {
    let Some(b) = m.battery else { return Some(u32::MAX / 2) };
    if per_tick <= 0.0 {
        return Some(u32::MAX / 2);
    }
    let charge = dev.battery_mah;
    // Truncation is floor for these non-negative ratios, without a libm call.
    let mut fits = ((charge / per_tick) as u64) as f64 - 1.0;
    if charge - b.drain_per_tick_mah >= b.low_mah {
        fits = fits.min((((charge - b.drain_per_tick_mah - b.low_mah) / per_tick) as u64) as f64 - 1.0);
    }
    (fits >= 1.0).then(|| fits.min(u32::MAX as f64 / 2.0) as u32)
}

/// A run of outage ticks of an acknowledged class: each samples into the buffer (overflowing as
/// the policy says) and sends nothing. The only events are a hardware failure and a reboot; the
/// Gilbert-Elliott state, which nobody observes while the link is down, is drawn at the end
/// from its n-step distribution, P(bad) = pi + (s0 - pi)(1 - p - r)^n.
fn outage_run(
    dev: &mut Dev,
    side: &mut Side<'_>,
    k: u32,
    t: u64,
    env: &TickEnv<'_>,
    out: &mut Sink<'_>,
    limit: u64,
) -> QuietRun {
    let m = env.m;
    // The run stops at the first moment the link could come back.
    let mut limit = limit;
    if m.device_outage.is_some() && t >= side.outage.next_down_us {
        limit = limit.min(side.outage.next_up_us);
    }
    if let Some(iv) = env.link.get(dev.link_cursor as usize)
        && iv.start_us <= t
    {
        limit = limit.min(iv.end_us);
    }
    if t < dev.wait_until_us {
        limit = limit.min(dev.wait_until_us);
    }
    let Some(n_time) = ticks_before(dev, m, k, limit) else { return QuietRun::No };
    let drain = m.battery.map_or(0.0, |b| b.drain_per_tick_mah);
    let Some(fits) = battery_ticks(dev, m, drain) else { return QuietRun::No };
    let n_max = n_time.min(fits);
    if n_max == 0 {
        return QuietRun::No;
    }
    let full = event_probs(dev, m);
    let probs = [full[0], full[1], 0.0, 0.0, 0.0];
    let quiet = (1.0 - probs[0]) * (1.0 - probs[1]);
    if quiet <= 0.0 {
        return QuietRun::No;
    }
    let mut draws = Stream::of(env.key, Purpose::Bulk).draws((k as u64) << BULK_DRAWS_SHIFT);
    let g = if quiet >= 1.0 { u64::MAX } else { (draws.uniform_open0().ln() / quiet.ln()) as u64 };
    let skipped = g.min(n_max as u64) as u32;
    if skipped > 0 {
        let n = skipped as u64;
        out.counts.add(Counter::Ticks, n);
        out.counts.add(Counter::Generated, n);
        out.counts.add(Counter::OutageTicks, n);
        for j in 0..skipped {
            if device::sample_into_buffer(dev, side, m, k + j).is_some() {
                out.counts.inc(Counter::DroppedOverflow);
            }
        }
        if m.battery.is_some() {
            let used = drain * n as f64;
            dev.battery_mah -= used;
            *out.energy_mah += used;
        }
        if let Some((p, r, ..)) = m.ge {
            let pi = p / (p + r);
            let s0 = if dev.flags & GE_BAD != 0 { 1.0 } else { 0.0 };
            let p_bad = pi + (s0 - pi) * (1.0 - p - r).powi(skipped.min(i32::MAX as u32) as i32);
            let u = Stream::of(env.key, Purpose::Bulk).uniform_at(((k as u64) << 4) | 6);
            if u < p_bad {
                dev.flags |= GE_BAD;
            } else {
                dev.flags &= !GE_BAD;
            }
        }
    }
    let then = (g < n_max as u64).then(|| {
        let k_event = k as u64 + skipped as u64;
        (probs, Stream::of(env.key, Purpose::Bulk).draws((k_event << BULK_DRAWS_SHIFT) | 1))
    });
    QuietRun::Skipped { skipped, then }
}
