//! Simulation time: integer microseconds (`SimTime`, `SimDuration`) and the duration syntax of
//! scenario files (`"90s"`, `"1d12h"`, `"400ms"`, `"12d 10:00"`).

use std::fmt;

/// Microseconds per unit, for readability.
pub const US_PER_MS: u64 = 1_000;
/// Microseconds per second.
pub const US_PER_S: u64 = 1_000_000;
/// Microseconds per minute.
pub const US_PER_MIN: u64 = 60 * US_PER_S;
/// Microseconds per hour.
pub const US_PER_H: u64 = 60 * US_PER_MIN;
/// Microseconds per day.
pub const US_PER_DAY: u64 = 24 * US_PER_H;
/// Microseconds per year of 365 days (no leap days).
pub const US_PER_YEAR: u64 = 365 * US_PER_DAY;

/// A point in simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);
    /// `s` whole seconds.
    pub fn from_secs(s: u64) -> Self {
        SimDuration(s * US_PER_S)
    }
    /// `s` seconds, rounded to the nearest microsecond; negative values become zero.
    pub fn from_secs_f64(s: f64) -> Self {
        SimDuration((s * US_PER_S as f64).round().max(0.0) as u64)
    }
    /// The length in microseconds.
    pub fn as_micros(self) -> u64 {
        self.0
    }
    /// The length in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / US_PER_S as f64
    }
    /// The length in hours.
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / US_PER_H as f64
    }
}

impl SimTime {
    /// Seconds since the start of the run.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / US_PER_S as f64
    }
}

impl std::ops::Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl fmt::Display for SimDuration {
    /// Formats with the largest units that keep it exact: `1d12h`, `90s`, `400ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut us = self.0;
        if us == 0 {
            return f.write_str("0s");
        }
        for (unit, name) in
            [(US_PER_DAY, "d"), (US_PER_H, "h"), (US_PER_MIN, "min"), (US_PER_S, "s"), (US_PER_MS, "ms"), (1, "us")]
        {
            if us >= unit {
                write!(f, "{}{}", us / unit, name)?;
                us %= unit;
            }
        }
        Ok(())
    }
}

/// The units of a duration, as messages list them.
pub const DURATION_UNITS: &str = "us, ms, s, m or min, h, d, w, y";

/// Parses a duration: one or more `<number><unit>` terms, optionally separated by spaces, with
/// units `us` (or `µs`), `ms`, `s` (or `sec`), `min` (or `m`), `h`, `d`, `w`, `y` (365 days); a
/// trailing `HH:MM[:SS]` clock part is allowed (`"12d 10:00"`). Numbers may have a fraction
/// (`"2.5h"`). A duration written in words (`"2 minutes"`) is refused with what it means
/// (`did you mean "2min"?`).
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    parse_terms(text).map_err(|e| match suggest_duration(text) {
        Some(s) => format!("{text:?} is not a duration (did you mean {s:?}?)"),
        None => e,
    })
}

/// `text` written as a duration, when it is one in words or with spaces before its units:
/// `"2 minutes"` -> `"2min"`, `"1 hour 30 mins"` -> `"1h30min"`.
pub fn suggest_duration(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text.trim();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if let Some(r) = rest.strip_prefix("and ") {
            rest = r;
            continue;
        }
        if rest.is_empty() {
            break;
        }
        if parse_clock(rest).is_some() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(rest);
            break;
        }
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        out.push_str(&rest[..num_len]);
        rest = rest[num_len..].trim_start();
        let unit_len = rest.find(|c: char| !(c.is_alphabetic() || c == 'µ')).unwrap_or(rest.len());
        let word = &rest[..unit_len];
        rest = &rest[unit_len..];
        // `M` may mean months: no guess.
        if word == "M" {
            return None;
        }
        out.push_str(match word.to_lowercase().as_str() {
            "us" | "µs" | "usec" | "usecs" | "microsecond" | "microseconds" => "us",
            "ms" | "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" => "ms",
            "s" | "sec" | "secs" | "second" | "seconds" => "s",
            "m" | "min" | "mins" | "minute" | "minutes" => "min",
            "h" | "hr" | "hrs" | "hour" | "hours" => "h",
            "d" | "day" | "days" => "d",
            "w" | "wk" | "wks" | "week" | "weeks" => "w",
            "y" | "yr" | "yrs" | "year" | "years" => "y",
            _ => return None,
        });
    }
    (out != text.trim() && parse_terms(&out).is_ok()).then_some(out)
}

