//! The story a demo tells of a played-back run: the scenario's scheduled events with their
//! captions, at their times and where they happen, and what the devices then did (buffers
//! filling until readings are lost, the outage's end, firmware waves, the first dead battery,
//! failure or bricked device), read off the playback data; then a card with the verdict and what
//! broke. Pure: the fleet view plays it ([`DemoBeat`]s in time order), tests read it.

use sim_core::text::{count, sim_clock, thousands};
use sim_core::verdict::Severity;

use super::{DeviceState, Playback, RunEventKind};
use crate::contract::{DemoBeat, DemoSummary};

/// The most beats a story tells (the scheduled events and their consequences come first).
pub const MAX_BEATS: usize = 16;
/// The most waves of one firmware campaign told.
const MAX_WAVES: usize = 6;
/// The most times one site's buffers filling up is told.
const MAX_ONSETS_PER_SITE: usize = 3;

/// A beat and how much it matters (lower first when the story is too long).
struct Candidate {
    rank: u8,
    beat: DemoBeat,
}

/// The story of `p`, in time order (beats at the same time in the order they were found).
pub fn script(p: &Playback) -> Vec<DemoBeat> {
    let l = &p.layout;
    let mut found: Vec<Candidate> = Vec::new();
    let mut add = |rank: u8, at_s: f64, text: String, site: Option<usize>| {
        let caption = format!("{}  {}", sim_clock(at_s), text);
        found.push(Candidate { rank, beat: DemoBeat { at_s, caption, site: site.map(|s| s as u16) } });
    };
    let days = p.duration_s() / 86_400.0;
    let from = p.calendar(0.0);
    add(
        0,
        0.0,
        format!(
            "{}: {} at {} over {} days{}",
            l.scenario,
            count(l.site_of.len() as u64, "device", "devices"),
            count(l.sites.len() as u64, "site", "sites"),
            thousands(days.round() as u64),
            if from.is_empty() { String::new() } else { format!(" from {from}") }
        ),
        None,
    );

    // The scenario's own events, and the end of each scheduled outage.
    let mut waves = 0;
    for e in &p.events {
        let at_s = e.start_us as f64 / 1e6;
        if at_s >= p.duration_s() {
            continue;
        }
        let site = e.site.as_deref().and_then(|id| p.site_index(id));
        let at = e.site.as_deref().map(|s| format!(" at {s}")).unwrap_or_default();
        if e.kind == RunEventKind::FirmwareWave {
            if waves < MAX_WAVES {
                waves += 1;
                let n = e.wave.unwrap_or(0) + 1;
                add(2, at_s, format!("firmware wave {n}: {} update", count(e.devices, "device", "devices")), None);
            }
            continue;
        }
        if !e.is_scheduled() {
            continue;
        }
        let label = e.caption.clone().unwrap_or_else(|| format!("{}{at}", e.kind.label()));
        add(0, at_s, label, site);
        let outage =
            matches!(e.kind, RunEventKind::PowerOutage | RunEventKind::SiteOutage | RunEventKind::GatewayOutage);
        if let (true, Some(end_us), Some(s)) = (outage, e.end_us, site) {
            let end_s = end_us as f64 / 1e6;
            if end_s < p.duration_s() {
                // Devices at the site still waiting for their link in the hour before it returns.
                let waiting = waiting_at(p, s, end_s - 1.0);
                let hours = (end_s - at_s) / 3600.0;
                let text = if waiting > 0 {
                    format!(
                        "{}{at} over after {hours:.0} h: {} reconnect and send what they kept",
                        e.kind.label(),
                        count(waiting, "device", "devices")
                    )
                } else {
                    format!("{}{at} over after {hours:.0} h", e.kind.label())
                };
                add(1, end_s, text, site);
            }
        }
    }

    // What the devices did: buffers full (readings lost) at a site, from none to some.
    let epochs = p.timeline.epochs as usize;
    let n_sites = l.sites.len();
    let mut full_delta = vec![vec![0i64; epochs + 1]; n_sites];
    let mut first: [Option<(u32, usize)>; 3] = [None; 3];
    let watched = [DeviceState::BatteryDead, DeviceState::Failed, DeviceState::Bricked];
    for (d, changes) in p.timeline.devices.iter().enumerate() {
        let site = l.site_of[d] as usize;
        let mut was_full = false;
        for &(epoch, state) in changes {
            let e = (epoch as usize).min(epochs);
            let full = state == DeviceState::BufferFull;
            if full != was_full {
                full_delta[site][e] += if full { 1 } else { -1 };
                was_full = full;
            }
            if let Some(i) = watched.iter().position(|&w| w == state)
                && first[i].is_none_or(|(fe, _)| epoch < fe)
            {
                first[i] = Some((epoch, site));
            }
        }
    }
    for (site, delta) in full_delta.iter().enumerate() {
        let (mut n, mut told) = (0i64, 0);
        for (epoch, dn) in delta.iter().enumerate().take(epochs) {
            let before = n;
            n += dn;
            if before == 0 && n > 0 && told < MAX_ONSETS_PER_SITE {
                told += 1;
                let text = format!(
                    "{}: buffers full, {} losing readings",
                    l.sites[site].id,
                    count(n as u64, "device", "devices")
                );
                add(1, sample_s(epoch as u32), text, Some(site));
            }
        }
    }
    for (i, f) in first.iter().enumerate() {
        if let Some((epoch, site)) = *f {
            let what = match watched[i] {
                DeviceState::BatteryDead => "the first battery dies",
                DeviceState::Failed => "the first hardware failure",
                _ => "the first device bricked by an update",
            };
            add(2, sample_s(epoch), format!("{what}, at {}", l.sites[site].id), Some(site));
        }
    }

    found.sort_by_key(|c| c.rank);
    found.truncate(MAX_BEATS);
    let mut beats: Vec<DemoBeat> = found.into_iter().map(|c| c.beat).collect();
    beats.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    beats
}

