//! The fleet's lifecycle, planned before the devices run: when each device comes online
//! (provisioning), when the broker stops accepting it (a certificate that expired unrenewed, a
//! revoked shared credential) and until when, and when each firmware campaign reaches it and
//! with what outcome.
//!
//! Every outcome comes from the pure models in [`crate::models`] with the device's own random
//! streams, so the plan is the same whatever the thread count. A campaign's waves are decided
//! here, once, from the outcomes of the wave before (the hawkBit thresholds); the engine then
//! applies each device's actions at their time: a refused device's link is unusable until it is
//! restored, a bricked device is out of service until a truck roll, a download costs battery.

use serde::{Deserialize, Serialize};

use super::events::{RunEvent, RunEventKind, end_of};
use super::timeline::Layout;
use crate::models::{identity, ota, provisioning};
use crate::rng::{Purpose, Stream, entity_key};
use crate::scenario::{Credentials, EventKind, FirmwareUpdate, Onboarding, Provisioning, Scenario};
use crate::time::{US_PER_DAY, US_PER_H, US_PER_S};

/// What happens to one device at a time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Action {
    pub at_us: u64,
    pub kind: ActionKind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ActionKind {
    /// The broker refuses the device until then (expired certificate, revoked credential).
    Refuse { until_us: u64 },
    /// A firmware update ends: its outcome, and the chunks the download sent.
    Update { outcome: ota::Outcome, chunks: u32 },
}

/// The plan of a run.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// When each device (global index) is online; empty when every device is from the start.
    pub online_us: Vec<u64>,
    /// Device g's actions are `actions[starts[g]..starts[g + 1]]`, by time (both empty: none).
    pub starts: Vec<u32>,
    pub actions: Vec<Action>,
    /// Battery charge one downloaded chunk costs, per class, mAh.
    pub chunk_mah: Vec<f64>,
    /// Restorations (refusals that end before the horizon) per class: reconnects with a new
    /// credential.
    pub restorations: Vec<u64>,
    pub provisioning: Option<ProvisioningSummary>,
    pub ota: Option<OtaSummary>,
    pub security: Option<SecuritySummary>,
    /// Firmware campaigns and their waves, credential leaks (unsorted).
    pub events: Vec<RunEvent>,
}

impl Plan {
    pub fn online_at(&self, g: u32) -> u64 {
        self.online_us.get(g as usize).copied().unwrap_or(0)
    }

    pub fn actions_of(&self, g: u32) -> &[Action] {
        match (self.starts.get(g as usize), self.starts.get(g as usize + 1)) {
            (Some(&a), Some(&b)) => &self.actions[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// The `provisioning` section of a RunSummary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningSummary {
    /// "manual" or "zero-touch".
    pub onboarding: String,
    /// Installation pace, devices per week (0: all at the start).
    pub installs_per_week: f64,
    /// Devices in the fleet (all classes).
    pub devices: u64,
    /// Devices online before the end of the run.
    pub online_by_end: u64,
    /// When the last device came online (or will), days from the first install.
    pub fleet_online_days: f64,
    /// Whether the run covers the rollout (else it is the steady state after it).
    pub rollout_in_run: bool,
    /// Share of the run's device-time with devices installed (1 without a rollout in the run):
    /// the business case scales usage to a full fleet with it.
    pub installed_share: f64,
    /// Technician time for manual set-up, hours (a mistake doubles it; 0 for zero-touch).
    pub technician_hours: f64,
    /// Second visits: manual set-up mistakes, zero-touch devices that gave up.
    pub revisits: u64,
    /// Enrolment attempts made by zero-touch devices (0 for manual onboarding).
    pub enrolment_attempts: u64,
}

/// One wave of a firmware campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaveSummary {
    /// Devices in the wave.
    pub devices: u64,
    /// Devices that ended on the new image.
    pub succeeded: u64,
    /// Devices back on the old image (A/B revert after a failed boot or health check).
    pub rolled_back: u64,
    /// Devices the update bricked (out of service until a truck roll).
    pub bricked: u64,
    /// Devices whose download failed; they stay on the old image.
    pub download_failed: u64,
    /// When the wave started, days from the start of the run.
    pub start_days: f64,
    /// When the wave's last download ended, days from the start of the run.
    pub end_days: f64,
}

/// One firmware campaign (a `firmware-update` event) and its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    /// When the campaign started, days from the start of the run.
    pub at_days: f64,
    /// Image size, bytes.
    pub image_bytes: u64,
    /// Devices installed when the campaign started (its target).
    pub devices: u64,
    /// The waves that started, in order.
    pub waves: Vec<WaveSummary>,
    /// Devices that ended on the new image, all waves.
    pub succeeded: u64,
    /// Devices that rolled back, all waves.
    pub rolled_back: u64,
    /// Devices bricked, all waves.
    pub bricked: u64,
    /// Devices whose download failed, all waves.
    pub download_failed: u64,
    /// Devices in waves that never started (the error threshold stopped the campaign).
    pub not_reached: u64,
    /// The wave (from 0) after which the campaign stopped; None: it ran to the end.
    pub stopped_after_wave: Option<usize>,
    /// From the start to the end of the last wave, hours.
    pub duration_h: f64,
    /// Whether the last wave ended before the end of the run.
    pub finished_in_run: bool,
    /// Bytes the downloads sent, retransmissions included.
    pub bytes_sent: u64,
    /// Battery charge the downloads cost, mAh (battery devices).
    pub energy_mah: f64,
}

/// The `ota` section of a RunSummary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OtaSummary {
    /// "none", "single-slot" or "a-b".
    pub update: String,
    /// Whether a lost chunk is resent instead of restarting the download.
    pub resume: bool,
    /// Every campaign of the run, in event order.
    pub campaigns: Vec<CampaignSummary>,
    /// Devices bricked, all campaigns.
    pub bricked: u64,
    /// Devices rolled back, all campaigns.
    pub rolled_back: u64,
    /// Bytes the downloads sent, all campaigns, retransmissions included.
    pub bytes_sent: u64,
    /// Updates that found their device failed, dead or without power (not applied).
    pub missed_out_of_service: u64,
    /// Campaigns a year the business case assumes.
    pub campaigns_per_year: f64,
}

