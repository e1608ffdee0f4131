//! Exporting stored runs and studies for BI and ERP tools: a run's hourly series, its per-class
//! figures, its bill, its summary (one wide row) or its timeline of events, and a sweep's or sensitivity study's points
//! (one row each), as CSV (the `csv` crate, text cells neutralised against formula injection),
//! JSON Lines or Parquet (zstd, typed columns, one row group). Column reference:
//! `docs/exports.md`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use sim_core::summary::RunSummary;
use store::Store;

/// The file format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row; text cells that a spreadsheet would run as formulas are neutralised.
    Csv,
    /// JSON Lines: one JSON object per row.
    Jsonl,
    /// Parquet with typed columns, zstd-compressed, one row group.
    Parquet,
}

impl Format {
    /// `csv`, `jsonl` or `parquet`; anything else is invalid input.
    pub fn parse(s: &str) -> crate::Result<Format> {
        Self::parse_text(s).map_err(crate::Error::invalid)
    }

    fn parse_text(s: &str) -> Result<Format, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "jsonl" => Ok(Format::Jsonl),
            "parquet" => Ok(Format::Parquet),
            _ => Err(format!("unknown format {s:?}: use csv, jsonl or parquet")),
        }
    }
}

/// What to export of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// Hourly counts per device class (long format: one row per hour and class).
    Series,
    /// The summary's figures per device class, one row per class.
    Classes,
    /// The bill, one line per item.
    Bill,
    /// The RunSummary's scalar figures as one wide row.
    Summary,
    /// The run's timeline: shared outages, sags, scheduled events, firmware waves, credential
    /// leaks, one row each, in the engine's order.
    Events,
}

impl Table {
    /// `series`, `classes`, `bill` or `summary`; anything else is invalid input.
    pub fn parse(s: &str) -> crate::Result<Table> {
        Self::parse_text(s).map_err(crate::Error::invalid)
    }

    fn parse_text(s: &str) -> Result<Table, String> {
        match s {
            "series" => Ok(Table::Series),
            "classes" => Ok(Table::Classes),
            "bill" => Ok(Table::Bill),
            "summary" => Ok(Table::Summary),
            "events" => Ok(Table::Events),
            _ => Err(format!("unknown table {s:?}: use series, classes, bill, summary or events")),
        }
    }
}

/// What a run export or a study export is of: `12`, `run:12`, `sweep:3` (a sweep or a
/// sensitivity study: both are stored as sweeps) or `sensitivity:3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A run: `12`, `run:12` or `last` (the caller resolves run ids).
    Run,
    /// A sweep or sensitivity study, by its id (`sweep:ID` or `sensitivity:ID`).
    Study(i64),
}

impl Source {
    /// `sweep:ID` or `sensitivity:ID` is a study; anything else is left to the run-id parser.
    pub fn parse(s: &str) -> crate::Result<Source> {
        Self::parse_text(s).map_err(crate::Error::invalid)
    }

    fn parse_text(s: &str) -> Result<Source, String> {
        match s.strip_prefix("sweep:").or_else(|| s.strip_prefix("sensitivity:")) {
            Some(id) => id.parse().map(Source::Study).map_err(|_| format!("{s:?}: use sweep:ID with a whole number")),
            None => Ok(Source::Run),
        }
    }
}

/// A column's type: what Parquet stores and what CSV and JSON write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    /// INT64 (counts: never near 2^63, and signed 64-bit is what every BI tool reads).
    I64,
    /// INT64 with the unsigned INTEGER(64) logical type (seeds, which use all 64 bits).
    U64,
    F64,
    Bool,
    /// BYTE_ARRAY with the STRING logical type.
    Text,
    /// INT64 TIMESTAMP(MILLIS, UTC); RFC 3339 text in CSV and JSON.
    TimestampMs,
}

#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Null,
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Text(String),
    TimestampMs(i64),
}

#[derive(Clone, Debug, PartialEq)]
struct Column {
    name: &'static str,
    ty: Ty,
    nullable: bool,
}

