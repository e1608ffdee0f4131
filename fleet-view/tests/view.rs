//! The fleet view without a window: the playback controls in a headless Bevy `App` (play,
//! pause, speed, scrub, the clock following each frame's time); a still of a known run at a
//! known time rendered with no window system, its legend drawn and its device colours in the
//! proportions of the frame's counts; the demo of that run played in a headless `App` (its
//! captions in order, each at its time, the camera sent to each one's site, the card at the end)
//! and exported as slides.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use fleet_view::{Clock, ViewClock, palette};
use studio::session::{RunJob, start_run};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn the_controls_play_pause_speed_up_and_scrub() {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(100)))
        .insert_resource(ButtonInput::<KeyCode>::default())
        .insert_resource(ViewClock(Clock::new(48.0 * 3600.0)))
        .add_systems(
            Update,
            (fleet_view::controls::keys, fleet_view::controls::advance, fleet_view::controls::quit_keys).chain(),
        );
    let press = |app: &mut App, key: KeyCode| {
        app.world_mut().resource_mut::<ButtonInput<KeyCode>>().press(key);
        app.update();
        let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
        keys.release(key);
        keys.clear();
    };
    let at_h = |app: &App| app.world().resource::<ViewClock>().0.at_s / 3600.0;
    app.update(); // the first frame has no elapsed time
    app.update();
    assert_eq!(at_h(&app), 0.0, "paused at first");
    press(&mut app, KeyCode::Space);
    for _ in 0..10 {
        app.update();
    }
    // 1 h per wall-clock second: the frame that played plus ten of 0.1 s.
    assert!((at_h(&app) - 1.1).abs() < 1e-6, "{}", at_h(&app));
    press(&mut app, KeyCode::ArrowUp);
    press(&mut app, KeyCode::ArrowUp);
    assert_eq!(app.world().resource::<ViewClock>().0.speed_h_per_s, 6.0);
    press(&mut app, KeyCode::Space);
    let paused = at_h(&app);
    press(&mut app, KeyCode::ArrowRight);
    assert!((at_h(&app) - paused - 1.0).abs() < 1e-6, "an hour on");
    press(&mut app, KeyCode::End);
    assert_eq!(at_h(&app), 48.0);
    press(&mut app, KeyCode::Home);
    assert_eq!(at_h(&app), 0.0);
    press(&mut app, KeyCode::Escape);
    assert!(app.should_exit().is_some(), "Escape quits");
}

