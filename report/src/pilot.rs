//! The pilot-versus-twin report: the verdict, a distance per metric with its tolerance, the
//! calibration behind the twin when there is one, and the charts that show where they differ.

use maud::html;
use sim_core::pilot::{Comparison, StreamStats};
use sim_core::text::{count, decimal, thousands};

use crate::Report;
use crate::chart::{Chart, Kind, Series};
use crate::page::{figure, measured, page};

/// One day of a message stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Day {
    pub day: f64,
    pub delivery_ratio: f64,
    pub battery_pct: Option<f64>,
}

pub struct PilotInput<'a> {
    pub recording: String,
    pub scenario: String,
    pub pilot: &'a StreamStats,
    pub twin: &'a StreamStats,
    pub comparison: &'a Comparison,
    /// Day by day, pilot then twin.
    pub daily: [&'a [Day]; 2],
    pub generated_at: &'a str,
}

fn line(name: &str, pts: Vec<(f64, f64)>) -> Series {
    Series { name: name.into(), points: pts.into_iter().map(|(x, y)| (x, y, y, y)).collect() }
}

/// Share of loss bursts of each length 1..=20 messages (bursts shorter than an outage).
fn burst_shares(s: &StreamStats) -> Vec<(f64, f64)> {
    let gaps: Vec<u64> = s.bursts().map(|g| g.missing).collect();
    let n = gaps.len().max(1) as f64;
    (1..=20u64).map(|l| (l as f64, 100.0 * gaps.iter().filter(|&&g| g == l).count() as f64 / n)).collect()
}

/// The latency CDF at 60 log-spaced points.
fn latency_cdf(s: &StreamStats) -> Vec<(f64, f64)> {
    let mut v = s.latencies_s.clone();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return Vec::new();
    }
    let lo = v.iter().copied().find(|x| *x > 0.0).unwrap_or(0.001).max(0.001);
    let hi = v[v.len() - 1].max(lo * 10.0);
    (0..60)
        .map(|i| {
            let x = lo * (hi / lo).powf(i as f64 / 59.0);
            (x, 100.0 * v.partition_point(|y| *y <= x) as f64 / v.len() as f64)
        })
        .collect()
}

pub fn pilot_report(input: &PilotInput<'_>) -> Report {
    let c = input.comparison;
    let failing: Vec<&str> = c.distances.iter().filter(|d| !d.ok).map(|d| d.metric.as_str()).collect();
    let mut charts = Vec::new();
    let mut figures = Vec::new();
    figures.push(figure(
        &mut charts,
        Chart::new(
            "burst-lengths",
            "Loss bursts by length",
            Kind::Lines {
                series: vec![line("pilot", burst_shares(input.pilot)), line("twin", burst_shares(input.twin))],
                log_x: false,
                x_label: "messages missing in a row".into(),
                y_label: "percent of bursts".into(),
            },
        ),
        "Gaps in the sequence numbers shorter than an outage. A Gilbert channel gives a geometric shape; a pilot with longer bursts than its twin loses more in a row than the scenario says.",
    ));
    figures.push(figure(
        &mut charts,
        Chart::new(
            "latency-cdf",
            "Latency, cumulative",
            Kind::Lines {
                series: vec![line("pilot", latency_cdf(input.pilot)), line("twin", latency_cdf(input.twin))],
                log_x: true,
                x_label: "seconds from reading to backend".into(),
                y_label: "percent of messages".into(),
            },
        ),
        "Reception time minus the reading's timestamp. The distance is the largest vertical gap between the curves (Kolmogorov-Smirnov).",
    ));
    let daily = |i: usize, f: &dyn Fn(&Day) -> Option<f64>| -> Vec<(f64, f64)> {
        input.daily[i].iter().filter_map(|p| f(p).map(|y| (p.day, y))).collect()
    };
    figures.push(figure(
        &mut charts,
        Chart::new(
            "delivery-by-day",
            "Delivery ratio, day by day",
            Kind::Lines {
                series: vec![
                    line("pilot", daily(0, &|p| Some(100.0 * p.delivery_ratio))),
                    line("twin", daily(1, &|p| Some(100.0 * p.delivery_ratio))),
                ],
                log_x: false,
                x_label: "day of the recording".into(),
                y_label: "percent delivered".into(),
            },
        ),
        "Messages received over sequence numbers expected, per day. Outages show as dips.",
    ));
    let (bp, bt) = (daily(0, &|p| p.battery_pct), daily(1, &|p| p.battery_pct));
    if !bp.is_empty() && !bt.is_empty() {
        figures.push(figure(
            &mut charts,
            Chart::new(
                "battery-by-day",
                "Battery, mean of the devices",
                Kind::Lines {
                    series: vec![line("pilot", bp), line("twin", bt)],
                    log_x: false,
                    x_label: "day of the recording".into(),
                    y_label: "percent of capacity".into(),
                },
            ),
            "The slope is the drain; the twin's starting charge is its own draw, so compare slopes, not levels.",
        ));
    }
    let body = html! {
        header {
            h1 { "Pilot vs twin: " (input.recording) }
            p.sub { "twin: " (input.scenario) " \u{b7} report written " (input.generated_at) }
        }
        section id="summary" {
            @if c.matches {
                p.verdict.ready {
                    strong { "Match." } " Every metric is within its tolerance: the twin behaves like the pilot."
                }
            } @else {
                p.verdict.notready {
                    strong { "Mismatch." } " Outside tolerance: " (failing.join(", "))
                    ". Calibrate the twin from this recording (" code { "scaleproof calibrate" }
                    ") or look for what the pilot has that the scenario lacks."
                }
            }
            p {
                (count(input.pilot.devices as u64, "device", "devices")) " over " (decimal(input.pilot.device_days, 1))
                " device-days: the pilot delivered " (count(input.pilot.received, "message", "messages"))
                ", the twin " (thousands(input.twin.received)) "."
            }
        }
        section id="distances" {
            h2 { "Distances" }
            table {
                thead {
                    tr { th { "metric" } th.n { "pilot" } th.n { "twin" } th.n { "distance" } th.n { "tolerance" } th {} }
                }
                tbody {
                    @for d in &c.distances {
                        tr {
                            td { (d.metric) }
                            td.n { (measured(d.pilot)) }
                            td.n { (measured(d.twin)) }
                            td.n { (decimal(d.distance, 3)) " " small { (d.how) } }
                            td.n { (decimal(d.tolerance, 3)) }
                            td { @if d.ok { "within" } @else { strong { "outside" } } }
                        }
                    }
                }
            }
            @for f in &figures { (f) }
        }
        section id="method" {
            h2 { "How the distances are measured" }
            p {
                "Both sides are read the same way: gaps in each device's sequence numbers between received messages, a sequence restart as a reboot, a silence of at least 20 reporting periods as an outage, reception minus reading time as latency, and a least-squares battery slope per device. The twin is the scenario run with the pilot's device count and duration, every message traced."
            }
        }
    };
    Report { html: page(&format!("Scaleproof pilot vs twin: {}", input.recording), body), charts }
}