/// One credential leak (a `credential-compromise` event) and its clean-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompromiseSummary {
    /// When the leak happened, days from the start of the run.
    pub at_days: f64,
    /// Devices the leaked credential exposes, all revoked.
    pub blast_radius: u64,
    /// From the leak until the last exposed device is back, days.
    pub restored_after_days: f64,
    /// Device-days the exposed devices spent offline within the run.
    pub offline_device_days: f64,
    /// Technician time spent re-provisioning by hand, hours.
    pub technician_hours: f64,
    /// Site visits (manual re-provisioning: one per site with exposed devices).
    pub site_visits: u64,
    /// Remote re-enrolments (zero-touch).
    pub reenrolments: u64,
}

/// The `security` section of a RunSummary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecuritySummary {
    /// "shared" or "per-device".
    pub credentials: String,
    /// Certificate lifetime, days; None: credentials that do not expire.
    pub certificate_lifetime_days: Option<f64>,
    /// Whether certificates are renewed before they expire.
    pub rotation: bool,
    /// Certificates issued in the run (first issue, renewals, re-issues after a visit).
    pub certificates_issued: u64,
    /// Times a device dropped offline with an expired certificate.
    pub certificate_expiries: u64,
    /// When the first certificate expired unrenewed, days from the start; None: none did.
    pub first_expiry_days: Option<f64>,
    /// Device-days offline with an expired certificate, within the run.
    pub expired_device_days: f64,
    /// Every credential leak of the run, in event order.
    pub compromises: Vec<CompromiseSummary>,
    /// "persistent" or "per-report".
    pub sessions: String,
    /// TLS handshakes (one per reconnect, or one per report) and their bytes and energy; filled
    /// in from the run's counts.
    pub handshakes: u64,
    /// Bytes of those handshakes.
    pub handshake_bytes: u64,
    /// Battery charge those handshakes cost, mAh.
    pub handshake_energy_mah: f64,
}

/// Radio rates of a class: (radio-on bits per second, effective bits per second including any
/// duty-cycle pause). LoRa derives both from the airtime of one telemetry frame.
pub(crate) fn rates_bps(s: &Scenario, class: usize) -> (f64, f64) {
    let c = &s.classes[class];
    let net = &s.networks[c.network];
    match net.lora {
        Some(r) => {
            let airtime_s = crate::models::lora::uplink_airtime_s(&r, c.telemetry.payload_bytes);
            let bits = c.telemetry.payload_bytes as f64 * 8.0;
            (bits / airtime_s, bits / (airtime_s * 100.0 / r.duty_cycle_pct))
        }
        None => (net.throughput_kbps * 1000.0, net.throughput_kbps * 1000.0),
    }
}

