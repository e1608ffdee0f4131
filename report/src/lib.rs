//! Reports: self-contained HTML (inline CSS and inline SVG charts, nothing fetched from anywhere)
//! for one run or one sweep, and the same charts as PNG files. The input is plain data (summaries,
//! an hourly series, the assumptions); reading it from the run database is the caller's job.

pub mod chart;
mod design;
pub mod pilot;

use std::fmt::Write;

use chart::{Chart, Kind, Series};
use design::Design;
use sim_core::cost::CostSummary;
use sim_core::cost::bill::Category;
use sim_core::cost::book::PriceLine;
use sim_core::cost::crossover::Crossover;
use sim_core::engine::counts::{LIFE_BINS, life_bin_start_days};
use sim_core::replication::mean_ci95;
use sim_core::summary::RunSummary;
use sim_core::text::thousands;
use sim_core::verdict::{Readiness, Severity, Verdict};

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

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn dur(s: f64) -> String {
    let d = s / 86_400.0;
    if d >= 730.0 {
        format!("{:.1} years", d / 365.25)
    } else if d >= 2.0 {
        format!("{d:.0} days")
    } else if s >= 120.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{s:.2} s")
    }
}

/// "mean [low, high]" over replications, or the single value.
fn ci(xs: &[f64], fmt: impl Fn(f64) -> String) -> String {
    let (m, h) = mean_ci95(xs);
    if xs.len() > 1 { format!("{} <span class=\"ci\">[{}, {}]</span>", fmt(m), fmt(m - h), fmt(m + h)) } else { fmt(m) }
}

