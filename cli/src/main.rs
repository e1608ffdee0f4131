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
    /// Print a JSON Schema (`scenario` or `pricebook`) for editors.
    Schema {
        #[arg(value_parser = ["scenario", "pricebook"])]
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
    /// Publish the scenario's fleet to a real MQTT broker, each device its own client, paced in
    /// real time or faster; what the simulation loses is never published.
    Live {
        file: PathBuf,
        #[command(flatten)]
        broker: BrokerOpts,
        /// Simulated seconds per wall second (1: real time; 0: as fast as the broker takes it).
        #[arg(long, default_value_t = 1.0, value_parser = speed)]
        speed: f64,
        /// Simulated time to play (default: the scenario's duration).
        #[arg(long, value_name = "DURATION")]
        duration: Option<String>,
        /// Fleet size (default: the scenario's); classes keep their shares and sites their
        /// devices per gateway, as in `sweep --over devices=...`.
        #[arg(long)]
        devices: Option<u32>,
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=1))]
        qos: u8,
        /// Topic prefix: PREFIX/SITE/DEVICE/telemetry.
        #[arg(long, default_value = "scaleproof")]
        prefix: String,
        /// New connections per second while the fleet comes up.
        #[arg(long, default_value_t = 1000.0, value_parser = rate)]
        connect_rate: f64,
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The pilot bridge: emulate a pilot, record one, compare it with its twin.
    Pilot {
        #[command(subcommand)]
        command: PilotCommand,
    },
    /// Fit the twin to a pilot recording (loss bursts, outages, latency, reboots, battery drain)
    /// and write the calibrated scenario with the fit and its 95 % intervals.
    Calibrate {
        /// A recording id or name (see `scaleproof pilot recordings`).
        recording: String,
        /// The scenario to calibrate (its first device class is the pilot's).
        #[arg(long, value_name = "FILE")]
        base: PathBuf,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Only readings with times in FROM..TO (RFC 3339), e.g.
        /// 2026-01-01T00:00:00Z..2026-03-01T00:00:00Z (default: the recording's own extent,
        /// which leaves out readings from unset or broken clocks).
        #[arg(long, value_name = "FROM..TO", value_parser = reading_window)]
        readings_between: Option<studio::pilot::ReadingWindow>,
        /// Print the fit as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long)]
        db: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PilotCommand {
    /// A stand-in for real hardware: devices with known ground truth publishing in a pilot's
    /// own format, faster than real time; the truth goes to --truth.
    Emulate {
        #[command(flatten)]
        broker: BrokerOpts,
        #[arg(long, default_value_t = 50)]
        devices: u32,
        #[arg(long, default_value_t = 30.0)]
        days: f64,
        /// Seconds between readings.
        #[arg(long, default_value_t = 300.0)]
        period_s: f64,
        /// Emulated seconds per wall second (0: as fast as the broker takes it).
        #[arg(long, default_value_t = 0.0, value_parser = speed)]
        speed: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 0.004)]
        p_good_to_bad: f64,
        #[arg(long, default_value_t = 0.4)]
        p_bad_to_good: f64,
        #[arg(long, default_value_t = 48.0)]
        outage_up_h: f64,
        #[arg(long, default_value_t = 3.0)]
        outage_down_h: f64,
        #[arg(long, default_value_t = 0.8)]
        latency_median_s: f64,
        #[arg(long, default_value_t = 6.0)]
        latency_p99_s: f64,
        #[arg(long, default_value_t = 0.25)]
        reboots_per_day: f64,
        #[arg(long, default_value_t = 0.2)]
        drain_pct_per_day: f64,
        /// Write the ground truth and what happened (JSON).
        #[arg(long, value_name = "FILE.json")]
        truth: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Record a pilot's topics (QoS 1, persistent session) into the run database through a
    /// mapping file; malformed messages are counted and sampled.
    Record {
        #[command(flatten)]
        broker: BrokerOpts,
        /// How to read the pilot's messages (see scenarios/maps/emulated-pilot.toml).
        #[arg(long, value_name = "MAP.toml")]
        map: PathBuf,
        #[arg(long, default_value = "pilot")]
        name: String,
        /// Stop after this long (wall clock, e.g. 2h); default: until Ctrl-C or --idle-timeout.
        #[arg(long, value_name = "DURATION")]
        duration: Option<String>,
        /// Stop once no message has come for this long (e.g. 10s).
        #[arg(long, value_name = "DURATION")]
        idle_timeout: Option<String>,
        /// Warn while recording when the pilot drifts from this scenario's twin.
        #[arg(long, value_name = "SCENARIO")]
        twin: Option<PathBuf>,
        /// Check the twin every this many messages.
        #[arg(long, default_value_t = 50_000)]
        check_every: u64,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Start a local mosquitto broker for the walkthrough and tests (loopback only), set up for
    /// recording: persistent sessions, no limit on queued messages. Runs until Ctrl-C.
    Broker {
        #[arg(long, default_value_t = 1883)]
        port: u16,
        /// Let clients in without a password (default: every client logs in as `scaleproof`
        /// with the password the broker keeps in its state directory).
        #[arg(long)]
        anonymous: bool,
    },
    /// Stored recordings, newest first.
    Recordings {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Run the twin of a recorded pilot (same devices and duration) and set them side by side:
    /// distances, a verdict against tolerances, and an HTML report with charts.
    Compare {
        recording: String,
        scenario: PathBuf,
        #[arg(long, value_name = "FILE.html")]
        out: Option<PathBuf>,
        /// Also write every chart as a PNG into this directory.
        #[arg(long, value_name = "DIR")]
        png: Option<PathBuf>,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Tolerances: delivery_pp, gap_ks, latency_ks, rate_rel, battery_rel (repeatable).
        #[arg(long = "tolerance", value_name = "NAME=VALUE")]
        tolerance: Vec<String>,
        /// Only readings with times in FROM..TO (RFC 3339), e.g.
        /// 2026-01-01T00:00:00Z..2026-03-01T00:00:00Z (default: the recording's own extent,
        /// which leaves out readings from unset or broken clocks).
        #[arg(long, value_name = "FROM..TO", value_parser = reading_window)]
        readings_between: Option<studio::pilot::ReadingWindow>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        db: Option<PathBuf>,
    },
}

/// Where the broker is and how to authenticate. Secrets come from a file or the environment.
#[derive(clap::Args)]
struct BrokerOpts {
    /// mqtt://HOST:PORT or mqtts://HOST:PORT.
    #[arg(long, value_name = "URL")]
    broker: String,
    /// The CA that signed the broker's certificate (mqtts).
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Per-client TLS certificates: DIR/NAME.crt and DIR/NAME.key (PEM).
    #[arg(long, value_name = "DIR")]
    cert_dir: Option<PathBuf>,
    /// Passwords: lines NAME:PASSWORD (split at the first `:`) and *:PASSWORD for every other
    /// client, or one line with one password for all (else $SCALEPROOF_MQTT_PASSWORD).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Username template, `{device}` replaced by the client's name (default: the name).
    #[arg(long)]
    username: Option<String>,
    /// Consecutive failed connection attempts before giving up (0.25 s apart, doubling to 5 s);
    /// a refused login or a failed TLS verification gives up at once.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    connect_attempts: u32,
}

impl BrokerOpts {
    /// The broker, TLS files and credentials, read now: any error is the user's input (exit 2).
    /// Warnings (a password in the clear, a readable password file) go to stderr.
    fn connect(&self) -> Result<bridge::broker::Connect> {
        let mut c = studio::bridge::BrokerArgs {
            url: self.broker.clone(),
            ca: self.ca.clone(),
            cert_dir: self.cert_dir.clone(),
            password_file: self.password_file.clone(),
            username: self.username.clone(),
        }
        .connect()
        .map_err(|e| anyhow::Error::new(InvalidInput(format!("error: {e:#}"))))?;
        c.retry.attempts = self.connect_attempts;
        for w in c.warnings() {
            eprintln!("warning: {w}");
        }
        Ok(c)
    }
}

/// A finite number of at least 0 (`nan`, `inf` and negatives are refused with exit 2).
fn non_negative(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("expected a finite number of at least 0, got `{text}`")),
    }
}