/// Battery charge of sending `bytes` at the class's radio rate, mAh.
pub(crate) fn transfer_mah(s: &Scenario, class: usize, bytes: f64) -> f64 {
    let (radio_bps, _) = rates_bps(s, class);
    s.powers[s.classes[class].power].currents.tx_ma * bytes * 8.0 / radio_bps / 3600.0
}

fn days(us: u64) -> f64 {
    us as f64 / US_PER_DAY as f64
}

/// The visit delay of the scenario's maintenance (None: nobody comes).
fn visit_us(s: &Scenario) -> Option<u64> {
    s.maintenance.enabled.then_some(s.maintenance.detection_delay.0 + s.maintenance.truck_roll_response.0)
}

/// Who each device is: (class, key), by global index.
fn devices(s: &Scenario, seed: u64) -> Vec<(u16, u64)> {
    let mut out = Vec::with_capacity(s.device_count() as usize);
    for (ci, c) in s.classes.iter().enumerate() {
        for i in 0..c.count {
            out.push((ci as u16, entity_key(seed, super::device_entity(&c.name, i))));
        }
    }
    out
}

/// Plans the lifecycle of a run; an empty plan when the scenario describes none.
pub(crate) fn plan(s: &Scenario, seed: u64, layout: &Layout) -> Plan {
    let has_events =
        s.events.iter().any(|e| matches!(e.kind, EventKind::FirmwareUpdate(_) | EventKind::CredentialCompromise));
    if s.provisioning.is_none() && s.identity.is_none() && s.firmware.is_none() && !has_events {
        return Plan::default();
    }
    let horizon = s.duration.0;
    let who = devices(s, seed);
    let n = who.len() as u64;
    let mut p =
        Plan { chunk_mah: vec![0.0; s.classes.len()], restorations: vec![0; s.classes.len()], ..Plan::default() };
    let mut actions: Vec<(u32, Action)> = Vec::new();

    // Provisioning.
    if let Some(prov) = &s.provisioning {
        let r = provisioning::rollout(
            &provisioning::Rollout {
                devices: n,
                per_week: prov.installs_per_week,
                onboarding: prov.onboarding,
                revisit_after_us: visit_us(s).unwrap_or(u64::MAX),
            },
            seed,
        );
        p.provisioning = Some(ProvisioningSummary {
            onboarding: if prov.is_manual() { "manual" } else { "zero-touch" }.into(),
            installs_per_week: prov.installs_per_week,
            devices: n,
            online_by_end: if prov.rollout_in_run {
                r.online_us.iter().filter(|&&t| t < horizon).count() as u64
            } else {
                n
            },
            fleet_online_days: days(r.fleet_online_us),
            rollout_in_run: prov.rollout_in_run,
            installed_share: if prov.rollout_in_run && n > 0 {
                r.online_us.iter().map(|&t| (horizon - t.min(horizon)) as f64).sum::<f64>()
                    / (n as f64 * horizon as f64)
            } else {
                1.0
            },
            technician_hours: r.technician_minutes / 60.0,
            revisits: r.revisits,
            enrolment_attempts: r.enrolment_attempts,
        });
        if prov.rollout_in_run {
            p.online_us = r.online_us;
        }
    }

    // Identity: certificate expiry, then leaked credentials.
    if let Some(id) = &s.identity {
        let mut sec = SecuritySummary {
            credentials: match id.credentials {
                Credentials::Shared => "shared",
                Credentials::PerDevice => "per-device",
            }
            .into(),
            certificate_lifetime_days: id.certificates.map(|c| days(c.lifetime_us)),
            rotation: id.certificates.is_some_and(|c| c.rotation.is_some()),
            certificates_issued: 0,
            certificate_expiries: 0,
            first_expiry_days: None,
            expired_device_days: 0.0,
            compromises: Vec::new(),
            sessions: if id.session_per_report { "per-report" } else { "persistent" }.into(),
            handshakes: 0,
            handshake_bytes: 0,
            handshake_energy_mah: 0.0,
        };
        if let Some(certs) = id.certificates {
            let mut first = u64::MAX;
            let mut offline_us = 0u64;
            for (g, &(ci, _)) in who.iter().enumerate() {
                let mut issued = p.online_at(g as u32);
                let mut cycle = 0u64;
                // Each chain ends at an expiry at least one lifetime after its issue and the next
                // starts no earlier; a chain that would not move time on (a zero lifetime and an
                // instant visit, which validation rejects) ends the device's certificates, and
                // validation's MAX_CERTIFICATE_CYCLES bounds the chains, so this cap never binds.
                while issued < horizon && cycle < identity::MAX_CERTIFICATE_CYCLES {
                    sec.certificates_issued += 1;
                    let life = identity::life(&certs, issued, horizon, seed, g as u64 | cycle << 40);
                    sec.certificates_issued += life.renewals;
                    let Some(off) = life.offline_at_us else { break };
                    let back = visit_us(s).map_or(u64::MAX, |d| off.saturating_add(d));
                    actions.push((g as u32, Action { at_us: off, kind: ActionKind::Refuse { until_us: back } }));
                    sec.certificate_expiries += 1;
                    first = first.min(off);
                    offline_us += back.min(horizon) - off;
                    if back < horizon {
                        p.restorations[ci as usize] += 1;
                    }
                    if back <= issued {
                        break;
                    }
                    issued = back;
                    cycle += 1;
                }
            }
            sec.first_expiry_days = (first != u64::MAX).then(|| days(first));
            sec.expired_device_days = days(offline_us);
        } else {
            // Credentials that do not expire: one issued per device online in the run.
            sec.certificates_issued = (0..n as u32).filter(|&g| p.online_at(g) < horizon).count() as u64;
        }
        for (ei, e) in s.events.iter().enumerate() {
            if !matches!(e.kind, EventKind::CredentialCompromise) {
                continue;
            }
            let at = e.at.0;
            let holders: Vec<u32> = (0..n as u32).filter(|&g| p.online_at(g) <= at).collect();
            let exposed: Vec<u32> = match id.credentials {
                Credentials::Shared => holders,
                Credentials::PerDevice => {
                    let u = Stream::new(seed, ei as u64, Purpose::Identity).uniform_at(0);
                    holders.get((u * holders.len() as f64) as usize).copied().into_iter().collect()
                }
            };
            let start = at + id.compromise_response.0;
            let mut c = CompromiseSummary {
                at_days: days(at),
                blast_radius: exposed.len() as u64,
                restored_after_days: 0.0,
                offline_device_days: 0.0,
                technician_hours: 0.0,
                site_visits: 0,
                reenrolments: 0,
            };
            let mut sites = vec![false; s.sites.len()];
            let mut last = at;
            let mut offline_us = 0u64;
            for (rank, &g) in exposed.iter().enumerate() {
                let k = rank as f64 + 1.0;
                let back = match s.provisioning.map(|x| x.onboarding) {
                    Some(Onboarding::ZeroTouch { registry_per_s, .. }) => {
                        c.reenrolments += 1;
                        start.saturating_add((k / registry_per_s * US_PER_S as f64) as u64)
                    }
                    Some(Onboarding::Manual { minutes_per_device, .. }) => {
                        c.technician_hours += minutes_per_device / 60.0;
                        let (ci, _) = who[g as usize];
                        let class = &s.classes[ci as usize];
                        let i = g - class_start(s, ci as usize);
                        sites[layout.place(s, class, i).0] = true;
                        start.saturating_add(reprovision_us(s.provisioning.as_ref(), k))
                    }
                    None => visit_us(s).map_or(u64::MAX, |d| start.saturating_add(d)),
                };
                actions.push((g, Action { at_us: at, kind: ActionKind::Refuse { until_us: back } }));
                last = last.max(back);
                offline_us += back.min(horizon).saturating_sub(at);
                if back < horizon {
                    p.restorations[who[g as usize].0 as usize] += 1;
                    sec.certificates_issued += 1;
                }
            }
            p.events.push(RunEvent {
                event: Some(ei as u32),
                caption: (!e.caption.is_empty()).then(|| e.caption.clone()),
                ..RunEvent::new(RunEventKind::CredentialLeak, at, end_of(last), c.blast_radius)
            });
            c.site_visits = sites.iter().filter(|&&x| x).count() as u64;
            c.restored_after_days = if last == u64::MAX { f64::INFINITY.min(1e9) } else { days(last - at) };
            c.offline_device_days = days(offline_us);
            sec.compromises.push(c);
        }
        p.security = Some(sec);
    }

    // Firmware campaigns.
    if let Some(fw) = &s.firmware {
        let mut ota_summary = OtaSummary {
            update: match fw.update {
                FirmwareUpdate::None => "none",
                FirmwareUpdate::SingleSlot => "single-slot",
                FirmwareUpdate::AbRollback => "a-b",
            }
            .into(),
            resume: fw.resume,
            campaigns: Vec::new(),
            bricked: 0,
            rolled_back: 0,
            bytes_sent: 0,
            missed_out_of_service: 0,
            campaigns_per_year: 0.0,
        };
        // Per class: the time one chunk takes on the link, and the chunk link it crosses.
        let per_class: Vec<(f64, ota::ChunkLink)> = (0..s.classes.len())
            .map(|ci| {
                let (_, effective_bps) = rates_bps(s, ci);
                let chunk_s = fw.chunk_bytes as f64 * 8.0 / effective_bps;
                p.chunk_mah[ci] = match s.powers[s.classes[ci].power].source {
                    crate::scenario::PowerSource::Battery { .. } => transfer_mah(s, ci, fw.chunk_bytes as f64),
                    crate::scenario::PowerSource::Mains { .. } => 0.0,
                };
                (chunk_s, chunk_link(s, ci, chunk_s))
            })
            .collect();
        let mut n_campaigns = 0;
        for (ei, e) in s.events.iter().enumerate() {
            let EventKind::FirmwareUpdate(c) = &e.kind else { continue };
            let ci_stream = n_campaigns as u64;
            n_campaigns += 1;
            let at = e.at.0;
            let targets: Vec<u32> = (0..n as u32).filter(|&g| p.online_at(g) <= at).collect();
            let camp = ota::Campaign {
                waves: ota::Campaign::staged(targets.len() as u64, c.canary_pct, c.canary_min, &c.waves_pct),
                success_threshold_pct: c.success_threshold_pct,
                error_threshold_pct: c.error_threshold_pct,
            };
            let slots =
                if fw.update == FirmwareUpdate::AbRollback { ota::Slots::AbRollback } else { ota::Slots::Single };
            let update = ota::DeviceUpdate {
                image_bytes: c.image_bytes,
                chunk_bytes: fw.chunk_bytes,
                resume: fw.resume,
                attempts: fw.attempts,
                p_power_loss_during_write: fw.power_loss_during_write,
                p_boot_or_health_fail: c.boot_failure.unwrap_or(fw.boot_failure),
                p_brick_ab: fw.brick_ab,
                slots,
            };
            let mut results = Vec::with_capacity(targets.len());
            let outcome = ota::run_campaign(&camp, |pos| {
                let g = targets[pos as usize];
                let (ci, key) = who[g as usize];
                let mut draws = Stream::of(key, Purpose::Ota).draws(ci_stream << 40);
                let r = ota::update_device(&update, &per_class[ci as usize].1, &mut draws);
                results.push(r);
                r
            });
            // Timing: devices start at the wave's rate; a wave ends with its last download; the
            // next starts after the soak.
            let gap_us = 60.0 * US_PER_S as f64 / c.devices_per_minute;
            let mut wave_start = at;
            let mut pos = 0usize;
            let mut waves = Vec::new();
            let mut energy = 0.0;
            let mut chunks_total = 0u64;
            let mut end = at;
            for (wi, w) in outcome.waves.iter().enumerate() {
                let mut wave_end = wave_start;
                for j in 0..w.devices as usize {
                    let g = targets[pos + j];
                    let r = results[pos + j];
                    let ci = who[g as usize].0 as usize;
                    // Times saturate: a link too slow for the image ends its download never.
                    let start = wave_start.saturating_add((j as f64 * gap_us) as u64);
                    let done = start.saturating_add((r.chunks_sent as f64 * per_class[ci].0 * US_PER_S as f64) as u64);
                    wave_end = wave_end.max(done);
                    chunks_total += r.chunks_sent;
                    energy += r.chunks_sent as f64 * p.chunk_mah[ci];
                    if done < horizon {
                        let chunks = r.chunks_sent.min(u32::MAX as u64) as u32;
                        actions
                            .push((g, Action { at_us: done, kind: ActionKind::Update { outcome: r.outcome, chunks } }));
                    }
                }
                waves.push(WaveSummary {
                    devices: w.devices,
                    succeeded: w.succeeded,
                    rolled_back: w.rolled_back,
                    bricked: w.bricked,
                    download_failed: w.download_failed,
                    start_days: days(wave_start),
                    end_days: days(wave_end),
                });
                p.events.push(RunEvent {
                    event: Some(ei as u32),
                    wave: Some(wi as u32),
                    ..RunEvent::new(RunEventKind::FirmwareWave, wave_start, end_of(wave_end), w.devices)
                });
                pos += w.devices as usize;
                end = wave_end;
                wave_start = wave_end.saturating_add(c.wait.0);
            }
            p.events.push(RunEvent {
                event: Some(ei as u32),
                caption: (!e.caption.is_empty()).then(|| e.caption.clone()),
                ..RunEvent::new(RunEventKind::FirmwareCampaign, at, end_of(end), targets.len() as u64)
            });
            let t = outcome.total();
            let bytes = chunks_total * fw.chunk_bytes;
            ota_summary.bricked += t.bricked;
            ota_summary.rolled_back += t.rolled_back;
            ota_summary.bytes_sent += bytes;
            ota_summary.campaigns.push(CampaignSummary {
                at_days: days(at),
                image_bytes: c.image_bytes,
                devices: targets.len() as u64,
                waves,
                succeeded: t.succeeded,
                rolled_back: t.rolled_back,
                bricked: t.bricked,
                download_failed: t.download_failed,
                not_reached: outcome.not_reached,
                stopped_after_wave: outcome.stopped_after_wave,
                duration_h: (end - at) as f64 / US_PER_H as f64,
                finished_in_run: end < horizon,
                bytes_sent: bytes,
                energy_mah: energy,
            });
        }
        ota_summary.campaigns_per_year =
            fw.campaigns_per_year.unwrap_or(n_campaigns as f64 * crate::time::US_PER_YEAR as f64 / horizon as f64);
        p.ota = Some(ota_summary);
    }

    if !actions.is_empty() {
        actions.sort_by_key(|(g, a)| (*g, a.at_us));
        p.starts = Vec::with_capacity(n as usize + 1);
        let mut k = 0usize;
        for g in 0..=n as u32 {
            while k < actions.len() && actions[k].0 < g {
                k += 1;
            }
            p.starts.push(k as u32);
        }
        p.actions = actions.into_iter().map(|(_, a)| a).collect();
    }
    p
}