/// Like [`ci`], with the interval clipped to [lo, hi] (ratios).
fn ci_clipped(xs: &[f64], lo: f64, hi: f64, fmt: impl Fn(f64) -> String) -> String {
    let (m, h) = mean_ci95(xs);
    if xs.len() > 1 {
        format!("{} <span class=\"ci\">[{}, {}]</span>", fmt(m), fmt((m - h).max(lo)), fmt((m + h).min(hi)))
    } else {
        fmt(m)
    }
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:1000px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 10px;border-bottom:2px solid #e3e6eb;padding-bottom:4px}
.sub{color:#5b6475;font-size:14px}.cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:18px}
.card{flex:1 1 150px;border:1px solid #e3e6eb;border-radius:6px;padding:10px 12px}.card .k{font-size:12px;color:#5b6475;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:21px;font-weight:600;margin-top:2px}.ci{color:#5b6475;font-size:12px;font-weight:normal}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #e3e6eb;padding:5px 6px;text-align:left;vertical-align:top}
th{background:#f4f5f7}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.PASS{color:#0b7a3e;font-weight:700}.UNDECIDED{color:#5b4bb3;font-weight:700}.WARN{color:#a86400;font-weight:700}.FAIL{color:#b3261e;font-weight:700}
.verdict{font-size:17px;font-weight:700;padding:8px 12px;border-radius:6px;display:inline-block}
.ready{background:#e3f4ea;color:#0b7a3e}.undecided{background:#ece9f8;color:#5b4bb3}.notready{background:#fbe7e6;color:#b3261e}
figure{margin:14px 0}figcaption{font-size:12px;color:#5b6475}svg{max-width:100%;height:auto}
pre{background:#f4f5f7;padding:10px;font-size:12px;overflow-x:auto;white-space:pre-wrap}
details summary{cursor:pointer;font-weight:600;margin:8px 0}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

fn figure(c: &Chart, caption: &str) -> String {
    format!(
        "<figure id=\"chart-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
        c.id,
        strip_xml_decl(&c.to_svg()),
        esc(caption)
    )
}

fn strip_xml_decl(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn verdict_html(v: &Verdict) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<p><span class=\"verdict {}\">{}</span></p>",
        match v.status {
            Readiness::Ready => "ready",
            Readiness::Undecided => "undecided",
            Readiness::NotReady => "notready",
        },
        match v.status {
            Readiness::Ready => "Ready for production",
            Readiness::Undecided => "Undecided: a target's 95 % interval contains it",
            Readiness::NotReady => "Not ready for production",
        }
    );
    o.push_str("<table>\n<tr><th></th><th>finding</th><th>evidence from the run and the design</th></tr>\n");
    let mut f = v.findings.clone();
    f.sort_by_key(|x| std::cmp::Reverse(x.severity));
    for x in &f {
        let l = x.severity.label();
        let _ =
            writeln!(o, "<tr><td class=\"{l}\">{l}</td><td>{}</td><td>{}</td></tr>", esc(&x.title), esc(&x.evidence));
    }
    o.push_str("</table>\n");
    o
}

fn assumptions_html(a: &Assumptions, cost: Option<&CostSummary>) -> String {
    let mut o = String::from("<h2 id=\"assumptions\">Assumptions</h2>\n");
    match &a.book {
        Some(b) => {
            let _ = writeln!(
                o,
                "<p>Prices from price book <b>{}</b> ({}), dated <b>{}</b>, in {}.{}</p>",
                esc(&b.id),
                esc(&b.title),
                esc(&b.date),
                esc(&b.currency),
                cost.map_or(String::new(), |c| format!(
                    " TCO over {} years at a {} % yearly discount rate; recurring usage is the run's own, extrapolated month by month (30.4375-day months).",
                    c.horizon_years, c.discount_rate_pct
                ))
            );
            o.push_str("<details><summary>Every price, with its source and date</summary>\n<table>\n<tr><th>price</th><th>value</th><th>source</th><th>as of</th></tr>\n");
            for l in &b.lines {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&l.path),
                    esc(&l.price),
                    esc(&l.source),
                    esc(&l.as_of)
                );
            }
            o.push_str("</table>\n</details>\n");
        }
        None => o.push_str("<p>The scenario names no price book, so no costs are shown.</p>\n"),
    }
    let _ = writeln!(o, "<p>Scenario file: <code>{}</code>.</p>", esc(&a.scenario_file));
    if !a.overrides.is_empty() {
        let _ = writeln!(
            o,
            "<p>Overrides: {}</p>",
            a.overrides.iter().map(|x| format!("<code>{}</code>", esc(x))).collect::<Vec<_>>().join(", ")
        );
    }
    let _ = writeln!(
        o,
        "<details><summary>The scenario as run (every default with its source)</summary>\n<pre>{}</pre>\n</details>",
        esc(&a.scenario_text)
    );
    o
}

fn cost_table(c: &CostSummary) -> String {
    let mut o = String::from(
        "<table>\n<tr><th>category</th><th>item</th><th>basis</th><th>once</th><th>first month</th><th>share of TCO</th></tr>\n",
    );
    for l in &c.lines {
        if l.tco.0 == 0 && l.capex.0 == 0 {
            continue;
        }
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            l.category.label(),
            esc(&l.item),
            esc(&l.basis),
            l.capex,
            l.first_month,
            l.tco
        );
    }
    let _ = writeln!(
        o,
        "<tr><th colspan=\"5\">TCO ({})</th><th class=\"n\">{}</th></tr>\n</table>",
        esc(&c.currency),
        c.tco
    );
    o
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
    let mut charts = Vec::new();
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&r.scenario));
    let _ = writeln!(
        b,
        "<p class=\"sub\">Run {} · {} devices · {} simulated · seed {}{} · {} · report written {}</p>",
        all[0].run_id,
        thousands(r.devices),
        dur(r.simulated_s),
        all[0].seed,
        if all.len() > 1 {
            format!(" · every figure is the mean of {} replications (95 % intervals in brackets)", all.len())
        } else {
            " · one replication (no intervals)".to_string()
        },
        esc(&r.engine_version),
        esc(input.generated_at)
    );

    // KPIs.
    let xs = |f: &dyn Fn(&RunSummary) -> f64| all.iter().map(f).collect::<Vec<f64>>();
    b.push_str("<div class=\"cards\">\n");
    let card = |b: &mut String, k: &str, v: String| {
        let _ = writeln!(b, "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{v}</div></div>", esc(k));
    };
    card(&mut b, "delivered", ci_clipped(&xs(&|s| s.delivery_ratio * 100.0), 0.0, 100.0, |x| format!("{x:.3} %")));
    card(&mut b, "p99 latency", ci(&xs(&|s| s.latency_s.p99), dur));
    if r.per_class.iter().any(|c| c.battery.is_some()) {
        let life = |s: &RunSummary| {
            s.per_class
                .iter()
                .filter_map(|c| c.battery.as_ref().map(|b| b.projected_life_days))
                .fold(f64::INFINITY, f64::min)
        };
        card(&mut b, "battery life", ci(&xs(&|s| life(s) / 365.25), |x| format!("{x:.2} y")));
    }
    if let Some(c) = &r.cost {
        let cur = c.currency.clone();
        card(
            &mut b,
            "TCO per device-year",
            ci(&xs(&|s| s.cost.as_ref().map_or(0.0, |c| c.tco_per_device_year.units_f64())), |x| {
                format!("{x:.2} {cur}")
            }),
        );
        card(&mut b, &format!("TCO over {} years", c.horizon_years), format!("{} {}", c.tco, cur));
        card(&mut b, "capex / opex a month", format!("{} / {}", c.capex, c.opex_per_month));
    }
    b.push_str("</div>\n");

    if let Some(v) = &r.verdict {
        b.push_str("<h2 id=\"verdict\">Production-readiness verdict</h2>\n");
        b.push_str(&verdict_html(v));
    }

    b.push_str("<h2 id=\"delivery\">Delivery</h2>\n");
    if !input.hours.is_empty() {
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
        b.push_str(&figure(
            &c,
            &format!("Delivered exceeds 100 % in a {per} when buffers drain after an outage (drawn up to 150 %). Replication 0."),
        ));
        charts.push(c);
    }
    let c = Chart::new(
        "losses-by-cause",
        "Where messages were lost, and why",
        Kind::Bars { bars: loss_bars(r, &design), x_label: "messages".into() },
    );
    b.push_str(&figure(
        &c,
        &format!(
            "Of {} messages generated ({}).",
            thousands(r.messages.generated),
            if all.len() > 1 { format!("mean of {} replications", all.len()) } else { "one replication".into() }
        ),
    ));
    charts.push(c);
    let m = &r.messages;
    let _ = writeln!(
        b,
        "<table><tr><th>generated</th><th>delivered</th><th>lost in the network</th><th>buffer overflow</th><th>reboot</th><th>stranded</th><th>buffered at end</th></tr><tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table>",
        thousands(m.generated),
        thousands(m.delivered),
        thousands(m.lost_network),
        thousands(m.dropped_overflow),
        thousands(m.dropped_reboot),
        thousands(m.stranded_dead),
        thousands(m.buffered_end)
    );

    if let Some(bins) = life_histogram(r) {
        b.push_str("<h2 id=\"batteries\">Batteries</h2>\n");
        let c = Chart::new(
            "battery-life",
            "Projected battery life per device",
            Kind::Histogram { bins, x_label: "days (log scale)".into() },
        )
        .with_targets(design.battery_life_days());
        b.push_str(&figure(
            &c,
            &format!(
                "Capacity over each device's own drain in the run (radio, retries, sleep, self-discharge); {} battery replacements in the run.",
                thousands(r.battery_replacements)
            ),
        ));
        charts.push(c);
    }

    if let Some(cost) = &r.cost {
        b.push_str("<h2 id=\"cost\">Cost</h2>\n");
        let device_years = (r.devices as f64 * cost.horizon_years).max(1e-9);
        let c = Chart::new(
            "cost-breakdown",
            format!("TCO per device-year by category, over {} years ({})", cost.horizon_years, cost.currency),
            Kind::Stacked {
                categories: Category::ALL.iter().map(|c| c.label().to_string()).collect(),
                bars: vec![(
                    format!("{} devices", thousands(r.devices)),
                    Category::ALL.iter().map(|c| cost.breakdown.get(*c).units_f64() / device_years).collect(),
                )],
                x_label: String::new(),
                y_label: format!("{} per device-year", cost.currency),
            },
        )
        .with_targets(design.tco_per_device_year(&cost.currency));
        b.push_str(&figure(
            &c,
            &format!("Platform {} ({}), connectivity {}.", cost.platform, cost.platform_sizing, cost.connectivity),
        ));
        charts.push(c);
        b.push_str(&cost_table(cost));
        if !cost.alternatives.is_empty() {
            b.push_str("<p>The same usage under other choices:</p>\n<table><tr><th>choice</th><th>instead</th><th>TCO</th><th>per device-year</th></tr>\n");
            for a in &cost.alternatives {
                let _ = writeln!(
                    b,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    esc(&a.choice),
                    esc(&a.name),
                    a.tco,
                    a.tco_per_device_year
                );
            }
            b.push_str("</table>\n");
        }
    }
    b.push_str(&assumptions_html(input.assumptions, r.cost.as_ref()));
    Report { html: page(&format!("Scaleproof report: {}", r.scenario), &b), charts }
}

/// Mean, low and high (95 %) of `f` over a point's replications.
fn band(s: &[RunSummary], f: impl Fn(&RunSummary) -> f64) -> (f64, f64, f64) {
    let xs: Vec<f64> = s.iter().map(f).collect();
    let (m, h) = mean_ci95(&xs);
    (m, m - h, m + h)
}

/// The report of a sweep: curves against the swept value with 95 % bands, crossovers, and the
/// verdict at the last point.
pub fn sweep_report(input: &SweepInput<'_>) -> Report {
    let mut charts = Vec::new();
    let mut b = String::new();
    let Some(first) = input.points.first().and_then(|p| p.summaries.first()) else {
        return Report { html: page("Scaleproof sweep", "<p>This sweep has no points.</p>"), charts };
    };
    let xs: Vec<f64> = input.points.iter().map(|p| p.value.parse().unwrap_or(f64::NAN)).collect();
    let numeric = xs.iter().all(|x| x.is_finite() && *x > 0.0);
    let x_of = |i: usize| if numeric { xs[i] } else { i as f64 + 1.0 };
    let reps = input.points.iter().map(|p| p.summaries.len()).min().unwrap_or(0);
    let _ = writeln!(b, "<h1>{}</h1>", esc(&first.scenario));
    let _ = writeln!(
        b,
        "<p class=\"sub\">Sweep {} over <code>{}</code> = {} · {} replications per point (bands and brackets are 95 % intervals) · {} · report written {}</p>",
        input.id,
        esc(input.over),
        esc(&input.points.iter().map(|p| p.value.clone()).collect::<Vec<_>>().join(", ")),
        reps,
        esc(&first.engine_version),
        esc(input.generated_at)
    );
    let log_x =
        numeric && xs.iter().cloned().fold(0.0, f64::max) / xs.iter().cloned().fold(f64::INFINITY, f64::min) >= 20.0;
    let cost0 = first.cost.as_ref();
    let design = Design::of(input.assumptions);
    // Ticks at the swept values, written as the table writes them.
    let point_label =
        |i: usize, p: &SweepPointInput<'_>| if numeric { chart::format_tick(xs[i]) } else { p.value.clone() };
    let ticks: Vec<(f64, String)> =
        input.points.iter().enumerate().map(|(i, p)| (x_of(i), point_label(i, p))).collect();

    if let Some(c0) = cost0 {
        b.push_str("<h2 id=\"cost-curve-section\">Cost curve</h2>\n");
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
        b.push_str(&figure(
            &c,
            &format!(
                "Over {} years at {} % discount; shaded: 95 % interval over replications. Alternatives are priced on the same simulated usage.",
                c0.horizon_years, c0.discount_rate_pct
            ),
        ));
        charts.push(c);

        b.push_str("<h3 id=\"crossovers\">Crossovers</h3>\n");
        if !input.crossovers.iter().any(|x| x.crosses()) {
            b.push_str("<p>No crossover inside the sweep: no alternative changes from dearer to cheaper (or back) between the points swept.</p>\n");
        }
        if !input.crossovers.is_empty() {
            b.push_str("<ul>\n");
            for x in input.crossovers {
                match x.closing_gap_pct {
                    None => {
                        let _ = writeln!(
                            b,
                            "<li>At about <b>{}</b> ({}), {} <b>{}</b> becomes {} than {} (interpolated between the two points around it).</li>",
                            thousands(x.at.round() as u64),
                            esc(input.over),
                            esc(&x.choice),
                            esc(&x.alternative),
                            if x.alternative_cheaper_above { "cheaper" } else { "dearer" },
                            esc(&x.chosen)
                        );
                    }
                    Some(gap) => {
                        let _ = writeln!(
                            b,
                            "<li>The gap is closing: at {} ({}), {} <b>{}</b> is {:.2} % {} than {}. Sweep further to see whether they cross.</li>",
                            thousands(x.at.round() as u64),
                            esc(input.over),
                            esc(&x.choice),
                            esc(&x.alternative),
                            gap.abs(),
                            if gap > 0.0 { "dearer" } else { "cheaper" },
                            esc(&x.chosen)
                        );
                    }
                }
            }
            b.push_str("</ul>\n");
        }

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
        b.push_str(&figure(&c, "Fixed costs (gateways, broker VMs, operations) spread over few devices dominate small fleets; per-device costs and volume tiers take over at scale. Mean over replications."));
        charts.push(c);
    }

    b.push_str("<h2 id=\"delivery\">Delivery and losses</h2>\n");
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
    b.push_str(&figure(&c, "Shaded: 95 % interval over replications, clipped to 0-100 %."));
    charts.push(c);
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
    b.push_str(&figure(&c, "Shaded: 95 % interval over replications."));
    charts.push(c);
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
    b.push_str(&figure(&c, "Mean over replications."));
    charts.push(c);

    // The table of points.
    b.push_str("<h2 id=\"points\">Points</h2>\n<table>\n<tr>");
    if input.over != "devices" {
        let _ = write!(b, "<th>{}</th>", esc(input.over));
    }
    b.push_str("<th>devices</th><th>delivered</th><th>p99 latency</th><th>TCO per device-year</th><th>TCO</th><th>platform size</th><th>verdict</th></tr>\n");
    for p in &input.points {
        let s0 = &p.summaries[0];
        let pct = p.summaries.iter().map(|s| s.delivery_ratio * 100.0).collect::<Vec<_>>();
        let p99 = p.summaries.iter().map(|s| s.latency_s.p99).collect::<Vec<_>>();
        let tco_dy = p
            .summaries
            .iter()
            .map(|s| s.cost.as_ref().map_or(0.0, |c| c.tco_per_device_year.units_f64()))
            .collect::<Vec<_>>();
        let tco = p.summaries.iter().map(|s| s.cost.as_ref().map_or(0.0, |c| c.tco.units_f64())).collect::<Vec<_>>();
        let count = |sev: Severity| {
            p.mean.verdict.as_ref().map_or(0, |v| v.findings.iter().filter(|f| f.severity == sev).count())
        };
        let (fails, undecided) = (count(Severity::Fail), count(Severity::Undecided));
        let _ = writeln!(
            b,
            "<tr>{}<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            if input.over == "devices" { String::new() } else { format!("<td class=\"n\">{}</td>", esc(&p.value)) },
            thousands(s0.devices),
            ci_clipped(&pct, 0.0, 100.0, |x| format!("{x:.3} %")),
            ci(&p99, dur),
            if s0.cost.is_some() { ci(&tco_dy, |x| format!("{x:.2}")) } else { "-".into() },
            if s0.cost.is_some() { ci(&tco, |x| thousands(x.max(0.0).round() as u64)) } else { "-".into() },
            esc(s0.cost.as_ref().map_or("-", |c| c.platform_sizing.as_str())),
            if fails > 0 {
                format!("<span class=\"FAIL\">{fails} failed</span>")
            } else if undecided > 0 {
                format!("<span class=\"UNDECIDED\">{undecided} undecided</span>")
            } else {
                "<span class=\"PASS\">ready</span>".to_string()
            }
        );
    }
    b.push_str("</table>\n");

    if let Some(last) = input.points.last() {
        let s = last.mean;
        let stat = if last.summaries.len() > 1 {
            format!("mean of {} replications", last.summaries.len())
        } else {
            "one replication".to_string()
        };
        if let Some(v) = &s.verdict {
            let _ =
                writeln!(b, "<h2 id=\"verdict\">Verdict at {} = {} ({stat})</h2>", esc(input.over), esc(&last.value));
            b.push_str(&verdict_html(v));
        }
        if let Some(c) = &s.cost {
            let _ = writeln!(b, "<h2 id=\"bill\">The bill at {} = {} ({stat})</h2>", esc(input.over), esc(&last.value));
            b.push_str(&cost_table(c));
        }
    }
    b.push_str(&assumptions_html(input.assumptions, cost0));
    Report { html: page(&format!("Scaleproof sweep: {}", first.scenario), &b), charts }
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

