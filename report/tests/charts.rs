//! Charts fit for a slide (issue 13): targets drawn dashed and labelled, x ticks at the swept
//! values, costs as stacked bars, legends off the data, no text under 12 px, only the loss
//! causes the design can have, PNGs at 2x, and scenario events marked at their times. Each is
//! read back from the SVG the report inlines.

mod common;

use common::{priced_run, run_of};
use report::chart::{Chart, HEIGHT, Kind, WIDTH};
use report::{Report, RunInput, SweepInput, SweepPointInput, run_report, sweep_report};
use sim_core::cost::bill::Category;
use sim_core::summary::RunSummary;

const TARGET: &str = "#B3261E";
const EVENT: &str = "#5A5A5A";

#[derive(Debug)]
struct Text {
    x: f64,
    y: f64,
    s: String,
    size: f64,
    anchor: String,
    rotated: bool,
}

#[derive(Debug)]
struct Line {
    stroke: String,
    width: f64,
    pts: Vec<(f64, f64)>,
}

#[derive(Debug)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    fill: String,
}

/// The drawing of a chart, as its SVG says.
#[derive(Debug, Default)]
struct Drawing {
    texts: Vec<Text>,
    lines: Vec<Line>,
    rects: Vec<Rect>,
    /// Points of bands (polygons) and markers (circles).
    points: Vec<(f64, f64)>,
}

fn num(n: roxmltree::Node<'_, '_>, a: &str) -> f64 {
    n.attribute(a).unwrap_or_else(|| panic!("<{}> without {a}", n.tag_name().name())).parse().unwrap()
}