fn parse_terms(text: &str) -> Result<SimDuration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    let mut total: u128 = 0;
    let mut rest = s;
    let mut terms = 0;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        // A clock part `HH:MM[:SS]` ends the string.
        if let Some(clock) = parse_clock(rest) {
            total += clock as u128;
            terms += 1;
            break;
        }
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("expected a number in {text:?}"));
        }
        let number: f64 = rest[..num_len]
            .replace('_', "")
            .parse()
            .map_err(|_| format!("bad number {:?} in {text:?}", &rest[..num_len]))?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| !(c.is_ascii_alphabetic() || c == 'µ')).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale = match unit {
            "us" | "µs" => 1,
            "ms" => US_PER_MS,
            "s" | "sec" => US_PER_S,
            "m" | "min" => US_PER_MIN,
            "h" => US_PER_H,
            "d" => US_PER_DAY,
            "w" => 7 * US_PER_DAY,
            "y" => US_PER_YEAR,
            "" => {
                return Err(format!("missing unit after {number} in {text:?} (units: {DURATION_UNITS})"));
            }
            other => {
                return Err(format!("unknown unit {other:?} in {text:?} (units: {DURATION_UNITS})"));
            }
        };
        let us = number * scale as f64;
        if !us.is_finite() || us > 1e20 {
            return Err(format!("duration {text:?} is too large"));
        }
        total += us.round() as u128;
        terms += 1;
    }
    if terms == 0 {
        return Err(format!("no duration in {text:?}"));
    }
    u64::try_from(total).map(SimDuration).map_err(|_| format!("duration {text:?} is too large"))
}

fn parse_clock(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let h: u64 = parts[0].parse().ok()?;
    let m: u64 = parts[1].parse().ok()?;
    let sec: u64 = parts.get(2).map_or(Some(0), |p| p.parse().ok())?;
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(h * US_PER_H + m * US_PER_MIN + sec * US_PER_S)
}

/// The calendar time of simulated time 0 when a scenario names none (`scenario.start`):
/// 2026-01-01T00:00:00Z, in milliseconds since the Unix epoch. An assumption \[E\]: any fixed
/// date keeps exports deterministic; the run's wall-clock time would not.
pub const DEFAULT_START_MS: i64 = 1_767_225_600_000;

/// The earliest and latest calendar starts a scenario may name (1970-01-01 and
/// 9000-01-01, UTC), so that the start plus the longest duration stays a four-digit year.
pub const MIN_START_MS: i64 = 0;
/// The latest calendar start a scenario may name (9000-01-01T00:00:00Z), ms since the Unix epoch.
pub const MAX_START_MS: i64 = 221_845_392_000_000;

