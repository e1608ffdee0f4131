//! Exports read back by independent readers (the `csv` crate's reader with headers, Parquet's
//! record reader and schema) and checked against the run stored in the database: per-class
//! totals of the series against the summary, typed and nullable Parquet columns, zstd, the
//! calendar timestamps from `scenario.start`, the summary as one wide row, and sweeps and
//! sensitivity studies one row per point. The column lists in `docs/exports.md` are checked
//! against the files' headers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parquet::basic::{Compression, LogicalType, TimeUnit, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use sim_core::summary::RunSummary;
use studio::export::{Format, Table, export, export_study};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A fresh directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("scaleproof-exports-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pricebooks")).unwrap();
        std::fs::copy(root().join("pricebooks/iot-2026-11.toml"), dir.join("pricebooks/iot-2026-11.toml")).unwrap();
        TempDir(dir)
    }
    fn db(&self) -> PathBuf {
        self.0.join("runs.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const BATTERY_CLASS: &str = "vibration, north";
const MAINS_CLASS: &str = "+trackers";
/// 2026-03-29T00:00:00+02:00, the scenario's start, in UTC.
const START_MS: i64 = 1_774_735_200_000;

/// The mine pilot with its class renamed to a name with a comma, a second class on mains power
/// whose name a spreadsheet would take for a formula, and a calendar start with an offset.
fn scenario(dir: &TempDir) -> PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/mine-pilot.toml"))
        .unwrap()
        .replace("[scenario]\n", "[scenario]\nstart = \"2026-03-29T00:00:00+02:00\"\n")
        .replace("[fleet.vibration]", &format!("[fleet.\"{BATTERY_CLASS}\"]"))
        .replace(
            "device_hardware = { vibration = \"lte-m-vibration-sensor\" }",
            &format!("device_hardware = {{ \"{BATTERY_CLASS}\" = \"lte-m-vibration-sensor\", \"{MAINS_CLASS}\" = \"lte-m-tracker\" }}"),
        )
        .replace(
            "[backend]",
            &format!(
                "[power.vehicle-supply]\nkind = \"mains\"\noutages_per_year = 0\nsags_per_year = 730\nreset_probability = 0.02\n\n\
                 [fleet.\"{MAINS_CLASS}\"]\ncount = 10\nsites = [\"north-shaft\"]\nnetwork = \"lte-m-underground\"\n\
                 power = \"vehicle-supply\"\ntelemetry = {{ period = \"5min\", jitter = \"2s\", payload_bytes = 120 }}\n\
                 buffer = {{ capacity = 1000, policy = \"drop-oldest\", storage = \"flash\", flush_per_tick = 20 }}\nreboots_per_day = 0.01\n\n[backend]"
            ),
        );
    let path = dir.0.join("two-classes.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(file: &Path, db: &Path, overrides: &[&str]) -> RunSummary {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded =
        studio::load_scenario(&studio::Config::in_dir("unused"), file, &overrides).unwrap_or_else(|e| panic!("{e}"));
    let out = studio::run_scenario(&studio::RunRequest {
        loaded: &loaded,
        seed: None,
        replications: 1,
        precision: None,
        threads: Some(1),
        db: db.to_path_buf(),
        progress: None,
        cancel: None,
        on_epoch: None,
        playback: false,
        live: None,
    })
    .unwrap();
    out.summaries.into_iter().next().unwrap()
}

/// The summary as the store holds it.
fn stored_summary(db: &Path, run: i64) -> RunSummary {
    let store = store::Store::open_read_only(db).unwrap();
    serde_json::from_str(store.get_run(run).unwrap().unwrap().row.summary_json.as_deref().unwrap()).unwrap()
}

fn bytes(db: &Path, run: i64, table: Table, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    export(db, run, table, format, &mut out).unwrap();
    out
}

/// A CSV file read by the `csv` crate: the header and each row by column name.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "a row with as many cells as the header: {rec:?}");
            header.iter().cloned().zip(rec.iter().map(str::to_string)).collect()
        })
        .collect();
    (header, rows)
}

