//! The bill: a run's own usage (messages and their sizes, connected minutes, transmissions,
//! failures, battery life), metered the way each vendor meters it, extrapolated month by month
//! to the scenario's horizon and priced by the price book.
//!
//! Month m (1..=M) costs its recurring charges plus the events that fall in it (battery-swap
//! campaigns, SIM renewals); capex is month 0. With a discount rate r, month m is weighted
//! (1 + r)^(-m/12). A month is 30.4375 days (the mean Gregorian month).
//!
//! Metered quantities (bytes, messages, units) are integer products that saturate at u64::MAX
//! instead of overflowing: the price book allows quantities (`per`, allowances, quotas) whose
//! products pass it, and a bill never panics.

use crate::text::{count, decimal, thousands};
use serde::{Deserialize, Serialize};

use super::Money;
use super::book::{ConnectivityKind, Metering, PlatformKind, PriceBook, Rate, Rounding, graduated, volume_unit_price};
use crate::scenario::{CostPlan, PowerSource, Scenario};
use crate::summary::RunSummary;

/// Seconds in the billing month used throughout (30.4375 days).
pub const MONTH_S: f64 = 2_629_800.0;
const DAYS_PER_MONTH: f64 = 30.4375;
const BYTES_PER_MB: u64 = 1_000_000;
const BYTES_PER_GB: u64 = 1_000_000_000;

/// The cost category a bill line counts towards (serialised in snake_case: `hardware`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Device and gateway hardware bought up front.
    Hardware,
    /// Technician time to install devices and gateways.
    Installation,
    /// Onboarding and identity: registration, enrolment, certificates, credential-leak response.
    Provisioning,
    /// SIMs, SIM fees, cellular data, LoRaWAN network server and gateway backhaul.
    Connectivity,
    /// The cloud IoT platform: messages, connection time, rules, hub units or broker VMs.
    Cloud,
    /// Time-series storage and data egress.
    Storage,
    /// Field work over the life: battery swaps, failed-device replacements, repeat visits.
    Maintenance,
}

impl Category {
    /// Every category, in the order bills and reports list them.
    pub const ALL: [Category; 7] = [
        Category::Hardware,
        Category::Installation,
        Category::Provisioning,
        Category::Connectivity,
        Category::Cloud,
        Category::Storage,
        Category::Maintenance,
    ];
    /// The category's name in reports (`cloud platform`, `storage and egress`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Category::Hardware => "hardware",
            Category::Installation => "installation",
            Category::Provisioning => "provisioning",
            Category::Connectivity => "connectivity",
            Category::Cloud => "cloud platform",
            Category::Storage => "storage and egress",
            Category::Maintenance => "maintenance",
        }
    }
}

/// TCO by category (discounted, over the horizon).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// Device and gateway hardware, in the book's currency.
    pub hardware: Money,
    /// Installation labour.
    pub installation: Money,
    /// Provisioning and identity.
    pub provisioning: Money,
    /// Connectivity (SIMs and data).
    pub connectivity: Money,
    /// Cloud platform.
    pub cloud: Money,
    /// Storage and egress.
    pub storage: Money,
    /// Field maintenance.
    pub maintenance: Money,
}

impl Breakdown {
    /// The amount of category `c`.
    pub fn get(&self, c: Category) -> Money {
        match c {
            Category::Hardware => self.hardware,
            Category::Installation => self.installation,
            Category::Provisioning => self.provisioning,
            Category::Connectivity => self.connectivity,
            Category::Cloud => self.cloud,
            Category::Storage => self.storage,
            Category::Maintenance => self.maintenance,
        }
    }
    fn slot(&mut self, c: Category) -> &mut Money {
        match c {
            Category::Hardware => &mut self.hardware,
            Category::Installation => &mut self.installation,
            Category::Provisioning => &mut self.provisioning,
            Category::Connectivity => &mut self.connectivity,
            Category::Cloud => &mut self.cloud,
            Category::Storage => &mut self.storage,
            Category::Maintenance => &mut self.maintenance,
        }
    }
}

/// One item of the bill: what it is, how it was metered, and what it adds up to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillLine {
    /// The category the line counts towards.
    pub category: Category,
    /// What is charged (`messages`, `SIM fees`, a hardware title, ...).
    pub item: String,
    /// How the quantity was metered (a typical month, or the one-time order).
    pub basis: String,
    /// Spent at the start (month 0).
    pub capex: Money,
    /// The first month's charge (recurring items).
    pub first_month: Money,
    /// Its share of the TCO (discounted).
    pub tco: Money,
}

/// The TCO of the same run under another platform or connectivity choice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// "platform" or "connectivity".
    pub choice: String,
    /// Price book key of the alternative platform or connectivity plan.
    pub name: String,
    /// Whole-fleet TCO over the horizon with that alternative (discounted).
    pub tco: Money,
    /// TCO divided by device-years (devices x horizon years); 0 for an empty fleet.
    pub tco_per_device_year: Money,
}