fn reading_window(text: &str) -> std::result::Result<studio::pilot::ReadingWindow, String> {
    studio::pilot::ReadingWindow::parse(text)
}

/// A pace in simulated seconds per wall second: 0 (as fast as possible) or 0.001 to 1e9.
fn speed(text: &str) -> std::result::Result<f64, String> {
    match non_negative(text)? {
        x if x == 0.0 || (bridge::live::MIN_SPEED..=1e9).contains(&x) => Ok(x),
        x => Err(format!("expected 0 (as fast as possible) or from {} to 1e9, got {x}", bridge::live::MIN_SPEED)),
    }
}

/// Connections per second: 1 to 1e6.
fn rate(text: &str) -> std::result::Result<f64, String> {
    match non_negative(text)? {
        x if (1.0..=1e6).contains(&x) => Ok(x),
        x => Err(format!("expected from 1 to 1e6 connections per second, got {x}")),
    }
}

fn duration_arg(flag: &str, text: &str) -> Result<std::time::Duration> {
    let d = sim_core::time::parse_duration(text).map_err(|e| InvalidInput(format!("error: {flag} {text:?}: {e}")))?;
    Ok(std::time::Duration::from_micros(d.0))
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
            eprintln!("error: {}", without_error_prefix(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

/// Checks up front that an output file can be written where it is asked for (its folder exists
/// and it is not a folder), so a long run is not lost to a typo in `--report` or `--out`.
fn writable(out: Option<&std::path::Path>) -> Result<()> {
    let Some(out) = out else { return Ok(()) };
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        bail!(InvalidInput(format!(
            "error: cannot write {}: the folder {} does not exist",
            out.display(),
            dir.display()
        )));
    }
    if out.is_dir() {
        bail!(InvalidInput(format!("error: cannot write {}: it is a folder", out.display())));
    }
    Ok(())
}

/// A message that already starts with `error: ` (diagnostics, wrapped errors) is printed with
/// the prefix once, not "error: error:".
fn without_error_prefix(msg: &str) -> &str {
    let mut m = msg;
    while let Some(rest) = m.strip_prefix("error: ") {
        m = rest;
    }
    m
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

/// Opens the run database for a command that only reads it (see [`studio::open_for_reading`]).
fn open_store(db: &std::path::Path) -> Result<store::Store> {
    studio::open_for_reading(db)
}

fn pilot(command: PilotCommand) -> Result<()> {
    match command {
        PilotCommand::Emulate {
            broker,
            devices,
            days,
            period_s,
            speed,
            seed,
            p_good_to_bad,
            p_bad_to_good,
            outage_up_h,
            outage_down_h,
            latency_median_s,
            latency_p99_s,
            reboots_per_day,
            drain_pct_per_day,
            truth,
            json,
        } => {
            let t = bridge::emulate::Truth {
                devices,
                days,
                period_s,
                seed,
                p_good_to_bad,
                p_bad_to_good,
                outage_mean_up_h: outage_up_h,
                outage_mean_down_h: outage_down_h,
                latency_median_s,
                latency_p99_s,
                reboots_per_day,
                battery_drain_pct_per_day: drain_pct_per_day,
                ..bridge::emulate::Truth::default()
            };
            if let Err(bad) = t.check() {
                bail!(InvalidInput(bad.iter().map(|b| format!("error: {b}")).collect::<Vec<_>>().join("\n")));
            }
            let connect = broker.connect()?;
            if !json {
                eprintln!(
                    "emulate: {devices} devices, {days} days every {period_s} s, to {}",
                    bridge::broker::redact(&broker.broker)
                );
            }
            let r = studio::bridge::emulate(&connect, &t, speed, truth.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "Emulated {} readings: {} lost in bursts, {} in outages, {} reboots; published {} in {:.1} s, all acknowledged by the broker.",
                    r.readings, r.lost_channel, r.lost_outage, r.reboots, r.published, r.wall_s
                );
                if let Some(f) = &truth {
                    println!("Wrote the ground truth to {}.", f.display());
                }
            }
            Ok(())
        }
        PilotCommand::Record { broker, map, name, duration, idle_timeout, twin, check_every, json, db } => {
            let db = studio::paths::resolve_db(db);
            let duration = duration.map(|d| duration_arg("--duration", &d)).transpose()?;
            let idle_timeout = idle_timeout.map(|d| duration_arg("--idle-timeout", &d)).transpose()?;
            if let Some(t) = &twin {
                load(t, &[])?;
            }
            let connect = broker.connect()?;
            let (map, map_text) =
                bridge::map::PilotMap::read(&map).map_err(|e| InvalidInput(format!("error: {e:#}")))?;
            if !json {
                eprintln!(
                    "record: {} into {} as `{name}` (Ctrl-C to stop)",
                    bridge::broker::redact(&broker.broker),
                    db.display()
                );
            }
            let req = studio::bridge::RecordRequest {
                db: &db,
                map: &map,
                map_text: &map_text,
                name,
                duration,
                idle_timeout,
                twin: twin.as_deref(),
                check_every,
            };
            let s = studio::bridge::record(&connect, &req, &mut |w| eprintln!("warning: {w}"))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "Recording {}: {} messages stored, {} duplicates, {} malformed (counted, first {} kept); {} reconnects; {:.1} s.",
                    s.recording,
                    s.received,
                    s.duplicates,
                    s.malformed,
                    store::MALFORMED_SAMPLE,
                    s.reconnects,
                    s.wall_s
                );
            }
            Ok(())
        }
        PilotCommand::Broker { port, anonymous } => {
            let mut b = studio::bridge::local_broker(port, anonymous)?;
            println!(
                "mosquitto listening on mqtt://127.0.0.1:{port}; state, config and log in {} (kept across restarts); Ctrl-C stops it.",
                b.dir.display()
            );
            if !anonymous {
                println!(
                    "clients log in with: --username {} --password-file {}",
                    bridge::mosquitto::KEPT_BROKER_USER,
                    b.dir.join("client.pw").display()
                );
            }
            b.wait();
            Ok(())
        }
        PilotCommand::Recordings { json, db } => {
            let db = studio::paths::resolve_db(db);
            let rows = if db.exists() { open_store(&db)?.list_recordings(100)? } else { Vec::new() };
            if json {
                let v: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        serde_json::json!({"id": r.id, "name": r.name, "created_at": r.created_at, "broker": r.broker,
                            "status": r.status, "devices": r.devices.len(), "received": r.received,
                            "duplicates": r.duplicates, "malformed": r.malformed})
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else if rows.is_empty() {
                println!("No recordings in {} yet (`scaleproof pilot record`).", db.display());
            } else {
                println!(
                    "{:>4}  {:<16} {:<10} {:>7} {:>10} {:>9}  broker",
                    "id", "name", "status", "devices", "messages", "malformed"
                );
                for r in rows {
                    println!(
                        "{:>4}  {:<16} {:<10} {:>7} {:>10} {:>9}  {}",
                        r.id,
                        r.name,
                        r.status,
                        r.devices.len(),
                        r.received,
                        r.malformed,
                        r.broker
                    );
                }
            }
            Ok(())
        }
        PilotCommand::Compare { recording, scenario, out, png, set, tolerance, readings_between, json, db } => {
            writable(out.as_deref())?;
            let db = studio::paths::resolve_db(db);
            let mut tol = sim_core::pilot::Tolerances::default();
            for t in &tolerance {
                let (k, v) = t
                    .split_once('=')
                    .ok_or_else(|| InvalidInput(format!("error: --tolerance {t:?}: expected NAME=VALUE")))?;
                let v = non_negative(v).map_err(|m| InvalidInput(format!("error: --tolerance {t:?}: {m}")))?;
                match k {
                    "delivery_pp" => tol.delivery_pp = v,
                    "gap_ks" => tol.gap_ks = v,
                    "latency_ks" => tol.latency_ks = v,
                    "rate_rel" => tol.rate_rel = v,
                    "battery_rel" => tol.battery_rel = v,
                    _ => bail!(InvalidInput(format!(
                        "error: --tolerance {k}: one of delivery_pp, gap_ks, latency_ks, rate_rel, battery_rel"
                    ))),
                }
            }
            let rec = studio::pilot::load_recording(&db, &recording, readings_between.unwrap_or_default())
                .map_err(|e| InvalidInput(format!("error: {e:#}")))?;
            if let Some(note) = rec.excluded_note() {
                eprintln!("note: {note}");
            }
            load(&scenario, &set)?;
            let c = studio::pilot::compare_pilot(&rec, &scenario, &set, &tol, &studio::utc_now_rfc3339())?;
            if let Some(out) = &out {
                std::fs::write(out, &c.report.html).with_context(|| format!("writing {}", out.display()))?;
            }
            if let Some(dir) = &png {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                for chart in &c.report.charts {
                    chart.to_png(&dir.join(format!("{}.png", chart.id))).map_err(anyhow::Error::msg)?;
                }
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&c.comparison)?);
            } else {
                println!(
                    "Pilot (recording {}, {} devices, {:.1} device-days) vs twin ({}):",
                    rec.row.id,
                    rec.devices(),
                    c.pilot.device_days,
                    scenario.display()
                );
                println!("  {:<36} {:>10} {:>10} {:>10} {:>10}", "metric", "pilot", "twin", "distance", "tolerance");
                for d in &c.comparison.distances {
                    println!(
                        "  {:<36} {:>10.4} {:>10.4} {:>10.3} {:>10.3}  {}",
                        d.metric,
                        d.pilot,
                        d.twin,
                        d.distance,
                        d.tolerance,
                        if d.ok { "within" } else { "OUTSIDE" }
                    );
                }
                println!("{}", if c.comparison.matches { "Verdict: match." } else { "Verdict: mismatch." });
                if let Some(out) = &out {
                    println!("Wrote the report {}: open it in a browser.", out.display());
                }
            }
            Ok(())
        }
    }
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
        Command::Live { file, broker, speed, duration, devices, qos, prefix, connect_rate, seed, mut set, json } => {
            if let Some(d) = &duration {
                duration_arg("--duration", d)?;
                set.push(format!("scenario.duration=\"{d}\""));
            }
            if let Some(n) = devices {
                let base = load(&file, &set)?;
                set.extend(studio::sweep::fleet_size_overrides(&base.scenario, n as u64));
            }
            let loaded = load(&file, &set)?;
            let connect = broker.connect()?;
            if !json {
                eprintln!(
                    "live: {} devices of {} to {} at {}x for {} simulated",
                    loaded.scenario.device_count(),
                    loaded.scenario.name,
                    bridge::broker::redact(&broker.broker),
                    if speed == 0.0 { "full speed".to_string() } else { format!("{speed}") },
                    table::human_s(loaded.scenario.duration.as_secs_f64())
                );
            }
            let req = studio::bridge::LiveRequest { speed, qos, prefix, connect_rate, seed };
            let s = studio::bridge::live(&connect, &loaded.scenario, req)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "{} devices ({} connected at most, {} connection failures) published {} messages in {:.1} s ({:.0}/s, {:.1} s CPU): {} acknowledged.",
                    s.devices,
                    s.connections_peak,
                    s.connect_failures,
                    s.published,
                    s.wall_s,
                    s.messages_per_s,
                    s.cpu_s,
                    s.acknowledged
                );
                println!(
                    "The simulation took {} readings: {} lost on the way (never published), {} still buffered at the end, {} while the client was not connected; {} reboots, {} command replies.",
                    s.generated,
                    s.dropped_by_simulation,
                    s.buffered_end,
                    s.not_connected,
                    s.reboots,
                    s.commands_answered
                );
            }
            Ok(())
        }
        Command::Pilot { command } => pilot(command),
        Command::Calibrate { recording, base, out, readings_between, json, db } => {
            writable(Some(&out))?;
            let db = studio::paths::resolve_db(db);
            let rec = studio::pilot::load_recording(&db, &recording, readings_between.unwrap_or_default())
                .map_err(|e| InvalidInput(format!("error: {e:#}")))?;
            if let Some(note) = rec.excluded_note() {
                eprintln!("note: {note}");
            }
            let cal =
                studio::pilot::calibrate(&rec, &base, &studio::utc_now_rfc3339()).map_err(invalid_if_load_error)?;
            std::fs::write(&out, &cal.scenario_text).with_context(|| format!("writing {}", out.display()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&cal.fit)?);
            } else {
                println!(
                    "Calibrated from recording {} ({} devices, {:.1} device-days, {} messages). Fitted, with 95 % intervals:",
                    rec.row.id, cal.fit.devices, cal.fit.device_days, cal.fit.received
                );
                for l in studio::pilot::fit_lines(&cal.fit) {
                    println!("  {l}");
                }
                for w in &cal.fit.warnings {
                    println!("  note: {w}");
                }
                println!("Wrote the calibrated scenario {} (the fit is in its header).", out.display());
            }
            Ok(())
        }
        Command::Run { file, seed, replications, common: Simulating { set, threads, json, report, db } } => {
            let loaded = load(&file, &set)?;
            writable(report.as_deref())?;
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
        Command::Schema { what } => {
            let schema = match what.as_str() {
                "pricebook" => sim_core::cost::schema::pricebook_schema(),
                _ => sim_core::scenario::schema::scenario_schema(),
            };
            println!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(())
        }
        Command::Runs { limit, json, db } => {
            let db = studio::paths::resolve_db(db);
            let runs = if db.exists() { open_store(&db)?.list_runs(limit)? } else { Vec::new() };
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
            writable(report.as_deref())?;
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
            studio::sensitivity::check_kpi(&on).map_err(|m| InvalidInput(format!("error: {m}")))?;
            writable(report.as_deref())?;
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
            writable(report.as_deref())?;
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
            writable(out.as_deref())?;
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
            writable(Some(&out))?;
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