struct Parquet {
    /// (name, physical type, logical type, optional) per column.
    schema: Vec<(String, Physical, Option<LogicalType>, bool)>,
    compression: Vec<Compression>,
    rows: Vec<BTreeMap<String, Field>>,
}

fn read_parquet(bytes: &[u8], dir: &TempDir) -> Parquet {
    let path = dir.0.join("read.parquet");
    std::fs::write(&path, bytes).unwrap();
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let meta = reader.metadata();
    let schema = meta
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.physical_type(), c.logical_type_ref().cloned(), c.max_def_level() == 1))
        .collect();
    let compression = (0..meta.num_row_groups())
        .flat_map(|g| meta.row_group(g).columns().iter().map(|c| c.compression()).collect::<Vec<_>>())
        .collect();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| r.unwrap().get_column_iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .collect();
    Parquet { schema, compression, rows }
}

fn long(f: &Field) -> i64 {
    match f {
        Field::Long(v) => *v,
        other => panic!("expected an INT64, found {other:?}"),
    }
}

fn num(s: &str) -> u64 {
    s.parse().unwrap_or_else(|_| panic!("{s:?} is not a count"))
}

/// The backticked column names `docs/exports.md` lists under `## \`NAME\``.
fn documented(name: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/exports.md")).unwrap();
    let heading = format!("## `{name}`");
    let start = doc.find(&heading).unwrap_or_else(|| panic!("docs/exports.md has no {heading}"));
    doc[start + heading.len()..]
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(n, _)| n.to_string()))
        .collect()
}

