//! RunSummary JSON version 1 is a contract (DESIGN.md section 7): every bundled scenario's
//! `run --json` is compared byte for byte with a golden file, so a refactor cannot change it
//! unnoticed. `UPDATE_GOLDEN=1` rewrites the files, on purpose only.
//!
//! Fleets are capped at 500 devices per class so the whole set runs in seconds in a debug
//! build; the durations, events and every other field are the scenarios' own. Only the two
//! fields that depend on the wall clock (`created_at`, `wall_s`) are masked.

mod common;

use std::path::Path;

use common::{TempDir, bin, ok, root};

/// Devices per class at most.
const CAP: i64 = 500;

/// The overrides that cap every device class of a scenario at [`CAP`] devices.
fn capped(scenario: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(scenario).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let mut sets = Vec::new();
    if let Some(fleet) = doc.get("fleet").and_then(|f| f.as_table()) {
        for (class, t) in fleet {
            let count = t.get("count").and_then(|c| c.as_integer()).unwrap();
            sets.push("--set".to_string());
            sets.push(format!("fleet.{class}.count={}", count.min(CAP)));
        }
    }
    sets
}

/// Masks the top-level fields that depend on the wall clock, keeping every other byte.
fn masked(json: &str) -> String {
    let mut out = String::new();
    let mut lines = json.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("  \"created_at\": ") {
            out.push_str("  \"created_at\": \"<masked>\",\n");
        } else if let Some(rest) = line.strip_prefix("  \"wall_s\": ") {
            let comma = if rest.ends_with(',') { "," } else { "" };
            if rest.starts_with('{') {
                for l in lines.by_ref() {
                    if l.starts_with("  }") {
                        let comma = if l.ends_with(',') { "," } else { "" };
                        out.push_str(&format!("  \"wall_s\": \"<masked>\"{comma}\n"));
                        break;
                    }
                }
            } else {
                out.push_str(&format!("  \"wall_s\": \"<masked>\"{comma}\n"));
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn check(scenario: &str, replications: u32, golden: &str) {
    let dir = TempDir::new("summary-json");
    let db = dir.path().join("runs.db");
    let mut cmd = bin();
    cmd.args(["run", scenario, "--json", "--replications", &replications.to_string(), "--db"]).arg(&db);
    cmd.args(capped(&root().join(scenario)));
    let got = masked(&ok(cmd.output().unwrap()));
    let path = root().join("cli/tests/golden/summary-v1").join(golden);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if got != want {
        let line = got.lines().zip(want.lines()).position(|(g, w)| g != w).map_or(0, |i| i + 1);
        panic!(
            "{scenario}: RunSummary JSON v1 differs from {} (first at line {line}; \
             UPDATE_GOLDEN=1 rewrites it, on purpose only)",
            path.display()
        );
    }
}

#[test]
fn every_bundled_scenario_keeps_its_summary_json() {
    let mut scenarios: Vec<String> = Vec::new();
    for dir in ["scenarios", "scenarios/bench"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                scenarios.push(format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    scenarios.sort();
    assert!(scenarios.len() >= 11, "found {scenarios:?}");
    for s in &scenarios {
        let name = Path::new(s).file_stem().unwrap().to_string_lossy().into_owned();
        check(s, 1, &format!("{name}.json"));
    }
}

#[test]
fn replicated_summaries_keep_their_json() {
    check("scenarios/mine-pilot.toml", 3, "mine-pilot-3-replications.json");
    check("scenarios/logistics-production.toml", 2, "logistics-production-2-replications.json");
}

#[test]
fn masking_keeps_everything_but_the_wall_clock() {
    let json = "{\n  \"created_at\": \"2026-01-01T00:00:00Z\",\n  \"delivery_ratio\": 0.5,\n  \"wall_s\": {\n    \"ci95_high\": 1.0,\n    \"mean\": 0.5\n  }\n}\n";
    assert_eq!(
        masked(json),
        "{\n  \"created_at\": \"<masked>\",\n  \"delivery_ratio\": 0.5,\n  \"wall_s\": \"<masked>\"\n}\n"
    );
}

/// Reads `json` as the contract `T` and writes it back: every field must come back with the same
/// value and the same kind of number (an integer stays an integer, `0.0` stays a real), so the
/// contract is exact and complete for that output. Compared as JSON values, both read by the
/// same parser (serde_json's default float parsing may land on a neighbouring double; the text
/// itself is checked byte for byte by the golden tests above).
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(what: &str, json: &str) {
    let typed: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("{what}: not a contract: {e}\n{json}"));
    let want: serde_json::Value = serde_json::from_str(json).unwrap();
    let back = serde_json::to_value(&typed).unwrap();
    if back != want {
        let (b, w) = (serde_json::to_string_pretty(&back).unwrap(), serde_json::to_string_pretty(&want).unwrap());
        let at = b.lines().zip(w.lines()).position(|(x, y)| x != y).unwrap_or(0);
        let line = |t: &str| t.lines().nth(at).unwrap_or("").to_string();
        panic!(
            "{what}: the contract does not reproduce the output at line {}: {:?} instead of {:?}",
            at + 1,
            line(&b),
            line(&w)
        );
    }
}

#[test]
fn every_json_output_of_the_run_database_is_a_contract() {
    use studio::contract::{RunListItem, StudyDetail, SweepDetail, SweepListItem};
    let dir = TempDir::new("contracts");
    let db = dir.path().join("runs.db");
    let json = |args: &[&str]| -> String {
        let mut cmd = bin();
        cmd.args(args).arg("--db").arg(&db);
        ok(cmd.output().unwrap())
    };
    let short = ["--set", "scenario.duration=2d"];
    let sweep = json(
        &[
            &["sweep", "scenarios/mine-pilot.toml", "--over", "devices=10,20", "--replications", "2", "--json"][..],
            &short,
        ]
        .concat(),
    );
    round_trip::<SweepDetail>("sweep --json", &sweep);
    let one = json(
        &[&["sweep", "scenarios/mine-pilot.toml", "--over", "devices=10", "--replications", "1", "--json"][..], &short]
            .concat(),
    );
    round_trip::<SweepDetail>("sweep --json, one replication", &one);
    let study = json(
        &[
            &[
                "sensitivity",
                "scenarios/mine-pilot.toml",
                "--vary",
                "fleet.vibration.telemetry.period=x0.5,x2",
                "--on",
                "delivery_ratio",
                "--json",
            ][..],
            &short,
        ]
        .concat(),
    );
    round_trip::<StudyDetail>("sensitivity --json", &study);
    round_trip::<Vec<RunListItem>>("runs --json", &json(&["runs", "--json"]));
    round_trip::<Vec<SweepListItem>>("sweeps --json", &json(&["sweeps", "--json"]));
    round_trip::<studio::contract::Comparison>("compare --json", &json(&["compare", "1", "3", "--json"]));
    let bench = ok(bin().args(["bench", "--devices", "200", "--days", "0.1", "--json"]).output().unwrap());
    round_trip::<studio::contract::BenchResult>("bench --json", &bench);
}
