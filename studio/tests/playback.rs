//! Playback through the façade: a run started with playback is stored with every device's
//! state hour by hour and served as fleet frames (the mine's north shaft dark during its power
//! cut, the south ramp not); a run without it, or a deleted one, has none to serve.

use std::path::{Path, PathBuf};

use bridge::mosquitto::temp_dir;
use studio::session::{RunJob, start_run};
use studio::{Config, ErrorCode, load_scenario};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn a_run_with_playback_serves_the_fleet_at_any_time() {
    let dir = temp_dir("playback");
    let config = Config::in_dir(&dir);
    let set = ["fleet.vibration.count=400", "scenario.duration=14d", "event.1.at=13d 20:00", "event.2.at=13d 21:00"]
        .map(String::from);
    let loaded = load_scenario(&config, &root().join("scenarios/mine-production.toml"), &set).unwrap();
    let run = |playback: bool| {
        let s = start_run(RunJob { playback, ..RunJob::new(loaded.clone(), config.db.clone()) }).unwrap();
        while s.next_progress().is_some() {}
        s.wait().unwrap().summaries[0].clone()
    };
    let with = run(true);
    let without = run(false);
    assert_eq!(with.fingerprint(), without.fingerprint(), "playback changes nothing of the run");

    let p = studio::playback::load(&config, with.run_id).unwrap();
    assert_eq!((p.layout.hours, p.layout.site_of.len()), (14 * 24, 400));
    assert_eq!(p.layout.legend.len(), 10);
    let north = p.layout.sites.iter().position(|s| s.id == "north-shaft").unwrap();
    let hours = |f: &studio::contract::FleetFrame, site: usize, key: &str| {
        let code = p.layout.legend.iter().find(|l| l.key == key).unwrap().code;
        f.sites[site].counts[code as usize]
    };
    // The cut starts at 12d 10:00 for 18 h; buffers hold 16.6 h.
    let before = p.frame((12 * 24 + 9) as f64 * 3600.0);
    let during = p.frame((12 * 24 + 14) as f64 * 3600.0 + 1800.0);
    let late = p.frame((12 * 24 + 10 + 17) as f64 * 3600.0);
    let at_north = p.layout.site_of.iter().filter(|&&s| s as usize == north).count() as u32;
    assert!(hours(&before, north, "online") >= at_north * 95 / 100, "{before:?}");
    assert!(hours(&during, north, "buffering") >= at_north * 95 / 100, "{:?}", during.sites);
    assert!(hours(&late, north, "buffer_full") >= at_north * 95 / 100, "{:?}", late.sites);
    assert!(hours(&during, 1 - north, "online") >= (400 - at_north) * 9 / 10, "{:?}", during.sites);
    assert_eq!(during.hour, 12 * 24 + 14);
    // Each device's state agrees with the counts.
    for (site, s) in during.sites.iter().enumerate() {
        for (code, &n) in s.counts.iter().enumerate() {
            let seen = (0..400).filter(|&d| p.layout.site_of[d] as usize == site && during.states[d] as usize == code);
            assert_eq!(seen.count() as u32, n);
        }
    }

    // The figures to date: hour by hour, totals that never fall, a cost that grows.
    assert_eq!(p.kpis.len(), 14 * 24);
    assert!(p.kpis.windows(2).all(|w| w[1].delivered >= w[0].delivered && w[1].lost >= w[0].lost));
    let k = during.kpis.as_ref().unwrap();
    assert_eq!(k.hour, during.hour);
    let online: u32 = during.sites.iter().map(|s| s.counts[1]).sum();
    assert_eq!(k.online, online as u64, "the series and the playback count the same devices online");
    assert!(k.buffered > 0, "the north shaft's readings wait in buffers");
    let cost = |f: &studio::contract::FleetFrame| f.kpis.as_ref().unwrap().cost_to_date.unwrap();
    assert!(cost(&late) > cost(&before) && cost(&before) > 0.0);
    assert_eq!(p.layout.currency.as_deref(), Some("USD"));
    assert!(p.calendar(0.0).len() == 16, "{}", p.calendar(0.0));
    // The cut darkens the north shaft, and only while it lasts.
    assert_eq!(p.dark_at(before.at_s), []);
    assert!(p.dark_at(during.at_s).contains(&(north, None)), "{:?}", p.dark_at(during.at_s));

    // A north-shaft device late in the cut: losing readings since its buffer filled, the buffer
    // full, the cut its last event.
    let d =
        (0..400u32).find(|&d| p.layout.site_of[d as usize] as usize == north && late.states[d as usize] == 3).unwrap();
    let dev = p.device(d, late.at_s).unwrap();
    assert_eq!((dev.state, dev.site.as_str(), dev.buffer_tenths), (3, "north-shaft", Some(10)), "{dev:?}");
    assert!(dev.since_s > (12.0 * 24.0 + 10.0 + 16.0) * 3600.0 && dev.since_s <= late.at_s, "{dev:?}");
    assert!(dev.last_event.as_deref().unwrap().starts_with("12d 10:00  Planned power cut"), "{dev:?}");
    let calm = p.device(d, before.at_s).unwrap();
    assert_eq!((calm.state, calm.buffer_tenths), (1, Some(0)), "{calm:?}");
    assert!(calm.buffer_capacity > 0 && calm.battery_tenths.is_some() && p.device(400, 0.0).is_none());

    // The demo tells it: the cut, buffers filling until readings are lost, the end, in order.
    let beats = studio::playback::demo::script(&p);
    let find = |text: &str| {
        beats.iter().position(|b| b.caption.contains(text)).unwrap_or_else(|| panic!("{text:?} in {beats:#?}"))
    };
    let (cut, full, over) =
        (find("power cut at the north shaft"), find("north-shaft: buffers full"), find("over after 18 h"));
    assert!(beats[0].caption.starts_with("0d 00:00  Mine A - production"), "{:?}", beats[0]);
    assert!(cut < full && full < over, "{beats:#?}");
    assert_eq!(beats[cut].caption.split("  ").next(), Some("12d 10:00"));
    assert_eq!(beats[cut].site, Some(north as u16));
    // 16.6 h of buffer: the first buffers fill in the cut's 17th hour.
    assert!(beats[full].at_s > beats[cut].at_s + 16.0 * 3600.0 && beats[full].at_s < beats[over].at_s);
    assert!(beats.windows(2).all(|w| w[0].at_s <= w[1].at_s));
    let card = studio::playback::demo::summary(&p);
    assert!(card.title.starts_with("Mine A - production"), "{card:?}");
    assert!(card.lines.iter().any(|l| l.contains("of readings delivered")), "{card:?}");

    // The mine's site plan, found in assets/ beside scenarios/, with its corners.
    let plan = p.background.as_ref().unwrap();
    assert!(plan.path.ends_with("assets/plans/mine-a-plan.png") && plan.corners.is_some(), "{plan:?}");
    assert!(p.notes.is_empty(), "{:?}", p.notes);

    let e = studio::playback::load(&config, without.run_id).err().unwrap();
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    assert!(e.to_string().contains("--playback"), "{e}");
    studio::records::delete_run(&config, with.run_id).unwrap();
    assert_eq!(studio::playback::load(&config, with.run_id).err().unwrap().code(), ErrorCode::NotFound);
}

