//! Sweeps: the same scenario at several values of one field (fleet size first of all), each point
//! run with R replications and stored, the sweep itself recorded in the run database.
//!
//! `devices=20,200,2000` is the fleet size: every class is scaled in proportion to its count in
//! the file. Any other path is a `--set` override (`fleet.sensors.buffer.capacity=100,1000`).

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::json;
use sim_core::summary::RunSummary;
use store::{Store, SweepPoint};

use crate::session::{CancelToken, Cancelled, Progress, is_cancelled};
use crate::{LoadError, LoadedScenario, RunRequest, load_scenario, run_scenario};

/// `PATH=V1,V2,...` as given on the command line.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// The field path swept (`devices` scales the whole fleet).
    pub path: String,
    /// The values, in order, as text (underscores removed).
    pub values: Vec<String>,
}

impl SweepSpec {
    /// `PATH=V1,V2,...` as `--over` gives it; anything else is invalid input.
    pub fn parse(text: &str) -> crate::Result<SweepSpec> {
        Self::parse_text(text).map_err(crate::Error::invalid)
    }

    fn parse_text(text: &str) -> Result<SweepSpec, String> {
        let (path, values) = text
            .split_once('=')
            .ok_or_else(|| format!("--over must look like PATH=V1,V2,... (e.g. devices=20,200,2000); got {text:?}"))?;
        let values: Vec<String> =
            values.split(',').map(|v| v.trim().replace('_', "")).filter(|v| !v.is_empty()).collect();
        if path.trim().is_empty() || values.is_empty() {
            return Err(format!("--over needs a path and at least one value; got {text:?}"));
        }
        Ok(SweepSpec { path: path.trim().to_string(), values })
    }
}

/// What [`run_sweep`] runs: a scenario file at each value of one field, with replications.
pub struct SweepRequest<'a> {
    /// The scenario file (price books are looked for beside it).
    pub file: &'a Path,
    /// The scenario's text as an editor holds it, read as if it were `file` (None: the file's).
    pub text: Option<&'a str>,
    /// `--set` overrides applied at every point, before the swept one.
    pub overrides: &'a [String],
    /// The field and its values.
    pub spec: &'a SweepSpec,
    /// Replications per point (with `precision`: the first batch).
    pub replications: u32,
    /// Each point adds replications until its targeted KPIs are precise enough.
    pub precision: Option<crate::run::Precision>,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Where the runs are stored and price books found.
    pub config: &'a crate::Config,
    /// Called after every simulated epoch (see [`RunRequest::progress`]), with the point
    /// running and the fraction of the whole sweep.
    pub progress: Option<&'a (dyn Fn(&Progress) + Sync)>,
    /// Once cancelled, the point running stops within one epoch, the points after it are not
    /// run, the sweep is stored `cancelled` and returns [`crate::session::Cancelled`].
    pub cancel: Option<&'a CancelToken>,
}

/// One point: its value and its replications' summaries.
#[derive(Clone, Debug)]
pub struct PointResult {
    /// `PATH=VALUE`, as the sweep set it.
    pub label: String,
    /// The value swept to, as text.
    pub value: String,
    /// Replication 0's run id.
    pub run_id: i64,
    /// Every replication's summary, replication 0 first.
    pub summaries: Vec<RunSummary>,
    /// The replications' means, priced and judged together (`run::mean_of`).
    pub mean: RunSummary,
    /// The `--set` overrides that made this point (the sweep's own and the point's).
    pub overrides: Vec<String>,
}

/// What [`run_sweep`] returns: the sweep's id and its points in the order swept.
pub struct SweepOutcome {
    /// The sweep's id in the run database (`sweep:ID`).
    pub sweep_id: i64,
    /// Each point's result, in the order swept.
    pub points: Vec<PointResult>,
}

/// The overrides that set one point: the fleet scaled to `devices`, or the path set to `value`.
pub(crate) fn point_overrides(base: &LoadedScenario, spec: &SweepSpec, value: &str) -> Result<Vec<String>, LoadError> {
    let mut o = base.overrides.clone();
    if spec.path == "devices" {
        let total: u64 = value
            .parse()
            .map_err(|_| LoadError::Io(format!("--over devices: {value:?} is not a whole number of devices")))?;
        if total == 0 {
            return Err(LoadError::Io("--over devices: a fleet needs at least one device".into()));
        }
        o.extend(fleet_size_overrides(&base.scenario, total));
    } else {
        o.push(format!("{}={value}", spec.path));
    }
    Ok(o)
}

