//! The price book reader: TOML with spans -> a validated [`PriceBook`], every problem reported
//! with its location (the format is described in `book.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::book::*;
use super::{Money, parse_decimal_micros};
use crate::diagnostic::Diagnostics;
use crate::text::thousands;
use crate::tomlread::*;

/// Whether `s` is a web address a reader can open: `https://` or `http://`, a host, no spaces.
fn is_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty() && !r.starts_with('/') && !r.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// Parses and validates a price book, with the scenario's price overrides applied.
pub fn parse_price_book(src: &PriceBookSource<'_>) -> Result<PriceBook, Diagnostics> {
    let mut cx = Ctx::new(src.file, src.bytes);
    // A price written as a table keeps its `per`, source and unit: an override replaces its
    // `price`. Which paths are tables is read from a first, throw-away parse.
    let plain = std::str::from_utf8(src.bytes).ok().and_then(|t| DeTable::parse(t).ok());
    let texts: Vec<String> = src
        .overrides
        .iter()
        .map(|o| match (o.split_once('='), &plain) {
            (Some((path, value)), Some(t)) if is_price_table(t.get_ref(), path.trim()) => {
                format!("{}.price={}", path.trim(), value.trim())
            }
            _ => o.clone(),
        })
        .collect();
    let overridden: Vec<String> =
        src.overrides.iter().map(|o| o.split_once('=').map_or(String::new(), |(p, _)| p.trim().to_string())).collect();
    let Some(mut root) = parse_document(&mut cx, src.bytes, "a price book starts with `schema = 1` and a [book] table")
    else {
        return Err(cx.finish());
    };
    for text in &texts {
        apply_override(&mut cx, root.get_mut(), text.as_str());
    }
    let mut r = Reader { lines: Vec::new(), overridden, override_source: src.override_source.to_string() };
    let book = r.root(&mut cx, root.get_ref());
    let mut diags = cx.finish();
    // A diagnostic names the override as the user wrote it, not as rewritten for a price table.
    for d in &mut diags.0 {
        if let Some(i) = d.from_override.as_ref().and_then(|o| texts.iter().position(|t| t == o)) {
            d.from_override = Some(src.overrides[i].clone());
        }
    }
    match book {
        Some(b) if diags.0.is_empty() => Ok(b),
        _ => Err(diags),
    }
}

