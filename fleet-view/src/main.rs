//! `scaleproof-view RUN`: the fleet view of a stored run. `--screenshot FILE.png` renders one
//! frame (at `--at`, of `--size`) with no window system and exits; `--demo` tells the run's
//! story full screen; `--demo-frames DIR` writes that story's slides as PNGs with no window.

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser)]
#[command(name = "scaleproof-view", about = "Play a stored run back on a map of the fleet")]
struct Args {
    /// The run (an id, run:ID, or `last`); it must have been recorded with playback.
    #[arg(required_unless_present = "live")]
    run: Option<String>,
    /// Run this scenario now and watch it live: the engine runs at the view's pace (1 simulated
    /// hour per second to a day per second) and the run is stored when it ends; closing the
    /// window stops it (stored cancelled).
    #[arg(long, value_name = "SCENARIO.toml", conflicts_with_all = ["run", "screenshot", "demo", "demo_frames", "bench"])]
    live: Option<PathBuf>,
    /// With --live: override a scenario field, PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE", requires = "live")]
    set: Vec<String>,
    /// Render one frame to this PNG file and exit (no window needed).
    #[arg(long)]
    screenshot: Option<PathBuf>,
    /// The simulated time shown first (a still's), from the run's start (default: a still at
    /// the run's end, the window at its start).
    #[arg(long)]
    at: Option<String>,
    /// The still's size, WIDTHxHEIGHT pixels.
    #[arg(long, default_value = "1280x800")]
    size: String,
    /// Demo mode: full screen, the run's events told as a story with captions, the camera
    /// moving to where they happen, the verdict at the end (Space pauses, Right skips on).
    #[arg(long)]
    demo: bool,
    /// Write the demo's slides into this folder (a PNG per caption and the closing card, of
    /// --size) with no window, and exit.
    #[arg(long, value_name = "DIR")]
    demo_frames: Option<PathBuf>,
    /// Show the details of a device (`device:N`, its index) or a site (`site:ID`), as if clicked.
    #[arg(long, value_name = "device:N|site:ID")]
    select: Option<String>,
    /// Close the window after this many frames (a smoke test).
    #[arg(long)]
    frames: Option<u32>,
    /// The frame-rate benchmark: no vsync, a new hour drawn every frame (every device's colour
    /// rewritten), 600 frames unless --frames says; prints frames per second and frame times.
    #[arg(long)]
    bench: bool,
    /// The run database (default: $SCALEPROOF_DB or the per-user one).
    #[arg(long)]
    db: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            #[expect(clippy::print_stderr, reason = "the binary's one way to say why it failed")]
            {
                eprintln!("error: {e:#}");
            }
            std::process::ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let mut config = studio::Config::from_env();
    if let Some(db) = args.db {
        config.db = db;
    }
    if let Some(file) = &args.live {
        return live(&config, file, &args.set, args.frames);
    }
    let id = studio::records::run_ref(&config, args.run.as_deref().unwrap_or("last"))?;
    let playback = studio::playback::load(&config, id)?;
    #[expect(clippy::print_stderr, reason = "what the view could not use is said once, at the start")]
    for note in &playback.notes {
        eprintln!("note: {note}");
    }
    let at_s = match &args.at {
        Some(a) => studio::parse_duration(a).map_err(|e| anyhow::anyhow!("--at {a:?}: {e}"))?.as_secs_f64(),
        None if args.screenshot.is_some() => playback.layout.hours as f64 * 3600.0,
        None => 0.0,
    };
    let (w, h) = args
        .size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .filter(|&(w, h)| (16..=8192).contains(&w) && (16..=8192).contains(&h))
        .ok_or_else(|| anyhow::anyhow!("--size {:?}: expected WIDTHxHEIGHT, 16 to 8192 each", args.size))?;
    let selected = match args.select.as_deref() {
        None => None,
        Some(sel) => Some(match sel.split_once(':') {
            Some(("device", n)) => n
                .parse::<u32>()
                .ok()
                .filter(|&d| (d as usize) < playback.layout.site_of.len())
                .map(fleet_view::map::Picked::Device)
                .ok_or_else(|| {
                    anyhow::anyhow!("--select {sel:?}: the run has devices 0 to {}", playback.layout.site_of.len() - 1)
                })?,
            Some(("site", id)) => playback.site_index(id).map(fleet_view::map::Picked::Site).ok_or_else(|| {
                let ids: Vec<&str> = playback.layout.sites.iter().map(|s| s.id.as_str()).collect();
                anyhow::anyhow!("--select {sel:?}: no such site; the run's sites are {}", ids.join(", "))
            })?,
            _ => anyhow::bail!("--select {sel:?}: expected device:N or site:ID"),
        }),
    };
    if let Some(dir) = &args.demo_frames {
        let files = fleet_view::demo_frames(playback, dir, w, h)?;
        #[expect(clippy::print_stdout, reason = "the slides written are the command's output")]
        {
            println!("Wrote {} slides into {}.", files.len(), dir.display());
        }
        return Ok(());
    }
    match args.screenshot {
        Some(path) => fleet_view::still(playback, at_s, w, h, selected)?.save_png(&path),
        None => {
            let devices = playback.layout.site_of.len();
            let frames = if args.bench { Some(args.frames.unwrap_or(600)) } else { args.frames };
            let opts = fleet_view::WindowOptions { frames, bench: args.bench, demo: args.demo, selected };
            if let Some(s) = fleet_view::window(playback, at_s, opts, None)? {
                #[expect(clippy::print_stdout, reason = "the benchmark's figures are its output")]
                {
                    println!(
                        "{devices} devices, 1280x800, a new hour every frame: {:.1} frames/s over {} frames; \
                         frame time p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                        s.fps, s.frames, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms
                    );
                }
            }
            Ok(())
        }
    }
}

/// `--live`: runs the scenario with its playback streamed to the window, then says what became
/// of the run.
fn live(config: &studio::Config, file: &std::path::Path, set: &[String], frames: Option<u32>) -> anyhow::Result<()> {
    let loaded = studio::load_scenario(config, file, set)?;
    let (playback, hours, session) = studio::playback::live::start(loaded, config.db.clone(), None)?;
    let opts = fleet_view::WindowOptions { frames, ..Default::default() };
    fleet_view::window(playback, 0.0, opts, Some(hours))?;
    #[expect(clippy::print_stdout, reason = "what became of the run is the command's output")]
    match session.wait() {
        Ok(outcome) => {
            let id = outcome.summaries[0].run_id;
            println!("Stored as run {id} in {} (scaleproof show {id}).", config.db.display());
            Ok(())
        }
        Err(e) if e.code() == studio::ErrorCode::Cancelled => {
            println!("The view closed before the run's end: the run stopped and is stored cancelled.");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
