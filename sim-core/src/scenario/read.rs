//! Reading a scenario file: bytes -> spanned TOML tree (with `--set` overrides applied) ->
//! validated [`Scenario`]. Every problem is collected with file, line, column and field path; the
//! reader never stops at the first one and never panics on bad input.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::*;
use crate::diagnostic::Diagnostics;
use crate::time::SimDuration;
use crate::tomlread::*;

use super::query::{START_WHAT, parse_duration_text, span_at, start_value};
pub use super::query::{Scalar, diagnostic_at, flatten, scalar_at, start_ms_at};

/// The text of a scenario and where it came from.
#[derive(Clone, Debug)]
pub struct ScenarioSource<'a> {
    /// Shown in diagnostics (usually the path as the user typed it).
    pub file: &'a str,
    /// The scenario file's raw contents (TOML, UTF-8 expected).
    pub bytes: &'a [u8],
    /// `path=value` overrides, applied in order on top of the file.
    pub overrides: &'a [String],
}

/// Parses and validates a scenario, returning every problem found.
pub fn parse_scenario(src: &ScenarioSource<'_>) -> Result<Scenario, Diagnostics> {
    let mut cx = Ctx::new(src.file, src.bytes);
    let Some(mut root) =
        parse_document(&mut cx, src.bytes, "a scenario starts with `schema = 1` and a [scenario] table")
    else {
        return Err(cx.finish());
    };
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
// The scenario tables

const MIN_D: SimDuration = SimDuration(0);

fn read_root(cx: &mut Ctx, root: &DeTable<'_>, span: Range<usize>) -> Option<Scenario> {
    Tbl::new(String::new(), String::new(), span, root).read(cx, |cx, t| read_tables(cx, t, root))
}

fn read_tables(cx: &mut Ctx, t: &mut Tbl<'_, '_>, root: &DeTable<'_>) -> Option<Scenario> {
    let schema = t.field(cx, "schema", true, "the integer 1", |v| {
        let x = as_i128(v)?;
        if x == SCHEMA_VERSION as i128 { Ok(x) } else { Err(format!("schema {x} is not supported by this build")) }
    });

    // [scenario]
    let head = t.sub(cx, "scenario", true, "a table with name, seed and duration").and_then(|s| {
        s.read(cx, |cx, s| {
            let name = s.string(cx, "name", true);
            let description = s.string(cx, "description", false);
            let seed = s.u64(cx, "seed", false, 0, u64::MAX).or(Some(0));
            let duration = s.duration(cx, "duration", true, SimDuration::from_secs(1), MAX_DURATION);
            let start_ms = s.field(cx, "start", false, START_WHAT, start_value).or(Some(crate::time::DEFAULT_START_MS));
            let horizon_years = s.f64(cx, "horizon_years", false, 0.1, 50.0).or(Some(5.0));
            let price_book = s.string(cx, "price_book", false);
            Some((name, description, seed, duration, start_ms, horizon_years, price_book))
        })
    });
    let (name, description, seed, duration, start_ms, horizon_years, price_book) = head.unwrap_or_default();
    // Whether a price book is named, even if its name is invalid (reported there).
    let has_book =
        matches!(root.get("scenario").map(|v| v.get_ref()), Some(DeValue::Table(s)) if s.contains_key("price_book"));

    // Every name is registered before any body is read: a reference to an entry whose body is
    // invalid finds it (its problems are reported once, at the entry), and a reference that
    // finds nothing is a real mistake.
    let (site_ids, sites) = read_sites(cx, t);
    let site_names = Names::new(site_ids.iter().map(|id| id.as_deref()));
    let networks = read_named(cx, t, "network", read_network);
    let powers = read_named(cx, t, "power", read_power);
    let net_names = Names::new(networks.iter().map(|(n, _)| Some(n.as_str())));
    let power_names = Names::new(powers.iter().map(|(n, _)| Some(n.as_str())));
    let fleet_keys: Vec<&str> = match root.get("fleet").map(|v| v.get_ref()) {
        Some(DeValue::Table(f)) => f.keys().map(|k| k.get_ref().as_ref()).collect(),
        _ => Vec::new(),
    };
    let class_names = Names::new(fleet_keys.iter().map(|k| Some(*k)));

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
            let class = Tbl::open(cx, format!("fleet.{cname}"), "fleet.*".into(), v)
                .and_then(|c| c.read(cx, |cx, c| read_class(cx, c, cname, &site_names, &net_names, &power_names)));
            if let Some(class) = class {
                total_devices += class.count as u64;
                classes.push(class);
            }
        }
    }
    if total_devices > MAX_DEVICES {
        cx.error(fleet_span, "fleet", format!("{total_devices} devices in total; at most {MAX_DEVICES} are supported"));
    }

    let backend = read_backend(cx, t);
    let maintenance = read_maintenance(cx, t);
    let events = read_events(cx, t, &sites, &site_names, duration);
    let cost = read_cost(cx, t, &class_names, &powers, &power_names, has_book);
    let targets = read_targets(cx, t);
    if let Some(v) = t.get("operations") {
        cx.error(
            v.span(),
            "operations",
            "[operations] was replaced by models: describe [provisioning], [firmware] and [identity] instead".into(),
        );
    }
    let provisioning = read_provisioning(cx, t);
    let firmware = read_firmware(cx, t);
    let identity = read_identity(cx, t);
    let view = read_view(cx, t);

    let sites: Option<Vec<Site>> = sites.into_iter().collect();
    let networks: Option<Vec<NetworkProfile>> = networks.into_iter().map(|(_, n)| n).collect();
    let powers: Option<Vec<PowerProfile>> = powers.into_iter().map(|(_, p)| p).collect();
    let scenario = Scenario {
        name: name?,
        description,
        seed: seed?,
        duration: duration?,
        start_ms: start_ms?,
        horizon_years: horizon_years?,
        price_book,
        sites: sites?,
        networks: networks?,
        powers: powers?,
        classes,
        backend: backend?,
        maintenance: maintenance?,
        events: events?,
        cost: cost?,
        targets: targets?,
        provisioning: provisioning?,
        firmware: firmware?,
        identity: identity?,
        view: view?,
    };
    check_limits(cx, root, &scenario);
    Some(scenario).filter(|_| schema.is_some())
}

