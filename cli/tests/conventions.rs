//! The command line's conventions, through the binary: a closed pipe is a quiet exit, every
//! invalid input exits 2 with a clear message, help and completions, progress only on stderr
//! and only when asked or on a terminal, human output within 100 columns, `sweeps`, and JSON
//! shapes (`run --json` = `show --json`, numeric run ids, stable compare ids).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use bridge::mosquitto::temp_dir;

mod common;
use common::{bin, ok};

/// A run database in a fresh private directory, removed on drop.
struct Db {
    dir: PathBuf,
}

impl Db {
    fn new(tag: &str) -> Db {
        Db { dir: temp_dir(&format!("cli-conv-{tag}")) }
    }
    fn path(&self) -> PathBuf {
        self.dir.join("runs.db")
    }
    /// `scaleproof ARGS --db DB`, which must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        ok(self.output(args))
    }
    fn output(&self, args: &[&str]) -> Output {
        bin().args(args).arg("--db").arg(self.path()).output().unwrap()
    }
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const SHORT: [&str; 2] = ["--set", "scenario.duration=2d"];

/// `args` with stdout a pipe whose reader reads `read` bytes (0: none; the pipe is closed
/// before the command starts) and then closes it. Returns the exit code and stderr.
fn with_closed_stdout(args: &[&str], db: &Path, read: usize) -> (Option<i32>, String) {
    let (mut reader, writer) = std::io::pipe().unwrap();
    let mut cmd = bin();
    cmd.args(args).arg("--db").arg(db).stdout(writer).stderr(Stdio::piped());
    let mut child = if read == 0 {
        drop(reader);
        let child = cmd.spawn().unwrap();
        drop(cmd);
        child
    } else {
        let child = cmd.spawn().unwrap();
        drop(cmd); // the parent's copy of the write end
        let mut buf = vec![0; read];
        reader.read_exact(&mut buf).unwrap();
        drop(reader);
        child
    };
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    (status.code(), err)
}

