//! The JSON Schema of price books (`scaleproof schema pricebook`,
//! `schemas/pricebook.schema.json`), for editors. Tests check it against the reader as the
//! scenario's is (`tests/schema.rs`).

use serde_json::{Value, json};

use crate::scenario::schema::{DIALECT, Doc, choice, int, num, obj, text};

/// A date as price books write them (`2026-11-01`).
const DATE_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

fn date(desc: &str) -> Value {
    json!({ "type": "string", "pattern": DATE_PATTERN, "description": desc, "examples": ["2026-11-01"] })
}

/// `source`, `url` and `as_of`, which a section gives its prices and a price may override.
fn provenance(desc: &str) -> [(&'static str, Value); 3] {
    [
        ("source", text(&format!("where {desc} come from: a document, a quote, or [E] for an assumption"))),
        (
            "url",
            json!({
                "type": "string",
                "pattern": "^https?://[^/\\s][^\\s]*$",
                "description": format!("the public page of the source of {desc} (goes with `source`: a price that names its own source does not take its section's url)"),
                "examples": ["https://telnyx.com/pricing/iot-data-plans"],
            }),
        ),
        ("as_of", date(&format!("the date {desc} were read"))),
    ]
}

/// An amount of money: a number or its decimal text (at most six decimals).
fn amount() -> Value {
    json!({ "oneOf": [
        { "type": "number", "minimum": 0 },
        { "type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,6})?$" },
    ] })
}

/// A price: an amount, or a table with the amount, the units it is per and its provenance.
fn price(desc: &str) -> Value {
    let mut table = obj(
        json!({
            "price": amount(),
            "per": int("the units the price is for", 1, u64::MAX).default(1).examples(json!([1_000_000])),
        }),
        &["price"],
    );
    for (k, v) in provenance("this price") {
        table["properties"][k] = v;
    }
    json!({
        "description": format!("{desc}: a number, or {{ price = 0.08, per = 1_000_000, source = \"...\", as_of = \"YYYY-MM-DD\" }}"),
        "oneOf": [amount()["oneOf"][0].clone(), amount()["oneOf"][1].clone(), table],
    })
}

/// An object of `props` plus the section's `source` and `as_of`.
fn section(mut props: Value, required: &[&str]) -> Value {
    for (k, v) in provenance("the prices of this section") {
        props[k] = v;
    }
    obj(props, required)
}

/// Graduated bands: every band but the last has its upper bound `up_to`.
fn bands(desc: &str, up_to: &str) -> Value {
    let mut band = obj(
        json!({
            up_to: int("the band ends after this many units (cumulative; omit on the last band)", 1, u64::MAX / 1_000_000),
            "price": amount(),
            "per": int("the units the price is for", 1, u64::MAX).default(1),
        }),
        &["price"],
    );
    for (k, v) in provenance("this band's price") {
        band["properties"][k] = v;
    }
    json!({ "type": "array", "minItems": 1, "items": band, "description": desc })
}

/// All-units volume tiers from 1 unit up.
fn tiers(desc: &str) -> Value {
    let mut tier = obj(
        json!({
            "from": int("the tier applies to orders of at least this many units (the first tier: 1)", 1, u64::MAX),
            "price": amount(),
        }),
        &["from", "price"],
    );
    for (k, v) in provenance("this tier's price") {
        tier["properties"][k] = v;
    }
    json!({ "type": "array", "minItems": 1, "items": tier, "description": desc })
}

/// The schema as a JSON value.
pub fn pricebook_schema() -> Value {
    let platform = section(
        json!({
            "title": text("shown in reports (default: the name)"),
            "kind": choice("how the platform meters", &["metered", "unit-quota", "self-hosted"]),
            "publishes_per_s_quota": num("account-wide publishes per second (for the verdict)", 0.0, 1e12),
            "connects_per_s_quota": num("account-wide new connections per second (for the verdict)", 0.0, 1e12),
            "connection_minutes": price("metered: per connection-minute"),
            "message_meter_bytes": int("metered: messages are billed in units of this many bytes", 1, 1 << 30).examples(json!([5120])),
            "messages": bands("metered: graduated price per message, by monthly volume", "up_to"),
            "rules": price("metered: per rule triggered").default(0),
            "actions": price("metered: per action").default(0),
            "shadow_ops": price("metered: per shadow/registry operation").default(0),
            "shadow_meter_bytes": int("metered: shadow operations are billed in units of this many bytes", 1, 1 << 30).default(1024),
            "registrations": price("metered: per thing registered").default(0),
            "editions": { "type": "array", "minItems": 1, "description": "unit-quota: the editions; the bill is the cheapest that covers the peak day", "items": obj(json!({
                "name": text("edition name").examples(json!(["S1"])),
                "unit_month": price("per unit-month"),
                "messages_per_day_per_unit": int("daily message quota of one unit", 1, u64::MAX),
                "meter_bytes": int("messages are counted in chunks of this many bytes", 1, 1 << 30),
                "max_units": int("units one hub may have", 1, 1_000_000).default(1),
            }), &["name", "unit_month", "messages_per_day_per_unit", "meter_bytes"]) },
            "vm_hour": price("self-hosted: per VM-hour"),
            "vm_messages_per_s": num("self-hosted: messages per second one VM sustains", 0.001, 1e9),
            "vm_connections": int("self-hosted: connections one VM holds", 1, u64::MAX),
            "min_vms": int("self-hosted: VMs at least (availability)", 1, 10_000).default(2),
            "ops_hours_per_month": num("self-hosted: operations hours per month", 0.0, 10_000.0).default(0.0),
            "ops_hour": price("self-hosted: per operations engineer-hour"),
        }),
        &["kind"],
    );
    let connectivity = section(
        json!({
            "title": text("shown in reports (default: the name)"),
            "kind": choice("how connectivity is charged", &["none", "per-device", "pooled", "lifetime", "lorawan"]),
            "sim": price("per SIM, once (lifetime: per SIM per term)").default(0),
            "monthly_fee": price("per-device, pooled: per SIM-month"),
            "data_per_mb": bands("per-device: graduated price per MB per SIM-month", "up_to_mb"),
            "pool_mb_per_sim": int("pooled: MB each SIM adds to the pool", 0, u64::MAX),
            "overage_per_mb": price("pooled: per MB above the pool"),
            "term_years": num("lifetime: years a SIM's price covers", 0.1, 50.0),
            "data_mb": int("lifetime: MB a SIM may use in its term", 0, u64::MAX),
            "topup_per_mb": price("lifetime: per MB above the allowance"),
            "overhead_bytes": int("cellular: bytes per transmission on top of the payload", 0, 1 << 20).default(0),
            "billing_increment_bytes": int("cellular: billed bytes are rounded up to this", 1, 1 << 30).default(1),
            "rounding": choice("cellular: round each session, or each SIM's month", &["session", "month"]).default("month"),
            "device_month": tiers("lorawan: per device-month, by fleet size"),
            "gateway_month": price("lorawan: per gateway-month (backhaul)").default(0),
        }),
        &["kind"],
    );
    let storage = section(
        json!({
            "title": text("shown in reports (default: the name)"),
            "writes": price("per metered write"),
            "write_meter_bytes": int("writes are metered in units of this many bytes", 1, 1 << 30).default(1024),
            "gb_month": price("per GB-month stored"),
            "record_bytes": int("bytes stored per message", 1, 1 << 30),
        }),
        &["writes", "gb_month", "record_bytes"],
    );
    let hardware = section(
        json!({
            "title": text("shown in reports (default: the name)"),
            "tiers": tiers("price per unit by order size"),
        }),
        &["tiers"],
    );
    let mut root = obj(
        json!({
            "schema": { "const": 1, "description": "the price book format version" },
            "book": obj(json!({
                "id": text("what scenarios name in scenario.price_book").examples(json!(["iot-2026-11"])),
                "title": text("shown in reports (default: the id)"),
                "currency": text("the currency of every price").examples(json!(["USD"])),
                "date": date("the date the prices were collected"),
            }), &["id", "currency", "date"]),
            "platform": { "type": "object", "additionalProperties": platform, "description": "IoT platforms by name" },
            "connectivity": { "type": "object", "additionalProperties": connectivity, "description": "connectivity plans by name" },
            "storage": { "type": "object", "additionalProperties": storage, "description": "time-series stores by name" },
            "hardware": { "type": "object", "additionalProperties": hardware, "description": "hardware items by name" },
            "labour": section(json!({
                "technician_hour": price("per technician-hour"),
                "install_minutes_per_device": num("technician minutes to install a device", 0.0, 10_000.0),
                "gateway_install": price("per gateway installed"),
                "truck_roll": price("per dispatch"),
                "no_fault_found_pct": num("dispatches that find no fault and are repeated, percent", 0.0, 100.0).default(0.0),
                "battery_swap_minutes": num("technician minutes per battery swap", 0.0, 10_000.0).default(15.0),
            }), &["technician_hour", "install_minutes_per_device", "gateway_install", "truck_roll"]),
            "identity": section(json!({
                "zero_touch_per_device": price("per device enrolled zero-touch"),
                "certificate": price("per certificate issued"),
            }), &["zero_touch_per_device", "certificate"]),
            "egress": section(json!({
                "per_gb": price("per GB out"),
            }), &["per_gb"]),
        }),
        &["schema", "book", "labour", "egress"],
    );
    root["$schema"] = json!(DIALECT);
    root["title"] = json!("Scaleproof price book (schema 1)");
    root
}
