//! Typed, spanned reading of TOML files (scenarios and price books): a `Ctx` collects every
//! problem with file, line, column and field path; a `Tbl` is the typed view of one table whose
//! `finish` reports unknown keys with a "did you mean" hint; `apply_override` applies `--set`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Diagnostics, Hints, did_you_mean};
use crate::time::{SimDuration, parse_duration};

// ---------------------------------------------------------------------------------------------
// Context: diagnostics and positions

pub(crate) struct Ctx {
    pub(crate) file: String,
    pub(crate) line_starts: Vec<usize>,
    /// Characters in `bytes[..i * CHAR_MARK_STRIDE]`, for each i: a column costs at most one
    /// stride of counting, however long its line.
    char_marks: Vec<usize>,
    pub(crate) bytes: Vec<u8>,
    pub(crate) diags: Vec<(usize, Diagnostic)>,
    /// (path, original `--set` text) of every override applied, and of every table an override
    /// created on its way (so the problems of a table it made up are shown as its own).
    pub(crate) overridden: Vec<(String, String)>,
    /// Tables an override made up: (path, `--set` text, the path it most likely meant or the
    /// names the file has there). A misspelt one, or one that cannot stand (a required field
    /// missing), is reported as one problem instead of its fields'.
    created: Vec<(String, String, Result<String, String>)>,
    pub(crate) known: BTreeMap<String, BTreeSet<&'static str>>,
    /// The "did you mean" budget of this file (shared with closures that cannot borrow `Ctx`).
    pub(crate) hints: std::rc::Rc<Hints>,
}

const CHAR_MARK_STRIDE: usize = 4096;

/// Characters in a UTF-8 slice: the bytes that do not continue a character.
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl Ctx {
    pub(crate) fn new(file: &str, bytes: &[u8]) -> Ctx {
        let mut line_starts = vec![0];
        line_starts.extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        let mut char_marks = vec![0];
        for chunk in bytes.chunks_exact(CHAR_MARK_STRIDE) {
            char_marks.push(char_marks.last().expect("starts at 0") + char_count(chunk));
        }
        Ctx {
            file: file.to_string(),
            line_starts,
            char_marks,
            bytes: bytes.to_vec(),
            diags: Vec::new(),
            overridden: Vec::new(),
            created: Vec::new(),
            known: BTreeMap::new(),
            hints: Default::default(),
        }
    }

    pub(crate) fn error(&mut self, span: Range<usize>, path: &str, message: String) {
        let from_override = self.overridden.iter().rev().find(|(p, _)| is_under(path, p)).map(|(_, o)| o.clone());
        let (line, column) = if from_override.is_some() { (0, 0) } else { self.line_col(span.start) };
        let sort_key = if from_override.is_some() { usize::MAX } else { span.start };
        self.diags.push((
            sort_key,
            Diagnostic { file: self.file.clone(), line, column, path: path.to_string(), message, from_override },
        ));
    }

    /// 1-based line and column (in characters) of a byte offset. Offsets are those of the
    /// parsed text, so the bytes before them are valid UTF-8.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.chars_before(offset) - self.chars_before(start) + 1;
        (line, column)
    }

    fn chars_before(&self, offset: usize) -> usize {
        let mark = offset / CHAR_MARK_STRIDE;
        self.char_marks[mark] + char_count(&self.bytes[mark * CHAR_MARK_STRIDE..offset])
    }

    pub(crate) fn finish(mut self) -> Diagnostics {
        // A misspelt `--set` path made up a table (`fleet.vibraton`): its problems (missing
        // fields, unknown keys) are echoes of the misspelling, so they become one diagnostic.
        for (path, text, meant) in std::mem::take(&mut self.created) {
            let under = |d: &Diagnostic| d.from_override.as_deref() == Some(text.as_str()) && is_under(&d.path, &path);
            let made_up = match &meant {
                Ok(_) => self.diags.iter().any(|(_, d)| under(d)),
                Err(_) => self.diags.iter().any(|(_, d)| under(d) && d.message.starts_with("missing required field")),
            };
            if made_up {
                self.diags.retain(|(_, d)| !under(d));
                let hint = match meant {
                    Ok(m) => format!("did you mean `{m}`?"),
                    Err(names) => format!("the file has: {names}"),
                };
                self.error(0..0, &path, format!("the file has no `{path}`, so the override made it up ({hint})"));
            }
        }
        self.diags.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
        self.diags.dedup_by(|a, b| a.1 == b.1);
        Diagnostics(self.diags.into_iter().map(|(_, d)| d).collect())
    }
}

