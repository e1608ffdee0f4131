//! Validation rejects what the engine cannot simulate in bounded time and memory (certificate
//! cycles, lifecycle actions), at the field to change, and stays fast on hostile input (hints,
//! long lines, thousands of names).

use std::path::Path;
use std::time::{Duration, Instant};

use sim_core::diagnostic::Diagnostics;
use sim_core::engine::{MAX_LIFECYCLE_ACTIONS, estimate};
use sim_core::models::identity::MAX_CERTIFICATE_CYCLES;
use sim_core::scenario::{Scenario, ScenarioSource, parse_scenario};

fn bundled(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(text: &str) -> Result<Scenario, Diagnostics> {
    parse_scenario(&ScenarioSource { file: "test.toml", bytes: text.as_bytes(), overrides: &[] })
}

/// `text` with each (from, to) replaced once; `from` must occur.
fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    edits.iter().fold(text.to_string(), |t, (from, to)| {
        assert!(t.contains(from), "{from:?} not found");
        t.replacen(from, to, 1)
    })
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).expect("present")].matches('\n').count() + 1
}

/// Expects exactly one problem, at `path` on `line`, whose message contains every `words`.
fn check_rejected(text: &str, path: &str, line: usize, words: &[&str]) {
    let d = parse(text).expect_err("must be rejected");
    assert_eq!(d.0.len(), 1, "{d}");
    let x = &d.0[0];
    assert_eq!((x.path.as_str(), x.line), (path, line), "{d}");
    assert!(x.column > 0, "{d}");
    for w in words {
        assert!(x.message.contains(w), "{w:?} not in: {d}");
    }
}

#[test]
fn a_certificate_no_longer_than_renew_before_is_rejected_at_renew_before() {
    // mine-pilot with a 29-day certificate renewed 30 days ahead: it validated, and the run never
    // ended (every renewal gave a certificate that expired no later).
    let text =
        edit(&bundled("mine-pilot.toml"), &[("certificate_lifetime = \"1y\"", "certificate_lifetime = \"29d\"")]);
    check_rejected(
        &text,
        "identity.renew_before",
        line_of(&text, "renew_before = "),
        &["renew_before (30d) must be shorter than certificate_lifetime (29d)", "shorten renew_before"],
    );
    // The same with renew_before left at its default: the message says so, at the table.
    let text = edit(&text, &[("renew_before = \"30d\"\n", "")]);
    let d = parse(&text).expect_err("must be rejected");
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].path, "identity.renew_before");
    assert!(d.0[0].message.contains("renew_before (30d, the default) must be shorter"), "{d}");
    // Equal is as bad as longer; without rotation renew_before does not matter.
    let equal = edit(&bundled("mine-pilot.toml"), &[("renew_before = \"30d\"", "renew_before = \"1y\"")]);
    assert!(parse(&equal).is_err());
    let unrotated = edit(&text, &[("rotation = true", "rotation = false")]);
    parse(&unrotated).unwrap_or_else(|d| panic!("{d}"));
}

#[test]
fn certificate_cycles_per_device_are_bounded() {
    // Daily certificates without rotation over 5 years: 1,825 per device.
    let text = edit(
        &bundled("mine-pilot.toml"),
        &[
            ("duration = \"30d\"", "duration = \"5y\""),
            ("certificate_lifetime = \"1y\"", "certificate_lifetime = \"1d\""),
            ("rotation = true", "rotation = false"),
        ],
    );
    check_rejected(
        &text,
        "identity.certificate_lifetime",
        line_of(&text, "certificate_lifetime = "),
        &[
            "1,825 certificate cycles per device over 1825d",
            "a new certificate every 1d",
            "at most 1,000",
            "lengthen certificate_lifetime",
        ],
    );
    // With rotation the cycle is lifetime - renew_before: 30d - 29d = 1 day.
    let text = edit(
        &bundled("mine-pilot.toml"),
        &[
            ("duration = \"30d\"", "duration = \"5y\""),
            ("certificate_lifetime = \"1y\"", "certificate_lifetime = \"30d\""),
            ("renew_before = \"30d\"", "renew_before = \"29d\""),
        ],
    );
    check_rejected(
        &text,
        "identity.certificate_lifetime",
        line_of(&text, "certificate_lifetime = "),
        &[
            "1,825 certificate cycles",
            "a renewal every 1d (certificate_lifetime 30d minus renew_before 29d)",
            "shorten renew_before",
        ],
    );
    // Just inside the limit is accepted.
    let days = 5 * 365 / MAX_CERTIFICATE_CYCLES + 1;
    let ok = edit(&text, &[("certificate_lifetime = \"30d\"", &format!("certificate_lifetime = \"{}d\"", days + 29))]);
    let s = parse(&ok).unwrap_or_else(|d| panic!("{d}"));
    assert!(estimate(&s).certificate_cycles <= MAX_CERTIFICATE_CYCLES);
}

