//! The report that compares two runs figure by figure.

use maud::html;
use sim_core::text::{decimal, duration_s, points, signed};

use crate::Report;
use crate::page::*;

/// What a compared figure measures, so its values and B - A are written in its unit.
#[derive(Clone, Debug, PartialEq)]
pub enum Unit {
    /// A count of things (messages, devices, reboots).
    Count,
    /// A percentage (0..100); B - A is in percentage points.
    Percent,
    /// A duration in seconds.
    Seconds,
    /// A duration in days.
    Days,
    /// An amount in the currency named.
    Money(String),
}

impl Unit {
    fn show(&self, x: f64) -> String {
        match self {
            Unit::Count => decimal(x, 0),
            Unit::Percent => format!("{} %", decimal(x, 3)),
            Unit::Seconds => duration_s(x),
            Unit::Days => duration_s(x * 86_400.0),
            Unit::Money(c) => money(x, c),
        }
    }

    /// B - A, signed, in the unit.
    fn delta(&self, d: f64) -> String {
        let sign = if d > 0.0 { "+" } else { "" };
        match self {
            Unit::Count => signed(d, 0),
            Unit::Percent => points(d / 100.0, 3),
            Unit::Seconds => format!("{sign}{}", duration_s(d)),
            Unit::Days => format!("{sign}{}", duration_s(d * 86_400.0)),
            Unit::Money(c) => format!("{} {c}", signed(d, 2)),
        }
    }
}

/// One headline figure of both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareFigure {
    pub label: String,
    pub unit: Unit,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

/// Two runs side by side: what differs in their assumptions and in their results.
pub struct CompareInput<'a> {
    pub title_a: String,
    pub title_b: String,
    /// (path, value in A, value in B).
    pub assumptions: &'a [(String, String, String)],
    pub prices: &'a [(String, String, String)],
    pub results: &'a [CompareFigure],
    pub generated_at: &'a str,
}

pub fn compare_report(input: &CompareInput<'_>) -> Report {
    let body = html! {
        header {
            h1 { (input.title_a) " vs " (input.title_b) }
            p.sub { "report written " (input.generated_at) }
        }
        section id="results" {
            h2 { "Results" }
            table {
                thead { tr { th { "figure" } th.n { "A" } th.n { "B" } th.n { "B \u{2212} A" } th.n { "change" } } }
                tbody {
                    @for f in input.results {
                        @let delta = f.a.zip(f.b).map(|(a, b)| b - a);
                        tr {
                            td { (f.label) }
                            td.n { (f.a.map_or("-".into(), |x| f.unit.show(x))) }
                            td.n { (f.b.map_or("-".into(), |x| f.unit.show(x))) }
                            td.n.delta { (delta.map_or("-".into(), |d| f.unit.delta(d))) }
                            td.n {
                                @if let (Some(a), Some(d)) = (f.a, delta) {
                                    @if a != 0.0 { (signed(d / a * 100.0, 1)) " %" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @for (id, title, rows) in [("assumptions", "Assumptions that differ", input.assumptions), ("prices", "Prices that differ", input.prices)] {
            section id=(id) {
                h2 { (title) }
                @if rows.is_empty() {
                    p { "None." }
                } @else {
                    table {
                        thead { tr { th { "field" } th { "A" } th { "B" } } }
                        tbody {
                            @for (p, a, b) in rows {
                                tr { td { code { (p) } } td { (a) } td { (b) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Report { html: page("Scaleproof comparison", body), charts: Vec::new() }
}
