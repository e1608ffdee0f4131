//! Building reports from the run database: a run (with its replications) or a sweep, with the
//! assumptions they were computed under (scenario text, overrides, the stored price book); and
//! writing them: the page, each chart as an SVG file beside it, and each chart as a PNG.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use report::chart::Chart;
use report::{Assumptions, BookInfo, Hour, Report, RunInput, SweepInput, SweepPointInput};
use sim_core::scenario::{ScenarioSource, parse_scenario};
use store::Store;

/// What a report is about: `12` or `run:12` (a run), `sweep:3` (a sweep), `last` (the newest run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A run (or the run it is a replication of), by id.
    Run(i64),
    /// A sweep or sensitivity study, by id (`sweep:ID`).
    Sweep(i64),
    /// The newest run in the database.
    LastRun,
}

impl Target {
    /// `12`, `run:12`, `#12`, `sweep:3` or `last`; anything else is invalid input.
    pub fn parse(s: &str) -> crate::Result<Target> {
        Self::parse_text(s).map_err(crate::Error::invalid)
    }

    fn parse_text(s: &str) -> Result<Target, String> {
        let bad = || format!("{s:?} is not a run or sweep: use a run id (12), run:12, sweep:3 or last");
        if s == "last" {
            return Ok(Target::LastRun);
        }
        if let Some(id) = s.strip_prefix("sweep:") {
            return id.parse().map(Target::Sweep).map_err(|_| bad());
        }
        s.trim_start_matches("run:").trim_start_matches('#').parse().map(Target::Run).map_err(|_| bad())
    }
}

/// The assumptions of a stored run: its scenario and the price book it was priced with (with
/// the scenario's own price overrides applied again, so the prices shown are the prices used).
pub(crate) fn assumptions_of(store: &Store, run: i64) -> crate::Result<Assumptions> {
    let Some(rec) = store.get_run(run)? else { return Err(crate::Error::not_found(format!("no run {run}"))) };
    let overrides: Vec<String> = serde_json::from_str(&rec.overrides_json).unwrap_or_default();
    let book = match &rec.price_book_text {
        Some(text) => {
            let prices = parse_scenario(&ScenarioSource {
                file: &rec.row.scenario_file,
                bytes: rec.scenario_text.as_bytes(),
                overrides: &overrides,
            })
            .ok()
            .and_then(|s| s.cost.map(|c| c.prices))
            .unwrap_or_default();
            let source = Path::new(&rec.row.scenario_file)
                .file_name()
                .map_or(rec.row.scenario_file.clone(), |n| n.to_string_lossy().into_owned());
            crate::pricebook::parse_book_bytes("stored price book", text.as_bytes(), &prices, &source).ok().map(|b| {
                BookInfo {
                    id: b.book.id,
                    title: b.book.title,
                    currency: b.book.currency,
                    date: b.book.date,
                    lines: b.book.lines,
                }
            })
        }
        None => None,
    };
    Ok(Assumptions { scenario_file: rec.row.scenario_file, scenario_text: rec.scenario_text, overrides, book })
}

/// Builds the report of a run or sweep stored in `db`.
pub fn build_report(db: &Path, target: Target, generated_at: &str) -> crate::Result<Report> {
    let store = crate::open_for_reading(db)?;
    match target {
        Target::Run(_) | Target::LastRun => {
            let id = match target {
                Target::Run(id) => id,
                _ => store.last_run()?.ok_or_else(|| crate::Error::not_found("no runs stored yet"))?,
            };
            if store.get_run(id)?.is_none() {
                return Err(crate::Error::not_found(format!("no run {id} in {}", db.display())));
            }
            // A replication reports as the run it replicates, with all its siblings.
            let run = crate::run::load_run(&store, id)?;
            let id = run.id;
            // The series and the timeline front ends draw: one source.
            let (series, events) = crate::run::series_and_events(&store, id)?;
            let mut hours: Vec<Hour> = Vec::new();
            for r in &series.hours {
                let i = r.hour as usize;
                if hours.len() <= i {
                    hours.resize(i + 1, Hour::default());
                }
                let h = &mut hours[i];
                h.hour = r.hour;
                h.generated += r.generated;
                h.delivered += r.delivered;
                h.online += r.online;
                h.buffered += r.buffered;
            }
            let assumptions = assumptions_of(&store, id)?;
            Ok(report::run_report(&RunInput {
                summaries: &run.summaries,
                mean: &run.mean,
                hours: &hours,
                events: &events,
                assumptions: &assumptions,
                generated_at,
            }))
        }
        Target::Sweep(id) => {
            if let Some(rec) = store.get_sweep(id)?
                && rec.kind == "sensitivity"
            {
                let study = crate::sensitivity::stored_study(&rec.spec_json)?;
                let base = rec.points.first().context("the study has no base case")?.run;
                let assumptions = assumptions_of(&store, base)?;
                let rows: Vec<report::TornadoRow> = study
                    .rows
                    .iter()
                    .map(|r| report::TornadoRow {
                        path: r.path.clone(),
                        low_setting: r.low_setting.clone(),
                        high_setting: r.high_setting.clone(),
                        kpi_low: r.kpi_low,
                        kpi_high: r.kpi_high,
                    })
                    .collect();
                return Ok(report::sensitivity_report(&report::SensitivityInput {
                    id,
                    scenario: &rec.scenario_name,
                    kpi: &study.kpi,
                    baseline: study.baseline,
                    rows: &rows,
                    assumptions: &assumptions,
                    generated_at,
                }));
            }
            drop(store);
            let (rec, points) = crate::sweep::load_sweep(db, id)?;
            let store = crate::open_for_reading(db)?;
            // The assumptions of the point the bill and the verdict describe: the last one.
            let Some(last) = points.last() else {
                return Err(crate::Error::not_found(format!("sweep {id} has no points")));
            };
            let assumptions = assumptions_of(&store, last.run_id)?;
            let crossovers = crate::sweep::sweep_crossovers(&points);
            let over = serde_json::from_str::<serde_json::Value>(&rec.spec_json)
                .ok()
                .and_then(|v| v["over"].as_str().map(str::to_string))
                .unwrap_or_default();
            Ok(report::sweep_report(&SweepInput {
                id,
                over: &over,
                points: points
                    .iter()
                    .map(|p| SweepPointInput { value: p.value.clone(), summaries: &p.summaries, mean: &p.mean })
                    .collect(),
                crossovers: &crossovers,
                assumptions: &assumptions,
                generated_at,
            }))
        }
    }
}

