//! The report of one run (or of R replications of it).

use crate::chart::{Chart, EventMark, Kind, Series, Span};
use crate::design::Design;
use maud::html;
use sim_core::cost::bill::Category;
use sim_core::engine::events::{RunEvent, RunEventKind};
use sim_core::engine::{LIFE_BINS, life_bin_start_days};
use sim_core::summary::RunSummary;
use sim_core::text::{count, duration_s, thousands};

use crate::page::*;
use crate::{Report, RunInput};

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

const US_PER_DAY: f64 = 86_400e6;

/// What a time axis in days shows of a run's events: each scheduled event (with its caption,
/// else its kind) as a mark at its start, and the outages that take a whole site down (network
/// or mains, scheduled or drawn) shaded, overlapping ones joined. Gateway outages and sags are
/// left out: a fleet has hundreds of them and they would hide the lines. With no stored
/// events, the scenario's own `[[event]]`s are marked (`design`).
fn time_marks(events: &[RunEvent], design: &Design) -> (Vec<EventMark>, Vec<Span>) {
    if events.is_empty() {
        return (design.events.clone(), Vec::new());
    }
    let marks = events
        .iter()
        .filter(|e| e.is_scheduled())
        .map(|e| EventMark { x: e.start_us as f64 / US_PER_DAY, caption: e.label().to_string() })
        .collect();
    let mut down: Vec<(u64, u64)> = events
        .iter()
        .filter(|e| matches!(e.kind, RunEventKind::SiteOutage | RunEventKind::PowerOutage))
        .filter_map(|e| Some((e.start_us, e.end_us?)))
        .collect();
    down.sort_unstable();
    let mut spans: Vec<Span> = Vec::new();
    for (a, b) in down {
        let (from, to) = (a as f64 / US_PER_DAY, b as f64 / US_PER_DAY);
        match spans.last_mut() {
            Some(last) if from <= last.to => last.to = last.to.max(to),
            _ => spans.push(Span { from, to }),
        }
    }
    (marks, spans)
}

/// The report of one run (with its replications, if any).
pub fn run_report(input: &RunInput<'_>) -> Report {
    let r = input.mean;
    let all = input.summaries;
    let design = Design::of(input.assumptions);
    let stat = statistic(all.len());
    let mut charts = Vec::new();

    let (marks, spans) = time_marks(input.events, &design);
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
        .with_events(marks)
        .with_spans("site-wide outage", spans.iter().cloned());
        let shaded = if spans.is_empty() { "" } else { " Shaded: outages that took a whole site down (network or power)." };
        figure(
            &mut charts,
            c,
            &format!(
                "Delivered exceeds 100 % in a {per} when buffers drain after an outage (drawn up to 150 %).{shaded} Replication 0."
            ),
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