fn pts(s: &str) -> Vec<(f64, f64)> {
    s.split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

fn drawing(c: &Chart) -> Drawing {
    let svg = c.to_svg();
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: not an SVG: {e}\n{svg}", c.id));
    let mut d = Drawing::default();
    for n in doc.descendants().filter(|n| n.is_element()) {
        match n.tag_name().name() {
            "text" => d.texts.push(Text {
                x: num(n, "x"),
                y: num(n, "y"),
                s: n.text().unwrap_or_default().trim().to_string(),
                size: num(n, "font-size"),
                anchor: n.attribute("text-anchor").unwrap_or("start").to_string(),
                rotated: n.attribute("transform").is_some(),
            }),
            "polyline" => d.lines.push(Line {
                stroke: n.attribute("stroke").unwrap_or_default().to_string(),
                width: num(n, "stroke-width"),
                pts: pts(n.attribute("points").unwrap()),
            }),
            "rect" => d.rects.push(Rect {
                x: num(n, "x"),
                y: num(n, "y"),
                w: num(n, "width"),
                h: num(n, "height"),
                fill: n.attribute("fill").unwrap_or_default().to_string(),
            }),
            "polygon" => d.points.extend(pts(n.attribute("points").unwrap())),
            "circle" => d.points.push((num(n, "cx"), num(n, "cy"))),
            _ => {}
        }
    }
    d
}

impl Drawing {
    fn text(&self, s: &str) -> &Text {
        self.texts
            .iter()
            .find(|t| t.s == s)
            .unwrap_or_else(|| panic!("no text {s:?} in {:?}", self.texts.iter().map(|t| &t.s).collect::<Vec<_>>()))
    }

    /// The x tick labels: centred, upright, body-sized, not the axis title.
    fn x_ticks(&self, x_label: &str) -> Vec<&Text> {
        let mut t: Vec<&Text> = self
            .texts
            .iter()
            .filter(|t| t.anchor == "middle" && !t.rotated && t.size < 16.0 && t.s != x_label && !t.s.is_empty())
            .collect();
        t.sort_by(|a, b| a.x.total_cmp(&b.x));
        t
    }

    /// Dash segments of `stroke` along y = `y` (horizontal) or x = `y` (vertical), sorted.
    fn dashes(&self, stroke: &str, at: f64, vertical: bool) -> Vec<(f64, f64)> {
        let mut segs: Vec<(f64, f64)> = self
            .lines
            .iter()
            .filter(|l| l.stroke == stroke && l.pts.len() == 2)
            .filter_map(|l| {
                let ((x0, y0), (x1, y1)) = (l.pts[0], l.pts[1]);
                if vertical {
                    ((x0 - at).abs() <= 1.0 && (x1 - at).abs() <= 1.0).then_some((y0.min(y1), y0.max(y1)))
                } else {
                    ((y0 - at).abs() <= 1.0 && (y1 - at).abs() <= 1.0).then_some((x0.min(x1), x0.max(x1)))
                }
            })
            .collect();
        segs.sort_by(|a, b| a.0.total_cmp(&b.0));
        segs
    }

    /// The box around the data: lines 2 px wide (series and targets), bands, markers and bars.
    fn data_box(&self) -> (f64, f64, f64, f64) {
        let mut b = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut add = |x: f64, y: f64| {
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        };
        for l in self.lines.iter().filter(|l| l.width == 2.0) {
            l.pts.iter().for_each(|p| add(p.0, p.1));
        }
        self.points.iter().for_each(|p| add(p.0, p.1));
        for r in self.rects.iter().filter(|r| r.fill != "#FFFFFF" && r.fill != "none" && (r.w > 14.0 || r.h > 14.0)) {
            add(r.x, r.y);
            add(r.x + r.w, r.y + r.h);
        }
        b
    }
}

/// A dashed line of the target colour labelled `label`: many short segments with gaps, along the
/// plot, the label beside it (right of a horizontal one, above a vertical one). Returns where the
/// line is (y of a horizontal line, x of a vertical one).
fn check_target(d: &Drawing, label: &str, vertical: bool) -> f64 {
    let t = d.text(label);
    let at = if vertical { if t.anchor == "end" { t.x + 4.0 } else { t.x - 4.0 } } else { t.y };
    let segs = d.dashes(TARGET, at, vertical);
    assert!(segs.len() >= 10, "{label}: {} dashes at {at}", segs.len());
    assert!(segs.iter().all(|s| s.1 - s.0 <= 8.0), "{label}: a dash longer than 8 px: {segs:?}");
    assert!(segs.windows(2).all(|w| w[1].0 - w[0].1 >= 3.0), "{label}: dashes without gaps: {segs:?}");
    let span = segs.last().unwrap().1 - segs[0].0;
    assert!(span > if vertical { 150.0 } else { 400.0 }, "{label}: the line spans {span} px");
    if vertical {
        assert!(t.y < segs[0].0, "{label}: the label is not above its line");
    } else {
        assert!(t.x > segs.last().unwrap().1, "{label}: the label is not right of its line");
    }
    at
}

/// Pixel position of `v` along the x axis, from the two outermost numeric tick labels.
fn x_pixel(d: &Drawing, x_label: &str, v: f64) -> f64 {
    let ticks: Vec<(f64, f64)> =
        d.x_ticks(x_label).iter().filter_map(|t| t.s.replace(',', "").parse::<f64>().ok().map(|n| (n, t.x))).collect();
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    a.1 + (v - a.0) / (b.0 - a.0) * (b.1 - a.1)
}

fn chart<'a>(rep: &'a Report, id: &str) -> &'a Chart {
    rep.charts.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no chart {id}"))
}

/// The mine at production scale, cut to 50 devices and 14 days with its three events inside.
fn mine_run() -> (RunSummary, Report) {
    let overrides: Vec<String> =
        ["fleet.vibration.count=50", "scenario.duration=14d", "event.1.at=5d", "event.2.at=9d"]
            .map(String::from)
            .into();
    let (s, r, hours, a) = run_of("mine-production.toml", &overrides, 3);
    // The timeline the run stores with it (what `simulate` reported: `run_events` is the same).
    let events = sim_core::engine::run_events(&s, 3);
    let rep = run_report(&RunInput {
        summaries: std::slice::from_ref(&r),
        mean: &r,
        hours: &hours,
        events: &events,
        assumptions: &a,
        generated_at: "t",
    });
    (r, rep)
}