/// The overrides that make the fleet `total` devices: every class scaled in proportion to its
/// count in the file (at least one device each), and the design keeping its density: gateways
/// (cells) per site scale with the fleet, at least one per site.
pub fn fleet_size_overrides(s: &sim_core::scenario::Scenario, total: u64) -> Vec<String> {
    let file_total: u64 = s.classes.iter().map(|c| c.count as u64).sum();
    let scale = total as f64 / file_total.max(1) as f64;
    let mut o = Vec::new();
    for c in &s.classes {
        let n = ((c.count as f64 * scale).round() as u64).max(1);
        o.push(format!("fleet.{}.count={n}", c.name));
    }
    for (i, site) in s.sites.iter().enumerate() {
        let g = ((site.gateways as f64 * scale).round() as u64).max(1);
        o.push(format!("site.{i}.gateways={g}"));
    }
    o
}

/// Runs every point of a sweep and records it.
pub fn run_sweep(req: &SweepRequest<'_>) -> crate::Result<SweepOutcome> {
    sweep_points(req).map_err(crate::Error::from)
}

fn sweep_points(req: &SweepRequest<'_>) -> Result<SweepOutcome> {
    // Validate every point before running any, so a bad value costs nothing.
    let load = |o: &[String]| match req.text {
        Some(text) => crate::load_scenario_text(req.config, req.file, text, o),
        None => load_scenario(req.config, req.file, o),
    };
    let base = load(req.overrides).map_err(anyhow::Error::new)?;
    let mut loaded = Vec::new();
    for v in &req.spec.values {
        let o = point_overrides(&base, req.spec, v).map_err(anyhow::Error::new)?;
        loaded.push(load(&o).map_err(anyhow::Error::new)?);
    }
    let first = &loaded[0];
    let spec_json = json!({
        "over": req.spec.path,
        "values": req.spec.values,
        "replications": req.replications,
        "overrides": req.overrides,
    });
    let mut store = Store::open(&req.config.db).with_context(|| format!("opening {}", req.config.db.display()))?;
    let sweep_id = store.begin_sweep(
        &crate::utc_now_rfc3339(),
        "sweep",
        &first.scenario.name,
        &first.file,
        &spec_json.to_string(),
    )?;
    match run_points(req, &loaded, &mut store, sweep_id) {
        Ok(points) => {
            store.finish_sweep(sweep_id)?;
            Ok(SweepOutcome { sweep_id, points })
        }
        Err(e) => {
            // The sweep's row ends with its first failing point (the points before are kept).
            let ended = if is_cancelled(&e) { store.cancel_sweep(sweep_id) } else { store.fail_sweep(sweep_id) };
            Err(match ended {
                Ok(()) => e,
                Err(store_error) => e.context(format!("sweep {sweep_id} could not be marked as ended: {store_error}")),
            })
        }
    }
}

fn run_points(
    req: &SweepRequest<'_>,
    loaded: &[LoadedScenario],
    store: &mut Store,
    sweep_id: i64,
) -> Result<Vec<PointResult>> {
    let mut points = Vec::new();
    let n = loaded.len();
    let start = std::time::Instant::now();
    let messages_before = std::sync::atomic::AtomicU64::new(0);
    for (i, (l, v)) in loaded.iter().zip(&req.spec.values).enumerate() {
        if req.cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(Cancelled.into());
        }
        let label = format!("{}={v}", req.spec.path);
        let last_messages = std::sync::atomic::AtomicU64::new(0);
        let progress = req.progress.map(|sink| {
            let (label, last_messages, messages_before) = (&label, &last_messages, &messages_before);
            move |p: &Progress| {
                let before = messages_before.load(std::sync::atomic::Ordering::Relaxed);
                last_messages.store(p.messages_generated, std::sync::atomic::Ordering::Relaxed);
                let q = Progress {
                    phase: "sweep".into(),
                    message: label.clone(),
                    point: i as u32,
                    points: n as u32,
                    messages_generated: before + p.messages_generated,
                    ..p.clone()
                };
                sink(&q.timed((i as f64 + p.fraction) / n as f64, start));
            }
        });
        let progress_ref: Option<&(dyn Fn(&Progress) + Sync)> =
            progress.as_ref().map(|p| p as &(dyn Fn(&Progress) + Sync));
        let out = run_scenario(&RunRequest {
            loaded: l,
            seed: None,
            replications: req.replications,
            precision: req.precision,
            threads: req.threads,
            db: req.config.db.clone(),
            progress: progress_ref,
            cancel: req.cancel,
            on_epoch: None,
            playback: false,
            live: None,
        })?;
        messages_before.fetch_add(last_messages.into_inner(), std::sync::atomic::Ordering::Relaxed);
        let run_id = out.summaries[0].run_id;
        store.add_sweep_point(
            sweep_id,
            &SweepPoint { idx: i as u32, label: label.clone(), value: v.clone(), run: run_id },
        )?;
        points.push(PointResult {
            label,
            value: v.clone(),
            run_id,
            summaries: out.summaries,
            mean: out.mean,
            overrides: l.overrides.clone(),
        });
    }
    Ok(points)
}