/// The `cost` section of a RunSummary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostSummary {
    /// Currency code of every amount (`USD`), from the price book.
    pub currency: String,
    /// Id of the price book the bill was priced with.
    pub price_book: String,
    /// Date the price book's prices were collected (ISO 8601).
    pub price_book_date: String,
    /// Price book key of the cloud platform billed.
    pub platform: String,
    /// Price book key of the connectivity plan billed.
    pub connectivity: String,
    /// Price book key of the time-series storage billed; `None` when the plan has none.
    pub storage: Option<String>,
    /// Horizon the bill covers, in years (billed as round(years x 12) months, at least 1).
    pub horizon_years: f64,
    /// Annual discount rate, percent; month m is weighted (1 + r)^(-m/12).
    pub discount_rate_pct: f64,
    /// Spent at the start (month 0), undiscounted.
    pub capex: Money,
    /// Undiscounted recurring spend per month, averaged over the horizon.
    pub opex_per_month: Money,
    /// Total cost of ownership over the horizon: capex plus discounted monthly charges.
    pub tco: Money,
    /// `tco` divided by device-years (devices x horizon years); 0 for an empty fleet.
    pub tco_per_device_year: Money,
    /// `tco` split by category (the categories sum to `tco`).
    pub breakdown: Breakdown,
    /// How the platform is sized (e.g. "1 x S2", "3 VMs").
    pub platform_sizing: String,
    /// Set when no size of the platform covers the fleet's peak day.
    pub quota_exceeded: Option<String>,
    /// Every line of the bill, grouped in the order the bill lists them.
    pub lines: Vec<BillLine>,
    /// TCO under each alternative platform or connectivity plan the scenario lists.
    pub alternatives: Vec<Alternative>,
}

/// Everything a bill is computed from.
pub struct BillInput<'a> {
    /// The scenario the run simulated (sites, gateways, horizon).
    pub scenario: &'a Scenario,
    /// The scenario's cost plan: which book items it selects and its usage assumptions.
    pub plan: &'a CostPlan,
    /// The price book to price with.
    pub book: &'a PriceBook,
    /// The run's results, whose usage the bill meters and extrapolates.
    pub summary: &'a RunSummary,
}

/// The bill of a run, with its alternatives.
pub fn bill(input: &BillInput<'_>) -> CostSummary {
    let mut main = bill_with(input, &input.plan.platform, &input.plan.connectivity);
    for name in &input.plan.alternatives.platforms {
        let b = bill_with(input, name, &input.plan.connectivity);
        main.alternatives.push(Alternative {
            choice: "platform".into(),
            name: name.clone(),
            tco: b.tco,
            tco_per_device_year: b.tco_per_device_year,
        });
    }
    for name in &input.plan.alternatives.connectivity {
        let b = bill_with(input, &input.plan.platform, name);
        main.alternatives.push(Alternative {
            choice: "connectivity".into(),
            name: name.clone(),
            tco: b.tco,
            tco_per_device_year: b.tco_per_device_year,
        });
    }
    main
}

/// Accumulates lines: capex, and recurring amounts per month with their discount.
struct Ledger {
    months: u32,
    discount: Vec<f64>,
    lines: Vec<BillLine>,
    breakdown: Breakdown,
    capex: Money,
    opex_total: Money,
}

impl Ledger {
    fn new(months: u32, rate_pct: f64) -> Ledger {
        let r = rate_pct / 100.0;
        let discount = (0..=months).map(|m| (1.0 + r).powf(-(m as f64) / 12.0)).collect();
        Ledger {
            months,
            discount,
            lines: Vec::new(),
            breakdown: Breakdown::default(),
            capex: Money::ZERO,
            opex_total: Money::ZERO,
        }
    }

    fn capex(&mut self, category: Category, item: &str, basis: String, amount: Money) {
        self.capex += amount;
        *self.breakdown.slot(category) += amount;
        self.lines.push(BillLine {
            category,
            item: item.into(),
            basis,
            capex: amount,
            first_month: Money::ZERO,
            tco: amount,
        });
    }

    /// A recurring charge: `amount(m)` for month m = 1..=M (each rounded, then discounted).
    fn monthly(&mut self, category: Category, item: &str, basis: String, amount: impl Fn(u32) -> Money) {
        let mut tco = Money::ZERO;
        for m in 1..=self.months {
            let a = amount(m);
            self.opex_total += a;
            tco += discounted(a, self.discount[m as usize]);
        }
        *self.breakdown.slot(category) += tco;
        self.lines.push(BillLine {
            category,
            item: item.into(),
            basis,
            capex: Money::ZERO,
            first_month: amount(1),
            tco,
        });
    }
}

