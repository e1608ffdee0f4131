//! The wire contracts against what the CLI prints: every `run --json` golden file
//! (`cli/tests/golden/summary-v1/`) reads into a `RunDetail` and prints back byte for byte, the
//! conversions from sim-core's summaries reproduce those files, and the checked-in TypeScript
//! (`ui/src/contracts.ts`) is what the types generate (`UPDATE_GOLDEN=1` rewrites it).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sim_core::replication::replication_seed;
use sim_core::summary::RunSummary;
use studio::contract::summary::{RunDetail, RunFacts, Stat};

/// The golden files mask these wall-clock fields as this string.
const MASK: &str = "<masked>";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn golden_dir() -> PathBuf {
    root().join("cli/tests/golden/summary-v1")
}

/// Every golden file: (name, text).
fn goldens() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// The golden JSON with plausible values in place of the masks (a time, and wall seconds as a
/// number or, over replications, a statistic).
fn unmasked(v: &Value) -> Value {
    let mut v = v.clone();
    assert_eq!(v["created_at"], MASK);
    v["created_at"] = json!("2026-12-03T17:00:00Z");
    if v.get("wall_s").is_some() {
        assert_eq!(v["wall_s"], MASK);
        v["wall_s"] = if v.get("run_ids").is_some() {
            serde_json::to_value(Stat { mean: 1.5, ci95_low: 0.25, ci95_high: 2.75 }).unwrap()
        } else {
            json!(1.5)
        };
    }
    v
}