#[test]
fn lifecycle_actions_over_the_fleet_are_bounded() {
    // 30-day certificates without rotation over 5 years: 61 cycles per device (fine), but a
    // million devices may each expire 60 times: 60 million actions.
    let text = edit(
        &bundled("mine-pilot.toml"),
        &[
            ("count = 20\n", "count = 1000000\n"),
            ("duration = \"30d\"", "duration = \"5y\""),
            ("certificate_lifetime = \"1y\"", "certificate_lifetime = \"30d\""),
            ("rotation = true", "rotation = false"),
            ("telemetry = { period = \"2min\"", "telemetry = { period = \"1d\""),
        ],
    );
    check_rejected(
        &text,
        "identity.certificate_lifetime",
        line_of(&text, "certificate_lifetime = "),
        &[
            "up to 60,000,000 lifecycle actions over the run (1,000,000 devices x (60 certificate expiries + 0 firmware campaigns + 0 credential compromises))",
            "at most 10,000,000",
        ],
    );
    // A tenth of the fleet fits.
    let fewer = edit(&text, &[("count = 1000000\n", "count = 100000\n")]);
    let s = parse(&fewer).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(estimate(&s).lifecycle_actions, 6_000_000);
    // Firmware campaigns alone: every device gets one action per campaign; the problem is then
    // the events.
    let campaign = "\n[[event]]\nat = \"1d\"\nkind = \"firmware-update\"\nimage_kb = 64\n";
    let text = edit(
        &bundled("mine-pilot.toml"),
        &[
            ("count = 20\n", "count = 4000000\n"),
            ("duration = \"30d\"", "duration = \"3d\""),
            ("telemetry = { period = \"2min\"", "telemetry = { period = \"1d\""),
        ],
    ) + &campaign.repeat(3);
    let d = parse(&text).expect_err("must be rejected");
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].path, "event", "{d}");
    assert!(d.0[0].message.contains("up to 12,000,000 lifecycle actions"), "{d}");
    assert!(d.0[0].message.contains("3 firmware campaigns"), "{d}");
    const { assert!(MAX_LIFECYCLE_ACTIONS < 12_000_000) };
}

#[test]
fn every_bundled_scenario_still_validates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut n = 0;
    for dir in [root.clone(), root.join("bench")] {
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let s = parse(&text).unwrap_or_else(|d| panic!("{}: {d}", p.display()));
            let w = estimate(&s);
            assert!(w.certificate_cycles <= MAX_CERTIFICATE_CYCLES && w.lifecycle_actions <= MAX_LIFECYCLE_ACTIONS);
            n += 1;
        }
    }
    assert!(n >= 11, "only {n} scenarios");
}

/// Validates `text`, expecting problems, and returns them with the time taken.
fn timed(text: &str) -> (Diagnostics, Duration) {
    let t = Instant::now();
    let d = parse(text).expect_err("must be rejected");
    (d, t.elapsed())
}

/// Hostile input validates quickly. Hints are bounded structurally (see the unit tests in
/// `diagnostic.rs`: a word over 64 characters is never compared, a candidate is compared only
/// when its length is within the allowed distance, and the hints of a file share one budget of
/// work); these end-to-end checks add a time bound of 5 s per file, generous for a debug build
/// (each takes well under 1 s here; before the fixes the first took minutes and the others
/// several seconds).
const GENEROUS: Duration = Duration::from_secs(5);

