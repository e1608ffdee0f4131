//! The `scaleproof` binary: each command's flags (`args`) handed to `studio`, which does all the
//! work, and what it returns printed (tables in `table`, JSON contracts, reports). Exit codes
//! come from the façade's error code (`failure`); `pilot` holds the pilot commands.

// Every write to stdout or stderr goes through `output` (a closed pipe is a quiet exit, not a
// panic).
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[macro_use]
mod output;
mod args;
mod failure;
mod pilot;
mod progress;
mod records;
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser};
use studio::model::Stepping;
use studio::{Config, ErrorCode};

use crate::args::{Cli, Command, SchemaKind, Simulating, SteppingArg, duration_arg, value_name};
use crate::failure::{EXIT_CANCELLED, Failure, Result, exit_code, invalid, without_error_prefix};
use crate::progress::Progress;

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

/// Prints a bridge command's warnings on stderr (its progress is not drawn).
fn warnings_only(e: studio::bridge::BridgeEvent) {
    if let studio::bridge::BridgeEvent::Warning(w) = e {
        note!("warning: {w}");
    }
}

/// The runtime the bridge commands run on (one per command).
fn async_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?)
}

/// Cancels `stop` at the first Ctrl-C (call it inside the async runtime: it spawns the waiter).
fn cancel_on_ctrl_c(stop: &studio::CancelToken) {
    let stop = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.cancel();
        }
    });
}

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

fn load(config: &Config, file: &Path, set: &[String]) -> Result<studio::LoadedScenario> {
    Ok(studio::load_scenario(config, file, set)?)
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
/// Runs the fleet view's binary to its end.
fn run_view(mut view: std::process::Command) -> Result<()> {
    let status = view.status().with_context(|| {
        format!("cannot start {} (build it: cargo build -p fleet-view)", studio::view::binary().display())
    })?;
    if !status.success() {
        return Err(anyhow::anyhow!("the fleet view failed ({status})").into());
    }
    Ok(())
}

fn print_json(v: &impl serde::Serialize) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Pretty JSON on stdout with every object's keys sorted (the contracts of the run database's
/// lists and runs print this way, as they always have).
fn print_sorted_json(v: &impl serde::Serialize) -> Result<()> {
    print_json(&serde_json::to_value(v)?)
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
                cancel_on_ctrl_c(&stop);
                studio::bridge::live(&connect, &loaded.scenario, req, &mut warnings_only, Some(&stop)).await
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
        Command::Pilot { command } => pilot::pilot(config, command),
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
        Command::Run {
            file,
            seed,
            playback,
            replicating,
            common: Simulating { set, threads, json, report, progress, db },
        } => {
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
                playback,
                live: None,
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
                text: None,
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
                text: None,
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
        Command::View { run, live, set, screenshot, at, size, demo, demo_frames, db } => {
            let config = with_db(config, db)?;
            if let Some(file) = &live {
                // Said here, before a window opens: every problem of the file at its line.
                load(&config, file, &set)?;
                return run_view(studio::view::live_command(&config.db, file, &set));
            }
            let id = studio::records::run_ref(&config, run.as_deref().unwrap_or("last"))?;
            // Said here, before a window opens: the view needs the run's playback data.
            studio::playback::load(&config, id)?;
            if let Some(a) = &at {
                duration_arg("--at", a)?;
            }
            let mut view = studio::view::command(&config.db, id);
            if let Some(f) = &screenshot {
                view.arg("--screenshot").arg(f).arg("--size").arg(&size);
            }
            if let Some(a) = &at {
                view.arg("--at").arg(a);
            }
            if demo {
                view.arg("--demo");
            }
            if let Some(d) = &demo_frames {
                view.arg("--demo-frames").arg(d).arg("--size").arg(&size);
            }
            run_view(view)?;
            if let Some(f) = &screenshot {
                say!("Wrote {}.", f.display());
            }
            Ok(())
        }
        Command::Frame { run, at, json, db } => {
            let config = with_db(config, db)?;
            let id = studio::records::run_ref(&config, &run)?;
            let at = at.map(|a| duration_arg("--at", &a)).transpose()?;
            let playback = studio::playback::load(&config, id)?;
            let at_s = at.map_or(playback.layout.hours as f64 * 3600.0, |d| d.as_secs_f64());
            let started = std::time::Instant::now();
            let frame = playback.frame(at_s);
            let served_ms = started.elapsed().as_secs_f64() * 1e3;
            if json {
                print_json(&frame)?;
            } else {
                output::text(&table::frame(&playback.layout, &frame, served_ms))?;
            }
            Ok(())
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