/// The report of a sensitivity study: the tornado and its table.
pub fn sensitivity_report(input: &SensitivityInput<'_>) -> Report {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(input.scenario));
    let _ = writeln!(
        b,
        "<p class=\"sub\">Sensitivity study {} of <b>{}</b> · base case {:.4} · each assumption moved alone, the rest at the base case, same seeds · report written {}</p>",
        input.id,
        esc(input.kpi),
        input.baseline,
        esc(input.generated_at)
    );
    let c = tornado_chart(input);
    b.push_str("<h2 id=\"tornado\">Which assumption moves it most</h2>\n");
    b.push_str(&figure(
        &c,
        "Bars run from the base case to the KPI at the low (blue) and high (orange) setting; widest first.",
    ));
    b.push_str("<table>\n<tr><th>assumption</th><th>low</th><th>high</th><th>KPI at low</th><th>KPI at high</th><th>swing</th></tr>\n");
    for r in input.rows {
        let _ = writeln!(
            b,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"n\">{:.4}</td><td class=\"n\">{:.4}</td><td class=\"n\">{:.4}</td></tr>",
            esc(&r.path),
            esc(&r.low_setting),
            esc(&r.high_setting),
            r.kpi_low,
            r.kpi_high,
            (r.kpi_high - r.kpi_low).abs()
        );
    }
    b.push_str("</table>\n");
    b.push_str(&assumptions_html(input.assumptions, None));
    Report { html: page(&format!("Scaleproof sensitivity: {}", input.scenario), &b), charts: vec![c] }
}