#[test]
fn a_run_exports_typed_columns_that_read_back_with_the_stored_totals() {
    let dir = TempDir::new("run");
    let db = dir.db();
    run(&scenario(&dir), &db, &["scenario.duration=2d"]);
    let stored = stored_summary(&db, 1);
    let class = |name: &str| stored.per_class.iter().find(|c| c.name == name).unwrap().clone();
    let (battery, mains) = (class(BATTERY_CLASS), class(MAINS_CLASS));
    assert!(battery.battery.is_some() && mains.battery.is_none());

    // Series, CSV: the class with a comma keeps its row intact, the formula-like name is
    // neutralised, every hour has its UTC time, and delivered adds up to the summary per class.
    let (header, rows) = read_csv(&bytes(&db, 1, Table::Series, Format::Csv));
    assert_eq!(header, documented("series"));
    assert_eq!(rows.len(), 2 * 48);
    for (name, csv_name, c) in [(BATTERY_CLASS, BATTERY_CLASS, &battery), (MAINS_CLASS, "'+trackers", &mains)] {
        let mine: Vec<_> = rows.iter().filter(|r| r["class"] == csv_name).collect();
        assert_eq!(mine.len(), 48, "{name}");
        for key in ["generated", "delivered", "dropped_overflow", "dropped_reboot", "stranded_dead"] {
            let total: u64 = mine.iter().map(|r| num(&r[key])).sum();
            let want = match key {
                "generated" => c.messages.generated,
                "delivered" => c.messages.delivered,
                "dropped_overflow" => c.messages.dropped_overflow,
                "dropped_reboot" => c.messages.dropped_reboot,
                _ => c.messages.stranded_dead,
            };
            assert_eq!(total, want, "{name}: {key} over the series");
        }
        assert_eq!(mine[0]["hour_start"], "2026-03-28T22:00:00Z");
        assert_eq!(mine[47]["hour_start"], "2026-03-30T21:00:00Z");
        assert_eq!(mine[47]["buffered"], c.messages.buffered_end.to_string());
    }
    assert!(rows.iter().filter(|r| r["class"] == "'+trackers").all(|r| r["battery_mean_mah"].is_empty()));
    assert!(rows.iter().filter(|r| r["class"] == BATTERY_CLASS).all(|r| r["battery_mean_mah"].parse::<f64>().is_ok()));
    let delivered: u64 = rows.iter().map(|r| num(&r["delivered"])).sum();
    assert_eq!(delivered, stored.messages.delivered);

    // Series, Parquet: zstd, typed columns, the class name as it is, battery null for mains.
    let pq = read_parquet(&bytes(&db, 1, Table::Series, Format::Parquet), &dir);
    assert!(pq.compression.iter().all(|c| matches!(c, Compression::ZSTD(_))), "{:?}", pq.compression);
    assert_eq!(pq.schema.iter().map(|c| c.0.clone()).collect::<Vec<_>>(), header);
    let col = |name: &str| pq.schema.iter().find(|c| c.0 == name).unwrap().clone();
    assert_eq!(col("hour_start").1, Physical::INT64);
    assert_eq!(col("hour_start").2, Some(LogicalType::timestamp(true, TimeUnit::MILLIS)));
    assert_eq!(col("class").2, Some(LogicalType::String));
    assert_eq!((col("delivered").1, col("delivered").3), (Physical::INT64, false));
    assert_eq!((col("battery_mean_mah").1, col("battery_mean_mah").3), (Physical::DOUBLE, true));
    assert_eq!(pq.rows.len(), 96);
    for (name, c) in [(BATTERY_CLASS, &battery), (MAINS_CLASS, &mains)] {
        let mine: Vec<_> = pq.rows.iter().filter(|r| r["class"] == Field::Str(name.into())).collect();
        assert_eq!(mine.iter().map(|r| long(&r["delivered"])).sum::<i64>() as u64, c.messages.delivered, "{name}");
        assert_eq!(mine[0]["hour_start"], Field::TimestampMillis(START_MS));
        assert_eq!(mine[1]["hour_start"], Field::TimestampMillis(START_MS + 3_600_000));
        let nulls = mine.iter().filter(|r| r["battery_mean_mah"] == Field::Null).count();
        assert_eq!(nulls, if c.battery.is_some() { 0 } else { 48 }, "{name}");
    }

    // The summary, one wide row in CSV and Parquet alike.
    let (header, rows) = read_csv(&bytes(&db, 1, Table::Summary, Format::Csv));
    assert_eq!(header, documented("summary"));
    assert_eq!(rows.len(), 1);
    let s = &rows[0];
    assert_eq!(num(&s["messages_delivered"]), stored.messages.delivered);
    assert_eq!(s["latency_s_p99"].parse::<f64>().unwrap(), stored.latency_s.p99);
    let cost = stored.cost.as_ref().unwrap();
    assert_eq!(s["cost_tco"].parse::<f64>().unwrap(), cost.tco.units_f64());
    assert_eq!(s["cost_currency"], "USD");
    assert_eq!((s["start_time"].as_str(), s["end_time"].as_str()), ("2026-03-28T22:00:00Z", "2026-03-30T22:00:00Z"));
    assert_eq!(s["verdict_ready"], stored.verdict.as_ref().unwrap().ready.to_string());
    let pq = read_parquet(&bytes(&db, 1, Table::Summary, Format::Parquet), &dir);
    assert_eq!(pq.schema.iter().map(|c| c.0.clone()).collect::<Vec<_>>(), header);
    let col = |name: &str| pq.schema.iter().find(|c| c.0 == name).unwrap().clone();
    assert_eq!(col("seed").2, Some(LogicalType::integer(64, false)));
    assert_eq!((col("cost_tco").1, col("cost_tco").3), (Physical::DOUBLE, true));
    assert_eq!((col("verdict_ready").1, col("verdict_ready").3), (Physical::BOOLEAN, true));
    let r = &pq.rows[0];
    assert_eq!(r["seed"], Field::ULong(stored.seed));
    assert_eq!(long(&r["messages_delivered"]) as u64, stored.messages.delivered);
    assert_eq!(r["latency_s_p99"], Field::Double(stored.latency_s.p99));
    assert_eq!(r["cost_tco_per_device_year"], Field::Double(cost.tco_per_device_year.units_f64()));
    assert_eq!(r["start_time"], Field::TimestampMillis(START_MS));
    assert_eq!(r["scenario"], Field::Str(stored.scenario.clone()));

    // Per class: battery figures null for the mains class.
    let (header, rows) = read_csv(&bytes(&db, 1, Table::Classes, Format::Csv));
    assert_eq!(header, documented("classes"));
    assert_eq!(rows.len(), 2);
    let pq = read_parquet(&bytes(&db, 1, Table::Classes, Format::Parquet), &dir);
    for r in &pq.rows {
        let c = class(match &r["class"] {
            Field::Str(s) => s,
            other => panic!("{other:?}"),
        });
        assert_eq!(long(&r["messages_delivered"]) as u64, c.messages.delivered);
        assert_eq!(r["battery_projected_life_days"] == Field::Null, c.battery.is_none());
    }

    // The bill and JSON Lines.
    let (header, rows) = read_csv(&bytes(&db, 1, Table::Bill, Format::Csv));
    assert_eq!(header, documented("bill"));
    let tco: f64 = rows.iter().map(|r| r["tco"].parse::<f64>().unwrap()).sum();
    assert!((tco - cost.tco.units_f64()).abs() < 0.01, "{tco} {}", cost.tco.units_f64());
    let jsonl = String::from_utf8(bytes(&db, 1, Table::Series, Format::Jsonl)).unwrap();
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["hour_start"], "2026-03-28T22:00:00Z");
    assert_eq!(first["class"], MAINS_CLASS, "JSON is typed: nothing to neutralise");
}