fn mine_sweep() -> (Vec<Vec<RunSummary>>, Report) {
    let points: Vec<Vec<RunSummary>> = [20u32, 200, 2000]
        .iter()
        .map(|n| vec![priced_run(&[format!("fleet.vibration.count={n}"), "scenario.duration=1d".into()], 1).1])
        .collect();
    let (_, _, _, a) = priced_run(&["scenario.duration=1d".into()], 1);
    let rep = sweep_report(&SweepInput {
        id: 1,
        over: "devices",
        points: points
            .iter()
            .zip(["20", "200", "2000"])
            .map(|(s, v)| SweepPointInput { value: v.into(), summaries: s, mean: &s[0] })
            .collect(),
        crossovers: &[],
        assumptions: &a,
        generated_at: "t",
    });
    (points, rep)
}

#[test]
fn targets_are_dashed_lines_with_their_label_at_their_value() {
    let (_, rep) = mine_run();
    // Delivery ratio 0.995, on the percent axis, where the y ticks put 99.5.
    let d = drawing(chart(&rep, "delivery-over-time"));
    let y = check_target(&d, "target 99.5 %", false);
    let ticks: Vec<(f64, f64)> = d
        .texts
        .iter()
        .filter(|t| t.anchor == "end")
        .filter_map(|t| t.s.replace(',', "").parse::<f64>().ok().map(|v| (v, t.y)))
        .collect();
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    let want = a.1 + (99.5 - a.0) / (b.0 - a.0) * (b.1 - a.1);
    assert!((y - want).abs() <= 2.0, "target at y {y}, 99.5 % is at {want}");
    // Battery life 3 years, across the histogram of days.
    let d = drawing(chart(&rep, "battery-life"));
    let x = check_target(&d, "target 3.0 years", true);
    let ticks: Vec<(f64, f64)> = d
        .x_ticks("days (log scale)")
        .iter()
        .filter_map(|t| t.s.replace(',', "").parse::<f64>().ok().map(|v| (v.ln(), t.x)))
        .collect();
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    let want = a.1 + ((3.0f64 * 365.0).ln() - a.0) / (b.0 - a.0) * (b.1 - a.1);
    assert!((x - want).abs() <= 3.0, "target at x {x}, 3 years is at {want}");
    // TCO per device-year 60 USD, over the run's stacked bar.
    check_target(&drawing(chart(&rep, "cost-breakdown")), "target 60 USD", false);

    let (_, rep) = mine_sweep();
    check_target(&drawing(chart(&rep, "cost-curve")), "target 60 USD", false);
    check_target(&drawing(chart(&rep, "cost-breakdown-curve")), "target 60 USD", false);
    check_target(&drawing(chart(&rep, "delivery-curve")), "target 99.5 %", false);
    check_target(&drawing(chart(&rep, "latency-curve")), "target 30.0 s", false);
    // No target where the scenario sets none.
    assert!(!drawing(chart(&rep, "losses-curve")).texts.iter().any(|t| t.s.starts_with("target")));
}

#[test]
fn sweep_charts_tick_the_swept_values() {
    let (_, rep) = mine_sweep();
    for (id, x_label) in [
        ("cost-curve", "devices"),
        ("cost-breakdown-curve", "devices"),
        ("delivery-curve", "devices"),
        ("latency-curve", "devices"),
        ("losses-curve", "devices"),
    ] {
        let d = drawing(chart(&rep, id));
        let ticks: Vec<&str> = d.x_ticks(x_label).iter().map(|t| t.s.as_str()).collect();
        assert_eq!(ticks, ["20", "200", "2,000"], "{id}");
    }
}

