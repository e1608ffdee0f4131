//! The business case: dated price books (`book`), and the bill a run's own usage comes to over
//! the scenario's horizon (`bill`).
//!
//! Money is an integer number of millionths of the price book's currency ([`Money`]); every line
//! of a bill is rounded once, half up, from exact integer arithmetic, and sums are integer sums.
//! Floats appear only where the model itself is continuous (discount factors, extrapolation of
//! a run's rates to the horizon), and each such product is rounded to `Money` before it is added.

pub mod bill;
pub mod book;
mod book_read;
pub mod crossover;
pub mod schema;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use bill::{BillInput, CostSummary, bill};
pub use book::{PriceBook, PriceBookSource, parse_price_book};

/// Millionths of the currency unit per unit.
pub const MICROS: i64 = 1_000_000;

/// An amount of money in millionths of the price book's currency (micro-dollars for USD).
/// Serialized as a number of currency units (display only; arithmetic stays integer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    /// Zero money.
    pub const ZERO: Money = Money(0);

    /// `units` whole currency units.
    pub fn from_units(units: i64) -> Money {
        Money(units * MICROS)
    }
    /// `x` currency units, rounded to the nearest millionth (for model quantities that are
    /// continuous, such as a discounted amount).
    pub fn from_f64_units(x: f64) -> Money {
        Money((x * MICROS as f64).round() as i64)
    }
    /// The amount in currency units, as a float (for display and continuous models).
    pub fn units_f64(self) -> f64 {
        self.0 as f64 / MICROS as f64
    }
    /// `self` times `n`, exactly.
    pub fn times(self, n: u64) -> Money {
        Money(i64::try_from(self.0 as i128 * n as i128).unwrap_or(i64::MAX))
    }
    /// `self` times `num / den`, rounded half up (exact integer arithmetic).
    pub fn scaled(self, num: u64, den: u64) -> Money {
        Money(div_round(self.0 as i128 * num as i128, den as i128))
    }
    /// Rounded to whole cents (how invoices are stated).
    pub fn to_cents(self) -> Money {
        Money(div_round(self.0 as i128, 10_000) * 10_000)
    }
}

/// `n / d` rounded half away from zero, saturating to i64.
pub(crate) fn div_round(n: i128, d: i128) -> i64 {
    assert!(d > 0, "a price is never metered per zero units");
    let q = if n >= 0 { (n + d / 2) / d } else { (n - d / 2) / d };
    i64::try_from(q).unwrap_or(if q > 0 { i64::MAX } else { i64::MIN })
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}
impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 = self.0.saturating_add(o.0);
    }
}
impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }
}
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(it: I) -> Money {
        it.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    /// Whole cents with thousands separators: `1,234.57`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = div_round(self.0 as i128, 10_000);
        let (sign, cents) = if cents < 0 { ("-", -(cents as i128)) } else { ("", cents as i128) };
        let grouped = crate::text::thousands((cents / 100) as u64);
        write!(f, "{sign}{grouped}.{:02}", cents % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.units_f64())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        f64::deserialize(d).map(Money::from_f64_units)
    }
}

/// Parses a decimal amount written in a price book (`0.0195`, `2`, `1_000.5`, `2.5e-3`) into
/// millionths exactly; more than six decimal places is an error rather than a silent rounding.
pub fn parse_decimal_micros(text: &str) -> Result<i64, String> {
    let t: String = text.trim().chars().filter(|c| *c != '_').collect();
    if t.contains(['e', 'E']) {
        let x: f64 = t.parse().map_err(|_| format!("{text} is not a number"))?;
        let micros = (x * MICROS as f64).round();
        if ((micros / MICROS as f64) - x).abs() > 1e-12 * x.abs().max(1.0) {
            return Err(format!("{text} has more precision than millionths of the currency"));
        }
        return Ok(micros as i64);
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, t.trim_start_matches('+').to_string()),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty() || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(format!("{text} is not a decimal number"));
    }
    if frac.len() > 6 {
        return Err(format!("{text} has more than six decimal places (prices are kept in millionths)"));
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| format!("{text} is too large"))? };
    let frac_micros: i64 = format!("{frac:0<6}").parse().unwrap_or(0);
    let v = whole.checked_mul(MICROS).and_then(|w| w.checked_add(frac_micros)).ok_or(format!("{text} is too large"))?;
    Ok(if neg { -v } else { v })
}

