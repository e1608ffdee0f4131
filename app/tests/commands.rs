//! The app's commands without a window: the library lists every bundled scenario, the editor's
//! check finds every problem of unsaved text at its line, and a run started as the window starts
//! it reports progress, can be cancelled, and is stored.

use std::path::PathBuf;

use scaleproof_studio::commands::{
    AppState, RunAsk, StudyAsk, SweepAsk, begin_run, begin_sensitivity, begin_sweep, cancel_run_with,
    check_scenario_with, save_scenario_with,
};
use studio::{Config, ErrorCode};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn state(name: &str) -> AppState {
    let dir = std::env::temp_dir().join(format!("scaleproof-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    AppState::new(Config::in_dir(&dir))
}

fn mine_pilot() -> (PathBuf, String) {
    let path = root().join("scenarios/mine-pilot.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

#[test]
fn the_library_lists_every_bundled_scenario_valid() {
    let s = state("library");
    let items = studio::library::scenarios(s.config(), &studio::library::bundled_dir()).unwrap();
    let files = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "toml"))
        .count();
    assert_eq!(items.len(), files);
    assert!(items.iter().all(|i| i.problems == 0 && i.devices > 0), "{items:#?}");
    let mine = items.iter().find(|i| i.path.ends_with("mine-pilot.toml")).unwrap();
    assert_eq!((mine.devices, mine.duration_s), (20, 30.0 * 86_400.0));
}

#[test]
fn the_editor_check_reports_every_problem_of_unsaved_text_at_its_line() {
    let s = state("check");
    let (path, text) = mine_pilot();
    assert_eq!(check_scenario_with(&s, &path, &text).unwrap(), []);
    // Two mistakes at once: a count that is not a number and a negative capacity.
    let line_of = |needle: &str| text.lines().position(|l| l.trim_start().starts_with(needle)).unwrap() + 1;
    let count_line = line_of("count =");
    let broken: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == count_line { "count = \"many\"".to_string() } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    let problems = check_scenario_with(&s, &path, &broken).unwrap();
    assert!(!problems.is_empty());
    assert!(problems.iter().any(|p| p.line == count_line && p.path.ends_with(".count")), "{problems:#?}");
    // A file the check cannot even read as TOML is still problems, not a failure.
    let problems = check_scenario_with(&s, &path, "[scenario\nname = 1").unwrap();
    assert!(problems.iter().any(|p| p.line == 1), "{problems:#?}");
}

#[test]
fn a_run_reports_progress_can_be_cancelled_and_is_stored() {
    let s = state("run");
    let (path, text) = mine_pilot();
    let ask =
        |job| RunAsk { job, path: path.clone(), text: text.clone(), devices: Some(40), replications: 1, seed: Some(7) };
    let session = begin_run(&s, &ask(1)).unwrap();
    let events: Vec<_> = std::iter::from_fn(|| session.next_progress()).collect();
    let outcome = session.wait().unwrap();
    assert_eq!(outcome.summaries[0].devices, 40, "the fleet-size override applies");
    assert!(events.windows(2).all(|w| w[0].fraction <= w[1].fraction));
    assert!(events.last().unwrap().done);
    let detail = studio::records::run_detail(s.config(), outcome.summaries[0].run_id).unwrap();
    assert!(matches!(detail, studio::contract::summary::RunDetail::One(_)));

    // A month of 20,000 devices, cancelled after its first hour is reported.
    let session = begin_run(&s, &RunAsk { devices: Some(20_000), ..ask(2) }).unwrap();
    let first = session.next_progress().unwrap();
    assert!(first.epoch >= 1);
    assert!(cancel_run_with(&s, 2), "the job is known while it runs");
    assert!(!cancel_run_with(&s, 99), "an unknown job is not");
    while session.next_progress().is_some() {}
    let Err(e) = session.wait() else { panic!("a cancelled run returns an error") };
    assert_eq!(e.code(), ErrorCode::Cancelled, "{e}");
}

#[test]
fn two_runs_compare_and_a_run_exports_its_report() {
    let s = state("compare");
    let (path, text) = mine_pilot();
    let run = |job, devices| {
        let ask =
            RunAsk { job, path: path.clone(), text: text.clone(), devices: Some(devices), replications: 1, seed: None };
        let session = begin_run(&s, &ask).unwrap();
        while session.next_progress().is_some() {}
        let Ok(outcome) = session.wait() else { panic!("run {job} failed") };
        outcome.summaries[0].run_id
    };
    let (a, b) = (run(1, 20), run(2, 60));
    let c = studio::compare::compare_runs(&s.config().db, a, b).unwrap();
    assert_eq!((c.run_a, c.run_b), (a, b));
    let devices = c.results.iter().find(|f| f.id == "devices").expect("devices is compared");
    assert_eq!((devices.a, devices.b), (Some(20.0), Some(60.0)));
    assert!(c.assumptions.iter().any(|d| d.path.contains("count")), "{:#?}", c.assumptions);

    let html = std::env::temp_dir().join(format!("scaleproof-app-report-{}.html", std::process::id()));
    scaleproof_studio::commands::export_report_to(&s, studio::reports::Target::Run(b), &html).unwrap();
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<html") && page.contains("Mine A - pilot"), "{}", &page[..200.min(page.len())]);
    assert!(studio::reports::charts_dir(&html).join("01-delivery-over-time.svg").exists());

    // Named, tagged, then deleted, as History does it.
    studio::records::set_run_label(s.config(), a, Some("pilot as bought")).unwrap();
    studio::records::set_run_tags(s.config(), a, &["pilot".into(), "board".into()]).unwrap();
    let listed = studio::records::runs(s.config(), 10).unwrap();
    let first = listed.iter().find(|r| r.id == a).unwrap();
    assert_eq!((first.label.as_deref(), first.tags.len()), (Some("pilot as bought"), 2));
    assert_eq!(studio::records::delete_run(s.config(), a).unwrap(), 1);
    assert_eq!(studio::records::delete_run(s.config(), a).unwrap_err().code(), ErrorCode::NotFound);
    assert!(studio::records::runs(s.config(), 10).unwrap().iter().all(|r| r.id != a));
}

#[test]
fn a_scenario_saved_in_the_users_folder_is_listed_with_its_edits() {
    let dir = std::env::temp_dir().join(format!("scaleproof-app-save-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = AppState::new(scaleproof_studio::desktop_config(Config::in_dir(&dir)));
    let (_, text) = mine_pilot();
    let mine = dir.join("my-mine.toml");
    let item = save_scenario_with(&s, &mine, &text.replace("count = 20", "count = 35")).unwrap();
    // Far from the bundled price books, it still finds its own.
    assert_eq!((item.devices, item.problems, item.price_book.as_deref()), (35, 0, Some("iot-2026-11")));
    assert!(std::fs::read_to_string(&mine).unwrap().contains("count = 35"));
    let nowhere = save_scenario_with(&s, &dir.join("missing").join("x.toml"), &text).unwrap_err();
    assert_eq!(nowhere.code, ErrorCode::Io);
}

#[test]
fn a_sweep_of_unsaved_text_over_fleet_sizes_is_stored_with_its_cost_curve() {
    let s = state("sweep");
    let (path, text) = mine_pilot();
    // Unsaved: a three-year horizon instead of the file's five.
    let text = text.replace("horizon_years = 5", "horizon_years = 3");
    let ask = SweepAsk { job: 7, path, text, devices: vec![20, 60], replications: 2 };
    let session = begin_sweep(&s, &ask).unwrap();
    let mut points_seen = std::collections::BTreeSet::new();
    while let Some(p) = session.next_progress() {
        points_seen.insert((p.point, p.points));
    }
    let outcome = session.wait().unwrap();
    assert_eq!(points_seen.into_iter().map(|(_, n)| n).max(), Some(2));
    let detail = studio::sweep::sweep_detail(outcome.sweep_id, &outcome.points);
    assert_eq!(detail.points.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(), ["20", "60"]);
    for p in &detail.points {
        let studio::contract::PointSummary::Replicated(r) = &p.summary else { panic!("2 replications: {p:?}") };
        let cost = r.summary.cost.as_ref().expect("priced");
        assert_eq!(cost.horizon_years.mean, 3.0, "the unsaved text was swept");
        let t = &cost.tco_per_device_year;
        assert!(t.ci95_low <= t.mean && t.mean <= t.ci95_high, "{t:?}");
    }
    // Read back from the store as History opens it: the same points and curve.
    let stored = studio::sweep::stored_sweep(s.config(), outcome.sweep_id).unwrap();
    let curve = |d: &studio::contract::SweepDetail| -> Vec<(String, i64)> {
        d.points
            .iter()
            .map(|p| match &p.summary {
                studio::contract::PointSummary::Replicated(r) => {
                    (p.value.clone(), (r.summary.cost.as_ref().unwrap().tco_per_device_year.mean * 1e6).round() as i64)
                }
                studio::contract::PointSummary::One(_) => unreachable!(),
            })
            .collect()
    };
    assert_eq!(curve(&stored), curve(&detail));
    assert_eq!(stored.crossovers.len(), detail.crossovers.len());
    let html = std::env::temp_dir().join(format!("scaleproof-app-sweep-{}.html", std::process::id()));
    scaleproof_studio::commands::export_report_to(&s, studio::reports::Target::Sweep(outcome.sweep_id), &html).unwrap();
    assert!(std::fs::read_to_string(&html).unwrap().contains("<html"));
    let none = begin_sweep(&s, &SweepAsk { devices: Vec::new(), ..ask }).err().expect("no fleet size");
    assert_eq!(none.code(), ErrorCode::InvalidInput);
    assert_eq!(studio::sweep::stored_sweep(s.config(), 999).unwrap_err().code(), ErrorCode::NotFound);
}

#[test]
fn a_chart_picture_is_accepted_only_as_a_png() {
    use scaleproof_studio::commands::decode_png;
    // The smallest PNG's signature and header, as a canvas's data URL starts.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let url = format!("data:image/png;base64,{}", "iVBORw0KGgoAAAANSUhEUg==");
    assert_eq!(decode_png(&url).unwrap(), png);
    assert_eq!(decode_png("iVBORw0KGgoAAAANSUhEUg==").unwrap(), png);
    assert_eq!(decode_png("R0lGODlh").unwrap_err().code(), ErrorCode::InvalidInput, "a GIF");
    assert_eq!(decode_png("not base64!").unwrap_err().code(), ErrorCode::InvalidInput);
}

#[test]
fn a_sensitivity_study_of_unsaved_text_ranks_the_assumptions() {
    let s = state("study");
    let (path, text) = mine_pilot();
    let ask = StudyAsk {
        job: 9,
        path,
        text: text.replace("duration = \"30d\"", "duration = \"7d\""),
        vary: vec![
            "fleet.vibration.buffer.capacity=-50%,+50%".into(),
            "fleet.vibration.count=x0.5,x2".into(),
            " ".into(),
        ],
        kpi: "tco_per_device_year".into(),
        replications: 1,
    };
    let session = begin_sensitivity(&s, &ask).unwrap();
    while session.next_progress().is_some() {}
    let out = session.wait().unwrap();
    assert_eq!(out.study.kpi, "tco_per_device_year");
    assert_eq!(out.study.rows.len(), 2);
    assert!(out.study.rows[0].swing() >= out.study.rows[1].swing(), "widest first");
    assert!(out.study.baseline > 0.0);
    // The unsaved week was studied, not the file's month.
    let base = studio::records::run_detail(s.config(), 1).unwrap();
    let studio::contract::summary::RunDetail::One(one) = base else { panic!("one replication") };
    assert_eq!(one.summary.simulated_s, 7.0 * 86_400.0);
    let stored = studio::sensitivity::stored_study_detail(s.config(), out.id).unwrap();
    assert_eq!(stored.study, out.study, "History reopens the same tornado");
    for bad in [StudyAsk { vary: vec![], ..ask.clone() }, StudyAsk { kpi: "happiness".into(), ..ask.clone() }] {
        assert_eq!(begin_sensitivity(&s, &bad).err().expect("refused").code(), ErrorCode::InvalidInput);
    }
}