/// Global index of the first device of class `ci`.
fn class_start(s: &Scenario, ci: usize) -> u32 {
    s.classes[..ci].iter().map(|c| c.count).sum()
}

/// When the k-th device (from 1) is re-provisioned by hand after the work starts: at the
/// installation pace when there is one, else one technician working through the devices.
fn reprovision_us(prov: Option<&Provisioning>, k: f64) -> u64 {
    match prov {
        Some(p) if p.installs_per_week > 0.0 => (k * 7.0 * US_PER_DAY as f64 / p.installs_per_week) as u64,
        Some(Provisioning { onboarding: Onboarding::Manual { minutes_per_device, .. }, .. }) => {
            (k * minutes_per_device * 60.0 * US_PER_S as f64) as u64
        }
        _ => 0,
    }
}

/// The class's Gilbert-Elliott channel as seen by back-to-back chunks: the scenario's
/// transition probabilities are per telemetry period, so over a chunk of `chunk_s` seconds
/// they become 1 - (1 - p)^(chunk_s / period_s).
fn chunk_link(s: &Scenario, ci: usize, chunk_s: f64) -> ota::ChunkLink {
    let c = &s.classes[ci];
    match s.networks[c.network].loss {
        crate::scenario::Loss::None => ota::ChunkLink::bernoulli(0.0),
        crate::scenario::Loss::GilbertElliott { p_good_to_bad, p_bad_to_good, loss_good, loss_bad } => {
            let k = chunk_s / c.telemetry.period.as_secs_f64();
            let per_chunk = |p: f64| 1.0 - (1.0 - p).powf(k);
            ota::ChunkLink {
                p_good_to_bad: per_chunk(p_good_to_bad),
                p_bad_to_good: per_chunk(p_bad_to_good),
                loss_good,
                loss_bad,
            }
        }
    }
}