#[test]
fn hours_are_stamped_from_scenario_start_or_its_documented_default() {
    let dir = TempDir::new("default-start");
    let db = dir.db();
    let file = root().join("scenarios/mine-pilot.toml");
    run(&file, &db, &["scenario.duration=3h"]);
    // `--set` takes an unquoted date-time as a TOML date-time; the reader takes both forms.
    run(&file, &db, &["scenario.duration=2h", "scenario.start=2026-06-01T12:30:00.5Z"]);
    let times = |run: i64| -> Vec<String> {
        read_csv(&bytes(&db, run, Table::Series, Format::Csv)).1.iter().map(|r| r["hour_start"].clone()).collect()
    };
    assert_eq!(times(1), ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]);
    assert_eq!(times(2), ["2026-06-01T12:30:00.5Z", "2026-06-01T13:30:00.5Z"]);
}

#[test]
fn sweeps_and_sensitivity_studies_export_one_row_per_point() {
    let dir = TempDir::new("studies");
    let db = dir.db();
    let file = scenario(&dir);
    let base = ["scenario.duration=1d".to_string()];
    let sweep = studio::sweep::run_sweep(&studio::sweep::SweepRequest {
        file: &file,
        text: None,
        overrides: &base,
        spec: &studio::sweep::SweepSpec::parse("devices=15,30").unwrap(),
        replications: 1,
        precision: None,
        threads: Some(1),
        config: &studio::Config::in_dir("unused").with_db(Some(db.clone())),
        progress: None,
        cancel: None,
    })
    .unwrap();
    let mut out = Vec::new();
    assert_eq!(export_study(&db, sweep.sweep_id, Format::Csv, &mut out).unwrap(), 2);
    let (header, rows) = read_csv(&out);
    let mut want = documented("points");
    want.extend(documented("summary"));
    assert_eq!(header, want);
    for (r, p) in rows.iter().zip(&sweep.points) {
        assert_eq!((r["kind"].as_str(), r["parameter"].as_str()), ("sweep", "devices"));
        assert_eq!(r["value_num"].parse::<f64>().unwrap(), p.value.parse::<f64>().unwrap());
        assert_eq!(r["devices"], p.value, "the fleet is scaled to the swept size");
        assert_eq!(num(&r["run"]), p.run_id as u64);
        let s = stored_summary(&db, p.run_id);
        assert_eq!(num(&r["messages_delivered"]), s.messages.delivered);
        assert_eq!(
            r["cost_tco_per_device_year"].parse::<f64>().unwrap(),
            s.cost.unwrap().tco_per_device_year.units_f64()
        );
        assert!(r["kpi"].is_empty() && r["repriced"].is_empty());
    }
    let mut pq = Vec::new();
    export_study(&db, sweep.sweep_id, Format::Parquet, &mut pq).unwrap();
    let pq = read_parquet(&pq, &dir);
    assert_eq!(pq.rows.len(), 2);
    assert_eq!(pq.rows[1]["value_num"], Field::Double(30.0));

    // A study: the base case, a scenario field re-simulated, a price re-priced from the stored
    // run and price book; each point's KPI is the one the study recorded.
    let variations = [
        studio::sensitivity::Variation::parse(&format!("fleet.{MAINS_CLASS}.reboots_per_day=x0.5,x2")).unwrap(),
        studio::sensitivity::Variation::parse("price.connectivity.telnyx-per-sim.monthly_fee=-20%,+20%").unwrap(),
    ];
    let study = studio::sensitivity::run_sensitivity(&studio::sensitivity::SensitivityRequest {
        file: &file,
        text: None,
        overrides: &base,
        variations: &variations,
        kpi: "tco_per_device_year",
        replications: 1,
        threads: Some(1),
        config: &studio::Config::in_dir("unused").with_db(Some(db.clone())),
        progress: None,
        cancel: None,
    })
    .unwrap();
    let mut out = Vec::new();
    assert_eq!(export_study(&db, study.id, Format::Csv, &mut out).unwrap(), 5);
    let (_, rows) = read_csv(&out);
    assert_eq!(rows[0]["label"], "base case");
    assert!(rows[0]["parameter"].is_empty() && rows[0]["value"].is_empty());
    let base_run = &rows[0]["run"];
    let kpi = |r: &BTreeMap<String, String>| r["kpi_value"].parse::<f64>().unwrap();
    assert_eq!(kpi(&rows[0]), study.study.baseline);
    for r in &rows[1..] {
        assert_eq!(r["kind"], "sensitivity");
        assert_eq!(r["kpi"], "tco_per_device_year");
        let row = study.study.rows.iter().find(|x| x.path == r["parameter"]).unwrap();
        let want = if r["value"] == row.low_setting { row.kpi_low } else { row.kpi_high };
        assert!((kpi(r) - want).abs() < 1e-9, "{}: {} vs {want}", r["label"], kpi(r));
        assert_eq!(kpi(r), r["cost_tco_per_device_year"].parse::<f64>().unwrap());
        let price = r["parameter"].starts_with("price.");
        assert_eq!(r["repriced"], price.to_string());
        assert_eq!(&r["run"] == base_run, price, "a price point re-prices the base run; a field point has its own");
    }
}

