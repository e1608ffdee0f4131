//! Provisioning and rollout: when each device of a fleet comes online, and what onboarding it
//! cost. Devices are installed on a schedule (a number per week, in index order); each is then
//! onboarded by hand (technician minutes, a share of mistakes that need a second visit) or
//! enrols itself (zero-touch: a registry that accepts a limited number of enrolments per second,
//! and enrolment attempts that fail and are retried after a back-off).
//!
//! Deterministic: device i's draws come from its own stream (`Purpose::Provisioning`); the
//! registry queue is served in arrival order, ties broken by device index.

use crate::rng::{Purpose, Stream};
use crate::time::{US_PER_DAY, US_PER_S};

/// How devices are onboarded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Onboarding {
    /// A technician configures each device on site.
    Manual {
        /// Technician time per device, minutes.
        minutes_per_device: f64,
        /// Share of devices configured wrongly, found at the next daily check and redone
        /// (a second visit of the same length).
        error_rate: f64,
    },
    /// The device enrols itself with the registry (zero-touch).
    ZeroTouch {
        /// Enrolments the registry accepts per second (fleet-wide).
        registry_per_s: f64,
        /// Probability that one enrolment attempt fails (e.g. a certificate or network error).
        failure_rate: f64,
        /// Wait before a failed attempt is retried, seconds.
        retry_after_s: f64,
        /// Attempts before the device gives up and needs a visit.
        max_attempts: u32,
    },
}

/// A fleet's installation schedule and how its devices are onboarded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rollout {
    /// Devices to install, in index order.
    pub devices: u64,
    /// Devices installed per week (spread evenly over the week), from time 0.
    pub per_week: f64,
    /// How each installed device gets onboarded.
    pub onboarding: Onboarding,
    /// A zero-touch device that gave up is visited and online this long after it gave up
    /// (u64::MAX: never).
    pub revisit_after_us: u64,
}

/// The rollout of a fleet: when each device is online, and the totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RolloutResult {
    /// Time each device comes online, microseconds from the start (u64::MAX: never, it needs
    /// a visit); by device index.
    pub online_us: Vec<u64>,
    /// When the last device that comes online does (the fleet is complete).
    pub fleet_online_us: u64,
    /// Technician time for manual onboarding, minutes, second visits included (0 for zero-touch).
    pub technician_minutes: f64,
    /// Second visits (manual errors, zero-touch devices that gave up).
    pub revisits: u64,
    /// Enrolment attempts (zero-touch), retries included.
    pub enrolment_attempts: u64,
}

const US_PER_WEEK: f64 = 7.0 * US_PER_DAY as f64;

/// When device i is installed (u64::MAX, never, when that is beyond the range of time: a rate
/// of installs so low that times saturate).
pub fn install_us(r: &Rollout, i: u64) -> u64 {
    if r.per_week <= 0.0 {
        return 0;
    }
    (i as f64 * US_PER_WEEK / r.per_week) as u64
}

