//! Prices a finance lead can audit: every price's source page (`url`, inherited with its
//! section's `source`), the assumptions (`[E]`) counted, and the sources the bundled book and
//! scenarios cite carried in the repository (`docs/sources.md`).

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use sim_core::cost::book::{PriceLine, is_assumption};
use sim_core::cost::{PriceBook, PriceBookSource, parse_price_book};
use sim_core::diagnostic::Diagnostics;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn parse(text: &str) -> Result<PriceBook, Diagnostics> {
    parse_price_book(&PriceBookSource { file: "b.toml", bytes: text.as_bytes(), overrides: &[], override_source: "s" })
}

fn bundled() -> (String, PriceBook) {
    let text = std::fs::read_to_string(root().join("pricebooks/iot-2026-11.toml")).unwrap();
    let book = parse(&text).unwrap_or_else(|d| panic!("{d}"));
    (text, book)
}

fn line<'a>(b: &'a PriceBook, path: &str) -> &'a PriceLine {
    b.lines.iter().find(|l| l.path == path).unwrap_or_else(|| panic!("no price {path}: {:#?}", b.lines))
}

/// A small book: a platform whose section has a source page, a price with its own source (no
/// page), a price with its own page, and [E] assumptions in sections and prices.
const SMALL: &str = r#"schema = 1
[book]
id = "b"
currency = "USD"
date = "2026-11-01"

[platform.p]
kind = "metered"
source = "Vendor pricing page (S33 [V])"
url = "https://example.com/pricing"
as_of = "2026-11-01"
connection_minutes = { price = 0.08, per = 1_000_000 }
message_meter_bytes = 5120
messages = [
  { up_to = 1_000, price = 1.00, per = 1_000_000 },
  { price = 0.80, per = 1_000_000, source = "tier ratios (S35 [L])" },
]
rules = { price = 0.15, per = 1_000_000, source = "[E: no page] assumed", url = "http://example.org/rules" }
actions = { price = 0.15, per = 1_000_000, url = "https://example.com/actions" }

[labour]
source = "[E] engineering defaults"
as_of = "2026-11-01"
technician_hour = 100
install_minutes_per_device = 20
gateway_install = { price = 550, source = "a quote from Acme, 2026-10" }
truck_roll = { price = 350, source = "[E, S32] urban dispatch" }

[egress]
per_gb = { price = 0.09, source = "list price [L]", as_of = "2026-11-01" }
"#;

#[test]
fn a_url_is_read_and_inherited_with_its_sections_source() {
    let b = parse(SMALL).unwrap_or_else(|d| panic!("{d}"));
    let url = |p: &str| line(&b, p).url.clone();
    // No own source: the section's source and its page.
    assert_eq!(url("platform.p.connection_minutes").as_deref(), Some("https://example.com/pricing"));
    assert_eq!(url("platform.p.messages[0]").as_deref(), Some("https://example.com/pricing"));
    // Its own source: not the section's page.
    assert_eq!(url("platform.p.messages[1]"), None);
    // Its own source and page; its own page under the section's source.
    assert_eq!(url("platform.p.rules").as_deref(), Some("http://example.org/rules"));
    assert_eq!(url("platform.p.actions").as_deref(), Some("https://example.com/actions"));
    assert_eq!(line(&b, "platform.p.actions").source, "Vendor pricing page (S33 [V])");
    assert_eq!(url("labour.technician_hour"), None);
    // An overridden price is the scenario's: no page, no assumption.
    let o = parse_price_book(&PriceBookSource {
        file: "b.toml",
        bytes: SMALL.as_bytes(),
        overrides: &["labour.technician_hour=90".into(), "platform.p.connection_minutes=0.1".into()],
        override_source: "s.toml",
    })
    .unwrap_or_else(|d| panic!("{d}"));
    for p in ["labour.technician_hour", "platform.p.connection_minutes"] {
        let l = line(&o, p);
        assert_eq!((l.source.as_str(), &l.url, l.assumption), ("override in s.toml", &None, false), "{p}");
    }
}

#[test]
fn a_bad_url_is_a_diagnostic_at_its_line() {
    let cases = [
        ("url = \"https://example.com/pricing\"", "url = \"example.com/pricing\"", "platform.p.url"),
        ("url = \"https://example.com/actions\"", "url = \"ftp://example.com/a\"", "platform.p.actions.url"),
        ("url = \"http://example.org/rules\"", "url = \"https://exa mple.org\"", "platform.p.rules.url"),
        ("url = \"https://example.com/pricing\"", "url = \"https://\"", "platform.p.url"),
        ("url = \"https://example.com/pricing\"", "url = 3", "platform.p.url"),
    ];
    for (good, bad, path) in cases {
        let text = SMALL.replacen(good, bad, 1);
        assert_ne!(text, SMALL, "{bad}");
        let at = text.lines().position(|l| l.contains(bad)).unwrap() + 1;
        let d = parse(&text).expect_err(bad);
        assert_eq!(d.0.len(), 1, "{bad}:\n{d}");
        assert_eq!((d.0[0].line, d.0[0].path.as_str()), (at, path), "{bad}:\n{d}");
        if !bad.ends_with('3') {
            assert!(d.0[0].message.contains("starts with https:// or http://"), "{}", d.0[0].message);
        }
    }
}