/// The Parquet files read back through Arrow (`ParquetRecordBatchReaderBuilder`), a reader
/// independent of the column writer that wrote them: per-class series totals and the summary's
/// wide row equal the stored run.
#[test]
fn parquet_reads_back_through_arrow_with_the_stored_totals() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let dir = TempDir::new("arrow");
    let db = dir.db();
    run(&scenario(&dir), &db, &["scenario.duration=2d"]);
    let stored = stored_summary(&db, 1);
    let batches = |table: Table| {
        let path = dir.0.join("arrow.parquet");
        std::fs::write(&path, bytes(&db, 1, table, Format::Parquet)).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
        reader.map(|b| b.unwrap()).collect::<Vec<_>>()
    };
    let series = batches(Table::Series);
    for c in &stored.per_class {
        let mut delivered = 0i64;
        let mut generated = 0i64;
        for b in &series {
            let class = b.column_by_name("class").unwrap().as_string::<i32>();
            let d = b.column_by_name("delivered").unwrap().as_primitive::<Int64Type>();
            let g = b.column_by_name("generated").unwrap().as_primitive::<Int64Type>();
            for i in 0..b.num_rows() {
                let name = class.value(i);
                if name == c.name || name.trim_start_matches('\'') == c.name.trim_start_matches('\'') {
                    delivered += d.value(i);
                    generated += g.value(i);
                }
            }
        }
        assert_eq!(delivered as u64, c.messages.delivered, "{}: delivered over the series", c.name);
        assert_eq!(generated as u64, c.messages.generated, "{}: generated over the series", c.name);
    }
    let summary = batches(Table::Summary);
    assert_eq!(summary.iter().map(|b| b.num_rows()).sum::<usize>(), 1, "one wide row");
    let delivered = summary[0].column_by_name("messages_delivered").unwrap().as_primitive::<Int64Type>().value(0);
    assert_eq!(delivered as u64, stored.messages.delivered);
}