fn discounted(a: Money, factor: f64) -> Money {
    if factor == 1.0 { a } else { Money::from_f64_units(a.units_f64() * factor) }
}

/// Usage of one class in a billing month (the run's rates, scaled to 30.4375 days).
struct ClassMonth {
    devices: u64,
    payload_bytes: u64,
    delivered: u64,
    attempts: u64,
    connected_minutes: u64,
    peak_day_delivered: u64,
    /// Firmware downloads and TLS handshakes, bytes a month (the whole class).
    extra_bytes: u64,
}

/// Firmware campaigns a month the business case assumes, per campaign in the run.
fn campaign_share_per_month(summary: &RunSummary) -> f64 {
    match &summary.ota {
        Some(o) if !o.campaigns.is_empty() => o.campaigns_per_year / 12.0 / o.campaigns.len() as f64,
        _ => 0.0,
    }
}

fn months_of(summary: &RunSummary) -> Vec<ClassMonth> {
    // A rollout inside the run: usage per installed device-time, scaled to the whole fleet.
    let installed = summary.provisioning.as_ref().map_or(1.0, |p| p.installed_share.max(1e-9));
    let f = MONTH_S / summary.simulated_s.max(1.0) / installed;
    let ota = campaign_share_per_month(summary);
    summary
        .per_class
        .iter()
        .map(|c| ClassMonth {
            devices: c.devices,
            payload_bytes: c.payload_bytes as u64,
            delivered: (c.messages.delivered as f64 * f).round() as u64,
            attempts: (c.attempts as f64 * f).round() as u64,
            connected_minutes: (c.connected_device_s / 60.0 * f).round() as u64,
            peak_day_delivered: c.peak_day_delivered,
            extra_bytes: (c.handshake_bytes as f64 * f + c.ota_bytes as f64 * ota).round() as u64,
        })
        .collect()
}

/// A sum of metered quantities, saturating: the book's limits allow products beyond u64 (they
/// then price at the saturated amount instead of overflowing).
fn sum(xs: impl Iterator<Item = u64>) -> u64 {
    xs.fold(0, u64::saturating_add)
}

fn units(bytes: u64, meter: u64) -> u64 {
    bytes.div_ceil(meter).max(1)
}

/// Rate per MB applied to bytes.
fn per_mb(rate: Rate, bytes: u64) -> Money {
    rate.amount.scaled(bytes, rate.per.saturating_mul(BYTES_PER_MB))
}

/// Billed bytes of one device of a class in a month: its share of the class's transmissions,
/// each payload plus the plan's overhead, rounded up to the plan's increment per session or on
/// the monthly total (0 for an empty class).
fn billed_bytes(m: &Metering, c: &ClassMonth, with_extra: bool) -> u64 {
    if c.devices == 0 {
        return 0;
    }
    let msgs = c.attempts.div_ceil(c.devices);
    let each = c.payload_bytes.saturating_add(m.overhead_bytes);
    // Firmware downloads and handshakes are transfers of their own (a download is one long
    // session), billed on top of the telemetry sessions.
    let extra = if with_extra { c.extra_bytes.div_ceil(c.devices) } else { 0 };
    let round = |b: u64| b.div_ceil(m.increment_bytes).saturating_mul(m.increment_bytes);
    match m.rounding {
        Rounding::PerSession => msgs.saturating_mul(round(each)).saturating_add(round(extra)),
        Rounding::PerMonth => round(msgs.saturating_mul(each).saturating_add(extra)),
    }
}

/// Adds a data charge as two lines: telemetry, and what firmware and TLS handshakes add to it.
fn data_lines(l: &mut Ledger, item: &str, basis: String, cost: impl Fn(bool) -> Money, extra_mb: f64) {
    let base = cost(false);
    l.monthly(Category::Connectivity, item, basis, |_| base);
    let more = cost(true) - base;
    if extra_mb > 0.0 {
        l.monthly(
            Category::Connectivity,
            &format!("{item}: firmware and TLS"),
            format!("{} MB a month of firmware downloads and TLS handshakes", decimal(extra_mb, 1)),
            |_| more,
        );
    }
}

/// SIM cards bought once and their monthly fees (per-SIM and pooled plans).
fn sims(l: &mut Ledger, devices: u64, sim: &Rate, monthly_fee: &Rate) {
    l.capex(
        Category::Connectivity,
        "SIM cards",
        format!("{} x {}", thousands(devices), sim.cost(1)),
        sim.cost(devices),
    );
    l.monthly(Category::Connectivity, "SIM fees", format!("{} SIM-months", thousands(devices)), |_| {
        monthly_fee.cost(devices)
    });
}

