//! Device identity: certificate expiry and rotation, the blast radius of a leaked credential,
//! and what TLS handshakes cost on every reconnect.
//!
//! A device's certificate is issued when it comes online and lasts `lifetime`. Without rotation
//! the device drops offline at expiry (the broker refuses it); with rotation it renews
//! `renew_before` the expiry, and a failed renewal is retried every `retry_every` until expiry.
//! Handshake sizes follow domain-models section 4.3 (MQTT over TLS adds about 5-7 kB per full
//! handshake \[E\]; session resumption makes it far smaller).
//!
//! Every loop here advances simulated time: a renewal moves the expiry later by at least
//! `lifetime - renew_before` (validation requires `renew_before < lifetime` and at most
//! [`MAX_CERTIFICATE_CYCLES`] such steps per run; a renewal that would not move it ends the chain,
//! see [`life`]), and retries advance by `retry_every` (at least 1 us).

use crate::rng::{Purpose, Stream};

/// Certificate cycles (from an issue or renewal to the next) one device may go through in a run:
/// `duration / (lifetime - renew_before)` with rotation, `duration / lifetime` without (see
/// [`cycles`]). Validation rejects scenarios above it; [`life`] and the lifecycle plan also stop
/// after this many, which never binds for a validated scenario.
pub const MAX_CERTIFICATE_CYCLES: u64 = 1_000;

/// A device certificate policy: how long a certificate lasts and how it is rotated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Certificates {
    /// How long a certificate is valid from issue or renewal, µs.
    pub lifetime_us: u64,
    /// None: never rotated, the device drops offline at expiry.
    pub rotation: Option<Rotation>,
}

/// How a device renews its certificate before it expires.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rotation {
    /// How long before expiry the device starts renewing, µs; less than the lifetime.
    pub renew_before_us: u64,
    /// Time between renewal attempts after a failure, µs (at least 1).
    pub retry_every_us: u64,
    /// Probability that one renewal attempt fails.
    pub failure_rate: f64,
}

/// When a device whose certificate was issued at `issued_us` drops offline for an expired
/// certificate, before `horizon_us` (None if it stays online). Renewal draws come from the
/// device's own stream (`Purpose::Identity`).
pub fn offline_at(c: &Certificates, issued_us: u64, horizon_us: u64, seed: u64, device: u64) -> Option<u64> {
    life(c, issued_us, horizon_us, seed, device).offline_at_us
}

/// Certificate cycles per device over `duration_us`, rounded up: how often a certificate must be
/// renewed (rotation) or re-issued (without) over the run at most. u64::MAX when a renewal would
/// not extend the certificate (`renew_before >= lifetime`, or a zero lifetime).
pub fn cycles(c: &Certificates, duration_us: u64) -> u64 {
    let step = match c.rotation {
        Some(r) => c.lifetime_us.saturating_sub(r.renew_before_us),
        None => c.lifetime_us,
    };
    if step == 0 { u64::MAX } else { duration_us.div_ceil(step) }
}

/// Certificate expiries one device can have over `duration_us` at worst: each chain of
/// certificates lasts at least one lifetime, so at most `duration / lifetime` (every renewal
/// failing).
pub fn max_expiries(c: &Certificates, duration_us: u64) -> u64 {
    duration_us.checked_div(c.lifetime_us).unwrap_or(u64::MAX)
}

/// One certificate chain of a device until it expires unrenewed or the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Life {
    /// When the device drops offline for an expired certificate, µs; None if it stays online.
    pub offline_at_us: Option<u64>,
    /// Certificates renewed before the horizon.
    pub renewals: u64,
}

