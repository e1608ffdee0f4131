//! The `scaleproof` binary: argument parsing, printing and exit codes (0 success, 2 invalid
//! input, 1 anything else). All work is done by `studio`.

// Every write to stdout or stderr goes through `output` (a closed pipe is a quiet exit, not a
// panic).
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[macro_use]
mod output;
mod progress;
mod records;
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use studio::model::Stepping;
use studio::{Config, ErrorCode};

use crate::progress::{Progress, When};

/// Run database help, shared by every command that takes `--db`.
const DB_HELP: &str = "Run database (default: $SCALEPROOF_DB, else $XDG_DATA_HOME/scaleproof/runs.db)";

#[derive(Parser)]
#[command(
    name = "scaleproof",
    version,
    about = "Stress-test an IoT fleet design before you buy it: simulate thousands to millions of devices over months.",
    after_help = "Examples:
  scaleproof run scenarios/mine-pilot.toml
  scaleproof sweep scenarios/mine-production.toml --over devices=200,2000,20000
  scaleproof show last --json
  scaleproof completions bash > ~/.local/share/bash-completion/completions/scaleproof

Exit codes: 0 success, 2 invalid input (checked before any work), 1 anything else."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario, store it, and print a summary (or the RunSummary JSON with --json).
    #[command(after_help = "Examples:
  scaleproof run scenarios/mine-pilot.toml
  scaleproof run scenarios/mine-pilot.toml --set scenario.duration=7d --replications 5
  scaleproof run scenarios/mine-pilot.toml --json --report mine.html")]
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        #[command(flatten)]
        replicating: Replicating,
        #[command(flatten)]
        common: Simulating,
    },
    /// Check a scenario and report every problem with file, line and field; exit 2 if any.
    #[command(after_help = "Examples:
  scaleproof validate scenarios/mine-pilot.toml
  scaleproof validate my.toml --set fleet.sensors.count=20000 --json")]
    Validate {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Override a field before checking: --set fleet.sensors.count=20000 (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Print the problems as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a JSON Schema (scenario files or price books) for editors.
    #[command(after_help = "Examples:
  scaleproof schema scenario > scenario.schema.json
  scaleproof schema pricebook > pricebook.schema.json")]
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        what: SchemaKind,
    },
    /// List stored runs, newest first.
    #[command(after_help = "Examples:
  scaleproof runs
  scaleproof runs --limit 100 --json")]
    Runs {
        /// How many runs to list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// List stored sweeps and sensitivity studies, newest first.
    #[command(after_help = "Examples:
  scaleproof sweeps
  scaleproof sweeps --json
  scaleproof report sweep:3 --out sweep-3.html")]
    Sweeps {
        /// How many to list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// Run the peers' reference fleet (scenarios/bench/reference-fleet.toml) and print its speed
    /// and memory: device-steps per second, peak resident memory, bytes per device.
    #[command(after_help = "Examples:
  scaleproof bench
  scaleproof bench --devices 100000 --days 7 --threads 1 --json")]
    Bench {
        /// Fleet size.
        #[arg(long, default_value_t = 10_000)]
        devices: u32,
        /// Simulated days.
        #[arg(long, default_value_t = 1.0)]
        days: f64,
        /// Worker threads (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// How the engine steps devices through time.
        #[arg(long, value_enum, default_value_t = SteppingArg::Auto)]
        stepping: SteppingArg,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a scenario at several values of one field (fleet size first of all) and print the
    /// cost curve, delivery and losses against it, and the crossovers.
    #[command(after_help = "Examples:
  scaleproof sweep scenarios/mine-production.toml --over devices=200,2000,20000
  scaleproof sweep scenarios/mine-pilot.toml --over fleet.vibration.buffer.capacity=100,1000 \\
      --replications 5
  scaleproof sweep scenarios/mine-pilot.toml --over devices=20,200 --set scenario.duration=2d \\
      --json")]
    Sweep {
        /// The scenario file (TOML).
        file: PathBuf,
        /// PATH=V1,V2,...: `devices=20,200,2000,20000` scales the fleet; any other path is a
        /// field, e.g. fleet.sensors.buffer.capacity=100,500,1000.
        #[arg(long, value_name = "PATH=V1,V2,...")]
        over: String,
        #[command(flatten)]
        replicating: Replicating,
        #[command(flatten)]
        common: Simulating,
    },
    /// Move each assumption alone to a low and a high setting and show which moves a KPI most
    /// (a tornado chart with --report).
    #[command(after_help = "Examples:
  scaleproof sensitivity scenarios/mine-pilot.toml \\
      --vary fleet.vibration.telemetry.period=-50%,+100% \\
      --vary price.labour.truck_roll=-20%,+20%
  scaleproof sensitivity scenarios/mine-pilot.toml \\
      --vary fleet.vibration.buffer.capacity=x0.5,x2 \\
      --on delivery_ratio --report tornado.html")]
    Sensitivity {
        /// The scenario file (TOML).
        file: PathBuf,
        /// PATH=-20%,+20% (repeatable): a scenario field, or price.PATH for a price-book price.
        #[arg(long, value_name = "PATH=LOW,HIGH", required = true)]
        vary: Vec<String>,
        /// tco_per_device_year, tco, capex, opex_per_month, delivery_ratio, loss_pct,
        /// p99_latency_s, battery_life_days, or a dotted path into the RunSummary.
        #[arg(long, value_name = "KPI", default_value = "tco_per_device_year")]
        on: String,
        /// Replications per setting (derived seeds).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        replications: u32,
        #[command(flatten)]
        common: Simulating,
    },
    /// What differs between two stored runs, in assumptions (scenario fields, prices) and in
    /// results.
    #[command(after_help = "Examples:
  scaleproof compare 1 2
  scaleproof compare 1 last --json
  scaleproof compare 1 2 --report compare.html")]
    Compare {
        /// The first run (an id, run:ID, or `last`).
        run_a: String,
        /// The second run (an id, run:ID, or `last`).
        run_b: String,
        /// Print the comparison as JSON (results keyed by stable ids).
        #[arg(long)]
        json: bool,
        /// Also write the comparison as an HTML page.
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// Export a stored run for BI and ERP tools (its hourly series, per-class figures, bill or
    /// summary), or a sweep's or sensitivity study's points (sweep:ID), one row each.
    #[command(after_help = "Examples:
  scaleproof export 1 > series.csv
  scaleproof export last --table bill --format jsonl
  scaleproof export 1 --format parquet --out series.parquet
  scaleproof export sweep:1 --format parquet --out sweep.parquet")]
    Export {
        /// A run id (12 or run:12), `last`, or a sweep or study (sweep:3).
        run: String,
        /// File format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// What of a run (default: series); a sweep exports its points.
        #[arg(long, value_enum)]
        table: Option<ExportTable>,
        /// Output file (default: standard output; required for parquet).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// Write a self-contained HTML report of a run or a sweep (charts inline, nothing fetched).
    #[command(after_help = "Examples:
  scaleproof report last --out run.html
  scaleproof report sweep:3 --out sweep-3.html --png charts/")]
    Report {
        /// A run id (12 or run:12), a sweep or sensitivity study (sweep:3), or `last`.
        target: String,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
        /// Also write every chart as a PNG into this directory.
        #[arg(long, value_name = "DIR")]
        png: Option<PathBuf>,
        /// PNG size: 2 draws every chart at twice the size (1720x840, for 1080p slides).
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4), requires = "png")]
        png_scale: u32,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// Show one stored run (`last` for the newest).
    #[command(after_help = "Examples:
  scaleproof show last
  scaleproof show 12 --json
  scaleproof show 12 --series | head")]
    Show {
        /// The run (an id, run:ID, or `last`).
        run: String,
        /// Print the run as JSON: the same object `run --json` printed.
        #[arg(long)]
        json: bool,
        /// Also print the hourly series as CSV.
        #[arg(long)]
        series: bool,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// Publish the scenario's fleet to a real MQTT broker, each device its own client, paced in
    /// real time or faster; what the simulation loses is never published.
    #[command(after_help = "Examples:
  scaleproof live scenarios/mine-pilot.toml --broker mqtt://127.0.0.1:1883 --speed 0 --duration 1d
  scaleproof live scenarios/mine-pilot.toml --broker mqtts://broker:8883 --ca ca.pem \\
      --cert-dir certs/")]
    Live {
        /// The scenario file (TOML).
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
        /// MQTT quality of service of the uplinks: 0 (at most once) or 1 (at least once).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=1))]
        qos: u8,
        /// Topic prefix: PREFIX/SITE/DEVICE/telemetry.
        #[arg(long, default_value = "scaleproof")]
        prefix: String,
        /// New connections per second while the fleet comes up.
        #[arg(long, default_value_t = 1000.0, value_parser = rate)]
        connect_rate: f64,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Override a field: --set fleet.sensors.count=20000 (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The pilot bridge: emulate a pilot, record one, compare it with its twin.
    #[command(after_help = "Examples:
  scaleproof pilot broker --port 1883
  scaleproof pilot record --broker mqtt://127.0.0.1:1883 --map scenarios/maps/emulated-pilot.toml
  scaleproof pilot compare pilot scenarios/emulated-pilot.toml --out pilot.html")]
    Pilot {
        #[command(subcommand)]
        command: PilotCommand,
    },
    /// Fit the twin to a pilot recording (loss bursts, outages, latency, reboots, battery drain)
    /// and write the calibrated scenario with the fit and its 95 % intervals.
    #[command(after_help = "Examples:
  scaleproof calibrate pilot --base scenarios/emulated-pilot.toml --out calibrated.toml
  scaleproof calibrate 3 --base scenarios/emulated-pilot.toml --out c.toml --json")]
    Calibrate {
        /// A recording id or name (see `scaleproof pilot recordings`).
        recording: String,
        /// The scenario to calibrate (its first device class is the pilot's).
        #[arg(long, value_name = "FILE")]
        base: PathBuf,
        /// The calibrated scenario to write.
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
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  scaleproof completions bash > ~/.local/share/bash-completion/completions/scaleproof
  scaleproof completions zsh > ~/.zfunc/_scaleproof
  scaleproof completions fish > ~/.config/fish/completions/scaleproof.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum PilotCommand {
    /// A stand-in for real hardware: devices with known ground truth publishing in a pilot's
    /// own format, faster than real time; the truth goes to --truth.
    #[command(after_help = "Examples:
  scaleproof pilot emulate --broker mqtt://127.0.0.1:1883 --devices 50 --days 30 \\
      --truth truth.json")]
    Emulate {
        #[command(flatten)]
        broker: BrokerOpts,
        /// Emulated devices.
        #[arg(long, default_value_t = 50)]
        devices: u32,
        /// Emulated days.
        #[arg(long, default_value_t = 30.0)]
        days: f64,
        /// Seconds between readings.
        #[arg(long, default_value_t = 300.0)]
        period_s: f64,
        /// Emulated seconds per wall second (0: as fast as the broker takes it).
        #[arg(long, default_value_t = 0.0, value_parser = speed)]
        speed: f64,
        /// Seed of the emulator's own random numbers.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Ground truth: per-reading probability that the channel turns bad (Gilbert).
        #[arg(long, default_value_t = 0.004)]
        p_good_to_bad: f64,
        /// Ground truth: per-reading probability that a bad channel turns good again.
        #[arg(long, default_value_t = 0.4)]
        p_bad_to_good: f64,
        /// Ground truth: mean hours between a device's outages.
        #[arg(long, default_value_t = 48.0)]
        outage_up_h: f64,
        /// Ground truth: mean hours an outage lasts.
        #[arg(long, default_value_t = 3.0)]
        outage_down_h: f64,
        /// Ground truth: median latency, seconds.
        #[arg(long, default_value_t = 0.8)]
        latency_median_s: f64,
        /// Ground truth: 99th percentile latency, seconds.
        #[arg(long, default_value_t = 6.0)]
        latency_p99_s: f64,
        /// Ground truth: reboots per device-day.
        #[arg(long, default_value_t = 0.25)]
        reboots_per_day: f64,
        /// Ground truth: battery drain, percent per day.
        #[arg(long, default_value_t = 0.2)]
        drain_pct_per_day: f64,
        /// Write the ground truth and what happened (JSON).
        #[arg(long, value_name = "FILE.json")]
        truth: Option<PathBuf>,
        /// Print what was published as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record a pilot's topics (QoS 1, persistent session) into the run database through a
    /// mapping file; malformed messages are counted and sampled.
    #[command(after_help = "Examples:
  scaleproof pilot record --broker mqtt://127.0.0.1:1883 \\
      --map scenarios/maps/emulated-pilot.toml \\
      --name field-trial --idle-timeout 10s")]
    Record {
        #[command(flatten)]
        broker: BrokerOpts,
        /// How to read the pilot's messages (see scenarios/maps/emulated-pilot.toml).
        #[arg(long, value_name = "MAP.toml")]
        map: PathBuf,
        /// The recording's name (what `calibrate` and `pilot compare` take).
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
        /// Print the recording's counts as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// Start a local mosquitto broker for the walkthrough and tests (loopback only), set up for
    /// recording: persistent sessions, no limit on queued messages. Runs until Ctrl-C.
    #[command(after_help = "Examples:
  scaleproof pilot broker
  scaleproof pilot broker --port 1884 --anonymous")]
    Broker {
        /// Loopback port to listen on.
        #[arg(long, default_value_t = 1883)]
        port: u16,
        /// Let clients in without a password (default: every client logs in as `scaleproof`
        /// with the password the broker keeps in its state directory).
        #[arg(long)]
        anonymous: bool,
    },
    /// Stored recordings, newest first.
    #[command(after_help = "Examples:
  scaleproof pilot recordings
  scaleproof pilot recordings --json")]
    Recordings {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// Run the twin of a recorded pilot (same devices and duration) and set them side by side:
    /// distances, a verdict against tolerances, and an HTML report with charts.
    #[command(after_help = "Examples:
  scaleproof pilot compare pilot scenarios/emulated-pilot.toml --out pilot.html
  scaleproof pilot compare 3 calibrated.toml --tolerance gap_ks=0.1 --json")]
    Compare {
        /// A recording id or name (see `scaleproof pilot recordings`).
        recording: String,
        /// The twin's scenario file (TOML).
        scenario: PathBuf,
        /// Write the HTML report with charts here.
        #[arg(long, value_name = "FILE.html")]
        out: Option<PathBuf>,
        /// Also write every chart as a PNG into this directory.
        #[arg(long, value_name = "DIR")]
        png: Option<PathBuf>,
        /// Override a field of the twin: --set fleet.sensors.count=20000 (repeatable).
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
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
}

/// `schema WHAT`.
#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    /// Scenario files.
    Scenario,
    /// Price books.
    Pricebook,
}

/// `bench --stepping`.
#[derive(Clone, Copy, ValueEnum)]
enum SteppingArg {
    /// Skip quiet ticks in bulk where that is exact.
    Auto,
    /// Step every device through every tick.
    EveryTick,
}

/// `export --format`.
#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// Apache Parquet (needs --out).
    Parquet,
}

/// `export --table`.
#[derive(Clone, Copy, ValueEnum)]
enum ExportTable {
    /// Hourly counts per device class.
    Series,
    /// The bill, one line per item.
    Bill,
    /// Every figure of the RunSummary, one row per dotted path.
    Summary,
    /// The run's timeline: shared outages, sags, scheduled events, firmware waves, leaks.
    Events,
}

/// The name clap shows for a value (what studio's parsers take).
fn value_name(v: &impl ValueEnum) -> String {
    v.to_possible_value().map(|p| p.get_name().to_string()).unwrap_or_default()
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
    fn connect(&self) -> Result<studio::bridge::BrokerConnection> {
        let mut c = studio::bridge::BrokerArgs {
            url: self.broker.clone(),
            ca: self.ca.clone(),
            cert_dir: self.cert_dir.clone(),
            password_file: self.password_file.clone(),
            username: self.username.clone(),
        }
        .connect()
        .map_err(|e| invalid(format!("{e:#}")))?;
        c.retry.attempts = self.connect_attempts;
        for w in c.warnings() {
            note!("warning: {w}");
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
    studio::pilot::ReadingWindow::parse(text).map_err(|e| e.to_string())
}

/// A pace in simulated seconds per wall second: 0 (as fast as possible) or 0.001 to 1e9.
fn speed(text: &str) -> std::result::Result<f64, String> {
    match non_negative(text)? {
        x if x == 0.0 || (studio::bridge::MIN_SPEED..=1e9).contains(&x) => Ok(x),
        x => Err(format!("expected 0 (as fast as possible) or from {} to 1e9, got {x}", studio::bridge::MIN_SPEED)),
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
    Ok(studio::parse_duration(text).map_err(|e| invalid(format!("{flag} {text:?}: {e}")))?)
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
    /// Progress on stderr: what runs, elapsed time and time left (auto: when stderr is a
    /// terminal).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = When::Auto)]
    progress: When,
    #[arg(long, help = DB_HELP)]
    db: Option<PathBuf>,
}

/// How many replications: a fixed count, or as many as the precision goal needs.
#[derive(clap::Args)]
struct Replicating {
    /// Independent replications (derived seeds); every figure is then their mean with its 95 %
    /// interval. Alone it fixes the count; default: start with 3 and add 4 at a time until the
    /// precision goal is met.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    replications: Option<u32>,
    /// Precision goal for the KPIs that have targets: add replications until each one's 95 %
    /// interval is clear of its target or at most this wide (half-width, percent of its mean;
    /// for the delivery ratio, of the loss ratio). Default 1%.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    precision: Option<f64>,
    /// The most replications the precision goal may use. Default 20.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    max_replications: Option<u32>,
}

impl Replicating {
    /// The first batch and the precision goal (None: exactly that many).
    fn plan(&self) -> Result<(u32, Option<studio::run::Precision>)> {
        let default = studio::run::Precision::DEFAULT;
        let adaptive = self.replications.is_none() || self.precision.is_some() || self.max_replications.is_some();
        let first = self.replications.unwrap_or(studio::run::Precision::FIRST_BATCH);
        if !adaptive {
            return Ok((first, None));
        }
        let max = self.max_replications.unwrap_or(default.max_replications.max(first));
        if max < first {
            return Err(invalid(format!(
                "--max-replications {max} is below --replications {first}: the goal cannot add any"
            ))
            .into());
        }
        let goal = studio::run::Precision {
            relative_half_width: self.precision.unwrap_or(default.relative_half_width),
            max_replications: max,
        };
        Ok((first, Some(goal)))
    }
}

/// "1%", "1" or "0.5 %" -> 0.01, 0.01, 0.005: a percentage above 0 and at most 100.
fn parse_percent(s: &str) -> Result<f64, String> {
    let t = s.trim().trim_end_matches('%').trim();
    match t.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 100.0 => Ok(x / 100.0),
        _ => Err(format!("{s:?} is not a percentage above 0 and at most 100 (e.g. 1% or 0.5)")),
    }
}

/// Why a command failed: the façade's error (its code gives the exit code), or standard output
/// that could not be written (a reader that went away is a quiet exit 0, as in ripgrep).
#[derive(Debug)]
enum Failure {
    Studio(studio::Error),
    Stdout(std::io::Error),
}

impl From<studio::Error> for Failure {
    fn from(e: studio::Error) -> Failure {
        Failure::Studio(e)
    }
}

/// The errors of the binary's own work (writing a file, with context) are classified by the
/// façade like its own.
impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Studio(e.into())
    }
}

/// A bare `io::Error` in this binary comes from writing to stdout (files are written with
/// context, which makes them `anyhow` errors).
impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Stdout(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Failure {
        Failure::Studio(studio::Error::new(ErrorCode::Internal, e))
    }
}

type Result<T, E = Failure> = std::result::Result<T, E>;

/// Invalid input with the message `msg` (given without the `error: ` prefix, which is added
/// once).
fn invalid(msg: impl std::fmt::Display) -> studio::Error {
    studio::Error::invalid(without_error_prefix(&msg.to_string()))
}

/// The exit code of a failure: 2 for the user's input (also what they asked for that does not
/// exist), 130 for work cancelled (Ctrl-C, as shells report SIGINT), 1 for anything else.
fn exit_code(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidInput | ErrorCode::NotFound => 2,
        ErrorCode::Cancelled => EXIT_CANCELLED,
        ErrorCode::Store | ErrorCode::BrokerUnreachable | ErrorCode::Io | ErrorCode::Internal => 1,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = Config::from_env();
    match dispatch(&config, cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Stdout(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Stdout(e)) => {
            note!("error: writing to standard output: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Studio(e)) if e.code() == ErrorCode::Cancelled => {
            note!("cancelled: what ran is stored as `cancelled` (scaleproof runs)");
            ExitCode::from(exit_code(e.code()))
        }
        Err(Failure::Studio(e)) => {
            note!("error: {}", without_error_prefix(&e.to_string()));
            ExitCode::from(exit_code(e.code()))
        }
    }
}

/// The runtime the bridge commands run on (one per command).
fn async_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?)
}

/// The exit code of work stopped by Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_CANCELLED: u8 = 130;

/// Waits for a session, handing its progress events to `on_progress`. The first Ctrl-C cancels
/// it (the engine stops within one simulated hour and what ran is stored `cancelled`); a second
/// one, or one after the session ended, quits at once with [`EXIT_CANCELLED`].
fn drive<T: Send + 'static>(session: studio::Session<T>, mut on_progress: impl FnMut(&studio::Progress)) -> Result<T> {
    let token = session.cancel_token();
    let ended = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ended_seen = ended.clone();
    let interrupts = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("ctrl-c".into()).spawn(move || {
        interrupts.block_on(async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No handler: Ctrl-C keeps its default (the process ends, runs left `running`).
                return;
            }
            if !ended_seen.load(std::sync::atomic::Ordering::SeqCst) {
                token.cancel();
                note!("\nCancelling after the current simulated hour (Ctrl-C again to quit at once)...");
                let _ = tokio::signal::ctrl_c().await;
            }
            std::process::exit(EXIT_CANCELLED.into());
        })
    })?;
    while let Some(p) = session.next_progress() {
        on_progress(&p);
    }
    let out = session.wait();
    ended.store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(out?)
}

/// Checks up front that an output file can be written where it is asked for (its folder exists
/// and it is not a folder), so a long run is not lost to a typo in `--report` or `--out`.
fn writable(out: Option<&Path>) -> Result<()> {
    let Some(out) = out else { return Ok(()) };
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(
            invalid(format!("cannot write {}: the folder {} does not exist", out.display(), dir.display())).into()
        );
    }
    if out.is_dir() {
        return Err(invalid(format!("cannot write {}: it is a folder", out.display())).into());
    }
    Ok(())
}

/// Checks up front that a folder for output files can be made (`--png DIR`).
fn folder(dir: Option<&Path>) -> Result<()> {
    match dir {
        Some(d) if d.exists() && !d.is_dir() => {
            Err(invalid(format!("cannot write charts into {}: it is a file, not a folder", d.display())).into())
        }
        _ => Ok(()),
    }
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

fn load(config: &Config, file: &Path, set: &[String]) -> Result<studio::LoadedScenario> {
    Ok(studio::load_scenario(config, file, set).map_err(studio::Error::from)?)
}

/// The configuration with the run database of `--db` (else `$SCALEPROOF_DB`, else the
/// default). A folder is refused.
fn with_db(config: &Config, db: Option<PathBuf>) -> Result<Config> {
    let c = config.clone().with_db(db);
    if c.db.is_dir() {
        return Err(invalid(format!("the run database {} is a folder: give --db a file", c.db.display())).into());
    }
    Ok(c)
}

/// Writes a report (and its charts as PNG into `png`); says so on stdout, or on stderr when
/// stdout carries JSON.
fn write_report(
    db: &Path,
    target: studio::reports::Target,
    out: &Path,
    png: Option<(&Path, u32)>,
    quiet_stdout: bool,
) -> Result<()> {
    let rep = studio::reports::build_report(db, target, &studio::utc_now_rfc3339())?;
    studio::reports::write_report(&rep, out)?;
    let say = |m: String| -> Result<()> {
        if quiet_stdout {
            note!("{m}");
        } else {
            output::text_line(&m)?;
        }
        Ok(())
    };
    say(format!(
        "Wrote the report {} ({}, {} KB): open it in a browser. Its charts as SVG: {}.",
        out.display(),
        studio::model::text::count(rep.charts.len() as u64, "chart", "charts"),
        rep.html.len() / 1024,
        studio::reports::charts_dir(out).display()
    ))?;
    if let Some((dir, scale)) = png {
        for path in studio::reports::write_pngs(&rep, dir, scale)? {
            say(format!("Wrote {}.", path.display()))?;
        }
    }
    Ok(())
}

/// Pretty JSON on stdout.
fn print_json(v: &impl serde::Serialize) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Pretty JSON on stdout with every object's keys sorted (the contracts of the run database's
/// lists and runs print this way, as they always have).
fn print_sorted_json(v: &impl serde::Serialize) -> Result<()> {
    print_json(&serde_json::to_value(v)?)
}

fn pilot(config: &Config, command: PilotCommand) -> Result<()> {
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
            let t = studio::bridge::Truth {
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
                ..studio::bridge::Truth::default()
            };
            if let Err(bad) = t.check() {
                return Err(invalid(bad.join("\nerror: ")).into());
            }
            let connect = broker.connect()?;
            if !json {
                note!(
                    "emulate: {devices} devices, {days} days every {period_s} s, to {}",
                    studio::bridge::redact(&broker.broker)
                );
            }
            let r = async_runtime()?.block_on(studio::bridge::emulate(&connect, &t, speed, truth.as_deref()))?;
            if json {
                print_json(&r)?;
            } else {
                say!(
                    "Emulated {} readings: {} lost in bursts, {} in outages, {} reboots; published {} in {:.1} s, all acknowledged by the broker.",
                    r.readings,
                    r.lost_channel,
                    r.lost_outage,
                    r.reboots,
                    r.published,
                    r.wall_s
                );
                if let Some(f) = &truth {
                    say!("Wrote the ground truth to {}.", f.display());
                }
            }
            Ok(())
        }
        PilotCommand::Record { broker, map, name, duration, idle_timeout, twin, check_every, json, db } => {
            let config = with_db(config, db)?;
            let db = config.db.clone();
            let duration = duration.map(|d| duration_arg("--duration", &d)).transpose()?;
            let idle_timeout = idle_timeout.map(|d| duration_arg("--idle-timeout", &d)).transpose()?;
            if let Some(t) = &twin {
                load(&config, t, &[])?;
            }
            let connect = broker.connect()?;
            let (map, map_text) = studio::bridge::read_map(&map).map_err(|e| invalid(format!("{e:#}")))?;
            if !json {
                note!(
                    "record: {} into {} as `{name}` (Ctrl-C to stop)",
                    studio::bridge::redact(&broker.broker),
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
            // Ctrl-C ends the recording as its duration would (what was received is kept).
            let stop = studio::CancelToken::new();
            let s = async_runtime()?.block_on(async {
                let on_ctrl_c = stop.clone();
                tokio::spawn(async move {
                    if tokio::signal::ctrl_c().await.is_ok() {
                        on_ctrl_c.cancel();
                    }
                });
                studio::bridge::record(&connect, &req, &mut |w| note!("warning: {w}"), &stop).await
            })?;
            if json {
                print_json(&s)?;
            } else {
                say!(
                    "Recording {}: {} messages stored, {} duplicates, {} malformed (counted, first {} kept); {} reconnects; {:.1} s.",
                    s.recording,
                    s.received,
                    s.duplicates,
                    s.malformed,
                    studio::pilot::MALFORMED_SAMPLE,
                    s.reconnects,
                    s.wall_s
                );
            }
            Ok(())
        }
        PilotCommand::Broker { port, anonymous } => {
            let mut b = studio::bridge::local_broker(port, anonymous)?;
            say!(
                "mosquitto listening on mqtt://127.0.0.1:{port}; state, config and log in {} (kept across restarts); Ctrl-C stops it.",
                b.dir.display()
            );
            if !anonymous {
                say!(
                    "clients log in with: --username {} --password-file {}",
                    studio::bridge::KEPT_BROKER_USER,
                    b.dir.join("client.pw").display()
                );
            }
            b.wait();
            Ok(())
        }
        PilotCommand::Recordings { json, db } => {
            let config = with_db(config, db)?;
            let db = &config.db;
            let rows = studio::records::recordings(&config, 100)?;
            if json {
                print_sorted_json(&rows)?;
            } else if rows.is_empty() {
                say!("No recordings in {} yet (`scaleproof pilot record`).", db.display());
            } else {
                say!(
                    "{:>4}  {:<16} {:<10} {:>7} {:>10} {:>9}  broker",
                    "id",
                    "name",
                    "status",
                    "devices",
                    "messages",
                    "malformed"
                );
                for r in rows {
                    say!(
                        "{:>4}  {:<16} {:<10} {:>7} {:>10} {:>9}  {}",
                        r.id,
                        r.name,
                        r.status,
                        r.devices,
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
            folder(png.as_deref())?;
            let config = with_db(config, db)?;
            let db = config.db.clone();
            let mut tol = studio::pilot::Tolerances::default();
            for t in &tolerance {
                let (k, v) =
                    t.split_once('=').ok_or_else(|| invalid(format!("--tolerance {t:?}: expected NAME=VALUE")))?;
                let v = non_negative(v).map_err(|m| invalid(format!("--tolerance {t:?}: {m}")))?;
                studio::pilot::set_tolerance(&mut tol, k, v)?;
            }
            let rec = studio::pilot::load_recording(&db, &recording, readings_between.unwrap_or_default())
                .map_err(|e| invalid(format!("{e:#}")))?;
            if let Some(n) = rec.excluded_note() {
                note!("note: {n}");
            }
            load(&config, &scenario, &set)?;
            let c = studio::pilot::compare_pilot(&rec, &scenario, &set, &tol, &studio::utc_now_rfc3339())?;
            if let Some(out) = &out {
                studio::reports::write_report(&c.report, out)?;
            }
            if let Some(dir) = &png {
                studio::reports::write_pngs(&c.report, dir, 1)?;
            }
            if json {
                print_json(&studio::contract::PilotComparison::from(&c.comparison))?;
            } else {
                say!(
                    "Pilot (recording {}, {} devices, {:.1} device-days) vs twin ({}):",
                    rec.row.id,
                    rec.devices(),
                    c.pilot.device_days,
                    scenario.display()
                );
                say!("  {:<36} {:>10} {:>10} {:>10} {:>10}", "metric", "pilot", "twin", "distance", "tolerance");
                for d in &c.comparison.distances {
                    say!(
                        "  {:<36} {:>10.4} {:>10.4} {:>10.3} {:>10.3}  {}",
                        d.metric,
                        d.pilot,
                        d.twin,
                        d.distance,
                        d.tolerance,
                        if d.ok { "within" } else { "OUTSIDE" }
                    );
                }
                say!("{}", if c.comparison.matches { "Verdict: match." } else { "Verdict: mismatch." });
                if let Some(out) = &out {
                    say!("Wrote the report {}: open it in a browser.", out.display());
                }
            }
            Ok(())
        }
    }
}

fn dispatch(config: &Config, cli: Cli) -> Result<()> {
    match cli.command {
        Command::Live { file, broker, speed, duration, devices, qos, prefix, connect_rate, seed, mut set, json } => {
            if let Some(d) = &duration {
                duration_arg("--duration", d)?;
                set.push(format!("scenario.duration=\"{d}\""));
            }
            if let Some(n) = devices {
                let base = load(config, &file, &set)?;
                set.extend(studio::sweep::fleet_size_overrides(&base.scenario, n as u64));
            }
            let loaded = load(config, &file, &set)?;
            let connect = broker.connect()?;
            if !json {
                note!(
                    "live: {} devices of {} to {} at {}x for {} simulated",
                    loaded.scenario.device_count(),
                    loaded.scenario.name,
                    studio::bridge::redact(&broker.broker),
                    if speed == 0.0 { "full speed".to_string() } else { format!("{speed}") },
                    table::human_s(loaded.scenario.duration.as_secs_f64())
                );
            }
            let req = studio::bridge::LiveRequest { speed, qos, prefix, connect_rate, seed };
            // Ctrl-C stops publishing at once; the summary counts what was published.
            let stop = studio::CancelToken::new();
            let s = async_runtime()?.block_on(async {
                let on_ctrl_c = stop.clone();
                tokio::spawn(async move {
                    if tokio::signal::ctrl_c().await.is_ok() {
                        on_ctrl_c.cancel();
                    }
                });
                studio::bridge::live(&connect, &loaded.scenario, req, &mut |w| note!("warning: {w}"), Some(&stop)).await
            })?;
            if json {
                print_json(&s)?;
            } else {
                say!(
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
                say!(
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
        Command::Pilot { command } => pilot(config, command),
        Command::Calibrate { recording, base, out, readings_between, json, db } => {
            writable(Some(&out))?;
            let config = with_db(config, db)?;
            let rec = studio::pilot::load_recording(&config.db, &recording, readings_between.unwrap_or_default())
                .map_err(|e| invalid(format!("{e:#}")))?;
            if let Some(n) = rec.excluded_note() {
                note!("note: {n}");
            }
            let cal = studio::pilot::calibrate(&config, &rec, &base, &studio::utc_now_rfc3339())?;
            std::fs::write(&out, &cal.scenario_text).with_context(|| format!("writing {}", out.display()))?;
            if json {
                print_json(&studio::contract::Fit::from(&cal.fit))?;
            } else {
                say!(
                    "Calibrated from recording {} ({} devices, {:.1} device-days, {} messages). Fitted, with 95 % intervals:",
                    rec.row.id,
                    cal.fit.devices,
                    cal.fit.device_days,
                    cal.fit.received
                );
                for l in studio::pilot::fit_lines(&cal.fit) {
                    say!("  {l}");
                }
                for w in &cal.fit.warnings {
                    say!("  note: {w}");
                }
                say!("Wrote the calibrated scenario {} (the fit is in its header).", out.display());
            }
            Ok(())
        }
        Command::Run { file, seed, replicating, common: Simulating { set, threads, json, report, progress, db } } => {
            let (replications, precision) = replicating.plan()?;
            let loaded = load(config, &file, &set)?;
            writable(report.as_deref())?;
            let config = with_db(config, db)?;
            let db = config.db.clone();
            let label = match replications {
                1 => format!("run {}", loaded.scenario.name),
                r => format!("run {} x{r}", loaded.scenario.name),
            };
            let bar = Progress::new(progress, &[label]);
            let session = studio::session::start_run(studio::session::RunJob {
                loaded: loaded.clone(),
                seed,
                replications,
                precision,
                threads,
                db: db.clone(),
                on_epoch: None,
            })?;
            let outcome = drive(session, |p| bar.set(0, p.fraction))?;
            bar.finish();
            let id = outcome.summaries[0].run_id;
            if json {
                // Read back from the store: exactly what `show ID --json` prints.
                print_sorted_json(&studio::records::run_detail(&config, id)?)?;
            } else {
                output::text(&table::summary(
                    &loaded.scenario,
                    &outcome.mean,
                    &outcome.summaries,
                    loaded.book.as_ref().map(|b| &b.book),
                ))?;
                if outcome.precision_met == Some(false) {
                    say!(
                        "\nThe precision goal was not met within {} replications: raise --max-replications to decide the UNDECIDED targets.",
                        outcome.summaries.len()
                    );
                }
                say!("\nStored as run {id} in {} (scaleproof show {id}).", db.display());
            }
            if let Some(out) = report {
                write_report(&db, studio::reports::Target::Run(id), &out, None, json)?;
            }
            Ok(())
        }
        Command::Validate { file, set, json } => match studio::load_scenario(config, &file, &set) {
            Ok(l) => {
                if json {
                    outln!("[]");
                } else {
                    say!(
                        "{}: valid ({} devices in {} classes, {} simulated)",
                        file.display(),
                        l.scenario.device_count(),
                        l.scenario.classes.len(),
                        l.scenario.duration
                    );
                }
                Ok(())
            }
            Err(e) => {
                let e = studio::Error::from(e);
                if json && !e.problem_list().is_empty() {
                    print_json(&e.problem_list())?;
                    let n = e.problem_list().len();
                    return Err(invalid(format!("{n} problem(s) found")).into());
                }
                Err(e.into())
            }
        },
        Command::Bench { devices, days, threads, seed, stepping, json } => {
            if !(days > 0.0 && days <= 50.0 * 365.0) {
                return Err(invalid(format!("--days must be between 0 and 18250, got {days}")).into());
            }
            let stepping = match stepping {
                SteppingArg::Auto => Stepping::Auto,
                SteppingArg::EveryTick => Stepping::EveryTick,
            };
            let r = studio::bench::run_bench(&studio::bench::BenchRequest { devices, days, threads, seed, stepping })
                .map_err(|e| invalid(format!("{e:#}")))?;
            if json {
                print_json(&r)?;
            } else {
                output::text(&table::bench(&r))?;
            }
            Ok(())
        }
        Command::Schema { what } => {
            let schema = match what {
                SchemaKind::Scenario => studio::schema(studio::SchemaKind::Scenario),
                SchemaKind::Pricebook => studio::schema(studio::SchemaKind::PriceBook),
            };
            print_json(&schema)?;
            Ok(())
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "scaleproof", &mut script);
            std::io::Write::write_all(&mut std::io::stdout().lock(), &script)?;
            Ok(())
        }
        Command::Runs { limit, json, db } => {
            let runs = studio::records::runs(&with_db(config, db)?, limit)?;
            if json {
                print_sorted_json(&runs)?;
            } else {
                output::text(&table::runs(&runs))?;
            }
            Ok(())
        }
        Command::Sweeps { limit, json, db } => {
            let sweeps = studio::records::sweeps(&with_db(config, db)?, limit)?;
            if json {
                print_sorted_json(&sweeps)?;
            } else {
                output::text(&records::sweeps_table(&sweeps))?;
            }
            Ok(())
        }
        Command::Sweep { file, over, replicating, common: Simulating { set, threads, json, report, progress, db } } => {
            let (replications, precision) = replicating.plan()?;
            writable(report.as_deref())?;
            let spec = studio::sweep::SweepSpec::parse(&over)?;
            let config = with_db(config, db)?;
            let db = config.db.clone();
            let labels: Vec<String> = spec.values.iter().map(|v| format!("{}={v}", spec.path)).collect();
            let bars = Progress::new(progress, &labels);
            let session = studio::session::start_sweep(studio::session::SweepJob {
                file: file.clone(),
                overrides: set.clone(),
                spec: spec.clone(),
                replications,
                precision,
                threads,
                config: config.clone(),
            })?;
            // The fraction of the point running, from the fraction of the whole sweep.
            let outcome =
                drive(session, |p| bars.set(p.point as usize, p.fraction * p.points as f64 - p.point as f64))?;
            bars.finish();
            let crossovers = studio::sweep::sweep_crossovers(&outcome.points);
            if json {
                print_sorted_json(&studio::sweep::sweep_detail(outcome.sweep_id, &outcome.points))?;
            } else {
                output::text(&table::sweep(&spec.path, &outcome.points, &crossovers))?;
                say!(
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
            common: Simulating { set, threads, json, report, progress, db },
        } => {
            let variations =
                vary.iter().map(|v| studio::sensitivity::Variation::parse(v)).collect::<Result<Vec<_>, _>>()?;
            studio::sensitivity::check_kpi(&on)?;
            let loaded = load(config, &file, &set)?;
            studio::sensitivity::check_kpi_for(&loaded, &on)?;
            writable(report.as_deref())?;
            let config = with_db(config, db)?;
            let db = config.db.clone();
            let runs = 1 + 2 * variations.iter().filter(|v| !v.path.starts_with("price.")).count();
            let bar = Progress::new(progress, &[format!("sensitivity of {on}, {runs} runs")]);
            let session = studio::session::start_sensitivity(studio::session::SensitivityJob {
                file: file.clone(),
                overrides: set.clone(),
                variations,
                kpi: on.clone(),
                replications,
                threads,
                config: config.clone(),
            })?;
            let outcome = drive(session, |p| bar.set(0, p.fraction))?;
            bar.finish();
            if json {
                print_sorted_json(&studio::contract::StudyDetail { id: outcome.id, study: outcome.study })?;
            } else {
                output::text(&table::sensitivity(&outcome.study))?;
                say!(
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
            let config = with_db(config, db)?;
            let (a, b) = (
                studio::records::finished_run_ref(&config, &run_a)?,
                studio::records::finished_run_ref(&config, &run_b)?,
            );
            let c = studio::compare::compare_runs(&config.db, a, b)?;
            if json {
                print_json(&c)?;
            } else {
                output::text(&table::comparison(&c))?;
            }
            if let Some(out) = report {
                let rep = studio::compare::report(&c, &studio::utc_now_rfc3339());
                std::fs::write(&out, rep.html).with_context(|| format!("writing {}", out.display()))?;
                let m = format!("Wrote the comparison {}.", out.display());
                if json {
                    note!("{m}");
                } else {
                    say!("{m}");
                }
            }
            Ok(())
        }
        Command::Export { run, format, table, out, db } => {
            writable(out.as_deref())?;
            let config = with_db(config, db)?;
            let db = config.db.clone();
            let format = studio::export::Format::parse(&value_name(&format))?;
            let source = studio::export::Source::parse(&run)?;
            let export = |w: &mut dyn std::io::Write| -> Result<usize> {
                match source {
                    studio::export::Source::Study(_) if table.is_some() => {
                        Err(invalid(format!("--table is for runs: {run} exports its points, one row each")).into())
                    }
                    studio::export::Source::Study(id) => Ok(studio::export::export_study(&db, id, format, w)?),
                    studio::export::Source::Run => {
                        let table = studio::export::Table::parse(&table.map_or("series".into(), |t| value_name(&t)))?;
                        // The series of a run that did not finish is what it got to; its bill
                        // and summary do not exist.
                        let id = match table {
                            studio::export::Table::Series => studio::records::run_ref(&config, &run)?,
                            _ => studio::records::finished_run_ref(&config, &run)?,
                        };
                        Ok(studio::export::export(&db, id, table, format, w)?)
                    }
                }
            };
            match out {
                None if format == studio::export::Format::Parquet => {
                    return Err(invalid("parquet is binary: give --out FILE.parquet").into());
                }
                Some(path) => {
                    let mut buf = Vec::new();
                    let n = export(&mut buf)?;
                    std::fs::write(&path, buf).with_context(|| format!("writing {}", path.display()))?;
                    note!("Wrote {n} rows to {}.", path.display());
                }
                None => {
                    // Whole, then copied out (see `show --series`).
                    let mut buf = Vec::new();
                    export(&mut buf)?;
                    std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)?;
                }
            }
            Ok(())
        }
        Command::Report { target, out, png, png_scale, db } => {
            writable(Some(&out))?;
            folder(png.as_deref())?;
            let target = studio::reports::Target::parse(&target)?;
            let config = with_db(config, db)?;
            // What the report is of must exist (and a run must have finished) before any work.
            let target = match target {
                studio::reports::Target::Sweep(id) => {
                    studio::reports::Target::Sweep(studio::records::sweep_ref(&config, id)?)
                }
                studio::reports::Target::Run(id) => {
                    studio::reports::Target::Run(studio::records::finished_run_ref(&config, &id.to_string())?)
                }
                studio::reports::Target::LastRun => {
                    studio::reports::Target::Run(studio::records::finished_run_ref(&config, "last")?)
                }
            };
            write_report(&config.db, target, &out, png.as_deref().map(|d| (d, png_scale)), false)
        }
        Command::Show { run, json, series, db } => {
            let config = with_db(config, db)?;
            let db = config.db.clone();
            let id = studio::records::run_ref(&config, &run)?;
            if json {
                print_sorted_json(&studio::records::run_detail(&config, id)?)?;
            } else {
                let view = studio::records::run_view(&config, id)?;
                output::text(&table::show(&view.record, view.group.as_ref()))?;
            }
            if series {
                // Written whole, then copied out: a closed pipe is then a plain io::Error (quiet
                // exit), not one buried in the CSV writer's error.
                let mut buf = Vec::new();
                studio::export::export(&db, id, studio::export::Table::Series, studio::export::Format::Csv, &mut buf)?;
                std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every argument (but --help and --version) says what it is for, and every command and
    /// subcommand shows an example in its help.
    #[test]
    fn every_argument_has_help_and_every_command_an_example() {
        fn walk(cmd: &clap::Command, path: &str, problems: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name()).trim().to_string();
            let after = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            if !after.contains("Examples:") {
                problems.push(format!("`{path}` has no \"Examples:\" in its after_help"));
            }
            // Help wraps at 100 columns; an example wrapped there could not be pasted.
            for l in after.lines().filter(|l| l.chars().count() > 100) {
                problems.push(format!("`{path}`: an example line over 100 columns: {l}"));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    problems.push(format!("`{path}` argument `{id}` has no help text"));
                }
            }
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                walk(sub, &path, problems);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        cmd.clone().debug_assert();
        let mut problems = Vec::new();
        walk(&cmd, "", &mut problems);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
