//! The command line: clap's commands and flags, and the parsers of their values (a bad value
//! is exit 2, before any work).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::failure::{Result, invalid};
use crate::progress::When;

/// Run database help, shared by every command that takes `--db`.
pub(crate) const DB_HELP: &str = "Run database (default: $SCALEPROOF_DB, else $XDG_DATA_HOME/scaleproof/runs.db)";

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

Exit codes: 0 success, 2 invalid input (checked before any work) or something that does not
exist, 130 cancelled with Ctrl-C (what ran is stored as `cancelled`), 1 anything else."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run a scenario, store it, and print a summary (or the RunSummary JSON with --json).
    #[command(after_help = "Examples:
  scaleproof run scenarios/mine-pilot.toml
  scaleproof run scenarios/mine-pilot.toml --set scenario.duration=7d --replications 5
  scaleproof run scenarios/mine-pilot.toml --json --report mine.html
  scaleproof run scenarios/mine-production.toml --playback && scaleproof frame last --at 12d11h")]
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Also record every device's state hour by hour (the fleet view plays it back; see
        /// `frame`). The results are the same; the run takes a little longer.
        #[arg(long)]
        playback: bool,
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
    /// Play a run recorded with --playback back on a map of the fleet (the fleet view, its own
    /// window), or render one frame of it to a PNG with no window system.
    #[command(after_help = "Examples:
  scaleproof view last
  scaleproof view 12 --screenshot cut.png --at 12d15h --size 1280x800
  scaleproof view last --demo
  scaleproof view last --demo-frames slides/
  scaleproof view --live scenarios/mine-production.toml --set fleet.vibration.count=2000

In the window: Space plays or pauses, Left/Right step an hour (Shift: a day), Up/Down change
the speed (1 h/s to 1 day/s), Home/End jump, clicking the timeline jumps there, the wheel
zooms, dragging pans, F11 toggles full screen, Esc quits. In a demo, Space pauses the story
and Right moves on to the next caption.")]
    View {
        /// The run (an id, run:ID, or `last`).
        #[arg(required_unless_present = "live")]
        run: Option<String>,
        /// Run this scenario now and watch it live: the engine runs at the view's pace and the
        /// run is stored when it ends; closing the window stops it (stored cancelled).
        #[arg(long, value_name = "SCENARIO.toml", conflicts_with_all = ["run", "screenshot", "demo", "demo_frames", "at"])]
        live: Option<PathBuf>,
        /// With --live: override a scenario field, PATH=VALUE (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE", requires = "live")]
        set: Vec<String>,
        /// Render one frame to this PNG file and exit.
        #[arg(long)]
        screenshot: Option<PathBuf>,
        /// The simulated time shown (a still's; default: the run's end), e.g. 12d15h.
        #[arg(long)]
        at: Option<String>,
        /// The still's (and the slides') size, WIDTHxHEIGHT pixels.
        #[arg(long, default_value = "1280x800")]
        size: String,
        /// Demo mode: full screen, the run's events told as a story with captions, the camera
        /// moving to where they happen, the verdict at the end.
        #[arg(long, conflicts_with_all = ["screenshot", "demo_frames"])]
        demo: bool,
        /// Write the demo's slides into this folder (a PNG per caption and the closing card)
        /// with no window.
        #[arg(long, value_name = "DIR", conflicts_with = "screenshot")]
        demo_frames: Option<PathBuf>,
        #[arg(long, help = DB_HELP)]
        db: Option<PathBuf>,
    },
    /// The fleet of a run recorded with --playback at one simulated time: devices per site and
    /// state (the fleet view's frame), or with --json every device's state too.
    #[command(after_help = "Examples:
  scaleproof frame last --at 12d11h
  scaleproof frame 12 --at 300h --json")]
    Frame {
        /// The run (an id, run:ID, or `last`).
        run: String,
        /// The simulated time from the run's start (default: its end).
        #[arg(long)]
        at: Option<String>,
        /// Print the frame as JSON (each device's state by index, the counts per site).
        #[arg(long)]
        json: bool,
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
pub(crate) enum PilotCommand {
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
pub(crate) enum SchemaKind {
    /// Scenario files.
    Scenario,
    /// Price books.
    Pricebook,
}

/// `bench --stepping`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SteppingArg {
    /// Skip quiet ticks in bulk where that is exact.
    Auto,
    /// Step every device through every tick.
    EveryTick,
}

/// `export --format`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// Apache Parquet (needs --out).
    Parquet,
}

/// `export --table`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ExportTable {
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
pub(crate) fn value_name(v: &impl ValueEnum) -> String {
    v.to_possible_value().map(|p| p.get_name().to_string()).unwrap_or_default()
}