/// Onboarding, certificates, leaked credentials and bricked devices, from the lifecycle sections
/// of the run.
fn lifecycle_lines(l: &mut Ledger, s: &Scenario, plan: &CostPlan, book: &PriceBook, r: &RunSummary, devices: u64) {
    let labour = &book.labour;
    let hours = |h: f64| {
        let minutes_x100 = (h * 6000.0).round() as u64;
        labour.technician_hour.amount.scaled(minutes_x100, labour.technician_hour.per * 6000)
    };
    let roll = labour.truck_roll.cost(1);
    if let Some(p) = &r.provisioning {
        if p.onboarding == "manual" {
            l.capex(
                Category::Provisioning,
                "manual onboarding",
                format!(
                    "{} technician hours ({}, {} set up again)",
                    decimal(p.technician_hours, 0),
                    count(p.devices, "device", "devices"),
                    thousands(p.revisits)
                ),
                hours(p.technician_hours),
            );
        } else if let Some(idp) = &book.identity {
            l.capex(
                Category::Provisioning,
                "zero-touch enrolment",
                format!("{} devices x {}", thousands(devices), idp.zero_touch_per_device.cost(1)),
                idp.zero_touch_per_device.cost(devices),
            );
            if p.revisits > 0 {
                l.capex(
                    Category::Provisioning,
                    "enrolment visits",
                    format!("{} devices gave up enrolling x truck roll {roll}", thousands(p.revisits)),
                    roll.times(p.revisits),
                );
            }
        }
    }
    if let (Some(sec), Some(id)) = (&r.security, s.identity) {
        if let Some(idp) = &book.identity {
            l.capex(
                Category::Provisioning,
                "device certificates",
                format!("{} x {}", thousands(devices), idp.certificate.cost(1)),
                idp.certificate.cost(devices),
            );
        }
        if let Some(c) = id.certificates {
            let per_month = devices as f64 * DAYS_PER_MONTH / (c.lifetime_us as f64 / 86_400e6);
            let x1000 = (per_month * 1000.0).round() as u64;
            match (c.rotation, &book.identity) {
                (Some(_), Some(idp)) => {
                    let cert = idp.certificate.cost(1);
                    l.monthly(
                        Category::Provisioning,
                        "certificate renewals",
                        format!("{} renewals a month x {cert}", decimal(per_month, 0)),
                        |_| cert.scaled(x1000, 1000),
                    );
                }
                (Some(_), None) => {}
                (None, _) => {
                    // Without rotation every certificate is replaced on site before it expires.
                    let visits = per_month / plan.battery_swaps_per_visit.max(1) as f64;
                    let minutes = s.provisioning.map_or(labour.install_minutes_per_device, |p| match p.onboarding {
                        crate::scenario::Onboarding::Manual { minutes_per_device, .. } => minutes_per_device,
                        _ => labour.install_minutes_per_device,
                    });
                    let each =
                        hours(minutes / 60.0).scaled(x1000, 1000) + roll.scaled((visits * 1000.0).round() as u64, 1000);
                    l.monthly(
                        Category::Maintenance,
                        "certificate replacement visits",
                        format!(
                            "{} certificates expire a month and are replaced on site ({} min each, {} per truck roll)",
                            decimal(per_month, 0),
                            decimal(minutes, 1),
                            thousands(plan.battery_swaps_per_visit as u64)
                        ),
                        |_| each,
                    );
                }
            }
        }
        for c in &sec.compromises {
            let amount = hours(c.technician_hours)
                + roll.times(c.site_visits)
                + book.identity.as_ref().map_or(Money::ZERO, |i| i.certificate.cost(c.blast_radius));
            l.capex(
                Category::Provisioning,
                &format!("credential leak on day {:.0}", c.at_days),
                format!(
                    "{} re-provisioned: {} technician hours, {}, {}, new certificates",
                    count(c.blast_radius, "device", "devices"),
                    decimal(c.technician_hours, 0),
                    count(c.site_visits, "site visit", "site visits"),
                    count(c.reenrolments, "remote re-enrolment", "remote re-enrolments")
                ),
                amount,
            );
        }
    }
    if let Some(o) = &r.ota {
        let per_month = o.bricked as f64 * campaign_share_per_month(r);
        if per_month > 0.0 {
            let each = roll + hours(labour.install_minutes_per_device / 60.0);
            let x1000 = (per_month * 1000.0).round() as u64;
            l.monthly(
                Category::Maintenance,
                "devices bricked by firmware updates",
                format!(
                    "{} bricked in {}, {} campaigns a year: {} a month x (truck roll {roll} + {} min reflash)",
                    thousands(o.bricked),
                    count(o.campaigns.len() as u64, "campaign", "campaigns"),
                    decimal(o.campaigns_per_year, 1),
                    decimal(per_month, 1),
                    decimal(labour.install_minutes_per_device, 1)
                ),
                |_| each.scaled(x1000, 1000),
            );
        }
    }
}

