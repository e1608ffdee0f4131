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
    /// File name of the price book, for diagnostics.
    pub file: &'a str,
    /// The book's TOML text.
    pub bytes: &'a [u8],
    /// `path=value` overrides (`platform.aws-iot-core.connection_minutes=0.09`), in order.
    pub overrides: &'a [String],
    /// Named as the source of overridden prices (e.g. the scenario's file name).
    pub override_source: &'a str,
}

/// `amount` for every `per` units of what is metered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Price of `per` units, in millionths of the book's currency.
    pub amount: Money,
    /// How many metered units `amount` buys (1 for a plain price, 1,000,000 per million); never 0.
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
    /// Cumulative upper bound of the band in metered units (inclusive); `None` for the last band.
    pub up_to: Option<u64>,
    /// Price of each unit that falls in this band.
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
    /// Smallest order quantity (units) this tier applies to; the first tier starts at 1.
    pub from: u64,
    /// Price of every unit of an order that reaches this tier.
    pub unit_price: Money,
}

/// The unit price for an order of `quantity` (the highest tier it reaches).
pub fn volume_unit_price(tiers: &[VolumeTier], quantity: u64) -> Money {
    tiers.iter().filter(|t| t.from <= quantity.max(1)).map(|t| t.unit_price).next_back().unwrap_or(Money::ZERO)
}

/// One edition of a unit-quota platform (an Azure IoT Hub tier such as S1): price and daily
/// message quota per unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Edition {
    /// Edition name as the book gives it (`S1`, `S2`, ...).
    pub name: String,
    /// Price of one unit for one month.
    pub unit_month: Money,
    /// Metered messages per day one unit allows (the daily quota).
    pub messages_per_day_per_unit: u64,
    /// Metering size in bytes (4096 for Azure): a message counts as ceil(payload / this), min 1.
    pub meter_bytes: u64,
    /// Most units of this edition one hub can have (default 1).
    pub max_units: u64,
}

/// How a cloud platform meters and charges for device traffic.
#[derive(Clone, Debug, PartialEq)]
pub enum PlatformKind {
    /// Pay per use, AWS IoT Core style.
    Metered {
        /// Price per device connection-minute.
        connection_minutes: Rate,
        /// Metering size in bytes (5120 for AWS): a message counts as ceil(payload / this), min 1.
        message_meter_bytes: u64,
        /// Graduated bands of the price per metered message in a month.
        messages: Vec<Band>,
        /// Price per rule triggered (rules engine); the scenario's plan says how many per message.
        rules: Rate,
        /// Price per rule action executed.
        actions: Rate,
        /// Price per device shadow or registry operation.
        shadow_ops: Rate,
        /// Shadow operation metering size in bytes (default 1024); read, not yet used by the bill.
        shadow_meter_bytes: u64,
        /// One-time price per device (thing) registered.
        registrations: Rate,
    },
    /// Units of an edition with a daily message quota, Azure IoT Hub style: the bill is the
    /// cheapest (edition, units) whose quota covers the peak day.
    UnitQuota {
        /// The editions on offer; the cheapest one whose quota covers the peak day is billed.
        editions: Vec<Edition>,
    },
    /// A broker on rented VMs, with the operations labour it needs.
    SelfHosted {
        /// Price per VM-hour (a VM-month is billed as 730.5 hours).
        vm_hour: Rate,
        /// Sustained messages per second one VM handles; with the peak rate it sizes the cluster.
        vm_messages_per_s: f64,
        /// Device connections one VM holds; with the fleet size it sizes the cluster.
        vm_connections: u64,
        /// Fewest VMs the cluster runs (default 2, for availability).
        min_vms: u64,
        /// Operations labour, engineer-hours per month (default 0).
        ops_hours_per_month: f64,
        /// Price per operations engineer-hour.
        ops_hour: Rate,
    },
}

/// A cloud IoT platform a scenario can select (`[platform.<name>]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    /// Key of the platform in the book (`aws-iot-core`), as a scenario's `cost.platform` names it.
    pub name: String,
    /// Human-readable name for reports (defaults to `name`).
    pub title: String,
    /// How the platform meters and charges.
    pub kind: PlatformKind,
    /// Service quotas (publishes and new connections per second, account-wide), for the verdict.
    pub publishes_per_s_quota: Option<f64>,
    /// Account-wide quota of new connections per second, where the book gives one.
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
    /// Billing increment in bytes (`billing_increment_bytes`, default 1): billed bytes round up
    /// to a multiple of it.
    pub increment_bytes: u64,
    /// When billed bytes are rounded up to the increment (`rounding`, default per month).
    pub rounding: Rounding,
}