/// Where the broker is and how to authenticate. Secrets come from a file or the environment.
#[derive(clap::Args)]
pub(crate) struct BrokerOpts {
    /// mqtt://HOST:PORT or mqtts://HOST:PORT.
    #[arg(long, value_name = "URL")]
    pub(crate) broker: String,
    /// The CA that signed the broker's certificate (mqtts).
    #[arg(long, value_name = "FILE")]
    pub(crate) ca: Option<PathBuf>,
    /// Per-client TLS certificates: DIR/NAME.crt and DIR/NAME.key (PEM).
    #[arg(long, value_name = "DIR")]
    pub(crate) cert_dir: Option<PathBuf>,
    /// Passwords: lines NAME:PASSWORD (split at the first `:`) and *:PASSWORD for every other
    /// client, or one line with one password for all (else $SCALEPROOF_MQTT_PASSWORD).
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// Username template, `{device}` replaced by the client's name (default: the name).
    #[arg(long)]
    pub(crate) username: Option<String>,
    /// Consecutive failed connection attempts before giving up (0.25 s apart, doubling to 5 s);
    /// a refused login or a failed TLS verification gives up at once.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(crate) connect_attempts: u32,
}

impl BrokerOpts {
    /// The broker, TLS files and credentials, read now: any error is the user's input (exit 2).
    /// Warnings (a password in the clear, a readable password file) go to stderr.
    pub(crate) fn connect(&self) -> Result<studio::bridge::BrokerConnection> {
        let mut c = studio::bridge::BrokerArgs {
            url: self.broker.clone(),
            ca: self.ca.clone(),
            cert_dir: self.cert_dir.clone(),
            password_file: self.password_file.clone(),
            username: self.username.clone(),
        }
        .connect()?;
        c.retry.attempts = self.connect_attempts;
        for w in c.warnings() {
            note!("warning: {w}");
        }
        Ok(c)
    }
}

/// A finite number of at least 0 (`nan`, `inf` and negatives are refused with exit 2).
pub(crate) fn non_negative(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("expected a finite number of at least 0, got `{text}`")),
    }
}

pub(crate) fn reading_window(text: &str) -> std::result::Result<studio::pilot::ReadingWindow, String> {
    studio::pilot::ReadingWindow::parse(text).map_err(|e| e.to_string())
}

/// A pace in simulated seconds per wall second: 0 (as fast as possible) or 0.001 to 1e9.
pub(crate) fn speed(text: &str) -> std::result::Result<f64, String> {
    match non_negative(text)? {
        x if x == 0.0 || (studio::bridge::MIN_SPEED..=1e9).contains(&x) => Ok(x),
        x => Err(format!("expected 0 (as fast as possible) or from {} to 1e9, got {x}", studio::bridge::MIN_SPEED)),
    }
}

/// Connections per second: 1 to 1e6.
pub(crate) fn rate(text: &str) -> std::result::Result<f64, String> {
    match non_negative(text)? {
        x if (1.0..=1e6).contains(&x) => Ok(x),
        x => Err(format!("expected from 1 to 1e6 connections per second, got {x}")),
    }
}

pub(crate) fn duration_arg(flag: &str, text: &str) -> Result<std::time::Duration> {
    Ok(studio::parse_duration(text).map_err(|e| invalid(format!("{flag} {text:?}: {e}")))?)
}

/// The options of every command that simulates (run, sweep, sensitivity).
#[derive(clap::Args)]
pub(crate) struct Simulating {
    /// Override a field: --set fleet.sensors.count=20000 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) set: Vec<String>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Also write the HTML report to this file.
    #[arg(long, value_name = "FILE.html")]
    pub(crate) report: Option<PathBuf>,
    /// Progress on stderr: what runs, elapsed time and time left (auto: when stderr is a
    /// terminal).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = When::Auto)]
    pub(crate) progress: When,
    #[arg(long, help = DB_HELP)]
    pub(crate) db: Option<PathBuf>,
}

/// How many replications: a fixed count, or as many as the precision goal needs.
#[derive(clap::Args)]
pub(crate) struct Replicating {
    /// Independent replications (derived seeds); every figure is then their mean with its 95 %
    /// interval. Alone it fixes the count; default: start with 3 and add 4 at a time until the
    /// precision goal is met.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(crate) replications: Option<u32>,
    /// Precision goal for the KPIs that have targets: add replications until each one's 95 %
    /// interval is clear of its target or at most this wide (half-width, percent of its mean;
    /// for the delivery ratio, of the loss ratio). Default 1%.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub(crate) precision: Option<f64>,
    /// The most replications the precision goal may use. Default 20.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(crate) max_replications: Option<u32>,
}

impl Replicating {
    /// The first batch and the precision goal (None: exactly that many).
    pub(crate) fn plan(&self) -> Result<(u32, Option<studio::run::Precision>)> {
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
pub(crate) fn parse_percent(s: &str) -> Result<f64, String> {
    let t = s.trim().trim_end_matches('%').trim();
    match t.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 100.0 => Ok(x / 100.0),
        _ => Err(format!("{s:?} is not a percentage above 0 and at most 100 (e.g. 1% or 0.5)")),
    }
}
