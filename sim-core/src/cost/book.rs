//! Price books: dated, versioned TOML files (`pricebooks/*.toml`) with every price's source and
//! date, read with the same diagnostics as scenarios (file, line, column, field path).
//!
//! A price is a number (`monthly_fee = 2.0`) or a table
//! (`{ price = 0.08, per = 1_000_000, source = "...", as_of = "2026-11-01" }`); a price without its
//! own `source`/`as_of` takes those of its section, and a price with neither is an error. A
//! `url` (the public page of the source, `https://` or `http://`) goes with the `source` it
//! belongs to: a price without its own `source` takes its section's `url`, a price that names its
//! own `source` has only the `url` it gives. A price whose source carries the tag `[E]` (also
//! written `[E:` or `[E,`) is an assumption: no published price stands behind it
//! ([`is_assumption`]); `[V]` and `[L]` mark published prices.
//! Vendors are described by how they meter, so a bill follows the vendor's own rules: AWS-style
//! graduated per-message tiers in 5 KB units, Azure-style units with daily quotas in 4 KB chunks,
//! VMs for a self-hosted broker, per-SIM, pooled and lifetime cellular plans, LoRaWAN network
//! servers.

use super::Money;

pub use super::book_read::{known_keys, parse_price_book};

/// The price book format version this build reads.
pub const PRICE_BOOK_SCHEMA: i64 = 1;

/// The text of a price book and the price overrides a scenario applies to it.
#[derive(Clone, Debug)]
pub struct PriceBookSource<'a> {
    pub file: &'a str,
    pub bytes: &'a [u8],
    /// `path=value` overrides (`platform.aws-iot-core.connection_minutes=0.09`), in order.
    pub overrides: &'a [String],
    /// Named as the source of overridden prices (e.g. the scenario's file name).
    pub override_source: &'a str,
}

/// `amount` for every `per` units of what is metered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub amount: Money,
    pub per: u64,
}

impl Rate {
    /// The cost of `quantity` units, rounded half up to a millionth.
    pub fn cost(&self, quantity: u64) -> Money {
        self.amount.scaled(quantity, self.per)
    }
}

/// One band of a graduated price: units up to `up_to` (cumulative; `None` for the last band)
/// cost `rate` each. Every unit is charged at the price of the band it falls in (AWS-style).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub up_to: Option<u64>,
    pub rate: Rate,
}

/// The cost of `quantity` units under graduated bands.
pub fn graduated(bands: &[Band], quantity: u64) -> Money {
    let mut left = quantity;
    let mut from = 0u64;
    let mut total = Money::ZERO;
    for b in bands {
        let cap = b.up_to.map_or(u64::MAX, |u| u.saturating_sub(from));
        let n = left.min(cap);
        total += b.rate.cost(n);
        left -= n;
        from = b.up_to.unwrap_or(u64::MAX);
        if left == 0 {
            break;
        }
    }
    total
}

/// One all-units volume tier: an order of at least `from` units costs `unit_price` per unit
/// (hardware, network-server seats).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolumeTier {
    pub from: u64,
    pub unit_price: Money,
}