/// `show N --series | head -3` and every other command whose reader goes away: no panic, no
/// message, exit 0 (it panicked with exit 101).
#[test]
fn a_closed_pipe_is_a_quiet_exit() {
    let db = Db::new("pipe");
    // 60 days of hourly series: far more than a pipe holds, so the writer meets the closed end.
    db.ok(&["run", "scenarios/mine-pilot.toml", "--set", "scenario.duration=60d"]);
    let cases: [(&[&str], usize); 6] = [
        (&["show", "1", "--series"], 100),
        (&["show", "1", "--series"], 0),
        (&["show", "1", "--json"], 0),
        (&["runs"], 0),
        (&["run", "scenarios/mine-pilot.toml", "--json", "--set", "scenario.duration=1d"], 0),
        (&["run", "scenarios/mine-pilot.toml", "--set", "scenario.duration=1d"], 0),
    ];
    for (args, read) in cases {
        let (code, err) = with_closed_stdout(args, &db.path(), read);
        assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
        assert_eq!(code, Some(0), "{args:?} (reader took {read} bytes): stderr:\n{err}");
        assert!(err.is_empty(), "{args:?} said something on stderr:\n{err}");
    }
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = bin().args(["completions", "bash"]).stdout(writer).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Exit 2, a message naming `want` that starts with `error: ` once, nothing on stdout.
fn refused(out: Output, what: &str, want: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: stderr:\n{err}");
    assert!(err.contains(want), "{what}: {want:?} not in:\n{err}");
    assert!(err.starts_with("error: ") && !err.contains("error: error:"), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(out.stdout.is_empty(), "{what}: printed {}", String::from_utf8_lossy(&out.stdout));
}

/// Invalid input exits 2 with a clear message, for every command that reads something stored
/// (missing ids, runs that did not finish, databases that are not there or are folders) and
/// for values only the command can check. `report sweep:99` and a dotted `--on` path that
/// leads nowhere exited 1.
#[test]
fn invalid_input_exits_2_with_a_clear_message() {
    let db = Db::new("exit");
    db.ok(&["run", "scenarios/mine-pilot.toml", "--replications", "1", "--set", "scenario.duration=1d"]);
    // Run 2: one that was killed part-way (no summary).
    {
        let c = rusqlite::Connection::open(db.path()).unwrap();
        c.execute(
            "INSERT INTO runs (created_at, scenario_name, scenario_file, scenario_text, overrides_json, seed, engine_version, status, devices)
             SELECT created_at, scenario_name, scenario_file, scenario_text, overrides_json, seed, engine_version, 'incomplete', devices FROM runs WHERE id = 1",
            [],
        )
        .unwrap();
    }
    let html = db.dir.join("r.html");
    let html = html.to_str().unwrap();
    let missing = db.dir.join("missing.db");
    let missing = missing.to_str().unwrap();
    let folder = db.dir.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["report", "sweep:99", "--out", html], "no sweep 99"),
        (&["report", "99", "--out", html], "no run 99"),
        (&["report", "2", "--out", html], "run 2 did not finish"),
        (&["report", "sweep:x", "--out", html], "is not a run or sweep"),
        (&["report", "1", "--out", html, "--png", "scenarios/mine-pilot.toml"], "not a folder"),
        (&["show", "99"], "no run 99"),
        (&["show", "abc"], "is not a run id"),
        (&["compare", "1", "99"], "no run 99"),
        (&["compare", "1", "2"], "run 2 did not finish"),
        (&["export", "99"], "no run 99"),
        (&["export", "2", "--table", "summary"], "run 2 did not finish"),
        (&["export", "1", "--format", "xml"], "invalid value 'xml'"),
        (&["bench", "--stepping", "sometimes"], "invalid value 'sometimes'"),
        (
            &[
                "sensitivity",
                "scenarios/mine-pilot.toml",
                "--vary",
                "fleet.vibration.count=-20%,+20%",
                "--on",
                "nonsense",
            ],
            "is not a KPI",
        ),
        (
            &[
                "sensitivity",
                "scenarios/mine-pilot.toml",
                "--vary",
                "fleet.vibration.count=-20%,+20%",
                "--on",
                "messages.nonsense",
                "--set",
                "scenario.duration=1d",
            ],
            "\"messages.nonsense\" is not a number in this run's summary",
        ),
        (
            &[
                "sensitivity",
                "scenarios/bench/reference-fleet.toml",
                "--vary",
                "fleet.devices.count=-20%,+20%",
                "--on",
                "tco",
            ],
            "no [cost] table",
        ),
        (&["sweep", "scenarios/mine-pilot.toml", "--over", "devices=0"], "at least one device"),
        (&["bench", "--devices", "0", "--days", "0.01"], "out of range"),
        (&["completions", "tcsh"], "invalid value 'tcsh'"),
    ];
    for (args, want) in cases {
        let out = match args[0] {
            // Commands without a database.
            "bench" | "completions" => bin().args(*args).output().unwrap(),
            _ => db.output(args),
        };
        refused(out, &format!("{args:?}"), want);
    }
    // A database that is not there, or is a folder.
    for args in [&["show", "1"][..], &["compare", "1", "1"], &["export", "1"], &["report", "last", "--out", html]] {
        let out = bin().args(args).args(["--db", missing]).output().unwrap();
        refused(out, &format!("{args:?} --db missing.db"), "no run database at");
        let out = bin().args(args).args(["--db", folder]).output().unwrap();
        refused(out, &format!("{args:?} --db FOLDER"), "is a folder");
    }
    assert!(!Path::new(missing).exists(), "reading created the database");
    // Lists of what a missing database holds are empty, not errors.
    for args in [&["runs"][..], &["sweeps"], &["pilot", "recordings"]] {
        ok(bin().args(args).args(["--db", missing]).output().unwrap());
    }
    assert!(!Path::new(missing).exists());
    // The dotted KPI was refused after its base case ran: nothing but that run was stored.
    let sweeps = db.json(&["sweeps", "--json"]);
    assert_eq!(sweeps.as_array().unwrap().len(), 0, "{sweeps}");
}

/// `completions SHELL` prints a script that knows the subcommands.
#[test]
fn completions_know_the_subcommands() {
    let bash = ok(bin().args(["completions", "bash"]).output().unwrap());
    for sub in ["run", "sweep", "sweeps", "sensitivity", "compare", "report", "show", "pilot", "completions"] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
    }
    assert!(bash.contains("complete -F"), "{bash}");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let s = ok(bin().args(["completions", shell]).output().unwrap());
        assert!(s.contains("sensitivity"), "{shell}");
    }
    // Help shows examples and the choices as values.
    let help = ok(bin().args(["export", "--help"]).output().unwrap());
    assert!(help.contains("Examples:") && help.contains("jsonl") && help.contains("parquet"), "{help}");
}

