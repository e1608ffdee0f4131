//! Helpers for the engine's integration tests: build a scenario from TOML text and run it.
#![allow(dead_code)]

use sim_core::engine::{NoObserver, simulate};
use sim_core::scenario::{Scenario, ScenarioSource, parse_scenario};
use sim_core::summary::{RunSummary, summarize};

pub(crate) fn scenario(text: &str) -> Scenario {
    parse_scenario(&ScenarioSource { file: "test.toml", bytes: text.as_bytes(), overrides: &[] })
        .unwrap_or_else(|d| panic!("{d}\n{text}"))
}

pub(crate) fn run(s: &Scenario, seed: u64) -> RunSummary {
    summarize(s, seed, &simulate(s, seed, &mut NoObserver))
}

/// A one-class scenario: `network`, `power` and `class` are the bodies of the
/// [network.link], [power.supply] and [fleet.devices] tables; `extra` is appended.
pub(crate) fn one_class(duration: &str, network: &str, power: &str, class: &str, extra: &str) -> String {
    format!(
        r#"schema = 1
[scenario]
name = "test"
seed = 1
duration = "{duration}"

[[site]]
id = "s"
gateways = 1

[network.link]
{network}

[power.supply]
{power}

[fleet.devices]
sites = ["s"]
network = "link"
power = "supply"
{class}

{extra}
"#
    )
}

pub(crate) const MAINS: &str = r#"kind = "mains""#;

/// Every scenario file under scenarios/ (pilot mapping files in scenarios/maps left out), sorted.
pub(crate) fn scenario_files() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                // scenarios/maps holds pilot mapping files, not scenarios.
                if p.file_name().is_some_and(|n| n != "maps") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"), &mut out);
    out.sort();
    out
}
