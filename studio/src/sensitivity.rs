//! One-at-a-time sensitivity: each assumption moved to a low and a high setting (e.g. -20 %,
//! +20 %) while everything else stays at the base case, and the KPI at each. Scenario fields
//! are re-simulated with the same seeds (common random numbers, so the difference is the
//! assumption's, not noise's); prices (`price.` paths into the price book) only re-price the
//! base case's usage, which is exact because prices do not change what the fleet does.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};
use sim_core::scenario::read::scalar_at;
use sim_core::summary::RunSummary;
use store::{Store, SweepPoint};

use crate::session::{CancelToken, Cancelled, Progress, is_cancelled};
use crate::{LoadedScenario, RunRequest, load_scenario, run_scenario};

/// `PATH=-20%,+20%` (or absolute factors `PATH=x0.5,x2`).
#[derive(Clone, Debug, PartialEq)]
pub struct Variation {
    /// The scenario field, or `price.PATH` into the price book, to move.
    pub path: String,
    /// The low setting as a factor of the base value (-20 % is 0.8).
    pub low: f64,
    /// The high setting as a factor of the base value (+20 % is 1.2).
    pub high: f64,
}

impl Variation {
    /// `PATH=-20%,+20%` or `PATH=x0.5,x2` as `--vary` gives it; anything else is invalid input.
    pub fn parse(text: &str) -> crate::Result<Variation> {
        Self::parse_text(text).map_err(crate::Error::invalid)
    }

    fn parse_text(text: &str) -> Result<Variation, String> {
        let bad = || format!("--vary must look like PATH=-20%,+20% (or PATH=x0.5,x2); got {text:?}");
        let (path, spec) = text.split_once('=').ok_or_else(bad)?;
        let (a, b) = spec.split_once(',').ok_or_else(bad)?;
        let factor = |s: &str| -> Result<f64, String> {
            let s = s.trim();
            let f = if let Some(p) = s.strip_suffix('%') {
                1.0 + p.trim().parse::<f64>().map_err(|_| bad())? / 100.0
            } else if let Some(x) = s.strip_prefix('x') {
                x.parse::<f64>().map_err(|_| bad())?
            } else {
                return Err(bad());
            };
            if f.is_finite() && f >= 0.0 { Ok(f) } else { Err(bad()) }
        };
        Ok(Variation { path: path.trim().to_string(), low: factor(a)?, high: factor(b)? })
    }

    fn is_price(&self) -> bool {
        self.path.starts_with("price.")
    }
}

/// The KPIs a study can be run on; any other name is a dotted path into the RunSummary.
pub const KPIS: &[&str] = &[
    "tco_per_device_year",
    "tco",
    "capex",
    "opex_per_month",
    "delivery_ratio",
    "loss_pct",
    "p99_latency_s",
    "battery_life_days",
];

/// Checks a KPI name before any run: one of [`KPIS`] or a dotted path (checked against the
/// summary once the base case has run). A plain name that is not a KPI is refused up front.
pub fn check_kpi(name: &str) -> crate::Result<()> {
    check_kpi_text(name).map_err(crate::Error::invalid)
}

fn check_kpi_text(name: &str) -> std::result::Result<(), String> {
    if KPIS.contains(&name) || name.contains('.') {
        return Ok(());
    }
    let hint = match sim_core::diagnostic::did_you_mean(name, KPIS.iter().copied()) {
        Some(k) => format!(" (did you mean `{k}`?)"),
        None => String::new(),
    };
    Err(format!(
        "--on {name:?} is not a KPI{hint}: one of {}, or a dotted path into the run summary such as messages.dropped_overflow",
        KPIS.join(", ")
    ))
}

/// Checks a KPI against the scenario before any run: cost KPIs need a `[cost]` table and its
/// price book, `battery_life_days` a battery-powered class.
pub fn check_kpi_for(loaded: &LoadedScenario, name: &str) -> crate::Result<()> {
    check_kpi_for_text(loaded, name).map_err(crate::Error::invalid)
}

fn check_kpi_for_text(loaded: &LoadedScenario, name: &str) -> std::result::Result<(), String> {
    check_kpi_text(name)?;
    let priced = loaded.scenario.cost.is_some() && loaded.book.is_some();
    if ["tco_per_device_year", "tco", "capex", "opex_per_month"].contains(&name) && !priced {
        return Err(format!("--on {name}: this scenario has no [cost] table with a price book, so it has no costs"));
    }
    let s = &loaded.scenario;
    if name == "battery_life_days"
        && !s
            .classes
            .iter()
            .any(|c| matches!(s.powers[c.power].source, sim_core::scenario::PowerSource::Battery { .. }))
    {
        return Err("--on battery_life_days: no device class in this scenario runs on a battery".into());
    }
    Ok(())
}

