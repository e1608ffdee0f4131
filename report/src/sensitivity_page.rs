//! The report of a sensitivity study: the tornado of a KPI over one assumption at a time.

use crate::chart::{Chart, Kind};
use maud::html;
use sim_core::text::{decimal, duration_s, percent};

use crate::page::*;
use crate::{Assumptions, Report};

/// One assumption of a sensitivity study: its settings and the KPI at each.
pub struct TornadoRow {
    pub path: String,
    pub low_setting: String,
    pub high_setting: String,
    pub kpi_low: f64,
    pub kpi_high: f64,
}

pub struct SensitivityInput<'a> {
    pub id: i64,
    pub scenario: &'a str,
    pub kpi: &'a str,
    pub baseline: f64,
    /// Widest swing first.
    pub rows: &'a [TornadoRow],
    pub assumptions: &'a Assumptions,
    pub generated_at: &'a str,
}

/// The tornado chart of a sensitivity study.
pub fn tornado_chart(input: &SensitivityInput<'_>) -> Chart {
    Chart::new(
        "tornado",
        format!("What moves {} most", input.kpi),
        Kind::Tornado {
            baseline: input.baseline,
            rows: input
                .rows
                .iter()
                .map(|r| {
                    (format!("{} ({} / {})", short_path(&r.path), r.low_setting, r.high_setting), r.kpi_low, r.kpi_high)
                })
                .collect(),
            x_label: input.kpi.to_string(),
        },
    )
}

fn short_path(p: &str) -> String {
    let parts: Vec<&str> = p.split('.').collect();
    if parts.len() > 3 { parts[parts.len() - 3..].join(".") } else { p.to_string() }
}

/// A value of the sensitivity study's KPI (`studio::sensitivity::kpi` names) as people read it.
fn kpi_value(kpi: &str, x: f64, currency: &str) -> String {
    match kpi {
        "delivery_ratio" => percent(x, 3),
        "loss_pct" => format!("{} %", decimal(x, 3)),
        "p99_latency_s" => duration_s(x),
        "battery_life_days" => duration_s(x * 86_400.0),
        "tco_per_device_year" | "tco" | "capex" | "opex_per_month" => money(x, currency),
        _ => measured(x),
    }
}

/// The report of a sensitivity study: the tornado and its table.
pub fn sensitivity_report(input: &SensitivityInput<'_>) -> Report {
    let currency = input.assumptions.book.as_ref().map_or("", |b| b.currency.as_str());
    let show = |x: f64| kpi_value(input.kpi, x, currency);
    let mut charts = Vec::new();
    let tornado = figure(
        &mut charts,
        tornado_chart(input),
        "Bars run from the base case to the KPI at the low (blue) and high (orange) setting; widest first.",
    );
    let body = html! {
        header {
            h1 { (input.scenario) }
            p.sub {
                "Sensitivity study " (input.id) " of " code { (input.kpi) } " \u{b7} base case " (show(input.baseline))
                " \u{b7} each assumption moved alone, the rest at the base case, same seeds \u{b7} report written "
                (input.generated_at)
            }
        }
        section id="tornado-section" {
            h2 id="tornado" { "Which assumption moves it most" }
            (tornado)
            table {
                thead {
                    tr {
                        th { "assumption" } th { "low" } th { "high" } th.n { "KPI at low" } th.n { "KPI at high" }
                        th.n { "swing" }
                    }
                }
                tbody {
                    @for r in input.rows {
                        tr {
                            td { code { (r.path) } }
                            td { (r.low_setting) }
                            td { (r.high_setting) }
                            td.n { (show(r.kpi_low)) }
                            td.n { (show(r.kpi_high)) }
                            td.n { (show((r.kpi_high - r.kpi_low).abs())) }
                        }
                    }
                }
            }
        }
        (assumptions_html(input.assumptions, None))
    };
    Report { html: page(&format!("Scaleproof sensitivity: {}", input.scenario), body), charts }
}