/// A table to write: columns and rows of cells in column order.
struct Rows {
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

/// One row being built column by column; the `opt_` methods make nullable columns.
#[derive(Default)]
struct Row {
    columns: Vec<Column>,
    cells: Vec<Cell>,
}

impl Row {
    fn push(&mut self, name: &'static str, ty: Ty, nullable: bool, cell: Cell) {
        self.columns.push(Column { name, ty, nullable });
        self.cells.push(cell);
    }
    fn i64(&mut self, name: &'static str, v: i64) {
        self.push(name, Ty::I64, false, Cell::I64(v));
    }
    /// A count: u64 in the summary, INT64 in the file (counts stay far below 2^63).
    fn count(&mut self, name: &'static str, v: u64) {
        self.push(name, Ty::I64, false, Cell::I64(i64::try_from(v).unwrap_or(i64::MAX)));
    }
    fn opt_count(&mut self, name: &'static str, v: Option<u64>) {
        self.push(name, Ty::I64, true, v.map_or(Cell::Null, |v| Cell::I64(i64::try_from(v).unwrap_or(i64::MAX))));
    }
    fn u64(&mut self, name: &'static str, v: u64) {
        self.push(name, Ty::U64, false, Cell::U64(v));
    }
    fn f64(&mut self, name: &'static str, v: f64) {
        self.push(name, Ty::F64, false, Cell::F64(v));
    }
    fn opt_f64(&mut self, name: &'static str, v: Option<f64>) {
        self.push(name, Ty::F64, true, v.map_or(Cell::Null, Cell::F64));
    }
    fn opt_bool(&mut self, name: &'static str, v: Option<bool>) {
        self.push(name, Ty::Bool, true, v.map_or(Cell::Null, Cell::Bool));
    }
    fn text(&mut self, name: &'static str, v: &str) {
        self.push(name, Ty::Text, false, Cell::Text(v.to_string()));
    }
    fn opt_text(&mut self, name: &'static str, v: Option<&str>) {
        self.push(name, Ty::Text, true, v.map_or(Cell::Null, |v| Cell::Text(v.to_string())));
    }
    fn time(&mut self, name: &'static str, ms: i64) {
        self.push(name, Ty::TimestampMs, false, Cell::TimestampMs(ms));
    }
    fn opt_time(&mut self, name: &'static str, ms: Option<i64>) {
        self.push(name, Ty::TimestampMs, true, ms.map_or(Cell::Null, Cell::TimestampMs));
    }
}

impl Rows {
    /// Rows built one by one by the same code: the first fixes the columns, and every other
    /// must have the same ones (a broken invariant otherwise).
    fn from_rows(empty: Row, rows: Vec<Row>) -> Rows {
        let columns = rows.first().map_or(empty.columns, |r| r.columns.clone());
        let rows = rows
            .into_iter()
            .map(|r| {
                assert_eq!(r.columns, columns, "every exported row has the same columns");
                r.cells
            })
            .collect();
        Rows { columns, rows }
    }
}

/// The calendar time of hour 0 of a stored run (`scenario.start`, or its default).
pub(crate) fn start_ms(rec: &store::RunRecord) -> Result<i64> {
    let overrides: Vec<String> = serde_json::from_str(&rec.overrides_json).unwrap_or_default();
    sim_core::scenario::read::start_ms_at(rec.scenario_text.as_bytes(), &overrides)
        .map_err(|e| anyhow::anyhow!("run {}: reading scenario.start: {e}", rec.row.id))
}

fn summary_of(rec: &store::RunRecord) -> Result<RunSummary> {
    let j = rec.row.summary_json.as_deref().with_context(|| format!("run {} did not finish", rec.row.id))?;
    serde_json::from_str(j).with_context(|| format!("reading the summary of run {}", rec.row.id))
}

const MS_PER_HOUR: i64 = 3_600_000;

fn series_row(run: i64, start_ms: i64, r: &store::SeriesRow) -> Row {
    let mut o = Row::default();
    o.i64("run", run);
    o.text("class", &r.class);
    o.i64("hour", i64::from(r.hour));
    o.time("hour_start", start_ms + i64::from(r.hour) * MS_PER_HOUR);
    o.count("generated", r.generated);
    o.count("delivered", r.delivered);
    o.count("lost_network", r.lost_network);
    o.count("lost_collision", r.lost_collision);
    o.count("dropped_overflow", r.dropped_overflow);
    o.count("dropped_reboot", r.dropped_reboot);
    o.count("stranded_dead", r.stranded_dead);
    o.count("online", r.online);
    o.count("buffered", r.buffered);
    o.opt_f64("battery_mean_mah", r.battery_mean_mah);
    o
}

/// One event of a run's timeline; `seq` is its place in the engine's order.
fn event_row(run: i64, start_ms: i64, seq: usize, e: &store::EventRow) -> Row {
    let at = |us: u64| start_ms.saturating_add(i64::try_from(us / 1_000).unwrap_or(i64::MAX));
    let mut o = Row::default();
    o.i64("run", run);
    o.i64("seq", seq as i64);
    o.text("kind", &e.kind);
    o.count("start_us", e.start_us);
    o.opt_count("end_us", e.end_us);
    o.time("start_time", at(e.start_us));
    o.opt_time("end_time", e.end_us.map(at));
    o.opt_text("site", e.site.as_deref());
    o.opt_count("gateway", e.gateway.map(u64::from));
    o.opt_text("profile", e.profile.as_deref());
    o.opt_count("event", e.event.map(u64::from));
    o.opt_count("wave", e.wave.map(u64::from));
    o.opt_text("caption", e.caption.as_deref());
    o.count("devices", e.devices);
    o
}

fn class_row(run: i64, c: &sim_core::summary::ClassSummary) -> Row {
    let mut o = Row::default();
    o.i64("run", run);
    o.text("class", &c.name);
    o.count("devices", c.devices);
    messages(&mut o, &c.messages, &c.loss_causes);
    o.f64("delivery_ratio", c.delivery_ratio);
    latency(&mut o, &c.latency_s);
    o.count("reboots", c.reboots);
    o.count("deaths", c.deaths);
    o.count("hardware_failures", c.hardware_failures);
    o.count("truck_rolls", c.truck_rolls);
    o.count("online_end", c.online_end);
    o.f64("buffer_covers_s", c.buffer_covers_s);
    o.count("shared_outages_longer_than_buffer", c.shared_outages_longer_than_buffer);
    let b = c.battery.as_ref();
    o.opt_f64("battery_mean_remaining_pct", b.map(|b| b.mean_remaining_pct));
    o.opt_f64("battery_projected_life_days", b.map(|b| b.projected_life_days));
    o.opt_f64("battery_energy_used_mah", b.map(|b| b.energy_used_mah));
    o.count("payload_bytes", u64::from(c.payload_bytes));
    o.f64("period_s", c.period_s);
    o.count("attempts", c.attempts);
    o.f64("connected_device_s", c.connected_device_s);
    o.count("peak_day_delivered", c.peak_day_delivered);
    o.count("ota_bytes", c.ota_bytes);
    o.count("handshake_bytes", c.handshake_bytes);
    o
}

fn messages(o: &mut Row, m: &sim_core::summary::Messages, l: &sim_core::summary::LossCauses) {
    o.count("messages_generated", m.generated);
    o.count("messages_delivered", m.delivered);
    o.count("messages_lost_network", m.lost_network);
    o.count("messages_dropped_overflow", m.dropped_overflow);
    o.count("messages_dropped_reboot", m.dropped_reboot);
    o.count("messages_stranded_dead", m.stranded_dead);
    o.count("messages_buffered_end", m.buffered_end);
    o.count("loss_causes_channel", l.channel);
    o.count("loss_causes_outage", l.outage);
    o.count("loss_causes_collision", l.collision);
    o.count("loss_causes_duty_cycle", l.duty_cycle);
}

fn latency(o: &mut Row, l: &sim_core::summary::LatencySummary) {
    o.f64("latency_s_mean", l.mean);
    o.f64("latency_s_p50", l.p50);
    o.f64("latency_s_p95", l.p95);
    o.f64("latency_s_p99", l.p99);
    o.f64("latency_s_max", l.max);
}

/// The summary's scalar figures as one wide row (`run` first). Sections a run does not have
/// (provisioning, ota, security, cost, verdict) are null; lists (per class, bill lines,
/// alternatives, campaigns, findings) are counted here and exported as their own tables.
fn summary_row(run: i64, start_ms: i64, s: &RunSummary) -> Row {
    let mut o = Row::default();
    o.i64("run", run);
    o.text("scenario", &s.scenario);
    o.u64("seed", s.seed);
    o.time("start_time", start_ms);
    o.time("end_time", start_ms + (s.simulated_s * 1_000.0).round() as i64);
    o.f64("simulated_s", s.simulated_s);
    o.f64("wall_s", s.wall_s);
    o.text("engine_version", &s.engine_version);
    o.count("summary_schema_version", u64::from(s.schema_version));
    o.count("devices", s.devices);
    o.count("gateways", s.gateways);
    o.count("classes", s.per_class.len() as u64);
    messages(&mut o, &s.messages, &s.loss_causes);
    o.f64("delivery_ratio", s.delivery_ratio);
    latency(&mut o, &s.latency_s);
    o.count("reboots", s.reboots);
    o.count("outages", s.outages);
    o.count("power_outages", s.power_outages);
    o.count("deaths", s.deaths);
    o.count("hardware_failures", s.hardware_failures);
    o.count("truck_rolls", s.truck_rolls);
    o.count("battery_replacements", s.battery_replacements);
    o.opt_f64(
        "battery_projected_life_days_min",
        s.per_class.iter().filter_map(|c| c.battery.as_ref().map(|b| b.projected_life_days)).reduce(f64::min),
    );
    let r = &s.radio;
    o.count("radio_device_steps", r.device_steps);
    o.count("radio_attempts", r.attempts);
    o.count("radio_lost_attempts", r.lost_attempts);
    o.count("radio_throttled_ticks", r.throttled_ticks);
    o.count("radio_outage_ticks", r.outage_ticks);
    o.count("radio_powered_off_ticks", r.powered_off_ticks);

    let p = s.provisioning.as_ref();
    o.opt_text("provisioning_onboarding", p.map(|p| p.onboarding.as_str()));
    o.opt_f64("provisioning_installs_per_week", p.map(|p| p.installs_per_week));
    o.opt_count("provisioning_devices", p.map(|p| p.devices));
    o.opt_count("provisioning_online_by_end", p.map(|p| p.online_by_end));
    o.opt_f64("provisioning_fleet_online_days", p.map(|p| p.fleet_online_days));
    o.opt_bool("provisioning_rollout_in_run", p.map(|p| p.rollout_in_run));
    o.opt_f64("provisioning_installed_share", p.map(|p| p.installed_share));
    o.opt_f64("provisioning_technician_hours", p.map(|p| p.technician_hours));
    o.opt_count("provisioning_revisits", p.map(|p| p.revisits));
    o.opt_count("provisioning_enrolment_attempts", p.map(|p| p.enrolment_attempts));

    let u = s.ota.as_ref();
    o.opt_text("ota_update", u.map(|u| u.update.as_str()));
    o.opt_bool("ota_resume", u.map(|u| u.resume));
    o.opt_count("ota_campaigns", u.map(|u| u.campaigns.len() as u64));
    o.opt_count("ota_bricked", u.map(|u| u.bricked));
    o.opt_count("ota_rolled_back", u.map(|u| u.rolled_back));
    o.opt_count("ota_bytes_sent", u.map(|u| u.bytes_sent));
    o.opt_count("ota_missed_out_of_service", u.map(|u| u.missed_out_of_service));
    o.opt_f64("ota_campaigns_per_year", u.map(|u| u.campaigns_per_year));

    let x = s.security.as_ref();
    o.opt_text("security_credentials", x.map(|x| x.credentials.as_str()));
    o.opt_f64("security_certificate_lifetime_days", x.and_then(|x| x.certificate_lifetime_days));
    o.opt_bool("security_rotation", x.map(|x| x.rotation));
    o.opt_count("security_certificates_issued", x.map(|x| x.certificates_issued));
    o.opt_count("security_certificate_expiries", x.map(|x| x.certificate_expiries));
    o.opt_f64("security_first_expiry_days", x.and_then(|x| x.first_expiry_days));
    o.opt_f64("security_expired_device_days", x.map(|x| x.expired_device_days));
    o.opt_count("security_compromises", x.map(|x| x.compromises.len() as u64));
    o.opt_text("security_sessions", x.map(|x| x.sessions.as_str()));
    o.opt_count("security_handshakes", x.map(|x| x.handshakes));
    o.opt_count("security_handshake_bytes", x.map(|x| x.handshake_bytes));
    o.opt_f64("security_handshake_energy_mah", x.map(|x| x.handshake_energy_mah));

    let c = s.cost.as_ref();
    let money = |f: fn(&sim_core::cost::CostSummary) -> sim_core::cost::Money| c.map(|c| f(c).units_f64());
    o.opt_text("cost_currency", c.map(|c| c.currency.as_str()));
    o.opt_text("cost_price_book", c.map(|c| c.price_book.as_str()));
    o.opt_text("cost_price_book_date", c.map(|c| c.price_book_date.as_str()));
    o.opt_text("cost_platform", c.map(|c| c.platform.as_str()));
    o.opt_text("cost_connectivity", c.map(|c| c.connectivity.as_str()));
    o.opt_text("cost_storage", c.and_then(|c| c.storage.as_deref()));
    o.opt_f64("cost_horizon_years", c.map(|c| c.horizon_years));
    o.opt_f64("cost_discount_rate_pct", c.map(|c| c.discount_rate_pct));
    o.opt_f64("cost_capex", money(|c| c.capex));
    o.opt_f64("cost_opex_per_month", money(|c| c.opex_per_month));
    o.opt_f64("cost_tco", money(|c| c.tco));
    o.opt_f64("cost_tco_per_device_year", money(|c| c.tco_per_device_year));
    o.opt_f64("cost_breakdown_hardware", money(|c| c.breakdown.hardware));
    o.opt_f64("cost_breakdown_installation", money(|c| c.breakdown.installation));
    o.opt_f64("cost_breakdown_provisioning", money(|c| c.breakdown.provisioning));
    o.opt_f64("cost_breakdown_connectivity", money(|c| c.breakdown.connectivity));
    o.opt_f64("cost_breakdown_cloud", money(|c| c.breakdown.cloud));
    o.opt_f64("cost_breakdown_storage", money(|c| c.breakdown.storage));
    o.opt_f64("cost_breakdown_maintenance", money(|c| c.breakdown.maintenance));
    o.opt_text("cost_platform_sizing", c.map(|c| c.platform_sizing.as_str()));
    o.opt_text("cost_quota_exceeded", c.and_then(|c| c.quota_exceeded.as_deref()));

    let v = s.verdict.as_ref();
    let count =
        |sev: sim_core::verdict::Severity| v.map(|v| v.findings.iter().filter(|f| f.severity == sev).count() as u64);
    o.opt_bool("verdict_ready", v.map(|v| v.ready));
    o.opt_count("verdict_failed", count(sim_core::verdict::Severity::Fail));
    o.opt_count("verdict_warnings", count(sim_core::verdict::Severity::Warn));
    o.opt_count("verdict_passed", count(sim_core::verdict::Severity::Pass));
    o
}

fn run_rows(store: &Store, run: i64, table: Table) -> Result<Rows> {
    let Some(rec) = store.get_run(run)? else { bail!("no run {run}") };
    Ok(match table {
        Table::Series => {
            let start = start_ms(&rec)?;
            let rows = store.series(run)?.iter().map(|r| series_row(run, start, r)).collect();
            let empty = store::SeriesRow {
                class: String::new(),
                hour: 0,
                generated: 0,
                delivered: 0,
                lost_network: 0,
                lost_collision: 0,
                dropped_overflow: 0,
                dropped_reboot: 0,
                stranded_dead: 0,
                online: 0,
                buffered: 0,
                battery_mean_mah: None,
            };
            Rows::from_rows(series_row(run, start, &empty), rows)
        }
        Table::Events => {
            let start = start_ms(&rec)?;
            let rows = store.events(run)?.iter().enumerate().map(|(i, e)| event_row(run, start, i, e)).collect();
            let empty = store::EventRow {
                kind: String::new(),
                start_us: 0,
                end_us: None,
                site: None,
                gateway: None,
                profile: None,
                event: None,
                wave: None,
                caption: None,
                devices: 0,
            };
            Rows::from_rows(event_row(run, start, 0, &empty), rows)
        }
        Table::Classes => {
            let s = summary_of(&rec)?;
            let rows = s.per_class.iter().map(|c| class_row(run, c)).collect();
            Rows::from_rows(class_row(run, &empty_class()), rows)
        }
        Table::Summary => {
            let s = summary_of(&rec)?;
            let row = summary_row(run, start_ms(&rec)?, &s);
            Rows { columns: row.columns, rows: vec![row.cells] }
        }
        Table::Bill => {
            let s = summary_of(&rec)?;
            let c = s.cost.with_context(|| format!("run {run} has no bill: its scenario names no price book"))?;
            let line = |l: &sim_core::cost::bill::BillLine| {
                let mut o = Row::default();
                o.i64("run", run);
                o.text("currency", &c.currency);
                o.text("price_book", &c.price_book);
                o.text("price_book_date", &c.price_book_date);
                o.text("category", l.category.label());
                o.text("item", &l.item);
                o.text("basis", &l.basis);
                o.f64("capex", l.capex.units_f64());
                o.f64("first_month", l.first_month.units_f64());
                o.f64("tco", l.tco.units_f64());
                o
            };
            let empty = sim_core::cost::bill::BillLine {
                category: sim_core::cost::bill::Category::Hardware,
                item: String::new(),
                basis: String::new(),
                capex: sim_core::cost::Money::ZERO,
                first_month: sim_core::cost::Money::ZERO,
                tco: sim_core::cost::Money::ZERO,
            };
            Rows::from_rows(line(&empty), c.lines.iter().map(line).collect())
        }
    })
}

fn empty_class() -> sim_core::summary::ClassSummary {
    sim_core::summary::ClassSummary {
        name: String::new(),
        devices: 0,
        messages: Default::default(),
        loss_causes: Default::default(),
        delivery_ratio: 0.0,
        latency_s: Default::default(),
        reboots: 0,
        deaths: 0,
        hardware_failures: 0,
        truck_rolls: 0,
        online_end: 0,
        buffer_covers_s: 0.0,
        shared_outages_longer_than_buffer: 0,
        battery: None,
        payload_bytes: 0,
        period_s: 0.0,
        attempts: 0,
        connected_device_s: 0.0,
        peak_day_delivered: 0,
        ota_bytes: 0,
        handshake_bytes: 0,
    }
}

/// One row per point of a sweep or sensitivity study (per replication when the study ran
/// replications): what was set, then the point's summary columns. A price variation of a
/// sensitivity study re-prices the base case's stored run with the stored price book, as the
/// study did (`repriced` is true and `run` is the base case's).
fn study_rows(store: &Store, id: i64) -> Result<Rows> {
    let Some(rec) = store.get_sweep(id)? else { bail!("no sweep or sensitivity study {id}") };
    let spec: Value = serde_json::from_str(&rec.spec_json).unwrap_or(Value::Null);
    let kpi = (rec.kind == "sensitivity").then(|| spec["kpi"].as_str().unwrap_or_default().to_string());
    let mut rows = Vec::new();
    for p in &rec.points {
        let Some(run) = store.get_run(p.run)? else { bail!("sweep {id}: point {} has no run {}", p.idx, p.run) };
        let (parameter, value) = match p.label.split_once('=') {
            Some((path, _)) => (Some(path.to_string()), Some(p.value.clone())),
            None => (None, None),
        };
        let repriced = kpi.is_some() && parameter.as_deref().is_some_and(|x| x.starts_with("price."));
        let mut summaries = store
            .replication_summaries(p.run)?
            .iter()
            .map(|j| serde_json::from_str::<RunSummary>(j))
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("reading the summaries of run {}", p.run))?;
        if repriced {
            let price = format!("{}={}", &parameter.as_deref().unwrap_or_default()["price.".len()..], p.value);
            reprice(&run, &price, &mut summaries)?;
        }
        let start = start_ms(&run)?;
        for (i, s) in summaries.iter().enumerate() {
            let mut o = Row::default();
            o.i64("sweep", id);
            o.text("kind", &rec.kind);
            o.i64("point", i64::from(p.idx));
            o.text("label", &p.label);
            o.opt_text("parameter", parameter.as_deref());
            o.opt_text("value", value.as_deref());
            o.opt_f64("value_num", value.as_deref().and_then(|v| v.trim().parse::<f64>().ok()));
            o.i64("replication", i as i64);
            o.opt_bool("repriced", kpi.as_ref().map(|_| repriced));
            o.opt_text("kpi", kpi.as_deref());
            o.opt_f64("kpi_value", kpi.as_deref().and_then(|k| crate::sensitivity::kpi(s, k)));
            let sr = summary_row(s.run_id, start, s);
            o.columns.extend(sr.columns);
            o.cells.extend(sr.cells);
            rows.push(o);
        }
    }
    let Some(first) = rows.first() else { bail!("sweep {id} has no finished points") };
    Ok(Rows::from_rows(Row { columns: first.columns.clone(), cells: Vec::new() }, rows))
}