#[test]
fn the_mine_power_cut_as_a_still_and_as_a_demo() {
    let dir = std::env::temp_dir().join(format!("scaleproof-view-still-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = studio::Config::in_dir(&dir);
    let set = ["fleet.vibration.count=2000", "scenario.duration=14d", "event.1.at=13d 20:00", "event.2.at=13d 21:00"]
        .map(String::from);
    let loaded = studio::load_scenario(&config, &root().join("scenarios/mine-production.toml"), &set).unwrap();
    let session = start_run(RunJob { playback: true, ..RunJob::new(loaded, config.db.clone()) }).unwrap();
    while session.next_progress().is_some() {}
    let run = session.wait().unwrap().summaries[0].run_id;
    let playback = studio::playback::load(&config, run).unwrap();

    // 12d 15:00: five hours into the north shaft's power cut.
    let still = fleet_view::still(playback, (12.0 * 24.0 + 15.0) * 3600.0, 1280, 800, None).unwrap();
    assert_eq!((still.width, still.height, still.rgb.len()), (1280, 800, 1280 * 800 * 3));
    still.save_png(&dir.join("still.png")).unwrap();
    assert!(std::fs::metadata(dir.join("still.png")).unwrap().len() > 10_000);

    let near = |p: &[u8], c: [u8; 3]| (0..3).all(|i| p[i].abs_diff(c[i]) <= 2);
    let pixels = |x_from: u32| (0..still.height).flat_map(move |y| (x_from..still.width).map(move |x| (x, y)));
    let at = |x: u32, y: u32| &still.rgb[((y * still.width + x) * 3) as usize..][..3];
    // The legend: every state's swatch, whether or not a device is in that state.
    for code in 0..10u8 {
        let c = palette::srgb_bytes(code).unwrap();
        let n = pixels(0).filter(|&(x, y)| x < 400 && near(at(x, y), c)).count();
        assert!(n >= 100, "state {code}'s swatch: {n} pixels");
    }
    // The map, right of the legend: each state's share of the device pixels is its share of
    // the devices, within 5 points.
    let frame = &still.frame;
    let total = frame.states.len() as f64;
    let mut by_state = [0usize; 10];
    for (x, y) in pixels(400) {
        if let Some(code) = (0..10u8).find(|&c| near(at(x, y), palette::srgb_bytes(c).unwrap())) {
            by_state[code as usize] += 1;
        }
    }
    let drawn: usize = by_state.iter().sum();
    assert!(drawn > 20_000, "{drawn} device pixels");
    for (code, &n) in by_state.iter().enumerate() {
        let devices = frame.states.iter().filter(|&&s| s as usize == code).count() as f64 / total;
        let px = n as f64 / drawn as f64;
        assert!((devices - px).abs() <= 0.05, "state {code}: {devices:.3} of the devices, {px:.3} of the pixels");
    }
    // The story at that hour: the north shaft buffering, the south ramp online.
    let buffering = frame.states.iter().filter(|&&s| s == 2).count();
    assert!(buffering > 800, "{buffering} buffering");
    // The north shaft's disc is black (its cut, the site plan under it too).
    let black = pixels(400).filter(|&(x, y)| at(x, y) == [0, 0, 0]).count();
    assert!(black > 5_000, "{black} black pixels");
    assert!(still.frame.states.len() == 2000);

    // A click on a north-shaft device, and on the south ramp's disc.
    let playback = studio::playback::load(&config, run).unwrap();
    let map = fleet_view::map::layout(&playback.layout);
    let d = frame.states.iter().position(|&s| s == 2).unwrap();
    let picked = map.pick(map.devices[d]).unwrap();
    assert_eq!(picked, fleet_view::map::Picked::Device(d as u32));
    let text = fleet_view::scene::details_text(&playback, picked, frame.at_s);
    assert!(text.contains("north-shaft") && text.contains("offline, buffering since 12d 10:00"), "{text}");
    assert!(text.contains("last event: 12d 10:00  Planned power cut"), "{text}");
    let south = playback.site_index("south-ramp").unwrap();
    let edge = [map.sites[south][0] + map.site_radius[south] * 0.98, map.sites[south][1]];
    let text = fleet_view::scene::details_text(&playback, map.pick(edge).unwrap(), frame.at_s);
    assert!(text.starts_with("Site south-ramp") && text.contains("online: "), "{text}");

    demo_plays_in_order(studio::playback::load(&config, run).unwrap());
    let slides =
        fleet_view::demo_frames(studio::playback::load(&config, run).unwrap(), &dir.join("slides"), 640, 400).unwrap();
    let beats = studio::playback::demo::script(&studio::playback::load(&config, run).unwrap());
    assert_eq!(slides.len(), beats.len() + 1, "a slide per caption and the card");
    assert!(slides.last().unwrap().ends_with(format!("{:02}-summary.png", beats.len() + 1)));
    assert!(slides[2].file_name().unwrap().to_str().unwrap().contains("12d-10-00"), "{slides:?}");
    for f in &slides {
        assert!(std::fs::metadata(f).unwrap().len() > 5_000, "{}", f.display());
    }
}

/// The demo in a headless `App` at 10 frames a second: every beat shown once, in order, at its
/// time, with the camera sent to its site; then the card.
fn demo_plays_in_order(playback: studio::playback::Playback) {
    use fleet_view::demo::{Demo, DemoPlayer, DemoPlugin, Drive};
    use fleet_view::scene::CameraGoal;
    let beats = studio::playback::demo::script(&playback);
    let card = studio::playback::demo::summary(&playback);
    let duration_s = playback.duration_s();
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(100)))
        .insert_resource(ButtonInput::<KeyCode>::default())
        .insert_resource(ViewClock(Clock::new(duration_s)))
        .insert_resource(CameraGoal::default())
        .insert_resource(Demo(DemoPlayer::new(beats.clone(), card)))
        .add_plugins(DemoPlugin(Drive::Play));
    let mut shown: Vec<(usize, f64, Option<usize>)> = Vec::new();
    for _ in 0..20_000 {
        app.update();
        let w = app.world();
        let d = &w.resource::<Demo>().0;
        if d.finished {
            break;
        }
        if let Some(i) = d.shown
            && shown.last().is_none_or(|l| l.0 != i)
        {
            app.update(); // the camera's goal follows the caption
            let w = app.world();
            shown.push((i, w.resource::<ViewClock>().0.at_s, w.resource::<CameraGoal>().site));
        }
    }
    assert!(app.world().resource::<Demo>().0.finished, "the story reaches its end");
    assert_eq!(app.world().resource::<ViewClock>().0.at_s, duration_s);
    let order: Vec<usize> = shown.iter().map(|s| s.0).collect();
    assert_eq!(order, (0..beats.len()).collect::<Vec<_>>(), "every caption once, in order");
    for (i, at_s, site) in shown {
        assert_eq!(at_s, beats[i].at_s, "{:?} shown at its time", beats[i].caption);
        assert_eq!(site, beats[i].site.map(usize::from), "{:?}: the camera goes to its site", beats[i].caption);
    }
}
