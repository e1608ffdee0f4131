//! Queries on a scenario's document without validating it: the span of a dotted path (for a
//! diagnostic found after reading), one scalar, the start time, every scalar flattened (what
//! `compare` diffs). The validating reader is `read.rs`.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::read::ScenarioSource;
use crate::time::SimDuration;
use crate::tomlread::*;

/// A diagnostic at the field `path` (dotted, as in diagnostics) of a scenario's text, for
/// problems found after reading (e.g. a price-book item the scenario names but the book lacks).
pub fn diagnostic_at(src: &ScenarioSource<'_>, path: &str, message: String) -> crate::diagnostic::Diagnostic {
    let mut cx = Ctx::new(src.file, src.bytes);
    let span = std::str::from_utf8(src.bytes).ok().and_then(|t| DeTable::parse(t).ok()).map_or(0..0, |root| {
        let segs: Vec<&str> = path.split('.').collect();
        span_at(root.get_ref(), &segs)
    });
    cx.error(span, path, message);
    cx.finish().0.remove(0)
}

/// A number or a string found at a dotted path of a TOML document.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A TOML integer.
    Integer(i128),
    /// A TOML float.
    Float(f64),
    /// A TOML string (e.g. a duration such as `"90s"`, or a name).
    Text(String),
}

impl Scalar {
    /// The value scaled by `factor`, written so the reader takes it back: integers stay integers
    /// (rounded, at least 1 when they were), durations stay durations (rounded to 1 us).
    pub fn scaled(&self, factor: f64) -> Result<String, String> {
        match self {
            Scalar::Integer(i) => {
                let v = (*i as f64 * factor).round() as i128;
                Ok(if *i >= 1 { v.max(1) } else { v }.to_string())
            }
            Scalar::Float(x) => {
                // Twelve significant digits: enough for any field, and no binary noise
                // (60.368, not 60.367999999999995).
                let v = x * factor;
                if v == 0.0 {
                    return Ok("0.0".into());
                }
                let digits = 11 - v.abs().log10().floor() as i32;
                let scale = 10f64.powi(digits.clamp(-300, 300));
                let r = (v * scale).round() / scale;
                let t = format!("{r}");
                Ok(if t.contains(['.', 'e', 'E']) { t } else { format!("{t}.0") })
            }
            Scalar::Text(t) => {
                let d =
                    parse_duration_text(t).map_err(|e| format!("{t:?} is neither a number nor a duration ({e})"))?;
                Ok(SimDuration((d.0 as f64 * factor).round() as u64).to_string())
            }
        }
    }
}

pub(super) fn parse_duration_text(t: &str) -> Result<SimDuration, String> {
    crate::time::parse_duration(t)
}

pub(super) const START_WHAT: &str = "an RFC 3339 date-time from 1970 to 9000, e.g. \"2026-01-01T00:00:00Z\"";

/// `scenario.start`: a string or a TOML offset date-time, as milliseconds since the Unix epoch.
pub(super) fn start_value(v: &DeValue<'_>) -> Result<i64, String> {
    let text = match v {
        DeValue::String(s) => s.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        other => return Err(format!("found {}", type_name(other))),
    };
    let ms = crate::time::parse_rfc3339_ms(&text)?;
    if (crate::time::MIN_START_MS..=crate::time::MAX_START_MS).contains(&ms) {
        Ok(ms)
    } else {
        Err(format!("{text:?} is out of range"))
    }
}

/// The calendar start (`scenario.start`) of a scenario's text after `overrides`, in
/// milliseconds since the Unix epoch (UTC), without validating the rest: what exports of a
/// stored run stamp its hours with. The default when the file names none.
pub fn start_ms_at(bytes: &[u8], overrides: &[String]) -> Result<i64, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the file is not UTF-8".to_string())?;
    let mut root = DeTable::parse(text).map_err(|e| format!("TOML syntax: {}", e.message()))?;
    let mut cx = Ctx::new("", bytes);
    for o in overrides {
        apply_override(&mut cx, root.get_mut(), o.as_str());
    }
    match root.get_ref().get("scenario").map(|s| s.get_ref()) {
        Some(DeValue::Table(t)) => {
            t.get("start").map_or(Ok(crate::time::DEFAULT_START_MS), |v| start_value(v.get_ref()))
        }
        _ => Ok(crate::time::DEFAULT_START_MS),
    }
}

/// The value at `path` (dotted; array items by index, `event.0.at`) of a TOML document after
/// `overrides`; a table holding `price` (a price book entry) yields its price.
pub fn scalar_at(bytes: &[u8], overrides: &[String], path: &str) -> Result<Scalar, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the file is not UTF-8".to_string())?;
    let mut root = DeTable::parse(text).map_err(|e| format!("TOML syntax: {}", e.message()))?;
    let mut cx = Ctx::new("", bytes);
    for o in overrides {
        apply_override(&mut cx, root.get_mut(), o.as_str());
    }
    let v = match value_at(root.get_ref(), path)? {
        DeValue::Table(t) => t.get("price").map(|x| x.get_ref()),
        other => Some(other),
    };
    match v {
        Some(DeValue::Integer(_)) => as_i128(v.unwrap()).map(Scalar::Integer),
        Some(DeValue::Float(_)) => as_f64(v.unwrap()).map(Scalar::Float),
        Some(DeValue::String(s)) => Ok(Scalar::Text(s.to_string())),
        Some(other) => Err(format!("`{path}` is {}, not a number or duration", type_name(other))),
        None => Err(format!("`{path}` is a table, not a number or duration")),
    }
}

/// Every scalar of a TOML document after `overrides`, as (dotted path, value as written),
/// in document order: what `compare` diffs between two runs' assumptions.
pub fn flatten(bytes: &[u8], overrides: &[String]) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &DeValue<'_>, out: &mut Vec<(String, String)>) {
        match v {
            DeValue::Table(t) => {
                for (k, x) in t.iter() {
                    walk(&join(prefix, k.get_ref()), x.get_ref(), out);
                }
            }
            DeValue::Array(a) if a.iter().any(|x| matches!(x.get_ref(), DeValue::Table(_))) => {
                for (i, x) in a.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), x.get_ref(), out);
                }
            }
            DeValue::Array(a) => {
                let items: Vec<String> = a.iter().map(|x| v_display(x.get_ref())).collect();
                out.push((prefix.to_string(), format!("[{}]", items.join(", "))));
            }
            DeValue::Boolean(b) => out.push((prefix.to_string(), b.to_string())),
            other => out.push((prefix.to_string(), v_display(other))),
        }
    }
    let Ok(text) = std::str::from_utf8(bytes) else { return Vec::new() };
    let Ok(mut root) = DeTable::parse(text) else { return Vec::new() };
    let mut cx = Ctx::new("", bytes);
    for o in overrides {
        apply_override(&mut cx, root.get_mut(), o.as_str());
    }
    let mut out = Vec::new();
    walk("", &DeValue::Table(root.into_inner()), &mut out);
    out
}

/// The span of the value at `path` (table keys), or of the deepest table found on the way.
pub(super) fn span_at(root: &DeTable<'_>, path: &[&str]) -> Range<usize> {
    let mut table = root;
    let mut span = 0..0;
    for key in path {
        let Some(v) = table.get(*key) else { break };
        span = v.span();
        match v.get_ref() {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    span
}
