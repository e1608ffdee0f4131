//! The production-readiness verdict: the scenario's `[targets]`, and the warning signs of a pilot
//! that will not scale, each checked from the design and the run, with its evidence.

use serde::{Deserialize, Serialize};

use crate::replication::{Bounds, Estimate, mean_summary};
use crate::text::{count, decimal, duration_s, percent, thousands};

use crate::cost::PriceBook;
use crate::scenario::{FirmwareUpdate, Scenario};
use crate::summary::RunSummary;

/// How a finding came out, from best to worst (serialised in snake_case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The target is met (with its whole 95 % interval) or the warning sign is absent.
    Pass,
    /// A warning sign worth attention that does not by itself make the design not ready.
    Warn,
    /// A target whose 95 % interval contains it (or a single replication, which has no
    /// interval): the run cannot say whether the design meets it.
    Undecided,
    /// The target is missed or the warning sign is serious; the design is not ready.
    Fail,
}

impl Severity {
    /// The severity as reports print it (`PASS`, `WARN`, `UNDECIDED`, `FAIL`).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Pass => "PASS",
            Severity::Warn => "WARN",
            Severity::Undecided => "UNDECIDED",
            Severity::Fail => "FAIL",
        }
    }
}

/// One checked target or warning sign, with its outcome and evidence (an entry of `findings`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// A stable name: `target.delivery_ratio`, `sign.manual_onboarding`, ...
    pub check: String,
    /// How the check came out.
    pub severity: Severity,
    /// Headline of the finding (for a target: the KPI, its value and the target).
    pub title: String,
    /// What in the run or the design shows it.
    pub evidence: String,
    /// For a target: the KPI over the replications (mean and 95 % interval), in the unit of
    /// `target`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Estimate>,
    /// For a target: the scenario's target value, in the KPI's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
}

impl Finding {
    /// A few words naming what the finding is about ("delivery ratio", "manual onboarding"),
    /// for lists where the title would be too long.
    pub fn topic(&self) -> &str {
        match self.check.as_str() {
            "target.delivery_ratio" => "delivery ratio",
            "target.p99_latency" => "p99 latency",
            "target.battery_life" => "battery life",
            "target.tco_per_device_year" => "TCO per device-year",
            "target.devices_offline" => "devices offline",
            "sign.manual_onboarding" => "onboarding",
            "sign.no_remote_update" => "firmware updates",
            "sign.shared_credentials" => "credentials",
            "sign.certificate_expiry" => "certificate expiry",
            "sign.data_loss_on_network_loss" => "data lost in outages",
            "sign.quota_exceeded" => "platform quotas",
            other => other,
        }
    }
}

impl Verdict {
    /// "NOT ready for production: FAIL p99 latency, battery life; UNDECIDED delivery ratio".
    pub fn one_line(&self) -> String {
        let list = |sev: Severity| {
            let t: Vec<&str> = self.findings.iter().filter(|f| f.severity == sev).map(Finding::topic).collect();
            (!t.is_empty()).then(|| format!("{} {}", sev.label(), t.join(", ")))
        };
        let parts: Vec<String> = [Severity::Fail, Severity::Undecided].into_iter().filter_map(list).collect();
        if parts.is_empty() {
            self.status.label().to_string()
        } else {
            format!("{}: {}", self.status.label(), parts.join("; "))
        }
    }
}

/// The overall answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Readiness {
    /// Every target met with its whole interval, no warning sign failed.
    Ready,
    /// No finding failed, but a target's interval straddles it.
    Undecided,
    /// A finding failed.
    NotReady,
}

impl Readiness {
    /// The readiness as reports print it (`ready for production`, `NOT ready for production`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Readiness::Ready => "ready for production",
            Readiness::Undecided => "undecided",
            Readiness::NotReady => "NOT ready for production",
        }
    }
}

/// The `verdict` section of a RunSummary: the overall readiness and every finding behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// `status == Ready`.
    pub ready: bool,
    /// The overall answer (older summaries without it read as `not_ready`).
    #[serde(default = "not_ready")]
    pub status: Readiness,
    /// The replications judged: targets by the 95 % interval of their mean, warning signs by
    /// the mean summary.
    #[serde(default = "one")]
    pub replications: u32,
    /// Every target and warning sign checked, in report order.
    pub findings: Vec<Finding>,
}

fn not_ready() -> Readiness {
    Readiness::NotReady
}

fn one() -> u32 {
    1
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 * 100.0 }
}

/// A KPI the scenario can set a target for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kpi {
    /// Delivered / generated messages, 0..1; higher is better.
    DeliveryRatio,
    /// 99th-percentile delivery latency, seconds; lower is better.
    P99Latency,
    /// Projected battery life of the worst battery class, seconds; higher is better.
    BatteryLife,
    /// TCO per device-year, in the price book's currency; lower is better.
    TcoPerDeviceYear,
    /// Devices not online at the end of the run, percent of the fleet; lower is better.
    DevicesOffline,
}