/// What one run used, as every group of bill lines reads it.
#[derive(Clone, Copy)]
struct Usage<'a> {
    s: &'a Scenario,
    plan: &'a CostPlan,
    book: &'a PriceBook,
    summary: &'a RunSummary,
    cm: &'a [ClassMonth],
    devices: u64,
    gateways: u64,
    delivered: u64,
}

/// The bill under one platform and one connectivity plan: each group of lines in the order the
/// bill lists them, then the totals.
fn bill_with(input: &BillInput<'_>, platform_name: &str, connectivity_name: &str) -> CostSummary {
    let BillInput { scenario: s, plan, book, summary } = *input;
    let months = (s.horizon_years * 12.0).round().max(1.0) as u32;
    let mut l = Ledger::new(months, plan.discount_rate_pct);
    let cm = months_of(summary);
    let devices: u64 = cm.iter().map(|c| c.devices).sum();
    let gateways: u64 = s.sites.iter().map(|x| x.gateways as u64).sum();
    let delivered: u64 = cm.iter().map(|c| c.delivered).sum();
    let u = Usage { s, plan, book, summary, cm: &cm, devices, gateways, delivered };

    hardware_lines(&mut l, &u);
    installation_lines(&mut l, &u);
    lifecycle_lines(&mut l, s, plan, book, summary, devices);
    let (sizing, quota_exceeded) = platform_lines(&mut l, &u, platform_name);
    connectivity_lines(&mut l, &u, connectivity_name);
    storage_lines(&mut l, &u);
    maintenance_lines(&mut l, &u);

    let tco = Category::ALL.iter().map(|c| l.breakdown.get(*c)).sum::<Money>();
    let device_years = devices as f64 * s.horizon_years;
    CostSummary {
        currency: book.currency.clone(),
        price_book: book.id.clone(),
        price_book_date: book.date.clone(),
        platform: platform_name.to_string(),
        connectivity: connectivity_name.to_string(),
        storage: plan.storage.clone(),
        horizon_years: s.horizon_years,
        discount_rate_pct: plan.discount_rate_pct,
        capex: l.capex,
        opex_per_month: Money(l.opex_total.0 / months as i64),
        tco,
        tco_per_device_year: if device_years > 0.0 {
            Money::from_f64_units(tco.units_f64() / device_years)
        } else {
            Money::ZERO
        },
        breakdown: l.breakdown,
        platform_sizing: sizing,
        quota_exceeded,
        lines: l.lines,
        alternatives: Vec::new(),
    }
}

/// Device and gateway hardware: each item priced at the tier of the whole order of that item.
fn hardware_lines(l: &mut Ledger, u: &Usage<'_>) {
    let Usage { s, plan, book, gateways, .. } = *u;
    let mut items: Vec<(&str, u64)> = Vec::new();
    for (ci, c) in s.classes.iter().enumerate() {
        if let Some(h) = &plan.device_hardware[ci] {
            match items.iter_mut().find(|(n, _)| n == h) {
                Some(e) => e.1 += c.count as u64,
                None => items.push((h.as_str(), c.count as u64)),
            }
        }
    }
    for (ci, c) in s.classes.iter().enumerate() {
        let Some(h) = plan.device_hardware[ci].as_deref().and_then(|h| book.hardware(h)) else { continue };
        let order = items.iter().find(|(n, _)| *n == h.name).map_or(0, |e| e.1);
        let unit = volume_unit_price(&h.tiers, order);
        l.capex(
            Category::Hardware,
            &format!("{} ({})", h.title, c.name),
            format!("{} x {unit} (tier for {} units)", thousands(c.count as u64), thousands(order)),
            unit.times(c.count as u64),
        );
    }
    if let Some(h) = plan.gateway_hardware.as_deref().and_then(|h| book.hardware(h)) {
        let unit = volume_unit_price(&h.tiers, gateways);
        l.capex(Category::Hardware, &h.title, format!("{} x {unit}", thousands(gateways)), unit.times(gateways));
    }
}

/// Installing the devices and the gateways.
fn installation_lines(l: &mut Ledger, u: &Usage<'_>) {
    let Usage { plan, book, devices, gateways, .. } = *u;
    let labour = &book.labour;
    let minutes_x100 = (devices as f64 * labour.install_minutes_per_device * 100.0).round() as u64;
    l.capex(
        Category::Installation,
        "device installation",
        format!(
            "{} devices x {} min at {}/h",
            thousands(devices),
            labour.install_minutes_per_device,
            labour.technician_hour.cost(1)
        ),
        labour.technician_hour.amount.scaled(minutes_x100, labour.technician_hour.per * 6000),
    );
    if plan.gateway_hardware.is_some() {
        l.capex(
            Category::Installation,
            "gateway installation",
            format!("{gateways} x {}", labour.gateway_install.cost(1)),
            labour.gateway_install.cost(gateways),
        );
    }
}