/// How a connectivity plan charges for devices and their data.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnectivityKind {
    /// No per-device connectivity charge (wired, Wi-Fi, private network).
    None,
    /// One plan per SIM: a monthly fee and graduated per-MB data bands per SIM-month.
    PerDevice {
        /// One-time price per SIM (default 0).
        sim: Rate,
        /// Price per SIM-month.
        monthly_fee: Rate,
        /// Graduated bands of the price per MB (10^6 bytes) in a SIM-month; `up_to` in MB.
        data_per_mb: Vec<Band>,
        /// Per-message overhead and billing increment.
        metering: Metering,
    },
    /// A fee per SIM with data pooled across the fleet; overage per MB above the pool.
    Pooled {
        /// One-time price per SIM (default 0).
        sim: Rate,
        /// Price per SIM-month.
        monthly_fee: Rate,
        /// MB (10^6 bytes) each SIM adds to the fleet's monthly pool.
        pool_mb_per_sim: u64,
        /// Price per MB the fleet uses above the pool in a month.
        overage_per_mb: Rate,
        /// Per-message overhead and billing increment.
        metering: Metering,
    },
    /// A one-time price per SIM for a term of years with a data allowance; top-ups per MB.
    Lifetime {
        /// Price per SIM for one term, paid up front and again at each renewal.
        sim: Rate,
        /// Length of a term in years (0.1..50).
        term_years: f64,
        /// Data allowance per SIM per term in MB (10^6 bytes), spread evenly over its months.
        data_mb: u64,
        /// Price per MB used above the monthly share of the allowance.
        topup_per_mb: Rate,
        /// Per-message overhead and billing increment.
        metering: Metering,
    },
    /// A LoRaWAN network server: a per-device monthly fee by fleet size, and gateway backhaul.
    Lorawan {
        /// Price per device-month, by volume tier on the fleet size.
        device_month: Vec<VolumeTier>,
        /// Backhaul price per gateway-month (default 0).
        gateway_month: Rate,
    },
}

/// A connectivity plan a scenario can select (`[connectivity.<name>]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Connectivity {
    /// Key of the plan in the book (`telnyx-per-sim`), as `cost.connectivity` names it.
    pub name: String,
    /// Human-readable name for reports (defaults to `name`).
    pub title: String,
    /// How the plan charges.
    pub kind: ConnectivityKind,
}

/// A time-series storage service a scenario can select (`[storage.<name>]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    /// Key of the service in the book (`timestream`), as a scenario's `cost.storage` names it.
    pub name: String,
    /// Human-readable name for reports (defaults to `name`).
    pub title: String,
    /// Price per metered write.
    pub writes: Rate,
    /// Write metering size in bytes (default 1024): a record counts as ceil(record_bytes / this).
    pub write_meter_bytes: u64,
    /// Price per GB (10^9 bytes) stored per month.
    pub gb_month: Rate,
    /// Stored bytes per message (time stamp, dimensions, measures).
    pub record_bytes: u64,
}

/// A hardware item (device, gateway, battery) priced by all-units volume tiers
/// (`[hardware.<name>]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Hardware {
    /// Key of the item in the book (`lte-m-tracker`), as a scenario's cost plan names it.
    pub name: String,
    /// Human-readable name for reports (defaults to `name`).
    pub title: String,
    /// Volume tiers, strictly ascending in `from`; the first starts at 1.
    pub tiers: Vec<VolumeTier>,
}

/// Field labour prices (`[labour]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Labour {
    /// Price per technician-hour.
    pub technician_hour: Rate,
    /// Technician minutes to install one device.
    pub install_minutes_per_device: f64,
    /// Price per gateway installed.
    pub gateway_install: Rate,
    /// Price per field dispatch (truck roll), direct costs.
    pub truck_roll: Rate,
    /// Share of dispatches that find no fault and must be repeated, percent.
    pub no_fault_found_pct: f64,
    /// Technician minutes on site to swap one battery (default 15).
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
    /// Dotted path of the price in the book (`labour.truck_roll`), as `[cost.prices]` names it.
    pub path: String,
    /// The price as shown in reports, with what it is per (`350.00 per dispatch`).
    pub price: String,
    /// Where the price comes from, or `override in <file>` for a price a scenario overrides.
    pub source: String,
    /// Date the price was read (ISO 8601, `YYYY-MM-DD`).
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

/// A parsed price book: the items a scenario's cost plan selects from, with their prices.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceBook {
    /// Book identifier (`iot-2026-11`).
    pub id: String,
    /// Human-readable title (defaults to `id`).
    pub title: String,
    /// Currency code of every price (`USD`); [`Money`] amounts are millionths of it.
    pub currency: String,
    /// The date the book's prices were collected (ISO 8601).
    pub date: String,
    /// Cloud platforms (`[platform.*]`).
    pub platforms: Vec<Platform>,
    /// Connectivity plans (`[connectivity.*]`).
    pub connectivity: Vec<Connectivity>,
    /// Time-series storage services (`[storage.*]`).
    pub storage: Vec<Storage>,
    /// Hardware items (`[hardware.*]`).
    pub hardware: Vec<Hardware>,
    /// Field labour prices (`[labour]`).
    pub labour: Labour,
    /// Identity prices (`[identity]`; optional: a book without them prices no enrolment or
    /// certificates).
    pub identity: Option<IdentityPrices>,
    /// Price per GB (10^9 bytes) of data egress (`[egress] per_gb`).
    pub egress_per_gb: Rate,
    /// Every price with its source and date, in file order.
    pub lines: Vec<PriceLine>,
}

impl PriceBook {
    /// The platform named `name`, if the book has one.
    pub fn platform(&self, name: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.name == name)
    }
    /// The connectivity plan named `name`, if the book has one.
    pub fn connectivity(&self, name: &str) -> Option<&Connectivity> {
        self.connectivity.iter().find(|p| p.name == name)
    }
    /// The storage service named `name`, if the book has one.
    pub fn storage(&self, name: &str) -> Option<&Storage> {
        self.storage.iter().find(|p| p.name == name)
    }
    /// The hardware item named `name`, if the book has one.
    pub fn hardware(&self, name: &str) -> Option<&Hardware> {
        self.hardware.iter().find(|p| p.name == name)
    }
    /// How many of the book's prices are assumptions (`[E]`), and how many prices it has.
    pub fn assumption_count(&self) -> (usize, usize) {
        (self.lines.iter().filter(|l| l.assumption).count(), self.lines.len())
    }
}
