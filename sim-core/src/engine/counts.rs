//! Integer counters and the latency histogram. Sums of integers are exact in any order, which is
//! what keeps results identical for any thread count.

/// Every counter the engine keeps, per device class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Counter {
    /// Messages sampled (one per tick of a working device).
    Generated,
    /// Messages that reached the backend.
    Delivered,
    /// Unacknowledged message dropped by the channel (Gilbert-Elliott loss).
    LostChannel,
    /// Unacknowledged message sent while the link was down.
    LostOutage,
    /// LoRa frame destroyed by an overlapping frame on the same gateway, channel and SF.
    LostCollision,
    /// LoRa frame not sent because the regional duty-cycle limit had not elapsed.
    LostDutyCycle,
    /// Messages dropped because the buffer was full (oldest or newest, by the overflow policy).
    DroppedOverflow,
    /// Buffered messages lost when a RAM buffer was wiped by a reboot or power cut.
    DroppedReboot,
    /// Buffered messages stranded when the device died or failed.
    StrandedDead,
    /// Device reboots: firmware crashes, low-battery brownouts, sag resets, firmware updates.
    Reboots,
    /// Devices whose battery ran flat.
    Deaths,
    /// Devices taken out of service by a hardware failure.
    HardwareFailures,
    /// Field visits that brought an out-of-service device back.
    TruckRolls,
    /// Truck rolls that replaced a flat battery.
    BatteryReplacements,
    /// Device ticks processed (device-steps).
    Ticks,
    /// Ticks at which the link was down (outage or reconnecting).
    OutageTicks,
    /// Ticks a mains device spent without power.
    PoweredOffTicks,
    /// Transmission attempts (each costs radio energy).
    Attempts,
    /// Attempts lost by the channel (acknowledged mode: the message stays buffered).
    LostAttempts,
    /// Device ticks at which the broker's publish quota held back part of the flush.
    Throttled,
    /// Firmware chunks downloaded (retransmissions included).
    OtaChunks,
    /// Devices a firmware update bricked (out of service until a truck roll).
    OtaBricked,
    /// Firmware updates that found their device out of service or without power.
    OtaMissed,
}

impl Counter {
    /// Number of counters (the length of [`Counts`]).
    pub const COUNT: usize = Counter::OtaMissed as usize + 1;
}

/// One value per [`Counter`], indexed by `Counter as usize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts(pub [u64; Counter::COUNT]);

impl Default for Counts {
    fn default() -> Self {
        Counts([0; Counter::COUNT])
    }
}

impl Counts {
    /// Adds `n` to counter `c`.
    #[inline]
    pub fn add(&mut self, c: Counter, n: u64) {
        self.0[c as usize] += n;
    }
    /// Adds one to counter `c`.
    #[inline]
    pub fn inc(&mut self, c: Counter) {
        self.0[c as usize] += 1;
    }
    /// The value of counter `c`.
    #[inline]
    pub fn get(&self, c: Counter) -> u64 {
        self.0[c as usize]
    }
    /// Adds every counter of `other` to this one.
    pub fn merge(&mut self, other: &Counts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }
    /// Messages lost by the network, every cause together.
    pub fn lost_network(&self) -> u64 {
        self.get(Counter::LostChannel)
            + self.get(Counter::LostOutage)
            + self.get(Counter::LostCollision)
            + self.get(Counter::LostDutyCycle)
    }
    /// Messages lost for good: in the network, dropped by full buffers or reboots, stranded in
    /// dead devices (`Messages` less the delivered and the still buffered).
    pub fn lost(&self) -> u64 {
        self.lost_network()
            + self.get(Counter::DroppedOverflow)
            + self.get(Counter::DroppedReboot)
            + self.get(Counter::StrandedDead)
    }
}

/// Each doubling of latency (in microseconds) is split into 32 equal bins, so a percentile taken
/// at a bin's midpoint is within 1/64 (1.6 %) of the exact value. Values below 64 us share bins
/// exactly (one microsecond each).
const SUB_BITS: u32 = 5;
const SUB: usize = 1 << SUB_BITS;
pub(crate) const LATENCY_BINS: usize = 64 * SUB;

/// Latency of delivered messages: exact count, sum and maximum, percentiles from log-spaced bins
/// (bin 0 is below 1 ms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatencyStats {
    /// Messages recorded.
    pub count: u64,
    /// Sum of their latencies, microseconds.
    pub sum_us: u128,
    /// Largest latency recorded, microseconds.
    pub max_us: u64,
    /// Message counts per latency bin: 2,048 bins, 32 per doubling of the latency.
    pub bins: Vec<u64>,
}

