//! Shared timelines, computed once before the devices run: network outages per (network
//! profile, gateway) and mains power per (power profile, site). They depend only on the scenario
//! and the seed, never on device state, so every device behind a gateway sees the same outage.

use super::events::{RunEvent, RunEventKind};
use crate::models::renewal::draw_down_s;
use crate::rng::{Purpose, Stream, mix64};
use crate::scenario::{EventKind, PowerSource, Scenario, Scope};
use crate::time::{US_PER_S, US_PER_YEAR};

/// A down interval [start, end) in microseconds; `storm` is the number of devices that lose the
/// link together (and reconnect together when it ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Interval {
    pub start_us: u64,
    pub end_us: u64,
    pub storm: u32,
}

/// Where devices are: the static layout of the fleet.
pub struct Layout {
    /// First global gateway index of each site.
    pub site_gateway_offset: Vec<usize>,
    /// Site of each global gateway index.
    pub gateway_site: Vec<usize>,
    /// Devices per (network, gateway), per (network, site), per gateway, per site.
    pub per_net_gateway: Vec<Vec<u32>>,
    /// Devices per (network profile, site).
    pub per_net_site: Vec<Vec<u32>>,
    /// Devices per global gateway, all networks.
    pub per_gateway: Vec<u32>,
    /// Devices per site, all networks.
    pub per_site: Vec<u32>,
    /// Devices per (power profile, site).
    pub per_power_site: Vec<Vec<u32>>,
}

impl Layout {
    /// The layout of `s`: every device placed at its site and gateway.
    pub fn new(s: &Scenario) -> Layout {
        let mut site_gateway_offset = Vec::new();
        let mut gateway_site = Vec::new();
        for (i, site) in s.sites.iter().enumerate() {
            site_gateway_offset.push(gateway_site.len());
            gateway_site.extend(std::iter::repeat_n(i, site.gateways as usize));
        }
        let n_gw = gateway_site.len();
        let mut l = Layout {
            site_gateway_offset,
            gateway_site,
            per_net_gateway: vec![vec![0; n_gw]; s.networks.len()],
            per_net_site: vec![vec![0; s.sites.len()]; s.networks.len()],
            per_gateway: vec![0; n_gw],
            per_site: vec![0; s.sites.len()],
            per_power_site: vec![vec![0; s.sites.len()]; s.powers.len()],
        };
        for c in &s.classes {
            for i in 0..c.count {
                let (site, gw) = l.place(s, c, i);
                l.per_net_gateway[c.network][gw] += 1;
                l.per_net_site[c.network][site] += 1;
                l.per_gateway[gw] += 1;
                l.per_site[site] += 1;
                l.per_power_site[c.power][site] += 1;
            }
        }
        l
    }

    /// Device `i` of class `c`: round-robin over the class's sites, then over the site's gateways.
    #[inline]
    pub fn place(&self, s: &Scenario, c: &crate::scenario::DeviceClass, i: u32) -> (usize, usize) {
        let n_sites = c.sites.len() as u32;
        let site = c.sites[(i % n_sites) as usize];
        let g = (i / n_sites) % s.sites[site].gateways;
        (site, self.site_gateway_offset[site] + g as usize)
    }
}

/// Sorts and merges overlapping intervals; a merged interval keeps the largest storm.
fn merge(mut v: Vec<Interval>) -> Vec<Interval> {
    v.sort_by_key(|i| (i.start_us, i.end_us));
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for i in v {
        match out.last_mut() {
            Some(last) if i.start_us <= last.end_us => {
                last.end_us = last.end_us.max(i.end_us);
                last.storm = last.storm.max(i.storm);
            }
            _ => out.push(i),
        }
    }
    out
}

fn entity(tag: u64, a: usize, b: usize) -> u64 {
    mix64(tag.wrapping_mul(0x1000_0000_01B3) ^ mix64(a as u64) ^ mix64(b as u64).rotate_left(17))
}

/// An alternating renewal process from t = 0 (up first) to the horizon.
fn renewal(
    stream: Stream,
    mean_up_s: f64,
    mean_down_s: f64,
    dist: crate::scenario::DownTime,
    horizon_us: u64,
    storm: u32,
) -> Vec<Interval> {
    let mut d = stream.draws(0);
    let mut t = 0f64;
    let mut out = Vec::new();
    loop {
        t += d.exponential(mean_up_s) * US_PER_S as f64;
        if t >= horizon_us as f64 {
            return out;
        }
        let down = draw_down_s(&mut d, mean_down_s, dist) * US_PER_S as f64;
        let start = t as u64;
        let end = ((t + down) as u64).max(start + 1);
        out.push(Interval { start_us: start, end_us: end, storm });
        t += down;
    }
}