/// The unit price for an order of `quantity` (the highest tier it reaches).
pub fn volume_unit_price(tiers: &[VolumeTier], quantity: u64) -> Money {
    tiers.iter().filter(|t| t.from <= quantity.max(1)).map(|t| t.unit_price).next_back().unwrap_or(Money::ZERO)
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edition {
    pub name: String,
    pub unit_month: Money,
    pub messages_per_day_per_unit: u64,
    pub meter_bytes: u64,
    pub max_units: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlatformKind {
    /// Pay per use, AWS IoT Core style.
    Metered {
        connection_minutes: Rate,
        message_meter_bytes: u64,
        messages: Vec<Band>,
        rules: Rate,
        actions: Rate,
        shadow_ops: Rate,
        shadow_meter_bytes: u64,
        registrations: Rate,
    },
    /// Units of an edition with a daily message quota, Azure IoT Hub style: the bill is the
    /// cheapest (edition, units) whose quota covers the peak day.
    UnitQuota { editions: Vec<Edition> },
    /// A broker on rented VMs, with the operations labour it needs.
    SelfHosted {
        vm_hour: Rate,
        vm_messages_per_s: f64,
        vm_connections: u64,
        min_vms: u64,
        ops_hours_per_month: f64,
        ops_hour: Rate,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    pub name: String,
    pub title: String,
    pub kind: PlatformKind,
    /// Service quotas (publishes and new connections per second, account-wide), for the verdict.
    pub publishes_per_s_quota: Option<f64>,
    pub connects_per_s_quota: Option<f64>,
}

/// How a cellular operator rounds billed bytes up to its billing increment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Each session (each transmission) is rounded up.
    PerSession,
    /// Each SIM's monthly total is rounded up.
    PerMonth,
}

/// What a cellular plan adds to each message and how it rounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metering {
    /// Bytes per transmission on top of the payload (IP/UDP/TCP, TLS records, MQTT, carrier
    /// overhead).
    pub overhead_bytes: u64,
    pub increment_bytes: u64,
    pub rounding: Rounding,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConnectivityKind {
    /// No per-device connectivity charge (wired, Wi-Fi, private network).
    None,
    /// One plan per SIM: a monthly fee and graduated per-MB data bands per SIM-month.
    PerDevice { sim: Rate, monthly_fee: Rate, data_per_mb: Vec<Band>, metering: Metering },
    /// A fee per SIM with data pooled across the fleet; overage per MB above the pool.
    Pooled { sim: Rate, monthly_fee: Rate, pool_mb_per_sim: u64, overage_per_mb: Rate, metering: Metering },
    /// A one-time price per SIM for a term of years with a data allowance; top-ups per MB.
    Lifetime { sim: Rate, term_years: f64, data_mb: u64, topup_per_mb: Rate, metering: Metering },
    /// A LoRaWAN network server: a per-device monthly fee by fleet size, and gateway backhaul.
    Lorawan { device_month: Vec<VolumeTier>, gateway_month: Rate },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Connectivity {
    pub name: String,
    pub title: String,
    pub kind: ConnectivityKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    pub name: String,
    pub title: String,
    pub writes: Rate,
    pub write_meter_bytes: u64,
    pub gb_month: Rate,
    /// Stored bytes per message (time stamp, dimensions, measures).
    pub record_bytes: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hardware {
    pub name: String,
    pub title: String,
    pub tiers: Vec<VolumeTier>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Labour {
    pub technician_hour: Rate,
    pub install_minutes_per_device: f64,
    pub gateway_install: Rate,
    pub truck_roll: Rate,
    /// Share of dispatches that find no fault and must be repeated, percent.
    pub no_fault_found_pct: f64,
    pub battery_swap_minutes: f64,
}

/// What device identity costs: enrolment without a technician, and certificates.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityPrices {
    /// A device that enrols itself: pre-provisioned secure element or factory certificate.
    pub zero_touch_per_device: Rate,
    /// One device certificate issued (first issue, renewal, re-issue).
    pub certificate: Rate,
}

/// One price as the book states it, for the report's assumptions table.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PriceLine {
    pub path: String,
    pub price: String,
    pub source: String,
    pub as_of: String,
    /// The public page of the source (`https://...`), where there is one.
    #[serde(default)]
    pub url: Option<String>,
    /// The source is tagged `[E]`: an engineering assumption, not a published price
    /// ([`is_assumption`]). False for a price a scenario overrides.
    #[serde(default)]
    pub assumption: bool,
}

/// Whether a price's source marks it as an assumption: the text carries the tag `[E]`
/// (or a tag group that starts with it, `[E:` or `[E,`). The confidence tags are those of the
/// reference note (`docs/sources.md`): `[V]` checked against an archived copy of the source,
/// `[L]` published but not re-checked, `[E]` an engineering default with no single published
/// source. A source that tags a factor of the price `[E]` (an exchange rate, a pool size) makes
/// the price an assumption too.
pub fn is_assumption(source: &str) -> bool {
    ["[E]", "[E:", "[E,"].iter().any(|tag| source.contains(tag))
}

#[derive(Clone, Debug, PartialEq)]
pub struct PriceBook {
    pub id: String,
    pub title: String,
    pub currency: String,
    /// The date the book's prices were collected (ISO 8601).
    pub date: String,
    pub platforms: Vec<Platform>,
    pub connectivity: Vec<Connectivity>,
    pub storage: Vec<Storage>,
    pub hardware: Vec<Hardware>,
    pub labour: Labour,
    /// Identity prices (`[identity]`; optional: a book without them prices no enrolment or
    /// certificates).
    pub identity: Option<IdentityPrices>,
    pub egress_per_gb: Rate,
    /// Every price with its source and date, in file order.
    pub lines: Vec<PriceLine>,
}

impl PriceBook {
    pub fn platform(&self, name: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.name == name)
    }
    pub fn connectivity(&self, name: &str) -> Option<&Connectivity> {
        self.connectivity.iter().find(|p| p.name == name)
    }
    pub fn storage(&self, name: &str) -> Option<&Storage> {
        self.storage.iter().find(|p| p.name == name)
    }
    pub fn hardware(&self, name: &str) -> Option<&Hardware> {
        self.hardware.iter().find(|p| p.name == name)
    }
    /// How many of the book's prices are assumptions (`[E]`), and how many prices it has.
    pub fn assumption_count(&self) -> (usize, usize) {
        (self.lines.iter().filter(|l| l.assumption).count(), self.lines.len())
    }
}