#[test]
fn assumptions_are_the_prices_whose_source_carries_the_e_tag() {
    for (source, expected) in [
        ("[E] engineering default", true),
        ("EUR 10 (S40 [V]), at 1.08 USD/EUR [E]", true),
        ("[E: read from the quotas page]", true),
        ("[E, rules from S43]", true),
        ("list price [L]", false),
        ("vendor page (S41 [V])", false),
        ("Edge [EU] pricing", false),
        ("a quote", false),
    ] {
        assert_eq!(is_assumption(source), expected, "{source}");
    }
    let b = parse(SMALL).unwrap_or_else(|d| panic!("{d}"));
    let flagged: Vec<&str> = b.lines.iter().filter(|l| l.assumption).map(|l| l.path.as_str()).collect();
    assert_eq!(flagged, ["platform.p.rules", "labour.technician_hour", "labour.truck_roll"]);
    assert_eq!(b.assumption_count(), (3, 9));
}

/// The S-numbers a text cites (`S33`), leaving out edition names (`name = "S1"`, "IoT Hub S1").
fn cited(text: &str) -> BTreeSet<u32> {
    let edition = Regex::new(r#"name = "S[0-9]+"|IoT Hub S[0-9]+|S[0-9]+ throttle"#).unwrap();
    let s = Regex::new(r"(?-u:\b)S([0-9]{1,3})(?-u:\b)").unwrap();
    let text = edition.replace_all(text, "");
    s.captures_iter(&text).map(|c| c[1].parse().unwrap()).collect()
}

/// docs/sources.md: each source's S-number and its URL, if any (`### S33: title` then
/// ``- URL: `https://...` ``).
fn sources_md() -> BTreeMap<u32, Option<String>> {
    let text = std::fs::read_to_string(root().join("docs/sources.md")).unwrap();
    let head = Regex::new(r"^### S([0-9]+): [^ ]").unwrap();
    let url = Regex::new(r"^- URL: `(https?://[^` ]+)`$").unwrap();
    let mut out = BTreeMap::new();
    let mut current = None;
    for l in text.lines() {
        if let Some(c) = head.captures(l) {
            let id: u32 = c[1].parse().unwrap();
            assert!(out.insert(id, None).is_none(), "S{id} twice in docs/sources.md");
            current = Some(id);
        } else if let (Some(c), Some(id)) = (url.captures(l), current) {
            assert!(out.insert(id, Some(c[1].to_string())).unwrap().is_none(), "two URLs for S{id}");
        } else if l.starts_with("- URL:") {
            panic!("a URL line docs/sources.md does not read as ``- URL: `https://...` ``: {l}");
        }
    }
    out
}

#[test]
fn the_bundled_book_counts_its_assumptions_and_its_urls_are_the_sources() {
    let (text, b) = bundled();
    // Every price whose source is tagged [E] is counted, and only those.
    for l in &b.lines {
        let tagged = l.source.contains("[E]") || l.source.contains("[E:") || l.source.contains("[E,");
        assert_eq!(l.assumption, tagged, "{l:?}");
    }
    assert_eq!(b.assumption_count(), (41, 61), "{:#?}", b.lines);
    // A published price keeps its [V] or [L] tag or cites a source.
    for l in b.lines.iter().filter(|l| !l.assumption) {
        assert!(l.source.contains("[V]") || l.source.contains("[L]"), "untagged published price {l:?}");
    }
    // Every URL is well formed, the page of one source the price cites, the same page wherever
    // that source is cited, and no page serves two sources.
    let sources = sources_md();
    let mut by_source: BTreeMap<u32, &str> = BTreeMap::new();
    let well_formed = Regex::new(r"^https?://[a-z0-9.-]+\.[a-z]{2,}(/[^ ]*)?$").unwrap();
    let with_url: Vec<&PriceLine> = b.lines.iter().filter(|l| l.url.is_some()).collect();
    for l in &with_url {
        let u = l.url.as_deref().unwrap();
        assert!(well_formed.is_match(u), "{u}");
        let owners: Vec<u32> = sources.iter().filter(|(_, v)| v.as_deref() == Some(u)).map(|(k, _)| *k).collect();
        assert_eq!(owners.len(), 1, "{u} is the URL of {owners:?} in docs/sources.md");
        let id = owners[0];
        assert!(cited(&l.source).contains(&id), "{} has the URL of S{id} but does not cite it: {l:?}", l.path);
        assert_eq!(*by_source.entry(id).or_insert(u), u, "two URLs for S{id}");
    }
    assert_eq!(with_url.len(), 12, "{with_url:#?}");
    // A price that cites a source with a URL carries it, unless it names its own source
    // alongside (the first-cited source with a page wins).
    for l in &b.lines {
        let pages: Vec<u32> =
            cited(&l.source).into_iter().filter(|id| sources.get(id).is_some_and(|u| u.is_some())).collect();
        if !pages.is_empty() && !l.assumption {
            assert!(l.url.is_some(), "{} cites {pages:?}, which have URLs, but has none", l.path);
        }
    }
    // The header points inside the repository.
    assert!(text.contains("docs/sources.md") && !text.contains("../shared") && !text.contains("domain-models"));
}

#[test]
fn docs_sources_lists_every_source_the_book_and_the_scenarios_cite() {
    let listed = sources_md();
    let mut files = vec![root().join("pricebooks/iot-2026-11.toml")];
    for dir in ["scenarios", "scenarios/bench"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    let mut missing = Vec::new();
    let mut book_cites = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let ids = cited(&text);
        if f.ends_with("iot-2026-11.toml") {
            book_cites = ids.len();
        }
        missing
            .extend(ids.into_iter().filter(|id| !listed.contains_key(id)).map(|id| format!("S{id} ({})", f.display())));
    }
    assert!(book_cites >= 15, "the book cites {book_cites} sources");
    assert!(missing.is_empty(), "not in docs/sources.md: {missing:?}");
}