/// Like [`offline_at`], also counting renewals.
///
/// Terminates by construction: each pass of the outer loop either returns or renews, and a
/// renewal must move the expiry strictly later, else the chain ends as if the device renewed for
/// ever (it stays online to the horizon; validation rejects `renew_before >= lifetime`, the only
/// way to get there). After [`MAX_CERTIFICATE_CYCLES`] renewals the chain also ends online (never
/// reached by a validated scenario: renewals are at least `lifetime - renew_before` apart). The
/// retry loop advances by `retry_every` (at least 1 us) up to the expiry; when every attempt
/// fails for certain (`failure_rate >= 1`) it is skipped, with the same result.
pub fn life(c: &Certificates, issued_us: u64, horizon_us: u64, seed: u64, device: u64) -> Life {
    let mut expiry = issued_us.saturating_add(c.lifetime_us);
    let mut renewals = 0;
    let Some(r) = c.rotation else {
        return Life { offline_at_us: (expiry < horizon_us).then_some(expiry), renewals };
    };
    let stream = Stream::new(seed, device, Purpose::Identity);
    let mut k = 0u64;
    while renewals < MAX_CERTIFICATE_CYCLES {
        // Attempts from renew_before ahead of expiry, every retry_every, until expiry.
        let mut t = expiry.saturating_sub(r.renew_before_us);
        if t >= horizon_us {
            return Life { offline_at_us: None, renewals };
        }
        let mut renewed = false;
        while t < expiry && t < horizon_us && r.failure_rate < 1.0 {
            k += 1;
            if stream.uniform_at(k) >= r.failure_rate {
                renewed = true;
                break;
            }
            t = t.saturating_add(r.retry_every_us.max(1));
        }
        if !renewed {
            return Life { offline_at_us: (expiry < horizon_us).then_some(expiry), renewals };
        }
        renewals += 1;
        // The new certificate runs from the renewal; one that would not outlast the old one
        // means renewing without end: the device stays online.
        let renewed_expiry = t.saturating_add(c.lifetime_us);
        if renewed_expiry <= expiry {
            return Life { offline_at_us: None, renewals };
        }
        expiry = renewed_expiry;
    }
    Life { offline_at_us: None, renewals }
}

/// Devices a leaked credential exposes: every device that shares it, or the one that held it.
pub fn blast_radius(shared: bool, devices: u64) -> u64 {
    if shared { devices } else { devices.min(1) }
}

/// Bytes and radio time of TLS handshakes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Handshake {
    /// A full handshake (certificate chain, key exchange), bytes both ways.
    pub full_bytes: u64,
    /// A resumed session, bytes.
    pub resumed_bytes: u64,
    /// Share of reconnects that can resume.
    pub resumption_share: f64,
}

