//! What every page shares: the stylesheet, the page frame, number formats, the executive
//! summary (verdict line, KPI tiles), the verdict, assumptions and cost tables.

use crate::chart::Chart;
use maud::{Markup, PreEscaped, html};
use sim_core::cost::bill::Category;
use sim_core::cost::{CostSummary, Money};
use sim_core::replication::{Bounds, Estimate, STATISTIC};
use sim_core::summary::RunSummary;
use sim_core::text::{count, decimal, percent, thousands};
use sim_core::verdict::{Finding, Kpi, Readiness, Severity, Verdict};

use crate::Assumptions;

pub(crate) const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
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
pub(crate) const META: &str =
    "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";

pub(crate) fn page(title: &str, body: Markup) -> String {
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
pub(crate) fn figure(charts: &mut Vec<Chart>, c: Chart, caption: &str) -> Markup {
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
pub(crate) fn prose(s: &str) -> Markup {
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
pub(crate) fn plain(x: f64) -> String {
    let places = (0..=3).find(|&p| (x * 10f64.powi(p)).fract().abs() < 1e-9).unwrap_or(3);
    decimal(x, places as usize)
}

/// A measured value with as many decimals as its size warrants.
pub(crate) fn measured(x: f64) -> String {
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
pub(crate) fn years(y: f64) -> String {
    if y == 1.0 { "1 year".into() } else { format!("{} years", plain(y)) }
}

pub(crate) fn money(x: f64, currency: &str) -> String {
    format!("{} {currency}", decimal(x, 2))
}

/// "the mean of 3 replications" or "one replication".
pub(crate) fn statistic(replications: usize) -> String {
    if replications > 1 {
        format!("mean of {} replications", thousands(replications as u64))
    } else {
        "one replication".into()
    }
}

/// "mean [low to high]": the 95 % interval over replications when there is one.
pub(crate) fn estimate(e: &Estimate, show: impl Fn(f64) -> String) -> Markup {
    html! {
        (show(e.mean))
        @if e.has_interval() {
            " " span.ci { "[" (show(e.ci95_low)) " to " (show(e.ci95_high)) "]" }
        }
    }
}

pub(crate) fn estimate_of(xs: &[f64], bounds: Bounds, show: impl Fn(f64) -> String) -> Markup {
    estimate(&Estimate::of(xs, bounds), show)
}

pub(crate) fn status_class(s: Readiness) -> &'static str {
    match s {
        Readiness::Ready => "ready",
        Readiness::Undecided => "undecided",
        Readiness::NotReady => "notready",
    }
}

/// The readiness as a sentence's start: "Ready for production", "NOT ready for production".
pub(crate) fn status_words(s: Readiness) -> String {
    let l = s.label();
    let mut c = l.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// What breaks first: the most severe finding (FAIL, then UNDECIDED, then WARN); among equals
/// the first target, else the first warning sign. None when everything passes.
pub(crate) fn first_break(v: &Verdict) -> Option<&Finding> {
    let worst = v.findings.iter().map(|f| f.severity).max()?;
    if worst == Severity::Pass {
        return None;
    }
    v.findings.iter().filter(|f| f.severity == worst).min_by_key(|f| !f.check.starts_with("target."))
}

/// The verdict in one line, with how it was reached.
pub(crate) fn verdict_line(v: &Verdict, at: Option<&Markup>) -> Markup {
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
pub(crate) fn kpi_tiles(runs: &[RunSummary], mean: &RunSummary) -> Markup {
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
pub(crate) struct Summary<'a> {
    pub(crate) verdict: Option<&'a Verdict>,
    /// Where the verdict was reached, for a sweep ("at 20 devices, the first size not ready").
    pub(crate) verdict_at: Option<Markup>,
    pub(crate) description: Option<String>,
    /// Where the tiles are measured, for a sweep ("at 2,000 devices, the largest size swept").
    pub(crate) tiles_at: Option<Markup>,
    pub(crate) runs: &'a [RunSummary],
    pub(crate) mean: &'a RunSummary,
    pub(crate) breaks: Markup,
    pub(crate) extra: Option<Markup>,
}

pub(crate) fn summary_section(s: Summary<'_>) -> Markup {
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
pub(crate) fn finding_sentence(at: Markup, f: &Finding) -> Markup {
    html! {
        p {
            span class=(f.severity.label()) { (f.severity.label()) } " "
            (at) ": " strong { (prose(&f.title)) } " \u{2014} " (prose(&f.evidence)) "."
        }
    }
}

pub(crate) fn verdict_table(v: &Verdict) -> Markup {
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

pub(crate) fn assumptions_html(a: &Assumptions, cost: Option<&CostSummary>) -> Markup {
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
pub(crate) fn cost_table(c: &CostSummary) -> Markup {
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