/// A KPI that the base case's summary does not have (a dotted path that leads nowhere): the
/// user's input, found once the base case has run.
#[derive(Debug)]
pub struct UnknownKpi(pub String);

impl std::fmt::Display for UnknownKpi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UnknownKpi {}

/// The KPI `name` of one summary.
pub fn kpi(s: &RunSummary, name: &str) -> Option<f64> {
    let cost = s.cost.as_ref();
    Some(match name {
        "tco_per_device_year" => cost?.tco_per_device_year.units_f64(),
        "tco" => cost?.tco.units_f64(),
        "capex" => cost?.capex.units_f64(),
        "opex_per_month" => cost?.opex_per_month.units_f64(),
        "delivery_ratio" => s.delivery_ratio,
        "loss_pct" => (1.0 - s.delivery_ratio) * 100.0,
        "p99_latency_s" => s.latency_s.p99,
        "battery_life_days" => {
            s.per_class.iter().filter_map(|c| c.battery.as_ref().map(|b| b.projected_life_days)).reduce(f64::min)?
        }
        path => {
            let v = serde_json::to_value(s).ok()?;
            let mut cur = &v;
            for seg in path.split('.') {
                cur = match seg.parse::<usize>() {
                    Ok(i) => cur.get(i)?,
                    Err(_) => cur.get(seg)?,
                };
            }
            cur.as_f64()?
        }
    })
}

fn mean_kpi(summaries: &[RunSummary], name: &str) -> Result<f64> {
    let xs: Vec<f64> = summaries.iter().filter_map(|s| kpi(s, name)).collect();
    if xs.len() != summaries.len() {
        return Err(UnknownKpi(format!(
            "--on {name:?} is not a number in this run's summary (known: {}, or a dotted path to a number such as messages.dropped_overflow; cost KPIs need a price book)",
            KPIS.join(", ")
        ))
        .into());
    }
    Ok(xs.iter().sum::<f64>() / xs.len() as f64)
}

/// A study's result and its rows are contracts (`sensitivity --json`).
pub use crate::contract::{Study, StudyRow as Row};

/// What [`run_sensitivity`] runs: a scenario's base case, then each variation's low and high
/// setting, all on the same seeds.
pub struct SensitivityRequest<'a> {
    /// The scenario file (price books are looked for beside it).
    pub file: &'a Path,
    /// The scenario's text as an editor holds it, read as if it were `file` (None: the file's).
    pub text: Option<&'a str>,
    /// `--set` overrides applied to the base case and every setting.
    pub overrides: &'a [String],
    /// The assumptions to move, one at a time.
    pub variations: &'a [Variation],
    /// The KPI studied: one of [`KPIS`] or a dotted path into the RunSummary.
    pub kpi: &'a str,
    /// Replications per run; the KPI is their mean.
    pub replications: u32,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Where the runs are stored and price books found.
    pub config: &'a crate::Config,
    /// Called after every simulated epoch (see [`RunRequest::progress`]), with the study's run
    /// in progress as the point and the fraction of the whole study.
    pub progress: Option<&'a (dyn Fn(&Progress) + Sync)>,
    /// Once cancelled, the run in progress stops within one epoch, the rest are not run, the
    /// study is stored `cancelled` (when it was recorded: after its base case) and returns
    /// [`crate::session::Cancelled`].
    pub cancel: Option<&'a CancelToken>,
}

/// What [`run_sensitivity`] returns: the study's id and its result.
pub struct SensitivityOutcome {
    /// The study's id in the run database (`sweep:ID`).
    pub id: i64,
    /// The KPI at the base case and each assumption's swing, widest first.
    pub study: Study,
}