/// The masks back in, and the text as the CLI prints it.
fn masked_text(mut v: Value) -> String {
    v["created_at"] = json!(MASK);
    if v.get("wall_s").is_some() {
        v["wall_s"] = json!(MASK);
    }
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

/// `text` as a JSON value with every real number read exactly (Rust's own `f64` parsing is
/// correctly rounded; serde_json's default parser is not: it reads `48671.426215796004` as
/// `48671.426215796`, the neighbouring double). The golden files' keys are sorted, as the
/// value's maps are, so the numbers of the text come in the value's order.
fn exact_value(text: &str) -> Value {
    let mut tokens = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            (in_string, escaped) = (escaped || c != '"', !escaped && c == '\\');
        } else if c == '"' {
            in_string = true;
        } else if c == '-' || c.is_ascii_digit() {
            let mut end = i + 1;
            while let Some(&(j, d)) = chars.peek() {
                if !(d.is_ascii_digit() || "+-.eE".contains(d)) {
                    break;
                }
                end = j + 1;
                chars.next();
            }
            tokens.push(&text[i..end]);
        }
    }
    fn fix(v: &mut Value, tokens: &mut std::slice::Iter<'_, &str>) {
        match v {
            Value::Number(n) => {
                let t = tokens.next().expect("as many numbers in the text as in the value");
                if n.is_f64() {
                    *v = json!(t.parse::<f64>().unwrap());
                } else {
                    assert_eq!(*t, n.to_string(), "the text's numbers in the value's order");
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| fix(x, tokens)),
            Value::Object(o) => o.values_mut().for_each(|x| fix(x, tokens)),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(text).unwrap();
    let mut it = tokens.iter();
    fix(&mut v, &mut it);
    assert!(it.next().is_none(), "as many numbers in the value as in the text");
    v
}

/// Fails with the first line where `got` differs from `want`.
fn same_text(what: &str, got: &str, want: &str) {
    if got != want {
        let line = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{what}: printed differently, first at line {}: {:?} instead of {:?}",
            line + 1,
            got.lines().nth(line).unwrap_or(""),
            want.lines().nth(line).unwrap_or("")
        );
    }
}

/// Reads `text` (a golden file) into a RunDetail and prints it back: the same bytes.
fn check_round_trip(name: &str, text: &str) -> RunDetail {
    let v = exact_value(text);
    assert_eq!(masked_text(v.clone()), text, "{name}: read exactly");
    let detail: RunDetail =
        serde_json::from_value(unmasked(&v)).unwrap_or_else(|e| panic!("{name}: not a RunDetail: {e}"));
    same_text(name, &masked_text(serde_json::to_value(&detail).unwrap()), text);
    detail
}

#[test]
fn every_golden_summary_reads_back_byte_for_byte() {
    let files = goldens();
    assert!(files.len() >= 13, "found {:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
    for (name, text) in &files {
        let detail = check_round_trip(name, text);
        let replicated = name.contains("-replications");
        match (&detail, replicated) {
            (RunDetail::One(r), false) => {
                assert_eq!(r.statistic, studio::run::ONE_REPLICATION, "{name}");
                assert_eq!(r.summary.schema_version, 1, "{name}");
            }
            (RunDetail::Replicated(r), true) => {
                let n = r.replications as usize;
                assert!(n >= 2, "{name}");
                assert_eq!((r.seeds.len(), r.run_ids.len()), (n, n), "{name}");
                assert_eq!(r.statistic, sim_core::replication::STATISTIC, "{name}");
                assert_eq!(r.summary.verdict.as_ref().map(|v| v.replications as usize), Some(n), "{name}");
            }
            (other, _) => panic!("{name}: read as the wrong form: {other:?}"),
        }
    }
}

/// The facts of the run in a golden file.
fn facts_of(v: &Value) -> RunFacts {
    serde_json::from_value(unmasked(v)).unwrap()
}

#[test]
fn an_unfinished_run_reads_as_its_identity() {
    // The JSON `cli/src/records.rs` prints for a run without a summary.
    let v = json!({
        "scenario": "Mine A - pilot", "seed": 15488105542045840751u64, "devices": 20,
        "engine_version": "sim-core 0.1.0+model1", "run_id": 7, "status": "incomplete",
        "created_at": "2026-12-03T17:00:00Z", "file": "scenarios/mine-pilot.toml",
        "overrides": ["fleet.vibration.count=20"], "replication_of": 5,
    });
    let detail: RunDetail = serde_json::from_value(v.clone()).unwrap();
    let RunDetail::Unfinished(u) = &detail else { panic!("read as {detail:?}") };
    assert_eq!((u.seed, u.facts.replication_of), (15488105542045840751, Some(5)));
    assert_eq!(serde_json::to_value(&detail).unwrap(), v);
    let built = RunDetail::unfinished(
        "Mine A - pilot".into(),
        15488105542045840751,
        20,
        "sim-core 0.1.0+model1".into(),
        u.facts.clone(),
    );
    assert_eq!(built, detail);
}

#[test]
fn a_wrong_field_is_named() {
    let text = std::fs::read_to_string(golden_dir().join("mine-pilot.json")).unwrap();
    let mut v = unmasked(&serde_json::from_str(&text).unwrap());
    v["messages"]["delivered"] = json!(1.5);
    let e = serde_json::from_value::<RunDetail>(v).unwrap_err().to_string();
    assert!(e.contains("1.5"), "{e}");
}

/// The three replications of `mine-pilot-3-replications.json` (fleet capped at 20 devices as
/// the golden test does), simulated again, priced and judged, with run ids 1, 2, 3.
fn mine_pilot_replications(overrides: &[String], n: u32) -> (studio::LoadedScenario, Vec<RunSummary>) {
    let loaded =
        studio::load_scenario(&studio::Config::in_dir("unused"), &root().join("scenarios/mine-pilot.toml"), overrides)
            .unwrap();
    let seed = loaded.scenario.seed;
    let summaries = (0..n)
        .map(|i| {
            let s = &loaded.scenario;
            let rep_seed = replication_seed(seed, i);
            let out = sim_core::engine::simulate(s, rep_seed, &mut sim_core::engine::NoObserver);
            let mut summary = sim_core::summary::summarize(s, rep_seed, &out);
            studio::price_and_judge(&loaded, &mut summary);
            summary.run_id = i as i64 + 1;
            summary.wall_s = 0.5 + i as f64;
            // The CLI prints summaries read back from the run database, through serde_json's
            // default float parser (see `exact_value`): read them back the same way.
            serde_json::from_str(&serde_json::to_string(&summary).unwrap()).unwrap()
        })
        .collect();
    (loaded, summaries)
}

#[test]
fn conversions_reproduce_what_the_cli_prints() {
    let read = |name: &str| -> (String, Value) {
        let text = std::fs::read_to_string(golden_dir().join(name)).unwrap();
        let v = serde_json::from_str(&text).unwrap();
        (text, v)
    };
    let (one_text, one) = read("mine-pilot.json");
    let (rep_text, rep) = read("mine-pilot-3-replications.json");
    let overrides: Vec<String> = serde_json::from_value(rep["overrides"].clone()).unwrap();
    let (loaded, summaries) = mine_pilot_replications(&overrides, 3);

    let detail = RunDetail::one(&summaries[0], facts_of(&one));
    assert!(matches!(detail, RunDetail::One(_)));
    same_text("RunDetail::one", &masked_text(serde_json::to_value(&detail).unwrap()), &one_text);
    let mean = studio::run::mean_of(&loaded, &summaries[..1]);
    assert_eq!(RunDetail::finished(&mean, &summaries[..1], facts_of(&one)), detail);

    let mean = studio::run::mean_of(&loaded, &summaries);
    let detail = RunDetail::replicated(&mean, &summaries, facts_of(&rep));
    assert!(matches!(detail, RunDetail::Replicated(_)));
    same_text("RunDetail::replicated", &masked_text(serde_json::to_value(&detail).unwrap()), &rep_text);
    assert_eq!(RunDetail::finished(&mean, &summaries, facts_of(&rep)), detail);
}

#[test]
fn typescript_definitions_are_up_to_date() {
    let path = root().join("ui/src/contracts.ts");
    let got = studio::contract::typescript();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert!(
        got == want,
        "{} is stale: the contract types changed (UPDATE_GOLDEN=1 cargo test -p studio --test contracts \
         rewrites it)",
        path.display()
    );
    assert!(!got.contains("bigint"), "integers are numbers on the wire");
}
