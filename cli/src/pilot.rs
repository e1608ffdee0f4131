//! `scaleproof pilot`: the emulated pilot, the recorder, recordings, pilot-versus-twin and the
//! private broker.

use studio::Config;

use crate::args::{PilotCommand, duration_arg, non_negative};
use crate::failure::{Result, invalid};
use crate::{async_runtime, folder, load, print_json, print_sorted_json, warnings_only, with_db, writable};

pub(crate) fn pilot(config: &Config, command: PilotCommand) -> Result<()> {
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
            let r = async_runtime()?.block_on(studio::bridge::emulate(
                &connect,
                &t,
                speed,
                truth.as_deref(),
                &mut warnings_only,
                None,
            ))?;
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
                crate::cancel_on_ctrl_c(&stop);
                studio::bridge::record(&connect, &req, &mut warnings_only, &stop).await
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
        #[cfg(not(unix))]
        PilotCommand::Broker { .. } => Err(invalid("`pilot broker` runs mosquitto, which needs a Unix system").into()),
        #[cfg(unix)]
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