/// The setting of a scenario field or price at `factor` of its base value.
fn setting(loaded: &LoadedScenario, v: &Variation, factor: f64) -> Result<String> {
    let scalar = if v.is_price() {
        let book = loaded.book.as_ref().context("price variations need a scenario with a price book")?;
        let prices = loaded.scenario.cost.as_ref().map(|c| c.prices.clone()).unwrap_or_default();
        scalar_at(book.text.as_bytes(), &prices, &v.path["price.".len()..])
    } else {
        scalar_at(loaded.text.as_bytes(), &loaded.overrides, &v.path)
    };
    let scalar = scalar.map_err(|e| anyhow::Error::new(crate::LoadError::Io(format!("--vary {}: {e}", v.path))))?;
    let text = scalar
        .scaled(factor)
        .map_err(|e| anyhow::Error::new(crate::LoadError::Io(format!("--vary {}: {e}", v.path))))?;
    if v.is_price() {
        // Prices are kept in millionths: round the setting to six decimals.
        let x: f64 = text.parse().unwrap_or(0.0);
        return Ok(format!("{}", (x * 1e6).round() / 1e6));
    }
    Ok(text)
}

/// One setting, ready to evaluate: a price book with the price moved, or the scenario with
/// the field moved.
enum Prepared {
    Price(Box<crate::pricebook::LoadedBook>),
    Scenario(Box<LoadedScenario>),
}

/// Runs a sensitivity study and records it.
pub fn run_sensitivity(req: &SensitivityRequest<'_>) -> crate::Result<SensitivityOutcome> {
    study_runs(req).map_err(crate::Error::from)
}

fn study_runs(req: &SensitivityRequest<'_>) -> Result<SensitivityOutcome> {
    let load = |o: &[String]| match req.text {
        Some(text) => crate::load_scenario_text(req.config, req.file, text, o),
        None => load_scenario(req.config, req.file, o),
    };
    let base = load(req.overrides).map_err(anyhow::Error::new)?;
    // Every setting is read and loaded first, so a bad path or value costs nothing; what is
    // loaded here is what runs (or re-prices) below.
    let mut settings = Vec::new();
    for v in req.variations {
        let mut pair = Vec::new();
        for factor in [v.low, v.high] {
            let value = setting(&base, v, factor)?;
            let prepared = if v.is_price() {
                let book = base.book.as_ref().context("price variations need a scenario with a price book")?;
                let mut prices = base.scenario.cost.as_ref().map(|c| c.prices.clone()).unwrap_or_default();
                prices.push(format!("{}={value}", &v.path["price.".len()..]));
                let priced =
                    crate::pricebook::parse_book_bytes(&book.file, book.text.as_bytes(), &prices, "sensitivity")
                        .map_err(|d| anyhow::Error::new(crate::LoadError::Invalid(d)))?;
                Prepared::Price(Box::new(priced))
            } else {
                let mut o = req.overrides.to_vec();
                o.push(format!("{}={value}", v.path));
                Prepared::Scenario(Box::new(load(&o).map_err(anyhow::Error::new)?))
            };
            pair.push((value, prepared));
        }
        settings.push(pair);
    }
    let scenario_runs = req.variations.iter().filter(|v| !v.is_price()).count() * 2 + 1;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let messages_before = std::sync::atomic::AtomicU64::new(0);
    let start = std::time::Instant::now();
    let run = |loaded: &LoadedScenario| -> Result<Vec<RunSummary>> {
        if req.cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(Cancelled.into());
        }
        let k = done.load(std::sync::atomic::Ordering::Relaxed);
        let before = messages_before.load(std::sync::atomic::Ordering::Relaxed);
        let last_messages = std::sync::atomic::AtomicU64::new(0);
        let progress = req.progress.map(|sink| {
            let last_messages = &last_messages;
            move |p: &Progress| {
                last_messages.store(p.messages_generated, std::sync::atomic::Ordering::Relaxed);
                let q = Progress {
                    phase: "sensitivity".into(),
                    message: format!("sensitivity of {}, run {} of {scenario_runs}", req.kpi, k + 1),
                    point: k as u32,
                    points: scenario_runs as u32,
                    messages_generated: before + p.messages_generated,
                    ..p.clone()
                };
                sink(&q.timed((k as f64 + p.fraction) / scenario_runs as f64, start));
            }
        });
        let pref: Option<&(dyn Fn(&Progress) + Sync)> = progress.as_ref().map(|p| p as &(dyn Fn(&Progress) + Sync));
        let out = run_scenario(&RunRequest {
            loaded,
            seed: None,
            replications: req.replications,
            precision: None,
            threads: req.threads,
            db: req.config.db.clone(),
            progress: pref,
            cancel: req.cancel,
            on_epoch: None,
            playback: false,
            live: None,
        })?;
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        messages_before.fetch_add(last_messages.into_inner(), std::sync::atomic::Ordering::Relaxed);
        Ok(out.summaries)
    };

    let base_runs = run(&base)?;
    let baseline = mean_kpi(&base_runs, req.kpi)?;
    let mut store = Store::open(&req.config.db).with_context(|| format!("opening {}", req.config.db.display()))?;
    let id = store.begin_sweep(
        &crate::utc_now_rfc3339(),
        "sensitivity",
        &base.scenario.name,
        &base.file,
        &json!({ "kpi": req.kpi, "overrides": req.overrides }).to_string(),
    )?;
    match study_rows(req, &base, &settings, &base_runs, &mut store, id, &run) {
        Ok(rows) => {
            let study = Study { kpi: req.kpi.to_string(), baseline, rows };
            // The results are kept with the study, so its report needs no recomputation.
            let spec = json!({ "kpi": req.kpi, "overrides": req.overrides, "study": study });
            store.set_sweep_spec(id, &spec.to_string())?;
            store.finish_sweep(id)?;
            Ok(SensitivityOutcome { id, study })
        }
        Err(e) => {
            let ended = if is_cancelled(&e) { store.cancel_sweep(id) } else { store.fail_sweep(id) };
            Err(match ended {
                Ok(()) => e,
                Err(store_error) => e.context(format!("study {id} could not be marked as ended: {store_error}")),
            })
        }
    }
}

