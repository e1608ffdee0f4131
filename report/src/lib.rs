//! Reports: self-contained HTML (inline CSS and inline SVG charts, nothing fetched from anywhere)
//! for one run or one sweep, and the same charts as PNG files. The input is plain data (summaries,
//! an hourly series, the assumptions); reading it from the run database is the caller's job.
//!
//! Pages are maud templates, so every piece of text is escaped unless it is wrapped in
//! `PreEscaped` (only our own SVG charts and stylesheet are). Every number goes through
//! `sim_core::text`, the formatter the terminal uses too. Each page opens with its answer: the
//! executive summary (verdict, five KPI tiles, what breaks first) on one screen and, printed, on
//! its own page.

pub mod chart;
mod design;
pub mod pilot;

use chart::{Chart, Kind, Series};
use design::Design;
use maud::{Markup, PreEscaped, html};
use sim_core::cost::bill::Category;
use sim_core::cost::book::PriceLine;
use sim_core::cost::crossover::Crossover;
use sim_core::cost::{CostSummary, Money};
use sim_core::engine::{LIFE_BINS, life_bin_start_days};
use sim_core::replication::{Bounds, Estimate, STATISTIC, mean_ci95};
use sim_core::summary::RunSummary;
use sim_core::text::{count, decimal, duration_s, percent, points, signed, thousands};
use sim_core::verdict::{Finding, Kpi, Readiness, Severity, Verdict};

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

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:1000px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 10px;border-bottom:2px solid #e3e6eb;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.sub{color:#5b6475;font-size:14px}.ci{color:#5b6475;font-size:12px;font-weight:normal}
#summary{border:1px solid #e3e6eb;border-radius:8px;padding:4px 18px 14px;margin-top:16px}
#summary h2{margin-top:14px}.description{font-style:italic;color:#3a4252}.stat{color:#5b6475;font-size:13px}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.tile{flex:1 1 150px;border:1px solid #e3e6eb;border-left:6px solid #c9ced8;border-radius:6px;padding:8px 12px}
.tile .k{font-size:12px;color:#5b6475;text-transform:uppercase;letter-spacing:.04em}
.tile .v{font-size:19px;font-weight:600;margin-top:2px}.tile .t,.tile .s{font-size:12px;color:#5b6475}
.tile.sev-PASS{border-left-color:#0b7a3e}.tile.sev-WARN{border-left-color:#a86400}
.tile.sev-UNDECIDED{border-left-color:#5b4bb3}.tile.sev-FAIL{border-left-color:#b3261e;background:#fdf3f2}
.breaks{font-size:15px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #e3e6eb;padding:5px 6px;text-align:left;vertical-align:top}
th{background:#f4f5f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.category td{font-weight:600;border-top:2px solid #c9ced8}td.item{padding-left:18px}tfoot td{font-weight:700}
.PASS{color:#0b7a3e;font-weight:700}.UNDECIDED{color:#5b4bb3;font-weight:700}.WARN{color:#a86400;font-weight:700}.FAIL{color:#b3261e;font-weight:700}
.verdict{font-size:17px;font-weight:700;padding:8px 12px;border-radius:6px;display:inline-block}
.ready{background:#e3f4ea;color:#0b7a3e}.undecided{background:#ece9f8;color:#5b4bb3}.notready{background:#fbe7e6;color:#b3261e}
figure{margin:14px 0}figcaption{font-size:12px;color:#5b6475}svg{max-width:100%;height:auto}
code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.92em;background:#f4f5f7;padding:0 3px;border-radius:3px}
pre{background:#f4f5f7;padding:10px;font-size:12px;overflow-x:auto;white-space:pre-wrap}
details summary{cursor:pointer;font-weight:600;margin:8px 0}
@media print{
@page{margin:16mm 14mm}
body{background:#fff;color:#000;font-size:10.5pt}
main{max-width:none;margin:0;padding:0;background:#fff}
#summary{border:none;padding:0;break-after:page}
th,code,pre,.tile,.tile.sev-FAIL,.verdict{background:none}
.verdict{border:2px solid currentColor}
.tile{border:1px solid #000;border-left-width:6px}
thead{display:table-header-group}tfoot{display:table-footer-group}
tr{break-inside:avoid}
h2,h3{break-after:avoid}
figure,.tile,.breaks{break-inside:avoid}
svg{max-width:100%}
a{color:#000;text-decoration:underline}
code,pre{color:#000;border:1px solid #999;white-space:pre-wrap;overflow-wrap:anywhere}
pre{font-size:8pt;overflow:visible}
details summary{list-style:none}
}";

/// The `<meta>` elements, written self-closed: maud writes HTML void elements as `<meta ...>`,
/// which is valid HTML but not XML, and the pages are also well-formed XML (the inline SVG
/// needs nothing else, and the tests parse every page with an XML parser). The pages use no
/// other void element.
const META: &str =
    "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";

fn page(title: &str, body: Markup) -> String {
    let page = html! {
        html lang="en" {
            head {
                (PreEscaped(META))
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body { main { (body) } }
        }
    };
    format!("<!DOCTYPE html>\n{}\n", page.into_string())
}

/// A chart inline, with its caption; the chart joins `charts` (the files written beside the page).
fn figure(charts: &mut Vec<Chart>, c: Chart, caption: &str) -> Markup {
    let svg = c.to_svg();
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => &svg,
    };
    let m = html! {
        figure id=(format!("chart-{}", c.id)) {
            (PreEscaped(svg))
            figcaption { (caption) }
        }
    };
    charts.push(c);
    m
}

/// Text that may carry Markdown-style `code` spans or **bold** (verdict evidence does): rendered
/// as `<code>` and `<strong>`, never as the raw marks.
fn prose(s: &str) -> Markup {
    let parts: Vec<&str> = s.split('`').collect();
    // An unmatched backtick leaves the text after it as text.
    let closed = if parts.len().is_multiple_of(2) { parts.len() - 1 } else { parts.len() };
    html! {
        @for (i, part) in parts.iter().enumerate() {
            @if i % 2 == 1 && i < closed {
                code { (part) }
            } @else {
                @for (j, run) in part.split("**").enumerate() {
                    @if j % 2 == 1 { strong { (run) } } @else { (run) }
                }
            }
        }
    }
}

/// A figure of the input's own setting (a horizon, a rate) without needless decimals.
fn plain(x: f64) -> String {
    let places = (0..=3).find(|&p| (x * 10f64.powi(p)).fract().abs() < 1e-9).unwrap_or(3);
    decimal(x, places as usize)
}

/// A measured value with as many decimals as its size warrants.
fn measured(x: f64) -> String {
    let a = x.abs();
    let places = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        4
    };
    decimal(x, places)
}

/// "5 years", "2.5 years".
fn years(y: f64) -> String {
    if y == 1.0 { "1 year".into() } else { format!("{} years", plain(y)) }
}

fn money(x: f64, currency: &str) -> String {
    format!("{} {currency}", decimal(x, 2))
}

/// "the mean of 3 replications" or "one replication".
fn statistic(replications: usize) -> String {
    if replications > 1 {
        format!("mean of {} replications", thousands(replications as u64))
    } else {
        "one replication".into()
    }
}

/// "mean [low to high]": the 95 % interval over replications when there is one.
fn estimate(e: &Estimate, show: impl Fn(f64) -> String) -> Markup {
    html! {
        (show(e.mean))
        @if e.has_interval() {
            " " span.ci { "[" (show(e.ci95_low)) " to " (show(e.ci95_high)) "]" }
        }
    }
}

fn estimate_of(xs: &[f64], bounds: Bounds, show: impl Fn(f64) -> String) -> Markup {
    estimate(&Estimate::of(xs, bounds), show)
}

fn status_class(s: Readiness) -> &'static str {
    match s {
        Readiness::Ready => "ready",
        Readiness::Undecided => "undecided",
        Readiness::NotReady => "notready",
    }
}

/// The readiness as a sentence's start: "Ready for production", "NOT ready for production".
fn status_words(s: Readiness) -> String {
    let l = s.label();
    let mut c = l.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// What breaks first: the most severe finding (FAIL, then UNDECIDED, then WARN); among equals
/// the first target, else the first warning sign. None when everything passes.
fn first_break(v: &Verdict) -> Option<&Finding> {
    let worst = v.findings.iter().map(|f| f.severity).max()?;
    if worst == Severity::Pass {
        return None;
    }
    v.findings.iter().filter(|f| f.severity == worst).min_by_key(|f| !f.check.starts_with("target."))
}

/// The verdict in one line, with how it was reached.
fn verdict_line(v: &Verdict, at: Option<&Markup>) -> Markup {
    let topics =
        |sev: Severity| -> Vec<&str> { v.findings.iter().filter(|f| f.severity == sev).map(Finding::topic).collect() };
    let r = v.replications as u64;
    html! {
        p {
            span class=(format!("verdict {}", status_class(v.status))) { (status_words(v.status)) }
        }
        p.stat {
            @if let Some(at) = at { "Judged " (at) ". " }
            @if r > 1 {
                "Judged on " (count(r, "replication", "replications")) ": each figure is the " (STATISTIC) " (in brackets)."
            } @else {
                "Judged on 1 replication: with no interval, a target cannot be decided; run two or more replications."
            }
            @for sev in [Severity::Fail, Severity::Undecided, Severity::Warn] {
                @let t = topics(sev);
                @if !t.is_empty() {
                    " " span class=(sev.label()) { (sev.label()) } ": " (t.join(", ")) "."
                }
            }
        }
    }
}

/// The five KPI tiles: delivery ratio, p99 latency, battery life, TCO per device-year and TCO
/// over the horizon, each the mean with its 95 % interval, its target and the finding's colour.
fn kpi_tiles(runs: &[RunSummary], mean: &RunSummary) -> Markup {
    let currency = mean.cost.as_ref().map_or("", |c| c.currency.as_str());
    let finding = |k: Kpi| mean.verdict.as_ref().and_then(|v| v.findings.iter().find(|f| f.check == k.check()));
    let unpriced = "not priced: the scenario names no price book";
    let kpis = [
        (Kpi::DeliveryRatio, "delivery-ratio", "delivery ratio", ""),
        (Kpi::P99Latency, "p99-latency", "p99 latency", ""),
        (Kpi::BatteryLife, "battery-life", "battery life", "no battery-powered class"),
        (Kpi::TcoPerDeviceYear, "tco-per-device-year", "TCO per device-year", unpriced),
    ];
    let tco: Vec<f64> = runs.iter().filter_map(|r| r.cost.as_ref().map(|c| c.tco.units_f64())).collect();
    let horizon = mean.cost.as_ref().map(|c| c.horizon_years);
    html! {
        div.tiles {
            @for (k, id, name, missing) in kpis {
                @let f = finding(k);
                @let xs: Vec<f64> = runs.iter().filter_map(|r| k.value(r)).collect();
                @let e = f.and_then(|f| f.estimate).or_else(|| (!xs.is_empty()).then(|| Estimate::of(&xs, k.bounds())));
                @let sev = f.map(|f| f.severity);
                div class=(format!("tile sev-{}", sev.map_or("none", Severity::label))) id=(format!("kpi-{id}")) {
                    div.k { (name) }
                    @if let Some(e) = e {
                        div.v { (estimate(&e, |x| k.show(x, currency))) }
                    } @else {
                        div.v { "n/a" }
                        div.t { (missing) }
                    }
                    @if let Some(t) = f.and_then(|f| f.target) {
                        div.t { "target " (if k.higher_is_better() { "at least " } else { "at most " }) (k.show(t, currency)) }
                    }
                    @if let Some(s) = sev { div.s { span class=(s.label()) { (s.label()) } } }
                }
            }
            div.tile.sev-none id="kpi-tco" {
                div.k { "TCO over " (horizon.map_or("the horizon".to_string(), years)) }
                @if tco.is_empty() {
                    div.v { "n/a" }
                    div.t { (unpriced) }
                } @else {
                    div.v { (estimate_of(&tco, Bounds::NON_NEGATIVE, |x| format!("{} {currency}", decimal(x, 0)))) }
                }
            }
        }
    }
}

/// The executive summary: the answer on one screen, above everything else.
struct Summary<'a> {
    verdict: Option<&'a Verdict>,
    /// Where the verdict was reached, for a sweep ("at 20 devices, the first size not ready").
    verdict_at: Option<Markup>,
    description: Option<String>,
    /// Where the tiles are measured, for a sweep ("at 2,000 devices, the largest size swept").
    tiles_at: Option<Markup>,
    runs: &'a [RunSummary],
    mean: &'a RunSummary,
    breaks: Markup,
    extra: Option<Markup>,
}

fn summary_section(s: Summary<'_>) -> Markup {
    html! {
        section id="summary" {
            h2 { "The answer" }
            @match s.verdict {
                Some(v) => (verdict_line(v, s.verdict_at.as_ref())),
                None => p.stat { "Not judged: the run has no verdict." },
            }
            @if let Some(d) = &s.description { p.description { (prose(d)) } }
            @if let Some(at) = &s.tiles_at { h3 { "Key figures " (at) } }
            (kpi_tiles(s.runs, s.mean))
            h3 { "What breaks first" }
            div.breaks { (s.breaks) }
            @if let Some(x) = s.extra { (x) }
        }
    }
}

/// "Onboarding needs manual set-up: 339 technician hours ..." with its severity.
fn finding_sentence(at: Markup, f: &Finding) -> Markup {
    html! {
        p {
            span class=(f.severity.label()) { (f.severity.label()) } " "
            (at) ": " strong { (prose(&f.title)) } " \u{2014} " (prose(&f.evidence)) "."
        }
    }
}

fn verdict_table(v: &Verdict) -> Markup {
    let mut f: Vec<&Finding> = v.findings.iter().collect();
    f.sort_by_key(|x| std::cmp::Reverse(x.severity));
    html! {
        table.findings {
            thead { tr { th {} th { "finding" } th { "evidence from the run and the design" } } }
            tbody {
                @for x in f {
                    tr {
                        td class=(x.severity.label()) { (x.severity.label()) }
                        td { (prose(&x.title)) }
                        td { (prose(&x.evidence)) }
                    }
                }
            }
        }
    }
}

fn assumptions_html(a: &Assumptions, cost: Option<&CostSummary>) -> Markup {
    html! {
        section id="assumptions" {
            h2 { "Assumptions" }
            @match &a.book {
                Some(b) => {
                    p {
                        "Prices from price book " code { (b.id) } " (" (b.title) "), dated " time { (b.date) } ", in " (b.currency) "."
                        @if let Some(c) = cost {
                            " TCO over " (years(c.horizon_years)) " at a " (plain(c.discount_rate_pct))
                            " % yearly discount rate; recurring usage is the run's own, extrapolated month by month (30.4375-day months)."
                        }
                    }
                    @let assumptions = b.lines.iter().filter(|l| l.assumption).count();
                    @let linked = b.lines.iter().filter(|l| l.url.is_some()).count();
                    p id="price-audit" {
                        strong { (assumptions) " of " (b.lines.len()) " prices are assumptions" }
                        " (marked [E]: no single published price; replace them with your quotes through "
                        code { "[cost.prices]" } "). " (linked) " link to the public page they were read from; "
                        "every source is listed in the repository's " code { "docs/sources.md" } "."
                    }
                    details {
                        summary { "Every price, with its source, its address where it is public, and its date" }
                        table id="prices" {
                            thead { tr { th { "price" } th { "value" } th { "source" } th { "as of" } } }
                            tbody {
                                @for l in &b.lines {
                                    tr class=[l.assumption.then_some("assumption")] {
                                        td { (l.path) }
                                        td { (l.price) }
                                        td {
                                            (l.source)
                                            @if let Some(u) = &l.url { div.url { (u) } }
                                        }
                                        td { (l.as_of) }
                                    }
                                }
                            }
                        }
                    }
                }
                None => p { "The scenario names no price book, so no costs are shown." },
            }
            p { "Scenario file: " code { (a.scenario_file) } "." }
            @if !a.overrides.is_empty() {
                p {
                    "Overrides: "
                    @for (i, o) in a.overrides.iter().enumerate() {
                        @if i > 0 { ", " }
                        code { (o) }
                    }
                }
            }
            details {
                summary { "The scenario as run (every default with its source)" }
                pre { (a.scenario_text) }
            }
        }
    }
}

/// The bill: lines grouped by category, each category with its subtotal and share of the TCO.
fn cost_table(c: &CostSummary) -> Markup {
    let total = c.tco.units_f64();
    let share = |m: Money| if total > 0.0 { percent(m.units_f64() / total, 1) } else { "-".into() };
    let sum = |ls: &[&sim_core::cost::bill::BillLine], f: fn(&sim_core::cost::bill::BillLine) -> Money| {
        ls.iter().fold(Money::ZERO, |a, l| a + f(l))
    };
    let groups: Vec<(Category, Vec<&sim_core::cost::bill::BillLine>)> = Category::ALL
        .iter()
        .map(|cat| (*cat, c.lines.iter().filter(|l| l.category == *cat && (l.tco.0 != 0 || l.capex.0 != 0)).collect()))
        .filter(|(_, ls): &(Category, Vec<_>)| !ls.is_empty())
        .collect();
    let first_month = c.lines.iter().fold(Money::ZERO, |a, l| a + l.first_month);
    html! {
        table id="bill" {
            thead {
                tr {
                    th { "item" } th { "basis" } th.n { "once" } th.n { "first month" }
                    th.n { "TCO (" (c.currency) ")" } th.n { "share of TCO" }
                }
            }
            tbody {
                @for (cat, ls) in &groups {
                    tr.category {
                        td colspan="2" { (cat.label()) }
                        td.n { (sum(ls, |l| l.capex)) }
                        td.n { (sum(ls, |l| l.first_month)) }
                        td.n { (sum(ls, |l| l.tco)) }
                        td.n { (share(sum(ls, |l| l.tco))) }
                    }
                    @for l in ls {
                        tr.line {
                            td.item { (l.item) }
                            td { (prose(&l.basis)) }
                            td.n { (l.capex) }
                            td.n { (l.first_month) }
                            td.n { (l.tco) }
                            td.n { (share(l.tco)) }
                        }
                    }
                }
            }
            tfoot {
                tr {
                    td colspan="2" { "TCO over " (years(c.horizon_years)) }
                    td.n { (c.capex) }
                    td.n { (first_month) }
                    td.n { (c.tco) }
                    td.n { (share(c.tco)) }
                }
            }
        }
    }
}

/// The causes of loss that apply to the design: a network cause only where its networks can
/// produce it (unacknowledged sends for the channel and dead links, LoRa for collisions and the
/// duty cycle) or where it happened.
fn loss_bars(r: &RunSummary, design: &Design) -> Vec<(String, f64)> {
    let m = &r.messages;
    let c = &r.loss_causes;
    let unacked = design.unacked || !design.known;
    [
        ("network: channel loss", c.channel, unacked),
        ("network: sent while link down", c.outage, unacked),
        ("network: LoRa collisions", c.collision, design.lora),
        ("network: duty-cycle limit", c.duty_cycle, design.lora),
        ("buffer overflow", m.dropped_overflow, true),
        ("reboot wiped the buffer", m.dropped_reboot, true),
        ("stranded in dead devices", m.stranded_dead, true),
    ]
    .into_iter()
    .filter(|&(_, n, applies)| applies || n > 0)
    .map(|(name, n, _)| (name.to_string(), n as f64))
    .collect()
}

fn life_histogram(r: &RunSummary) -> Option<Vec<(f64, f64, u64)>> {
    let mut bins = vec![0u64; LIFE_BINS];
    let mut any = false;
    for c in &r.per_class {
        if let Some(b) = &c.battery {
            for (i, n) in b.life_hist.iter().enumerate().take(LIFE_BINS) {
                bins[i] += n;
                any = true;
            }
        }
    }
    any.then(|| {
        bins.iter().enumerate().map(|(i, &n)| (life_bin_start_days(i), life_bin_start_days(i + 1), n)).collect()
    })
}

/// The report of one run (with its replications, if any).
pub fn run_report(input: &RunInput<'_>) -> Report {
    let r = input.mean;
    let all = input.summaries;
    let design = Design::of(input.assumptions);
    let stat = statistic(all.len());
    let mut charts = Vec::new();

    let delivery_over_time = (!input.hours.is_empty()).then(|| {
        // Hourly for short runs, daily otherwise (hourly spikes as buffers drain hide the trend).
        let step = if input.hours.len() > 72 { 24 } else { 1 };
        let mut delivered = Vec::new();
        let mut online = Vec::new();
        for chunk in input.hours.chunks(step) {
            let g: u64 = chunk.iter().map(|h| h.generated).sum();
            let d: u64 = chunk.iter().map(|h| h.delivered).sum();
            let on = chunk.iter().map(|h| h.online as f64).sum::<f64>() / chunk.len() as f64;
            let x = (chunk[chunk.len() - 1].hour as f64 + 1.0) / 24.0;
            let v = if g == 0 { 100.0 } else { (d as f64 / g as f64 * 100.0).min(150.0) };
            let o = on / r.devices.max(1) as f64 * 100.0;
            delivered.push((x, v, v, v));
            online.push((x, o, o, o));
        }
        let per = if step == 24 { "day" } else { "hour" };
        let c = Chart::new(
            "delivery-over-time",
            format!("Delivery and devices online, {per} by {per}"),
            Kind::Lines {
                series: vec![
                    Series { name: format!("delivered / generated in the {per}"), points: delivered },
                    Series { name: "devices online".into(), points: online },
                ],
                log_x: false,
                x_label: "day of the run".into(),
                y_label: "percent".into(),
            },
        )
        .with_targets(design.delivery_pct())
        .with_events(design.events.iter().cloned());
        figure(
            &mut charts,
            c,
            &format!("Delivered exceeds 100 % in a {per} when buffers drain after an outage (drawn up to 150 %). Replication 0."),
        )
    });
    let losses = figure(
        &mut charts,
        Chart::new(
            "losses-by-cause",
            "Where messages were lost, and why",
            Kind::Bars { bars: loss_bars(r, &design), x_label: "messages".into() },
        ),
        &format!("Of {} messages generated ({stat}).", thousands(r.messages.generated)),
    );
    let batteries = life_histogram(r).map(|bins| {
        let c = Chart::new(
            "battery-life",
            "Projected battery life per device",
            Kind::Histogram { bins, x_label: "days (log scale)".into() },
        )
        .with_targets(design.battery_life_days());
        figure(
            &mut charts,
            c,
            &format!(
                "Capacity over each device's own drain in the run (radio, retries, sleep, self-discharge); {} in the run.",
                count(r.battery_replacements, "battery replacement", "battery replacements")
            ),
        )
    });
    let cost_chart = r.cost.as_ref().map(|cost| {
        let device_years = (r.devices as f64 * cost.horizon_years).max(1e-9);
        let c = Chart::new(
            "cost-breakdown",
            format!("TCO per device-year by category, over {} ({})", years(cost.horizon_years), cost.currency),
            Kind::Stacked {
                categories: Category::ALL.iter().map(|c| c.label().to_string()).collect(),
                bars: vec![(
                    count(r.devices, "device", "devices"),
                    Category::ALL.iter().map(|c| cost.breakdown.get(*c).units_f64() / device_years).collect(),
                )],
                x_label: String::new(),
                y_label: format!("{} per device-year", cost.currency),
            },
        )
        .with_targets(design.tco_per_device_year(&cost.currency));
        figure(
            &mut charts,
            c,
            &format!("Platform {} ({}), connectivity {}.", cost.platform, cost.platform_sizing, cost.connectivity),
        )
    });

    let at = html! { "At " (count(r.devices, "device", "devices")) };
    let breaks = match r.verdict.as_ref().and_then(first_break) {
        Some(f) => finding_sentence(at, f),
        None if r.verdict.is_some() => html! {
            p { "Nothing at " (count(r.devices, "device", "devices")) ": every target is met and no warning sign fails." }
        },
        None => html! { p { "Not judged." } },
    };
    let m = &r.messages;
    let body = html! {
        header {
            h1 { (r.scenario) }
            p.sub {
                "Run " (all[0].run_id) " \u{b7} " (count(r.devices, "device", "devices")) " \u{b7} "
                (duration_s(r.simulated_s)) " simulated \u{b7} seed " code { (all[0].seed) } " \u{b7} "
                @if all.len() > 1 {
                    "every figure is the mean of " (thousands(all.len() as u64)) " replications (95 % intervals in brackets)"
                } @else {
                    "one replication (no intervals)"
                }
                " \u{b7} engine " (r.engine_version) " \u{b7} report written " (input.generated_at)
            }
        }
        (summary_section(Summary {
            verdict: r.verdict.as_ref(),
            verdict_at: None,
            description: design.description.clone(),
            tiles_at: None,
            runs: all,
            mean: r,
            breaks,
            extra: None,
        }))
        @if let Some(v) = &r.verdict {
            section id="verdict" {
                h2 { "Production-readiness verdict" }
                (verdict_table(v))
            }
        }
        section id="delivery" {
            h2 { "Delivery" }
            @if let Some(f) = delivery_over_time { (f) }
            (losses)
            table {
                thead {
                    tr {
                        th.n { "generated" } th.n { "delivered" } th.n { "lost in the network" } th.n { "buffer overflow" }
                        th.n { "reboot" } th.n { "stranded" } th.n { "buffered at end" }
                    }
                }
                tbody {
                    tr {
                        @for x in [m.generated, m.delivered, m.lost_network, m.dropped_overflow, m.dropped_reboot, m.stranded_dead, m.buffered_end] {
                            td.n { (thousands(x)) }
                        }
                    }
                }
            }
        }
        @if let Some(f) = batteries {
            section id="batteries" { h2 { "Batteries" } (f) }
        }
        @if let Some(cost) = &r.cost {
            section id="cost" {
                h2 { "Cost" }
                @if let Some(f) = cost_chart { (f) }
                p {
                    "Capex " (cost.capex) " " (cost.currency) ", then " (cost.opex_per_month) " " (cost.currency)
                    " a month (" (stat) ")."
                }
                (cost_table(cost))
                @if !cost.alternatives.is_empty() {
                    p { "The same usage under other choices:" }
                    table {
                        thead { tr { th { "choice" } th { "instead" } th.n { "TCO" } th.n { "per device-year" } } }
                        tbody {
                            @for a in &cost.alternatives {
                                tr { td { (a.choice) } td { (a.name) } td.n { (a.tco) } td.n { (a.tco_per_device_year) } }
                            }
                        }
                    }
                }
            }
        }
        (assumptions_html(input.assumptions, r.cost.as_ref()))
    };
    Report { html: page(&format!("Scaleproof report: {}", r.scenario), body), charts }
}

/// Mean, low and high (95 %) of `f` over a point's replications.
fn band(s: &[RunSummary], f: impl Fn(&RunSummary) -> f64) -> (f64, f64, f64) {
    let xs: Vec<f64> = s.iter().map(f).collect();
    let (m, h) = mean_ci95(&xs);
    (m, m - h, m + h)
}

/// A swept value as written, through the shared formatter when it is a number: "2,000", "0.25".
fn swept_value(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() => decimal(x, v.split_once('.').map_or(0, |(_, f)| f.len())),
        _ => v.to_string(),
    }
}

/// A sweep point in words: "2,000 devices", or "`backend.publishes_per_s` = 50 (2,000 devices)".
fn point_name(over: &str, p: &SweepPointInput<'_>) -> Markup {
    html! {
        @if over == "devices" {
            (count(p.mean.devices, "device", "devices"))
        } @else {
            code { (over) } " = " (swept_value(&p.value)) " (" (count(p.mean.devices, "device", "devices")) ")"
        }
    }
}

/// The report of a sweep: the answer (where the design stops being ready, and why), curves
/// against the swept value with 95 % bands, crossovers, and the verdict and bill at the last point.
pub fn sweep_report(input: &SweepInput<'_>) -> Report {
    let mut charts = Vec::new();
    let Some(first) = input.points.first().and_then(|p| p.summaries.first()) else {
        return Report { html: page("Scaleproof sweep", html! { p { "This sweep has no points." } }), charts };
    };
    let last = input.points.last().expect("a sweep with a first point has a last");
    let xs: Vec<f64> = input.points.iter().map(|p| p.value.parse().unwrap_or(f64::NAN)).collect();
    let numeric = xs.iter().all(|x| x.is_finite() && *x > 0.0);
    let x_of = |i: usize| if numeric { xs[i] } else { i as f64 + 1.0 };
    let reps = input.points.iter().map(|p| p.summaries.len()).min().unwrap_or(0);
    let reps_max = input.points.iter().map(|p| p.summaries.len()).max().unwrap_or(0);
    let log_x =
        numeric && xs.iter().cloned().fold(0.0, f64::max) / xs.iter().cloned().fold(f64::INFINITY, f64::min) >= 20.0;
    let cost0 = first.cost.as_ref();
    let design = Design::of(input.assumptions);
    // Ticks at the swept values, written as the table writes them.
    let point_label =
        |i: usize, p: &SweepPointInput<'_>| if numeric { chart::format_tick(xs[i]) } else { p.value.clone() };
    let ticks: Vec<(f64, String)> =
        input.points.iter().enumerate().map(|(i, p)| (x_of(i), point_label(i, p))).collect();

    let mut cost_figures = Vec::new();
    if let Some(c0) = cost0 {
        let mut series = vec![Series {
            name: format!("{} + {} (chosen)", c0.platform, c0.connectivity),
            points: input
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (m, lo, hi) =
                        band(p.summaries, |s| s.cost.as_ref().map_or(0.0, |c| c.tco_per_device_year.units_f64()));
                    (x_of(i), m, lo, hi)
                })
                .collect(),
        }];
        for (ai, a) in c0.alternatives.iter().enumerate() {
            series.push(Series {
                name: format!("with {} {}", a.choice, a.name),
                points: input
                    .points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let (m, lo, hi) = band(p.summaries, |s| {
                            s.cost
                                .as_ref()
                                .and_then(|c| c.alternatives.get(ai))
                                .map_or(f64::NAN, |a| a.tco_per_device_year.units_f64())
                        });
                        (x_of(i), m, lo, hi)
                    })
                    .collect(),
            });
        }
        let c = Chart::new(
            "cost-curve",
            format!("TCO per device-year against {} ({})", input.over, c0.currency),
            Kind::Lines {
                series,
                log_x,
                x_label: input.over.into(),
                y_label: format!("{} per device-year", c0.currency),
            },
        )
        .with_x_ticks(ticks.clone())
        .with_targets(design.tco_per_device_year(&c0.currency));
        cost_figures.push(figure(
            &mut charts,
            c,
            &format!(
                "Over {} at {} % discount; shaded: 95 % interval over replications. Alternatives are priced on the same simulated usage.",
                years(c0.horizon_years),
                plain(c0.discount_rate_pct)
            ),
        ));
        let bars = input
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let per_category = Category::ALL
                    .iter()
                    .map(|cat| {
                        band(p.summaries, |s| {
                            s.cost.as_ref().map_or(0.0, |c| {
                                c.breakdown.get(*cat).units_f64() / (s.devices as f64 * c.horizon_years).max(1e-9)
                            })
                        })
                        .0
                    })
                    .collect();
                (point_label(i, p), per_category)
            })
            .collect();
        let c = Chart::new(
            "cost-breakdown-curve",
            format!("Where the money goes, per device-year ({})", c0.currency),
            Kind::Stacked {
                categories: Category::ALL.iter().map(|c| c.label().to_string()).collect(),
                bars,
                x_label: input.over.into(),
                y_label: format!("{} per device-year", c0.currency),
            },
        )
        .with_targets(design.tco_per_device_year(&c0.currency));
        cost_figures.push(figure(
            &mut charts,
            c,
            "Fixed costs (gateways, broker VMs, operations) spread over few devices dominate small fleets; per-device costs and volume tiers take over at scale. Mean over replications.",
        ));
    }

    let delivered = Series {
        name: "delivered".into(),
        points: input
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (m, lo, hi) = band(p.summaries, |s| s.delivery_ratio * 100.0);
                (x_of(i), m, lo.max(0.0), hi.min(100.0))
            })
            .collect(),
    };
    let c = Chart::new(
        "delivery-curve",
        format!("Delivery ratio against {}", input.over),
        Kind::Lines { series: vec![delivered], log_x, x_label: input.over.into(), y_label: "percent delivered".into() },
    )
    .with_x_ticks(ticks.clone())
    .with_targets(design.delivery_pct());
    let delivery_fig = figure(&mut charts, c, "Shaded: 95 % interval over replications, clipped to 0-100 %.");
    let p99 = Series {
        name: String::new(),
        points: input
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (m, lo, hi) = band(p.summaries, |s| s.latency_s.p99);
                (x_of(i), m, lo.max(0.0), hi)
            })
            .collect(),
    };
    let c = Chart::new(
        "latency-curve",
        format!("p99 latency against {}", input.over),
        Kind::Lines { series: vec![p99], log_x, x_label: input.over.into(), y_label: "seconds".into() },
    )
    .with_x_ticks(ticks.clone())
    .with_targets(design.p99_latency_s());
    let latency_fig = figure(&mut charts, c, "Shaded: 95 % interval over replications.");
    type Cause = (&'static str, fn(&RunSummary) -> u64);
    let causes: [Cause; 5] = [
        ("lost in the network", |s| s.messages.lost_network),
        ("buffer overflow", |s| s.messages.dropped_overflow),
        ("reboot wiped the buffer", |s| s.messages.dropped_reboot),
        ("stranded in dead devices", |s| s.messages.stranded_dead),
        ("still buffered at the end", |s| s.messages.buffered_end),
    ];
    let series = causes
        .iter()
        .map(|(name, f)| Series {
            name: name.to_string(),
            points: input
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (m, ..) = band(p.summaries, |s| f(s) as f64 / s.messages.generated.max(1) as f64 * 100.0);
                    (x_of(i), m, m, m)
                })
                .collect(),
        })
        .collect();
    let c = Chart::new(
        "losses-curve",
        format!("Losses by cause against {}", input.over),
        Kind::Lines { series, log_x, x_label: input.over.into(), y_label: "percent of generated".into() },
    )
    .with_x_ticks(ticks);
    let losses_fig = figure(&mut charts, c, "Mean over replications.");

    // The answer: the smallest swept value whose verdict is not "ready", and what fails there.
    let breaking = input
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.mean.verdict.as_ref().is_some_and(|v| v.status != Readiness::Ready))
        .min_by(|a, b| x_of(a.0).total_cmp(&x_of(b.0)))
        .map(|(_, p)| p);
    let judged = input.points.iter().any(|p| p.mean.verdict.is_some());
    let breaks = match breaking {
        Some(p) => {
            let v = p.mean.verdict.as_ref().expect("a point that is not ready was judged");
            let at = html! { "At " (point_name(input.over, p)) };
            match first_break(v) {
                Some(f) => finding_sentence(at, f),
                None => html! { p { (at) ": " (v.status.label()) "." } },
            }
        }
        None if judged => html! {
            p { "Nothing: every size swept is ready for production, up to " (point_name(input.over, last)) "." }
        },
        None => html! { p { "Not judged." } },
    };
    let sizes = html! {
        h3 { "The verdict at each size" }
        table.sizes {
            thead { tr { th { "point" } th { "verdict" } th { "fails first" } } }
            tbody {
                @for p in &input.points {
                    tr {
                        td { (point_name(input.over, p)) }
                        @match &p.mean.verdict {
                            Some(v) => {
                                td { span class=(format!("verdict-word {}", status_class(v.status))) { (v.status.label()) } }
                                td { (first_break(v).map_or("", Finding::topic)) }
                            }
                            None => { td { "not judged" } td {} }
                        }
                    }
                }
            }
        }
    };
    let last_stat = statistic(last.summaries.len());
    let last_at = html! { "at " (point_name(input.over, last)) };

    let body = html! {
        header {
            h1 { (first.scenario) }
            p.sub {
                "Sweep " (input.id) " over " code { (input.over) } " = "
                @for (i, p) in input.points.iter().enumerate() {
                    @if i > 0 { ", " }
                    (swept_value(&p.value))
                }
                " \u{b7} "
                @if reps == reps_max {
                    (count(reps as u64, "replication", "replications")) " per point"
                } @else {
                    (reps) " to " (reps_max) " replications per point (as many as the precision goal needed)"
                }
                @if reps > 1 { " (bands and brackets are 95 % intervals)" }
                " \u{b7} engine " (first.engine_version) " \u{b7} report written " (input.generated_at)
            }
        }
        (summary_section(Summary {
            verdict: breaking.unwrap_or(last).mean.verdict.as_ref(),
            verdict_at: Some(match breaking {
                Some(b) => html! { "at " (point_name(input.over, b)) ", the first point that is not ready" },
                None => html! { "at " (point_name(input.over, last)) ", the largest size swept" },
            }),
            description: design.description.clone(),
            tiles_at: Some(html! { (last_at) ", the largest size swept (" (last_stat) ")" }),
            runs: last.summaries,
            mean: last.mean,
            breaks,
            extra: Some(sizes),
        }))
        @if cost0.is_some() {
            section id="cost-curve-section" {
                h2 { "Cost curve" }
                @for f in cost_figures.iter().take(1) { (f) }
                h3 id="crossovers" { "Crossovers" }
                @if !input.crossovers.iter().any(|x| x.crosses()) {
                    p { "No crossover inside the sweep: no alternative changes from dearer to cheaper (or back) between the points swept." }
                }
                @if !input.crossovers.is_empty() {
                    ul {
                        @for x in input.crossovers {
                            li {
                                @match x.closing_gap_pct {
                                    None => {
                                        "At about " strong { (thousands(x.at.round() as u64)) } " (" (input.over) "), "
                                        (x.choice) " " strong { (x.alternative) } " becomes "
                                        (if x.alternative_cheaper_above { "cheaper" } else { "dearer" })
                                        " than " (x.chosen) " (interpolated between the two points around it)."
                                    }
                                    Some(gap) => {
                                        "The gap is closing: at " (thousands(x.at.round() as u64)) " (" (input.over) "), "
                                        (x.choice) " " strong { (x.alternative) } " is " (decimal(gap.abs(), 2)) " % "
                                        (if gap > 0.0 { "dearer" } else { "cheaper" }) " than " (x.chosen)
                                        ". Sweep further to see whether they cross."
                                    }
                                }
                            }
                        }
                    }
                }
                @for f in cost_figures.iter().skip(1) { (f) }
            }
        }
        section id="delivery" {
            h2 { "Delivery and losses" }
            (delivery_fig)
            (latency_fig)
            (losses_fig)
        }
        section id="points" {
            h2 { "Points" }
            table {
                thead {
                    tr {
                        @if input.over != "devices" { th.n { (input.over) } }
                        th.n { "devices" } th.n { "delivered" } th.n { "p99 latency" } th.n { "TCO per device-year" }
                        th.n { "TCO" } th { "platform size" } th { "verdict" }
                    }
                }
                tbody {
                    @for p in &input.points {
                        @let s0 = &p.summaries[0];
                        @let of = |f: &dyn Fn(&RunSummary) -> f64| p.summaries.iter().map(f).collect::<Vec<f64>>();
                        @let count_sev = |sev: Severity| p.mean.verdict.as_ref().map_or(0, |v| v.findings.iter().filter(|f| f.severity == sev).count());
                        @let (fails, undecided) = (count_sev(Severity::Fail), count_sev(Severity::Undecided));
                        tr {
                            @if input.over != "devices" { td.n { (swept_value(&p.value)) } }
                            td.n { (thousands(s0.devices)) }
                            td.n { (estimate_of(&of(&|s| s.delivery_ratio), Bounds::RATIO, |x| percent(x, 3))) }
                            td.n { (estimate_of(&of(&|s| s.latency_s.p99), Bounds::NON_NEGATIVE, duration_s)) }
                            @if s0.cost.is_some() {
                                td.n { (estimate_of(&of(&|s| s.cost.as_ref().map_or(0.0, |c| c.tco_per_device_year.units_f64())), Bounds::NON_NEGATIVE, |x| decimal(x, 2))) }
                                td.n { (estimate_of(&of(&|s| s.cost.as_ref().map_or(0.0, |c| c.tco.units_f64())), Bounds::NON_NEGATIVE, |x| decimal(x, 0))) }
                            } @else {
                                td.n { "-" } td.n { "-" }
                            }
                            td { (s0.cost.as_ref().map_or("-", |c| c.platform_sizing.as_str())) }
                            td {
                                @if fails > 0 {
                                    span.FAIL { (thousands(fails as u64)) " failed" }
                                } @else if undecided > 0 {
                                    span.UNDECIDED { (thousands(undecided as u64)) " undecided" }
                                } @else {
                                    span.PASS { "ready" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(v) = &last.mean.verdict {
            section id="verdict" {
                h2 { "Verdict " (last_at) " (" (last_stat) ")" }
                (verdict_table(v))
            }
        }
        @if let Some(c) = &last.mean.cost {
            section id="bill" {
                h2 { "The bill " (last_at) " (" (last_stat) ")" }
                (cost_table(c))
            }
        }
        (assumptions_html(input.assumptions, cost0))
    };
    Report { html: page(&format!("Scaleproof sweep: {}", first.scenario), body), charts }
}

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