impl Handshake {
    /// Expected bytes over `reconnects` reconnects.
    pub fn bytes(&self, reconnects: u64) -> f64 {
        reconnects as f64
            * (self.resumption_share * self.resumed_bytes as f64
                + (1.0 - self.resumption_share) * self.full_bytes as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::US_PER_DAY;

    const YEAR: u64 = 365 * US_PER_DAY;

    #[test]
    fn expiry_without_rotation_takes_exactly_the_expected_devices_offline_on_time() {
        // 1,000 devices come online one a day; one-year certificates; a 500-day horizon. The
        // devices online before day 135 (500 - 365) expire inside it: exactly 135, each at
        // its day + 365.
        let c = Certificates { lifetime_us: YEAR, rotation: None };
        let horizon = 500 * US_PER_DAY;
        let offline: Vec<(u64, u64)> =
            (0..1_000).filter_map(|i| offline_at(&c, i * US_PER_DAY, horizon, 1, i).map(|t| (i, t))).collect();
        assert_eq!(offline.len(), 135);
        assert!(offline.iter().all(|&(i, t)| t == i * US_PER_DAY + YEAR));
    }

    #[test]
    fn rotation_keeps_devices_online_unless_every_retry_fails() {
        // Renew 30 days ahead, retry daily: a device drops only if 30 attempts in a row fail.
        let r = Rotation { renew_before_us: 30 * US_PER_DAY, retry_every_us: US_PER_DAY, failure_rate: 0.5 };
        let c = Certificates { lifetime_us: YEAR, rotation: Some(r) };
        let n = 2_000;
        let dropped = (0..n).filter(|&i| offline_at(&c, 0, 3 * YEAR, 9, i).is_some()).count();
        // P(drop) per renewal = 0.5^30, about 1e-9: none of 2,000 devices over 3 renewals.
        assert_eq!(dropped, 0);
        let always = Certificates { rotation: Some(Rotation { failure_rate: 1.0, ..r }), ..c };
        assert_eq!(offline_at(&always, 0, 3 * YEAR, 9, 0), Some(YEAR));
    }

    #[test]
    fn renewing_before_issue_ends_instead_of_spinning() {
        // renew_before >= lifetime: the first renewal is due at (or before) issue, and the new
        // certificate would expire no later than the old one. Before, this looped for ever. Each
        // call now does at most one renewal pass: bounded by construction, so no timer is needed.
        for (lifetime, renew) in
            [(29 * US_PER_DAY, 30 * US_PER_DAY), (US_PER_DAY, 14 * US_PER_DAY), (US_PER_DAY, US_PER_DAY)]
        {
            let r = Rotation { renew_before_us: renew, retry_every_us: US_PER_DAY, failure_rate: 0.0 };
            let c = Certificates { lifetime_us: lifetime, rotation: Some(r) };
            let l = life(&c, 0, 5 * YEAR, 1, 0);
            assert_eq!(l, Life { offline_at_us: None, renewals: 1 });
            assert_eq!(cycles(&c, 5 * YEAR), u64::MAX);
        }
        // A zero lifetime without rotation expires at issue: no loop at all.
        let c = Certificates { lifetime_us: 0, rotation: None };
        assert_eq!(life(&c, 5, 100, 1, 0).offline_at_us, Some(5));
        assert_eq!(max_expiries(&c, 100), u64::MAX);
    }

    #[test]
    fn renewals_are_capped_at_the_cycle_limit() {
        // One microsecond between renewals over a day: 86.4e9 renewals uncapped; the cap stops
        // the chain after MAX_CERTIFICATE_CYCLES, online (validation never lets this happen).
        let r = Rotation { renew_before_us: US_PER_DAY - 1, retry_every_us: 1, failure_rate: 0.0 };
        let c = Certificates { lifetime_us: US_PER_DAY, rotation: Some(r) };
        assert_eq!(cycles(&c, US_PER_DAY), US_PER_DAY);
        assert_eq!(life(&c, 0, US_PER_DAY, 1, 0), Life { offline_at_us: None, renewals: MAX_CERTIFICATE_CYCLES });
        // A renewal that always fails: no attempt is drawn, the chain ends at the first expiry.
        let never = Certificates { rotation: Some(Rotation { failure_rate: 1.0, ..r }), ..c };
        assert_eq!(life(&never, 0, 3 * US_PER_DAY, 1, 0), Life { offline_at_us: Some(US_PER_DAY), renewals: 0 });
    }

    #[test]
    fn cycles_and_expiries_per_run() {
        let r = Rotation { renew_before_us: 30 * US_PER_DAY, retry_every_us: US_PER_DAY, failure_rate: 0.01 };
        let rotated = Certificates { lifetime_us: YEAR, rotation: Some(r) };
        // 5 years at 335 days a cycle: 5.45, so 6 cycles; at most 5 expiries.
        assert_eq!(cycles(&rotated, 5 * YEAR), 6);
        assert_eq!(max_expiries(&rotated, 5 * YEAR), 5);
        let daily = Certificates { lifetime_us: US_PER_DAY, rotation: None };
        assert_eq!(cycles(&daily, 5 * YEAR), 5 * 365);
    }

    #[test]
    fn a_shared_credential_exposes_the_whole_fleet() {
        assert_eq!(blast_radius(true, 20_000), 20_000);
        assert_eq!(blast_radius(false, 20_000), 1);
        let h = Handshake { full_bytes: 6_000, resumed_bytes: 400, resumption_share: 0.75 };
        assert_eq!(h.bytes(1_000), 1_000.0 * (0.75 * 400.0 + 0.25 * 6_000.0));
    }
}