impl Default for LatencyStats {
    fn default() -> Self {
        LatencyStats { count: 0, sum_us: 0, max_us: 0, bins: vec![0; LATENCY_BINS] }
    }
}

impl LatencyStats {
    /// Records one message with latency `latency_us` (microseconds).
    #[inline]
    pub fn record(&mut self, latency_us: u64) {
        self.count += 1;
        self.sum_us += latency_us as u128;
        self.max_us = self.max_us.max(latency_us);
        self.bins[bin_of(latency_us)] += 1;
    }
    /// Records `n` messages with the same latency.
    #[inline]
    pub fn record_n(&mut self, latency_us: u64, n: u64) {
        if n == 0 {
            return;
        }
        self.count += n;
        self.sum_us += latency_us as u128 * n as u128;
        self.max_us = self.max_us.max(latency_us);
        self.bins[bin_of(latency_us)] += n;
    }

    /// Adds `o`'s messages to these.
    pub fn merge(&mut self, o: &LatencyStats) {
        self.count += o.count;
        self.sum_us += o.sum_us;
        self.max_us = self.max_us.max(o.max_us);
        for (a, b) in self.bins.iter_mut().zip(&o.bins) {
            *a += b;
        }
    }
    /// Mean latency in seconds (0 when nothing was recorded).
    pub fn mean_s(&self) -> f64 {
        if self.count == 0 { 0.0 } else { self.sum_us as f64 / self.count as f64 / 1e6 }
    }
    /// The q-quantile in seconds (bin midpoint in log space, capped at the exact maximum).
    pub fn quantile_s(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (b, &n) in self.bins.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let (lo, width) = bin_range(b);
                let us = lo as f64 + (width as f64 - 1.0) / 2.0;
                return us.min(self.max_us as f64) / 1e6;
            }
        }
        self.max_us as f64 / 1e6
    }
}

/// HDR-histogram style binning: the octave from the leading bit, then the next 5 bits.
#[inline]
fn bin_of(us: u64) -> usize {
    if us < (2 * SUB) as u64 {
        return us as usize;
    }
    let e = 63 - us.leading_zeros(); // us in [2^e, 2^(e+1)), e >= SUB_BITS + 1
    let sub = (us >> (e - SUB_BITS)) as usize & (SUB - 1);
    ((e - SUB_BITS) as usize) * SUB + SUB + sub
}

/// The first value of bin `b` and how many values it holds.
fn bin_range(b: usize) -> (u64, u64) {
    if b < 2 * SUB {
        return (b as u64, 1);
    }
    let e = (b / SUB - 1) as u32 + SUB_BITS; // inverse of bin_of
    let sub = (b % SUB) as u64;
    let width = 1u64 << (e - SUB_BITS);
    ((1u64 << e) + sub * width, width)
}

/// Bins of the projected battery-life histogram: 30 log-spaced bins from 30 days to 30,000
/// days (bin i starts at 30 x 10^(i/10) days); shorter lives fall in bin 0, longer in the last.
pub const LIFE_BINS: usize = 30;

pub(crate) fn life_bin(days: f64) -> usize {
    if days.is_nan() || days <= 30.0 {
        return 0;
    }
    ((10.0 * (days / 30.0).log10()).floor() as usize).min(LIFE_BINS - 1)
}

/// The lower edge of life bin `i`, days.
pub fn life_bin_start_days(i: usize) -> f64 {
    30.0 * 10f64.powf(i as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_bin_resolution() {
        let mut s = LatencyStats::default();
        for ms in 1..=1000u64 {
            s.record(ms * 1000);
        }
        for (q, exact) in [(0.5, 0.5), (0.95, 0.95), (0.99, 0.99)] {
            let got = s.quantile_s(q);
            assert!((got / exact - 1.0).abs() < 0.016, "q{q}: {got} vs {exact}");
        }
        // Every value falls in the bin that claims it.
        for us in [0u64, 1, 63, 64, 65, 1000, 123_456, u64::MAX / 2] {
            let (lo, w) = bin_range(bin_of(us));
            assert!(lo <= us && us - lo < w, "{us}");
        }
        assert_eq!(s.max_us, 1_000_000);
        assert!((s.mean_s() - 0.5005).abs() < 1e-9);
    }
}