pub(crate) struct Timelines {
    /// Network down intervals per link id; `link_of[network][gateway]` gives the id.
    pub links: Vec<Vec<Interval>>,
    pub link_of: Vec<Vec<u32>>,
    /// Mains down intervals per (power profile, site).
    pub mains: Vec<Vec<Vec<Interval>>>,
    /// Momentary sags per (power profile, site): (time, reset probability).
    pub sags: Vec<Vec<Vec<(u64, f64)>>>,
    /// Distinct network outages that started before the horizon (shared ones once).
    pub network_outages: u64,
    pub power_outages: u64,
    /// Every interval and sag above as a [`RunEvent`] (before merging: a gateway's link is the
    /// union of its gateway, site and scheduled outages), plus scheduled brownouts once per
    /// site; unsorted.
    pub events: Vec<RunEvent>,
}

/// The caption of scheduled event `e`, None when it has none.
fn caption(e: &crate::scenario::Event) -> Option<String> {
    (!e.caption.is_empty()).then(|| e.caption.clone())
}

/// A scheduled event at a site: its kind, interval and devices, with its index and caption.
fn scheduled(s: &Scenario, ei: usize, kind: RunEventKind, site: usize, end_us: Option<u64>, devices: u32) -> RunEvent {
    let e = &s.events[ei];
    RunEvent {
        site: Some(s.sites[site].id.clone()),
        event: Some(ei as u32),
        caption: caption(e),
        ..RunEvent::new(kind, e.at.0, end_us, devices as u64)
    }
}

/// A drawn interval of `profile`'s process at `site` (and gateway `gateway` within it).
fn drawn(
    s: &Scenario,
    kind: RunEventKind,
    iv: &Interval,
    site: usize,
    gateway: Option<u32>,
    profile: &str,
    devices: u32,
) -> RunEvent {
    RunEvent {
        site: Some(s.sites[site].id.clone()),
        gateway,
        profile: Some(profile.to_string()),
        ..RunEvent::new(kind, iv.start_us, Some(iv.end_us), devices as u64)
    }
}

