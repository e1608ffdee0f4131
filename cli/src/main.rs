//! The `scaleproof` binary: argument parsing, printing and exit codes (0 success, 2 invalid
//! input, 1 anything else). All work is done by `studio`.

mod progress;
mod table;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use sim_core::engine::Stepping;
use studio::LoadError;

#[derive(Parser)]
#[command(
    name = "scaleproof",
    version,
    about = "Stress-test an IoT fleet design before you buy it: simulate thousands to millions of devices over months."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario, store it, and print a summary (or the RunSummary JSON with --json).
    Run {
        file: PathBuf,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Independent replications (derived seeds), reported as means with 95 % intervals.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        replications: u32,
        #[command(flatten)]
        common: Simulating,
    },
    /// Check a scenario and report every problem with file, line and field; exit 2 if any.
    Validate {
        file: PathBuf,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Print the problems as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a JSON Schema (`scenario`) for editors.
    Schema {
        #[arg(value_parser = ["scenario"])]
        what: String,
    },
    /// List stored runs, newest first.
    Runs {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Run the peers' reference fleet (scenarios/bench/reference-fleet.toml) and print its speed
    /// and memory: device-steps per second, peak resident memory, bytes per device.
    Bench {
        #[arg(long, default_value_t = 10_000)]
        devices: u32,
        #[arg(long, default_value_t = 1.0)]
        days: f64,
        /// Worker threads (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        #[arg(long)]
        seed: Option<u64>,
        /// `auto` skips quiet ticks in bulk where that is exact; `every-tick` steps every tick.
        #[arg(long, default_value = "auto", value_parser = ["auto", "every-tick"])]
        stepping: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a scenario at several values of one field (fleet size first of all) and print the
    /// cost curve, delivery and losses against it, and the crossovers.
    Sweep {
        file: PathBuf,
        /// PATH=V1,V2,...: `devices=20,200,2000,20000` scales the fleet; any other path is a
        /// field, e.g. fleet.sensors.buffer.capacity=100,500,1000.
        #[arg(long, value_name = "PATH=V1,V2,...")]
        over: String,
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
        replications: u32,
        #[command(flatten)]
        common: Simulating,
    },
    /// Move each assumption alone to a low and a high setting and show which moves a KPI most
    /// (a tornado chart with --report).
    Sensitivity {
        file: PathBuf,
        /// PATH=-20%,+20% (repeatable): a scenario field, or price.PATH for a price-book price.
        #[arg(long, value_name = "PATH=LOW,HIGH", required = true)]
        vary: Vec<String>,
        /// tco_per_device_year, tco, capex, opex_per_month, delivery_ratio, loss_pct,
        /// p99_latency_s, battery_life_days, or a dotted path into the RunSummary.
        #[arg(long, value_name = "KPI", default_value = "tco_per_device_year")]
        on: String,
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        replications: u32,
        #[command(flatten)]
        common: Simulating,
    },
    /// What differs between two stored runs, in assumptions (scenario fields, prices) and in
    /// results.
    Compare {
        run_a: String,
        run_b: String,
        #[arg(long)]
        json: bool,
        /// Also write the comparison as an HTML page.
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Export a stored run for BI and ERP tools: its hourly series, its bill or its summary.
    Export {
        run: String,
        #[arg(long, default_value = "csv", value_parser = ["csv", "jsonl", "parquet"])]
        format: String,
        #[arg(long, default_value = "series", value_parser = ["series", "bill", "summary"])]
        table: String,
        /// Output file (default: standard output; required for parquet).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Write a self-contained HTML report of a run or a sweep (charts inline, nothing fetched).
    Report {
        /// A run id (12 or run:12), a sweep (sweep:3), or `last`.
        target: String,
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
        /// Also write every chart as a PNG into this directory.
        #[arg(long, value_name = "DIR")]
        png: Option<PathBuf>,
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Show one stored run (`last` for the newest).
    Show {
        run: String,
        #[arg(long)]
        json: bool,
        /// Also print the hourly series as CSV.
        #[arg(long)]
        series: bool,
        #[arg(long)]
        db: Option<PathBuf>,
    },
}

/// The options of every command that simulates (run, sweep, sensitivity).
#[derive(clap::Args)]
struct Simulating {
    /// Override a field: --set fleet.sensors.count=20000 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Also write the HTML report to this file.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// Run database (default: $SCALEPROOF_DB or $XDG_DATA_HOME/scaleproof/runs.db).
    #[arg(long)]
    db: Option<PathBuf>,
}

/// An error that means the user's input was invalid (exit code 2).
#[derive(Debug)]
struct InvalidInput(String);
impl std::fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for InvalidInput {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A reader that stopped early (`| head`) is not a failure.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            if let Some(InvalidInput(msg)) = e.downcast_ref::<InvalidInput>() {
                eprintln!("{msg}");
                return ExitCode::from(2);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn load(file: &std::path::Path, set: &[String]) -> Result<studio::LoadedScenario> {
    studio::load_scenario(file, set).map_err(|e| match e {
        LoadError::Io(m) => anyhow::Error::new(InvalidInput(format!("error: {m}"))),
        LoadError::Invalid(d) => anyhow::Error::new(InvalidInput(d.to_string())),
    })
}

/// A run id as typed (`12`, `#12`, `run:12`, `last`), checked against the database.
fn run_id(store: &store::Store, db: &std::path::Path, text: &str) -> Result<i64> {
    let id = if text == "last" {
        store.last_run()?.ok_or_else(|| InvalidInput("error: no runs stored yet".into()))?
    } else {
        text.trim_start_matches("run:")
            .trim_start_matches('#')
            .parse::<i64>()
            .map_err(|_| InvalidInput(format!("error: {text:?} is not a run id (a number, or `last`)")))?
    };
    if store.get_run(id)?.is_none() {
        bail!(InvalidInput(format!("error: no run {id} in {}", db.display())));
    }
    Ok(id)
}

/// Opens the run database for a command that reads it.
fn open_store(db: &std::path::Path) -> Result<store::Store> {
    store::Store::open(db).with_context(|| format!("opening {}", db.display()))
}

/// A scenario that could not be loaded is invalid input (exit 2); anything else is an error.
fn invalid_if_load_error(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<LoadError>() {
        Ok(LoadError::Io(m)) => anyhow::Error::new(InvalidInput(format!("error: {m}"))),
        Ok(LoadError::Invalid(d)) => anyhow::Error::new(InvalidInput(d.to_string())),
        Err(e) => e,
    }
}

/// Writes a report (and its charts as PNG into `png`); says so on stdout, or on stderr when
/// stdout carries JSON.
fn write_report(
    db: &std::path::Path,
    target: studio::reports::Target,
    out: &std::path::Path,
    png: Option<&std::path::Path>,
    quiet_stdout: bool,
) -> Result<()> {
    let rep = studio::reports::build_report(db, target, &studio::utc_now_rfc3339())?;
    std::fs::write(out, &rep.html).with_context(|| format!("writing {}", out.display()))?;
    let say = |m: String| if quiet_stdout { eprintln!("{m}") } else { println!("{m}") };
    say(format!(
        "Wrote the report {} ({} charts, {} KB): open it in a browser.",
        out.display(),
        rep.charts.len(),
        rep.html.len() / 1024
    ));
    if let Some(dir) = png {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for c in &rep.charts {
            let path = dir.join(format!("{}.png", c.id));
            c.to_png(&path).map_err(anyhow::Error::msg)?;
            say(format!("Wrote {}.", path.display()));
        }
    }
    Ok(())
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run { file, seed, replications, common: Simulating { set, threads, json, report, db } } => {
            let loaded = load(&file, &set)?;
            let db = studio::paths::resolve_db(db);
            let bar = progress::Bar::new(std::io::stderr().is_terminal());
            let progress = |f: f64| bar.set(f);
            let outcome = studio::run_scenario(&studio::RunRequest {
                loaded: &loaded,
                seed,
                replications,
                threads,
                db: db.clone(),
                progress: Some(&progress),
            })?;
            bar.finish();
            let mut out = std::io::stdout().lock();
            if json {
                let v = match &outcome.combined {
                    Some(c) => c.clone(),
                    None => serde_json::to_value(&outcome.summaries[0])?,
                };
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                write!(out, "{}", table::summary(&loaded.scenario, &outcome.summaries[0]))?;
                if let Some(c) = &outcome.combined {
                    write!(out, "{}", table::replications(c))?;
                }
                writeln!(
                    out,
                    "\nStored as run {} in {} (scaleproof show {}).",
                    outcome.summaries[0].run_id,
                    db.display(),
                    outcome.summaries[0].run_id
                )?;
            }
            if let Some(out) = report {
                let id = outcome.summaries[0].run_id.parse().unwrap_or(0);
                write_report(&db, studio::reports::Target::Run(id), &out, None, json)?;
            }
            Ok(())
        }
        Command::Validate { file, set, json } => match studio::load_scenario(&file, &set) {
            Ok(l) => {
                if json {
                    println!("[]");
                } else {
                    println!(
                        "{}: valid ({} devices in {} classes, {} simulated)",
                        file.display(),
                        l.scenario.device_count(),
                        l.scenario.classes.len(),
                        l.scenario.duration
                    );
                }
                Ok(())
            }
            Err(LoadError::Invalid(d)) if json => {
                println!("{}", serde_json::to_string_pretty(&d.0)?);
                Err(InvalidInput(format!("{} problem(s) found", d.0.len())).into())
            }
            Err(e) => Err(load(&file, &set).err().unwrap_or_else(|| anyhow::anyhow!("{e}"))),
        },
        Command::Bench { devices, days, threads, seed, stepping, json } => {
            if !(days > 0.0 && days <= 50.0 * 365.0) {
                bail!(InvalidInput(format!("error: --days must be between 0 and 18250, got {days}")));
            }
            let stepping = if stepping == "auto" { Stepping::Auto } else { Stepping::EveryTick };
            let r = studio::bench::run_bench(&studio::bench::BenchRequest { devices, days, threads, seed, stepping })
                .map_err(|e| InvalidInput(format!("error: {e:#}")))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print!("{}", table::bench(&r));
            }
            Ok(())
        }
        Command::Schema { .. } => {
            println!("{}", serde_json::to_string_pretty(&sim_core::scenario::schema::scenario_schema())?);
            Ok(())
        }
        Command::Runs { limit, json, db } => {
            let db = studio::paths::resolve_db(db);
            let store = open_store(&db)?;
            let runs = store.list_runs(limit)?;
            if json {
                let v: Vec<serde_json::Value> = runs
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "id": r.id, "created_at": r.created_at, "scenario": r.scenario_name, "file": r.scenario_file,
                            "seed": r.seed, "devices": r.devices, "status": r.status, "replication_of": r.replication_of,
                            "wall_s": r.wall_s,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print!("{}", table::runs(&runs));
            }
            Ok(())
        }
        Command::Sweep { file, over, replications, common: Simulating { set, threads, json, report, db } } => {
            let spec = studio::sweep::SweepSpec::parse(&over).map_err(|m| InvalidInput(format!("error: {m}")))?;
            let db = studio::paths::resolve_db(db);
            let bar = progress::Bar::new(std::io::stderr().is_terminal());
            let progress = |i: usize, n: usize, f: f64| bar.set((i as f64 + f) / n as f64);
            let outcome = studio::sweep::run_sweep(&studio::sweep::SweepRequest {
                file: &file,
                overrides: &set,
                spec: &spec,
                replications,
                threads,
                db: db.clone(),
                progress: Some(&progress),
            })
            .map_err(invalid_if_load_error)?;
            bar.finish();
            let crossovers = studio::sweep::sweep_crossovers(&outcome.points);
            if json {
                let mut v = studio::sweep::sweep_json(outcome.sweep_id, &outcome.points);
                v["crossovers"] = serde_json::to_value(&crossovers)?;
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print!("{}", table::sweep(&spec.path, &outcome.points, &crossovers));
                println!(
                    "\nStored as sweep {id} in {} (scaleproof report sweep:{id} --out sweep-{id}.html).",
                    db.display(),
                    id = outcome.sweep_id
                );
            }
            if let Some(out) = report {
                write_report(&db, studio::reports::Target::Sweep(outcome.sweep_id), &out, None, json)?;
            }
            Ok(())
        }
        Command::Sensitivity {
            file,
            vary,
            on,
            replications,
            common: Simulating { set, threads, json, report, db },
        } => {
            let variations = vary
                .iter()
                .map(|v| studio::sensitivity::Variation::parse(v))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| InvalidInput(format!("error: {m}")))?;
            let db = studio::paths::resolve_db(db);
            let bar = progress::Bar::new(std::io::stderr().is_terminal());
            let progress = |f: f64| bar.set(f);
            let outcome = studio::sensitivity::run_sensitivity(&studio::sensitivity::SensitivityRequest {
                file: &file,
                overrides: &set,
                variations: &variations,
                kpi: &on,
                replications,
                threads,
                db: db.clone(),
                progress: Some(&progress),
            })
            .map_err(invalid_if_load_error)?;
            bar.finish();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "id": outcome.id, "study": outcome.study }))?
                );
            } else {
                print!("{}", table::sensitivity(&outcome.study));
                println!(
                    "\nStored as sweep:{id} in {} (scaleproof report sweep:{id} --out tornado.html).",
                    db.display(),
                    id = outcome.id
                );
            }
            if let Some(out) = report {
                write_report(&db, studio::reports::Target::Sweep(outcome.id), &out, None, json)?;
            }
            Ok(())
        }
        Command::Compare { run_a, run_b, json, report, db } => {
            let db = studio::paths::resolve_db(db);
            let store = open_store(&db)?;
            let (a, b) = (run_id(&store, &db, &run_a)?, run_id(&store, &db, &run_b)?);
            drop(store);
            let c = studio::compare::compare_runs(&db, a, b)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&c)?);
            } else {
                print!("{}", table::comparison(&c));
            }
            if let Some(out) = report {
                let tri = |d: &[studio::compare::Difference]| -> Vec<(String, String, String)> {
                    d.iter().map(|x| (x.path.clone(), x.a.clone(), x.b.clone())).collect()
                };
                let (assumptions, prices) = (tri(&c.assumptions), tri(&c.prices));
                let results: Vec<_> = c.results.iter().map(|f| (f.name.clone(), f.a, f.b)).collect();
                let rep = report::compare_report(&report::CompareInput {
                    title_a: format!("run {} ({})", c.run_a, c.scenario_a),
                    title_b: format!("run {} ({})", c.run_b, c.scenario_b),
                    assumptions: &assumptions,
                    prices: &prices,
                    results: &results,
                    generated_at: &studio::utc_now_rfc3339(),
                });
                std::fs::write(&out, rep.html).with_context(|| format!("writing {}", out.display()))?;
                let m = format!("Wrote the comparison {}.", out.display());
                if json { eprintln!("{m}") } else { println!("{m}") }
            }
            Ok(())
        }
        Command::Export { run, format, table, out, db } => {
            let db = studio::paths::resolve_db(db);
            let id = run_id(&open_store(&db)?, &db, &run)?;
            let format = studio::export::Format::parse(&format).map_err(|m| InvalidInput(format!("error: {m}")))?;
            let table = studio::export::Table::parse(&table).map_err(|m| InvalidInput(format!("error: {m}")))?;
            match out {
                Some(path) => {
                    let mut f = std::io::BufWriter::new(
                        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
                    );
                    let n = studio::export::export(&db, id, table, format, &mut f)?;
                    f.flush()?;
                    eprintln!("Wrote {n} rows to {}.", path.display());
                }
                None if format == studio::export::Format::Parquet => {
                    bail!(InvalidInput("error: parquet is binary: give --out FILE.parquet".into()))
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    studio::export::export(&db, id, table, format, &mut stdout)?;
                }
            }
            Ok(())
        }
        Command::Report { target, out, png, db } => {
            let target = studio::reports::Target::parse(&target).map_err(|m| InvalidInput(format!("error: {m}")))?;
            let db = studio::paths::resolve_db(db);
            write_report(&db, target, &out, png.as_deref(), false)
        }
        Command::Show { run, json, series, db } => {
            let db = studio::paths::resolve_db(db);
            let store = open_store(&db)?;
            let id = run_id(&store, &db, &run)?;
            let rec = store.get_run(id)?.context("the run vanished while it was read")?;
            if json {
                let summary: serde_json::Value = rec
                    .row
                    .summary_json
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()?
                    .unwrap_or(serde_json::Value::Null);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "id": rec.row.id, "status": rec.row.status, "created_at": rec.row.created_at, "scenario_file": rec.row.scenario_file,
                        "seed": rec.row.seed, "engine_version": rec.engine_version, "overrides": serde_json::from_str::<serde_json::Value>(&rec.overrides_json)?,
                        "summary": summary,
                    }))?
                );
            } else {
                print!("{}", table::show(&rec));
            }
            if series {
                print!("{}", table::series_csv(&store.series(id)?));
            }
            Ok(())
        }
    }
}
