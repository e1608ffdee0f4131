//! Gilbert-Elliott burst loss (NTIA `gilbert-elliot-model` conventions: p = P(G->B),
//! r = P(B->G), per-state loss probabilities).

/// Stationary probability of the bad state: p / (p + r).
pub fn stationary_bad(p: f64, r: f64) -> f64 {
    p / (p + r)
}

/// Mean loss rate: ((1-k) r + (1-h) p) / (p + r), with loss_good = 1-k, loss_bad = 1-h.
pub fn mean_loss(p: f64, r: f64, loss_good: f64, loss_bad: f64) -> f64 {
    (loss_good * r + loss_bad * p) / (p + r)
}

/// Expected loss-burst length (NTIA `model_error_statistics`, L1).
pub fn mean_burst_length(p: f64, r: f64, loss_good: f64, loss_bad: f64) -> f64 {
    let (k, h) = (1.0 - loss_good, 1.0 - loss_bad);
    let num = (1.0 - k) * r + (1.0 - h) * p;
    let den = (1.0 - k) * r * ((1.0 - p) * k + p * h) + (1.0 - h) * p * ((1.0 - r) * h + r * k);
    num / den
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_gilbert_reduces_to_textbook_forms() {
        // k = 1, h = 0: xbar = p/(p+r), burst = 1/r.
        let (p, r) = (0.01, 0.2);
        assert!((mean_loss(p, r, 0.0, 1.0) - p / (p + r)).abs() < 1e-12);
        assert!((mean_burst_length(p, r, 0.0, 1.0) - 1.0 / r).abs() < 1e-12);
    }

    #[test]
    fn reference_table_rows() {
        // domain-models.md 1.1: Wi-Fi 0.99 %, LoRaWAN 5.7 %, satellite 16.7 %.
        assert!((mean_loss(0.005, 0.5, 0.0, 1.0) - 0.0099).abs() < 1e-4);
        assert!((mean_loss(0.02, 0.33, 0.0, 1.0) - 0.057).abs() < 1e-3);
        assert!((mean_loss(0.01, 0.05, 0.0, 1.0) - 0.1667).abs() < 1e-3);
    }
}