/// The points of a stored sweep with their replications' summaries.
pub(crate) fn load_sweep(db: &Path, id: i64) -> Result<(store::SweepRecord, Vec<PointResult>)> {
    let store = crate::open_for_reading(db)?;
    let Some(rec) = store.get_sweep(id)? else {
        return Err(crate::Error::not_found(format!("no sweep {id} in {}", db.display())).into());
    };
    let mut points = Vec::new();
    for p in &rec.points {
        let summaries = store
            .replication_summaries(p.run)?
            .iter()
            .map(|j| serde_json::from_str(j))
            .collect::<Result<Vec<RunSummary>, _>>()
            .with_context(|| format!("reading the summaries of run {}", p.run))?;
        if summaries.is_empty() {
            let status = store.get_run(p.run)?.map(|r| r.row.status).unwrap_or_default();
            bail!("sweep {id}: run {} has no complete summary ({})", p.run, crate::run::why_no_summary(&status));
        }
        let loaded = crate::stored_scenario(&store, p.run)?;
        points.push(PointResult {
            label: p.label.clone(),
            value: p.value.clone(),
            run_id: p.run,
            mean: crate::run::mean_of(&loaded, &summaries),
            summaries,
            overrides: loaded.overrides,
        });
    }
    Ok((rec, points))
}

/// Mean and 95 % interval of `f` over a point's replications.
pub fn stat(p: &PointResult, f: impl Fn(&RunSummary) -> f64) -> (f64, f64, f64) {
    let xs: Vec<f64> = p.summaries.iter().map(f).collect();
    let (m, h) = sim_core::replication::mean_ci95(&xs);
    (m, m - h, m + h)
}

/// The sweep as front ends read it (`sweep --json`): every point's figures and the crossovers.
pub fn sweep_detail(id: i64, points: &[PointResult]) -> crate::contract::SweepDetail {
    use crate::contract::{CrossoverPoint, PointSummary, SweepDetail, SweepPoint};
    SweepDetail {
        sweep_id: id,
        points: points
            .iter()
            .map(|p| SweepPoint {
                label: p.label.clone(),
                value: p.value.clone(),
                run_id: p.run_id,
                replications: p.summaries.len(),
                summary: PointSummary::of(&p.mean, &p.summaries),
            })
            .collect(),
        crossovers: sweep_crossovers(points).iter().map(CrossoverPoint::from).collect(),
    }
}

/// A stored sweep (not a sensitivity study) as front ends read it, with its crossovers.
pub fn stored_sweep(config: &crate::Config, id: i64) -> crate::Result<crate::contract::SweepDetail> {
    let (_, points) = load_sweep(&config.db, id).map_err(crate::Error::from)?;
    Ok(sweep_detail(id, &points))
}

/// Where another platform or plan overtakes the chosen one along the sweep (x = the swept value;
/// TCO per device-year averaged over replications).
pub fn sweep_crossovers(points: &[PointResult]) -> Vec<sim_core::cost::crossover::Crossover> {
    use sim_core::cost::crossover::{CurvePoint, crossovers};
    let mut chosen = Vec::new();
    let curve: Vec<CurvePoint> = points
        .iter()
        .filter_map(|p| {
            let x: f64 = p.value.parse().ok()?;
            let costs: Vec<&sim_core::cost::CostSummary> = p.summaries.iter().filter_map(|s| s.cost.as_ref()).collect();
            let first = costs.first()?;
            if chosen.is_empty() {
                chosen = vec![
                    ("platform".to_string(), first.platform.clone()),
                    ("connectivity".into(), first.connectivity.clone()),
                ];
            }
            let mean = |f: &dyn Fn(&sim_core::cost::CostSummary) -> f64| {
                costs.iter().map(|c| f(c)).sum::<f64>() / costs.len() as f64
            };
            let alternatives = first
                .alternatives
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    (
                        a.choice.clone(),
                        a.name.clone(),
                        mean(&|c| c.alternatives.get(i).map_or(f64::NAN, |x| x.tco_per_device_year.units_f64())),
                    )
                })
                .collect();
            Some(CurvePoint { x, chosen: mean(&|c| c.tco_per_device_year.units_f64()), alternatives })
        })
        .collect();
    crossovers(&chosen, &curve)
}