#[test]
fn a_site_plan_that_is_not_there_is_a_note_not_an_error() {
    let dir = temp_dir("playback-plan");
    let config = Config::in_dir(&dir);
    let text = std::fs::read_to_string(root().join("scenarios/mine-pilot.toml")).unwrap()
        + "\n[view]\nbackground = \"nowhere.png\"\n";
    // The price book travels with it (looked for beside the file, then in ../pricebooks).
    std::fs::create_dir_all(dir.join("pricebooks")).unwrap();
    std::fs::copy(root().join("pricebooks/iot-2026-11.toml"), dir.join("pricebooks/iot-2026-11.toml")).unwrap();
    let file = dir.join("pilot-with-plan.toml");
    std::fs::write(&file, text).unwrap();
    let loaded = load_scenario(&config, &file, &["scenario.duration=1d".to_string()]).unwrap();
    let s = start_run(RunJob { playback: true, ..RunJob::new(loaded, config.db.clone()) }).unwrap();
    while s.next_progress().is_some() {}
    let run = s.wait().unwrap().summaries[0].run_id;
    let p = studio::playback::load(&config, run).unwrap();
    assert_eq!(p.background, None);
    assert!(p.notes[0].contains("\"nowhere.png\"") && p.notes[0].contains("without it"), "{:?}", p.notes);
}

