//! Number, duration and percentage formatting shared by every front end: the terminal tables,
//! the HTML reports and the verdict's sentences all say a quantity the same way.

/// 1234567 -> "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `x` with `places` decimals and thousands separators: `decimal(9834505.237, 2)` ->
/// "9,834,505.24". Non-finite values read "n/a".
pub fn decimal(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = format!("{:.*}", places, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let grouped = int.parse::<u64>().map_or_else(|_| int.to_string(), thousands);
    // "-0.00" reads "0.00".
    let negative = x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") }
}

/// A ratio (0..1) as a percentage: `percent(0.997912, 2)` -> "99.79 %".
pub fn percent(ratio: f64, places: usize) -> String {
    format!("{} %", decimal(ratio * 100.0, places))
}

/// A difference of two ratios in percentage points, signed: `points(-0.0123, 2)` -> "-1.23 pp".
pub fn points(delta_ratio: f64, places: usize) -> String {
    let v = delta_ratio * 100.0;
    let sign = if v > 0.0 && decimal(v, places) != decimal(0.0, places) { "+" } else { "" };
    format!("{sign}{} pp", decimal(v, places))
}

/// A signed amount with separators: `signed(1234.5, 2)` -> "+1,234.50".
pub fn signed(x: f64, places: usize) -> String {
    let d = decimal(x, places);
    if x > 0.0 && d != decimal(0.0, places) { format!("+{d}") } else { d }
}

/// Seconds in the unit a reader takes in at a glance: "422 ms", "4.4 s", "6.5 min", "16.6 h",
/// "3.2 days", "419 days", "1.1 years". The one duration formatter of the product.
pub fn duration_s(s: f64) -> String {
    const MIN: f64 = 60.0;
    const HOUR: f64 = 3_600.0;
    const DAY: f64 = 86_400.0;
    const YEAR: f64 = 365.25 * DAY;
    if s.is_nan() {
        return "n/a".into();
    }
    if s.is_infinite() {
        return "never".into();
    }
    let a = s.abs();
    if a < 1.0 {
        if a < 0.01 { format!("{:.1} ms", s * 1e3) } else { format!("{:.0} ms", s * 1e3) }
    } else if a < 120.0 {
        format!("{s:.1} s")
    } else if a < 2.0 * HOUR {
        format!("{:.1} min", s / MIN)
    } else if a < 2.0 * DAY {
        format!("{:.1} h", s / HOUR)
    } else if a < 10.0 * DAY {
        format!("{:.1} days", s / DAY)
    } else if a < YEAR {
        format!("{} days", decimal(s / DAY, 0))
    } else {
        format!("{:.1} years", s / YEAR)
    }
}

/// A simulated time as days and a clock (`12d 09:30`), as scenario files write event times.
pub fn sim_clock(s: f64) -> String {
    let m = (s.max(0.0) / 60.0).floor() as u64;
    format!("{}d {:02}:{:02}", m / 1440, m / 60 % 24, m % 60)
}

/// "1 device", "2 devices": the count with separators and the noun in the right number.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn decimals_and_signs() {
        assert_eq!(decimal(9_834_505.237, 2), "9,834,505.24");
        assert_eq!(decimal(-1234.5, 1), "-1,234.5");
        assert_eq!(decimal(-0.001, 2), "0.00");
        assert_eq!(decimal(12.0, 0), "12");
        assert_eq!(decimal(f64::NAN, 2), "n/a");
        assert_eq!(percent(0.997912, 2), "99.79 %");
        assert_eq!(points(-0.0123, 2), "-1.23 pp");
        assert_eq!(points(0.0001, 2), "+0.01 pp");
        assert_eq!(points(0.0, 2), "0.00 pp");
        assert_eq!(signed(1234.5, 2), "+1,234.50");
    }

    #[test]
    fn one_duration_formatter() {
        let check = |s: f64, want: &str| assert_eq!(duration_s(s), want, "{s} s");
        check(0.422, "422 ms");
        check(0.0004, "0.4 ms");
        check(4.4, "4.4 s");
        check(390.0, "6.5 min");
        check(16.6 * 3600.0, "16.6 h");
        check(3.2 * 86_400.0, "3.2 days");
        check(419.4 * 86_400.0, "1.1 years");
        check(300.0 * 86_400.0, "300 days");
        check(3.0 * 365.25 * 86_400.0, "3.0 years");
        check(f64::INFINITY, "never");
    }

    #[test]
    fn plurals() {
        assert_eq!(count(1, "device", "devices"), "1 device");
        assert_eq!(count(20_000, "device", "devices"), "20,000 devices");
        assert_eq!(count(0, "outage", "outages"), "0 outages");
    }
}