/// Expected shared outages (or sags) a timeline holds, above which it is not precomputed.
const MAX_TIMELINE_INTERVALS: f64 = 20_000_000.0;
/// Random draws one tick may use from one stream (`rng::DRAWS_PER_TICK_SHIFT`).
const DRAWS_PER_TICK: u64 = 1 << crate::rng::DRAWS_PER_TICK_SHIFT;

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
    // Lifecycle events need the tables that describe how the fleet handles them.
    // The `kind` of the first event written at each time (events are sorted by time once read),
    // looked up only for events with a problem, from one pass over the events.
    let mut kind_spans: Option<BTreeMap<SimDuration, Range<usize>>> = None;
    let mut kind_span = |at: SimDuration| -> Range<usize> {
        let spans = kind_spans.get_or_insert_with(|| {
            let mut spans = BTreeMap::new();
            if let Some(DeValue::Array(items)) = root.get("event").map(|v| v.get_ref()) {
                for t in items.iter().filter_map(|it| match it.get_ref() {
                    DeValue::Table(t) => Some(t),
                    _ => None,
                }) {
                    let at =
                        t.get("at").and_then(|a| as_str(a.get_ref()).ok()).and_then(|x| parse_duration_text(x).ok());
                    if let (Some(at), Some(kind)) = (at, t.get("kind")) {
                        spans.entry(at).or_insert(kind.span());
                    }
                }
            }
            spans
        });
        spans.get(&at).cloned().unwrap_or_else(|| span_at(root, &["event"]))
    };
    for (i, e) in s.events.iter().enumerate() {
        match &e.kind {
            EventKind::FirmwareUpdate(_) if s.firmware.is_none_or(|f| f.update == FirmwareUpdate::None) => cx.error(
                kind_span(e.at),
                &format!("event[{i}].kind"),
                "a firmware-update needs [firmware] with update = \"single-slot\" or \"a-b\"".into(),
            ),
            EventKind::CredentialCompromise if s.identity.is_none() => cx.error(
                kind_span(e.at),
                &format!("event[{i}].kind"),
                "a credential-compromise needs [identity] (credentials = \"shared\" or \"per-device\")".into(),
            ),
            _ => {}
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
    check_lifecycle_limits(cx, root, s);
}

/// Certificates and lifecycle actions: the engine walks every certificate cycle of every device
/// and keeps every lifecycle action in memory, so both are bounded (see
/// [`MAX_CERTIFICATE_CYCLES`](crate::models::identity::MAX_CERTIFICATE_CYCLES) and
/// [`MAX_LIFECYCLE_ACTIONS`](crate::engine::work::MAX_LIFECYCLE_ACTIONS)).
fn check_lifecycle_limits(cx: &mut Ctx, root: &DeTable<'_>, s: &Scenario) {
    use crate::engine::work::{MAX_LIFECYCLE_ACTIONS, estimate};
    use crate::models::identity::MAX_CERTIFICATE_CYCLES;
    use crate::text::thousands;
    let w = estimate(s);
    let certs = s.identity.as_ref().and_then(|i| i.certificates);
    let lifetime_span = span_at(root, &["identity", "certificate_lifetime"]);
    let lifetime_path = "identity.certificate_lifetime";
    if let Some(c) = certs
        && w.certificate_cycles > MAX_CERTIFICATE_CYCLES
        // u64::MAX: renew_before >= certificate_lifetime, reported by read_identity.
        && w.certificate_cycles != u64::MAX
    {
        let l = SimDuration(c.lifetime_us);
        let (what, change) = match c.rotation {
            Some(r) => (
                format!(
                    "a renewal every {} (certificate_lifetime {l} minus renew_before {})",
                    SimDuration(c.lifetime_us - r.renew_before_us),
                    SimDuration(r.renew_before_us)
                ),
                "lengthen certificate_lifetime, shorten renew_before or shorten the run",
            ),
            None => (format!("a new certificate every {l}"), "lengthen certificate_lifetime or shorten the run"),
        };
        cx.error(
            lifetime_span.clone(),
            lifetime_path,
            format!(
                "{} certificate cycles per device over {} ({what}); at most {} are supported: {change}",
                thousands(w.certificate_cycles),
                s.duration,
                thousands(MAX_CERTIFICATE_CYCLES)
            ),
        );
        return;
    }
    if w.lifecycle_actions > MAX_LIFECYCLE_ACTIONS {
        let (span, path, change) = if w.expiries_per_device > 0 {
            (lifetime_span, lifetime_path, "lengthen certificate_lifetime, use fewer devices or shorten the run")
        } else {
            (
                span_at(root, &["event"]),
                "event",
                "use fewer devices or fewer firmware-update and credential-compromise events",
            )
        };
        cx.error(
            span,
            path,
            format!(
                "up to {} lifecycle actions over the run ({} devices x ({} certificate expiries + {} firmware campaigns + {} credential compromises)); at most {} are supported: {change}",
                thousands(w.lifecycle_actions),
                thousands(s.device_count()),
                thousands(w.expiries_per_device),
                w.campaigns,
                w.compromises,
                thousands(MAX_LIFECYCLE_ACTIONS)
            ),
        );
    }
}

/// Names a scenario defines (sites, profiles, classes), in definition order, found by name in
/// logarithmic time: a file that references thousands of names among thousands costs their sum,
/// not their product.
struct Names<'a> {
    list: Vec<&'a str>,
    /// The first definition of each name.
    index: BTreeMap<&'a str, usize>,
    /// Some entry's name could not be read (reported there): a reference that finds nothing
    /// may mean it, so it is not reported.
    unnamed: bool,
}

/// Names a "defined: ..." list shows before it says how many more there are.
const NAMES_LISTED: usize = 10;

impl<'a> Names<'a> {
    /// The names of the entries in order; None for an entry whose name could not be read.
    fn new(names: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let mut list = Vec::new();
        let mut index = BTreeMap::new();
        let mut unnamed = false;
        for (i, n) in names.into_iter().enumerate() {
            match n {
                Some(n) => {
                    index.entry(n).or_insert(i);
                    list.push(n);
                }
                None => {
                    unnamed = true;
                    list.push("");
                }
            }
        }
        Names { list, index, unnamed }
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// How a reference to `name` that finds nothing is reported: `Some(message)`, or None when
    /// an entry without a readable name might be the one meant. `kind` names the entries
    /// ("site"), `quote` the quote marks of the name in the message.
    fn unknown(&self, hints: &crate::diagnostic::Hints, name: &str, kind: &str, quote: char) -> Option<String> {
        if self.unnamed {
            return None;
        }
        Some(match hints.suggest(name, self.iter().filter(|n| !n.is_empty())) {
            Some(m) => format!("no {kind} {quote}{name}{quote} (did you mean {quote}{m}{quote}?)"),
            None => format!("no {kind} {quote}{name}{quote} (defined: {})", self.listed()),
        })
    }

    fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.list.iter().copied()
    }

