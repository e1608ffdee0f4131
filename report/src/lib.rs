//! Reports: self-contained HTML (inline CSS and inline SVG charts, nothing fetched from anywhere)
//! for one run or one sweep, and the same charts as PNG files. The input is plain data (summaries,
//! an hourly series, the assumptions); reading it from the run database is the caller's job.
//!
//! Pages are maud templates, so every piece of text is escaped unless it is wrapped in
//! `PreEscaped` (only our own SVG charts and stylesheet are). Every number goes through
//! `sim_core::text`, the formatter the terminal uses too. Each page opens with its answer: the
//! executive summary (verdict, five KPI tiles, what breaks first) on one screen and, printed, on
//! its own page.

// Libraries never print: what a user sees is the front end's to write.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod chart;
mod compare_page;
mod design;
mod page;
pub mod pilot;
mod run_page;
mod sensitivity_page;
mod sweep_page;

pub use compare_page::{CompareFigure, CompareInput, Unit, compare_report};
pub use run_page::run_report;
pub use sensitivity_page::{SensitivityInput, TornadoRow, sensitivity_report, tornado_chart};
pub use sweep_page::sweep_report;

use chart::Chart;
use sim_core::cost::book::PriceLine;
use sim_core::cost::crossover::Crossover;
use sim_core::summary::RunSummary;

/// The price book a report cites.
#[derive(Clone, Debug)]
pub struct BookInfo {
    pub id: String,
    pub title: String,
    pub currency: String,
    pub date: String,
    pub lines: Vec<PriceLine>,
}

/// What the numbers rest on: the scenario as run, its overrides, the price book.
#[derive(Clone, Debug)]
pub struct Assumptions {
    pub scenario_file: String,
    pub scenario_text: String,
    pub overrides: Vec<String>,
    pub book: Option<BookInfo>,
}

/// One hour of a run, all classes together.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hour {
    pub hour: u32,
    pub generated: u64,
    pub delivered: u64,
    pub online: u64,
    pub buffered: u64,
}

pub struct RunInput<'a> {
    /// Replication 0 first.
    pub summaries: &'a [RunSummary],
    /// The replications' means, priced and judged together: every headline figure, the bill and
    /// the verdict come from it (`studio::run::mean_of`).
    pub mean: &'a RunSummary,
    pub hours: &'a [Hour],
    /// Replication 0's timeline of events as stored with it (`studio::run::series`): the time
    /// charts mark its scheduled events and shade its site-wide outages. Empty for a run stored
    /// before events were: the scenario's `[[event]]`s are marked instead.
    pub events: &'a [sim_core::engine::events::RunEvent],
    pub assumptions: &'a Assumptions,
    /// When the report was written (shown, not used).
    pub generated_at: &'a str,
}

pub struct SweepPointInput<'a> {
    pub value: String,
    pub summaries: &'a [RunSummary],
    /// The point's replications' means, priced and judged together.
    pub mean: &'a RunSummary,
}

pub struct SweepInput<'a> {
    pub id: i64,
    pub over: &'a str,
    pub points: Vec<SweepPointInput<'a>>,
    pub crossovers: &'a [Crossover],
    pub assumptions: &'a Assumptions,
    pub generated_at: &'a str,
}

/// A finished report: the HTML page and the charts it shows (for `--png`).
pub struct Report {
    pub html: String,
    pub charts: Vec<Chart>,
}