pub(crate) fn build(s: &Scenario, seed: u64, layout: &Layout) -> Timelines {
    let horizon = s.duration.0;
    let n_gw = layout.gateway_site.len();
    let mut network_outages = 0u64;

    // Scheduled events, per gateway.
    let mut event_gw: Vec<Vec<Interval>> = vec![Vec::new(); n_gw];
    let mut event_power: Vec<Vec<Interval>> = vec![Vec::new(); s.sites.len()];
    let mut power_outages = 0u64;
    let mut events = Vec::new();
    for (ei, e) in s.events.iter().enumerate() {
        let at = e.at.0;
        match e.kind {
            EventKind::SiteOutage { site, duration } | EventKind::PowerOutage { site, duration } => {
                let iv = Interval { start_us: at, end_us: at + duration.0, storm: layout.per_site[site] };
                let kind = match e.kind {
                    EventKind::PowerOutage { .. } => RunEventKind::PowerOutage,
                    _ => RunEventKind::SiteOutage,
                };
                events.push(scheduled(s, ei, kind, site, Some(iv.end_us), iv.storm));
                let first = layout.site_gateway_offset[site];
                for gw in &mut event_gw[first..first + s.sites[site].gateways as usize] {
                    gw.push(iv);
                }
                if matches!(e.kind, EventKind::PowerOutage { .. }) {
                    event_power[site].push(iv);
                    power_outages += 1;
                } else {
                    network_outages += 1;
                }
            }
            EventKind::GatewayOutage { site, gateway, duration } => {
                let g = layout.site_gateway_offset[site] + gateway as usize;
                let iv = Interval { start_us: at, end_us: at + duration.0, storm: layout.per_gateway[g] };
                event_gw[g].push(iv);
                events.push(RunEvent {
                    gateway: Some(gateway),
                    ..scheduled(s, ei, RunEventKind::GatewayOutage, site, Some(iv.end_us), iv.storm)
                });
                network_outages += 1;
            }
            EventKind::Brownout { site, .. } => {
                // Every mains device at the site, whatever its power profile.
                let mains: u32 = (0..s.powers.len())
                    .filter(|&p| matches!(s.powers[p].source, PowerSource::Mains { .. }))
                    .map(|p| layout.per_power_site[p][site])
                    .sum();
                events.push(scheduled(s, ei, RunEventKind::PowerSag, site, None, mains));
            }
            EventKind::FirmwareUpdate(_) | EventKind::CredentialCompromise => {}
        }
    }

    let mut links = Vec::new();
    let mut link_of = vec![vec![u32::MAX; n_gw]; s.networks.len()];
    for (n, net) in s.networks.iter().enumerate() {
        // Site-scope processes are drawn once per site and shared by its gateways.
        let mut site_ivs: Vec<Vec<Option<Vec<Interval>>>> = vec![vec![None; s.sites.len()]; net.outages.len()];
        for g in 0..n_gw {
            if layout.per_net_gateway[n][g] == 0 {
                continue;
            }
            let site = layout.gateway_site[g];
            let mut ivs = event_gw[g].clone();
            for (pi, op) in net.outages.iter().enumerate() {
                let (up, down) = (op.mean_up.as_secs_f64(), op.mean_down.as_secs_f64());
                match op.scope {
                    Scope::Gateway => {
                        let st = Stream::new(seed, entity(1, n * 64 + pi, g), Purpose::SharedOutage);
                        let v = renewal(st, up, down, op.down_distribution, horizon, layout.per_net_gateway[n][g]);
                        network_outages += v.len() as u64;
                        let within = (g - layout.site_gateway_offset[site]) as u32;
                        events.extend(v.iter().map(|iv| {
                            drawn(s, RunEventKind::GatewayOutage, iv, site, Some(within), &net.name, iv.storm)
                        }));
                        ivs.extend(v);
                    }
                    Scope::Site => {
                        let v = site_ivs[pi][site].get_or_insert_with(|| {
                            let st = Stream::new(seed, entity(2, n * 64 + pi, site), Purpose::SharedOutage);
                            let v = renewal(st, up, down, op.down_distribution, horizon, layout.per_net_site[n][site]);
                            network_outages += v.len() as u64;
                            events.extend(
                                v.iter()
                                    .map(|iv| drawn(s, RunEventKind::SiteOutage, iv, site, None, &net.name, iv.storm)),
                            );
                            v
                        });
                        ivs.extend(v.iter().copied());
                    }
                    Scope::Device => {}
                }
            }
            link_of[n][g] = links.len() as u32;
            links.push(merge(ivs));
        }
    }

    let mut mains = vec![vec![Vec::new(); s.sites.len()]; s.powers.len()];
    let mut sags = vec![vec![Vec::new(); s.sites.len()]; s.powers.len()];
    for (p, power) in s.powers.iter().enumerate() {
        let PowerSource::Mains { outages_per_year, mean_outage, outage_sigma_ln, sags_per_year, reset_probability } =
            power.source
        else {
            continue;
        };
        for site in 0..s.sites.len() {
            // Nobody draws mains power from this profile here: no timeline, nothing counted.
            if layout.per_power_site[p][site] == 0 {
                continue;
            }
            let mut ivs = event_power[site].clone();
            if outages_per_year > 0.0 {
                let st = Stream::new(seed, entity(3, p, site), Purpose::Mains);
                let mean_up_s = US_PER_YEAR as f64 / US_PER_S as f64 / outages_per_year;
                let dist = crate::scenario::DownTime::LogNormal { sigma: outage_sigma_ln.max(1e-9) };
                let v = renewal(st, mean_up_s, mean_outage.as_secs_f64(), dist, horizon, layout.per_site[site]);
                power_outages += v.len() as u64;
                let devices = layout.per_power_site[p][site];
                events.extend(
                    v.iter().map(|iv| drawn(s, RunEventKind::PowerOutage, iv, site, None, &power.name, devices)),
                );
                ivs.extend(v);
            }
            mains[p][site] = merge(ivs);
            let mut sv = Vec::new();
            if sags_per_year > 0.0 {
                let mut d = Stream::new(seed, entity(4, p, site), Purpose::Mains).draws(0);
                let mean_gap_us = US_PER_YEAR as f64 / sags_per_year;
                let mut t = 0f64;
                loop {
                    t += d.exponential(mean_gap_us);
                    if t >= horizon as f64 {
                        break;
                    }
                    sv.push((t as u64, reset_probability));
                }
                let devices = layout.per_power_site[p][site] as u64;
                events.extend(sv.iter().map(|&(at, _)| RunEvent {
                    site: Some(s.sites[site].id.clone()),
                    profile: Some(power.name.clone()),
                    ..RunEvent::new(RunEventKind::PowerSag, at, None, devices)
                }));
            }
            for e in &s.events {
                if let EventKind::Brownout { site: es, reset_probability } = e.kind
                    && es == site
                {
                    sv.push((e.at.0, reset_probability));
                }
            }
            sv.sort_by_key(|a| a.0);
            sags[p][site] = sv;
        }
    }
    Timelines { links, link_of, mains, sags, network_outages, power_outages, events }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_largest_storm() {
        let v = vec![
            Interval { start_us: 10, end_us: 20, storm: 5 },
            Interval { start_us: 0, end_us: 12, storm: 9 },
            Interval { start_us: 30, end_us: 40, storm: 1 },
        ];
        assert_eq!(
            merge(v),
            vec![Interval { start_us: 0, end_us: 20, storm: 9 }, Interval { start_us: 30, end_us: 40, storm: 1 }]
        );
    }
}