    /// "a, b, c", "none", or the first [`NAMES_LISTED`] and how many more (every unknown
    /// reference repeats it, so its length must not grow with the file).
    fn listed(&self) -> String {
        if self.list.is_empty() {
            return "none".into();
        }
        let shown: Vec<String> = self.list.iter().take(NAMES_LISTED).map(|n| clip(n)).collect();
        match self.list.len().saturating_sub(NAMES_LISTED) {
            0 => shown.join(", "),
            more => format!("{} and {more} more", shown.join(", ")),
        }
    }
}

/// A name as a "defined: ..." list shows it: its first 64 characters.
fn clip(name: &str) -> String {
    match name.char_indices().nth(64) {
        Some((i, _)) => format!("{}...", &name[..i]),
        None => name.to_string(),
    }
}

/// The `[[site]]` tables: each site's id (None where it cannot be read) and the site.
fn read_sites(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> (Vec<Option<String>>, Vec<Option<Site>>) {
    let Some(v) = t.get("site") else {
        cx.error(
            t.span.clone(),
            "site",
            "missing required field `site` (one [[site]] table per site, with id, position and gateways)".into(),
        );
        return Default::default();
    };
    let DeValue::Array(items) = v.get_ref() else {
        cx.error(v.span(), "site", format!("expected an array of tables ([[site]]), found {}", type_name(v.get_ref())));
        return Default::default();
    };
    if items.is_empty() {
        cx.error(v.span(), "site", "at least one site is needed".into());
    }
    let mut seen = BTreeSet::new();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let Some(s) = Tbl::open(cx, format!("site[{i}]"), "site[]".into(), item) else {
                return (None, None);
            };
            s.read(cx, |cx, s| {
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
                let site = match (&id, gateways) {
                    (Some(id), Some(g)) => {
                        Some(Site { id: id.clone(), position: position.unwrap_or([0.0, 0.0]), gateways: g as u32 })
                    }
                    _ => None,
                };
                Some((id, site))
            })
            .unwrap_or_default()
        })
        .unzip()
}

/// Reads `[kind.NAME]` tables (network or power profiles) in name order.
fn read_named<T>(
    cx: &mut Ctx,
    t: &mut Tbl<'_, '_>,
    kind: &'static str,
    read: impl Fn(&mut Ctx, &mut Tbl<'_, '_>, String) -> Option<T>,
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
        let item = Tbl::open(cx, format!("{kind}.{name}"), format!("{kind}.*"), v)
            .and_then(|p| p.read(cx, |cx, p| read(cx, p, name.clone())));
        out.push((name, item));
    }
    out
}