impl Kpi {
    /// Every KPI, in the order targets are checked and reported.
    pub const ALL: [Kpi; 5] =
        [Kpi::DeliveryRatio, Kpi::P99Latency, Kpi::BatteryLife, Kpi::TcoPerDeviceYear, Kpi::DevicesOffline];

    /// The finding's stable name.
    pub fn check(self) -> &'static str {
        match self {
            Kpi::DeliveryRatio => "target.delivery_ratio",
            Kpi::P99Latency => "target.p99_latency",
            Kpi::BatteryLife => "target.battery_life",
            Kpi::TcoPerDeviceYear => "target.tco_per_device_year",
            Kpi::DevicesOffline => "target.devices_offline",
        }
    }

    /// The scenario's target, in the KPI's unit (ratio, seconds, seconds, currency, percent).
    pub fn target(self, s: &Scenario) -> Option<f64> {
        let t = &s.targets;
        match self {
            Kpi::DeliveryRatio => t.delivery_ratio,
            Kpi::P99Latency => t.p99_latency.map(|d| d.as_secs_f64()),
            Kpi::BatteryLife => t.battery_life.map(|d| d.as_secs_f64()),
            Kpi::TcoPerDeviceYear => t.tco_per_device_year,
            Kpi::DevicesOffline => t.max_devices_offline_pct,
        }
    }

    /// The KPI in one replication (None when the run has no such figure: no battery class, no
    /// price book).
    pub fn value(self, r: &RunSummary) -> Option<f64> {
        match self {
            Kpi::DeliveryRatio => Some(r.delivery_ratio),
            Kpi::P99Latency => Some(r.latency_s.p99),
            Kpi::BatteryLife => worst_battery(r).map(|(_, days)| days * 86_400.0),
            Kpi::TcoPerDeviceYear => r.cost.as_ref().map(|c| c.tco_per_device_year.units_f64()),
            Kpi::DevicesOffline => {
                let online: u64 = r.per_class.iter().map(|c| c.online_end).sum();
                Some(pct(r.devices - online.min(r.devices), r.devices))
            }
        }
    }

    /// Whether a larger value of the KPI is better (delivery ratio, battery life).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Kpi::DeliveryRatio | Kpi::BatteryLife)
    }

    /// The values the KPI can take (ratio 0..1, percent 0..100, or any non-negative number).
    pub fn bounds(self) -> Bounds {
        match self {
            Kpi::DeliveryRatio => Bounds::RATIO,
            Kpi::DevicesOffline => Bounds::PERCENT,
            _ => Bounds::NON_NEGATIVE,
        }
    }

    /// The KPI's value as people read it.
    pub fn show(self, x: f64, currency: &str) -> String {
        match self {
            Kpi::DeliveryRatio => percent(x, 3),
            Kpi::P99Latency | Kpi::BatteryLife => duration_s(x),
            Kpi::TcoPerDeviceYear => format!("{} {currency}", decimal(x, 2)),
            Kpi::DevicesOffline => format!("{} %", decimal(x, 2)),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kpi::DeliveryRatio => "delivery ratio",
            Kpi::P99Latency => "p99 latency",
            Kpi::BatteryLife => "battery life",
            Kpi::TcoPerDeviceYear => "TCO per device-year",
            Kpi::DevicesOffline => "devices offline at the end",
        }
    }

    /// What a precision goal is relative to: the mean, except for the delivery ratio, where it
    /// is the loss ratio (1 - delivery): 1 % of a 99.5 % delivery ratio would be a full
    /// percentage point, twice the losses a 99.5 % target allows.
    pub fn scale(self, e: &Estimate) -> f64 {
        match self {
            Kpi::DeliveryRatio => 1.0 - e.mean,
            _ => e.mean.abs(),
        }
    }

    /// PASS when the whole interval meets the target, FAIL when the whole interval misses it,
    /// UNDECIDED when it contains the target or there is no interval (one replication).
    pub fn decide(self, e: &Estimate, target: f64) -> Severity {
        let (good, bad) = if self.higher_is_better() {
            (e.ci95_low >= target, e.ci95_high < target)
        } else {
            (e.ci95_high <= target, e.ci95_low > target)
        };
        if !e.has_interval() {
            Severity::Undecided
        } else if good {
            Severity::Pass
        } else if bad {
            Severity::Fail
        } else {
            Severity::Undecided
        }
    }
}