/// Whether the field `path` is `prefix` or lies inside it (`a.b`, `a.b.c`, `a.b[0]`).
pub(crate) fn is_under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// Parses a TOML document, reporting invalid UTF-8, an empty file (`empty_hint` says what
/// belongs in it) or the first syntax error.
pub(crate) fn parse_document<'i>(cx: &mut Ctx, bytes: &'i [u8], empty_hint: &str) -> Option<Spanned<DeTable<'i>>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            cx.error(
                at..at,
                "",
                format!("the file is not valid UTF-8 (byte 0x{:02x} at offset {at}); save it as UTF-8", bytes[at]),
            );
            return None;
        }
    };
    if text.trim().is_empty() {
        cx.error(0..0, "", format!("the file is empty; {empty_hint}"));
        return None;
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
        return None;
    }
    Some(root)
}

/// The value at a dotted `path` (`fleet.vibration.count`, array items by index:
/// `hardware.x.tiers.3.price`), or what stands in the way.
pub(crate) fn value_at<'a, 'i>(root: &'a DeTable<'i>, path: &str) -> Result<&'a DeValue<'i>, String> {
    let segs: Vec<&str> = path.split('.').collect();
    let mut table = root;
    let mut i = 0;
    loop {
        let item = table.get(segs[i]).ok_or_else(|| format!("`{path}`: nothing at `{}`", segs[i]))?;
        let mut cur = item.get_ref();
        if let DeValue::Array(a) = cur
            && let Some(idx) = segs.get(i + 1).and_then(|x| x.parse::<usize>().ok())
        {
            cur = a.get(idx).ok_or_else(|| format!("`{path}`: index {idx} is out of range"))?.get_ref();
            i += 1;
        }
        i += 1;
        if i == segs.len() {
            return Ok(cur);
        }
        match cur {
            DeValue::Table(t) => table = t,
            _ => return Err(format!("`{path}`: `{}` is not a table", segs[i - 1])),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `--set path=value`

pub(crate) fn apply_override<'i>(cx: &mut Ctx, root: &mut DeTable<'i>, text: &'i str) {
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
    cx.overridden.push((normalized.clone(), text.to_string()));
    // A value that parses as TOML keeps its type; anything else is taken as a string, so
    // `scenario.duration=30d` works without quotes.
    let value: DeValue<'i> = match DeValue::parse(value_text) {
        Ok(v) => v.into_inner(),
        Err(_) => DeValue::String(Cow::Borrowed(value_text)),
    };
    let segments: Vec<&str> = path.split('.').collect();
    if path.is_empty() || segments.iter().any(|s| s.is_empty()) {
        cx.error(0..0, &normalized, "an override needs a dotted field path, e.g. fleet.sensors.count".into());
        return;
    }
    let mut table: &mut DeTable<'i> = root;
    // The path of `table` as diagnostics write it.
    let mut here = String::new();
    let mut i = 0;
    loop {
        let seg = segments[i];
        let at = join(&here, seg);
        if i + 1 == segments.len() {
            table.insert(Spanned::new(0..0, Cow::Owned(seg.to_string())), Spanned::new(0..0, value));
            return;
        }
        if table.get(seg).is_none() {
            // A table the file does not have: its problems are this override's. When its name
            // is close to one the file has, it is most likely a misspelling of it.
            cx.overridden.push((at.clone(), text.to_string()));
            let keys = || table.keys().map(|k| k.get_ref().as_ref());
            let meant = cx.hints.suggest(seg, keys()).map(|m| join(&here, m)).ok_or_else(|| {
                let names: Vec<&str> = keys().take(10).collect();
                let more = table.len().saturating_sub(names.len());
                let names = if names.is_empty() { "nothing".to_string() } else { names.join(", ") };
                if more > 0 { format!("{names} and {more} more") } else { names }
            });
            cx.created.push((at.clone(), text.to_string(), meant));
            table.insert(
                Spanned::new(0..0, Cow::Owned(seg.to_string())),
                Spanned::new(0..0, DeValue::Table(DeTable::new())),
            );
        }
        let entry = table.get_mut(seg).expect("inserted above");
        match entry.get_mut() {
            DeValue::Table(t) => {
                table = t;
                here = at;
                i += 1;
            }
            DeValue::Array(items) if segments[i + 1].parse::<usize>().is_ok() => {
                let idx: usize = segments[i + 1].parse().expect("checked above");
                let n_items = items.len();
                let Some(item) = items.get_mut(idx) else {
                    cx.error(0..0, &normalized, format!("index {idx} is out of range: `{seg}` has {n_items} entries"));
                    return;
                };
                if i + 2 == segments.len() {
                    *item = Spanned::new(0..0, value);
                    return;
                }
                match item.get_mut() {
                    DeValue::Table(t) => table = t,
                    _ => {
                        cx.error(0..0, &normalized, format!("`{seg}[{idx}]` is not a table"));
                        return;
                    }
                }
                here = format!("{at}[{idx}]");
                i += 2;
            }
            _ => {
                cx.error(0..0, &normalized, format!("`{seg}` is not a table, so `{path}` cannot be set"));
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Typed access to one table

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

pub(crate) struct Tbl<'a, 'i> {
    pub(crate) path: String,
    pub(crate) pattern: String,
    pub(crate) span: Range<usize>,
    pub(crate) map: &'a DeTable<'i>,
    pub(crate) known: Vec<&'static str>,
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
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
    pub(crate) fn new(path: String, pattern: String, span: Range<usize>, map: &'a DeTable<'i>) -> Self {
        Tbl { path, pattern, span, map, known: Vec::new() }
    }

    /// Opens `v` as a table, or reports what it is instead.
    pub(crate) fn open(cx: &mut Ctx, path: String, pattern: String, v: &'a Value<'i>) -> Option<Self> {
        match v.get_ref() {
            DeValue::Table(t) => Some(Tbl::new(path, pattern, v.span(), t)),
            other => {
                cx.error(v.span(), &path, format!("expected a table, found {}", type_name(other)));
                None
            }
        }
    }

    /// Reads this table with `body`, then reports its unknown keys, however `body` ends (a `?`
    /// in it ends the body, not the check): the only way a table is checked, so no reader can
    /// skip it. A body reads every field before it bails, or the fields after the bail would
    /// be reported as unknown.
    pub(crate) fn read<T>(mut self, cx: &mut Ctx, body: impl FnOnce(&mut Ctx, &mut Self) -> Option<T>) -> Option<T> {
        let out = body(cx, &mut self);
        self.finish(cx);
        out
    }

    /// Accepts `keys` without reading them: the fields of every variant, when the field that
    /// chooses the variant (`kind`, `model`) is missing or invalid, so that an invalid choice
    /// is one problem, not one per field that belongs to the intended variant.
    pub(crate) fn allow(&mut self, keys: &[&'static str]) {
        self.known.extend_from_slice(keys);
    }

    pub(crate) fn get(&mut self, key: &'static str) -> Option<&'a Value<'i>> {
        self.known.push(key);
        self.map.get(key)
    }

    /// The span of `key`'s value, or of the table when the key is absent.
    pub(crate) fn span_of(&self, key: &str) -> Range<usize> {
        self.map.get(key).map_or(self.span.clone(), |v| v.span())
    }

    pub(crate) fn missing(&self, cx: &mut Ctx, key: &str, what: &str) {
        cx.error(self.span.clone(), &join(&self.path, key), format!("missing required field `{key}` ({what})"));
    }

    /// A required or optional value converted by `conv`; `what` describes what is allowed.
    pub(crate) fn field<T>(
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

    pub(crate) fn f64(&mut self, cx: &mut Ctx, key: &'static str, required: bool, min: f64, max: f64) -> Option<f64> {
        let what = format!("a number from {min} to {max}");
        self.field(cx, key, required, &what, |v| {
            let x = as_f64(v)?;
            if x.is_nan() || x < min || x > max { Err(format!("{x} is out of range")) } else { Ok(x) }
        })
    }

    pub(crate) fn prob(&mut self, cx: &mut Ctx, key: &'static str, required: bool) -> Option<f64> {
        self.field(cx, key, required, "a probability from 0 to 1", |v| {
            let x = as_f64(v)?;
            if (0.0..=1.0).contains(&x) { Ok(x) } else { Err(format!("{x} is not a probability")) }
        })
    }

    pub(crate) fn u64(&mut self, cx: &mut Ctx, key: &'static str, required: bool, min: u64, max: u64) -> Option<u64> {
        let what = format!("an integer from {min} to {max}");
        self.field(cx, key, required, &what, |v| {
            let x = as_i128(v)?;
            if x < min as i128 || x > max as i128 { Err(format!("{x} is out of range")) } else { Ok(x as u64) }
        })
    }

    pub(crate) fn string(&mut self, cx: &mut Ctx, key: &'static str, required: bool) -> Option<String> {
        self.field(cx, key, required, "a string", |v| as_str(v).map(str::to_string))
    }

    pub(crate) fn choice(
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

    pub(crate) fn duration(
        &mut self,
        cx: &mut Ctx,
        key: &'static str,
        required: bool,
        min: SimDuration,
        max: SimDuration,
    ) -> Option<SimDuration> {
        let what = format!(
            "a duration from \"{min}\" to \"{max}\" like \"30s\", \"5min\", \"2h\" or \"1d12h\" (units: {})",
            crate::time::DURATION_UNITS
        );
        self.field(cx, key, required, &what, |v| {
            let s = match v {
                DeValue::String(s) => s.as_ref(),
                DeValue::Integer(_) | DeValue::Float(_) => {
                    return Err(format!(
                        "a bare number ({0}) has no unit: write it as a string, e.g. \"{0}s\"",
                        v_display(v)
                    ));
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

    pub(crate) fn bool(&mut self, cx: &mut Ctx, key: &'static str, required: bool) -> Option<bool> {
        self.field(cx, key, required, "true or false", |v| match v {
            DeValue::Boolean(b) => Ok(*b),
            other => Err(format!("found {}", type_name(other))),
        })
    }

    pub(crate) fn sub(&mut self, cx: &mut Ctx, key: &'static str, required: bool, what: &str) -> Option<Tbl<'a, 'i>> {
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

    /// Reports keys that were never asked for, with a "did you mean" hint: a key of this table,
    /// or else a key of a table below it that this file has (`period` written in a class
    /// instead of its `telemetry`).
    fn finish(self, cx: &mut Ctx) {
        let entry = cx.known.entry(self.pattern.clone()).or_default();
        entry.extend(self.known.iter().copied());
        for (k, v) in self.map.iter() {
            let key = k.get_ref().as_ref();
            if self.known.contains(&key) {
                continue;
            }
            let hint = match cx.hints.suggest(key, self.known.iter().copied()) {
                Some(m) => format!(" (did you mean `{m}`?)"),
                None => match deeper_key(cx, &self.pattern, key) {
                    Some(m) => format!(" (did you mean `{}`?)", join(&self.path, &m)),
                    None => {
                        let mut names = self.known.clone();
                        names.sort_unstable();
                        names.dedup();
                        format!(" (allowed here: {})", names.join(", "))
                    }
                },
            };
            let span = if k.span().end > 0 { k.span() } else { v.span() };
            cx.error(span, &join(&self.path, key), format!("unknown field `{key}`{hint}"));
        }
    }
}

/// The key of a fixed sub-table of `pattern` (`telemetry.period` for `fleet.*`) closest to
/// `key`, among the sub-tables read so far, as a path relative to the table.
fn deeper_key(cx: &Ctx, pattern: &str, key: &str) -> Option<String> {
    let mut candidates: Vec<(String, &'static str)> = Vec::new();
    let prefix = if pattern.is_empty() { String::new() } else { format!("{pattern}.") };
    for (p, keys) in cx.known.range(prefix.clone()..) {
        let Some(rel) = p.strip_prefix(&prefix) else { break };
        // Only tables with fixed names can be written as a path.
        if rel.contains(['*', '[']) || rel.is_empty() {
            continue;
        }
        candidates.extend(keys.iter().map(|k| (rel.to_string(), *k)));
    }
    let found = cx.hints.suggest(key, candidates.iter().map(|(_, k)| *k))?;
    candidates.iter().find(|(_, k)| *k == found).map(|(rel, k)| format!("{rel}.{k}"))
}

pub(crate) fn v_display(v: &DeValue<'_>) -> String {
    match v {
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::String(s) => format!("\"{s}\""),
        other => type_name(other).to_string(),
    }
}

pub(crate) fn as_i128(v: &DeValue<'_>) -> Result<i128, String> {
    match v {
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix())
            .map_err(|_| format!("{} is not a representable integer", i.as_str())),
        DeValue::Float(f) => Err(format!("{} is not a whole number", f.as_str())),
        other => Err(format!("found {}", type_name(other))),
    }
}

pub(crate) fn as_f64(v: &DeValue<'_>) -> Result<f64, String> {
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

pub(crate) fn as_str<'v>(v: &'v DeValue<'_>) -> Result<&'v str, String> {
    match v {
        DeValue::String(s) => Ok(s.as_ref()),
        other => Err(format!("found {}", type_name(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_on_long_lines() {
        // Multi-byte characters straddling the marks, on lines longer than a stride: the column
        // is the character count from the line start, as a plain count would give.
        let mut text = String::new();
        for i in 0..3 * CHAR_MARK_STRIDE {
            text.push(if i % 3 == 0 {
                'é'
            } else if i % 7 == 0 {
                '😀'
            } else {
                'a'
            });
            if i % 5_000 == 4_999 {
                text.push('\n');
            }
        }
        let cx = Ctx::new("f", text.as_bytes());
        for (offset, _) in text.char_indices().step_by(97) {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let line = text[..offset].matches('\n').count() + 1;
            assert_eq!(cx.line_col(offset), (line, text[start..offset].chars().count() + 1), "at {offset}");
        }
        assert_eq!(cx.line_col(text.len()).0, text.matches('\n').count() + 1);
    }
}