/// Days from 1970-01-01 to the civil date `y-m-d` (proleptic Gregorian; Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an RFC 3339 date-time (`2026-01-01T00:00:00Z`, `2026-03-29T02:30:00.250+02:00`) into
/// milliseconds since the Unix epoch, UTC. Fractions finer than a millisecond are refused rather
/// than rounded; leap seconds are refused.
pub fn parse_rfc3339_ms(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not an RFC 3339 date-time such as \"2026-01-01T00:00:00Z\"");
    let b = text.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        let s = b.get(r).ok_or_else(bad)?;
        if s.iter().all(u8::is_ascii_digit) {
            Ok(s.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0')))
        } else {
            Err(bad())
        }
    };
    let sep = |i: usize, allowed: &[u8]| -> Result<(), String> {
        if b.get(i).is_some_and(|c| allowed.contains(c)) { Ok(()) } else { Err(bad()) }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    sep(4, b"-")?;
    sep(7, b"-")?;
    sep(10, b"Tt ")?;
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    sep(13, b":")?;
    sep(16, b":")?;
    let mut i = 19;
    let mut ms = 0;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err(bad());
        }
        let frac = &b[i + 1..i + 1 + digits];
        if frac.iter().skip(3).any(|&d| d != b'0') {
            return Err(format!("{text:?}: a start is given to the millisecond at most"));
        }
        for k in 0..3 {
            ms = ms * 10 + frac.get(k).map_or(0, |d| i64::from(d - b'0'));
        }
        i += 1 + digits;
    }
    let offset_min = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&s @ (b'+' | b'-')) if i + 6 == b.len() => {
            sep(i + 3, b":")?;
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            (oh * 60 + om) * if s == b'-' { -1 } else { 1 }
        }
        _ => return Err(format!("{text:?} has no time zone: end it with Z (UTC) or an offset such as +01:00")),
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) || day < 1 || day > month_days[(month - 1) as usize] {
        return Err(format!("{text:?}: no such date"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!("{text:?}: no such time of day"));
    }
    let s = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offset_min * 60;
    Ok(s * 1_000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected_us: Option<u64>) {
        assert_eq!(parse_duration(text).ok().map(|d| d.0), expected_us, "{text}");
    }

    #[test]
    fn parses_rfc3339_start_times() {
        let ok = |t: &str, ms: i64| assert_eq!(parse_rfc3339_ms(t), Ok(ms), "{t}");
        ok("2026-01-01T00:00:00Z", DEFAULT_START_MS);
        ok("1970-01-01T00:00:00Z", 0);
        ok("1970-01-01t00:00:01.5z", 1_500);
        ok("2026-01-01T01:00:00+01:00", DEFAULT_START_MS);
        ok("2025-12-31T19:00:00-05:00", DEFAULT_START_MS);
        ok("2024-02-29T12:00:00.250000Z", 1_709_208_000_250);
        ok("9000-01-01T00:00:00Z", MAX_START_MS);
        for bad in [
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:60Z",
            "2026-01-01T00:00:00.0001Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+1:00",
            "2026-01-01T00:00:00Zjunk",
            "26-01-01T00:00:00Z",
            "",
        ] {
            assert!(parse_rfc3339_ms(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn parses_durations() {
        check("90s", Some(90 * US_PER_S));
        check("400ms", Some(400 * US_PER_MS));
        check("1d12h", Some(36 * US_PER_H));
        check("1d 12h", Some(36 * US_PER_H));
        check("2.5h", Some(150 * US_PER_MIN));
        check("12d 10:00", Some(12 * US_PER_DAY + 10 * US_PER_H));
        check("10:30:15", Some(10 * US_PER_H + 30 * US_PER_MIN + 15 * US_PER_S));
        check("5min", Some(5 * US_PER_MIN));
        check("5µs", Some(5));
        check("1y", Some(US_PER_YEAR));
        check("", None);
        check("10", None);
        check("10 parsecs", None);
        check("-5s", None);
        check("1e30y", None);
        check("25:00", None);
    }

    #[test]
    fn durations_in_words_get_a_suggestion() {
        for (text, meant) in [
            ("2 minutes", Some("2min")),
            ("1 hour 30 mins", Some("1h30min")),
            ("5 s", Some("5s")),
            ("3 Days 10:00", Some("3d 10:00")),
            ("2 weeks and 1 day", Some("2w1d")),
            ("10 parsecs", None),
            ("5M", None),
            ("120", None),
            ("2min", None),
        ] {
            assert_eq!(suggest_duration(text).as_deref(), meant, "{text}");
        }
        let e = parse_duration("2 minutes").unwrap_err();
        assert_eq!(e, "\"2 minutes\" is not a duration (did you mean \"2min\"?)");
        assert!(parse_duration("10 parsecs").unwrap_err().contains("units: us, ms, s, m or min, h, d, w, y"));
    }

    #[test]
    fn display_round_trips() {
        for us in [1, 999, 1_500_000, US_PER_DAY + 3 * US_PER_H + 7 * US_PER_S] {
            let d = SimDuration(us);
            assert_eq!(parse_duration(&d.to_string()).unwrap(), d);
        }
    }
}