#[test]
fn a_live_run_streams_at_the_views_pace_the_run_it_stores() {
    use studio::playback::live::{AHEAD_HOURS, start};
    let dir = temp_dir("playback-live");
    let config = Config::in_dir(&dir);
    let set =
        ["fleet.vibration.count=300", "scenario.duration=3d", "event.0.at=1d", "event.1.at=2d", "event.2.at=2d 12:00"]
            .map(String::from);
    let loaded = load_scenario(&config, &root().join("scenarios/mine-production.toml"), &set).unwrap();

    let (mut live, hours, session) = start(loaded.clone(), config.db.clone(), None).unwrap();
    assert_eq!((live.simulated_hours, live.layout.hours), (0, 72));
    assert!(!live.events.is_empty(), "the run's events are known before it runs");
    // Nobody takes an hour: the engine waits with its channel full.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut last_epoch = 0;
    while let Some(p) = session.try_progress() {
        last_epoch = p.epoch;
    }
    assert!(!session.is_finished() && last_epoch as usize <= AHEAD_HOURS + 2, "ran ahead to hour {last_epoch}");
    for h in hours.iter() {
        live.append(h);
    }
    assert_eq!(live.simulated_hours, 72);
    let run = session.wait().unwrap().summaries[0].run_id;
    // What was streamed is what was stored, hour by hour.
    let stored = studio::playback::load(&config, run).unwrap();
    for hour in [1, 13, 40, 72] {
        let at = hour as f64 * 3600.0;
        assert_eq!(live.frame(at).states, stored.frame(at).states, "hour {hour}");
    }
    let strip = |k: &studio::contract::FleetKpis| (k.hour, k.online, k.buffered, k.delivered, k.lost);
    assert_eq!(live.kpis.iter().map(strip).collect::<Vec<_>>(), stored.kpis.iter().map(strip).collect::<Vec<_>>());
    assert_eq!(live.events, stored.events);
    assert_eq!((live.layout.start_ms, &live.background), (stored.layout.start_ms, &stored.background));
    assert!(live.background.is_some() && live.calendar(0.0) == "2026-01-01 00:00", "{}", live.calendar(0.0));

    // A view that closes stops its run, stored cancelled.
    let (_, hours, session) = start(loaded, config.db.clone(), None).unwrap();
    for _ in 0..5 {
        hours.recv().unwrap();
    }
    drop(hours);
    let e = session.wait().err().unwrap();
    assert_eq!(e.code(), ErrorCode::Cancelled, "{e}");
    // It plays back as far as it went.
    let runs = studio::records::runs(&config, 10).unwrap();
    let cancelled = runs.iter().map(|r| r.id).max().unwrap();
    let p = studio::playback::load(&config, cancelled).unwrap();
    assert!((5..=5 + AHEAD_HOURS as u32 + 2).contains(&p.layout.hours), "{} hours", p.layout.hours);
    assert_eq!(p.frame(3.0 * 3600.0).states, stored.frame(3.0 * 3600.0).states, "the same run, as far as it went");
}
