//! The `scaleproof` command line end to end, against a real SQLite file in a temp directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scaleproof"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "scaleproof-cli-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
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

fn ok(out: Output) -> String {
    assert!(out.status.success(), "exit {:?}\nstderr:\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn scenario_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [root().join("scenarios"), root().join("scenarios/bench")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every field of DESIGN.md section 7 (`cost` is checked where the scenario has a price book).
const SUMMARY_FIELDS: &[&str] = &[
    "schema_version",
    "run_id",
    "scenario",
    "seed",
    "devices",
    "simulated_s",
    "wall_s",
    "messages",
    "delivery_ratio",
    "latency_s",
    "reboots",
    "outages",
    "deaths",
    "truck_rolls",
    "per_class",
];

fn check_balanced(m: &serde_json::Value, what: &str) {
    let g = m["generated"].as_u64().unwrap();
    let parts: u64 =
        ["delivered", "lost_network", "dropped_overflow", "dropped_reboot", "stranded_dead", "buffered_end"]
            .iter()
            .map(|k| m[k].as_u64().unwrap_or_else(|| panic!("{what}: messages.{k} missing")))
            .sum();
    assert_eq!(g, parts, "{what}: messages do not balance: {m}");
}

/// Every scenario file validates, and runs (cut to 1 day, events moved into it) printing a
/// RunSummary with every field and balanced messages.
#[test]
fn every_scenario_validates_and_runs_with_a_complete_summary() {
    let tmp = TempDir::new("scenarios");
    let files = scenario_files();
    assert!(files.len() >= 9);
    for f in files {
        let name = f.display().to_string();
        let out = ok(bin().arg("validate").arg(&f).output().unwrap());
        assert!(out.contains("valid"), "{name}: {out}");
        let events = std::fs::read_to_string(&f).unwrap().matches("[[event]]").count();
        let mut cmd = bin();
        cmd.arg("run").arg(&f).arg("--json").arg("--db").arg(tmp.db()).args(["--set", "scenario.duration=1d"]);
        cmd.args(["--replications", "1"]);
        for i in 0..events {
            cmd.args(["--set", &format!("event.{i}.at={}h", 6 + i)]);
        }
        let v: serde_json::Value = serde_json::from_str(&ok(cmd.output().unwrap())).unwrap();
        for k in SUMMARY_FIELDS {
            assert!(v.get(k).is_some(), "{name}: RunSummary lacks `{k}`");
        }
        for k in ["mean", "p50", "p95", "p99", "max"] {
            assert!(v["latency_s"][k].is_number(), "{name}: latency_s.{k}");
        }
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["simulated_s"], 86_400.0);
        check_balanced(&v["messages"], &name);
        for c in v["per_class"].as_array().unwrap() {
            check_balanced(&c["messages"], &name);
        }
        assert!(v["messages"]["generated"].as_u64().unwrap() > 0, "{name}");
        if !name.contains("bench") {
            let c = &v["cost"];
            for k in ["currency", "price_book", "capex", "opex_per_month", "tco", "tco_per_device_year", "breakdown"] {
                assert!(!c[k].is_null(), "{name}: cost.{k}");
            }
            assert!(c["tco"].as_f64().unwrap() > 0.0, "{name}");
            assert!(v["verdict"]["findings"].as_array().unwrap().len() >= 5, "{name}");
        }
    }
}

/// A fleet-size sweep shows the non-linear cost curve (fixed costs spread over few devices),
/// is stored, and reports as self-contained HTML with PNG charts.
#[test]
fn sweep_fleet_sizes_then_report() {
    let tmp = TempDir::new("sweep");
    let out = ok(bin()
        .args(["sweep", "scenarios/mine-production.toml", "--over", "devices=20,200,2000", "--replications", "2"])
        .args(["--set", "event.2.at=2d"])
        .args(["--set", "scenario.duration=3d", "--set", "event.0.at=1d", "--set", "event.1.at=1d", "--json", "--db"])
        .arg(tmp.db())
        .current_dir(root())
        .output()
        .unwrap());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let pts = v["points"].as_array().unwrap();
    assert_eq!(pts.len(), 3);
    let tco: Vec<f64> =
        pts.iter().map(|p| p["summary"]["cost"]["tco_per_device_year"]["mean"].as_f64().unwrap()).collect();
    let devices: Vec<u64> = pts.iter().map(|p| p["summary"]["devices"].as_u64().unwrap()).collect();
    assert_eq!(devices, [20, 200, 2000]);
    // Per device-year, the pilot-sized fleet costs far more than the same design at scale, and
    // the curve flattens: not a straight line.
    assert!(tco[0] > 1.5 * tco[2], "{tco:?}");
    assert!(tco[0] - tco[1] > tco[1] - tco[2], "{tco:?}");
    let id = v["sweep_id"].as_i64().unwrap();
    let html = tmp.0.join("sweep.html");
    let png = tmp.0.join("png");
    let out = ok(bin()
        .args(["report", &format!("sweep:{id}"), "--out"])
        .arg(&html)
        .arg("--png")
        .arg(&png)
        .args(["--png-scale", "2", "--db"])
        .arg(tmp.db())
        .output()
        .unwrap());
    assert!(out.contains("(5 charts"), "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    for must in ["cost-curve", "Crossovers", "Verdict at 2,000 devices", "iot-2026-11", "2026-11-01"] {
        assert!(page.contains(must), "report lacks {must}");
    }
    // Each chart also as its own SVG beside the page, and as a PNG at twice the size.
    let mut svgs: Vec<String> = std::fs::read_dir(tmp.0.join("sweep-charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    svgs.sort();
    assert_eq!(
        svgs,
        [
            "01-cost-curve.svg",
            "02-cost-breakdown-curve.svg",
            "03-delivery-curve.svg",
            "04-latency-curve.svg",
            "05-losses-curve.svg"
        ]
    );
    assert_eq!(std::fs::read_dir(&png).unwrap().count(), 5);
    // Width and height are the first fields of the PNG's header chunk.
    let bytes = std::fs::read(png.join("01-cost-curve.png")).unwrap();
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!((be(16), be(20)), (2 * report::chart::WIDTH, 2 * report::chart::HEIGHT));
    // A report of a single run too, and a clear error for a missing one.
    ok(bin().args(["report", "last", "--out"]).arg(tmp.0.join("run.html")).arg("--db").arg(tmp.db()).output().unwrap());
    let bad = bin().args(["report", "sweep:99", "--out", "/dev/null", "--db"]).arg(tmp.db()).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "a missing sweep is the user's input");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no sweep 99"));
}

/// The human summary says where messages were lost and why, and the run is listed and shown.
#[test]
fn human_summary_runs_and_show() {
    let tmp = TempDir::new("human");
    let f = root().join("scenarios/plant-production.toml");
    let out = ok(bin()
        .arg("run")
        .arg(&f)
        .args(["--replications", "1", "--db"])
        .arg(tmp.db())
        .args(["--set", "scenario.duration=6h", "--set", "event.0.at=1h", "--set", "event.1.at=2h"])
        .args(["--set", "event.2.at=3h", "--set", "event.3.at=4h"])
        .output()
        .unwrap());
    for needle in [
        "Where messages were lost, and why",
        "buffer overflow",
        "publish limit",
        "Per class",
        "machine-sensors",
        "Stored as run 1",
        // How much of the business case rests on assumptions (the book's [E] prices).
        "price book iot-2026-11 of 2026-11-01: 41 of 61 prices are assumptions [E]",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    let runs = ok(bin().arg("runs").arg("--db").arg(tmp.db()).output().unwrap());
    assert!(runs.contains("complete") && runs.contains("Plant B"), "{runs}");
    let show = ok(bin().args(["show", "1", "--series", "--db"]).arg(tmp.db()).output().unwrap());
    assert!(show.contains("run 1 (complete)") && show.contains("run,class,hour,hour_start,generated"), "{show}");
    assert!(show.contains("41 of 61 prices are assumptions [E]"), "{show}");
    // 6 hours of series for one class.
    assert_eq!(show.lines().filter(|l| l.contains(",machine-sensors,")).count(), 6);
    let json: serde_json::Value =
        serde_json::from_str(&ok(bin().args(["show", "last", "--json", "--db"]).arg(tmp.db()).output().unwrap()))
            .unwrap();
    assert_eq!(json["run_id"], 1);
    assert_eq!(json["overrides"][0], "scenario.duration=6h");
    let missing = bin().args(["show", "99", "--db"]).arg(tmp.db()).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// Replications report a mean and a 95 % interval for every figure, store every replication,
/// and do not depend on the thread count.
#[test]
fn replications_give_intervals_and_do_not_depend_on_threads() {
    let tmp = TempDir::new("reps");
    let f = root().join("scenarios/mine-pilot.toml");
    let run = |threads: &str| -> serde_json::Value {
        let out = ok(bin()
            .arg("run")
            .arg(&f)
            .args(["--replications", "4", "--threads", threads, "--json", "--set", "scenario.duration=3d", "--db"])
            .arg(tmp.db())
            .output()
            .unwrap());
        serde_json::from_str(&out).unwrap()
    };
    let a = run("1");
    let b = run("2");
    assert_eq!(a["replications"], 4);
    assert_eq!(a["seeds"].as_array().unwrap().len(), 4);
    let d = &a["delivery_ratio"];
    let (m, lo, hi) = (d["mean"].as_f64().unwrap(), d["ci95_low"].as_f64().unwrap(), d["ci95_high"].as_f64().unwrap());
    assert!(lo <= m && m <= hi && hi - lo >= 0.0, "{d}");
    assert!(a["messages"]["generated"]["mean"].as_f64().unwrap() > 0.0);
    for key in ["delivery_ratio", "messages", "latency_s", "reboots", "outages"] {
        assert_eq!(a[key], b[key], "{key} differs between 1 and 2 threads");
    }
    let runs = ok(bin().args(["runs", "--json", "--db"]).arg(tmp.db()).output().unwrap());
    let runs: serde_json::Value = serde_json::from_str(&runs).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 8);
}

/// `schema scenario` and `schema pricebook` print the JSON Schemas editors read from `schemas/`.
#[test]
fn schema_is_printed() {
    let v: serde_json::Value = serde_json::from_str(&ok(bin().args(["schema", "scenario"]).output().unwrap())).unwrap();
    assert_eq!(v["title"], "Scaleproof scenario (schema 1)");
    for k in ["schema", "scenario", "site", "network", "power", "fleet", "backend", "maintenance", "event"] {
        assert!(v["properties"].get(k).is_some(), "{k}");
    }
    for what in ["scenario", "pricebook"] {
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../schemas/{what}.schema.json"));
        let printed = ok(bin().args(["schema", what]).output().unwrap());
        assert_eq!(printed, std::fs::read_to_string(committed).unwrap(), "schema {what}");
    }
}

/// A run killed mid-way leaves the database readable, earlier runs intact and the killed run
/// marked incomplete.
#[test]
fn a_killed_run_leaves_the_database_intact() {
    let tmp = TempDir::new("kill");
    let pilot = root().join("scenarios/mine-pilot.toml");
    let before = ok(bin()
        .arg("run")
        .arg(&pilot)
        .args(["--replications", "1", "--json", "--db"])
        .arg(tmp.db())
        .output()
        .unwrap());
    let mut before: serde_json::Value = serde_json::from_str(&before).unwrap();
    // `run --json` adds what the database knows of the run to its stored summary.
    for k in ["status", "created_at", "file", "overrides", "statistic"] {
        before.as_object_mut().unwrap().remove(k);
    }

    // A long run (the 90-day production mine) that streams its hourly series as it goes.
    let mut child = bin()
        .arg("run")
        .arg(root().join("scenarios/mine-production.toml"))
        .args(["--replications", "1", "--db"])
        .arg(tmp.db())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has committed some series, then kill it (SIGKILL on Unix).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let store = store::Store::open(&tmp.db()).unwrap();
        if store.series(2).map(|s| !s.is_empty()).unwrap_or(false) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the run never wrote its series");
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
        std::thread::yield_now();
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let store = store::Store::open(&tmp.db()).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let runs = store.list_runs(10).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].status, "incomplete");
    assert_eq!(runs[1].status, "complete");
    let stored: serde_json::Value = serde_json::from_str(runs[1].summary_json.as_deref().unwrap()).unwrap();
    assert_eq!(stored, before);
    let listed = ok(bin().args(["runs", "--db"]).arg(tmp.db()).output().unwrap());
    assert!(listed.contains("incomplete"), "{listed}");
    let shown = ok(bin().args(["show", "2", "--db"]).arg(tmp.db()).output().unwrap());
    assert!(shown.contains("did not finish"), "{shown}");
}

/// `bench` runs the reference fleet through the normal engine and reports speed and memory.
#[test]
fn bench_reports_speed_and_memory() {
    let out =
        ok(bin().args(["bench", "--devices", "2000", "--days", "0.25", "--threads", "1", "--json"]).output().unwrap());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["devices"], 2000);
    assert_eq!(v["threads"], 1);
    assert_eq!(v["simulated_s"], 21_600.0);
    // 360 ticks per device at most; dead devices stop ticking.
    let steps = v["device_steps"].as_u64().unwrap();
    assert!(steps > 2000 * 300 && steps <= 2000 * 360, "{steps}");
    for k in ["wall_s", "device_steps_per_s", "messages_per_s", "peak_rss_bytes", "bytes_per_device"] {
        assert!(v[k].as_f64().unwrap() > 0.0, "{k}: {}", v[k]);
    }
    let bad = bin().args(["bench", "--days", "0"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Sensitivity: scenario fields are re-simulated, prices re-priced exactly; the tornado is
/// ordered by swing and a price moves a cost KPI linearly without touching delivery.
#[test]
fn sensitivity_ranks_assumptions_and_prices_are_linear() {
    let tmp = TempDir::new("sensitivity");
    let out = ok(bin()
        .args(["sensitivity", "scenarios/mine-pilot.toml", "--on", "tco_per_device_year", "--json"])
        .args(["--set", "scenario.duration=5d"])
        .args(["--vary", "price.connectivity.telnyx-per-sim.monthly_fee=-20%,+20%"])
        .args(["--vary", "price.labour.truck_roll=-20%,+20%"])
        .args(["--vary", "fleet.vibration.buffer.capacity=-50%,+50%"])
        .arg("--report")
        .arg(tmp.0.join("tornado.html"))
        .arg("--db")
        .arg(tmp.db())
        .current_dir(root())
        .output()
        .unwrap());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let study = &v["study"];
    let base = study["baseline"].as_f64().unwrap();
    let rows = study["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let swing = |r: &serde_json::Value| (r["kpi_high"].as_f64().unwrap() - r["kpi_low"].as_f64().unwrap()).abs();
    assert!(rows.windows(2).all(|w| swing(&w[0]) >= swing(&w[1])), "not ordered by swing");
    let fee = rows.iter().find(|r| r["path"].as_str().unwrap().ends_with("monthly_fee")).unwrap();
    assert_eq!((fee["low_setting"].as_str(), fee["high_setting"].as_str()), (Some("1.6"), Some("2.4")));
    let (lo, hi) = (fee["kpi_low"].as_f64().unwrap(), fee["kpi_high"].as_f64().unwrap());
    // The fee is a straight line in the TCO: +20 % and -20 % move it by the same amount.
    assert!(((hi - base) - (base - lo)).abs() < 1e-3, "{lo} {base} {hi}");
    assert!(hi > base && base > lo);
    let page = std::fs::read_to_string(tmp.0.join("tornado.html")).unwrap();
    assert!(page.contains("chart-tornado") && page.contains("<svg"));
    // A path that is not in the scenario is invalid input, found before anything runs.
    let bad = bin()
        .args(["sensitivity", "scenarios/mine-pilot.toml", "--vary", "fleet.vibration.nope=-20%,+20%", "--db"])
        .arg(tmp.db())
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("fleet.vibration.nope"));
}

/// compare names what differs in assumptions and results; export writes CSV, JSON Lines and
/// Parquet that read back with the same rows.
#[test]
fn compare_and_export() {
    let tmp = TempDir::new("compare");
    let run = |extra: &[&str]| {
        ok(bin()
            .args(["run", "scenarios/mine-pilot.toml", "--replications", "1", "--set", "scenario.duration=2d", "--db"])
            .arg(tmp.db())
            .args(extra)
            .current_dir(root())
            .output()
            .unwrap())
    };
    run(&[]);
    run(&["--set", "fleet.vibration.buffer.capacity=2000", "--set", "cost.connectivity=1nce-lifetime"]);
    let out = ok(bin().args(["compare", "1", "2", "--json", "--db"]).arg(tmp.db()).output().unwrap());
    let c: serde_json::Value = serde_json::from_str(&out).unwrap();
    let paths: Vec<&str> = c["assumptions"].as_array().unwrap().iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["cost.connectivity", "fleet.vibration.buffer.capacity"]);
    let conn = c["results"].as_array().unwrap().iter().find(|f| f["id"] == "tco_connectivity").unwrap();
    assert_eq!(conn["label"], "TCO: connectivity");
    assert_ne!(conn["a"], conn["b"]);
    let human = ok(bin().args(["compare", "1", "last", "--db"]).arg(tmp.db()).output().unwrap());
    assert!(human.contains("Assumptions that differ") && human.contains("TCO per device-year"));

    let csv = ok(bin().args(["export", "1", "--db"]).arg(tmp.db()).output().unwrap());
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("run,class,hour,hour_start,generated,delivered"));
    assert_eq!(lines.len(), 1 + 48, "one row per hour and class");
    let jsonl =
        ok(bin().args(["export", "1", "--format", "jsonl", "--table", "bill", "--db"]).arg(tmp.db()).output().unwrap());
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["price_book"], "iot-2026-11");
    let pq = tmp.0.join("series.parquet");
    ok(bin()
        .args(["export", "1", "--format", "parquet", "--out"])
        .arg(&pq)
        .arg("--db")
        .arg(tmp.db())
        .output()
        .unwrap());
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::RowAccessor;
    let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 48);
    assert_eq!(reader.metadata().file_metadata().schema_descr().num_columns(), 14);
    let total: i64 = reader.get_row_iter(None).unwrap().map(|r| r.unwrap().get_long(5).unwrap()).sum();
    let csv_total: i64 = lines[1..].iter().map(|l| l.split(',').nth(5).unwrap().parse::<i64>().unwrap()).sum();
    assert_eq!(total, csv_total, "delivered adds up the same in Parquet and CSV");
}