fn read_network(cx: &mut Ctx, t: &mut Tbl<'_, '_>, name: String) -> Option<NetworkProfile> {
    let loss = match t.sub(cx, "loss", false, "") {
        None => Some(Loss::None),
        Some(l) => l.read(cx, |cx, l| {
            let model = l.choice(cx, "model", true, &["gilbert-elliott", "none"]);
            match model {
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
                None => {
                    l.allow(&["p_good_to_bad", "p_bad_to_good", "loss_good", "loss_bad"]);
                    None
                }
            }
        }),
    };
    let latency = match t.sub(cx, "latency", false, "") {
        None => Some(Latency::None),
        Some(l) => l.read(cx, |cx, l| {
            let model = l.choice(cx, "model", true, &["lognormal", "fixed", "none"]);
            let hour = SimDuration(crate::time::US_PER_H);
            match model {
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
                None => {
                    l.allow(&["median", "p99", "value"]);
                    None
                }
            }
        }),
    };
    let outages = read_outages(cx, t);
    let delivery = {
        let mut acked = Some(true);
        let mut attempts = Some(1);
        let mut base = Some(SimDuration::from_secs(1));
        let mut cap = Some(SimDuration::from_secs(300));
        if let Some(d) = t.sub(cx, "delivery", false, "") {
            d.read(cx, |cx, d| {
                // An invalid value is None: reported, and the profile fails.
                let given = |d: &Tbl<'_, '_>, k: &str| d.map.contains_key(k);
                let m = d.choice(cx, "mode", false, &["acked", "unacked"]).map(|m| m == "acked");
                acked = if given(d, "mode") { m } else { acked };
                let a = d.u64(cx, "attempts", false, 1, 20).map(|a| a as u32);
                attempts = if given(d, "attempts") { a } else { attempts };
                let b = d.duration(cx, "backoff_base", false, MIN_D, SimDuration(crate::time::US_PER_H));
                base = if given(d, "backoff_base") { b } else { base };
                let c = d.duration(cx, "backoff_cap", false, MIN_D, SimDuration(crate::time::US_PER_DAY));
                cap = if given(d, "backoff_cap") { c } else { cap };
                Some(())
            });
        }
        (|| Some(Delivery { acked: acked?, attempts: attempts?, backoff_base: base?, backoff_cap: cap? }))()
    };
    let lora = match t.sub(cx, "lora", false, "") {
        None => Some(None),
        Some(l) => l.read(cx, |cx, l| {
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
            Some(Some(LoraRadio {
                spreading_factor: sf? as u8,
                bandwidth_khz: bw.unwrap_or(125),
                coding_rate: cr? as u8,
                channels: channels? as u32,
                duty_cycle_pct: dc?,
                overhead_bytes: overhead? as u32,
                preamble_symbols: preamble? as u32,
            }))
        }),
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
    // Assumption: 100 kbit/s, an LTE-M/NB-IoT-class effective rate; LoRa derives it from airtime.
    let throughput = t.f64(cx, "throughput_kbps", false, 0.001, 1e7).or(Some(100.0));
    let rx_ms = t.f64(cx, "rx_ms", false, 0.0, 600_000.0).or(Some(0.0));
    Some(NetworkProfile {
        name,
        loss: loss?,
        latency: latency?,
        outages: outages?,
        delivery: delivery?,
        lora: lora?,
        tx_ms: tx_ms?,
        rx_ms: rx_ms?,
        throughput_kbps: throughput?,
    })
}

fn read_outage(cx: &mut Ctx, o: &mut Tbl<'_, '_>) -> Option<OutageProcess> {
    let scope = o.choice(cx, "scope", true, &["device", "gateway", "site"]).map(|s| match s {
        "device" => Scope::Device,
        "gateway" => Scope::Gateway,
        _ => Scope::Site,
    });
    let mean_up = o.duration(cx, "mean_up", true, SimDuration::from_secs(60), MAX_DURATION);
    let mean_down =
        o.duration(cx, "mean_down", true, SimDuration::from_secs(1), SimDuration(365 * crate::time::US_PER_DAY));
    let dist = o.choice(cx, "down_distribution", false, &["exponential", "lognormal"]);
    let down_distribution = match dist {
        Some("lognormal") => o.f64(cx, "sigma_ln", true, 0.01, 4.0).map(|sigma| DownTime::LogNormal { sigma }),
        None if o.map.contains_key("down_distribution") => {
            o.allow(&["sigma_ln"]);
            None
        }
        _ => Some(DownTime::Exponential),
    };
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
        DeValue::Table(_) => vec![Tbl::open(cx, path.clone(), pattern, v).and_then(|o| o.read(cx, read_outage))],
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                Tbl::open(cx, format!("{path}[{i}]"), pattern.clone(), item).and_then(|o| o.read(cx, read_outage))
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

fn read_power(cx: &mut Ctx, t: &mut Tbl<'_, '_>, name: String) -> Option<PowerProfile> {
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
            (|| {
                Some(PowerSource::Battery {
                    capacity_mah: capacity?,
                    initial_charge_pct: initial.unwrap_or((100.0, 100.0)),
                    self_discharge_pct_per_year: sd?,
                    low_battery_pct: low?,
                    low_battery_reboots_per_day: low_reboots?,
                })
            })()
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
            (|| {
                Some(PowerSource::Mains {
                    outages_per_year: outages?,
                    mean_outage: mean?,
                    outage_sigma_ln: sigma?,
                    sags_per_year: sags?,
                    reset_probability: reset?,
                })
            })()
        }
        _ => {
            t.allow(&[
                "capacity_mah",
                "initial_charge_pct",
                "self_discharge_pct_per_year",
                "low_battery_pct",
                "low_battery_reboots_per_day",
                "outages_per_year",
                "mean_outage",
                "outage_sigma_ln",
                "sags_per_year",
                "reset_probability",
            ]);
            None
        }
    };
    let currents = match t.sub(cx, "currents_ma", false, "") {
        None => Some(Currents { sleep_ma: 0.0, sample_ma: 0.0, tx_ma: 0.0, rx_ma: 0.0 }),
        Some(c) => c.read(cx, |cx, c| {
            let sleep = c.f64(cx, "sleep", false, 0.0, 100_000.0).or(Some(0.0));
            let sample = c.f64(cx, "sample", false, 0.0, 100_000.0).or(Some(0.0));
            let tx = c.f64(cx, "tx", false, 0.0, 100_000.0).or(Some(0.0));
            let rx = c.f64(cx, "rx", false, 0.0, 100_000.0).or(Some(0.0));
            Some(Currents { sleep_ma: sleep?, sample_ma: sample?, tx_ma: tx?, rx_ma: rx? })
        }),
    };
    let sample_ms = t.f64(cx, "sample_ms", false, 0.0, 3_600_000.0).or(Some(0.0));
    Some(PowerProfile { name, source: source?, currents: currents?, sample_ms: sample_ms? })
}

fn lookup(cx: &mut Ctx, t: &mut Tbl<'_, '_>, key: &'static str, names: &Names<'_>, kind: &str) -> Option<usize> {
    let v = t.get(key)?;
    let Ok(name) = as_str(v.get_ref()) else {
        cx.error(
            v.span(),
            &join(&t.path, key),
            format!("expected the name of a {kind} profile (a string), found {}", type_name(v.get_ref())),
        );
        return None;
    };
    let found = names.find(name);
    if found.is_none()
        && let Some(message) = names.unknown(&cx.hints, name, &format!("{kind} profile named"), '"')
    {
        cx.error(v.span(), &join(&t.path, key), message);
    }
    found
}

fn read_class(
    cx: &mut Ctx,
    t: &mut Tbl<'_, '_>,
    name: String,
    sites: &Names<'_>,
    nets: &Names<'_>,
    powers: &Names<'_>,
) -> Option<DeviceClass> {
    let count = t.u64(cx, "count", true, 1, MAX_DEVICES);
    let hints = std::rc::Rc::clone(&cx.hints);
    // Err(None): a site that may be the one whose id is invalid (reported there).
    let site_idx = t
        .field(cx, "sites", true, "an array of site ids", |v| match v {
            DeValue::Array(a) if !a.is_empty() => a
                .iter()
                .map(|s| {
                    let id = as_str(s.get_ref()).map_err(Some)?;
                    sites.find(id).ok_or_else(|| sites.unknown(&hints, id, "site", '"'))
                })
                .collect::<Result<Vec<usize>, Option<String>>>()
                .map(Some)
                .or_else(|e| e.map_or(Ok(None), Err)),
            DeValue::Array(_) => Err("the list is empty".into()),
            other => Err(format!("found {}", type_name(other))),
        })
        .flatten();
    if !t.map.contains_key("network") {
        t.missing(cx, "network", "the name of a [network.NAME] profile");
    }
    let network = lookup(cx, t, "network", nets, "network");
    if !t.map.contains_key("power") {
        t.missing(cx, "power", "the name of a [power.NAME] profile");
    }
    let power = lookup(cx, t, "power", powers, "power");
    let telemetry = match t.sub(cx, "telemetry", true, "a table with period and payload_bytes") {
        None => None,
        Some(tm) => tm.read(cx, |cx, tm| {
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
            Some(Telemetry { period: period?, jitter: jitter?, payload_bytes: payload? as u32 })
        }),
    };
    let buffer = match t.sub(cx, "buffer", false, "") {
        None => Some(Buffer {
            capacity: 1,
            policy: OverflowPolicy::DropOldest,
            storage: BufferStorage::Ram,
            flush_per_tick: 1,
        }),
        Some(b) => b.read(cx, |cx, b| {
            let capacity = b.u64(cx, "capacity", true, 1, 100_000_000);
            let policy = b
                .choice(cx, "policy", false, &["drop-oldest", "drop-newest"])
                .map(|p| if p == "drop-oldest" { OverflowPolicy::DropOldest } else { OverflowPolicy::DropNewest });
            let storage = b
                .choice(cx, "storage", false, &["ram", "flash"])
                .map(|s| if s == "ram" { BufferStorage::Ram } else { BufferStorage::Flash });
            let flush = b.u64(cx, "flush_per_tick", false, 1, 100_000).or(Some(20));
            Some(Buffer {
                capacity: capacity? as u32,
                policy: policy.unwrap_or(OverflowPolicy::DropOldest),
                storage: storage.unwrap_or(BufferStorage::Ram),
                flush_per_tick: flush? as u32,
            })
        }),
    };
    let reboots = t.f64(cx, "reboots_per_day", false, 0.0, 100_000.0).or(Some(0.0));
    let afr = t.f64(cx, "afr_pct", false, 0.0, 100.0).or(Some(0.0));
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
    let Some(s) = t.sub(cx, "backend", false, "") else {
        return Some(b);
    };
    s.read(cx, |cx, s| {
        b.connects_per_s = s.f64(cx, "connects_per_s", false, 0.001, 1e9);
        b.publishes_per_s = s.f64(cx, "publishes_per_s", false, 0.001, 1e9);
        let window = s.duration(cx, "reconnect_window", false, MIN_D, SimDuration(crate::time::US_PER_DAY));
        if let Some(w) = window {
            b.reconnect_window = w;
        }
        Some(b)
    })
}

