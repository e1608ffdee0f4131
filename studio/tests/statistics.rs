//! One statistic per figure: over R replications the headline figures, the bill and the verdict
//! are all the mean, the verdict's targets are judged by the 95 % interval of that mean (never
//! PASS or FAIL when the interval contains the target), a precision goal adds replications
//! independently of the thread count, and a sweep report's assumptions are those of the point its
//! bill describes.

use std::path::{Path, PathBuf};

use bridge::mosquitto::temp_dir;
use sim_core::verdict::{Readiness, Severity};
use studio::run::{Precision, RunOutcome};
use studio::{RunRequest, load_scenario, run_scenario};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(db: &Path, overrides: &[&str], replications: u32, precision: Option<Precision>, threads: usize) -> RunOutcome {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded =
        load_scenario(&studio::Config::in_dir("unused"), &root().join("scenarios/mine-pilot.toml"), &overrides)
            .unwrap();
    run_scenario(&RunRequest {
        loaded: &loaded,
        seed: None,
        replications,
        precision,
        threads: Some(threads),
        db: db.to_path_buf(),
        progress: None,
        cancel: None,
        on_epoch: None,
        playback: false,
        live: None,
    })
    .unwrap()
}

fn finding<'a>(o: &'a RunOutcome, check: &str) -> &'a sim_core::verdict::Finding {
    o.mean.verdict.as_ref().unwrap().findings.iter().find(|f| f.check == check).unwrap()
}