#[test]
fn a_huge_unknown_site_id_gets_no_hint_and_costs_no_time() {
    // A 200 KB site id, referenced with one character changed: the hint compared the two
    // (quadratic: 4e10 cells).
    let long = "n".repeat(200_000);
    let text = edit(
        &bundled("mine-pilot.toml"),
        &[
            ("id = \"north-shaft\"", &format!("id = \"{long}\"")),
            ("sites = [\"north-shaft\"]", &format!("sites = [\"{long}x\"]")),
        ],
    );
    let (d, took) = timed(&text);
    assert!(took < GENEROUS, "{took:?}");
    let x = d.0.iter().find(|x| x.path == "fleet.vibration.sites").unwrap_or_else(|| panic!("{d}"));
    assert!(!x.message.contains("did you mean"), "{}", &x.message[..200]);
    // The "defined" list shows a name's first 64 characters, not all 200,000.
    assert!(x.message.len() < 200_000 + 300, "{}", x.message.len());
    assert!(
        x.message.contains(&format!("(defined: {}...)", "n".repeat(64))),
        "{}",
        &x.message[x.message.len() - 100..]
    );
}

#[test]
fn a_500_kb_file_of_unknown_keys_is_reported_in_full_and_fast() {
    // 25,000 unknown keys, one per line, then the same on one line (columns on a long line).
    let keys: String = (0..25_000).map(|i| format!("unknown_field_{i} = {i}\n")).collect();
    let text = edit(&bundled("mine-pilot.toml"), &[("[backend]\n", &format!("[backend]\n{keys}"))]);
    assert!(text.len() > 500_000);
    let (d, took) = timed(&text);
    assert!(took < GENEROUS, "{took:?}");
    assert_eq!(d.0.len(), 25_000);
    assert!(d.0.iter().all(|x| x.path.starts_with("backend.unknown_field_") && x.message.contains("allowed here")));
    let inline: String = (0..25_000).map(|i| format!("unknown_field_{i} = {i}, ")).collect();
    let text = edit(
        &bundled("mine-pilot.toml"),
        &[
            ("[backend]\nconnects_per_s = 100\nreconnect_window = \"30s\"\n", ""),
            ("schema = 1\n", &format!("schema = 1\nbackend = {{ {inline}connects_per_s = 100 }}\n")),
        ],
    );
    let (d, took) = timed(&text);
    assert!(took < GENEROUS, "{took:?}");
    assert_eq!(d.0.len(), 25_000);
    let last = d.0.last().unwrap();
    let line = text.lines().nth(last.line - 1).unwrap();
    assert_eq!(line.chars().skip(last.column - 1).take(20).collect::<String>(), "unknown_field_24999 ");
}

#[test]
fn thousands_of_names_and_events_cost_their_sum_not_their_product() {
    // 10,000 sites all referenced by one class (and one that does not exist), 5,000 events at
    // distinct times, and 2,500 events at sites that do not exist (each with a hint search).
    let sites: String = (0..10_000).map(|i| format!("[[site]]\nid = \"s{i}\"\n")).collect();
    let mut refs: Vec<String> = (0..10_000).rev().map(|i| format!("\"s{i}\"")).collect();
    refs.push("\"nowhere-near\"".into());
    let events: String = (0..5_000)
        .map(|i| {
            format!("[[event]]\nat = \"{}s\"\nkind = \"site-outage\"\nsite = \"s{i}\"\nduration = \"1h\"\n", i + 1)
        })
        .collect();
    let unknown: String = (0..2_500)
        .map(|i| {
            let site = if i % 2 == 0 { format!("t{i}") } else { format!("unknown-site-{i}") };
            format!("[[event]]\nat = \"{}s\"\nkind = \"site-outage\"\nsite = \"{site}\"\nduration = \"1h\"\n", i + 1)
        })
        .collect();
    let text = edit(
        &bundled("mine-pilot.toml"),
        &[
            ("[network.", &format!("{sites}\n[network.")),
            ("sites = [\"north-shaft\"]", &format!("sites = [{}]", refs.join(","))),
        ],
    ) + &events
        + &unknown;
    assert!(text.len() < 1 << 20, "{}", text.len());
    let (d, took) = timed(&text);
    assert!(took < GENEROUS, "{took:?}");
    assert_eq!(d.0.iter().filter(|x| x.path.starts_with("event[") && x.path.ends_with("].site")).count(), 2_500, "{d}");
    assert!(d.0.iter().all(|x| x.message.len() < 200), "{}", d.0[0]);
    assert!(d.0.iter().any(|x| x.message.contains("did you mean \"s")), "{}", d.0[0]);
    // The "defined" list names 10 sites and how many more.
    assert!(
        d.0.iter()
            .any(|x| x.message.contains("(defined: north-shaft, s0, s1, s2, s3, s4, s5, s6, s7, s8 and 9991 more)")),
        "{}",
        d.0[0]
    );
}