/// Checks that every item a scenario's cost plan names exists in the price book. Returns
/// (field path in the scenario, message) for each problem.
pub fn check_plan(s: &crate::scenario::Scenario, book: &PriceBook) -> Vec<(String, String)> {
    let Some(plan) = &s.cost else { return Vec::new() };
    let mut out = Vec::new();
    let mut check = |path: String, name: &str, kind: &str, names: Vec<&str>| {
        if !names.contains(&name) {
            let hint = match crate::diagnostic::did_you_mean(name, names.iter().copied()) {
                Some(m) => format!(" (did you mean \"{m}\"?)"),
                None => format!(" (the book has: {})", names.join(", ")),
            };
            out.push((path, format!("price book `{}` has no {kind} \"{name}\"{hint}", book.id)));
        }
    };
    let platforms: Vec<&str> = book.platforms.iter().map(|p| p.name.as_str()).collect();
    let conns: Vec<&str> = book.connectivity.iter().map(|p| p.name.as_str()).collect();
    let storage: Vec<&str> = book.storage.iter().map(|p| p.name.as_str()).collect();
    let hardware: Vec<&str> = book.hardware.iter().map(|p| p.name.as_str()).collect();
    check("cost.platform".into(), &plan.platform, "platform", platforms.clone());
    check("cost.connectivity".into(), &plan.connectivity, "connectivity plan", conns.clone());
    if let Some(st) = &plan.storage {
        check("cost.storage".into(), st, "storage", storage);
    }
    for (i, h) in plan.device_hardware.iter().enumerate() {
        if let Some(h) = h {
            check(format!("cost.device_hardware.{}", s.classes[i].name), h, "hardware item", hardware.clone());
        }
    }
    if let Some(h) = &plan.gateway_hardware {
        check("cost.gateway_hardware".into(), h, "hardware item", hardware.clone());
    }
    for (i, h) in plan.battery_hardware.iter().enumerate() {
        if let Some(h) = h {
            check(format!("cost.battery_hardware.{}", s.powers[i].name), h, "hardware item", hardware.clone());
        }
    }
    for p in &plan.alternatives.platforms {
        check("cost.alternatives.platform".into(), p, "platform", platforms.clone());
    }
    for c in &plan.alternatives.connectivity {
        check("cost.alternatives.connectivity".into(), c, "connectivity plan", conns.clone());
    }
    for (i, c) in s.classes.iter().enumerate() {
        if plan.device_hardware[i].is_none() {
            out.push((
                format!("cost.device_hardware.{}", c.name),
                format!("no hardware item for device class `{}`: add it to cost.device_hardware", c.name),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal_micros("0.0195"), Ok(19_500));
        assert_eq!(parse_decimal_micros("2"), Ok(2_000_000));
        assert_eq!(parse_decimal_micros("1_000.5"), Ok(1_000_500_000));
        assert_eq!(parse_decimal_micros("2.5e-3"), Ok(2_500));
        assert_eq!(parse_decimal_micros("0.0011"), Ok(1_100));
        assert!(parse_decimal_micros("0.0000001").is_err());
        assert!(parse_decimal_micros("abc").is_err());
    }

    #[test]
    fn rounding_and_display() {
        // $0.08 per million connection-minutes, 2,250,000 minutes -> $0.18 exactly.
        assert_eq!(Money(80_000).scaled(2_250_000, 1_000_000), Money(180_000));
        // Half up.
        assert_eq!(Money(1).scaled(1, 2), Money(1));
        assert_eq!(Money(1_234_567_891).to_string(), "1,234.57");
        assert_eq!(Money(-5_000).to_string(), "-0.01");
        assert_eq!(Money(0).to_string(), "0.00");
    }
}
