//! The production-readiness verdict: the scenario's `[targets]`, and the warning signs of a pilot
//! that will not scale, each checked from the design and the run, with its evidence.

use crate::text::thousands;
use serde::{Deserialize, Serialize};

use crate::cost::PriceBook;
use crate::scenario::{FirmwareUpdate, Scenario};
use crate::summary::RunSummary;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Pass,
    Warn,
    Fail,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Pass => "PASS",
            Severity::Warn => "WARN",
            Severity::Fail => "FAIL",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// A stable name: `target.delivery_ratio`, `sign.manual_onboarding`, ...
    pub check: String,
    pub severity: Severity,
    pub title: String,
    /// What in the run or the design shows it.
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// No finding failed.
    pub ready: bool,
    pub findings: Vec<Finding>,
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 * 100.0 }
}

/// Seconds in the unit a reader takes in at a glance.
fn human(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.1} s")
    } else if s < 7_200.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} h", s / 3_600.0)
    } else {
        days(s)
    }
}

fn days(s: f64) -> String {
    let d = s / 86_400.0;
    if d >= 365.25 { format!("{:.1} years", d / 365.25) } else { format!("{d:.0} days") }
}

/// Checks the run against the scenario's targets and the warning signs of a pilot that will
/// not scale. `book` supplies platform quotas when the scenario is priced.
pub fn judge(s: &Scenario, r: &RunSummary, book: Option<&PriceBook>) -> Verdict {
    let mut f = Vec::new();
    let mut add = |check: &str, severity: Severity, title: String, evidence: String| {
        f.push(Finding { check: check.into(), severity, title, evidence });
    };
    let t = &s.targets;
    let m = &r.messages;
    let n = r.devices;

    // Targets.
    if let Some(target) = t.delivery_ratio {
        let ok = r.delivery_ratio >= target;
        add(
            "target.delivery_ratio",
            if ok { Severity::Pass } else { Severity::Fail },
            format!("delivery ratio {:.3} % (target {:.3} %)", r.delivery_ratio * 100.0, target * 100.0),
            format!(
                "{} of {} messages delivered; {} lost in the network, {} dropped by full buffers, {} wiped by reboots, {} stranded in dead devices",
                thousands(m.delivered),
                thousands(m.generated),
                thousands(m.lost_network),
                thousands(m.dropped_overflow),
                thousands(m.dropped_reboot),
                thousands(m.stranded_dead)
            ),
        );
    }
    if let Some(target) = t.p99_latency {
        let ok = r.latency_s.p99 <= target.as_secs_f64();
        add(
            "target.p99_latency",
            if ok { Severity::Pass } else { Severity::Fail },
            format!("p99 latency {} (target {})", human(r.latency_s.p99), human(target.as_secs_f64())),
            format!(
                "of {} delivered messages: p50 {}, p95 {}, max {} (buffered messages wait for the link)",
                thousands(m.delivered),
                human(r.latency_s.p50),
                human(r.latency_s.p95),
                human(r.latency_s.max)
            ),
        );
    }
    if let Some(target) = t.battery_life {
        let worst = r
            .per_class
            .iter()
            .filter_map(|c| c.battery.as_ref().map(|b| (c.name.as_str(), b.projected_life_days)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((class, life_days)) = worst {
            let ok = life_days * 86_400.0 >= target.as_secs_f64();
            add(
                "target.battery_life",
                if ok { Severity::Pass } else { Severity::Fail },
                format!("battery life {} (target {})", days(life_days * 86_400.0), days(target.as_secs_f64())),
                format!(
                    "`{class}`: capacity over the charge drawn per device-day in the run (radio, retries, sleep, self-discharge)"
                ),
            );
        }
    }
    if let (Some(target), Some(cost)) = (t.tco_per_device_year, &r.cost) {
        let got = cost.tco_per_device_year.units_f64();
        let top = crate::cost::bill::Category::ALL
            .iter()
            .map(|c| (c.label(), cost.breakdown.get(*c)))
            .max_by_key(|x| x.1)
            .map(|(l, v)| format!("{l} is the largest share ({v} of {})", cost.tco))
            .unwrap_or_default();
        add(
            "target.tco_per_device_year",
            if got <= target { Severity::Pass } else { Severity::Fail },
            format!("TCO {:.2} {} per device-year (target {:.2})", got, cost.currency, target),
            format!("over {} years at {} % discount; {top}", cost.horizon_years, cost.discount_rate_pct),
        );
    }
    if let Some(target) = t.max_devices_offline_pct {
        let online: u64 = r.per_class.iter().map(|c| c.online_end).sum();
        let off = pct(n - online.min(n), n);
        add(
            "target.devices_offline",
            if off <= target { Severity::Pass } else { Severity::Fail },
            format!("{off:.2} % of devices offline at the end (target at most {target} %)"),
            format!("{} of {} online at the end of the run", thousands(online), thousands(n)),
        );
    }

    // Warning signs of a pilot that will not scale, from the lifecycle models.
    match &r.provisioning {
        Some(p) if p.onboarding == "manual" => {
            let install = r
                .cost
                .as_ref()
                .and_then(|c| c.lines.iter().find(|l| l.item == "manual onboarding"))
                .map(|l| format!(" costing {}", l.capex))
                .unwrap_or_default();
            add(
                "sign.manual_onboarding",
                if n > 1000 { Severity::Fail } else { Severity::Warn },
                "onboarding needs manual set-up".into(),
                format!(
                    "{} technician hours for {} devices, {} set up wrongly and redone{install}; the last device is online after {:.0} days; zero-touch provisioning removes the per-device step",
                    thousands(p.technician_hours.round() as u64),
                    thousands(p.devices),
                    thousands(p.revisits),
                    p.fleet_online_days
                ),
            );
        }
        Some(p) => add(
            "sign.manual_onboarding",
            if pct(p.revisits, p.devices) > 1.0 { Severity::Warn } else { Severity::Pass },
            "zero-touch onboarding".into(),
            format!(
                "devices enrol themselves: {} enrolment attempts for {} devices, {} gave up and needed a visit; the last device is online after {:.1} days",
                thousands(p.enrolment_attempts),
                thousands(p.devices),
                thousands(p.revisits),
                p.fleet_online_days
            ),
        ),
        None => add(
            "sign.manual_onboarding",
            Severity::Warn,
            "onboarding not described".into(),
            "add [provisioning] with onboarding = \"manual\" or \"zero-touch\"".into(),
        ),
    }
    let roll = book.map(|b| b.labour.truck_roll.cost(1));
    match (s.firmware.map(|f| f.update), &r.ota) {
        (Some(FirmwareUpdate::None), _) => add(
            "sign.no_remote_update",
            Severity::Fail,
            "firmware cannot be updated remotely".into(),
            match roll {
                Some(x) => format!(
                    "a security fix means visiting all {} devices: at one truck roll ({x}) per 20 devices that is {} per fix",
                    thousands(n),
                    x.times(n.div_ceil(20))
                ),
                None => format!("a security fix means visiting all {} devices", thousands(n)),
            },
        ),
        (Some(update), Some(o)) => {
            let campaigns: Vec<String> = o
                .campaigns
                .iter()
                .map(|c| {
                    let stop = match c.stopped_after_wave {
                        Some(w) => format!(
                            ", stopped by its thresholds after wave {} of {} ({} devices not reached)",
                            w + 1,
                            c.waves.len() + usize::from(c.not_reached > 0),
                            thousands(c.not_reached)
                        ),
                        None => String::new(),
                    };
                    format!(
                        "day {:.0}: {} updated, {} rolled back, {} bricked, {} downloads failed{stop}",
                        c.at_days,
                        thousands(c.succeeded),
                        thousands(c.rolled_back),
                        thousands(c.bricked),
                        thousands(c.download_failed)
                    )
                })
                .collect();
            let (severity, title) = match update {
                _ if o.bricked > 0 => {
                    (Severity::Fail, format!("firmware updates bricked {} devices", thousands(o.bricked)))
                }
                FirmwareUpdate::SingleSlot => {
                    (Severity::Warn, "single-slot firmware updates can brick devices".to_string())
                }
                _ => (Severity::Pass, "remote updates with A/B rollback".to_string()),
            };
            let evidence = if campaigns.is_empty() {
                "no campaign in this run; add a firmware-update event to measure one".into()
            } else {
                let rolls = match roll {
                    Some(x) if o.bricked > 0 => format!("; each bricked device is a truck roll ({x})"),
                    _ => String::new(),
                };
                format!("{}{rolls}", campaigns.join("; "))
            };
            add("sign.no_remote_update", severity, title, evidence);
        }
        _ => add(
            "sign.no_remote_update",
            Severity::Warn,
            "firmware update not described".into(),
            "add [firmware] with update = \"none\", \"single-slot\" or \"a-b\"".into(),
        ),
    }
    match &r.security {
        Some(sec) => {
            let leaks: Vec<String> = sec
                .compromises
                .iter()
                .map(|c| {
                    format!(
                        "the leak on day {:.0} revoked {} device(s); the last was back after {:.1} days ({} device-days offline)",
                        c.at_days,
                        thousands(c.blast_radius),
                        c.restored_after_days,
                        thousands(c.offline_device_days.round() as u64)
                    )
                })
                .collect();
            let leaks = if leaks.is_empty() { String::new() } else { format!("; {}", leaks.join("; ")) };
            if sec.credentials == "shared" {
                add(
                    "sign.shared_credentials",
                    Severity::Fail,
                    "devices share credentials".into(),
                    format!(
                        "one leaked secret lets anyone impersonate any of the {} devices, and revoking it takes the whole fleet offline until every device is re-provisioned{leaks}",
                        thousands(n)
                    ),
                );
            } else {
                add(
                    "sign.shared_credentials",
                    Severity::Pass,
                    "unique credentials per device".into(),
                    format!("a leaked secret affects one device{leaks}"),
                );
            }
            if let Some(life) = sec.certificate_lifetime_days {
                if sec.certificate_expiries > 0 {
                    add(
                        "sign.certificate_expiry",
                        Severity::Fail,
                        "devices drop offline when their certificates expire".into(),
                        format!(
                            "{} expiries, the first on day {:.0} ({:.0}-day certificates{}); {} device-days offline in the run",
                            thousands(sec.certificate_expiries),
                            sec.first_expiry_days.unwrap_or(0.0),
                            life,
                            if sec.rotation { ", renewals failed" } else { ", no rotation" },
                            thousands(sec.expired_device_days.round() as u64)
                        ),
                    );
                } else {
                    add(
                        "sign.certificate_expiry",
                        Severity::Pass,
                        "no certificate expired in the run".into(),
                        format!(
                            "{:.0}-day certificates, {}; {} issued",
                            life,
                            if sec.rotation { "renewed before expiry" } else { "no rotation, but none reached expiry" },
                            thousands(sec.certificates_issued)
                        ),
                    );
                }
            }
        }
        None => add(
            "sign.shared_credentials",
            Severity::Warn,
            "credentials not described".into(),
            "add [identity] with credentials = \"shared\" or \"per-device\"".into(),
        ),
    }

    // Losing the network: data lost, and whether the buffer rides through outages.
    let lost_to_outages = m.dropped_overflow + r.loss_causes.outage;
    let long: u64 = r.per_class.iter().map(|c| c.shared_outages_longer_than_buffer).sum();
    let covers = r.per_class.iter().map(|c| c.buffer_covers_s).fold(f64::INFINITY, f64::min);
    let share = pct(lost_to_outages, m.generated);
    add(
        "sign.data_loss_on_network_loss",
        if share > 0.1 {
            Severity::Fail
        } else if lost_to_outages > 0 {
            Severity::Warn
        } else {
            Severity::Pass
        },
        if lost_to_outages > 0 {
            format!("devices lose data when the network is lost ({share:.3} % of readings)")
        } else {
            "no data lost to network outages".into()
        },
        format!(
            "{} readings dropped by full buffers and {} sent into a dead link; the buffer covers {} and {} shared outages lasted longer",
            thousands(m.dropped_overflow),
            thousands(r.loss_causes.outage),
            crate::time::SimDuration::from_secs_f64(covers.min(1e9)),
            thousands(long)
        ),
    );

    // Quotas at production volume.
    let offered: f64 = r.per_class.iter().map(|c| c.devices as f64 / c.period_s.max(1e-9)).sum();
    let mut quota_problems = Vec::new();
    if r.radio.throttled_ticks > 0 {
        quota_problems.push(format!(
            "the backend's publish limit held back sends at {} device ticks ({:.2} % of ticks)",
            thousands(r.radio.throttled_ticks),
            pct(r.radio.throttled_ticks, r.radio.device_steps)
        ));
    }
    if let Some(q) = r.cost.as_ref().and_then(|c| c.quota_exceeded.clone()) {
        quota_problems.push(q);
    }
    if let (Some(cost), Some(book)) = (&r.cost, book)
        && let Some(p) = book.platform(&cost.platform)
    {
        if let Some(q) = p.publishes_per_s_quota
            && offered > q
        {
            quota_problems.push(format!("{} offers {offered:.0} messages/s against a quota of {q:.0}/s", p.title));
        }
        if let Some(q) = p.connects_per_s_quota {
            let window = s.backend.reconnect_window.as_secs_f64().max(1.0);
            let largest_site = s.sites.iter().map(|x| x.gateways as f64).fold(0.0, f64::max)
                / s.sites.iter().map(|x| x.gateways as f64).sum::<f64>().max(1.0);
            let storm = n as f64 * largest_site / window;
            if storm > q {
                quota_problems.push(format!(
                    "after an outage at the largest site, {:.0} devices reconnect within {window:.0} s: {storm:.0} connects/s against a quota of {q:.0}/s",
                    n as f64 * largest_site
                ));
            }
        }
    }
    add(
        "sign.quota_exceeded",
        if quota_problems.is_empty() { Severity::Pass } else { Severity::Fail },
        if quota_problems.is_empty() {
            "platform quotas hold at this volume".into()
        } else {
            "the platform's quotas are exceeded at this volume".into()
        },
        if quota_problems.is_empty() {
            format!("the fleet offers {offered:.1} messages/s on average")
        } else {
            quota_problems.join("; ")
        },
    );

    let ready = f.iter().all(|x| x.severity != Severity::Fail);
    Verdict { ready, findings: f }
}