/// Two runs side by side: what differs in their assumptions and in their results.
pub struct CompareInput<'a> {
    pub title_a: String,
    pub title_b: String,
    /// (path, value in A, value in B).
    pub assumptions: &'a [(String, String, String)],
    pub prices: &'a [(String, String, String)],
    /// (figure, A, B).
    pub results: &'a [(String, Option<f64>, Option<f64>)],
    pub generated_at: &'a str,
}

fn fmt_num(x: Option<f64>) -> String {
    match x {
        None => "-".into(),
        Some(v) if v.abs() >= 1000.0 => thousands(v.round().max(0.0) as u64),
        Some(v) => format!("{v:.4}").trim_end_matches('0').trim_end_matches('.').to_string(),
    }
}

pub fn compare_report(input: &CompareInput<'_>) -> Report {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{} vs {}</h1>", esc(&input.title_a), esc(&input.title_b));
    let _ = writeln!(b, "<p class=\"sub\">report written {}</p>", esc(input.generated_at));
    b.push_str("<h2 id=\"results\">Results</h2>\n<table>\n<tr><th>figure</th><th>A</th><th>B</th><th>B - A</th><th>change</th></tr>\n");
    for (name, a, bb) in input.results {
        let delta = match (a, bb) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        let change = match (a, delta) {
            (Some(a), Some(d)) if *a != 0.0 => format!("{:+.1} %", d / a * 100.0),
            _ => String::new(),
        };
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(name),
            fmt_num(*a),
            fmt_num(*bb),
            delta.map_or("-".into(), |d| format!("{d:+.4}").trim_end_matches('0').trim_end_matches('.').to_string()),
            change
        );
    }
    b.push_str("</table>\n");
    for (id, title, rows) in
        [("assumptions", "Assumptions that differ", input.assumptions), ("prices", "Prices that differ", input.prices)]
    {
        let _ = writeln!(b, "<h2 id=\"{id}\">{title}</h2>");
        if rows.is_empty() {
            b.push_str("<p>None.</p>\n");
            continue;
        }
        b.push_str("<table>\n<tr><th>field</th><th>A</th><th>B</th></tr>\n");
        for (p, a, v) in rows {
            let _ = writeln!(b, "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>", esc(p), esc(a), esc(v));
        }
        b.push_str("</table>\n");
    }
    Report { html: page("Scaleproof comparison", &b), charts: Vec::new() }
}