/// The cloud platform's lines: (how it is sized, why no size covers the peak day).
fn platform_lines(l: &mut Ledger, u: &Usage<'_>, platform_name: &str) -> (String, Option<String>) {
    let Usage { plan, book, devices, delivered, .. } = *u;
    let mut sizing = String::new();
    let mut quota_exceeded = None;
    if let Some(p) = book.platform(platform_name) {
        match &p.kind {
            PlatformKind::Metered {
                connection_minutes,
                message_meter_bytes,
                messages,
                rules,
                actions,
                shadow_ops,
                shadow_meter_bytes: _,
                registrations,
            } => {
                sizing = "pay per use".into();
                let metered =
                    sum(u.cm.iter().map(|c| c.delivered.saturating_mul(units(c.payload_bytes, *message_meter_bytes))));
                l.monthly(
                    Category::Cloud,
                    "messages",
                    format!(
                        "{} messages = {} metered units of {} B",
                        thousands(delivered),
                        thousands(metered),
                        thousands(*message_meter_bytes)
                    ),
                    |_| graduated(messages, metered),
                );
                let minutes: u64 = u.cm.iter().map(|c| c.connected_minutes).sum();
                l.monthly(
                    Category::Cloud,
                    "connectivity (connected minutes)",
                    format!("{} connection-minutes", thousands(minutes)),
                    |_| connection_minutes.cost(minutes),
                );
                let n_rules = (delivered as f64 * plan.rules_per_message).round() as u64;
                let n_actions = (n_rules as f64 * plan.actions_per_rule).round() as u64;
                l.monthly(
                    Category::Cloud,
                    "rules and actions",
                    format!("{} rules, {} actions", thousands(n_rules), thousands(n_actions)),
                    |_| rules.cost(n_rules) + actions.cost(n_actions),
                );
                let n_shadow = (devices as f64 * plan.shadow_ops_per_device_day * DAYS_PER_MONTH).round() as u64;
                if n_shadow > 0 {
                    l.monthly(
                        Category::Cloud,
                        "shadow and registry operations",
                        format!("{} operations", thousands(n_shadow)),
                        |_| shadow_ops.cost(n_shadow),
                    );
                }
                l.capex(
                    Category::Provisioning,
                    "device registration",
                    format!("{} things", thousands(devices)),
                    registrations.cost(devices),
                );
            }
            PlatformKind::UnitQuota { editions } => {
                let (cost, size, exceeded) = unit_quota_size(u.cm, editions);
                quota_exceeded = exceeded;
                let peak_msgs: u64 = u.cm.iter().map(|c| c.peak_day_delivered).sum();
                sizing = size.clone();
                l.monthly(
                    Category::Cloud,
                    "hub units",
                    format!("{size} for a peak day of {} messages", thousands(peak_msgs)),
                    |_| cost,
                );
            }
            PlatformKind::SelfHosted {
                vm_hour,
                vm_messages_per_s,
                vm_connections,
                min_vms,
                ops_hours_per_month,
                ops_hour,
            } => {
                let peak_per_s = delivered as f64 / MONTH_S * plan.peak_to_mean;
                let vms = (*min_vms)
                    .max((peak_per_s / vm_messages_per_s).ceil() as u64)
                    .max(devices.div_ceil(*vm_connections));
                sizing = count(vms, "VM", "VMs");
                // 730.5 hours per month.
                let vm_cost = vm_hour.amount.scaled(vms * 7305, vm_hour.per * 10);
                l.monthly(
                    Category::Cloud,
                    "broker VMs",
                    format!(
                        "{} x 730.5 h (peak {} msg/s, {})",
                        count(vms, "VM", "VMs"),
                        decimal(peak_per_s, 1),
                        count(devices, "connection", "connections")
                    ),
                    |_| vm_cost,
                );
                let ops_x100 = (ops_hours_per_month * 100.0).round() as u64;
                l.monthly(
                    Category::Cloud,
                    "broker operations",
                    format!("{} h at {}/h", decimal(*ops_hours_per_month, 1), ops_hour.cost(1)),
                    |_| ops_hour.amount.scaled(ops_x100, ops_hour.per * 100),
                );
            }
        }
    }
    (sizing, quota_exceeded)
}

