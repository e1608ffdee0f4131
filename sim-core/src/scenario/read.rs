//! Reading a scenario file: bytes -> spanned TOML tree (with `--set` overrides applied) ->
//! validated [`Scenario`]. Every problem is collected with file, line, column and field path; the
//! reader never stops at the first one and never panics on bad input.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::*;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::time::{SimDuration, parse_duration};

/// The text of a scenario and where it came from.
#[derive(Clone, Debug)]
pub struct ScenarioSource<'a> {
    /// Shown in diagnostics (usually the path as the user typed it).
    pub file: &'a str,
    pub bytes: &'a [u8],
    /// `path=value` overrides, applied in order on top of the file.
    pub overrides: &'a [String],
}

/// Parses and validates a scenario, returning every problem found.
pub fn parse_scenario(src: &ScenarioSource<'_>) -> Result<Scenario, Diagnostics> {
    let mut cx = Ctx::new(src.file, src.bytes);
    let text = match std::str::from_utf8(src.bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            cx.error(
                at..at,
                "",
                format!("the file is not valid UTF-8 (byte 0x{:02x} at offset {at}); save it as UTF-8", src.bytes[at]),
            );
            return Err(cx.finish());
        }
    };
    if text.trim().is_empty() {
        cx.error(0..0, "", "the file is empty; a scenario starts with `schema = 1` and a [scenario] table".into());
        return Err(cx.finish());
    }
    let (root, errors) = DeTable::parse_recoverable(text);
    if let Some(first) = errors.first() {
        // Later syntax errors are usually echoes of the first (the parser recovers and trips
        // again), so only the first is reported, with the count of the rest.
        let span = first.span().unwrap_or(0..0);
        let more = match errors.len() - 1 {
            0 => String::new(),
            n => format!(
                " ({n} more syntax error{} after it, most likely caused by this one)",
                if n == 1 { "" } else { "s" }
            ),
        };
        cx.error(span, "", format!("TOML syntax: {}{more}", first.message().trim()));
        return Err(cx.finish());
    }
    let mut root = root;
    for o in src.overrides {
        apply_override(&mut cx, root.get_mut(), o.as_str());
    }
    let root_span = 0..0;
    let scenario = read_root(&mut cx, root.get_ref(), root_span);
    let diags = cx.finish();
    match scenario {
        Some(s) if diags.0.is_empty() => Ok(s),
        _ => Err(diags),
    }
}

/// The keys the reader accepts under each table pattern it read (for the schema consistency
/// test). Patterns use `*` for user-chosen names and `[]` for array items.
pub fn known_keys(src: &ScenarioSource<'_>) -> BTreeMap<String, BTreeSet<&'static str>> {
    let mut cx = Ctx::new(src.file, src.bytes);
    if let Ok(text) = std::str::from_utf8(src.bytes)
        && let Ok(root) = DeTable::parse(text)
    {
        read_root(&mut cx, root.get_ref(), 0..0);
    }
    cx.known
}

// ---------------------------------------------------------------------------------------------
// Context: diagnostics and positions

struct Ctx {
    file: String,
    line_starts: Vec<usize>,
    bytes: Vec<u8>,
    diags: Vec<(usize, Diagnostic)>,
    /// (path, original `--set` text) of every override applied.
    overridden: Vec<(String, String)>,
    known: BTreeMap<String, BTreeSet<&'static str>>,
}

impl Ctx {
    fn new(file: &str, bytes: &[u8]) -> Ctx {
        let mut line_starts = vec![0];
        line_starts.extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        Ctx {
            file: file.to_string(),
            line_starts,
            bytes: bytes.to_vec(),
            diags: Vec::new(),
            overridden: Vec::new(),
            known: BTreeMap::new(),
        }
    }

    fn error(&mut self, span: Range<usize>, path: &str, message: String) {
        let from_override = self
            .overridden
            .iter()
            .rev()
            .find(|(p, _)| path == p || path.starts_with(&format!("{p}.")) || path.starts_with(&format!("{p}[")))
            .map(|(_, o)| o.clone());
        let (line, column) = if from_override.is_some() { (0, 0) } else { self.line_col(span.start) };
        let sort_key = if from_override.is_some() { usize::MAX } else { span.start };
        self.diags.push((
            sort_key,
            Diagnostic { file: self.file.clone(), line, column, path: path.to_string(), message, from_override },
        ));
    }

    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = String::from_utf8_lossy(&self.bytes[start..offset]).chars().count() + 1;
        (line, column)
    }

    fn finish(mut self) -> Diagnostics {
        self.diags.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
        self.diags.dedup_by(|a, b| a.1 == b.1);
        Diagnostics(self.diags.into_iter().map(|(_, d)| d).collect())
    }
}

// ---------------------------------------------------------------------------------------------
// `--set path=value`