/// The keys the reader accepts under each table pattern it read (for the schema consistency
/// test). Patterns use `*` for names and `[]` for array items.
pub fn known_keys(src: &PriceBookSource<'_>) -> BTreeMap<String, BTreeSet<&'static str>> {
    let mut cx = Ctx::new(src.file, src.bytes);
    if let Ok(text) = std::str::from_utf8(src.bytes)
        && let Ok(root) = DeTable::parse(text)
    {
        let mut r = Reader { lines: Vec::new(), overridden: Vec::new(), override_source: String::new() };
        r.root(&mut cx, root.get_ref());
    }
    cx.known
}

fn is_price_table(root: &DeTable<'_>, path: &str) -> bool {
    matches!(value_at(root, path), Ok(DeValue::Table(t)) if t.contains_key("price"))
}

/// Where the prices of a section come from.
#[derive(Clone, Default)]
struct Src {
    source: Option<String>,
    as_of: Option<String>,
    /// The source's public page; it belongs to `source` and is inherited with it only.
    url: Option<String>,
    /// `source` or `as_of` is written but invalid (reported there): its prices are not also
    /// reported as having none.
    broken: bool,
}

struct Reader {
    lines: Vec<PriceLine>,
    overridden: Vec<String>,
    override_source: String,
}

fn read_src(cx: &mut Ctx, t: &mut Tbl<'_, '_>, inherit: &Src) -> Src {
    let own_source = t.string(cx, "source", false);
    let own_as_of = t.string(cx, "as_of", false);
    let broken = inherit.broken
        || (own_source.is_none() && t.map.contains_key("source"))
        || (own_as_of.is_none() && t.map.contains_key("as_of"));
    let own_url = t.string(cx, "url", false);
    if let Some(u) = &own_url
        && !is_url(u)
    {
        cx.error(
            t.span_of("url"),
            &join(&t.path, "url"),
            format!("\"{u}\" is not a web address: a url starts with https:// or http:// and has no spaces"),
        );
    }
    // A price that names its own source does not take the page of its section's.
    let url = if own_source.is_some() { own_url } else { own_url.or_else(|| inherit.url.clone()) };
    let source = own_source.or_else(|| inherit.source.clone());
    let as_of = own_as_of.or_else(|| inherit.as_of.clone());
    if let Some(d) = &as_of
        && !is_iso_date(d)
    {
        cx.error(t.span_of("as_of"), &join(&t.path, "as_of"), format!("\"{d}\" is not a date like \"2026-11-01\""));
    }
    Src { source, as_of, url, broken }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

fn money_of(v: &DeValue<'_>) -> Result<Money, String> {
    let text = match v {
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::String(s) => s.to_string(),
        other => return Err(format!("found {}", type_name(other))),
    };
    let m = parse_decimal_micros(&text)?;
    if m < 0 { Err(format!("{text} is negative")) } else { Ok(Money(m)) }
}

fn per_text(per: u64) -> String {
    if per == 1 { String::new() } else { format!(" per {}", thousands(per)) }
}

/// The items of the array of tables at `key`, each opened as a table (None for an item that is
/// not one, already reported); None after reporting a missing, non-array or empty field.
fn table_items<'a, 'i>(
    cx: &mut Ctx,
    t: &mut Tbl<'a, 'i>,
    key: &'static str,
    noun: &str,
    what: &str,
) -> Option<Vec<Option<Tbl<'a, 'i>>>> {
    let path = join(&t.path, key);
    let Some(v) = t.get(key) else {
        t.missing(cx, key, what);
        return None;
    };
    let DeValue::Array(items) = v.get_ref() else {
        cx.error(v.span(), &path, format!("found {}; expected {what}", type_name(v.get_ref())));
        return None;
    };
    if items.is_empty() {
        cx.error(v.span(), &path, format!("no {noun}; expected {what}"));
        return None;
    }
    let pattern = format!("{}[]", join(&t.pattern, key));
    Some(
        items
            .iter()
            .enumerate()
            .map(|(i, item)| Tbl::open(cx, format!("{path}[{i}]"), pattern.clone(), item))
            .collect(),
    )
}

const PRICE_WHAT: &str =
    "a price: a number, or { price = 0.08, per = 1_000_000, source = \"...\", as_of = \"YYYY-MM-DD\" }";

impl Reader {
    fn record(&mut self, cx: &mut Ctx, path: &str, span: Range<usize>, price: String, src: &Src) {
        let overridden = self.overridden.iter().any(|o| o == path || path.starts_with(&format!("{o}.")));
        let (source, as_of, url) = if overridden {
            (format!("override in {}", self.override_source), src.as_of.clone().unwrap_or_default(), None)
        } else {
            match (&src.source, &src.as_of) {
                (Some(s), Some(d)) => (s.clone(), d.clone(), src.url.clone()),
                _ if src.broken => return,
                _ => {
                    cx.error(
                        span,
                        path,
                        "this price has no source or date: give it `source` and `as_of`, or give them to its section"
                            .into(),
                    );
                    return;
                }
            }
        };
        let assumption = !overridden && is_assumption(&source);
        self.lines.push(PriceLine { path: path.to_string(), price, source, as_of, url, assumption });
    }

    /// A required or optional price (`unit` describes what is metered, for the assumptions).
    fn rate(
        &mut self,
        cx: &mut Ctx,
        t: &mut Tbl<'_, '_>,
        key: &'static str,
        required: bool,
        src: &Src,
        unit: &str,
    ) -> Option<Rate> {
        let path = join(&t.path, key);
        let Some(v) = t.get(key) else {
            if required {
                t.missing(cx, key, PRICE_WHAT);
            }
            return None;
        };
        match v.get_ref() {
            DeValue::Table(_) => {
                let p = Tbl::open(cx, path.clone(), join(&t.pattern, key), v)?;
                let (rate, own) = p.read(cx, |cx, p| {
                    let amount = p.field(cx, "price", true, "a decimal amount with at most six decimals", money_of);
                    let per = p.u64(cx, "per", false, 1, u64::MAX).or(Some(1));
                    let own = read_src(cx, p, src);
                    Some((Rate { amount: amount?, per: per? }, own))
                })?;
                self.record(cx, &path, v.span(), format!("{}{} {unit}", rate.amount, per_text(rate.per)), &own);
                Some(rate)
            }
            other => match money_of(other) {
                Ok(amount) => {
                    let rate = Rate { amount, per: 1 };
                    self.record(cx, &path, v.span(), format!("{amount} {unit}"), src);
                    Some(rate)
                }
                Err(m) => {
                    cx.error(v.span(), &path, format!("{m}; expected {PRICE_WHAT}"));
                    None
                }
            },
        }
    }

    /// Graduated bands: `[{ up_to = N, price = .., per = .. }, ..., { price = .. }]`.
    fn bands(
        &mut self,
        cx: &mut Ctx,
        t: &mut Tbl<'_, '_>,
        key: &'static str,
        src: &Src,
        up_to_key: &'static str,
        unit: &str,
    ) -> Option<Vec<Band>> {
        let what = format!("an array of bands [{{ {up_to_key} = N, price = .. }}, ..., {{ price = .. }}]");
        let items = table_items(cx, t, key, "bands", &what)?;
        let n = items.len();
        let mut out = Vec::new();
        let mut ok = true;
        // The previous band's bound; None once a bound is invalid (reported), which orders nothing.
        let mut last_up_to = Some(0u64);
        for (i, b) in items.into_iter().enumerate() {
            let Some(b) = b else {
                ok = false;
                continue;
            };
            let (ipath, span) = (b.path.clone(), b.span.clone());
            let read = b.read(cx, |cx, b| {
                let up_to = b.u64(cx, up_to_key, false, 1, u64::MAX / BYTES_PER_MB_MAX);
                let amount = b.field(cx, "price", true, "a decimal amount with at most six decimals", money_of);
                let per = b.u64(cx, "per", false, 1, u64::MAX).or(Some(1));
                let own = read_src(cx, b, src);
                let given = b.map.contains_key(up_to_key);
                let order = match (up_to, i + 1 == n) {
                    (None, false) if !given => {
                        Err((span.clone(), ipath.clone(), format!("every band but the last needs `{up_to_key}`")))
                    }
                    (Some(u), _) if last_up_to.is_some_and(|l| u <= l) => Err((
                        b.span_of(up_to_key),
                        join(&ipath, up_to_key),
                        "bands must be in increasing order".to_string(),
                    )),
                    _ => Ok(()),
                };
                Some((up_to, given, amount, per, own, order))
            });
            let Some((up_to, given, amount, per, own, order)) = read else {
                ok = false;
                continue;
            };
            let is_last = i + 1 == n;
            if let Err((at, path, message)) = order {
                cx.error(at, &path, message);
                ok = false;
            }
            last_up_to = match (up_to, given) {
                (Some(u), _) => Some(u),
                (None, true) => None,
                (None, false) => Some(u64::MAX),
            };
            if let (Some(a), Some(p)) = (amount, per) {
                let rate = Rate { amount: a, per: p };
                let upto = up_to.map_or("above".to_string(), |u| format!("up to {}", thousands(u)));
                self.record(cx, &ipath, span, format!("{}{} {unit} ({upto})", a, per_text(p)), &own);
                out.push(Band { up_to: if is_last { None } else { up_to }, rate });
            } else {
                ok = false;
            }
        }
        ok.then_some(out)
    }

    /// All-units volume tiers: `[{ from = 1, price = .. }, { from = 1000, price = .. }]`.
    fn volume(
        &mut self,
        cx: &mut Ctx,
        t: &mut Tbl<'_, '_>,
        key: &'static str,
        src: &Src,
        unit: &str,
    ) -> Option<Vec<VolumeTier>> {
        let what = "an array of tiers [{ from = 1, price = .. }, { from = 1000, price = .. }, ...]";
        let items = table_items(cx, t, key, "tiers", what)?;
        let mut out: Vec<VolumeTier> = Vec::new();
        let mut ok = true;
        for (i, b) in items.into_iter().enumerate() {
            let Some(b) = b else {
                ok = false;
                continue;
            };
            let (ipath, span) = (b.path.clone(), b.span.clone());
            let from_span = b.span_of("from");
            let read = b.read(cx, |cx, b| {
                let from = b.u64(cx, "from", true, 1, u64::MAX);
                let amount = b.field(cx, "price", true, "a decimal amount with at most six decimals", money_of);
                let own = read_src(cx, b, src);
                Some((from, amount, own))
            });
            let Some((from, amount, own)) = read else {
                ok = false;
                continue;
            };
            if i == 0 && from.is_some_and(|f| f != 1) {
                cx.error(from_span.clone(), &join(&ipath, "from"), "the first tier must start at 1".into());
                ok = false;
            }
            if let (Some(f), Some(prev)) = (from, out.last())
                && f <= prev.from
            {
                cx.error(from_span, &join(&ipath, "from"), "tiers must be in increasing order".into());
                ok = false;
            }
            match (from, amount) {
                (Some(f), Some(a)) => {
                    self.record(cx, &ipath, span, format!("{a} {unit} (from {} units)", thousands(f)), &own);
                    out.push(VolumeTier { from: f, unit_price: a });
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn root(&mut self, cx: &mut Ctx, root: &DeTable<'_>) -> Option<PriceBook> {
        Tbl::new(String::new(), String::new(), 0..0, root).read(cx, |cx, t| self.tables(cx, t))
    }

    fn tables(&mut self, cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<PriceBook> {
        let schema = t.field(cx, "schema", true, "the integer 1", |v| {
            let x = as_i128(v)?;
            if x == PRICE_BOOK_SCHEMA as i128 {
                Ok(x)
            } else {
                Err(format!("price book schema {x} is not supported by this build"))
            }
        });
        let head = t.sub(cx, "book", true, "a table with id, currency and date").and_then(|b| {
            b.read(cx, |cx, b| {
                let id = b.string(cx, "id", true);
                let title = b.string(cx, "title", false);
                let currency = b.string(cx, "currency", true);
                let date = b.string(cx, "date", true);
                if let Some(d) = &date
                    && !is_iso_date(d)
                {
                    cx.error(b.span_of("date"), "book.date", format!("\"{d}\" is not a date like \"2026-11-01\""));
                }
                let (id, currency, date) = (id?, currency?, date?);
                Some((id.clone(), title.unwrap_or(id), currency, date))
            })
        });
        let platforms = self.named(cx, t, "platform", Self::platform);
        let connectivity = self.named(cx, t, "connectivity", Self::connectivity);
        let storage = self.named(cx, t, "storage", Self::storage);
        let hardware = self.named(cx, t, "hardware", Self::hardware);
        let labour = t.sub(cx, "labour", true, "technician rates, installation and truck rolls").and_then(|l| {
            l.read(cx, |cx, l| {
                let src = read_src(cx, l, &Src::default());
                let technician_hour = self.rate(cx, l, "technician_hour", true, &src, "per technician-hour");
                let install = l.f64(cx, "install_minutes_per_device", true, 0.0, 10_000.0);
                let gateway_install = self.rate(cx, l, "gateway_install", true, &src, "per gateway installed");
                let truck_roll = self.rate(cx, l, "truck_roll", true, &src, "per dispatch");
                let nff = l.f64(cx, "no_fault_found_pct", false, 0.0, 100.0).or(Some(0.0));
                let swap = l.f64(cx, "battery_swap_minutes", false, 0.0, 10_000.0).or(Some(15.0));
                Some(Labour {
                    technician_hour: technician_hour?,
                    install_minutes_per_device: install?,
                    gateway_install: gateway_install?,
                    truck_roll: truck_roll?,
                    no_fault_found_pct: nff?,
                    battery_swap_minutes: swap?,
                })
            })
        });
        let identity = match t.sub(cx, "identity", false, "") {
            Some(i) => i
                .read(cx, |cx, i| {
                    let src = read_src(cx, i, &Src::default());
                    let zt = self.rate(cx, i, "zero_touch_per_device", true, &src, "per device enrolled zero-touch");
                    let cert = self.rate(cx, i, "certificate", true, &src, "per certificate issued");
                    Some(IdentityPrices { zero_touch_per_device: zt?, certificate: cert? })
                })
                .map(Some),
            None => Some(None),
        };
        let egress = t.sub(cx, "egress", true, "the data egress price per GB").and_then(|e| {
            e.read(cx, |cx, e| {
                let src = read_src(cx, e, &Src::default());
                self.rate(cx, e, "per_gb", true, &src, "per GB out")
            })
        });
        let (id, title, currency, date) = head?;
        schema?;
        Some(PriceBook {
            id,
            title,
            currency,
            date,
            platforms: platforms?,
            connectivity: connectivity?,
            storage: storage?,
            hardware: hardware?,
            labour: labour?,
            identity: identity?,
            egress_per_gb: egress?,
            lines: std::mem::take(&mut self.lines),
        })
    }

    fn named<T>(
        &mut self,
        cx: &mut Ctx,
        t: &mut Tbl<'_, '_>,
        kind: &'static str,
        read: fn(&mut Self, &mut Ctx, &mut Tbl<'_, '_>, String) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Some(section) = t.sub(cx, kind, false, "") else {
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (k, v) in section.map.iter() {
            let name = k.get_ref().to_string();
            match Tbl::open(cx, format!("{kind}.{name}"), format!("{kind}.*"), v)
                .and_then(|p| p.read(cx, |cx, p| read(self, cx, p, name)))
            {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn platform(&mut self, cx: &mut Ctx, t: &mut Tbl<'_, '_>, name: String) -> Option<Platform> {
        let src = read_src(cx, t, &Src::default());
        let title = t.string(cx, "title", false).unwrap_or_else(|| name.clone());
        let kind = t.choice(cx, "kind", true, &["metered", "unit-quota", "self-hosted"]);
        let publishes = t.f64(cx, "publishes_per_s_quota", false, 0.0, 1e12);
        let connects = t.f64(cx, "connects_per_s_quota", false, 0.0, 1e12);
        let Some(kind) = kind else {
            t.allow(&[
                "connection_minutes",
                "message_meter_bytes",
                "messages",
                "rules",
                "actions",
                "shadow_ops",
                "shadow_meter_bytes",
                "registrations",
                "editions",
                "vm_hour",
                "vm_messages_per_s",
                "vm_connections",
                "min_vms",
                "ops_hours_per_month",
                "ops_hour",
            ]);
            return None;
        };
        let k = match kind {
            "metered" => {
                let connection_minutes = self.rate(cx, t, "connection_minutes", true, &src, "connection-minutes");
                let meter = t.u64(cx, "message_meter_bytes", true, 1, 1 << 30);
                let messages = self.bands(cx, t, "messages", &src, "up_to", "metered messages");
                let rules = self.rate(cx, t, "rules", false, &src, "rules triggered").or(Some(ZERO_RATE));
                let actions = self.rate(cx, t, "actions", false, &src, "actions").or(Some(ZERO_RATE));
                let shadow = self.rate(cx, t, "shadow_ops", false, &src, "shadow/registry operations");
                let shadow_meter = t.u64(cx, "shadow_meter_bytes", false, 1, 1 << 30).or(Some(1024));
                let registrations = self.rate(cx, t, "registrations", false, &src, "things registered");
                PlatformKind::Metered {
                    connection_minutes: connection_minutes?,
                    message_meter_bytes: meter?,
                    messages: messages?,
                    rules: rules?,
                    actions: actions?,
                    shadow_ops: shadow.unwrap_or(ZERO_RATE),
                    shadow_meter_bytes: shadow_meter?,
                    registrations: registrations.unwrap_or(ZERO_RATE),
                }
            }
            "unit-quota" => {
                let editions = self.editions(cx, t, &src);
                PlatformKind::UnitQuota { editions: editions? }
            }
            _ => {
                let vm_hour = self.rate(cx, t, "vm_hour", true, &src, "per VM-hour");
                let msgs = t.f64(cx, "vm_messages_per_s", true, 0.001, 1e9);
                let conns = t.u64(cx, "vm_connections", true, 1, u64::MAX);
                let min_vms = t.u64(cx, "min_vms", false, 1, 10_000).or(Some(2));
                let ops_hours = t.f64(cx, "ops_hours_per_month", false, 0.0, 10_000.0).or(Some(0.0));
                let ops_hour = self.rate(cx, t, "ops_hour", true, &src, "per operations engineer-hour");
                PlatformKind::SelfHosted {
                    vm_hour: vm_hour?,
                    vm_messages_per_s: msgs?,
                    vm_connections: conns?,
                    min_vms: min_vms?,
                    ops_hours_per_month: ops_hours?,
                    ops_hour: ops_hour?,
                }
            }
        };
        Some(Platform { name, title, kind: k, publishes_per_s_quota: publishes, connects_per_s_quota: connects })
    }

    fn editions(&mut self, cx: &mut Ctx, t: &mut Tbl<'_, '_>, src: &Src) -> Option<Vec<Edition>> {
        let what = "an array of editions [{ name = \"S1\", unit_month = 25, messages_per_day_per_unit = 400000, meter_bytes = 4096, max_units = 200 }]";
        let items = table_items(cx, t, "editions", "editions", what)?;
        let mut out = Vec::new();
        let mut ok = true;
        for e in items {
            let Some(e) = e else {
                ok = false;
                continue;
            };
            let edition = e.read(cx, |cx, e| {
                let name = e.string(cx, "name", true);
                let unit = self.rate(cx, e, "unit_month", true, src, "per unit-month");
                let per_day = e.u64(cx, "messages_per_day_per_unit", true, 1, u64::MAX);
                let meter = e.u64(cx, "meter_bytes", true, 1, 1 << 30);
                let max_units = e.u64(cx, "max_units", false, 1, 1_000_000).or(Some(1));
                Some(Edition {
                    name: name?,
                    unit_month: unit?.cost(1),
                    messages_per_day_per_unit: per_day?,
                    meter_bytes: meter?,
                    max_units: max_units?,
                })
            });
            match edition {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn metering(&mut self, cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Metering> {
        let overhead = t.u64(cx, "overhead_bytes", false, 0, 1 << 20).or(Some(0));
        let increment = t.u64(cx, "billing_increment_bytes", false, 1, 1 << 30).or(Some(1));
        let rounding = t.choice(cx, "rounding", false, &["session", "month"]).or(Some("month"));
        Some(Metering {
            overhead_bytes: overhead?,
            increment_bytes: increment?,
            rounding: if rounding? == "session" { Rounding::PerSession } else { Rounding::PerMonth },
        })
    }

    fn connectivity(&mut self, cx: &mut Ctx, t: &mut Tbl<'_, '_>, name: String) -> Option<Connectivity> {
        let src = read_src(cx, t, &Src::default());
        let title = t.string(cx, "title", false).unwrap_or_else(|| name.clone());
        let kind = t.choice(cx, "kind", true, &["none", "per-device", "pooled", "lifetime", "lorawan"]);
        let Some(kind) = kind else {
            t.allow(&[
                "sim",
                "monthly_fee",
                "data_per_mb",
                "pool_mb_per_sim",
                "overage_per_mb",
                "term_years",
                "data_mb",
                "topup_per_mb",
                "overhead_bytes",
                "billing_increment_bytes",
                "rounding",
                "device_month",
                "gateway_month",
            ]);
            return None;
        };
        let k = match kind {
            "none" => ConnectivityKind::None,
            "per-device" => {
                let sim = self.rate(cx, t, "sim", false, &src, "per SIM (once)");
                let fee = self.rate(cx, t, "monthly_fee", true, &src, "per SIM-month");
                let data = self.bands(cx, t, "data_per_mb", &src, "up_to_mb", "per MB (per SIM-month)");
                let m = self.metering(cx, t);
                ConnectivityKind::PerDevice {
                    sim: sim.unwrap_or(ZERO_RATE),
                    monthly_fee: fee?,
                    data_per_mb: data?,
                    metering: m?,
                }
            }
            "pooled" => {
                let sim = self.rate(cx, t, "sim", false, &src, "per SIM (once)");
                let fee = self.rate(cx, t, "monthly_fee", true, &src, "per SIM-month");
                let pool = t.u64(cx, "pool_mb_per_sim", true, 0, u64::MAX);
                let over = self.rate(cx, t, "overage_per_mb", true, &src, "per MB above the pool");
                let m = self.metering(cx, t);
                ConnectivityKind::Pooled {
                    sim: sim.unwrap_or(ZERO_RATE),
                    monthly_fee: fee?,
                    pool_mb_per_sim: pool?,
                    overage_per_mb: over?,
                    metering: m?,
                }
            }
            "lifetime" => {
                let sim = self.rate(cx, t, "sim", true, &src, "per SIM per term (once)");
                let years = t.f64(cx, "term_years", true, 0.1, 50.0);
                let data = t.u64(cx, "data_mb", true, 0, u64::MAX);
                let topup = self.rate(cx, t, "topup_per_mb", true, &src, "per MB above the allowance");
                let m = self.metering(cx, t);
                ConnectivityKind::Lifetime {
                    sim: sim?,
                    term_years: years?,
                    data_mb: data?,
                    topup_per_mb: topup?,
                    metering: m?,
                }
            }
            _ => {
                let device = self.volume(cx, t, "device_month", &src, "per device-month");
                let gw = self.rate(cx, t, "gateway_month", false, &src, "per gateway-month (backhaul)");
                ConnectivityKind::Lorawan { device_month: device?, gateway_month: gw.unwrap_or(ZERO_RATE) }
            }
        };
        Some(Connectivity { name, title, kind: k })
    }

    fn storage(&mut self, cx: &mut Ctx, t: &mut Tbl<'_, '_>, name: String) -> Option<Storage> {
        let src = read_src(cx, t, &Src::default());
        let title = t.string(cx, "title", false).unwrap_or_else(|| name.clone());
        let writes = self.rate(cx, t, "writes", true, &src, "metered writes");
        let meter = t.u64(cx, "write_meter_bytes", false, 1, 1 << 30).or(Some(1024));
        let gb = self.rate(cx, t, "gb_month", true, &src, "per GB-month stored");
        let record = t.u64(cx, "record_bytes", true, 1, 1 << 30);
        Some(Storage { name, title, writes: writes?, write_meter_bytes: meter?, gb_month: gb?, record_bytes: record? })
    }

    fn hardware(&mut self, cx: &mut Ctx, t: &mut Tbl<'_, '_>, name: String) -> Option<Hardware> {
        let src = read_src(cx, t, &Src::default());
        let title = t.string(cx, "title", false).unwrap_or_else(|| name.clone());
        let tiers = self.volume(cx, t, "tiers", &src, "per unit");
        Some(Hardware { name, title, tiers: tiers? })
    }
}

/// Bands are later scaled from MB to bytes; keep them below overflow.
const BYTES_PER_MB_MAX: u64 = 1_000_000;

const ZERO_RATE: Rate = Rate { amount: Money::ZERO, per: 1 };