#[test]
fn headline_figures_bill_and_verdict_are_the_mean_of_the_replications() {
    let dir = temp_dir("stat-mean");
    let db = dir.join("runs.db");
    let o = run(&db, &["scenario.duration=10d"], 3, None, 2);
    assert_eq!(o.summaries.len(), 3);
    let tco_dy = |s: &sim_core::summary::RunSummary| s.cost.as_ref().unwrap().tco_per_device_year.units_f64();
    let mean_tco_dy = o.summaries.iter().map(tco_dy).sum::<f64>() / 3.0;
    // The replications differ, so replication 0 is not the mean (the bug this guards against).
    assert!((tco_dy(&o.summaries[0]) - mean_tco_dy).abs() > 1e-4, "replications identical: the test proves nothing");
    assert!((tco_dy(&o.mean) - mean_tco_dy).abs() < 1e-5, "headline TCO per device-year is the mean");
    let mean_delivery = o.summaries.iter().map(|s| s.delivery_ratio).sum::<f64>() / 3.0;
    assert!((o.mean.delivery_ratio - mean_delivery).abs() < 1e-12);

    // The bill adds up to the headline TCO, and the verdict judges the same mean.
    let cost = o.mean.cost.as_ref().unwrap();
    let lines: f64 = cost.lines.iter().map(|l| l.tco.units_f64()).sum();
    assert!((lines - cost.tco.units_f64()).abs() < 0.01 * cost.lines.len() as f64, "{lines} vs {}", cost.tco);
    let f = finding(&o, "target.tco_per_device_year");
    let e = f.estimate.unwrap();
    assert_eq!(e.replications, 3);
    assert!((e.mean - mean_tco_dy).abs() < 1e-5);
    assert!(f.title.contains("95 % CI") && f.title.contains("mean of 3 replications"), "{}", f.title);
    let v = o.mean.verdict.as_ref().unwrap();
    assert_eq!(v.replications, 3);

    // The report shows that same mean in its tiles, its bill and its verdict.
    let report = studio::reports::build_report(&db, studio::reports::Target::LastRun, "t").unwrap();
    let shown = sim_core::text::decimal(mean_tco_dy, 2);
    assert!(report.html.contains(&shown), "the report lacks the mean TCO per device-year {shown}");
    assert!(report.html.contains("mean of 3 replications"));
    assert!(report.html.contains(&cost.tco.to_string()), "the report's TCO is not the mean's {}", cost.tco);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_target_inside_the_interval_is_undecided_and_one_replication_decides_nothing() {
    let dir = temp_dir("stat-undecided");
    let db = dir.join("runs.db");
    let first = run(&db, &["scenario.duration=10d"], 3, None, 2);
    let d = finding(&first, "target.delivery_ratio").estimate.unwrap();
    // The interval respects the ratio's bounds.
    assert!(d.ci95_high <= 1.0 && d.ci95_low >= 0.0);
    let e = finding(&first, "target.tco_per_device_year").estimate.unwrap();
    assert!(e.ci95_low < e.mean && e.mean < e.ci95_high, "{e:?}");

    // A target at the mean: the interval straddles it.
    let target = format!("targets.tco_per_device_year={}", e.mean);
    let o = run(&db, &["scenario.duration=10d", &target], 3, None, 2);
    let f = finding(&o, "target.tco_per_device_year");
    assert_eq!(f.severity, Severity::Undecided, "{}", f.title);
    assert!(f.title.contains("95 % CI"), "{}", f.title);
    assert_ne!(o.mean.verdict.as_ref().unwrap().status, Readiness::Ready);

    // One replication has no interval: every target is undecided, and its JSON says so.
    let one = run(&db, &["scenario.duration=10d"], 1, None, 2);
    let json = studio::run::summary_json(&one.mean, &one.summaries);
    assert_eq!(json["statistic"], studio::run::ONE_REPLICATION);
    for check in ["target.delivery_ratio", "target.p99_latency", "target.battery_life", "target.tco_per_device_year"] {
        let f = finding(&one, check);
        assert_eq!(f.severity, Severity::Undecided, "{check}: {}", f.title);
        assert!(f.title.contains("one replication"), "{}", f.title);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_precision_goal_adds_replications_until_met_whatever_the_thread_count() {
    let dir = temp_dir("stat-precision");
    let db = dir.join("runs.db");
    // A target just above the 3-replication mean's interval top: more replications decide it
    // or reach the cap; either way the count is the same with 1 and 2 threads.
    let goal = Precision { relative_half_width: 0.01, max_replications: 11 };
    let a = run(&db, &["scenario.duration=10d"], 3, Some(goal), 1);
    let b = run(&db, &["scenario.duration=10d"], 3, Some(goal), 2);
    assert_eq!(a.summaries.len(), b.summaries.len());
    assert_eq!(a.mean.delivery_ratio, b.mean.delivery_ratio);
    assert_eq!(a.mean.verdict, b.mean.verdict);
    let n = a.summaries.len() as u32;
    // 3, then batches of 4 up to the cap.
    assert!(n == 3 || n == 7 || n == 11, "{n}");
    let s = load_scenario(
        &studio::Config::in_dir("unused"),
        &root().join("scenarios/mine-pilot.toml"),
        &["scenario.duration=10d".into()],
    )
    .unwrap();
    let met = sim_core::verdict::precise_enough(&s.scenario, &a.summaries, goal.relative_half_width);
    assert_eq!(a.precision_met, Some(met));
    assert!(met || n == goal.max_replications, "stopped at {n} without meeting the goal");
    if n > 3 {
        // The first batch alone did not meet the goal, or it would have stopped there.
        assert!(!sim_core::verdict::precise_enough(&s.scenario, &a.summaries[..3], goal.relative_half_width));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_sweep_report_shows_the_assumptions_of_the_point_its_bill_describes() {
    let dir = temp_dir("stat-sweep");
    let db = dir.join("runs.db");
    let spec = studio::sweep::SweepSpec::parse("devices=20,40").unwrap();
    let set = vec!["scenario.duration=2d".to_string()];
    let out = studio::sweep::run_sweep(&studio::sweep::SweepRequest {
        file: &root().join("scenarios/mine-pilot.toml"),
        text: None,
        overrides: &set,
        spec: &spec,
        replications: 2,
        precision: None,
        threads: Some(2),
        config: &studio::Config::in_dir("unused").with_db(Some(db.clone())),
        progress: None,
        cancel: None,
    })
    .unwrap();
    // Every figure in the JSON says which statistic it is.
    let json = serde_json::to_value(studio::sweep::sweep_detail(out.sweep_id, &out.points)).unwrap();
    for p in json["points"].as_array().unwrap() {
        assert_eq!(p["summary"]["statistic"], sim_core::replication::STATISTIC);
        assert!(p["summary"]["delivery_ratio"]["ci95_high"].as_f64().unwrap() <= 1.0);
    }
    let report = studio::reports::build_report(&db, studio::reports::Target::Sweep(out.sweep_id), "t").unwrap();
    let assumptions = &report.html[report.html.find("id=\"assumptions\"").expect("an assumptions section")..];
    assert!(assumptions.contains("fleet.vibration.count=40"), "the 40-device point's overrides");
    assert!(!assumptions.contains("fleet.vibration.count=20<"), "the 20-device point's overrides");
    assert!(report.html.contains("The bill at 40 devices (mean of 2 replications)"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The comparison page writes each B - A in its figure's unit: delivery in percentage points,
/// latency as a duration, money with separators and the currency.
#[test]
fn a_comparison_report_writes_differences_in_their_units() {
    let dir = temp_dir("stat-compare");
    let db = dir.join("runs.db");
    let a = run(&db, &["scenario.duration=2d"], 1, None, 2);
    let b = run(&db, &["scenario.duration=2d", "fleet.vibration.count=40"], 1, None, 2);
    let c = studio::compare::compare_runs(&db, a.summaries[0].run_id, b.summaries[0].run_id).unwrap();
    let unit = |id: &str| c.results.iter().find(|f| f.id == id).unwrap().unit;
    assert_eq!(unit("delivery_pct"), studio::compare::Unit::Percent);
    assert_eq!(unit("p99_latency_s"), studio::compare::Unit::Seconds);
    assert_eq!(unit("tco"), studio::compare::Unit::Money);
    let html = studio::compare::report(&c, "t").html;
    // The B - A cell of a row, by its label.
    let delta = |label: &str| -> String {
        let row = &html[html.find(&format!("<td>{label}</td>")).unwrap_or_else(|| panic!("no row {label}"))..];
        let cell = &row[row.find("<td class=\"n delta\">").unwrap() + "<td class=\"n delta\">".len()..];
        cell[..cell.find("</td>").unwrap()].to_string()
    };
    assert!(delta("delivery ratio, %").ends_with(" pp"), "{}", delta("delivery ratio, %"));
    let p99 = delta("latency p99, s");
    assert!(
        [" ms", " s", " min", " h", " days", " years"].iter().any(|u| p99.ends_with(u)),
        "p99 B - A {p99:?} has no duration unit"
    );
    let tco = delta("TCO");
    assert!(tco.starts_with('+') && tco.ends_with(" USD") && tco.contains(','), "{tco}");
    let _ = std::fs::remove_dir_all(&dir);
}