/// The folder beside a report that holds its charts: `out/report.html` -> `out/report-charts`.
pub fn charts_dir(html: &Path) -> PathBuf {
    let stem = html.file_stem().map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
    html.with_file_name(format!("{stem}-charts"))
}

/// The file name of a report's `i`-th chart (0-based), numbered in the order the page shows
/// them: `01-delivery-over-time.svg`.
pub fn chart_file_name(i: usize, chart: &Chart, ext: &str) -> String {
    format!("{:02}-{}.{ext}", i + 1, chart.id)
}

/// Whether `name` is a chart file this writer names (`NN-id.ext`).
fn is_chart_file(name: &str, ext: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 3 && b[0].is_ascii_digit() && b[1].is_ascii_digit() && b[2] == b'-' && name.ends_with(&format!(".{ext}"))
}

/// Writes the charts of `rep` into `dir` as `NN-id.ext`, after removing the chart files of that
/// kind an earlier report left there (so the folder holds exactly this report's charts).
fn write_charts(
    rep: &Report,
    dir: &Path,
    ext: &str,
    write: impl Fn(&Chart, &Path) -> Result<()>,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() && is_chart_file(&entry.file_name().to_string_lossy(), ext) {
            std::fs::remove_file(entry.path()).with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    let mut paths = Vec::new();
    for (i, c) in rep.charts.iter().enumerate() {
        let path = dir.join(chart_file_name(i, c, ext));
        write(c, &path)?;
        paths.push(path);
    }
    Ok(paths)
}

/// Writes the page to `html` and each of its charts as an SVG file in [`charts_dir`]; returns
/// the SVG files, in the page's order.
pub fn write_report(rep: &Report, html: &Path) -> crate::Result<Vec<PathBuf>> {
    std::fs::write(html, &rep.html).with_context(|| format!("writing {}", html.display()))?;
    Ok(write_charts(rep, &charts_dir(html), "svg", |c, path| {
        std::fs::write(path, c.to_svg()).with_context(|| format!("writing {}", path.display()))
    })?)
}

/// Writes each chart of `rep` as a PNG in `dir`, every size multiplied by `scale` (2: for 1080p
/// slides); returns the files, in the page's order.
pub fn write_pngs(rep: &Report, dir: &Path, scale: u32) -> crate::Result<Vec<PathBuf>> {
    Ok(write_charts(rep, dir, "png", |c, path| c.to_png(path, scale).map_err(anyhow::Error::msg))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use report::chart::{Kind, Series};

    fn chart(id: &str) -> Chart {
        let points = vec![(1.0, 1.0, 1.0, 1.0), (2.0, 3.0, 3.0, 3.0)];
        Chart::new(
            id,
            id,
            Kind::Lines {
                series: vec![Series { name: "a".into(), points }],
                log_x: false,
                x_label: "x".into(),
                y_label: "y".into(),
            },
        )
    }

    #[test]
    fn every_chart_is_written_as_its_own_svg_beside_the_report() {
        let dir = std::env::temp_dir().join(format!("scaleproof-report-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let html = dir.join("report.html");
        let rep = Report { html: "<p/>".into(), charts: vec![chart("delivery"), chart("cost")] };
        // An earlier report with more charts, and a file of the user's, in the same folder.
        std::fs::create_dir_all(dir.join("report-charts")).unwrap();
        std::fs::write(dir.join("report-charts/03-old.svg"), "old").unwrap();
        std::fs::write(dir.join("report-charts/notes.txt"), "mine").unwrap();
        let written = write_report(&rep, &html).unwrap();
        assert_eq!(written, [dir.join("report-charts/01-delivery.svg"), dir.join("report-charts/02-cost.svg")]);
        let mut names: Vec<String> = std::fs::read_dir(dir.join("report-charts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["01-delivery.svg", "02-cost.svg", "notes.txt"]);
        for (path, c) in written.iter().zip(&rep.charts) {
            assert_eq!(std::fs::read_to_string(path).unwrap(), c.to_svg());
        }
        let pngs = write_pngs(&rep, &dir.join("png"), 2).unwrap();
        assert_eq!(pngs, [dir.join("png/01-delivery.png"), dir.join("png/02-cost.png")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
