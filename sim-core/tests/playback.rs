//! Playback data: a run with its per-device states is the same run (bit for bit) as one
//! without, the states agree with the hourly reports, they do not depend on the thread count,
//! and the mine's planned power cut reads as its story: the north shaft's devices buffer, then
//! lose data once their buffers are full, and come back.

mod common;

use sim_core::engine::{
    DeviceState, EpochReport, Layout, Observer, StateChange, Timeline, simulate, simulate_playback,
};
use sim_core::scenario::{ScenarioSource, parse_scenario};
use sim_core::summary::summarize;

/// Records the timeline and the hourly reports.
struct Recorder {
    timeline: Timeline,
    reports: Vec<EpochReport>,
}

impl Observer for Recorder {
    fn epoch(&mut self, r: &EpochReport) {
        self.timeline.epochs = r.epochs;
        self.reports.push(r.clone());
    }
    fn states(&mut self, epoch: u32, changes: &[StateChange]) {
        self.timeline.record(epoch, changes);
    }
}

fn load(file: &std::path::Path, overrides: &[String]) -> sim_core::scenario::Scenario {
    let bytes = std::fs::read(file).unwrap();
    let name = file.display().to_string();
    parse_scenario(&ScenarioSource { file: &name, bytes: &bytes, overrides }).unwrap_or_else(|d| panic!("{d}"))
}

fn count(t: &Timeline, epoch: u32, state: DeviceState) -> u64 {
    (0..t.devices.len() as u32).filter(|&d| t.state_at(d, epoch) == state).count() as u64
}

impl Recorder {
    fn of(s: &sim_core::scenario::Scenario) -> Recorder {
        Recorder { timeline: Timeline::of_run(s), reports: Vec::new() }
    }
}

#[test]
fn every_scenario_plays_back_the_run_it_would_have_been() {
    for f in common::scenario_files() {
        let full = load(&f, &[]);
        let mut overrides = vec!["scenario.duration=2d".to_string()];
        overrides.extend((0..full.events.len()).map(|i| format!("event.{i}.at={}h", 12 + i)));
        let s = load(&f, &overrides);
        let name = f.display();
        let plain = summarize(&s, s.seed, &simulate(&s, s.seed, &mut sim_core::engine::NoObserver)).fingerprint();
        let played = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut r = Recorder::of(&s);
                let out = simulate_playback(&s, s.seed, &mut r);
                (summarize(&s, s.seed, &out).fingerprint(), r)
            })
        };
        let (one, r1) = played(1);
        let (two, r2) = played(2);
        assert_eq!(plain, one, "{name}: playback changed the run");
        assert_eq!(one, two, "{name}: 1 vs 2 threads");
        assert_eq!(r1.timeline, r2.timeline, "{name}: the states depend on the thread count");

        let t = &r1.timeline;
        let devices: u32 = s.classes.iter().map(|c| c.count).sum();
        assert_eq!(t.devices.len() as u32, devices, "{name}: every device has a state at epoch 0");
        assert!(t.devices.iter().all(|d| d.first().is_some_and(|c| c.0 == 0)), "{name}");
        for r in &r1.reports {
            let e = r.index;
            let in_service: u64 = r.per_class.iter().map(|c| c.in_service).sum();
            let online: u64 = r.per_class.iter().map(|c| c.online).sum();
            let out = [DeviceState::NotInstalled, DeviceState::BatteryDead, DeviceState::Failed, DeviceState::Bricked]
                .map(|st| count(t, e, st))
                .iter()
                .sum::<u64>();
            assert_eq!(in_service, devices as u64 - out, "{name} hour {e}: in service");
            // Online in the report: in service, powered and linked. A device that rebooted or
            // updated during the hour shows that instead, whatever its link.
            let shown_online = count(t, e, DeviceState::Online);
            let busy = count(t, e, DeviceState::Rebooting) + count(t, e, DeviceState::Updating);
            assert!(
                shown_online <= online && online <= shown_online + busy,
                "{name} hour {e}: {shown_online} {online} {busy}"
            );
        }
    }
}

#[test]
fn the_mine_power_cut_darkens_the_north_shaft_until_its_buffers_overflow() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let file = root.join("scenarios/mine-production.toml");
    // 600 devices over 14 days: the cut at day 12, 10:00, for 18 h; buffers hold 16.6 h.
    // The scenario's later events (at 30 and 60 days) move to day 13 evening, after what is checked.
    let set = ["fleet.vibration.count=600", "scenario.duration=14d", "event.1.at=13d 20:00", "event.2.at=13d 21:00"];
    let s = load(&file, &set.map(String::from));
    let mut r = Recorder::of(&s);
    simulate_playback(&s, s.seed, &mut r);
    let t = &r.timeline;
    let layout = Layout::new(&s);
    let north = s.sites.iter().position(|x| x.id == "north-shaft").unwrap();
    let at_north: Vec<u32> = (0..600).filter(|&i| layout.place(&s, &s.classes[0], i).0 == north).collect();
    assert!(at_north.len() >= 200 && at_north.len() < 600, "{} devices at the north shaft", at_north.len());
    // The sample at the end of epoch e is the state at hour e + 1.
    let cut = (s.events[0].at.0 / 3_600_000_000) as u32; // the hour the cut starts
    let share = |hour: u32, states: &[DeviceState]| {
        let n = at_north.iter().filter(|&&d| states.contains(&t.state_at(d, hour - 1))).count();
        n as f64 / at_north.len() as f64
    };
    let hist = |hour: u32| {
        at_north.iter().fold(std::collections::BTreeMap::<DeviceState, usize>::new(), |mut m, &d| {
            *m.entry(t.state_at(d, hour - 1)).or_default() += 1;
            m
        })
    };
    let online = [DeviceState::Online];
    assert!(share(cut - 1, &online) > 0.95, "an hour before the cut: {:?}", hist(cut - 1));
    assert!(share(cut, &[DeviceState::Buffering]) > 0.95, "as it starts: {:?}", hist(cut));
    // An hour in, every device still in service is buffering; 17 h in, the buffers (16.6 h)
    // are full and losing data, until power is back 18 h in.
    assert!(share(cut + 1, &[DeviceState::Buffering]) > 0.95, "{:?}", hist(cut + 1));
    assert!(share(cut + 16, &[DeviceState::Buffering]) > 0.95, "{:?}", hist(cut + 16));
    assert!(share(cut + 17, &[DeviceState::BufferFull]) > 0.95, "{:?}", hist(cut + 17));
    // Back a few hours after the cut ends (the reconnect storm drains).
    assert!(share(cut + 18 + 3, &online) > 0.95, "after: {:?}", hist(cut + 18 + 3));
    // The south ramp is not cut.
    let south: Vec<u32> = (0..600).filter(|d| !at_north.contains(d)).collect();
    let south_down = south.iter().filter(|&&d| t.state_at(d, cut + 10) != DeviceState::Online).count();
    assert!((south_down as f64) < 0.05 * south.len() as f64, "{south_down} of {} south devices", south.len());

    // The timeline is small: a few changes per device, two bytes each.
    let bytes = t.encode();
    assert_eq!(Timeline::decode(&bytes).unwrap(), *t);
    assert!(bytes.len() < 600 * 100, "{} bytes for 600 devices", bytes.len());
}
