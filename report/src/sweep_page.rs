//! The report of a sweep: one scenario over a range of one setting, or over fleet sizes.

use crate::chart::{Chart, Kind, Series};
use crate::design::Design;
use maud::{Markup, html};
use sim_core::cost::bill::Category;
use sim_core::replication::{Bounds, mean_ci95};
use sim_core::summary::RunSummary;
use sim_core::text::{count, decimal, duration_s, percent, thousands};
use sim_core::verdict::{Finding, Readiness, Severity};

use crate::chart;
use crate::page::*;
use crate::{Report, SweepInput, SweepPointInput};

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