/// Re-prices `summaries` (replications of a stored run) with its stored price book and one
/// price moved (`PATH=VALUE`), as a sensitivity study's price variation does.
fn reprice(run: &store::RunRecord, price: &str, summaries: &mut [RunSummary]) -> Result<()> {
    use sim_core::scenario::{ScenarioSource, parse_scenario};
    let overrides: Vec<String> = serde_json::from_str(&run.overrides_json).unwrap_or_default();
    let scenario = parse_scenario(&ScenarioSource {
        file: &run.row.scenario_file,
        bytes: run.scenario_text.as_bytes(),
        overrides: &overrides,
    })
    .map_err(|d| anyhow::anyhow!("run {}: the stored scenario no longer reads: {d}", run.row.id))?;
    let plan = scenario.cost.as_ref().with_context(|| format!("run {} has no [cost] to re-price", run.row.id))?;
    let text =
        run.price_book_text.as_deref().with_context(|| format!("run {} has no stored price book", run.row.id))?;
    let mut prices = plan.prices.clone();
    prices.push(price.to_string());
    let book = crate::pricebook::parse_book_bytes("stored price book", text.as_bytes(), &prices, "sensitivity")
        .map_err(|d| anyhow::anyhow!("run {}: re-pricing with {price}: {d}", run.row.id))?;
    for s in summaries {
        sim_core::assess(&scenario, Some(&book.book), s).fill(s);
    }
    Ok(())
}

