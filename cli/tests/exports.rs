//! `show --series` and `export` through the binary: one CSV writer for both, so a device class
//! whose name has a comma keeps its rows intact; `export sweep:ID` writes one row per point.

mod common;

use std::path::PathBuf;

use common::{bin, ok, root};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;

struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("scaleproof-cli-exports-{tag}-{}", std::process::id()));
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

const CLASS: &str = "vibration, north";

/// The mine pilot with its one class named `vibration, north` (a class name is any TOML key).
fn comma_scenario(tmp: &TempDir) -> PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/mine-pilot.toml"))
        .unwrap()
        .replace("[fleet.vibration]", &format!("[fleet.\"{CLASS}\"]"))
        .replace("device_hardware = { vibration = ", &format!("device_hardware = {{ \"{CLASS}\" = "));
    let f = tmp.0.join("comma.toml");
    std::fs::write(&f, text).unwrap();
    f
}

/// The rows of a CSV table read by the `csv` crate with its header; every row must have as
/// many cells as the header.
fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "{rec:?}");
            header.iter().cloned().zip(rec.iter().map(str::to_string)).collect()
        })
        .collect()
}

fn delivered(rows: &[std::collections::HashMap<String, String>]) -> u64 {
    rows.iter().map(|r| r["delivered"].parse::<u64>().unwrap()).sum()
}

#[test]
fn show_series_and_export_keep_a_class_name_with_a_comma_in_one_cell() {
    let tmp = TempDir::new("comma");
    let f = comma_scenario(&tmp);
    ok(bin()
        .arg("run")
        .arg(&f)
        .args(["--replications", "1", "--set", "scenario.duration=1d", "--db"])
        .arg(tmp.db())
        .output()
        .unwrap());
    let json: serde_json::Value =
        serde_json::from_str(&ok(bin().args(["show", "1", "--json", "--db"]).arg(tmp.db()).output().unwrap())).unwrap();
    let want = json["per_class"][0]["messages"]["delivered"].as_u64().unwrap();
    assert!(want > 0);

    let show = ok(bin().args(["show", "1", "--series", "--db"]).arg(tmp.db()).output().unwrap());
    let csv = &show[show.find("run,class,hour,").expect("the series follows the summary")..];
    let rows = csv_rows(csv);
    assert_eq!(rows.len(), 24);
    assert!(rows.iter().all(|r| r["class"] == CLASS), "{csv}");
    assert_eq!(delivered(&rows), want);
    assert_eq!(rows[1]["hour_start"], "2026-01-01T01:00:00Z");

    let export = ok(bin().args(["export", "1", "--db"]).arg(tmp.db()).output().unwrap());
    assert_eq!(export, csv, "show --series and export write the same CSV");

    let pq = tmp.0.join("summary.parquet");
    ok(bin()
        .args(["export", "last", "--table", "summary", "--format", "parquet", "--out"])
        .arg(&pq)
        .arg("--db")
        .arg(tmp.db())
        .output()
        .unwrap());
    let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    let rows: Vec<_> = reader.get_row_iter(None).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    let col = |name: &str| rows[0].get_column_iter().position(|(k, _)| k == name).unwrap();
    assert_eq!(rows[0].get_long(col("messages_delivered")).unwrap() as u64, want);
}

#[test]
fn a_sweep_exports_one_row_per_point() {
    let tmp = TempDir::new("sweep");
    ok(bin()
        .args(["sweep", "scenarios/mine-pilot.toml", "--over", "devices=10,20", "--replications", "1"])
        .args(["--set", "scenario.duration=6h", "--db"])
        .arg(tmp.db())
        .output()
        .unwrap());
    let rows = csv_rows(&ok(bin().args(["export", "sweep:1", "--db"]).arg(tmp.db()).output().unwrap()));
    assert_eq!(rows.len(), 2);
    for (r, n) in rows.iter().zip(["10", "20"]) {
        assert_eq!((r["parameter"].as_str(), r["value"].as_str(), r["devices"].as_str()), ("devices", n, n));
        let run = &r["run"];
        let show: serde_json::Value =
            serde_json::from_str(&ok(bin().args(["show", run, "--json", "--db"]).arg(tmp.db()).output().unwrap()))
                .unwrap();
        assert_eq!(r["messages_delivered"], show["messages"]["delivered"].to_string());
    }
    let pq = tmp.0.join("sweep.parquet");
    ok(bin()
        .args(["export", "sweep:1", "--format", "parquet", "--out"])
        .arg(&pq)
        .arg("--db")
        .arg(tmp.db())
        .output()
        .unwrap());
    let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 2);
    // A sweep has points, not a run's tables.
    let bad = bin().args(["export", "sweep:1", "--table", "series", "--db"]).arg(tmp.db()).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
}
