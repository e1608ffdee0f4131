//! Device identity: certificate expiry and rotation, the blast radius of a leaked credential,
//! and what TLS handshakes cost on every reconnect.
//!
//! A device's certificate is issued when it comes online and lasts `lifetime`. Without rotation
//! the device drops offline at expiry (the broker refuses it); with rotation it renews
//! `renew_before` the expiry, and a failed renewal is retried every `retry_every` until expiry.
//! Handshake sizes follow domain-models section 4.3 (MQTT over TLS adds about 5-7 kB per full
//! handshake [E]; session resumption makes it far smaller).

use crate::rng::{Purpose, Stream};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Certificates {
    pub lifetime_us: u64,
    /// None: never rotated, the device drops offline at expiry.
    pub rotation: Option<Rotation>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rotation {
    pub renew_before_us: u64,
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

/// One certificate chain of a device until it expires unrenewed or the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Life {
    pub offline_at_us: Option<u64>,
    /// Certificates renewed before the horizon.
    pub renewals: u64,
}

/// Like [`offline_at`], also counting renewals.
pub fn life(c: &Certificates, issued_us: u64, horizon_us: u64, seed: u64, device: u64) -> Life {
    let mut expiry = issued_us.saturating_add(c.lifetime_us);
    let mut renewals = 0;
    let Some(r) = c.rotation else {
        return Life { offline_at_us: (expiry < horizon_us).then_some(expiry), renewals };
    };
    let stream = Stream::new(seed, device, Purpose::Identity);
    let mut k = 0u64;
    loop {
        // Attempts from renew_before ahead of expiry, every retry_every, until expiry.
        let mut t = expiry.saturating_sub(r.renew_before_us);
        if t >= horizon_us {
            return Life { offline_at_us: None, renewals };
        }
        let mut renewed = false;
        while t < expiry && t < horizon_us {
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
        // The new certificate runs from the renewal.
        expiry = t.saturating_add(c.lifetime_us);
    }
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
    fn a_shared_credential_exposes_the_whole_fleet() {
        assert_eq!(blast_radius(true, 20_000), 20_000);
        assert_eq!(blast_radius(false, 20_000), 1);
        let h = Handshake { full_bytes: 6_000, resumed_bytes: 400, resumption_share: 0.75 };
        assert_eq!(h.bytes(1_000), 1_000.0 * (0.75 * 400.0 + 0.25 * 6_000.0));
    }
}