/// Writes run `run`'s `table` in `format` to `out`; returns the number of rows.
pub fn export(db: &Path, run: i64, table: Table, format: Format, out: &mut dyn Write) -> crate::Result<usize> {
    let store = crate::open_for_reading(db)?;
    Ok(write(&run_rows(&store, run, table)?, format, out)?)
}

/// Writes the points of sweep or sensitivity study `id` in `format` to `out`; returns the
/// number of rows.
pub fn export_study(db: &Path, id: i64, format: Format, out: &mut dyn Write) -> crate::Result<usize> {
    let store = crate::open_for_reading(db)?;
    Ok(write(&study_rows(&store, id)?, format, out)?)
}

fn write(r: &Rows, format: Format, out: &mut dyn Write) -> Result<usize> {
    match format {
        Format::Csv => write_csv(r, out)?,
        Format::Jsonl => {
            for row in &r.rows {
                let obj: serde_json::Map<String, Value> =
                    r.columns.iter().zip(row).map(|(c, v)| (c.name.to_string(), json_value(v))).collect();
                writeln!(out, "{}", Value::Object(obj))?;
            }
        }
        Format::Parquet => write_parquet(r, out)?,
    }
    Ok(r.rows.len())
}

/// RFC 3339 in UTC, to the millisecond when there is a fraction (`2026-01-01T01:00:00Z`).
fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn json_value(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::I64(v) => Value::from(*v),
        Cell::U64(v) => Value::from(*v),
        Cell::F64(v) => Value::from(*v),
        Cell::Bool(v) => Value::from(*v),
        Cell::Text(s) => Value::from(s.as_str()),
        Cell::TimestampMs(ms) => Value::from(rfc3339(*ms)),
    }
}

