//! The reports are what they claim: well-formed documents that contain every chart inline and
//! reference nothing outside themselves, and PNG charts with something drawn on them.

mod common;

use common::priced_run;
use report::chart::Chart;
use report::{RunInput, SweepInput, SweepPointInput, run_report, sweep_report};
use sim_core::summary::RunSummary;

/// Parses the page as XML (the report is written well-formed) and checks it is self-contained.
fn check_page(html: &str, charts: &[Chart]) {
    let body = html.strip_prefix("<!DOCTYPE html>\n").expect("an HTML5 doctype");
    let doc = roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("the report is not well-formed: {e}"));
    for c in charts {
        let fig = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(&format!("chart-{}", c.id)))
            .unwrap_or_else(|| panic!("chart {} missing", c.id));
        let svg = fig.children().find(|n| n.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
        let svg = svg.unwrap_or_else(|| panic!("chart {} has no inline SVG", c.id));
        assert!(svg.descendants().filter(|n| n.is_element()).count() > 20, "chart {} is nearly empty", c.id);
    }
    for n in doc.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            let v = a.value();
            assert!(
                !matches!(a.name(), "src" | "href" | "xlink:href") || v.starts_with('#'),
                "<{}> references {v}",
                n.tag_name().name()
            );
            assert!(!v.contains("url(http"), "<{}> references {v}", n.tag_name().name());
        }
        assert!(!matches!(n.tag_name().name(), "script" | "link" | "iframe" | "img" | "object"), "{:?}", n.tag_name());
    }
    // The only http(s) text allowed is the SVG namespace.
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"), "external address in the report");
}

#[test]
fn run_report_is_self_contained_and_shows_every_chart() {
    let (_, r, hours, a) = priced_run(&["scenario.duration=5d".into()], 42);
    let rep = run_report(&RunInput {
        summaries: std::slice::from_ref(&r),
        mean: &r,
        hours: &hours,
        assumptions: &a,
        generated_at: "t",
    });
    let ids: Vec<&str> = rep.charts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["delivery-over-time", "losses-by-cause", "battery-life", "cost-breakdown"]);
    check_page(&rep.html, &rep.charts);
    for must in [
        "Production-readiness verdict",
        "iot-2026-11",
        "2026-11-01",
        "Every price, with its source and date",
        "TCO per device-year",
    ] {
        assert!(rep.html.contains(must), "missing {must}");
    }
}

#[test]
fn sweep_report_has_the_cost_curve_with_bands_and_the_crossover_section() {
    let mut points = Vec::new();
    for n in [20u32, 200] {
        let reps: Vec<RunSummary> = (0..2)
            .map(|i| priced_run(&[format!("fleet.vibration.count={n}"), "scenario.duration=2d".into()], i).1)
            .collect();
        points.push(reps);
    }
    let (_, _, _, a) = priced_run(&["scenario.duration=1d".into()], 1);
    let means: Vec<RunSummary> = points.iter().map(|p| sim_core::replication::mean_summary(p)).collect();
    let rep = sweep_report(&SweepInput {
        id: 1,
        over: "devices",
        points: points
            .iter()
            .zip(&means)
            .zip(["20", "200"])
            .map(|((s, mean), v)| SweepPointInput { value: v.into(), summaries: s, mean })
            .collect(),
        crossovers: &[],
        assumptions: &a,
        generated_at: "t",
    });
    let ids: Vec<&str> = rep.charts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["cost-curve", "cost-breakdown-curve", "delivery-curve", "latency-curve", "losses-curve"]);
    check_page(&rep.html, &rep.charts);
    // The chosen design's band is a filled polygon in the cost curve.
    let svg = rep.charts[0].to_svg();
    assert!(svg.contains("<polygon"), "no confidence band drawn");
    assert!(rep.html.contains("Crossovers") && rep.html.contains("Verdict at 200 devices"));
}

#[test]
fn png_charts_are_rendered_and_not_blank() {
    let (_, r, hours, a) = priced_run(&["scenario.duration=3d".into()], 7);
    let rep = run_report(&RunInput {
        summaries: std::slice::from_ref(&r),
        mean: &r,
        hours: &hours,
        assumptions: &a,
        generated_at: "t",
    });
    let dir = std::env::temp_dir().join(format!("scaleproof-png-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for c in &rep.charts {
        let path = dir.join(format!("{}.png", c.id));
        c.to_png(&path, 1).unwrap();
        let decoder = png::Decoder::new(std::fs::File::open(&path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (report::chart::WIDTH, report::chart::HEIGHT));
        let px = info.color_type.samples();
        let pixels = &buf[..info.buffer_size()];
        let non_white = pixels.chunks(px).filter(|p| p.iter().take(3).any(|&v| v < 200)).count();
        let share = non_white as f64 / (info.width * info.height) as f64;
        // Axes, labels and data: well above nothing, well below a filled canvas.
        assert!(share > 0.01 && share < 0.9, "{}: {:.3} of pixels drawn", c.id, share);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