/// Simulates the rollout (device draws from `seed`).
pub fn rollout(r: &Rollout, seed: u64) -> RolloutResult {
    let mut out = RolloutResult { online_us: vec![u64::MAX; r.devices as usize], ..Default::default() };
    match r.onboarding {
        Onboarding::Manual { minutes_per_device, error_rate } => {
            for i in 0..r.devices {
                let t = install_us(r, i);
                let redo = Stream::new(seed, i, Purpose::Provisioning).uniform_at(0) < error_rate;
                out.technician_minutes += minutes_per_device * if redo { 2.0 } else { 1.0 };
                // A mistake is found at the next daily check and fixed that day.
                let work = (minutes_per_device * 60.0 * US_PER_S as f64) as u64;
                let online = if redo {
                    out.revisits += 1;
                    (t / US_PER_DAY + 1).saturating_mul(US_PER_DAY).saturating_add(work)
                } else {
                    t.saturating_add(work)
                };
                out.online_us[i as usize] = online;
            }
        }
        Onboarding::ZeroTouch { registry_per_s, failure_rate, retry_after_s, max_attempts } => {
            // Attempts are events (time, device, attempt number), served in order by a
            // registry that starts one enrolment every 1/rate seconds.
            let gap = (US_PER_S as f64 / registry_per_s.max(1e-9)) as u64;
            let retry = (retry_after_s * US_PER_S as f64) as u64;
            let mut queue: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u64, u32)>> =
                (0..r.devices).map(|i| std::cmp::Reverse((install_us(r, i), i, 0))).collect();
            let mut free_at = 0u64;
            while let Some(std::cmp::Reverse((t, i, k))) = queue.pop() {
                let start = t.max(free_at);
                free_at = start.saturating_add(gap);
                out.enrolment_attempts += 1;
                let failed = Stream::new(seed, i, Purpose::Provisioning).uniform_at(1 + k as u64) < failure_rate;
                if !failed {
                    out.online_us[i as usize] = free_at;
                } else if k + 1 < max_attempts.max(1) {
                    queue.push(std::cmp::Reverse((free_at.saturating_add(retry), i, k + 1)));
                } else {
                    out.revisits += 1;
                    out.online_us[i as usize] = free_at.saturating_add(r.revisit_after_us);
                }
            }
        }
    }
    out.fleet_online_us = out.online_us.iter().copied().filter(|&t| t != u64::MAX).max().unwrap_or(0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_of_500_a_week_brings_20000_online_in_40_weeks() {
        let r = Rollout {
            devices: 20_000,
            per_week: 500.0,
            onboarding: Onboarding::Manual { minutes_per_device: 20.0, error_rate: 0.0 },
            revisit_after_us: u64::MAX,
        };
        let out = rollout(&r, 1);
        // The last device is installed at 19,999/500 weeks and online 20 minutes later.
        let expect = (19_999.0 / 500.0 * US_PER_WEEK) as u64 + 20 * 60 * US_PER_S;
        assert_eq!(out.fleet_online_us, expect);
        assert_eq!(out.technician_minutes, 400_000.0);
    }

    #[test]
    fn manual_errors_cost_a_second_visit_at_the_error_rate() {
        let r = Rollout {
            devices: 40_000,
            per_week: 0.0,
            onboarding: Onboarding::Manual { minutes_per_device: 15.0, error_rate: 0.05 },
            revisit_after_us: u64::MAX,
        };
        let out = rollout(&r, 3);
        // Expected 2,000 revisits; binomial SD 43.6, so 4 SD = 175.
        assert!((out.revisits as f64 - 2_000.0).abs() < 175.0, "{}", out.revisits);
        assert_eq!(out.technician_minutes, 15.0 * (40_000 + out.revisits) as f64);
    }

    #[test]
    fn a_registry_rate_limit_queues_a_fleet_that_arrives_at_once() {
        // 20,000 devices at once through 10 enrolments/s, no failures: the last is online at
        // 20,000 / 10 = 2,000 s.
        let r = Rollout {
            devices: 20_000,
            per_week: 0.0,
            onboarding: Onboarding::ZeroTouch {
                registry_per_s: 10.0,
                failure_rate: 0.0,
                retry_after_s: 60.0,
                max_attempts: 3,
            },
            revisit_after_us: u64::MAX,
        };
        let out = rollout(&r, 1);
        assert_eq!(out.fleet_online_us, 2_000 * US_PER_S);
        assert_eq!(out.enrolment_attempts, 20_000);
        // With failures p, attempts per device are 1 + p + p^2 (3 attempts at most), and
        // p^3 of the devices give up.
        let p = 0.1;
        let r = Rollout {
            onboarding: Onboarding::ZeroTouch {
                registry_per_s: 10.0,
                failure_rate: p,
                retry_after_s: 60.0,
                max_attempts: 3,
            },
            ..r
        };
        let out = rollout(&r, 2);
        let expect = 20_000.0 * (1.0 + p + p * p);
        assert!((out.enrolment_attempts as f64 - expect).abs() < 0.01 * expect, "{}", out.enrolment_attempts);
        // 20 expected to give up; Poisson SD 4.5, 4 SD = 18.
        assert!((out.revisits as f64 - 20.0).abs() < 18.0, "{}", out.revisits);
        assert_eq!(out.online_us.iter().filter(|&&t| t == u64::MAX).count() as u64, out.revisits);
    }

    #[test]
    fn a_device_that_gave_up_is_online_after_the_visit() {
        let r = Rollout {
            devices: 100,
            per_week: 0.0,
            onboarding: Onboarding::ZeroTouch {
                registry_per_s: 1.0,
                failure_rate: 1.0,
                retry_after_s: 10.0,
                max_attempts: 1,
            },
            revisit_after_us: 3 * US_PER_DAY,
        };
        let out = rollout(&r, 1);
        assert_eq!(out.revisits, 100);
        // Device i's only attempt ends at (i + 1) s; the visit is 3 days later.
        for (i, &t) in out.online_us.iter().enumerate() {
            assert_eq!(t, (i as u64 + 1) * US_PER_S + 3 * US_PER_DAY);
        }
    }
}