/// The time from which the sample of `epoch` is shown (its hour's end).
fn sample_s(epoch: u32) -> f64 {
    (epoch as f64 + 1.0) * 3600.0
}

/// Devices at `site` buffering or losing readings in the sample shown at `at_s`.
fn waiting_at(p: &Playback, site: usize, at_s: f64) -> u64 {
    let f = p.frame(at_s.max(0.0));
    let c = &f.sites[site].counts;
    (c[DeviceState::Buffering.code() as usize] + c[DeviceState::BufferFull.code() as usize]) as u64
}

/// The card at the story's end: the verdict, the findings that failed or warned, then the
/// fleet's figures at the end of the run.
pub fn summary(p: &Playback) -> DemoSummary {
    let l = &p.layout;
    let verdict = p.summary.as_ref().and_then(|s| s.verdict.as_ref());
    let title = match verdict {
        Some(v) => format!("{}: {}", l.scenario, v.status.label()),
        None => format!("{}: no targets set", l.scenario),
    };
    let mut lines = Vec::new();
    if let Some(v) = verdict {
        for sev in [Severity::Fail, Severity::Warn] {
            for f in v.findings.iter().filter(|f| f.severity == sev).take(4) {
                lines.push(format!("{}: {}", sev.label(), f.title));
            }
        }
        let passed = v.findings.iter().filter(|f| f.severity == Severity::Pass).count();
        if passed > 0 {
            lines.push(format!("PASS: {} met", count(passed as u64, "target or check", "targets and checks")));
        }
    }
    if let Some(k) = p.kpis.last() {
        let all = k.delivered + k.lost;
        if all > 0 {
            lines.push(format!(
                "{:.2} % of readings delivered, {} lost",
                k.delivered as f64 / all as f64 * 100.0,
                thousands(k.lost)
            ));
        }
        lines.push(format!(
            "{} of {} devices online at the end",
            thousands(k.online),
            thousands(l.site_of.len() as u64)
        ));
    }
    if let Some(c) = p.summary.as_ref().and_then(|s| s.cost.as_ref()) {
        lines.push(format!(
            "Cost of ownership {} {} over {:.0} years",
            thousands(c.tco.units_f64().round().max(0.0) as u64),
            c.currency,
            c.horizon_years
        ));
    }
    DemoSummary { title, ready: verdict.map(|v| v.ready), lines }
}
