//! Battery life from average current (coulomb counting), the closed form the engine's battery
//! drain is checked against.

/// Hours until a battery of `capacity_mah` is empty at `avg_current_ma` plus self-discharge of
/// `self_discharge_pct_per_year` of the rated capacity.
pub fn life_hours(capacity_mah: f64, avg_current_ma: f64, self_discharge_pct_per_year: f64) -> f64 {
    let self_discharge_ma = capacity_mah * self_discharge_pct_per_year / 100.0 / 8760.0;
    capacity_mah / (avg_current_ma + self_discharge_ma)
}

/// Average current of a duty-cycled device, mA: sleep current plus active charge per period.
pub fn average_current_ma(sleep_ma: f64, active_mah_per_period: f64, period_s: f64) -> f64 {
    sleep_ma + active_mah_per_period * 3600.0 / period_s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digikey_style_life() {
        // 2600 mAh at 2 %/yr self-discharge is about 5.9 uA (domain-models.md 2.1).
        let h = life_hours(2600.0, 0.0, 2.0);
        assert!((2600.0 / h * 1000.0 - 5.94).abs() < 0.01);
        // 1000 mAh at 1 mA, no self-discharge: 1000 h.
        assert!((life_hours(1000.0, 1.0, 0.0) - 1000.0).abs() < 1e-9);
    }
}
