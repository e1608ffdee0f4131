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
    // Addresses appear only as text naming a price's public source (class `url`), never as
    // something the page loads or links to.
    for t in doc.descendants().filter(|n| n.is_text()) {
        let text = t.text().unwrap_or("");
        if text.contains("http://") || text.contains("https://") {
            let parent = t.parent().and_then(|p| p.attribute("class")).unwrap_or("");
            assert!(parent.split(' ').any(|c| c == "url"), "an address outside a price source: {text}");
        }
    }
}

#[test]
fn run_report_is_self_contained_and_shows_every_chart() {
    let (_, r, hours, a) = priced_run(&["scenario.duration=5d".into()], 42);
    let rep = run_report(&RunInput {
        summaries: std::slice::from_ref(&r),
        mean: &r,
        hours: &hours,
        events: &[],
        assumptions: &a,
        generated_at: "t",
    });
    let ids: Vec<&str> = rep.charts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["delivery-over-time", "losses-by-cause", "battery-life", "cost-breakdown"]);
    check_page(&rep.html, &rep.charts);
    // The finance lead's audit line: how many of the prices are assumptions.
    let lines = &a.book.as_ref().unwrap().lines;
    let assumed = lines.iter().filter(|l| l.assumption).count();
    assert!(assumed > 0 && assumed < lines.len());
    assert!(rep.html.contains(&format!("{assumed} of {} prices are assumptions", lines.len())));
    for must in [
        "Production-readiness verdict",
        "iot-2026-11",
        "2026-11-01",
        "Every price, with its source, its address where it is public, and its date",
        "prices are assumptions",
        "https://telnyx.com/pricing/iot-data-plans",
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
        events: &[],
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

// ---- The answer first, one number format, no Markdown, the bill by category, print. ----

use common::replicated;
use report::{CompareFigure, CompareInput, Unit, compare_report};
use sim_core::text::{count, duration_s};
use sim_core::verdict::{Finding, Readiness, Severity, Verdict};

fn parse(html: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(html.strip_prefix("<!DOCTYPE html>\n").unwrap()).unwrap()
}

fn by_id<'a, 'i>(doc: &'a roxmltree::Document<'i>, id: &str) -> roxmltree::Node<'a, 'i> {
    doc.descendants().find(|n| n.attribute("id") == Some(id)).unwrap_or_else(|| panic!("no #{id}"))
}

fn has_class(n: &roxmltree::Node<'_, '_>, class: &str) -> bool {
    n.attribute("class").is_some_and(|c| c.split(' ').any(|x| x == class))
}

/// The text of `n` as a reader sees it.
fn text(n: roxmltree::Node<'_, '_>) -> String {
    n.descendants().filter(|d| d.is_text()).map(|d| d.text().unwrap()).collect()
}

/// Text nodes a reader reads as prose: not the scenario file (`pre`), code, charts (drawn by
/// `chart.rs`), dates, or the price book's values (quoted as the book writes them).
fn prose_text(doc: &roxmltree::Document<'_>) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.is_text())
        .filter(|n| {
            !n.ancestors().any(|a| {
                matches!(a.tag_name().name(), "pre" | "code" | "svg" | "time" | "style" | "title")
                    || a.attribute("id") == Some("prices")
            })
        })
        .map(|n| n.text().unwrap().to_string())
        .collect()
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Numbers of four or more digits before the decimal point written without separators.
fn unseparated(t: &str) -> Vec<String> {
    let c: Vec<char> = t.chars().collect();
    let mut bad = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if !c[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < c.len() && c[i].is_ascii_digit() {
            i += 1;
        }
        let after_point = start > 0 && matches!(c[start - 1], '.' | ',');
        // A year in a date ("November 2026", "2026-11-01") is not a quantity.
        let before: String = c[start.saturating_sub(10)..start].iter().collect();
        let year =
            i - start == 4 && (MONTHS.iter().any(|m| before.ends_with(&format!("{m} "))) || c.get(i) == Some(&'-'));
        if i - start >= 4 && !after_point && !year {
            bad.push(c[start.saturating_sub(20)..(i + 20).min(c.len())].iter().collect());
        }
    }
    bad
}

/// Checks every report page says things one way: no Markdown marks, numbers with separators,
/// singular nouns after 1.
fn check_text(html: &str) {
    let doc = parse(html);
    for t in prose_text(&doc) {
        assert!(!t.contains('`') && !t.contains("**"), "Markdown in the page: {t:?}");
        assert!(unseparated(&t).is_empty(), "a number without separators: {:?}", unseparated(&t));
        for plural in ["devices", "replications", "messages", "years", "days"] {
            let one = format!(" 1 {plural}");
            assert!(!format!(" {t}").contains(&one), "{one:?} in {t:?}");
        }
    }
}

/// What breaks first, as the product defines it: the most severe finding (FAIL, UNDECIDED,
/// WARN), the first target among equals, else the first warning sign.
fn expected_break(v: &Verdict) -> Option<&Finding> {
    let worst = v.findings.iter().map(|f| f.severity).max()?;
    (worst > Severity::Pass).then(|| {
        let same = || v.findings.iter().filter(|f| f.severity == worst);
        same().find(|f| f.check.starts_with("target.")).or_else(|| same().next()).unwrap()
    })
}

fn production(devices: u32) -> Vec<String> {
    [
        format!("fleet.vibration.count={devices}"),
        "scenario.duration=3d".into(),
        "event.0.at=1d".into(),
        "event.1.at=1d".into(),
        "event.2.at=2d".into(),
    ]
    .into()
}

#[test]
fn a_run_report_opens_with_the_answer() {
    for reps in [2, 1] {
        let (runs, mean, hours, a) = replicated("mine-production.toml", &production(2000), reps);
        let rep = run_report(&RunInput {
            summaries: &runs,
            mean: &mean,
            hours: &hours,
            events: &[],
            assumptions: &a,
            generated_at: "t",
        });
        check_page(&rep.html, &rep.charts);
        let doc = parse(&rep.html);
        let main = doc.descendants().find(|n| n.has_tag_name("main")).unwrap();
        let kids: Vec<_> = main.children().filter(|n| n.is_element()).collect();
        assert!(kids[0].has_tag_name("header") && kids[0].children().any(|n| n.has_tag_name("h1")));
        assert_eq!(kids[1].attribute("id"), Some("summary"), "the executive summary comes right after the title");
        let summary = text(kids[1]);
        // The verdict, and what it rests on.
        let v = mean.verdict.as_ref().unwrap();
        let badge = kids[1].descendants().find(|n| has_class(n, "verdict")).expect("the verdict");
        let want = match v.status {
            Readiness::Ready => "Ready for production",
            Readiness::Undecided => "Undecided",
            Readiness::NotReady => "NOT ready for production",
        };
        assert_eq!(text(badge), want);
        assert!(summary.contains(&format!("Judged on {}", count(reps, "replication", "replications"))), "{summary}");
        // Five KPI tiles, each the mean with its interval when there are replications, coloured
        // by its finding.
        let tiles: Vec<_> = kids[1].descendants().filter(|n| has_class(n, "tile")).collect();
        assert_eq!(tiles.len(), 5);
        for t in &tiles {
            let interval = t.descendants().any(|n| has_class(&n, "ci"));
            assert_eq!(interval, reps > 1, "{}", text(*t));
        }
        for (id, check) in [
            ("kpi-delivery-ratio", "target.delivery_ratio"),
            ("kpi-p99-latency", "target.p99_latency"),
            ("kpi-battery-life", "target.battery_life"),
            ("kpi-tco-per-device-year", "target.tco_per_device_year"),
        ] {
            let f = v.findings.iter().find(|f| f.check == check).unwrap();
            let tile = by_id(&doc, id);
            assert!(has_class(&tile, &format!("sev-{}", f.severity.label())), "{id}");
            assert!(text(tile).contains("target at "), "{id}: {}", text(tile));
        }
        // Durations through the shared formatter.
        let p99 = v.findings.iter().find(|f| f.check == "target.p99_latency").unwrap().estimate.unwrap();
        assert!(text(by_id(&doc, "kpi-p99-latency")).contains(&duration_s(p99.mean)));
        // What breaks first, at which size, and why.
        let f = expected_break(v).expect("2,000 devices onboarded by hand fail");
        let breaks = text(kids[1].descendants().find(|n| has_class(n, "breaks")).unwrap());
        assert!(breaks.starts_with(&format!("{} At 2,000 devices: ", f.severity.label())), "{breaks}");
        assert!(breaks.contains(&f.title.replace('`', "")) && breaks.contains(&f.evidence.replace('`', "")));
        // The scenario's own description.
        assert!(summary.contains("What the pilot hides: rare long cell outages underground"), "{summary}");
        check_text(&rep.html);
        // The battery evidence names the class as code, not between backticks.
        assert!(rep.html.contains("<code>vibration</code>"));
    }
}

#[test]
fn a_sweep_report_names_the_smallest_size_that_is_not_ready() {
    let sizes = [200u32, 2000, 4000];
    let runs: Vec<_> = sizes.iter().map(|&n| replicated("mine-production.toml", &production(n), 2)).collect();
    let rep = sweep_report(&SweepInput {
        id: 1,
        over: "devices",
        points: runs
            .iter()
            .zip(sizes)
            .map(|((s, mean, ..), n)| SweepPointInput { value: n.to_string(), summaries: s, mean })
            .collect(),
        crossovers: &[],
        assumptions: &runs[2].3,
        generated_at: "t",
    });
    check_page(&rep.html, &rep.charts);
    check_text(&rep.html);
    let ready: Vec<bool> = runs.iter().map(|r| r.1.verdict.as_ref().unwrap().status == Readiness::Ready).collect();
    let i = ready.iter().position(|r| !r).expect("manual onboarding fails above 1,000 devices");
    assert!(i <= 1, "{ready:?}");
    let doc = parse(&rep.html);
    let summary = by_id(&doc, "summary");
    let breaks = text(summary.descendants().find(|n| has_class(n, "breaks")).unwrap());
    let f = expected_break(runs[i].1.verdict.as_ref().unwrap()).unwrap();
    let at = format!("At {}: ", count(sizes[i] as u64, "device", "devices"));
    assert!(breaks.contains(&at) && breaks.contains(&f.title.replace('`', "")), "{breaks}");
    // The tiles are at the largest size, and every size has its verdict.
    assert!(text(summary).contains("at 4,000 devices, the largest size swept"));
    assert_eq!(summary.descendants().filter(|n| has_class(n, "tile")).count(), 5);
    let rows = summary.descendants().filter(|n| n.has_tag_name("tr")).count();
    assert_eq!(rows, 1 + sizes.len());
    assert!(rep.html.contains("Verdict at 4,000 devices (mean of 2 replications)"));
}

#[test]
fn the_bill_is_grouped_by_category_with_shares_of_the_tco() {
    let (_, r, hours, a) = priced_run(&["scenario.duration=2d".into()], 3);
    let rep = run_report(&RunInput {
        summaries: std::slice::from_ref(&r),
        mean: &r,
        hours: &hours,
        events: &[],
        assumptions: &a,
        generated_at: "t",
    });
    let doc = parse(&rep.html);
    let bill = by_id(&doc, "bill");
    let head: Vec<String> = bill.descendants().filter(|n| n.has_tag_name("th")).map(text).collect();
    assert_eq!(head.last().map(String::as_str), Some("share of TCO"));
    let body = bill.descendants().find(|n| n.has_tag_name("tbody")).unwrap();
    let rows: Vec<_> = body.children().filter(|n| n.has_tag_name("tr")).collect();
    assert!(has_class(&rows[0], "category"), "a category opens the bill");
    let share = |row: &roxmltree::Node<'_, '_>| -> f64 {
        let cells: Vec<String> = row.children().filter(|n| n.is_element()).map(text).collect();
        let s = cells.last().unwrap();
        let v = s.strip_suffix(" %").unwrap_or_else(|| panic!("share {s:?} is not a percentage"));
        assert!(v.split_once('.').is_some_and(|(_, d)| d.len() == 1), "{s}");
        v.parse().unwrap()
    };
    let (mut categories, mut total) = (0, 0.0);
    let mut lines_of_category = 0.0;
    let mut current = None::<f64>;
    for row in &rows {
        if has_class(row, "category") {
            if let Some(c) = current {
                assert!((c - lines_of_category).abs() < 0.05 * 4.0, "{c} vs its lines {lines_of_category}");
            }
            categories += 1;
            current = Some(share(row));
            total += share(row);
            lines_of_category = 0.0;
        } else {
            assert!(has_class(row, "line"));
            lines_of_category += share(row);
        }
    }
    assert!(categories >= 3, "{categories}");
    assert!((total - 100.0).abs() < 0.5, "the categories' shares add up to {total}");
    let names: Vec<String> =
        rows.iter().filter(|r| has_class(r, "category")).map(|r| text(r.first_element_child().unwrap())).collect();
    assert!(names.contains(&"hardware".to_string()) && names.contains(&"connectivity".to_string()), "{names:?}");
}

#[test]
fn compare_writes_b_minus_a_in_each_figures_unit() {
    let f =
        |label: &str, unit: Unit, a: f64, b: f64| CompareFigure { label: label.into(), unit, a: Some(a), b: Some(b) };
    let results = [
        f("delivery ratio, %", Unit::Percent, 99.8123, 99.5012),
        f("latency p99, s", Unit::Seconds, 4.4, 390.0),
        f("TCO", Unit::Money("USD".into()), 1_234_567.5, 1_334_567.5),
        f("messages generated", Unit::Count, 12_345.0, 12_346.0),
        f("battery life (shortest class), days", Unit::Days, 1000.0, 1100.0),
    ];
    let rep = compare_report(&CompareInput {
        title_a: "run 1 (a)".into(),
        title_b: "run 2 (b)".into(),
        assumptions: &[],
        prices: &[],
        results: &results,
        generated_at: "t",
    });
    check_page(&rep.html, &rep.charts);
    check_text(&rep.html);
    let doc = parse(&rep.html);
    let delta = |label: &str| -> String {
        let row = doc
            .descendants()
            .find(|n| n.has_tag_name("tr") && n.first_element_child().is_some_and(|c| text(c) == label))
            .unwrap();
        text(row.descendants().find(|n| has_class(n, "delta")).unwrap())
    };
    assert_eq!(delta("delivery ratio, %"), "-0.311 pp");
    assert_eq!(delta("latency p99, s"), "+6.4 min");
    assert_eq!(delta("TCO"), "+100,000.00 USD");
    assert_eq!(delta("messages generated"), "+1");
    assert_eq!(delta("battery life (shortest class), days"), "+100 days");
}

#[test]
fn the_print_stylesheet_keeps_tables_headings_and_figures_whole() {
    let (_, r, hours, a) = priced_run(&["scenario.duration=1d".into()], 5);
    let rep = run_report(&RunInput {
        summaries: std::slice::from_ref(&r),
        mean: &r,
        hours: &hours,
        events: &[],
        assumptions: &a,
        generated_at: "t",
    });
    let doc = parse(&rep.html);
    let css = text(doc.descendants().find(|n| n.has_tag_name("style")).unwrap());
    let print = &css[css.find("@media print{").expect("a print stylesheet")..];
    for rule in [
        "thead{display:table-header-group}",
        "tr{break-inside:avoid}",
        "h2,h3{break-after:avoid}",
        "figure,",
        "break-inside:avoid}",
        "#summary{border:none;padding:0;break-after:page}",
        "background:none",
    ] {
        assert!(print.contains(rule), "the print stylesheet lacks {rule}");
    }
}

#[test]
fn text_from_the_scenario_is_escaped() {
    let (_, mut r, hours, a) = priced_run(&["scenario.duration=1d".into()], 6);
    r.scenario = "<script>alert(1)</script> & co".into();
    if let Some(v) = r.verdict.as_mut() {
        v.findings[0].evidence = "a <b>bold</b> claim with `code` and **stress**".into();
    }
    let rep = run_report(&RunInput {
        summaries: std::slice::from_ref(&r),
        mean: &r,
        hours: &hours,
        events: &[],
        assumptions: &a,
        generated_at: "t",
    });
    check_page(&rep.html, &rep.charts);
    check_text(&rep.html);
    assert!(!rep.html.contains("<script>") && !rep.html.contains("<b>bold"));
    assert!(rep.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(rep.html.contains("<code>code</code> and <strong>stress</strong>"));
}
