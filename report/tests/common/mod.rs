//! A scenario run and priced as the studio would, for the report tests.

#![allow(dead_code)]

use report::{Assumptions, BookInfo, Hour};
use sim_core::cost::{PriceBookSource, parse_price_book};
use sim_core::engine::{EpochReport, Observer, simulate};
use sim_core::scenario::{Scenario, ScenarioSource, parse_scenario};
use sim_core::summary::{RunSummary, summarize};

pub(crate) const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

struct Hours(Vec<Hour>);
impl Observer for Hours {
    fn epoch(&mut self, r: &EpochReport) {
        let mut h = Hour { hour: r.index, ..Hour::default() };
        for c in &r.per_class {
            h.generated += c.counts.get(sim_core::engine::Counter::Generated);
            h.delivered += c.counts.get(sim_core::engine::Counter::Delivered);
            h.online += c.online;
            h.buffered += c.buffered;
        }
        self.0.push(h);
    }
}

/// `scenarios/NAME` run with `overrides` and `seed`, priced and judged with the November 2026
/// price book.
pub(crate) fn run_of(name: &str, overrides: &[String], seed: u64) -> (Scenario, RunSummary, Vec<Hour>, Assumptions) {
    let file = format!("{ROOT}/scenarios/{name}");
    let text = std::fs::read_to_string(&file).unwrap();
    let s = parse_scenario(&ScenarioSource { file: &file, bytes: text.as_bytes(), overrides }).unwrap();
    let book_file = format!("{ROOT}/pricebooks/iot-2026-11.toml");
    let book_text = std::fs::read(&book_file).unwrap();
    let book = parse_price_book(&PriceBookSource {
        file: &book_file,
        bytes: &book_text,
        overrides: &[],
        override_source: "t",
    })
    .unwrap();
    let mut hours = Hours(Vec::new());
    let out = simulate(&s, seed, &mut hours);
    let mut r = summarize(&s, seed, &out);
    sim_core::assess(&s, Some(&book), &r).fill(&mut r);
    let a = Assumptions {
        scenario_file: file,
        scenario_text: text,
        overrides: overrides.to_vec(),
        book: Some(BookInfo {
            id: book.id.clone(),
            title: book.title.clone(),
            currency: book.currency.clone(),
            date: book.date.clone(),
            lines: book.lines.clone(),
        }),
    };
    (s, r, hours.0, a)
}

/// The mine pilot (LTE-M, acknowledged, a delivery target), priced.
pub(crate) fn priced_run(overrides: &[String], seed: u64) -> (Scenario, RunSummary, Vec<Hour>, Assumptions) {
    run_of("mine-pilot.toml", overrides, seed)
}

/// `scenarios/NAME` run `replications` times (seeds 1, 2, ...), each priced and judged, and
/// their mean as the studio forms it: the mean summary, judged on all replications together.
pub(crate) fn replicated(
    name: &str,
    overrides: &[String],
    replications: u64,
) -> (Vec<RunSummary>, RunSummary, Vec<Hour>, Assumptions) {
    let mut runs = Vec::new();
    let mut first = None;
    for seed in 1..=replications {
        let (s, r, hours, a) = run_of(name, overrides, seed);
        runs.push(r);
        first.get_or_insert((s, hours, a));
    }
    let (s, hours, a) = first.expect("at least one replication");
    let book_file = format!("{ROOT}/pricebooks/iot-2026-11.toml");
    let book_text = std::fs::read(&book_file).unwrap();
    let book = parse_price_book(&PriceBookSource {
        file: &book_file,
        bytes: &book_text,
        overrides: &[],
        override_source: "t",
    })
    .unwrap();
    let mean = sim_core::assess_replications(&s, Some(&book), &runs);
    (runs, mean, hours, a)
}
