//! One-at-a-time sensitivity: each assumption moved to a low and a high setting (e.g. -20 %,
//! +20 %) while everything else stays at the base case, and the KPI at each. Scenario fields
//! are re-simulated with the same seeds (common random numbers, so the difference is the
//! assumption's, not noise's); prices (`price.` paths into the price book) only re-price the
//! base case's usage, which is exact because prices do not change what the fleet does.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sim_core::scenario::read::scalar_at;
use sim_core::summary::RunSummary;
use store::{Store, SweepPoint};

use crate::{LoadedScenario, RunRequest, load_scenario, run_scenario};

/// `PATH=-20%,+20%` (or absolute factors `PATH=x0.5,x2`).
#[derive(Clone, Debug, PartialEq)]
pub struct Variation {
    pub path: String,
    pub low: f64,
    pub high: f64,
}

impl Variation {
    pub fn parse(text: &str) -> Result<Variation, String> {
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
pub fn check_kpi(name: &str) -> std::result::Result<(), String> {
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
pub fn check_kpi_for(loaded: &LoadedScenario, name: &str) -> std::result::Result<(), String> {
    check_kpi(name)?;
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

/// One row of the tornado.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub path: String,
    pub low_setting: String,
    pub high_setting: String,
    pub kpi_low: f64,
    pub kpi_high: f64,
}

impl Row {
    pub fn swing(&self) -> f64 {
        (self.kpi_high - self.kpi_low).abs()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Study {
    pub kpi: String,
    pub baseline: f64,
    /// Widest swing first.
    pub rows: Vec<Row>,
}

pub struct SensitivityRequest<'a> {
    pub file: &'a Path,
    pub overrides: &'a [String],
    pub variations: &'a [Variation],
    pub kpi: &'a str,
    pub replications: u32,
    pub threads: Option<usize>,
    pub db: PathBuf,
    pub progress: Option<&'a (dyn Fn(f64) + Sync)>,
}

pub struct SensitivityOutcome {
    pub id: i64,
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
pub fn run_sensitivity(req: &SensitivityRequest<'_>) -> Result<SensitivityOutcome> {
    let base = load_scenario(req.file, req.overrides).map_err(anyhow::Error::new)?;
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
                Prepared::Scenario(Box::new(load_scenario(req.file, &o).map_err(anyhow::Error::new)?))
            };
            pair.push((value, prepared));
        }
        settings.push(pair);
    }
    let scenario_runs = req.variations.iter().filter(|v| !v.is_price()).count() * 2 + 1;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let run = |loaded: &LoadedScenario| -> Result<Vec<RunSummary>> {
        let k = done.load(std::sync::atomic::Ordering::Relaxed);
        let progress = req.progress.map(|p| move |f: f64| p((k as f64 + f) / scenario_runs as f64));
        let pref: Option<&(dyn Fn(f64) + Sync)> = progress.as_ref().map(|p| p as &(dyn Fn(f64) + Sync));
        let out = run_scenario(&RunRequest {
            loaded,
            seed: None,
            replications: req.replications,
            precision: None,
            threads: req.threads,
            db: req.db.clone(),
            progress: pref,
        })?;
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(out.summaries)
    };

    let base_runs = run(&base)?;
    let baseline = mean_kpi(&base_runs, req.kpi)?;
    let mut store = Store::open(&req.db).with_context(|| format!("opening {}", req.db.display()))?;
    let id = store.begin_sweep(
        &crate::utc_now_rfc3339(),
        "sensitivity",
        &base.scenario.name,
        &base.file,
        &json!({ "kpi": req.kpi, "overrides": req.overrides }).to_string(),
    )?;
    let base_id = base_runs[0].run_id;
    store.add_sweep_point(id, &SweepPoint { idx: 0, label: "base case".into(), value: String::new(), run: base_id })?;
    let mut rows = Vec::new();
    for (i, (v, pair)) in req.variations.iter().zip(&settings).enumerate() {
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
    let study = Study { kpi: req.kpi.to_string(), baseline, rows };
    // The results are kept with the study, so its report needs no recomputation.
    let spec = json!({ "kpi": req.kpi, "overrides": req.overrides, "study": study });
    store.set_sweep_spec(id, &spec.to_string())?;
    store.finish_sweep(id)?;
    Ok(SensitivityOutcome { id, study })
}

/// The study stored with a sensitivity record.
pub fn stored_study(spec_json: &str) -> Result<Study> {
    let v: Value = serde_json::from_str(spec_json)?;
    serde_json::from_value(v["study"].clone()).context("this sensitivity study did not finish")
}