#[test]
fn the_runs_timeline_is_stored_served_with_its_series_exported_and_marked_in_its_report() {
    let dir = TempDir::new("events");
    let db = dir.db();
    // A scheduled site outage whose caption a spreadsheet would take for a formula.
    let file = scenario(&dir);
    let text = std::fs::read_to_string(&file).unwrap()
        + "\n[[event]]\nat = \"1d\"\nkind = \"site-outage\"\nsite = \"north-shaft\"\nduration = \"2h\"\ncaption = \"=Blasting: the shaft is cleared\"\n";
    std::fs::write(&file, text).unwrap();
    let summary = run(&file, &db, &["scenario.duration=2d"]);
    let loaded =
        studio::load_scenario(&studio::Config::in_dir("unused"), &file, &["scenario.duration=2d".into()]).unwrap();
    let engine = sim_core::engine::run_events(&loaded.scenario, summary.seed);

    // Served with the series: what the engine reported, in its order, and owned serde types.
    let config = studio::Config::in_dir("unused").with_db(Some(db.clone()));
    let served = studio::run::series(&config, 1).unwrap();
    let engine_wire: Vec<studio::contract::TimelineEvent> = engine.iter().map(Into::into).collect();
    assert_eq!(served.events, engine_wire);
    assert_eq!((served.run, served.start_ms, served.hours.len()), (1, START_MS, 2 * 48));
    let json = serde_json::to_string(&served).unwrap();
    // (serde_json reads a float back to within one ulp: compare what is exact.)
    let back = serde_json::from_str::<studio::run::RunSeries>(&json).unwrap();
    assert_eq!((back.events, back.hours.len(), back.hours[0].class.as_str()), (engine_wire, 96, MAINS_CLASS));
    let kinds: Vec<&str> = engine.iter().map(|e| e.kind.name()).collect();
    assert!(kinds.contains(&"site_outage") && kinds.contains(&"power_sag"), "{kinds:?}");

    // Exported: the documented columns, one row per event, times from scenario.start.
    let (header, rows) = read_csv(&bytes(&db, 1, Table::Events, Format::Csv));
    assert_eq!(header, documented("events"));
    assert_eq!(rows.len(), engine.len());
    let cut = rows.iter().find(|r| r["event"] == "0").unwrap();
    assert_eq!((cut["kind"].as_str(), cut["site"].as_str()), ("site_outage", "north-shaft"));
    assert_eq!(cut["caption"], "'=Blasting: the shaft is cleared", "neutralised in CSV");
    assert_eq!(
        (cut["start_time"].as_str(), cut["end_time"].as_str()),
        ("2026-03-29T22:00:00Z", "2026-03-30T00:00:00Z")
    );
    assert_eq!(num(&cut["devices"]), 20 + 10, "every device at the north shaft");
    assert!(
        rows.iter().filter(|r| r["kind"] == "power_sag").all(|r| r["end_us"].is_empty() && r["end_time"].is_empty())
    );
    let pq = read_parquet(&bytes(&db, 1, Table::Events, Format::Parquet), &dir);
    assert_eq!(pq.schema.iter().map(|c| c.0.clone()).collect::<Vec<_>>(), header);
    let col = |name: &str| pq.schema.iter().find(|c| c.0 == name).unwrap().clone();
    assert_eq!(col("start_time").2, Some(LogicalType::timestamp(true, TimeUnit::MILLIS)));
    assert_eq!((col("end_us").1, col("end_us").3, col("start_us").3), (Physical::INT64, true, false));
    assert_eq!(pq.rows.len(), engine.len());
    for (r, e) in pq.rows.iter().zip(&engine) {
        assert_eq!(long(&r["start_us"]) as u64, e.start_us);
        assert_eq!(r["kind"], Field::Str(e.kind.name().into()));
    }

    // The report marks the scheduled event and shades the site-wide cut, from the stored events.
    let rep = studio::reports::build_report(&db, studio::reports::Target::Run(1), "t").unwrap();
    let c = rep.charts.iter().find(|c| c.id == "delivery-over-time").unwrap();
    let captions: Vec<&str> = c.events.iter().map(|m| m.caption.as_str()).collect();
    assert_eq!(captions, ["=Blasting: the shaft is cleared"]);
    assert_eq!(c.spans, [report::chart::Span { from: 1.0, to: 1.0 + 2.0 / 24.0 }]);
}
