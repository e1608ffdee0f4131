//! The run's timeline of events (`RunOutput::events`): scheduled events with their captions at
//! their simulated times, and shared outages that are exactly the intervals the engine ran the
//! devices against (their union per link is the link's timeline; their number is the engine's
//! outage counters), sorted and the same on every call. A unit test: it reads the engine's
//! crate-private timeline and lifecycle plan.

use crate::engine::events::{RunEvent, RunEventKind};
use crate::engine::timeline::{self, Interval, Layout};
use crate::engine::{NoObserver, run_events, simulate};
use crate::scenario::{EventKind, PowerSource, Scenario, ScenarioSource, parse_scenario};
use crate::time::US_PER_DAY;

fn bundled(name: &str, overrides: &[&str]) -> Scenario {
    let path = format!("{}/../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    let overrides: Vec<String> = overrides.iter().map(|o| o.to_string()).collect();
    parse_scenario(&ScenarioSource { file: &path, bytes: &bytes, overrides: &overrides })
        .unwrap_or_else(|d| panic!("{d}"))
}

/// Sorted, merged (touching intervals join), as the engine merges a link's outages.
fn union(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    v.sort();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn spans(v: &[Interval]) -> Vec<(u64, u64)> {
    v.iter().map(|i| (i.start_us, i.end_us)).collect()
}

fn site_index(s: &Scenario, e: &RunEvent) -> Option<usize> {
    e.site.as_ref().map(|id| s.sites.iter().position(|x| &x.id == id).expect("a site of the scenario"))
}

#[test]
fn scheduled_events_carry_their_captions_at_their_simulated_times() {
    for name in ["mine-production", "plant-production", "plant-pilot"] {
        let s = bundled(name, &[]);
        let events = run_events(&s, s.seed);
        let scheduled: Vec<&RunEvent> = events.iter().filter(|e| e.is_scheduled()).collect();
        assert_eq!(scheduled.len(), s.events.len(), "{name}: one event per [[event]]");
        for e in &scheduled {
            let i = e.event.unwrap() as usize;
            let se = &s.events[i];
            assert_eq!(e.start_us, se.at.0, "{name}: event {i} starts when the scenario says");
            assert_eq!(e.caption.as_deref(), Some(se.caption.as_str()).filter(|c| !c.is_empty()), "{name}: event {i}");
            assert!(!e.label().is_empty());
            let (kind, end, site) = match &se.kind {
                EventKind::SiteOutage { site, duration } => {
                    (RunEventKind::SiteOutage, Some(se.at.0 + duration.0), Some(*site))
                }
                EventKind::PowerOutage { site, duration } => {
                    (RunEventKind::PowerOutage, Some(se.at.0 + duration.0), Some(*site))
                }
                EventKind::GatewayOutage { site, duration, .. } => {
                    (RunEventKind::GatewayOutage, Some(se.at.0 + duration.0), Some(*site))
                }
                EventKind::Brownout { site, .. } => (RunEventKind::PowerSag, None, Some(*site)),
                EventKind::FirmwareUpdate(_) => (RunEventKind::FirmwareCampaign, e.end_us, None),
                EventKind::CredentialCompromise => (RunEventKind::CredentialLeak, e.end_us, None),
            };
            assert_eq!((e.kind, e.end_us, site_index(&s, e)), (kind, end, site), "{name}: event {i}");
        }
    }
    // The mine's caption, to the microsecond: "12d 10:00", 18 h, at the north shaft.
    let s = bundled("mine-production", &[]);
    let cut =
        run_events(&s, s.seed).into_iter().find(|e| e.kind == RunEventKind::SiteOutage && e.is_scheduled()).unwrap();
    assert_eq!(cut.start_us, 12 * US_PER_DAY + 10 * 3_600_000_000);
    assert_eq!(cut.end_us, Some(cut.start_us + 18 * 3_600_000_000));
    assert_eq!(cut.site.as_deref(), Some("north-shaft"));
    assert_eq!(
        cut.caption.as_deref(),
        Some("Planned power cut at the north shaft: every cell there goes dark for 18 h")
    );
    assert_eq!(cut.devices, 10_000, "half of the 20,000 sensors are at the north shaft");
}

#[test]
fn firmware_waves_and_leaks_match_the_summary() {
    let s = bundled("mine-production", &[]);
    let seed = s.seed;
    let events = run_events(&s, seed);
    let layout = Layout::new(&s);
    let plan = crate::engine::lifecycle::plan(&s, seed, &layout);
    let ota = plan.ota.as_ref().unwrap();
    let waves: Vec<&RunEvent> = events.iter().filter(|e| e.kind == RunEventKind::FirmwareWave).collect();
    let campaign = &ota.campaigns[0];
    assert_eq!(waves.len(), campaign.waves.len());
    for (w, sw) in waves.iter().zip(&campaign.waves) {
        assert_eq!(w.devices, sw.devices);
        assert!((w.start_us as f64 / US_PER_DAY as f64 - sw.start_days).abs() < 1e-9);
        assert!((w.end_us.unwrap() as f64 / US_PER_DAY as f64 - sw.end_days).abs() < 1e-9);
    }
    let c = events.iter().find(|e| e.kind == RunEventKind::FirmwareCampaign).unwrap();
    assert_eq!((c.devices, c.start_us, c.end_us), (campaign.devices, waves[0].start_us, waves.last().unwrap().end_us));
    let leak = events.iter().find(|e| e.kind == RunEventKind::CredentialLeak).unwrap();
    let sc = &plan.security.as_ref().unwrap().compromises[0];
    assert_eq!(leak.devices, sc.blast_radius);
    let restored_days = (leak.end_us.unwrap() - leak.start_us) as f64 / US_PER_DAY as f64;
    assert!((restored_days - sc.restored_after_days).abs() < 1e-9);
}

/// For each link (network profile, gateway): the union of the outages reported for it is the
/// timeline the devices behind it ran against (below `MAX_RUN_EVENTS`, as every bundled
/// scenario is); per (power profile, site) the same for mains
/// outages and sags; and the counts are the engine's outage counters.
fn check_outages_are_the_engines(s: &Scenario) {
    let seed = s.seed;
    let layout = Layout::new(s);
    let t = timeline::build(s, seed, &layout);
    let events = run_events(s, seed);
    let name = &s.name;
    let network = events.iter().filter(|e| matches!(e.kind, RunEventKind::GatewayOutage | RunEventKind::SiteOutage));
    assert_eq!(network.count() as u64, t.network_outages, "{name}: network outages");
    let power = events.iter().filter(|e| e.kind == RunEventKind::PowerOutage);
    assert_eq!(power.count() as u64, t.power_outages, "{name}: power outages");
    let mut checked = 0;
    for (n, net) in s.networks.iter().enumerate() {
        for g in 0..layout.gateway_site.len() {
            let link = t.link_of[n][g];
            if link == u32::MAX {
                continue;
            }
            let site = layout.gateway_site[g];
            let within = (g - layout.site_gateway_offset[site]) as u32;
            let mine = events.iter().filter(|e| {
                let here = site_index(s, e) == Some(site);
                let profile = e.profile.is_none() || e.profile.as_deref() == Some(net.name.as_str());
                here && profile
                    && match e.kind {
                        RunEventKind::SiteOutage => true,
                        // A scheduled power cut takes the site's gateways down too.
                        RunEventKind::PowerOutage => e.is_scheduled(),
                        RunEventKind::GatewayOutage => e.gateway == Some(within),
                        _ => false,
                    }
            });
            let reported = union(mine.map(|e| (e.start_us, e.end_us.unwrap())).collect());
            assert_eq!(reported, spans(&t.links[link as usize]), "{name}: network {} gateway {g}", net.name);
            checked += 1;
        }
    }
    assert!(checked > 0);
    for (p, power) in s.powers.iter().enumerate() {
        if !matches!(power.source, PowerSource::Mains { .. }) {
            continue;
        }
        for site in 0..s.sites.len() {
            if layout.per_power_site[p][site] == 0 {
                continue;
            }
            let here = |e: &&RunEvent, kind| {
                e.kind == kind
                    && site_index(s, e) == Some(site)
                    && (e.is_scheduled() || e.profile.as_deref() == Some(power.name.as_str()))
            };
            let cuts: Vec<(u64, u64)> = events
                .iter()
                .filter(|e| here(e, RunEventKind::PowerOutage))
                .map(|e| (e.start_us, e.end_us.unwrap()))
                .collect();
            assert_eq!(union(cuts), spans(&t.mains[p][site]), "{name}: mains of {} at site {site}", power.name);
            let mut sags: Vec<u64> =
                events.iter().filter(|e| here(e, RunEventKind::PowerSag)).map(|e| e.start_us).collect();
            sags.sort();
            let engine: Vec<u64> = t.sags[p][site].iter().map(|x| x.0).collect();
            assert_eq!(sags, engine, "{name}: sags of {} at site {site}", power.name);
        }
    }
}

#[test]
fn outages_reported_are_the_intervals_that_darkened_devices() {
    // Gateway- and site-scope processes, scheduled site, gateway and power cuts, drawn mains
    // outages and sags (three years of the plant, so its 1.4 outages a year show up).
    check_outages_are_the_engines(&bundled("mine-production", &[]));
    check_outages_are_the_engines(&bundled("logistics-production", &[]));
    let plant = bundled("plant-production", &["scenario.duration=3y"]);
    check_outages_are_the_engines(&plant);
    let events = run_events(&plant, plant.seed);
    assert!(events.iter().any(|e| e.kind == RunEventKind::PowerOutage && !e.is_scheduled()), "drawn mains outages");
    assert!(events.iter().any(|e| e.kind == RunEventKind::PowerSag && !e.is_scheduled()), "drawn sags");
    for name in ["plant-pilot", "mine-pilot", "logistics-pilot", "building-production"] {
        check_outages_are_the_engines(&bundled(name, &[]));
    }
}

#[test]
fn the_engine_reports_the_timeline_it_ran_sorted_and_the_same_every_time() {
    let s = bundled("plant-pilot", &[]);
    let out = simulate(&s, s.seed, &mut NoObserver);
    assert!(!out.events.is_empty());
    assert_eq!(out.events_omitted, 0, "far below the cap");
    assert_eq!(out.events, run_events(&s, s.seed), "simulate reports what run_events computes");
    assert_eq!(run_events(&s, s.seed), run_events(&s, s.seed));
    assert_ne!(run_events(&s, s.seed), run_events(&s, s.seed + 1), "drawn outages depend on the seed");
    let s = bundled("mine-production", &[]);
    let events = run_events(&s, s.seed);
    assert!(events.windows(2).all(|w| RunEvent::order(&w[0], &w[1]).is_lt()), "sorted, no two alike");
    let back: Vec<RunEvent> = serde_json::from_str(&serde_json::to_string(&events).unwrap()).unwrap();
    assert_eq!(back, events, "serde round trip");
}