/// The tornado's rows, widest swing first, each setting recorded as a point of study `id`.
#[allow(clippy::too_many_arguments)]
fn study_rows(
    req: &SensitivityRequest<'_>,
    base: &LoadedScenario,
    settings: &[Vec<(String, Prepared)>],
    base_runs: &[RunSummary],
    store: &mut Store,
    id: i64,
    run: &dyn Fn(&LoadedScenario) -> Result<Vec<RunSummary>>,
) -> Result<Vec<Row>> {
    let base_id = base_runs[0].run_id;
    store.add_sweep_point(id, &SweepPoint { idx: 0, label: "base case".into(), value: String::new(), run: base_id })?;
    let mut rows = Vec::new();
    for (i, (v, pair)) in req.variations.iter().zip(settings).enumerate() {
        let mut kpis = [0.0; 2];
        for (j, (value, prepared)) in pair.iter().enumerate() {
            let (summaries, run_id) = match prepared {
                Prepared::Price(book) => {
                    base.scenario.cost.as_ref().context("price variations need a [cost] table")?;
                    // Re-priced and re-judged: the verdict follows the new bill.
                    let repriced = base_runs
                        .iter()
                        .map(|s| {
                            let mut s = s.clone();
                            sim_core::assess(&base.scenario, Some(&book.book), &s).fill(&mut s);
                            s
                        })
                        .collect();
                    (repriced, base_id)
                }
                Prepared::Scenario(loaded) => {
                    let s = run(loaded)?;
                    let rid = s[0].run_id;
                    (s, rid)
                }
            };
            kpis[j] = mean_kpi(&summaries, req.kpi)?;
            store.add_sweep_point(
                id,
                &SweepPoint {
                    idx: (1 + 2 * i + j) as u32,
                    label: format!("{}={value}", v.path),
                    value: value.clone(),
                    run: run_id,
                },
            )?;
        }
        rows.push(Row {
            path: v.path.clone(),
            low_setting: pair[0].0.clone(),
            high_setting: pair[1].0.clone(),
            kpi_low: kpis[0],
            kpi_high: kpis[1],
        });
    }
    rows.sort_by(|a, b| b.swing().total_cmp(&a.swing()));
    Ok(rows)
}

/// A stored sensitivity study as front ends read it (not a sweep: invalid input; none: not
/// found; one that did not finish has no result: invalid input).
pub fn stored_study_detail(config: &crate::Config, id: i64) -> crate::Result<crate::contract::StudyDetail> {
    let store = crate::records::open_existing(config)?;
    let Some(rec) = store.get_sweep(id)? else { return Err(crate::Error::not_found(format!("no study {id}"))) };
    if rec.kind != "sensitivity" {
        return Err(crate::Error::invalid(format!("sweep {id} is a sweep, not a sensitivity study")));
    }
    let study = stored_study(&rec.spec_json).map_err(|e| crate::Error::invalid(format!("study {id}: {e:#}")))?;
    Ok(crate::contract::StudyDetail { id, study })
}

/// The study stored with a sensitivity record.
pub(crate) fn stored_study(spec_json: &str) -> Result<Study> {
    let v: Value = serde_json::from_str(spec_json)?;
    serde_json::from_value(v["study"].clone()).context("this sensitivity study did not finish")
}
