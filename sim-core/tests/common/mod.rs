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
