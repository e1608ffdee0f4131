//! Alternating renewal processes for outages: up ~ Exp(mean_up), down ~ Exp or lognormal with
//! mean `mean_down`; the process starts up at t = 0.

use crate::rng::Draws;
use crate::scenario::DownTime;

/// Long-run fraction of time down: mean_down / (mean_up + mean_down).
pub fn outage_fraction(mean_up_s: f64, mean_down_s: f64) -> f64 {
    mean_down_s / (mean_up_s + mean_down_s)
}

/// Draws one outage duration in seconds.
pub fn draw_down_s(d: &mut Draws, mean_down_s: f64, dist: DownTime) -> f64 {
    match dist {
        DownTime::Exponential => d.exponential(mean_down_s),
        DownTime::LogNormal { sigma } => {
            // Keep the mean: median = mean / exp(sigma^2 / 2).
            let median = mean_down_s / (sigma * sigma / 2.0).exp();
            d.lognormal(median, sigma)
        }
    }
}