#[test]
fn costs_are_stacked_bars_one_segment_per_category_and_point() {
    let (points, rep) = mine_sweep();
    let kept: Vec<usize> = (0..Category::ALL.len())
        .filter(|&k| points.iter().any(|p| p[0].cost.as_ref().unwrap().breakdown.get(Category::ALL[k]).0 > 0))
        .collect();
    assert!(kept.len() >= 4, "{kept:?}");
    {
        let (id, bars) = ("cost-breakdown-curve", points.len());
        let c = chart(&rep, id);
        let Kind::Stacked { categories, .. } = &c.kind else { panic!("{id} is not stacked") };
        let d = drawing(c);
        for &k in &kept {
            let rgb = report::chart::colour(k);
            let fill = format!("#{:02X}{:02X}{:02X}", rgb.0, rgb.1, rgb.2);
            let segments = d.rects.iter().filter(|r| r.fill == fill && r.w > 14.0).count();
            let swatches = d.rects.iter().filter(|r| r.fill == fill && r.w <= 14.0).count();
            assert_eq!((segments, swatches), (bars, 1), "{id}: {}", categories[k]);
            d.text(&categories[k]);
        }
        // The segments of a bar add up to its height: stacked, not side by side.
        let xs: Vec<f64> = d.rects.iter().filter(|r| r.w > 14.0 && r.fill != "#FFFFFF").map(|r| r.x).collect();
        let columns: std::collections::BTreeSet<i64> = xs.iter().map(|x| x.round() as i64).collect();
        assert_eq!(columns.len(), bars, "{id}: {columns:?}");
    }
    let (r, rep) = mine_run();
    let d = drawing(chart(&rep, "cost-breakdown"));
    let cost = r.cost.as_ref().unwrap();
    let n = Category::ALL.iter().filter(|c| cost.breakdown.get(**c).0 > 0).count();
    assert_eq!(d.rects.iter().filter(|r| r.w > 14.0 && r.fill != "#FFFFFF").count(), n, "one segment per category");
}

#[test]
fn legends_sit_outside_the_data() {
    let (_, run) = mine_run();
    let (_, sweep) = mine_sweep();
    let charts = [
        chart(&run, "delivery-over-time"),
        chart(&run, "cost-breakdown"),
        chart(&sweep, "cost-curve"),
        chart(&sweep, "cost-breakdown-curve"),
        chart(&sweep, "losses-curve"),
    ];
    for c in charts {
        let names: Vec<String> = match &c.kind {
            Kind::Lines { series, .. } => series.iter().map(|s| s.name.clone()).collect(),
            Kind::Stacked { categories, .. } => categories.clone(),
            _ => unreachable!(),
        };
        let d = drawing(c);
        let (x0, y0, x1, y1) = d.data_box();
        let inside = |x: f64, y: f64| x >= x0 && x <= x1 && y >= y0 && y <= y1;
        let legend: Vec<&Text> = d.texts.iter().filter(|t| names.contains(&t.s)).collect();
        assert!(!legend.is_empty(), "{}: no legend", c.id);
        for t in legend {
            assert!(
                !inside(t.x, t.y),
                "{}: legend {:?} at ({}, {}) inside the data {:?}",
                c.id,
                t.s,
                t.x,
                t.y,
                (x0, y0, x1, y1)
            );
        }
        for l in d.lines.iter().filter(|l| l.width == 3.0) {
            assert!(l.pts.iter().all(|p| !inside(p.0, p.1)), "{}: a legend swatch over the data", c.id);
        }
        for r in d.rects.iter().filter(|r| r.w <= 14.0 && r.h <= 14.0) {
            assert!(!inside(r.x, r.y) && !inside(r.x + r.w, r.y + r.h), "{}: a legend swatch over the data", c.id);
        }
    }
}

#[test]
fn no_text_is_smaller_than_12_px_and_titles_are_larger() {
    let (_, run) = mine_run();
    let (_, sweep) = mine_sweep();
    for c in run.charts.iter().chain(&sweep.charts) {
        let d = drawing(c);
        assert!(d.texts.len() > 5, "{}", c.id);
        for t in &d.texts {
            assert!(t.size >= 12.0 - 1e-6, "{}: {:?} at {} px", c.id, t.s, t.size);
        }
        let title = d.text(&c.title);
        assert!(
            d.texts.iter().all(|t| t.s == c.title || t.size < title.size),
            "{}: the title is not the largest",
            c.id
        );
    }
}

