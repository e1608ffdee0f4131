//! Counter-based random numbers: every draw is a pure function of
//! (seed, entity, purpose, counter). No generator state is stored per device, adding a device never
//! shifts another device's numbers, and any draw can be recomputed (e.g. a tick's jitter).
//!
//! A stream's draws are exactly the SplitMix64 sequence (Steele, Lea, Flood 2014) started at a key
//! mixed from (seed, entity, purpose); the code is in-tree, so its output never changes with a
//! dependency update.

/// What a random stream is used for. The numeric values are part of the determinism contract:
/// changing one changes every result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// A device's initial state: tick phase and initial battery charge.
    Init = 1,
    /// Per-tick jitter of the report time.
    Jitter = 2,
    /// The link channel: Gilbert-Elliott transitions and per-attempt losses.
    Channel = 3,
    /// Device faults: reboots, sag resets, hardware failures.
    Fault = 4,
    /// A device's own outage process (device-scope outages).
    DeviceOutage = 5,
    /// Outage processes shared by the devices of a gateway or a site.
    SharedOutage = 6,
    /// One-way latency of delivered messages.
    Latency = 7,
    /// Spread of reconnects after a shared outage.
    Reconnect = 8,
    /// Reserved for LoRa; no code draws from it at present.
    Lora = 9,
    /// Mains interruptions and sags at a site.
    Mains = 10,
    /// Backend publish quota: which messages a rate limit lets through.
    Quota = 11,
    /// Seeds of replications after the first.
    Replication = 12,
    /// Bulk stepping: lengths of quiet runs and the conditioned tick after one.
    Bulk = 13,
    /// Firmware-update campaigns: a device's download, install and boot.
    Ota = 14,
    /// Provisioning: onboarding mistakes and enrolment failures.
    Provisioning = 15,
    /// Identity: certificate renewals.
    Identity = 16,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of one entity (a device, a gateway, ...) under `seed`; its streams derive from it.
#[inline]
pub fn entity_key(seed: u64, entity: u64) -> u64 {
    mix64(mix64(seed ^ 0x5CA1_E9F0_0F5E_ED00).wrapping_add(entity))
}

/// The key of one stream.
#[inline]
pub fn stream_key(seed: u64, entity: u64, purpose: Purpose) -> u64 {
    purpose_key(entity_key(seed, entity), purpose)
}

#[inline]
fn purpose_key(entity_key: u64, purpose: Purpose) -> u64 {
    mix64(entity_key ^ (purpose as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93))
}

/// Draws per tick reserved in each device stream, as a shift: tick `k` owns counters
/// `k << DRAWS_PER_TICK_SHIFT ..` (4,096 draws), so ticks never share a draw; validation refuses a
/// class whose tick could need more.
pub const DRAWS_PER_TICK_SHIFT: u32 = 12;

/// The first counter of tick `k`'s draws in a device stream.
#[inline]
pub fn tick_base(k: u32) -> u64 {
    (k as u64) << DRAWS_PER_TICK_SHIFT
}

/// One random stream: draws are indexed by a counter, so a caller may address them directly
/// (`at(tick_base(tick) | i)`) or walk them sequentially with a [`Draws`] cursor.
#[derive(Clone, Copy, Debug)]
pub struct Stream {
    key: u64,
}

impl Stream {
    /// A placeholder stream (key 0) for code paths that will not draw from it.
    pub const UNUSED: Stream = Stream { key: 0 };
    /// The stream of `purpose` for entity `entity` under `seed`.
    #[inline]
    pub fn new(seed: u64, entity: u64, purpose: Purpose) -> Self {
        Stream { key: stream_key(seed, entity, purpose) }
    }
    /// The same stream as `new(seed, entity, purpose)`, from a precomputed [`entity_key`].
    #[inline]
    pub fn of(entity_key: u64, purpose: Purpose) -> Self {
        Stream { key: purpose_key(entity_key, purpose) }
    }
    /// The raw 64-bit draw number `counter`.
    #[inline]
    pub fn u64_at(self, counter: u64) -> u64 {
        mix64(self.key.wrapping_add(counter.wrapping_add(1).wrapping_mul(GOLDEN)))
    }
    /// A uniform draw in [0, 1) with 53 bits of precision.
    #[inline]
    pub fn uniform_at(self, counter: u64) -> f64 {
        (self.u64_at(counter) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// A cursor over draws `base, base+1, ...`.
    #[inline]
    pub fn draws(self, base: u64) -> Draws {
        Draws { stream: self, next: base }
    }
}

/// A sequential cursor over one stream.
#[derive(Clone, Copy, Debug)]
pub struct Draws {
    stream: Stream,
    next: u64,
}

impl Draws {
    /// A uniform draw in [0, 1); advances the cursor by one.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        let u = self.stream.uniform_at(self.next);
        self.next += 1;
        u
    }
    /// Uniform in (0, 1]: safe for logarithms.
    #[inline]
    pub fn uniform_open0(&mut self) -> f64 {
        1.0 - self.uniform()
    }
    /// True with probability `p` (one draw).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
    /// Exponential with the given mean.
    #[inline]
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform_open0().ln()
    }
    /// Standard normal (Box-Muller; uses two draws).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform_open0();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    /// Lognormal with the given median and log-space standard deviation.
    #[inline]
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
    /// The counter of the next draw.
    pub fn position(&self) -> u64 {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_is_uniform() {
        // Chi-square over 64 bins with 640,000 draws; the 99.9 % critical value for 63 degrees of
        // freedom is 103.4.
        let mut d = Stream::new(7, 3, Purpose::Channel).draws(0);
        let mut bins = [0u32; 64];
        let n = 640_000;
        for _ in 0..n {
            bins[(d.uniform() * 64.0) as usize] += 1;
        }
        let expected = n as f64 / 64.0;
        let chi2: f64 = bins.iter().map(|&b| (b as f64 - expected).powi(2) / expected).sum();
        assert!(chi2 < 103.4, "chi2 = {chi2}");
    }

    #[test]
    fn streams_are_independent_of_each_other() {
        let a = Stream::new(1, 10, Purpose::Channel);
        let b = Stream::new(1, 11, Purpose::Channel);
        let c = Stream::new(1, 10, Purpose::Fault);
        let same = (0..1000).filter(|&i| a.u64_at(i) == b.u64_at(i) || a.u64_at(i) == c.u64_at(i)).count();
        assert_eq!(same, 0);
        // Correlation between neighbouring devices' uniforms is near zero.
        let n = 100_000;
        let (mut sxy, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for i in 0..n {
            let x = a.uniform_at(i);
            let y = b.uniform_at(i);
            sxy += x * y;
            sx += x;
            sy += y;
        }
        let cov = sxy / n as f64 - (sx / n as f64) * (sy / n as f64);
        assert!(cov.abs() < 0.001, "cov = {cov}");
    }

    #[test]
    fn keyed_streams_match() {
        let a = Stream::new(5, 77, Purpose::Latency);
        let b = Stream::of(entity_key(5, 77), Purpose::Latency);
        assert_eq!(a.u64_at(3), b.u64_at(3));
    }

    #[test]
    fn exponential_mean() {
        let mut d = Stream::new(9, 0, Purpose::DeviceOutage).draws(0);
        let n = 200_000;
        let mean: f64 = (0..n).map(|_| d.exponential(5.0)).sum::<f64>() / n as f64;
        // Standard error 5/sqrt(n) = 0.011; allow 4 standard errors.
        assert!((mean - 5.0).abs() < 0.045, "mean = {mean}");
    }
}
