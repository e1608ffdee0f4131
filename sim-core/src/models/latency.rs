//! One-way latency: none, fixed, or lognormal given by its median and 99th percentile, sampled by
//! inverse transform from one uniform draw (a quantile table in the body, exact in the tails).

use crate::scenario::Latency;

/// Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
pub fn inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.383_577_518_672_69e2,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let p_low = 0.02425;
    if p < p_low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - p_low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

const TABLE: usize = 4096;

/// Samples latencies in microseconds from uniform draws.
#[derive(Clone, Debug)]
pub enum LatencySampler {
    /// No latency: every sample is 0.
    None,
    /// The same latency every time, µs.
    Fixed(u64),
    /// Lognormal latency given by its median and 99th percentile; samples are capped at one day.
    LogNormal {
        /// Median latency, µs.
        median_us: f64,
        /// Standard deviation of ln(latency): ln(p99 / median) / 2.3263.
        sigma: f64,
        /// Latency at quantiles i/4096 for i in 0..=4096, µs, interpolated between entries.
        table: Vec<f64>,
    },
}

impl LatencySampler {
    /// The sampler for a scenario's latency model (precomputes the lognormal quantile table).
    pub fn new(l: &Latency) -> LatencySampler {
        match *l {
            Latency::None => LatencySampler::None,
            Latency::Fixed(d) => LatencySampler::Fixed(d.0),
            Latency::LogNormal { median, p99 } => {
                let median_us = median.0 as f64;
                // p99 = median * exp(2.3263 sigma)
                let sigma = (p99.0 as f64 / median_us).ln() / inverse_normal_cdf(0.99);
                let table = (0..=TABLE)
                    .map(|i| median_us * (sigma * inverse_normal_cdf(i as f64 / TABLE as f64)).exp())
                    .collect();
                LatencySampler::LogNormal { median_us, sigma, table }
            }
        }
    }

    /// The latency at quantile `u` in [0, 1).
    #[inline]
    pub fn sample_us(&self, u: f64) -> u64 {
        match self {
            LatencySampler::None => 0,
            LatencySampler::Fixed(v) => *v,
            LatencySampler::LogNormal { median_us, sigma, table } => {
                let x = u * TABLE as f64;
                let i = x as usize;
                let v = if i == 0 || i + 1 >= TABLE {
                    median_us * (sigma * inverse_normal_cdf(u)).exp()
                } else {
                    let f = x - i as f64;
                    table[i] + (table[i + 1] - table[i]) * f
                };
                v.min(crate::time::US_PER_DAY as f64) as u64
            }
        }
    }
}

impl LatencySampler {
    /// Records `n` independent latencies (drawn from `draws`) into `stats`.
    pub fn record_many(&self, n: u64, stats: &mut crate::engine::counts::LatencyStats, draws: &mut crate::rng::Draws) {
        match self {
            LatencySampler::None => stats.record_n(0, n),
            LatencySampler::Fixed(v) => stats.record_n(*v, n),
            LatencySampler::LogNormal { .. } => {
                for _ in 0..n {
                    stats.record(self.sample_us(draws.uniform()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    #[test]
    fn inverse_normal_known_points() {
        assert!(inverse_normal_cdf(0.5).abs() < 1e-9);
        assert!((inverse_normal_cdf(0.975) - 1.959964).abs() < 1e-6);
        assert!((inverse_normal_cdf(0.01) + 2.326348).abs() < 1e-6);
    }

    #[test]
    fn lognormal_quantiles_match_parameters() {
        let s = LatencySampler::new(&Latency::LogNormal { median: SimDuration(400_000), p99: SimDuration(6_200_000) });
        assert!((s.sample_us(0.5) as f64 - 400_000.0).abs() < 2.0);
        assert!((s.sample_us(0.99) as f64 / 6_200_000.0 - 1.0).abs() < 1e-3);
    }
}