fn apply_override<'i>(cx: &mut Ctx, root: &mut DeTable<'i>, text: &'i str) {
    let Some((path, value)) = text.split_once('=') else {
        cx.overridden.push((String::new(), text.to_string()));
        cx.error(
            0..0,
            "",
            format!("an override must look like path=value, e.g. fleet.sensors.count=20000; got {text:?}"),
        );
        return;
    };
    let path = path.trim();
    let value_text = value.trim();
    // Diagnostics write array items as `site[0]`; record the override the same way.
    let mut normalized = String::new();
    for seg in path.split('.') {
        if seg.parse::<usize>().is_ok() && !normalized.is_empty() {
            normalized.push_str(&format!("[{seg}]"));
        } else {
            if !normalized.is_empty() {
                normalized.push('.');
            }
            normalized.push_str(seg);
        }
    }
    cx.overridden.push((normalized, text.to_string()));
    // A value that parses as TOML keeps its type; anything else is taken as a string, so
    // `scenario.duration=30d` works without quotes.
    let value: DeValue<'i> = match DeValue::parse(value_text) {
        Ok(v) => v.into_inner(),
        Err(_) => DeValue::String(Cow::Borrowed(value_text)),
    };
    let segments: Vec<&str> = path.split('.').collect();
    if path.is_empty() || segments.iter().any(|s| s.is_empty()) {
        cx.error(0..0, path, "an override needs a dotted field path, e.g. fleet.sensors.count".into());
        return;
    }
    let mut table: &mut DeTable<'i> = root;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if last {
            table.insert(Spanned::new(0..0, Cow::Owned(seg.to_string())), Spanned::new(0..0, value));
            return;
        }
        let next_is_index = segments[i + 1].parse::<usize>().is_ok();
        if table.get(*seg).is_none() {
            table.insert(
                Spanned::new(0..0, Cow::Owned(seg.to_string())),
                Spanned::new(0..0, DeValue::Table(DeTable::new())),
            );
        }
        let entry = table.get_mut(*seg).expect("inserted above");
        match entry.get_mut() {
            DeValue::Table(t) => table = t,
            DeValue::Array(items) if next_is_index => {
                let idx: usize = segments[i + 1].parse().expect("checked above");
                let n_items = items.len();
                let Some(item) = items.get_mut(idx) else {
                    cx.error(0..0, path, format!("index {idx} is out of range: `{seg}` has {n_items} entries"));
                    return;
                };
                if i + 2 == segments.len() {
                    *item = Spanned::new(0..0, value);
                    return;
                }
                match item.get_mut() {
                    DeValue::Table(t) => table = t,
                    _ => {
                        cx.error(0..0, path, format!("`{seg}[{idx}]` is not a table"));
                        return;
                    }
                }
                // Skip the index segment.
                return apply_rest(cx, table, &segments[i + 2..], path, value);
            }
            _ => {
                cx.error(0..0, path, format!("`{seg}` is not a table, so `{path}` cannot be set"));
                return;
            }
        }
    }
}