/// Progress goes to stderr, one line per sweep point, when asked; by default (stderr not a
/// terminal) there is none; stdout is the same either way.
#[test]
fn progress_only_on_stderr_and_only_when_asked_or_on_a_terminal() {
    let db = Db::new("progress");
    let sweep = ["sweep", "scenarios/mine-pilot.toml", "--over", "devices=20,40", "--replications", "1", "--json"];
    let quiet = db.output(&[&sweep[..], &SHORT].concat());
    assert!(quiet.status.success());
    assert!(quiet.stderr.is_empty(), "progress drawn into a pipe:\n{}", String::from_utf8_lossy(&quiet.stderr));
    let asked = db.output(&[&sweep[..], &SHORT, &["--progress", "always"]].concat());
    assert!(asked.status.success());
    let err = String::from_utf8_lossy(&asked.stderr);
    assert!(err.contains("devices=20") && err.contains("devices=40") && err.contains("ETA"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&asked.stdout).expect("stdout is only JSON");
    assert_eq!(v["points"].as_array().unwrap().len(), 2);
    let run = db.output(&["run", "scenarios/mine-pilot.toml", "--set", "scenario.duration=1d", "--progress", "always"]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("run Mine A - pilot") && err.contains("elapsed"), "{err}");
    let never =
        db.output(&["run", "scenarios/mine-pilot.toml", "--set", "scenario.duration=1d", "--progress", "never"]);
    assert!(never.status.success() && never.stderr.is_empty());
}

fn assert_fits(what: &str, out: &str) {
    for l in out.lines() {
        assert!(l.chars().count() <= 100, "{what}: a line of {} characters:\n{l}", l.chars().count());
    }
}

/// run (every bundled scenario), show, sweep, sensitivity, runs, sweeps and compare print no
/// line over 100 characters.
#[test]
fn human_output_fits_100_columns() {
    let db = Db::new("width");
    let mut files: Vec<PathBuf> = ["scenarios", "scenarios/bench"]
        .iter()
        .flat_map(|d| std::fs::read_dir(common::root().join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for f in &files {
        let events = std::fs::read_to_string(f).unwrap().matches("[[event]]").count();
        let mut args = vec!["run".to_string(), f.display().to_string(), "--set".into(), "scenario.duration=1d".into()];
        for i in 0..events {
            args.extend(["--set".into(), format!("event.{i}.at={}h", 6 + i)]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_fits(&format!("run {}", f.display()), &db.ok(&args));
    }
    assert_fits("show", &db.ok(&["show", "1"]));
    assert_fits("runs", &db.ok(&["runs"]));
    assert_fits(
        "run --replications",
        &db.ok(&[&["run", "scenarios/building-production.toml", "--replications", "2"][..], &SHORT].concat()),
    );
    let sweep = db.ok(&[&["sweep", "scenarios/mine-pilot.toml", "--over", "devices=20,200"][..], &SHORT].concat());
    assert_fits("sweep", &sweep);
    assert!(sweep.contains("TCO per device-year") && sweep.contains("1nce-lifetime"), "{sweep}");
    let over = ["sweep", "scenarios/mine-pilot.toml", "--over", "fleet.vibration.buffer.capacity=100,1000"];
    assert_fits("sweep over a field", &db.ok(&[&over[..], &SHORT, &["--replications", "1"]].concat()));
    let sens = [
        "sensitivity",
        "scenarios/mine-pilot.toml",
        "--vary",
        "fleet.vibration.telemetry.period=-50%,+100%",
        "--vary",
        "price.labour.truck_roll=-20%,+20%",
    ];
    assert_fits("sensitivity", &db.ok(&[&sens[..], &SHORT].concat()));
    assert_fits("sweeps", &db.ok(&["sweeps"]));
    let b = db
        .ok(&[&["run", "scenarios/mine-pilot.toml", "--set", "cost.connectivity=1nce-lifetime"][..], &SHORT].concat());
    assert_fits("run", &b);
    assert_fits("compare", &db.ok(&["compare", "1", "last"]));
    assert_fits("runs", &db.ok(&["runs", "--limit", "100"]));
}

/// `sweeps` lists sweeps and sensitivity studies with what they swept, as a table and as JSON.
#[test]
fn sweeps_lists_sweeps_and_sensitivity_studies() {
    let db = Db::new("sweeps");
    assert!(db.ok(&["sweeps"]).contains("no sweeps"));
    db.ok(&[&["sweep", "scenarios/mine-pilot.toml", "--over", "devices=20,40", "--replications", "1"][..], &SHORT]
        .concat());
    let sens =
        ["sensitivity", "scenarios/mine-pilot.toml", "--vary", "price.labour.truck_roll=-20%,+20%", "--on", "tco"];
    db.ok(&[&sens[..], &SHORT].concat());
    let v = db.json(&["sweeps", "--json"]);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2, "{v}");
    let (study, sweep) = (&list[0], &list[1]);
    assert_eq!((study["id"].as_i64(), study["kind"].as_str()), (Some(2), Some("sensitivity")));
    assert_eq!(study["kpi"], "tco");
    assert_eq!(study["swept"], serde_json::json!(["price.labour.truck_roll"]));
    assert_eq!(study["points"], 3);
    assert_eq!((sweep["id"].as_i64(), sweep["kind"].as_str()), (Some(1), Some("sweep")));
    assert_eq!(sweep["swept"], serde_json::json!(["devices"]));
    assert_eq!(sweep["values"], serde_json::json!(["20", "40"]));
    assert_eq!((sweep["points"].as_u64(), sweep["status"].as_str()), (Some(2), Some("complete")));
    assert!(sweep["scenario"].as_str().unwrap().starts_with("Mine A"));
    let table = db.ok(&["sweeps"]);
    assert!(table.contains("devices=20,40") && table.contains("tco against price.labour.truck_roll"), "{table}");
    assert_eq!(db.json(&["sweeps", "--json", "--limit", "1"]).as_array().unwrap().len(), 1);
}

/// `run --json` and `show --json` print the same object, with and without replications; run
/// ids are numbers everywhere; a summary stored with a string id (older versions) still reads;
/// `compare --json` keys its results by stable ids.
#[test]
fn json_shapes_agree() {
    let db = Db::new("json");
    let run = db.json(&[&["run", "scenarios/mine-pilot.toml", "--json", "--replications", "1"][..], &SHORT].concat());
    assert_eq!(run["run_id"], 1);
    assert_eq!(run, db.json(&["show", "1", "--json"]), "run --json and show --json differ");
    assert_eq!(run["status"], "complete");
    assert_eq!(run["overrides"][0], "scenario.duration=2d");
    let reps = db.json(&[&["run", "scenarios/mine-pilot.toml", "--json", "--replications", "3"][..], &SHORT].concat());
    assert_eq!(reps["run_id"], 2);
    assert_eq!(reps["run_ids"], serde_json::json!([2, 3, 4]));
    assert_eq!(reps, db.json(&["show", "2", "--json"]));
    assert_eq!(reps, db.json(&["show", "last", "--json"]), "`last` is the newest run, not its replication");
    let sweep =
        db.json(&[&["sweep", "scenarios/mine-pilot.toml", "--over", "devices=20", "--json"][..], &SHORT].concat());
    assert!(sweep["sweep_id"].is_i64() && sweep["points"][0]["run_id"].is_i64());
    assert!(sweep["points"][0]["summary"]["run_ids"][0].is_i64(), "{}", sweep["points"][0]["summary"]);
    for r in db.json(&["runs", "--json"]).as_array().unwrap() {
        assert!(r["id"].is_i64(), "{r}");
    }

    // A summary stored by an older version, with its id as a string.
    {
        let c = rusqlite::Connection::open(db.path()).unwrap();
        c.execute(
            "UPDATE runs SET summary_json = replace(summary_json, '\"run_id\":1,', '\"run_id\":\"1\",') WHERE id = 1",
            [],
        )
        .unwrap();
        let j: String = c.query_row("SELECT summary_json FROM runs WHERE id = 1", [], |r| r.get(0)).unwrap();
        assert!(j.contains("\"run_id\":\"1\""), "{j}");
    }
    assert_eq!(run, db.json(&["show", "1", "--json"]));

    let c = db.json(&["compare", "1", "2", "--json"]);
    assert!(c["run_a"].is_i64() && c["run_b"].is_i64());
    let ids: Vec<&str> = c["results"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    for id in ["devices", "delivery_pct", "p99_latency_s", "tco_per_device_year", "tco_connectivity", "failed_findings"]
    {
        assert!(ids.contains(&id), "{id} not in {ids:?}");
    }
    for id in &ids {
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{id:?} is not snake_case"
        );
    }
    assert!(c["results"][0]["label"].is_string());
}