fn read_maintenance(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Maintenance> {
    let mut m = Maintenance {
        enabled: false,
        detection_delay: SimDuration(crate::time::US_PER_DAY),
        truck_roll_response: SimDuration(2 * crate::time::US_PER_DAY),
    };
    let Some(s) = t.sub(cx, "maintenance", false, "") else {
        return Some(m);
    };
    s.read(cx, |cx, s| {
        m.enabled = s.bool(cx, "enabled", false).unwrap_or(true);
        let year = SimDuration(365 * crate::time::US_PER_DAY);
        if let Some(d) = s.duration(cx, "detection_delay", false, MIN_D, year) {
            m.detection_delay = d;
        }
        if let Some(d) = s.duration(cx, "truck_roll_response", false, MIN_D, year) {
            m.truck_roll_response = d;
        }
        Some(m)
    })
}

fn string_list(cx: &mut Ctx, t: &mut Tbl<'_, '_>, key: &'static str) -> Option<Vec<String>> {
    t.field(cx, key, false, "an array of names", |v| match v {
        DeValue::Array(a) => a.iter().map(|x| as_str(x.get_ref()).map(str::to_string)).collect(),
        other => Err(format!("found {}", type_name(other))),
    })
    .or(Some(Vec::new()))
}

/// A table of `name = "price-book item"` whose keys must be among `names`.
fn name_map(
    cx: &mut Ctx,
    t: &mut Tbl<'_, '_>,
    key: &'static str,
    names: &Names<'_>,
    kind: &str,
) -> Option<Vec<Option<String>>> {
    let mut out = vec![None; names.list.len()];
    let Some(m) = t.sub(cx, key, false, "") else {
        return Some(out);
    };
    let mut ok = true;
    for (k, v) in m.map.iter() {
        let name = k.get_ref().as_ref();
        let path = join(&m.path, name);
        match names.find(name) {
            None => {
                if let Some(message) = names.unknown(&cx.hints, name, kind, '`') {
                    cx.error(k.span(), &path, message);
                }
                ok = false;
            }
            Some(i) => match as_str(v.get_ref()) {
                Ok(item) => out[i] = Some(item.to_string()),
                Err(e) => {
                    cx.error(v.span(), &path, format!("{e}; expected the name of a price-book item"));
                    ok = false;
                }
            },
        }
    }
    ok.then_some(out)
}

fn read_cost(
    cx: &mut Ctx,
    t: &mut Tbl<'_, '_>,
    classes: &Names<'_>,
    powers: &[(String, Option<PowerProfile>)],
    power_names: &Names<'_>,
    has_book: bool,
) -> Option<Option<CostPlan>> {
    let Some(c) = t.sub(cx, "cost", false, "") else {
        if has_book {
            cx.error(
                t.span.clone(),
                "cost",
                "scenario.price_book is set but there is no [cost] table saying what to buy from it (platform, connectivity, hardware)".into(),
            );
            return None;
        }
        return Some(None);
    };
    c.read(cx, |cx, c| read_cost_fields(cx, c, classes, powers, power_names, has_book)).map(Some)
}

fn read_cost_fields(
    cx: &mut Ctx,
    c: &mut Tbl<'_, '_>,
    classes: &Names<'_>,
    powers: &[(String, Option<PowerProfile>)],
    power_names: &Names<'_>,
    has_book: bool,
) -> Option<CostPlan> {
    if !has_book {
        cx.error(
            c.span.clone(),
            "scenario.price_book",
            "[cost] needs scenario.price_book, the price book to price it with".into(),
        );
    }
    let platform = c.string(cx, "platform", true);
    let connectivity = c.string(cx, "connectivity", true);
    let storage = c.string(cx, "storage", false);
    let retention = c
        .duration(
            cx,
            "retention",
            false,
            SimDuration(crate::time::US_PER_DAY),
            SimDuration(50 * crate::time::US_PER_YEAR),
        )
        .or(Some(SimDuration(365 * crate::time::US_PER_DAY)));
    let device_hardware = name_map(cx, c, "device_hardware", classes, "device class");
    let gateway_hardware = c.string(cx, "gateway_hardware", false);
    let battery_hardware = name_map(cx, c, "battery_hardware", power_names, "power profile");
    if let Some(bh) = &battery_hardware {
        for (i, (name, p)) in powers.iter().enumerate() {
            if let Some(p) = p
                && matches!(p.source, PowerSource::Battery { .. })
                && bh[i].is_none()
            {
                cx.error(
                    c.span.clone(),
                    &format!("cost.battery_hardware.{name}"),
                    format!("the battery profile `{name}` needs a replacement cell from the price book, e.g. battery_hardware = {{ {name} = \"...\" }}"),
                );
            }
        }
    }
    let discount = c.f64(cx, "discount_rate_pct", false, 0.0, 100.0).or(Some(0.0));
    let egress = c.f64(cx, "egress_share", false, 0.0, 100.0).or(Some(0.0));
    let shadow = c.f64(cx, "shadow_ops_per_device_day", false, 0.0, 1e6).or(Some(0.0));
    let rules = c.f64(cx, "rules_per_message", false, 0.0, 1e3).or(Some(1.0));
    let actions = c.f64(cx, "actions_per_rule", false, 0.0, 1e3).or(Some(1.0));
    let peak = c.f64(cx, "peak_to_mean", false, 1.0, 1e4).or(Some(3.0));
    let swaps = c.u64(cx, "battery_swaps_per_visit", false, 1, 1_000_000).or(Some(20));
    let alternatives = match c.sub(cx, "alternatives", false, "") {
        None => Some(Alternatives::default()),
        Some(a) => a.read(cx, |cx, a| {
            let platforms = string_list(cx, a, "platform");
            let connectivity = string_list(cx, a, "connectivity");
            platforms.zip(connectivity).map(|(platforms, connectivity)| Alternatives { platforms, connectivity })
        }),
    };
    let prices = match c.sub(cx, "prices", false, "") {
        None => Some(Vec::new()),
        Some(p) => {
            let mut out = Vec::new();
            for (k, v) in p.map.iter() {
                let key = k.get_ref().as_ref();
                match v.get_ref() {
                    DeValue::Integer(_) | DeValue::Float(_) => out.push(format!("{key}={}", v_display(v.get_ref()))),
                    other => cx.error(
                        v.span(),
                        &format!("cost.prices.\"{key}\""),
                        format!("found {}; expected a price (a number)", type_name(other)),
                    ),
                }
            }
            Some(out)
        }
    };
    Some(CostPlan {
        platform: platform?,
        connectivity: connectivity?,
        storage,
        retention: retention?,
        device_hardware: device_hardware?,
        gateway_hardware,
        battery_hardware: battery_hardware?,
        discount_rate_pct: discount?,
        egress_share: egress?,
        shadow_ops_per_device_day: shadow?,
        rules_per_message: rules?,
        actions_per_rule: actions?,
        peak_to_mean: peak?,
        battery_swaps_per_visit: swaps? as u32,
        alternatives: alternatives?,
        prices: prices?,
    })
}

fn read_targets(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Targets> {
    let Some(g) = t.sub(cx, "targets", false, "") else {
        return Some(Targets::default());
    };
    g.read(cx, |cx, g| {
        Some(Targets {
            delivery_ratio: g.prob(cx, "delivery_ratio", false),
            p99_latency: g.duration(cx, "p99_latency", false, MIN_D, SimDuration(crate::time::US_PER_DAY)),
            battery_life: g.duration(cx, "battery_life", false, MIN_D, MAX_DURATION),
            tco_per_device_year: g.f64(cx, "tco_per_device_year", false, 0.0, 1e9),
            max_devices_offline_pct: g.f64(cx, "max_devices_offline_pct", false, 0.0, 100.0),
        })
    })
}

const DAY: SimDuration = SimDuration(crate::time::US_PER_DAY);
const YEAR: SimDuration = SimDuration(crate::time::US_PER_YEAR);

fn read_view(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Option<ViewPlan>> {
    let Some(v) = t.sub(cx, "view", false, "") else {
        return Some(None);
    };
    v.read(cx, |cx, v| {
        let background = v.string(cx, "background", true);
        let what = "[[latitude, longitude], [latitude, longitude]]: the image's north-west and south-east corners";
        let corners = v.field(cx, "background_corners", false, what, |x| {
            let corner = |c: &DeValue<'_>| match c {
                DeValue::Array(a) if a.len() == 2 => Ok([as_f64(a[0].get_ref())?, as_f64(a[1].get_ref())?]),
                other => Err(format!("found {}", type_name(other))),
            };
            match x {
                DeValue::Array(a) if a.len() == 2 => {
                    let (nw, se) = (corner(a[0].get_ref())?, corner(a[1].get_ref())?);
                    let valid = |p: [f64; 2]| (-90.0..=90.0).contains(&p[0]) && (-180.0..=180.0).contains(&p[1]);
                    if !valid(nw) || !valid(se) {
                        return Err("a corner is not a valid position".into());
                    }
                    if nw[0] <= se[0] || nw[1] >= se[1] {
                        return Err(format!("{nw:?} is not north-west of {se:?}"));
                    }
                    Ok([nw, se])
                }
                other => Err(format!("found {}", type_name(other))),
            }
        });
        Some(ViewPlan { background: background?, corners })
    })
    .map(Some)
}

fn read_provisioning(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Option<Provisioning>> {
    let Some(p) = t.sub(cx, "provisioning", false, "") else {
        return Some(None);
    };
    p.read(cx, read_provisioning_fields).map(Some)
}

const MANUAL_KEYS: &[&str] = &["minutes_per_device", "error_rate_pct"];
const ZERO_TOUCH_KEYS: &[&str] = &["registry_per_s", "failure_rate_pct", "retry_after", "max_attempts"];

fn read_provisioning_fields(cx: &mut Ctx, p: &mut Tbl<'_, '_>) -> Option<Provisioning> {
    let per_week = p.f64(cx, "installs_per_week", false, 0.0, 1e9).or(Some(0.0));
    let run = p.choice(cx, "run_starts", false, &["after-rollout", "at-first-install"]).or(Some("after-rollout"));
    let mode = p.choice(cx, "onboarding", true, &["manual", "zero-touch"]);
    // Defaults: domain-models 4.5 (15-30 min per device) and assumptions marked in README.
    let onboarding = match mode {
        Some("manual") => {
            let minutes = p.f64(cx, "minutes_per_device", false, 0.0, 10_000.0).or(Some(20.0));
            let err = p.f64(cx, "error_rate_pct", false, 0.0, 100.0).or(Some(2.0));
            Some(Onboarding::Manual { minutes_per_device: minutes?, error_rate: err? / 100.0 })
        }
        Some(_) => {
            let rate = p.f64(cx, "registry_per_s", false, 0.001, 1e6).or(Some(10.0));
            let fail = p.f64(cx, "failure_rate_pct", false, 0.0, 100.0).or(Some(1.0));
            let retry = p.duration(cx, "retry_after", false, MIN_D, DAY).or(Some(SimDuration::from_secs(300)));
            let attempts = p.u64(cx, "max_attempts", false, 1, 1000).or(Some(5));
            Some(Onboarding::ZeroTouch {
                registry_per_s: rate?,
                failure_rate: fail? / 100.0,
                retry_after_s: retry?.as_secs_f64(),
                max_attempts: attempts? as u32,
            })
        }
        None => {
            p.allow(MANUAL_KEYS);
            p.allow(ZERO_TOUCH_KEYS);
            None
        }
    };
    // Fields of the other mode are a mistake worth naming.
    let other: &[&'static str] = match mode {
        Some("manual") => ZERO_TOUCH_KEYS,
        Some(_) => MANUAL_KEYS,
        None => &[],
    };
    for key in other {
        if let Some(v) = p.get(key) {
            cx.error(
                v.span(),
                &join(&p.path, key),
                format!("`{key}` does not apply to onboarding = \"{}\"", mode.unwrap_or_default()),
            );
        }
    }
    Some(Provisioning {
        installs_per_week: per_week?,
        onboarding: onboarding?,
        rollout_in_run: run? == "at-first-install",
    })
}

fn read_firmware(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Option<Firmware>> {
    let Some(f) = t.sub(cx, "firmware", false, "") else {
        return Some(None);
    };
    f.read(cx, read_firmware_fields).map(Some)
}

fn read_firmware_fields(cx: &mut Ctx, f: &mut Tbl<'_, '_>) -> Option<Firmware> {
    let update = f.choice(cx, "update", true, &["none", "single-slot", "a-b"]).map(|x| match x {
        "none" => FirmwareUpdate::None,
        "single-slot" => FirmwareUpdate::SingleSlot,
        _ => FirmwareUpdate::AbRollback,
    });
    let resume = f.bool(cx, "resume", false).or(Some(true));
    let chunk = f.u64(cx, "chunk_bytes", false, 16, 1 << 24).or(Some(1024));
    let attempts = f.u64(cx, "attempts", false, 1, 1000).or(Some(5));
    // domain-models 5.1 [E]: power loss during the write window, 0.1-0.5 % boot/health failures
    // of a good release, 1e-5 bricks with A/B.
    let q = f.f64(cx, "power_loss_during_write_pct", false, 0.0, 100.0).or(Some(0.5));
    let boot = f.f64(cx, "boot_failure_pct", false, 0.0, 100.0).or(Some(0.3));
    let brick_ab = f.f64(cx, "ab_brick_pct", false, 0.0, 100.0).or(Some(0.001));
    let per_year = f.f64(cx, "campaigns_per_year", false, 0.0, 365.0);
    if per_year.is_none() && f.map.contains_key("campaigns_per_year") {
        return None;
    }
    Some(Firmware {
        update: update?,
        resume: resume?,
        chunk_bytes: chunk?,
        attempts: attempts? as u32,
        power_loss_during_write: q? / 100.0,
        boot_failure: boot? / 100.0,
        brick_ab: brick_ab? / 100.0,
        campaigns_per_year: per_year,
    })
}

fn read_identity(cx: &mut Ctx, t: &mut Tbl<'_, '_>) -> Option<Option<IdentityPlan>> {
    let Some(i) = t.sub(cx, "identity", false, "") else {
        return Some(None);
    };
    i.read(cx, read_identity_fields).map(Some)
}

fn read_identity_fields(cx: &mut Ctx, i: &mut Tbl<'_, '_>) -> Option<IdentityPlan> {
    use crate::models::identity::{Certificates, Handshake, Rotation};
    let credentials = i.choice(cx, "credentials", true, &["shared", "per-device"]).map(|x| match x {
        "shared" => Credentials::Shared,
        _ => Credentials::PerDevice,
    });
    let lifetime = i.duration(cx, "certificate_lifetime", false, DAY, SimDuration(50 * crate::time::US_PER_YEAR));
    let rotation = i.bool(cx, "rotation", false).or(Some(false));
    // An invalid value (reported) is None, not the default, so no check below compares it.
    let renew_before = i.duration(cx, "renew_before", false, MIN_D, YEAR);
    let renew_before = if i.map.contains_key("renew_before") { renew_before } else { Some(SimDuration(30 * DAY.0)) };
    let retry_every = i.duration(cx, "retry_every", false, SimDuration::from_secs(1), YEAR).or(Some(DAY));
    let renew_fail = i.f64(cx, "renewal_failure_pct", false, 0.0, 100.0).or(Some(1.0));
    // domain-models 4.3: MQTT over TLS adds about 5-7 kB per full handshake [E]; a resumed
    // session (RFC 5077 tickets) is a few hundred bytes [E].
    let full = i.u64(cx, "handshake_bytes", false, 0, 1 << 24).or(Some(6000));
    let resumed = i.u64(cx, "resumed_handshake_bytes", false, 0, 1 << 24).or(Some(500));
    let resumption = i.f64(cx, "resumption_pct", false, 0.0, 100.0).or(Some(0.0));
    let sessions = i.choice(cx, "sessions", false, &["persistent", "per-report"]).or(Some("persistent"));
    let response = i.duration(cx, "compromise_response", false, MIN_D, YEAR).or(Some(DAY));
    if !i.map.contains_key("certificate_lifetime") && rotation == Some(true) {
        cx.error(i.span_of("rotation"), &join(&i.path, "rotation"), "rotation needs certificate_lifetime".into());
    }
    // A renewal due at or before issue would give a certificate that expires no later: the
    // device would renew without end.
    if let (Some(l), Some(true), Some(rb)) = (lifetime, rotation, renew_before)
        && rb >= l
    {
        let written = if i.map.contains_key("renew_before") { "" } else { ", the default" };
        cx.error(
            i.span_of("renew_before"),
            &join(&i.path, "renew_before"),
            format!(
                "renew_before ({rb}{written}) must be shorter than certificate_lifetime ({l}): a renewal would not extend the certificate; shorten renew_before or lengthen certificate_lifetime"
            ),
        );
    }
    if (lifetime.is_none() && i.map.contains_key("certificate_lifetime")) || renew_before.is_none() {
        return None;
    }
    let certificates = lifetime.map(|l| Certificates {
        lifetime_us: l.0,
        rotation: (rotation == Some(true)).then(|| Rotation {
            renew_before_us: renew_before.map_or(0, |d| d.0),
            retry_every_us: retry_every.map_or(1, |d| d.0),
            failure_rate: renew_fail.unwrap_or(0.0) / 100.0,
        }),
    });
    Some(IdentityPlan {
        credentials: credentials?,
        certificates,
        handshake: Handshake { full_bytes: full?, resumed_bytes: resumed?, resumption_share: resumption? / 100.0 },
        session_per_report: sessions? == "per-report",
        compromise_response: response?,
    })
}

fn read_campaign(cx: &mut Ctx, e: &mut Tbl<'_, '_>) -> Option<Campaign> {
    let image_kb = e.f64(cx, "image_kb", true, 0.001, 10_000_000.0);
    // domain-models 5.2 recommended default [E]: 1 % or 25 devices, then 10 %, 50 %, 100 %,
    // soak 24 h, abort on failures above 5 %.
    let canary_pct = e.f64(cx, "canary_pct", false, 0.0, 100.0).or(Some(1.0));
    let canary_min = e.u64(cx, "canary_min", false, 0, 10_000_000).or(Some(25));
    let waves = e
        .field(cx, "waves_pct", false, "an array of cumulative percentages, e.g. [10, 50, 100]", |v| match v {
            DeValue::Array(a) => {
                let xs: Vec<f64> = a.iter().map(|x| as_f64(x.get_ref())).collect::<Result<_, _>>()?;
                if xs.iter().any(|x| !(0.0..=100.0).contains(x)) {
                    return Err("a share is outside 0-100".into());
                }
                if xs.windows(2).any(|w| w[1] < w[0]) {
                    return Err("the shares must not decrease".into());
                }
                Ok(xs)
            }
            other => Err(format!("found {}", type_name(other))),
        })
        .or(Some(vec![10.0, 50.0, 100.0]));
    let wait = e.duration(cx, "wait", false, MIN_D, YEAR).or(Some(DAY));
    let rate = e.f64(cx, "devices_per_minute", false, 0.001, 1e9).or(Some(100.0));
    let success = e.f64(cx, "success_threshold_pct", false, 0.0, 100.0).or(Some(90.0));
    let error = e.f64(cx, "error_threshold_pct", false, 0.0, 100.0).or(Some(5.0));
    let boot = e.f64(cx, "boot_failure_pct", false, 0.0, 100.0);
    Some(Campaign {
        image_bytes: (image_kb? * 1024.0).round() as u64,
        canary_pct: canary_pct?,
        canary_min: canary_min?,
        waves_pct: waves?,
        wait: wait?,
        devices_per_minute: rate?,
        success_threshold_pct: success?,
        error_threshold_pct: error?,
        boot_failure: boot.map(|b| b / 100.0),
    })
}

fn read_events(
    cx: &mut Ctx,
    t: &mut Tbl<'_, '_>,
    sites: &[Option<Site>],
    site_names: &Names<'_>,
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
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Some(e) = Tbl::open(cx, format!("event[{i}]"), "event[]".into(), item) else {
            ok = false;
            continue;
        };
        match e.read(cx, |cx, e| read_event(cx, e, i, sites, site_names, duration)) {
            Some(e) => out.push(e),
            None => ok = false,
        }
    }
    out.sort_by_key(|e| e.at);
    ok.then_some(out)
}

const EVENT_KINDS: &[&str] =
    &["site-outage", "gateway-outage", "power-outage", "brownout", "firmware-update", "credential-compromise"];
/// The fields of the kinds of event, but `site` (read for all).
const EVENT_FIELDS: &[&str] = &[
    "gateway",
    "duration",
    "reset_probability",
    "image_kb",
    "canary_pct",
    "canary_min",
    "waves_pct",
    "wait",
    "devices_per_minute",
    "success_threshold_pct",
    "error_threshold_pct",
    "boot_failure_pct",
];

fn read_event(
    cx: &mut Ctx,
    e: &mut Tbl<'_, '_>,
    i: usize,
    sites: &[Option<Site>],
    site_names: &Names<'_>,
    duration: Option<SimDuration>,
) -> Option<Event> {
    {
        let at = e.duration(cx, "at", true, MIN_D, MAX_DURATION);
        if let (Some(at), Some(d)) = (at, duration)
            && at >= d
        {
            let span = e.map.get("at").map(|v| v.span()).unwrap_or(e.span.clone());
            cx.error(span, &format!("event[{i}].at"), format!("the event at {at} is after the end of the run ({d})"));
        }
        let kind = e.choice(cx, "kind", true, EVENT_KINDS);
        let fleet_wide = matches!(kind, Some("firmware-update" | "credential-compromise"));
        let site = match e.get("site") {
            None if fleet_wide || kind.is_none() => None,
            Some(sv) if fleet_wide => {
                cx.error(
                    sv.span(),
                    &format!("event[{i}].site"),
                    "this event concerns the whole fleet; remove `site`".into(),
                );
                None
            }
            None => {
                e.missing(cx, "site", "the id of a [[site]]");
                None
            }
            Some(sv) => match as_str(sv.get_ref()) {
                Ok(id) => {
                    let found = site_names.find(id);
                    if found.is_none()
                        && let Some(message) = site_names.unknown(&cx.hints, id, "site", '"')
                    {
                        cx.error(sv.span(), &format!("event[{i}].site"), message);
                    }
                    found
                }
                Err(m) => {
                    cx.error(sv.span(), &format!("event[{i}].site"), format!("{m}; expected a site id"));
                    None
                }
            },
        };
        let caption = e.string(cx, "caption", false).unwrap_or_default();
        let long = SimDuration(365 * crate::time::US_PER_DAY);
        let kind = match kind {
            Some("firmware-update") => read_campaign(cx, e).map(|c| EventKind::FirmwareUpdate(Box::new(c))),
            Some("credential-compromise") => Some(EventKind::CredentialCompromise),
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
            None => {
                e.allow(EVENT_FIELDS);
                None
            }
        };
        Some(Event { at: at?, kind: kind?, caption })
    }
}