#[test]
fn losses_show_only_the_causes_the_design_can_have() {
    let (r, rep) = mine_run();
    assert_eq!(r.loss_causes.collision + r.loss_causes.duty_cycle, 0);
    let d = drawing(chart(&rep, "losses-by-cause"));
    for t in &d.texts {
        assert!(!t.s.contains("collision") && !t.s.contains("duty-cycle"), "LTE-M losses show {:?}", t.s);
        // Acknowledged delivery: nothing is lost to the channel outright.
        assert!(!t.s.contains("channel loss"), "acknowledged losses show {:?}", t.s);
    }
    d.text("buffer overflow");
    // A LoRa design (unacknowledged) can lose frames to collisions and the duty cycle.
    let (_, r, hours, a) = run_of("building-pilot.toml", &["scenario.duration=1d".into()], 1);
    let rep = run_report(&RunInput {
        summaries: std::slice::from_ref(&r),
        mean: &r,
        hours: &hours,
        events: &[],
        assumptions: &a,
        generated_at: "t",
    });
    let d = drawing(chart(&rep, "losses-by-cause"));
    for label in ["network: LoRa collisions", "network: duty-cycle limit", "network: channel loss"] {
        d.text(label);
    }
}

#[test]
fn png_at_2x_has_twice_the_pixels() {
    let (_, rep) = mine_run();
    let dir = std::env::temp_dir().join(format!("scaleproof-png-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = chart(&rep, "delivery-over-time");
    for scale in [1, 2] {
        let path = dir.join(format!("{scale}.png"));
        c.to_png(&path, scale).unwrap();
        let info = png::Decoder::new(std::fs::File::open(&path).unwrap()).read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), (WIDTH * scale, HEIGHT * scale));
    }
    assert!(c.to_png(&dir.join("0.png"), 0).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn event_captions_are_marked_at_their_times() {
    let (_, rep) = mine_run();
    let c = chart(&rep, "delivery-over-time");
    let d = drawing(c);
    for (day, caption) in [
        (12.0 + 10.0 / 24.0, "Planned power cut at the north shaft: every cell there goes dark for 18 h"),
        (5.0, "Quarterly firmware release, staged in four waves"),
        (9.0, "One sensor's key is extracted from a stolen device"),
    ] {
        // The caption, whole or cut short (before its colon, or with an ellipsis).
        let t = d
            .texts
            .iter()
            .find(|t| t.s.len() >= 12 && caption.starts_with(t.s.trim_end_matches('…')))
            .unwrap_or_else(|| panic!("no caption {caption:?}"));
        let line_x = if t.anchor == "end" { t.x + 4.0 } else { t.x - 4.0 };
        let want = x_pixel(&d, "day of the run", day);
        assert!((line_x - want).abs() <= 2.0, "{caption:?} marked at x {line_x}, day {day} is at {want}");
        let dashes = d.dashes(EVENT, line_x, true);
        assert!(dashes.len() >= 10, "{caption:?}: no dashed line under its caption");
        assert!(t.y < dashes[0].0, "{caption:?}: the caption is not above its line");
    }
}

#[test]
fn site_wide_outages_are_shaded_behind_the_lines_from_the_stored_events() {
    let (_, rep) = mine_run();
    let c = chart(&rep, "delivery-over-time");
    // The north shaft's scheduled 18 h cut; the mine's many gateway outages are not shaded.
    assert_eq!(c.spans.len(), 1, "{:?}", c.spans);
    let d = drawing(c);
    let mut shaded: Vec<&Rect> = d.rects.iter().filter(|r| r.fill == "#DEDEDE").collect();
    shaded.sort_by(|a, b| b.h.total_cmp(&a.h));
    assert_eq!(shaded.len(), 2, "the span, and its swatch in the legend: {shaded:?}");
    let span = shaded[0];
    let from = x_pixel(&d, "day of the run", 12.0 + 10.0 / 24.0);
    let to = x_pixel(&d, "day of the run", 13.0 + 4.0 / 24.0);
    assert!(
        (span.x - from).abs() <= 1.5 && (span.x + span.w - to).abs() <= 1.5,
        "{span:?}: day 12 10:00 is at {from}, +18 h at {to}"
    );
    assert!(span.h > 200.0, "the span runs the plot's height: {span:?}");
    d.text("site-wide outage");
    assert!(rep.html.contains("Shaded: outages that took a whole site down"));
}