/// The class with the shortest battery life, and that life in days.
fn worst_battery(r: &RunSummary) -> Option<(&str, f64)> {
    r.per_class
        .iter()
        .filter_map(|c| c.battery.as_ref().map(|b| (c.name.as_str(), b.projected_life_days)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The targeted KPIs of R replications: (KPI, its estimate, the target).
pub fn targeted(s: &Scenario, runs: &[RunSummary]) -> Vec<(Kpi, Estimate, f64)> {
    Kpi::ALL
        .iter()
        .filter_map(|&k| {
            let target = k.target(s)?;
            let xs: Vec<f64> = runs.iter().filter_map(|r| k.value(r)).collect();
            (!xs.is_empty()).then(|| (k, Estimate::of(&xs, k.bounds()), target))
        })
        .collect()
}

/// Whether R replications are enough for the precision goal: every targeted KPI is decided
/// (its interval clear of its target) or its interval's half-width is at most `precision`
/// times its [`Kpi::scale`] (it sits so close to its target that more replications would not
/// matter).
/// One replication is never enough when a target exists.
pub fn precise_enough(s: &Scenario, runs: &[RunSummary], precision: f64) -> bool {
    targeted(s, runs).iter().all(|(k, e, target)| {
        e.has_interval() && (k.decide(e, *target) != Severity::Undecided || e.half_width() <= precision * k.scale(e))
    })
}

/// "98.214 % (95 % CI 96.102-99.901 %, 12 replications)" or "(one replication, no interval)".
fn with_interval(k: Kpi, e: &Estimate, currency: &str) -> String {
    if e.has_interval() {
        format!(
            "{} (95 % CI {} to {}, mean of {} replications)",
            k.show(e.mean, currency),
            k.show(e.ci95_low, currency),
            k.show(e.ci95_high, currency),
            e.replications
        )
    } else {
        format!("{} (one replication: no interval)", k.show(e.mean, currency))
    }
}

/// Checks R replications of a run against the scenario's targets and the warning signs of a
/// pilot that will not scale. Targets are judged by the 95 % interval of their mean
/// ([`Kpi::decide`]); warning signs and every evidence figure come from the mean summary
/// ([`mean_summary`]). `book` supplies platform quotas when the scenario is priced.
/// `runs` carry the bill [`crate::assess`] just computed; only that module calls this, so the
/// verdict never reads a bill from another pricing.
pub(crate) fn judge(s: &Scenario, runs: &[RunSummary], book: Option<&PriceBook>) -> Verdict {
    let mean = mean_summary(runs);
    let r = &mean;
    let mut f = Vec::new();
    let m = &r.messages;
    let n = r.devices;
    let currency = r.cost.as_ref().map_or("", |c| c.currency.as_str());

    // Targets.
    for (k, e, target) in targeted(s, runs) {
        let evidence = match k {
            Kpi::DeliveryRatio => format!(
                "{} of {} messages delivered; {} lost in the network, {} dropped by full buffers, {} wiped by reboots, {} stranded in dead devices",
                thousands(m.delivered),
                thousands(m.generated),
                thousands(m.lost_network),
                thousands(m.dropped_overflow),
                thousands(m.dropped_reboot),
                thousands(m.stranded_dead)
            ),
            Kpi::P99Latency => format!(
                "of {} delivered messages: p50 {}, p95 {}, max {} (buffered messages wait for the link)",
                thousands(m.delivered),
                duration_s(r.latency_s.p50),
                duration_s(r.latency_s.p95),
                duration_s(r.latency_s.max)
            ),
            Kpi::BatteryLife => format!(
                "`{}`: capacity over the charge drawn per device-day in the run (radio, retries, sleep, self-discharge)",
                worst_battery(r).map_or("", |(c, _)| c)
            ),
            Kpi::TcoPerDeviceYear => {
                let cost = r.cost.as_ref().expect("a TCO estimate comes from priced runs");
                let top = crate::cost::bill::Category::ALL
                    .iter()
                    .map(|c| (c.label(), cost.breakdown.get(*c)))
                    .max_by_key(|x| x.1)
                    .map(|(l, v)| format!("{l} is the largest share ({v} of {})", cost.tco))
                    .unwrap_or_default();
                format!("over {} years at {} % discount; {top}", cost.horizon_years, cost.discount_rate_pct)
            }
            Kpi::DevicesOffline => {
                let online: u64 = r.per_class.iter().map(|c| c.online_end).sum();
                format!("{} of {} online at the end of the run", thousands(online), thousands(n))
            }
        };
        let bound = if k == Kpi::DevicesOffline { "at most " } else { "" };
        let evidence = match k.decide(&e, target) {
            Severity::Undecided if e.has_interval() => format!(
                "{evidence}; the 95 % interval contains the target: more replications (--precision, --max-replications) or a design further from the target would decide it"
            ),
            Severity::Undecided => format!("{evidence}; run two or more replications to judge it"),
            _ => evidence,
        };
        f.push(Finding {
            check: k.check().into(),
            severity: k.decide(&e, target),
            title: format!(
                "{} {} (target {bound}{})",
                k.name(),
                with_interval(k, &e, currency),
                k.show(target, currency)
            ),
            evidence,
            estimate: Some(e),
            target: Some(target),
        });
    }
    let mut add = |check: &str, severity: Severity, title: String, evidence: String| {
        f.push(Finding { check: check.into(), severity, title, evidence, estimate: None, target: None });
    };

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
                    "{} for {}, {} set up wrongly and redone{install}; the last device is online after {}; zero-touch provisioning removes the per-device step",
                    count(p.technician_hours.round() as u64, "technician hour", "technician hours"),
                    count(p.devices, "device", "devices"),
                    thousands(p.revisits),
                    duration_s(p.fleet_online_days * 86_400.0)
                ),
            );
        }
        Some(p) => add(
            "sign.manual_onboarding",
            if pct(p.revisits, p.devices) > 1.0 { Severity::Warn } else { Severity::Pass },
            "zero-touch onboarding".into(),
            format!(
                "devices enrol themselves: {} for {}, {} gave up and needed a visit; the last device is online after {}",
                count(p.enrolment_attempts, "enrolment attempt", "enrolment attempts"),
                count(p.devices, "device", "devices"),
                thousands(p.revisits),
                duration_s(p.fleet_online_days * 86_400.0)
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
                        "the leak on day {:.0} revoked {}; the last was back after {} ({} offline)",
                        c.at_days,
                        crate::text::count(c.blast_radius, "device", "devices"),
                        duration_s(c.restored_after_days * 86_400.0),
                        crate::text::count(c.offline_device_days.round() as u64, "device-day", "device-days")
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
                            "{}, the first on day {:.0} ({:.0}-day certificates{}); {} offline in the run",
                            count(sec.certificate_expiries, "expiry", "expiries"),
                            sec.first_expiry_days.unwrap_or(0.0),
                            life,
                            if sec.rotation { ", renewals failed" } else { ", no rotation" },
                            count(sec.expired_device_days.round() as u64, "device-day", "device-days")
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
            "{} dropped by full buffers and {} sent into a dead link; the buffer covers {} and {} lasted longer",
            count(m.dropped_overflow, "reading", "readings"),
            thousands(r.loss_causes.outage),
            duration_s(covers.min(1e9)),
            count(long, "shared outage", "shared outages")
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

    let status = if f.iter().any(|x| x.severity == Severity::Fail) {
        Readiness::NotReady
    } else if f.iter().any(|x| x.severity == Severity::Undecided) {
        Readiness::Undecided
    } else {
        Readiness::Ready
    };
    Verdict { ready: status == Readiness::Ready, status, replications: runs.len() as u32, findings: f }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, lo: f64, hi: f64, n: u32) -> Estimate {
        Estimate { mean, ci95_low: lo, ci95_high: hi, replications: n }
    }

    #[test]
    fn a_target_is_decided_only_by_the_whole_interval() {
        let d = Kpi::DeliveryRatio;
        // The mine's three replications: 92-100 % around a 99.5 % target.
        assert_eq!(d.decide(&est(0.982, 0.92, 1.0, 3), 0.995), Severity::Undecided);
        assert_eq!(d.decide(&est(0.998, 0.996, 0.999, 3), 0.995), Severity::Pass);
        assert_eq!(d.decide(&est(0.98, 0.97, 0.99, 3), 0.995), Severity::Fail);
        // One replication has no interval, however far from the target.
        assert_eq!(d.decide(&est(0.5, 0.5, 0.5, 1), 0.995), Severity::Undecided);
        // Lower is better for latency and cost.
        let p = Kpi::P99Latency;
        assert_eq!(p.decide(&est(20.0, 10.0, 25.0, 5), 30.0), Severity::Pass);
        assert_eq!(p.decide(&est(40.0, 31.0, 50.0, 5), 30.0), Severity::Fail);
        assert_eq!(p.decide(&est(29.0, 20.0, 38.0, 5), 30.0), Severity::Undecided);
        // Identical replications: a zero-width interval decides.
        assert_eq!(Kpi::TcoPerDeviceYear.decide(&est(50.0, 50.0, 50.0, 2), 60.0), Severity::Pass);
    }

    #[test]
    fn precision_of_the_delivery_ratio_is_relative_to_its_losses() {
        let e = est(0.995, 0.994, 0.996, 10);
        assert!((Kpi::DeliveryRatio.scale(&e) - 0.005).abs() < 1e-12);
        assert_eq!(Kpi::TcoPerDeviceYear.scale(&est(-3.0, -4.0, -2.0, 3)), 3.0);
    }
}