/// One CSV cell before quoting. A text cell that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, tab or carriage return: scenario and class names come from
/// user files) is neutralised with a leading `'` (OWASP's advice against CSV injection);
/// numbers and times are written as they are. Null is an empty cell.
fn csv_field(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::I64(v) => v.to_string(),
        Cell::U64(v) => v.to_string(),
        Cell::F64(v) => v.to_string(),
        Cell::Bool(v) => v.to_string(),
        Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        Cell::Text(s) => s.clone(),
        Cell::TimestampMs(ms) => rfc3339(*ms),
    }
}

/// CSV with a header row (RFC 4180 quoting by the `csv` crate).
fn write_csv(r: &Rows, out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(r.columns.iter().map(|c| c.name))?;
    for row in &r.rows {
        w.write_record(row.iter().map(csv_field))?;
    }
    w.flush()?;
    Ok(())
}

fn write_parquet(r: &Rows, out: &mut dyn Write) -> Result<()> {
    use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical, ZstdLevel};
    use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;

    let fields = r
        .columns
        .iter()
        .map(|c| {
            let (physical, logical) = match c.ty {
                Ty::I64 => (Physical::INT64, None),
                Ty::U64 => (Physical::INT64, Some(LogicalType::integer(64, false))),
                Ty::F64 => (Physical::DOUBLE, None),
                Ty::Bool => (Physical::BOOLEAN, None),
                Ty::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
                Ty::TimestampMs => (Physical::INT64, Some(LogicalType::timestamp(true, TimeUnit::MILLIS))),
            };
            let repetition = if c.nullable { Repetition::OPTIONAL } else { Repetition::REQUIRED };
            Ok(Arc::new(
                Type::primitive_type_builder(c.name, physical)
                    .with_repetition(repetition)
                    .with_logical_type(logical)
                    .build()?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let schema = Arc::new(Type::group_type_builder("scaleproof").with_fields(fields).build()?);
    let props =
        Arc::new(WriterProperties::builder().set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?)).build());
    let mut buf = Vec::new();
    {
        let mut w = SerializedFileWriter::new(&mut buf, schema, props)?;
        let mut rg = w.next_row_group()?;
        let mut col = 0;
        while let Some(mut cw) = rg.next_column()? {
            let c = &r.columns[col];
            let cells: Vec<&Cell> = r.rows.iter().map(|row| &row[col]).collect();
            let defs: Vec<i16> = cells.iter().map(|x| i16::from(**x != Cell::Null)).collect();
            let defs = c.nullable.then_some(defs.as_slice());
            match c.ty {
                Ty::I64 | Ty::U64 | Ty::TimestampMs => {
                    let vals: Vec<i64> = cells
                        .iter()
                        .filter_map(|x| match x {
                            Cell::I64(v) | Cell::TimestampMs(v) => Some(*v),
                            // UINT64 is stored in INT64's bits.
                            Cell::U64(v) => Some(*v as i64),
                            _ => None,
                        })
                        .collect();
                    cw.typed::<Int64Type>().write_batch(&vals, defs, None)?;
                }
                Ty::F64 => {
                    let vals: Vec<f64> =
                        cells.iter().filter_map(|x| if let Cell::F64(v) = x { Some(*v) } else { None }).collect();
                    cw.typed::<DoubleType>().write_batch(&vals, defs, None)?;
                }
                Ty::Bool => {
                    let vals: Vec<bool> =
                        cells.iter().filter_map(|x| if let Cell::Bool(v) = x { Some(*v) } else { None }).collect();
                    cw.typed::<BoolType>().write_batch(&vals, defs, None)?;
                }
                Ty::Text => {
                    let vals: Vec<ByteArray> = cells
                        .iter()
                        .filter_map(|x| if let Cell::Text(s) = x { Some(ByteArray::from(s.as_str())) } else { None })
                        .collect();
                    cw.typed::<ByteArrayType>().write_batch(&vals, defs, None)?;
                }
            }
            cw.close()?;
            col += 1;
        }
        rg.close()?;
        w.close()?;
    }
    out.write_all(&buf)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_of(cells: Vec<Cell>) -> String {
        let columns = cells.iter().map(|_| Column { name: "c", ty: Ty::Text, nullable: true }).collect();
        let mut out = Vec::new();
        write_csv(&Rows { columns, rows: vec![cells] }, &mut out).unwrap();
        String::from_utf8(out).unwrap().lines().nth(1).unwrap().to_string()
    }

    #[test]
    fn text_cells_that_look_like_formulas_are_neutralised_and_numbers_are_not() {
        let text = |s: &str| Cell::Text(s.to_string());
        assert_eq!(csv_of(vec![text("=HYPERLINK(\"http://x\")")]), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_of(vec![text("+1"), text("-2+3"), text("@SUM(A1)")]), "'+1,'-2+3,'@SUM(A1)");
        assert_eq!(csv_of(vec![text("vibration"), Cell::F64(-1.5), Cell::I64(-3), Cell::Null]), "vibration,-1.5,-3,");
        assert_eq!(csv_of(vec![text("vibration, north"), text("a\"b")]), "\"vibration, north\",\"a\"\"b\"");
        assert_eq!(
            csv_of(vec![Cell::TimestampMs(sim_core::time::DEFAULT_START_MS + 3_600_000)]),
            "2026-01-01T01:00:00Z"
        );
    }

    #[test]
    fn study_and_run_targets_are_told_apart() {
        assert_eq!(Source::parse("sweep:3").ok(), Some(Source::Study(3)));
        assert_eq!(Source::parse("sensitivity:4").ok(), Some(Source::Study(4)));
        assert_eq!(Source::parse("run:12").ok(), Some(Source::Run));
        assert_eq!(Source::parse("last").ok(), Some(Source::Run));
        assert!(Source::parse("sweep:x").is_err());
    }
}