/// The cheapest size of a unit-quota platform whose daily quota covers the fleet's peak day:
/// (monthly cost, size, why none does when the largest size falls short).
fn unit_quota_size(cm: &[ClassMonth], editions: &[super::book::Edition]) -> (Money, String, Option<String>) {
    let mut best: Option<(Money, String)> = None;
    let mut largest: Option<(u64, Money, String, u64)> = None;
    for e in editions {
        let peak = sum(cm.iter().map(|c| c.peak_day_delivered.saturating_mul(units(c.payload_bytes, e.meter_bytes))));
        let n = peak.div_ceil(e.messages_per_day_per_unit).max(1);
        let cap = e.messages_per_day_per_unit.saturating_mul(e.max_units);
        if largest.as_ref().is_none_or(|x| cap > x.0) {
            largest =
                Some((cap, e.unit_month.times(e.max_units), format!("{} x {}", thousands(e.max_units), e.name), peak));
        }
        if n <= e.max_units {
            let cost = e.unit_month.times(n);
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, format!("{} x {}", thousands(n), e.name)));
            }
        }
    }
    match (best, largest) {
        (Some((cost, size)), _) => (cost, size, None),
        (None, Some((cap, cost, size, peak))) => {
            let exceeded = Some(format!(
                "the peak day needs {} metered messages; the largest size ({size}) allows {} a day",
                thousands(peak),
                thousands(cap)
            ));
            (cost, size, exceeded)
        }
        (None, None) => (Money::ZERO, "no editions".into(), None),
    }
}

/// The connectivity plan's lines (SIMs, data, LoRaWAN network server).
fn connectivity_lines(l: &mut Ledger, u: &Usage<'_>, connectivity_name: &str) {
    let Usage { book, cm, devices, gateways, .. } = *u;
    let months = l.months;
    let extra_mb = cm.iter().map(|c| c.extra_bytes).sum::<u64>() as f64 / 1e6;
    if let Some(c) = book.connectivity(connectivity_name) {
        match &c.kind {
            ConnectivityKind::None => {}
            ConnectivityKind::PerDevice { sim, monthly_fee, data_per_mb, metering } => {
                sims(l, devices, sim, monthly_fee);
                let bands: Vec<_> = data_per_mb
                    .iter()
                    .map(|b| super::book::Band {
                        up_to: b.up_to.map(|u| u.saturating_mul(BYTES_PER_MB)),
                        rate: Rate { amount: b.rate.amount, per: b.rate.per.saturating_mul(BYTES_PER_MB) },
                    })
                    .collect();
                let total_bytes = sum(cm.iter().map(|c| billed_bytes(metering, c, false).saturating_mul(c.devices)));
                data_lines(
                    l,
                    "cellular data",
                    format!("{} MB billed", decimal(total_bytes as f64 / 1e6, 1)),
                    |extra| {
                        cm.iter()
                            .map(|c| graduated(&bands, billed_bytes(metering, c, extra)).times(c.devices))
                            .sum::<Money>()
                    },
                    extra_mb,
                );
            }
            ConnectivityKind::Pooled { sim, monthly_fee, pool_mb_per_sim, overage_per_mb, metering } => {
                sims(l, devices, sim, monthly_fee);
                let used = |extra| sum(cm.iter().map(|c| billed_bytes(metering, c, extra).saturating_mul(c.devices)));
                let pool = devices.saturating_mul(*pool_mb_per_sim).saturating_mul(BYTES_PER_MB);
                data_lines(
                    l,
                    "pool overage",
                    format!(
                        "{} MB used of a {} MB pool",
                        decimal(used(false) as f64 / 1e6, 1),
                        decimal(pool as f64 / 1e6, 0)
                    ),
                    |extra| per_mb(*overage_per_mb, used(extra).saturating_sub(pool)),
                    extra_mb,
                );
            }
            ConnectivityKind::Lifetime { sim, term_years, data_mb, topup_per_mb, metering } => {
                let term = (term_years * 12.0).round().max(1.0) as u32;
                l.capex(
                    Category::Connectivity,
                    "lifetime SIM plans",
                    format!("{} x {} for {term_years} years", thousands(devices), sim.cost(1)),
                    sim.cost(devices),
                );
                let renew = sim.cost(devices);
                l.monthly(Category::Connectivity, "lifetime plan renewals", format!("every {term} months"), |m| {
                    if m % term == 0 && m < months { renew } else { Money::ZERO }
                });
                let allowance = data_mb.saturating_mul(BYTES_PER_MB) / term as u64;
                let over = |extra| {
                    sum(cm
                        .iter()
                        .map(|c| billed_bytes(metering, c, extra).saturating_sub(allowance).saturating_mul(c.devices)))
                };
                data_lines(
                    l,
                    "data top-ups",
                    format!("{} MB a month above the allowance", decimal(over(false) as f64 / 1e6, 1)),
                    |extra| per_mb(*topup_per_mb, over(extra)),
                    extra_mb,
                );
            }
            ConnectivityKind::Lorawan { device_month, gateway_month } => {
                let unit = volume_unit_price(device_month, devices);
                l.monthly(
                    Category::Connectivity,
                    "network server",
                    format!("{} devices x {unit}", thousands(devices)),
                    |_| unit.times(devices),
                );
                l.monthly(Category::Connectivity, "gateway backhaul", count(gateways, "gateway", "gateways"), |_| {
                    gateway_month.cost(gateways)
                });
            }
        }
    }
}