fn apply_rest<'i>(cx: &mut Ctx, table: &mut DeTable<'i>, segments: &[&str], path: &str, value: DeValue<'i>) {
    let mut t = table;
    for (i, seg) in segments.iter().enumerate() {
        if i + 1 == segments.len() {
            t.insert(Spanned::new(0..0, Cow::Owned(seg.to_string())), Spanned::new(0..0, value));
            return;
        }
        if t.get(*seg).is_none() {
            t.insert(
                Spanned::new(0..0, Cow::Owned(seg.to_string())),
                Spanned::new(0..0, DeValue::Table(DeTable::new())),
            );
        }
        match t.get_mut(*seg).expect("inserted above").get_mut() {
            DeValue::Table(inner) => t = inner,
            _ => {
                cx.error(0..0, path, format!("`{seg}` is not a table, so `{path}` cannot be set"));
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Typed access to one table

type Value<'i> = Spanned<DeValue<'i>>;

struct Tbl<'a, 'i> {
    path: String,
    pattern: String,
    span: Range<usize>,
    map: &'a DeTable<'i>,
    known: Vec<&'static str>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Tbl<'a, 'i> {
    fn new(path: String, pattern: String, span: Range<usize>, map: &'a DeTable<'i>) -> Self {
        Tbl { path, pattern, span, map, known: Vec::new() }
    }

    /// Opens `v` as a table, or reports what it is instead.
    fn open(cx: &mut Ctx, path: String, pattern: String, v: &'a Value<'i>) -> Option<Self> {
        match v.get_ref() {
            DeValue::Table(t) => Some(Tbl::new(path, pattern, v.span(), t)),
            other => {
                cx.error(v.span(), &path, format!("expected a table, found {}", type_name(other)));
                None
            }
        }
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value<'i>> {
        self.known.push(key);
        self.map.get(key)
    }

    /// The span of `key`'s value, or of the table when the key is absent.
    fn span_of(&self, key: &str) -> Range<usize> {
        self.map.get(key).map_or(self.span.clone(), |v| v.span())
    }

    fn missing(&self, cx: &mut Ctx, key: &str, what: &str) {
        cx.error(self.span.clone(), &join(&self.path, key), format!("missing required field `{key}` ({what})"));
    }

    /// A required or optional value converted by `conv`; `what` describes what is allowed.
    fn field<T>(
        &mut self,
        cx: &mut Ctx,
        key: &'static str,
        required: bool,
        what: &str,
        conv: impl FnOnce(&DeValue<'i>) -> Result<T, String>,
    ) -> Option<T> {
        match self.get(key) {
            None => {
                if required {
                    self.missing(cx, key, what);
                }
                None
            }
            Some(v) => match conv(v.get_ref()) {
                Ok(t) => Some(t),
                Err(msg) => {
                    cx.error(v.span(), &join(&self.path, key), format!("{msg}; expected {what}"));
                    None
                }
            },
        }
    }

    fn f64(&mut self, cx: &mut Ctx, key: &'static str, required: bool, min: f64, max: f64) -> Option<f64> {
        let what = format!("a number from {min} to {max}");
        self.field(cx, key, required, &what, |v| {
            let x = as_f64(v)?;
            if x.is_nan() || x < min || x > max { Err(format!("{x} is out of range")) } else { Ok(x) }
        })
    }

    fn prob(&mut self, cx: &mut Ctx, key: &'static str, required: bool) -> Option<f64> {
        self.field(cx, key, required, "a probability from 0 to 1", |v| {
            let x = as_f64(v)?;
            if (0.0..=1.0).contains(&x) { Ok(x) } else { Err(format!("{x} is not a probability")) }
        })
    }

    fn u64(&mut self, cx: &mut Ctx, key: &'static str, required: bool, min: u64, max: u64) -> Option<u64> {
        let what = format!("an integer from {min} to {max}");
        self.field(cx, key, required, &what, |v| {
            let x = as_i128(v)?;
            if x < min as i128 || x > max as i128 { Err(format!("{x} is out of range")) } else { Ok(x as u64) }
        })
    }

    fn string(&mut self, cx: &mut Ctx, key: &'static str, required: bool) -> Option<String> {
        self.field(cx, key, required, "a string", |v| as_str(v).map(str::to_string))
    }

    fn choice(
        &mut self,
        cx: &mut Ctx,
        key: &'static str,
        required: bool,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let what = format!("one of {}", allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", "));
        self.field(cx, key, required, &what, |v| {
            let s = as_str(v)?;
            allowed.iter().copied().find(|a| *a == s).ok_or_else(|| match did_you_mean(s, allowed.iter().copied()) {
                Some(m) => format!("unknown value \"{s}\" (did you mean \"{m}\"?)"),
                None => format!("unknown value \"{s}\""),
            })
        })
    }

    fn duration(
        &mut self,
        cx: &mut Ctx,
        key: &'static str,
        required: bool,
        min: SimDuration,
        max: SimDuration,
    ) -> Option<SimDuration> {
        let what = format!("a duration string from \"{min}\" to \"{max}\", e.g. \"90s\", \"2h\", \"30d\"");
        self.field(cx, key, required, &what, |v| {
            let s = match v {
                DeValue::String(s) => s.as_ref(),
                DeValue::Integer(_) | DeValue::Float(_) => {
                    return Err(format!("a bare number ({}) has no unit", v_display(v)));
                }
                other => return Err(format!("found {}", type_name(other))),
            };
            if s.trim_start().starts_with('-') {
                return Err(format!("\"{s}\" is negative"));
            }
            let d = parse_duration(s)?;
            if d < min || d > max { Err(format!("\"{s}\" is out of range")) } else { Ok(d) }
        })
    }

    fn bool(&mut self, cx: &mut Ctx, key: &'static str, required: bool) -> Option<bool> {
        self.field(cx, key, required, "true or false", |v| match v {
            DeValue::Boolean(b) => Ok(*b),
            other => Err(format!("found {}", type_name(other))),
        })
    }

    fn sub(&mut self, cx: &mut Ctx, key: &'static str, required: bool, what: &str) -> Option<Tbl<'a, 'i>> {
        match self.get(key) {
            None => {
                if required {
                    self.missing(cx, key, what);
                }
                None
            }
            Some(v) => Tbl::open(cx, join(&self.path, key), join(&self.pattern, key), v),
        }
    }

    /// Reports keys that were never asked for, with a "did you mean" hint.
    fn finish(self, cx: &mut Ctx) {
        let entry = cx.known.entry(self.pattern.clone()).or_default();
        entry.extend(self.known.iter().copied());
        for (k, v) in self.map.iter() {
            let key = k.get_ref().as_ref();
            if self.known.contains(&key) {
                continue;
            }
            let hint = match did_you_mean(key, self.known.iter().copied()) {
                Some(m) => format!(" (did you mean `{m}`?)"),
                None => {
                    let mut names = self.known.clone();
                    names.sort_unstable();
                    names.dedup();
                    format!(" (allowed here: {})", names.join(", "))
                }
            };
            let span = if k.span().end > 0 { k.span() } else { v.span() };
            cx.error(span, &join(&self.path, key), format!("unknown field `{key}`{hint}"));
        }
    }
}

fn v_display(v: &DeValue<'_>) -> String {
    match v {
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::String(s) => format!("\"{s}\""),
        other => type_name(other).to_string(),
    }
}

fn as_i128(v: &DeValue<'_>) -> Result<i128, String> {
    match v {
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix())
            .map_err(|_| format!("{} is not a representable integer", i.as_str())),
        DeValue::Float(f) => Err(format!("{} is not a whole number", f.as_str())),
        other => Err(format!("found {}", type_name(other))),
    }
}

fn as_f64(v: &DeValue<'_>) -> Result<f64, String> {
    match v {
        DeValue::Integer(_) => as_i128(v).map(|i| i as f64),
        DeValue::Float(f) => {
            let s = f.as_str();
            let x: f64 = match s {
                "inf" | "+inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" | "+nan" | "-nan" => f64::NAN,
                _ => s.parse().map_err(|_| format!("{s} is not a number"))?,
            };
            if x.is_finite() { Ok(x) } else { Err(format!("{s} is not a finite number")) }
        }
        other => Err(format!("found {}", type_name(other))),
    }
}

fn as_str<'v>(v: &'v DeValue<'_>) -> Result<&'v str, String> {
    match v {
        DeValue::String(s) => Ok(s.as_ref()),
        other => Err(format!("found {}", type_name(other))),
    }
}

// ---------------------------------------------------------------------------------------------
// The scenario tables

const MIN_D: SimDuration = SimDuration(0);

fn read_root(cx: &mut Ctx, root: &DeTable<'_>, span: Range<usize>) -> Option<Scenario> {
    let mut t = Tbl::new(String::new(), String::new(), span, root);
    let schema = t.field(cx, "schema", true, "the integer 1", |v| {
        let x = as_i128(v)?;
        if x == SCHEMA_VERSION as i128 { Ok(x) } else { Err(format!("schema {x} is not supported by this build")) }
    });

    // [scenario]
    let mut name = None;
    let mut description = None;
    let mut seed = None;
    let mut duration = None;
    let mut horizon_years = Some(5.0);
    let mut price_book = None;
    if let Some(mut s) = t.sub(cx, "scenario", true, "a table with name, seed and duration") {
        name = s.string(cx, "name", true);
        description = s.string(cx, "description", false);
        seed = s.u64(cx, "seed", false, 0, u64::MAX).or(Some(0));
        duration = s.duration(cx, "duration", true, SimDuration::from_secs(1), MAX_DURATION);
        horizon_years = s.f64(cx, "horizon_years", false, 0.1, 50.0).or(horizon_years);
        price_book = s.string(cx, "price_book", false);
        s.finish(cx);
    }

    let sites = read_sites(cx, &mut t);
    let site_names: Vec<String> = sites.iter().map(|s| s.as_ref().map(|s| s.id.clone()).unwrap_or_default()).collect();
    let networks = read_named(cx, &mut t, "network", read_network);
    let powers = read_named(cx, &mut t, "power", read_power);
    let net_names: Vec<&str> = networks.iter().map(|(n, _)| n.as_str()).collect();
    let power_names: Vec<&str> = powers.iter().map(|(n, _)| n.as_str()).collect();

    let mut classes = Vec::new();
    let mut total_devices: u64 = 0;
    let mut fleet_span = 0..0;
    if let Some(fleet) = t.sub(cx, "fleet", true, "one table per device class, e.g. [fleet.sensors]") {
        fleet_span = fleet.span.clone();
        if fleet.map.is_empty() {
            cx.error(
                fleet.span.clone(),
                "fleet",
                "the fleet has no device classes; add e.g. [fleet.sensors] with count = 20".into(),
            );
        }
        // Every key under [fleet] is a class name, so no key there is unknown.
        for (k, v) in fleet.map.iter() {
            let cname = k.get_ref().to_string();
            if let Some(c) = Tbl::open(cx, format!("fleet.{cname}"), "fleet.*".into(), v) {
                let class = read_class(cx, c, cname, &site_names, &net_names, &power_names);
                if let Some(class) = class {
                    total_devices += class.count as u64;
                    classes.push(class);
                }
            }
        }
    }
    if total_devices > MAX_DEVICES {
        cx.error(fleet_span, "fleet", format!("{total_devices} devices in total; at most {MAX_DEVICES} are supported"));
    }

    let backend = read_backend(cx, &mut t);
    let maintenance = read_maintenance(cx, &mut t);
    let events = read_events(cx, &mut t, &sites, duration);

    // Mark `fleet`, `network`, `power`, `site`, `event`, `backend`, `maintenance` as known keys.
    t.finish(cx);

    let sites: Option<Vec<Site>> = sites.into_iter().collect();
    let networks: Option<Vec<NetworkProfile>> = networks.into_iter().map(|(_, n)| n).collect();
    let powers: Option<Vec<PowerProfile>> = powers.into_iter().map(|(_, p)| p).collect();
    let scenario = Scenario {
        name: name?,
        description,
        seed: seed?,
        duration: duration?,
        horizon_years: horizon_years?,
        price_book,
        sites: sites?,
        networks: networks?,
        powers: powers?,
        classes,
        backend: backend?,
        maintenance: maintenance?,
        events: events?,
    };
    check_limits(cx, root, &scenario);
    Some(scenario).filter(|_| schema.is_some())
}

/// The span of the value at `path` (table keys), or of the deepest table found on the way.
fn span_at(root: &DeTable<'_>, path: &[&str]) -> Range<usize> {
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

/// Expected shared outages (or sags) a timeline holds, above which it is not precomputed.
const MAX_TIMELINE_INTERVALS: f64 = 20_000_000.0;
/// Random draws one tick may use from one stream (see engine::device).
const DRAWS_PER_TICK: u64 = 4096;

/// Limits that span several tables: what the engine can represent.
fn check_limits(cx: &mut Ctx, root: &DeTable<'_>, s: &Scenario) {
    let duration = s.duration.0;
    let gateways: u64 = s.sites.iter().map(|x| x.gateways as u64).sum();
    for c in &s.classes {
        let ticks = duration / c.telemetry.period.0;
        if ticks >= 1 << 31 {
            cx.error(
                span_at(root, &["fleet", &c.name, "telemetry", "period"]),
                &format!("fleet.{}.telemetry.period", c.name),
                format!(
                    "{ticks} ticks per device in {}: at most 2^31 are supported; use a longer period or a shorter run",
                    s.duration
                ),
            );
        }
        let attempts = s.networks[c.network].delivery.attempts as u64;
        let draws = c.buffer.flush_per_tick as u64 * (2 * attempts + 1) + 16;
        if draws > DRAWS_PER_TICK {
            let max = (DRAWS_PER_TICK - 16) / (2 * attempts + 1);
            cx.error(
                span_at(root, &["fleet", &c.name, "buffer", "flush_per_tick"]),
                &format!("fleet.{}.buffer.flush_per_tick", c.name),
                format!("with {attempts} attempt(s) per message a device can send at most {max} messages per tick"),
            );
        }
    }
    for n in &s.networks {
        let path = format!("network.{}.outages", n.name);
        if n.outages.len() > 16 {
            cx.error(
                span_at(root, &["network", &n.name, "outages"]),
                &path,
                "at most 16 outage processes per link".into(),
            );
        }
        for o in &n.outages {
            let entities = match o.scope {
                Scope::Device => continue,
                Scope::Gateway => gateways,
                Scope::Site => s.sites.len() as u64,
            };
            let expected = duration as f64 / (o.mean_up.0 + o.mean_down.0) as f64 * entities as f64;
            if expected > MAX_TIMELINE_INTERVALS {
                cx.error(
                    span_at(root, &["network", &n.name, "outages"]),
                    &path,
                    format!("about {expected:.0} shared outages over the run; at most {MAX_TIMELINE_INTERVALS} are supported: use a longer mean_up"),
                );
            }
        }
    }
    let years = s.duration.0 as f64 / crate::time::US_PER_YEAR as f64;
    for p in &s.powers {
        if let PowerSource::Mains { outages_per_year, sags_per_year, .. } = p.source {
            let expected = (outages_per_year + sags_per_year) * years * s.sites.len() as f64;
            if expected > MAX_TIMELINE_INTERVALS {
                cx.error(
                    span_at(root, &["power", &p.name]),
                    &format!("power.{}", p.name),
                    format!("about {expected:.0} mains outages and sags over the run; at most {MAX_TIMELINE_INTERVALS} are supported"),
                );
            }
        }
    }
}

fn read_sites(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Vec<Option<Site>> {
    let Some(v) = t.get("site") else {
        cx.error(
            t.span.clone(),
            "site",
            "missing required field `site` (one [[site]] table per site, with id, position and gateways)".into(),
        );
        return Vec::new();
    };
    let DeValue::Array(items) = v.get_ref() else {
        cx.error(v.span(), "site", format!("expected an array of tables ([[site]]), found {}", type_name(v.get_ref())));
        return Vec::new();
    };
    if items.is_empty() {
        cx.error(v.span(), "site", "at least one site is needed".into());
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let Some(mut s) = Tbl::open(cx, format!("site[{i}]"), "site[]".into(), item) else {
            out.push(None);
            continue;
        };
        let id = s.string(cx, "id", true);
        if let Some(id) = &id
            && !seen.insert(id.clone())
        {
            let span = s.map.get("id").map(|v| v.span()).unwrap_or(s.span.clone());
            cx.error(span, &format!("site[{i}].id"), format!("site id \"{id}\" is used twice"));
        }
        let position = s.field(cx, "position", false, "[latitude, longitude] in degrees", |v| match v {
            DeValue::Array(a) if a.len() == 2 => {
                let lat = as_f64(a[0].get_ref())?;
                let lon = as_f64(a[1].get_ref())?;
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return Err(format!("[{lat}, {lon}] is not a valid position"));
                }
                Ok([lat, lon])
            }
            other => Err(format!("found {}", type_name(other))),
        });
        let gateways = s.u64(cx, "gateways", false, 1, 10_000).or(Some(1));
        s.finish(cx);
        out.push(match (id, gateways) {
            (Some(id), Some(g)) => Some(Site { id, position: position.unwrap_or([0.0, 0.0]), gateways: g as u32 }),
            _ => None,
        });
    }
    out
}

/// Reads `[kind.NAME]` tables (network or power profiles) in name order.
fn read_named<T>(
    cx: &mut Ctx,
    t: &mut Tbl<'_, '_>,
    kind: &'static str,
    read: impl Fn(&mut Ctx, Tbl<'_, '_>, String) -> Option<T>,
) -> Vec<(String, Option<T>)> {
    let what = format!("one [{kind}.NAME] table per profile");
    let Some(profiles) = t.sub(cx, kind, true, &what) else {
        return Vec::new();
    };
    if profiles.map.is_empty() {
        cx.error(profiles.span.clone(), kind, format!("no {kind} profile is defined; add e.g. [{kind}.default]"));
    }
    let mut out = Vec::new();
    for (k, v) in profiles.map.iter() {
        let name = k.get_ref().to_string();
        let item =
            Tbl::open(cx, format!("{kind}.{name}"), format!("{kind}.*"), v).and_then(|p| read(cx, p, name.clone()));
        out.push((name, item));
    }
    out
}

fn read_network(cx: &mut Ctx, mut t: Tbl<'_, '_>, name: String) -> Option<NetworkProfile> {
    let loss = match t.sub(cx, "loss", false, "") {
        None => Some(Loss::None),
        Some(mut l) => {
            let model = l.choice(cx, "model", true, &["gilbert-elliott", "none"]);
            let loss = match model {
                Some("gilbert-elliott") => {
                    let p = l.prob(cx, "p_good_to_bad", true);
                    let r = l.prob(cx, "p_bad_to_good", true);
                    let lg = l.prob(cx, "loss_good", false).or(Some(0.0));
                    let lb = l.prob(cx, "loss_bad", false).or(Some(1.0));
                    if let (Some(p), Some(r)) = (p, r)
                        && p + r == 0.0
                    {
                        cx.error(l.span.clone(), &l.path, "p_good_to_bad and p_bad_to_good cannot both be 0".into());
                    }
                    Some(Loss::GilbertElliott { p_good_to_bad: p?, p_bad_to_good: r?, loss_good: lg?, loss_bad: lb? })
                }
                Some(_) => Some(Loss::None),
                None => None,
            };
            l.finish(cx);
            loss
        }
    };
    let latency = match t.sub(cx, "latency", false, "") {
        None => Some(Latency::None),
        Some(mut l) => {
            let model = l.choice(cx, "model", true, &["lognormal", "fixed", "none"]);
            let hour = SimDuration(crate::time::US_PER_H);
            let lat = match model {
                Some("lognormal") => {
                    let median = l.duration(cx, "median", true, SimDuration(1), hour);
                    let p99 = l.duration(cx, "p99", true, SimDuration(1), hour);
                    if let (Some(m), Some(p)) = (median, p99)
                        && p < m
                    {
                        cx.error(
                            l.span_of("p99"),
                            &join(&l.path, "p99"),
                            format!("p99 ({p}) must not be below the median ({m})"),
                        );
                    }
                    Some(Latency::LogNormal { median: median?, p99: p99? })
                }
                Some("fixed") => l.duration(cx, "value", true, MIN_D, hour).map(Latency::Fixed),
                Some(_) => Some(Latency::None),
                None => None,
            };
            l.finish(cx);
            lat
        }
    };
    let outages = read_outages(cx, &mut t);
    let delivery = {
        let mut acked = Some(true);
        let mut attempts = Some(1);
        let mut base = Some(SimDuration::from_secs(1));
        let mut cap = Some(SimDuration::from_secs(300));
        if let Some(mut d) = t.sub(cx, "delivery", false, "") {
            acked = d.choice(cx, "mode", false, &["acked", "unacked"]).map(|m| m == "acked").or(acked);
            attempts = d.u64(cx, "attempts", false, 1, 20).map(|a| a as u32).or(attempts);
            base = d.duration(cx, "backoff_base", false, MIN_D, SimDuration(crate::time::US_PER_H)).or(base);
            cap = d.duration(cx, "backoff_cap", false, MIN_D, SimDuration(crate::time::US_PER_DAY)).or(cap);
            d.finish(cx);
        }
        Some(Delivery { acked: acked?, attempts: attempts?, backoff_base: base?, backoff_cap: cap? })
    };
    let lora = match t.sub(cx, "lora", false, "") {
        None => Some(None),
        Some(mut l) => {
            let sf = l.u64(cx, "spreading_factor", true, 7, 12);
            let bw = l.field(cx, "bandwidth_khz", false, "125, 250 or 500", |v| {
                let x = as_i128(v)?;
                if [125, 250, 500].contains(&x) {
                    Ok(x as u32)
                } else {
                    Err(format!("{x} kHz is not a LoRa bandwidth"))
                }
            });
            let cr = l.u64(cx, "coding_rate", false, 1, 4).or(Some(1));
            let channels = l.u64(cx, "channels", false, 1, 64).or(Some(3));
            let dc = l.f64(cx, "duty_cycle_pct", false, 0.001, 100.0).or(Some(1.0));
            let overhead = l.u64(cx, "overhead_bytes", false, 0, 64).or(Some(13));
            let preamble = l.u64(cx, "preamble_symbols", false, 6, 65_535).or(Some(8));
            l.finish(cx);
            Some(Some(LoraRadio {
                spreading_factor: sf? as u8,
                bandwidth_khz: bw.unwrap_or(125),
                coding_rate: cr? as u8,
                channels: channels? as u32,
                duty_cycle_pct: dc?,
                overhead_bytes: overhead? as u32,
                preamble_symbols: preamble? as u32,
            }))
        }
    };
    if let (Some(Some(_)), Some(d)) = (&lora, &delivery)
        && d.acked
    {
        let span = match t.map.get("delivery").map(|v| (v.span(), v.get_ref())) {
            Some((_, DeValue::Table(d))) if d.get("mode").is_some() => {
                d.get("mode").map(|m| m.span()).unwrap_or_default()
            }
            Some((span, _)) => span,
            None => t.span.clone(),
        };
        cx.error(
            span,
            &join(&t.path, "delivery.mode"),
            "a LoRa link models unconfirmed uplinks: set delivery.mode = \"unacked\"".into(),
        );
    }
    let tx_ms = t.f64(cx, "tx_ms", false, 0.0, 600_000.0).or(Some(100.0));
    let rx_ms = t.f64(cx, "rx_ms", false, 0.0, 600_000.0).or(Some(0.0));
    t.finish(cx);
    Some(NetworkProfile {
        name,
        loss: loss?,
        latency: latency?,
        outages: outages?,
        delivery: delivery?,
        lora: lora?,
        tx_ms: tx_ms?,
        rx_ms: rx_ms?,
    })
}

fn read_outage(cx: &mut Ctx, mut o: Tbl<'_, '_>) -> Option<OutageProcess> {
    let scope = o.choice(cx, "scope", true, &["device", "gateway", "site"]).map(|s| match s {
        "device" => Scope::Device,
        "gateway" => Scope::Gateway,
        _ => Scope::Site,
    });
    let mean_up = o.duration(cx, "mean_up", true, SimDuration::from_secs(60), MAX_DURATION);
    let mean_down =
        o.duration(cx, "mean_down", true, SimDuration::from_secs(1), SimDuration(365 * crate::time::US_PER_DAY));
    let dist = o.choice(cx, "down_distribution", false, &["exponential", "lognormal"]).unwrap_or("exponential");
    let down_distribution = if dist == "lognormal" {
        o.f64(cx, "sigma_ln", true, 0.01, 4.0).map(|sigma| DownTime::LogNormal { sigma })
    } else {
        Some(DownTime::Exponential)
    };
    o.finish(cx);
    Some(OutageProcess {
        scope: scope?,
        mean_up: mean_up?,
        mean_down: mean_down?,
        down_distribution: down_distribution?,
    })
}

/// `outages` is one table or an array of tables (e.g. per-device coverage gaps plus rare
/// site-wide outages); at most one process may have device scope.
fn read_outages(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Vec<OutageProcess>> {
    let path = join(&t.path, "outages");
    let pattern = join(&t.pattern, "outages");
    let Some(v) = t.get("outages") else { return Some(Vec::new()) };
    let list: Vec<Option<OutageProcess>> = match v.get_ref() {
        DeValue::Table(_) => vec![Tbl::open(cx, path.clone(), pattern, v).and_then(|o| read_outage(cx, o))],
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                Tbl::open(cx, format!("{path}[{i}]"), pattern.clone(), item).and_then(|o| read_outage(cx, o))
            })
            .collect(),
        other => {
            cx.error(v.span(), &path, format!("expected a table or an array of tables, found {}", type_name(other)));
            return None;
        }
    };
    let list: Vec<OutageProcess> = list.into_iter().collect::<Option<_>>()?;
    if list.iter().filter(|o| o.scope == Scope::Device).count() > 1 {
        cx.error(v.span(), &path, "at most one outage process may have scope = \"device\"".into());
        return None;
    }
    Some(list)
}

fn read_power(cx: &mut Ctx, mut t: Tbl<'_, '_>, name: String) -> Option<PowerProfile> {
    let kind = t.choice(cx, "kind", true, &["battery", "mains"]);
    let source = match kind {
        Some("battery") => {
            let capacity = t.f64(cx, "capacity_mah", true, 1.0, 10_000_000.0);
            let initial =
                t.field(cx, "initial_charge_pct", false, "a percentage or [min, max] percentages (0 to 100)", |v| {
                    let pair = match v {
                        DeValue::Array(a) if a.len() == 2 => (as_f64(a[0].get_ref())?, as_f64(a[1].get_ref())?),
                        DeValue::Array(_) => {
                            return Err("an array must hold exactly [min, max]".into());
                        }
                        other => {
                            let x = as_f64(other)?;
                            (x, x)
                        }
                    };
                    if pair.0 < 0.0 || pair.1 > 100.0 || pair.0 > pair.1 {
                        Err(format!("[{}, {}] is not a valid range", pair.0, pair.1))
                    } else {
                        Ok(pair)
                    }
                });
            let sd = t.f64(cx, "self_discharge_pct_per_year", false, 0.0, 100.0).or(Some(1.0));
            let low = t.f64(cx, "low_battery_pct", false, 0.0, 100.0).or(Some(0.0));
            let low_reboots = t.f64(cx, "low_battery_reboots_per_day", false, 0.0, 100_000.0).or(Some(0.0));
            Some(PowerSource::Battery {
                capacity_mah: capacity?,
                initial_charge_pct: initial.unwrap_or((100.0, 100.0)),
                self_discharge_pct_per_year: sd?,
                low_battery_pct: low?,
                low_battery_reboots_per_day: low_reboots?,
            })
        }
        Some("mains") => {
            let outages = t.f64(cx, "outages_per_year", false, 0.0, 1000.0).or(Some(0.0));
            let mean = t
                .duration(
                    cx,
                    "mean_outage",
                    false,
                    SimDuration::from_secs(1),
                    SimDuration(30 * crate::time::US_PER_DAY),
                )
                .or(Some(SimDuration::from_secs(7200)));
            let sigma = t.f64(cx, "outage_sigma_ln", false, 0.0, 4.0).or(Some(1.2));
            let sags = t.f64(cx, "sags_per_year", false, 0.0, 100_000.0).or(Some(0.0));
            let reset = t.prob(cx, "reset_probability", false).or(Some(0.3));
            Some(PowerSource::Mains {
                outages_per_year: outages?,
                mean_outage: mean?,
                outage_sigma_ln: sigma?,
                sags_per_year: sags?,
                reset_probability: reset?,
            })
        }
        _ => None,
    };
    let currents = match t.sub(cx, "currents_ma", false, "") {
        None => Some(Currents { sleep_ma: 0.0, sample_ma: 0.0, tx_ma: 0.0, rx_ma: 0.0 }),
        Some(mut c) => {
            let sleep = c.f64(cx, "sleep", false, 0.0, 100_000.0).or(Some(0.0));
            let sample = c.f64(cx, "sample", false, 0.0, 100_000.0).or(Some(0.0));
            let tx = c.f64(cx, "tx", false, 0.0, 100_000.0).or(Some(0.0));
            let rx = c.f64(cx, "rx", false, 0.0, 100_000.0).or(Some(0.0));
            c.finish(cx);
            Some(Currents { sleep_ma: sleep?, sample_ma: sample?, tx_ma: tx?, rx_ma: rx? })
        }
    };
    let sample_ms = t.f64(cx, "sample_ms", false, 0.0, 3_600_000.0).or(Some(0.0));
    t.finish(cx);
    Some(PowerProfile { name, source: source?, currents: currents?, sample_ms: sample_ms? })
}

fn lookup(cx: &mut Ctx, t: &mut Tbl<'_, '_>, key: &'static str, names: &[&str], kind: &str) -> Option<usize> {
    let v = t.get(key)?;
    let Ok(name) = as_str(v.get_ref()) else {
        cx.error(
            v.span(),
            &join(&t.path, key),
            format!("expected the name of a {kind} profile (a string), found {}", type_name(v.get_ref())),
        );
        return None;
    };
    match names.iter().position(|n| *n == name) {
        Some(i) => Some(i),
        None => {
            let hint = match did_you_mean(name, names.iter().copied()) {
                Some(m) => format!("did you mean \"{m}\"?"),
                None => format!("defined: {}", if names.is_empty() { "none".to_string() } else { names.join(", ") }),
            };
            cx.error(v.span(), &join(&t.path, key), format!("no {kind} profile named \"{name}\" ({hint})"));
            None
        }
    }
}

fn read_class(
    cx: &mut Ctx,
    mut t: Tbl<'_, '_>,
    name: String,
    sites: &[String],
    nets: &[&str],
    powers: &[&str],
) -> Option<DeviceClass> {
    let count = t.u64(cx, "count", true, 1, MAX_DEVICES);
    let site_idx = t.field(cx, "sites", true, "an array of site ids", |v| match v {
        DeValue::Array(a) if !a.is_empty() => a
            .iter()
            .map(|s| {
                let id = as_str(s.get_ref())?;
                sites.iter().position(|x| x == id).ok_or_else(|| {
                    match did_you_mean(id, sites.iter().map(String::as_str)) {
                        Some(m) => format!("no site \"{id}\" (did you mean \"{m}\"?)"),
                        None => format!("no site \"{id}\" (defined: {})", sites.join(", ")),
                    }
                })
            })
            .collect(),
        DeValue::Array(_) => Err("the list is empty".into()),
        other => Err(format!("found {}", type_name(other))),
    });
    if !t.map.contains_key("network") {
        t.missing(cx, "network", "the name of a [network.NAME] profile");
    }
    let network = lookup(cx, &mut t, "network", nets, "network");
    if !t.map.contains_key("power") {
        t.missing(cx, "power", "the name of a [power.NAME] profile");
    }
    let power = lookup(cx, &mut t, "power", powers, "power");
    let telemetry = match t.sub(cx, "telemetry", true, "a table with period and payload_bytes") {
        None => None,
        Some(mut tm) => {
            let period = tm.duration(
                cx,
                "period",
                true,
                SimDuration(100 * crate::time::US_PER_MS),
                SimDuration(7 * crate::time::US_PER_DAY),
            );
            let jitter = tm.duration(cx, "jitter", false, MIN_D, SimDuration(crate::time::US_PER_DAY)).or(Some(MIN_D));
            let payload = tm.u64(cx, "payload_bytes", false, 1, 1_000_000).or(Some(50));
            if let (Some(p), Some(j)) = (period, jitter)
                && j.0 * 2 >= p.0
            {
                cx.error(
                    tm.span_of("jitter"),
                    &join(&tm.path, "jitter"),
                    format!("jitter ({j}) must be less than half the period ({p})"),
                );
            }
            tm.finish(cx);
            Some(Telemetry { period: period?, jitter: jitter?, payload_bytes: payload? as u32 })
        }
    };
    let buffer = match t.sub(cx, "buffer", false, "") {
        None => Some(Buffer {
            capacity: 1,
            policy: OverflowPolicy::DropOldest,
            storage: BufferStorage::Ram,
            flush_per_tick: 1,
        }),
        Some(mut b) => {
            let capacity = b.u64(cx, "capacity", true, 1, 100_000_000);
            let policy = b
                .choice(cx, "policy", false, &["drop-oldest", "drop-newest"])
                .map(|p| if p == "drop-oldest" { OverflowPolicy::DropOldest } else { OverflowPolicy::DropNewest });
            let storage = b
                .choice(cx, "storage", false, &["ram", "flash"])
                .map(|s| if s == "ram" { BufferStorage::Ram } else { BufferStorage::Flash });
            let flush = b.u64(cx, "flush_per_tick", false, 1, 100_000).or(Some(20));
            b.finish(cx);
            Some(Buffer {
                capacity: capacity? as u32,
                policy: policy.unwrap_or(OverflowPolicy::DropOldest),
                storage: storage.unwrap_or(BufferStorage::Ram),
                flush_per_tick: flush? as u32,
            })
        }
    };
    let reboots = t.f64(cx, "reboots_per_day", false, 0.0, 100_000.0).or(Some(0.0));
    let afr = t.f64(cx, "afr_pct", false, 0.0, 100.0).or(Some(0.0));
    t.finish(cx);
    Some(DeviceClass {
        name,
        count: count? as u32,
        sites: site_idx?,
        network: network?,
        power: power?,
        telemetry: telemetry?,
        buffer: buffer?,
        reboots_per_day: reboots?,
        afr_pct: afr?,
    })
}

fn read_backend(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Backend> {
    let mut b = Backend { connects_per_s: None, publishes_per_s: None, reconnect_window: SimDuration::from_secs(30) };
    let Some(mut s) = t.sub(cx, "backend", false, "") else {
        return Some(b);
    };
    b.connects_per_s = s.f64(cx, "connects_per_s", false, 0.001, 1e9);
    b.publishes_per_s = s.f64(cx, "publishes_per_s", false, 0.001, 1e9);
    let window = s.duration(cx, "reconnect_window", false, MIN_D, SimDuration(crate::time::US_PER_DAY));
    s.finish(cx);
    if let Some(w) = window {
        b.reconnect_window = w;
    }
    Some(b)
}

fn read_maintenance(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Maintenance> {
    let mut m = Maintenance {
        enabled: false,
        detection_delay: SimDuration(crate::time::US_PER_DAY),
        truck_roll_response: SimDuration(2 * crate::time::US_PER_DAY),
    };
    let Some(mut s) = t.sub(cx, "maintenance", false, "") else {
        return Some(m);
    };
    m.enabled = s.bool(cx, "enabled", false).unwrap_or(true);
    if let Some(d) = s.duration(cx, "detection_delay", false, MIN_D, SimDuration(365 * crate::time::US_PER_DAY)) {
        m.detection_delay = d;
    }
    if let Some(d) = s.duration(cx, "truck_roll_response", false, MIN_D, SimDuration(365 * crate::time::US_PER_DAY)) {
        m.truck_roll_response = d;
    }
    s.finish(cx);
    Some(m)
}

fn read_events(
    cx: &mut Ctx,
    t: &mut Tbl<'_, '_>,
    sites: &[Option<Site>],
    duration: Option<SimDuration>,
) -> Option<Vec<Event>> {
    let Some(v) = t.get("event") else {
        return Some(Vec::new());
    };
    let DeValue::Array(items) = v.get_ref() else {
        cx.error(
            v.span(),
            "event",
            format!("expected an array of tables ([[event]]), found {}", type_name(v.get_ref())),
        );
        return None;
    };
    let site_ids: Vec<&str> = sites.iter().map(|s| s.as_ref().map_or("", |s| s.id.as_str())).collect();
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Some(mut e) = Tbl::open(cx, format!("event[{i}]"), "event[]".into(), item) else {
            ok = false;
            continue;
        };
        let at = e.duration(cx, "at", true, MIN_D, MAX_DURATION);
        if let (Some(at), Some(d)) = (at, duration)
            && at >= d
        {
            let span = e.map.get("at").map(|v| v.span()).unwrap_or(e.span.clone());
            cx.error(span, &format!("event[{i}].at"), format!("the event at {at} is after the end of the run ({d})"));
        }
        let kind = e.choice(cx, "kind", true, &["site-outage", "gateway-outage", "power-outage", "brownout"]);
        let site = match e.get("site") {
            None => {
                e.missing(cx, "site", "the id of a [[site]]");
                None
            }
            Some(sv) => match as_str(sv.get_ref()) {
                Ok(id) => match site_ids.iter().position(|s| *s == id) {
                    Some(i) => Some(i),
                    None => {
                        let hint = did_you_mean(id, site_ids.iter().copied())
                            .map(|m| format!(" (did you mean \"{m}\"?)"))
                            .unwrap_or_default();
                        cx.error(sv.span(), &format!("event[{i}].site"), format!("no site \"{id}\"{hint}"));
                        None
                    }
                },
                Err(m) => {
                    cx.error(sv.span(), &format!("event[{i}].site"), format!("{m}; expected a site id"));
                    None
                }
            },
        };
        let caption = e.string(cx, "caption", false).unwrap_or_default();
        let long = SimDuration(365 * crate::time::US_PER_DAY);
        let kind = match kind {
            Some("brownout") => e
                .prob(cx, "reset_probability", false)
                .or(Some(0.3))
                .and_then(|p| Some(EventKind::Brownout { site: site?, reset_probability: p })),
            Some("gateway-outage") => {
                let gw = e.u64(cx, "gateway", true, 0, 9_999);
                let d = e.duration(cx, "duration", true, SimDuration(1), long);
                if let (Some(g), Some(s)) = (gw, site)
                    && let Some(Some(site)) = sites.get(s)
                    && g >= site.gateways as u64
                {
                    cx.error(
                        e.span_of("gateway"),
                        &format!("event[{i}].gateway"),
                        format!("site \"{}\" has {} gateway(s), numbered from 0", site.id, site.gateways),
                    );
                }
                match (site, gw, d) {
                    (Some(site), Some(g), Some(duration)) => {
                        Some(EventKind::GatewayOutage { site, gateway: g as u32, duration })
                    }
                    _ => None,
                }
            }
            Some(k) => {
                let d = e.duration(cx, "duration", true, SimDuration(1), long);
                match (site, d) {
                    (Some(site), Some(duration)) if k == "site-outage" => {
                        Some(EventKind::SiteOutage { site, duration })
                    }
                    (Some(site), Some(duration)) => Some(EventKind::PowerOutage { site, duration }),
                    _ => None,
                }
            }
            None => None,
        };
        e.finish(cx);
        match (at, kind) {
            (Some(at), Some(kind)) => out.push(Event { at, kind, caption }),
            _ => ok = false,
        }
    }
    out.sort_by_key(|e| e.at);
    ok.then_some(out)
}