/// Time-series storage and data egress.
fn storage_lines(l: &mut Ledger, u: &Usage<'_>) {
    let Usage { plan, book, delivered, .. } = *u;
    if let Some(st) = plan.storage.as_deref().and_then(|n| book.storage(n)) {
        let writes = delivered.saturating_mul(units(st.record_bytes, st.write_meter_bytes));
        l.monthly(Category::Storage, "time-series writes", format!("{} writes", thousands(writes)), |_| {
            st.writes.cost(writes)
        });
        let bytes_month = delivered.saturating_mul(st.record_bytes);
        let retention_months = plan.retention.as_secs_f64() / MONTH_S;
        l.monthly(
            Category::Storage,
            "time-series storage",
            format!(
                "{} GB a month, kept {} months",
                decimal(bytes_month as f64 / 1e9, 2),
                decimal(retention_months, 1)
            ),
            |m| {
                let held = (m as f64).min(retention_months);
                let bytes = (bytes_month as f64 * held).round() as u64;
                st.gb_month.amount.scaled(bytes, st.gb_month.per * BYTES_PER_GB)
            },
        );
        let out = (bytes_month as f64 * plan.egress_share).round() as u64;
        l.monthly(Category::Storage, "data egress", format!("{} GB a month", decimal(out as f64 / 1e9, 3)), |_| {
            book.egress_per_gb.amount.scaled(out, book.egress_per_gb.per * BYTES_PER_GB)
        });
    }
}

/// Maintenance: hardware failures at the run's rate, and battery swaps at the run's battery life.
fn maintenance_lines(l: &mut Ledger, u: &Usage<'_>) {
    let Usage { s, plan, book, summary, .. } = *u;
    let labour = &book.labour;
    let months = l.months;
    let years = summary.simulated_s / (365.25 * 86_400.0);
    let roll = labour.truck_roll.cost(1);
    let roll_nff = Money::from_f64_units(roll.units_f64() * (1.0 + labour.no_fault_found_pct / 100.0));
    for (ci, c) in s.classes.iter().enumerate() {
        let failures = summary.per_class[ci].hardware_failures as f64;
        let per_month = failures / summary.simulated_s.max(1.0) * MONTH_S;
        if per_month > 0.0 {
            let unit = plan.device_hardware[ci]
                .as_deref()
                .and_then(|h| book.hardware(h))
                .map_or(Money::ZERO, |h| volume_unit_price(&h.tiers, c.count as u64));
            let each = unit + roll_nff;
            let x1000 = (per_month * 1000.0).round() as u64;
            l.monthly(
                Category::Maintenance,
                &format!("failed-device replacement ({})", c.name),
                format!(
                    "{} failures a month ({} in {} simulated years) x ({unit} + truck roll {roll_nff})",
                    decimal(per_month, 1),
                    thousands(failures as u64),
                    decimal(years, 2)
                ),
                |_| each.scaled(x1000, 1000),
            );
        }
        if let PowerSource::Battery { .. } = s.powers[c.power].source
            && let Some(life) = summary.per_class[ci].battery.as_ref().map(|b| b.projected_life_days)
            && life > 0.0
        {
            let horizon_days = months as f64 * DAYS_PER_MONTH;
            let cell = plan.battery_hardware[c.power]
                .as_deref()
                .and_then(|h| book.hardware(h))
                .map_or(Money::ZERO, |h| volume_unit_price(&h.tiers, c.count as u64));
            let swap_x100 = (labour.battery_swap_minutes * 100.0).round() as u64;
            let labour_each = labour.technician_hour.amount.scaled(swap_x100, labour.technician_hour.per * 6000);
            let n = c.count as u64;
            let visits = n.div_ceil(plan.battery_swaps_per_visit as u64);
            let wave = (cell + labour_each).times(n) + roll.times(visits);
            let wave_months: Vec<u32> = (1..)
                .map(|k| k as f64 * life)
                .take_while(|d| *d < horizon_days)
                .map(|d| ((d / DAYS_PER_MONTH).ceil() as u32).max(1))
                .collect();
            l.monthly(
                Category::Maintenance,
                &format!("battery swaps ({})", c.name),
                format!(
                    "{} (life {} days): {} x ({cell} + {} labour) + {}",
                    count(wave_months.len() as u64, "campaign", "campaigns"),
                    decimal(life, 0),
                    thousands(n),
                    labour_each,
                    count(visits, "truck roll", "truck rolls")
                ),
                |m| if wave_months.contains(&m) { wave } else { Money::ZERO },
            );
        }
    }
}
