//! The JSON Schema of scenario files (`scaleproof schema scenario`, `schemas/scenario.schema.json`)
//! for editors (completion, hover docs with defaults and examples, checks as you type), and the
//! pieces the price book's schema shares. Tests check that every key the reader accepts is
//! described here, that every default is the reader's, and that the bundled files validate.

use serde_json::{Value, json};

/// The JSON Schema dialect of both schemas (draft 7: what Taplo, and so VS Code's Even Better
/// TOML, validates with).
pub(crate) const DIALECT: &str = "http://json-schema.org/draft-07/schema#";

pub(crate) fn obj(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "additionalProperties": false, "properties": props, "required": required })
}

/// A duration as [`crate::time::parse_duration`] reads it: `<number><unit>` terms, optionally
/// separated by spaces, then an optional `HH:MM[:SS]`.
pub(crate) const DURATION_PATTERN: &str = concat!(
    "^[ \\t]*(?:(?:[0-9][0-9_]*(?:\\.[0-9_]*)?|\\.[0-9][0-9_]*)(?:us|µs|ms|sec|s|min|m|h|d|w|y)[ \\t]*)+",
    "(?:[0-9]+:[0-9]+(?::[0-9]+)?)?[ \\t]*$",
    "|^[ \\t]*[0-9]+:[0-9]+(?::[0-9]+)?[ \\t]*$"
);

pub(crate) fn duration(desc: &str) -> Value {
    json!({
        "type": "string",
        "pattern": DURATION_PATTERN,
        "description": format!("{desc} (a duration: \"30s\", \"5min\", \"2h\", \"1d12h\"; units {})", crate::time::DURATION_UNITS),
    })
}

pub(crate) fn num(desc: &str, min: f64, max: f64) -> Value {
    json!({ "type": "number", "minimum": min, "maximum": max, "description": desc })
}

pub(crate) fn int(desc: &str, min: u64, max: u64) -> Value {
    json!({ "type": "integer", "minimum": min, "maximum": max, "description": desc })
}

fn prob(desc: &str) -> Value {
    num(desc, 0.0, 1.0)
}

pub(crate) fn choice(desc: &str, allowed: &[&str]) -> Value {
    json!({ "type": "string", "enum": allowed, "description": desc })
}

pub(crate) fn text(desc: &str) -> Value {
    json!({ "type": "string", "description": desc })
}

/// `default` and `examples` on a schema node (shown by editors on hover and offered on
/// completion).
pub(crate) trait Doc {
    /// The value the reader takes when the key is absent.
    fn default(self, v: impl Into<Value>) -> Value;
    fn examples(self, v: Value) -> Value;
}

impl Doc for Value {
    fn default(mut self, v: impl Into<Value>) -> Value {
        self["default"] = v.into();
        self
    }
    fn examples(mut self, v: Value) -> Value {
        self["examples"] = v;
        self
    }
}

/// One outage process of a network profile.
fn outage() -> Value {
    obj(
        json!({
            "scope": choice("who shares an outage", &["device", "gateway", "site"]),
            "mean_up": duration("mean time between outages (exponential)").examples(json!(["3d", "30d"])),
            "mean_down": duration("mean outage duration").examples(json!(["2h", "15min"])),
            "down_distribution": choice("outage duration distribution", &["exponential", "lognormal"]).default("exponential"),
            "sigma_ln": num("lognormal: log-space standard deviation of outage durations", 0.01, 4.0).examples(json!([1.5])),
        }),
        &["scope", "mean_up", "mean_down"],
    )
}

/// The schema as a JSON value.
pub fn scenario_schema() -> Value {
    let network = obj(
        json!({
            "loss": obj(json!({
                "model": choice("loss model", &["gilbert-elliott", "none"]),
                "p_good_to_bad": prob("P(good -> bad) per tick").examples(json!([0.001])),
                "p_bad_to_good": prob("P(bad -> good) per tick").examples(json!([0.5])),
                "loss_good": prob("loss probability of an attempt in the good state").default(0.0),
                "loss_bad": prob("loss probability of an attempt in the bad state").default(1.0),
            }), &["model"]).examples(json!([{ "model": "gilbert-elliott", "p_good_to_bad": 0.001, "p_bad_to_good": 0.5 }])),
            "latency": obj(json!({
                "model": choice("latency model", &["lognormal", "fixed", "none"]),
                "median": duration("lognormal: median one-way latency").examples(json!(["400ms"])),
                "p99": duration("lognormal: 99th percentile latency").examples(json!(["6200ms"])),
                "value": duration("fixed: the latency").examples(json!(["50ms"])),
            }), &["model"]).examples(json!([{ "model": "lognormal", "median": "400ms", "p99": "6200ms" }])),
            "outages": { "description": "one outage process or an array of them (at most one with scope device)", "oneOf": [outage(), { "type": "array", "items": outage() }] },
            "delivery": obj(json!({
                "mode": choice("acked: failed messages stay buffered and are retried; unacked: sent once", &["acked", "unacked"]).default("acked"),
                "attempts": int("attempts per message per tick", 1, 20).default(1),
                "backoff_base": duration("backoff base (full jitter)").default("1s"),
                "backoff_cap": duration("backoff cap").default("300s"),
            }), &[]),
            "lora": obj(json!({
                "spreading_factor": int("LoRa spreading factor", 7, 12).examples(json!([7, 9, 12])),
                "bandwidth_khz": { "enum": [125, 250, 500], "description": "bandwidth, kHz", "default": 125 },
                "coding_rate": int("1..4 for 4/5..4/8", 1, 4).default(1),
                "channels": int("uplink channels (frames pick one at random)", 1, 64).default(3),
                "duty_cycle_pct": num("regional duty-cycle limit, percent", 0.001, 100.0).default(1.0),
                "overhead_bytes": int("LoRaWAN MAC overhead added to the payload", 0, 64).default(13),
                "preamble_symbols": int("preamble symbols", 6, 65535).default(8),
            }), &["spreading_factor"]),
            "tx_ms": num("radio-on time per transmission attempt, ms", 0.0, 600000.0).default(100.0),
            "rx_ms": num("receive window per attempt, ms", 0.0, 600000.0).default(0.0),
            "throughput_kbps": num("bulk transfer rate for firmware images and TLS handshakes, kbit/s (LoRa: from the airtime)", 0.001, 1e7).default(100.0),
        }),
        &[],
    );
    let power = obj(
        json!({
            "kind": choice("power source", &["battery", "mains"]),
            "capacity_mah": num("battery: capacity, mAh", 1.0, 1e7).examples(json!([19000, 3000])),
            "initial_charge_pct": { "description": "battery: initial charge, percent, or [min, max] drawn uniformly", "default": 100, "examples": [[95, 100]], "oneOf": [ { "type": "number", "minimum": 0, "maximum": 100 }, { "type": "array", "items": { "type": "number", "minimum": 0, "maximum": 100 }, "minItems": 2, "maxItems": 2 } ] },
            "self_discharge_pct_per_year": num("battery: self-discharge, percent of capacity per year", 0.0, 100.0).default(1.0),
            "low_battery_pct": num("battery: below this charge, brownout reboots become likely", 0.0, 100.0).default(0.0),
            "low_battery_reboots_per_day": num("battery: brownout reboots per day on a low battery", 0.0, 100000.0).default(0.0),
            "outages_per_year": num("mains: interruptions per year at a site (SAIFI)", 0.0, 1000.0).default(0.0),
            "mean_outage": duration("mains: mean interruption (CAIDI)").default("2h"),
            "outage_sigma_ln": num("mains: log-space standard deviation of interruption durations", 0.0, 4.0).default(1.2),
            "sags_per_year": num("mains: momentary sags per year at a site", 0.0, 100000.0).default(0.0),
            "reset_probability": prob("mains: probability that a sag resets a device").default(0.3),
            "currents_ma": obj(json!({
                "sleep": num("sleep current, mA", 0.0, 1e5).default(0.0),
                "sample": num("sampling current, mA", 0.0, 1e5).default(0.0),
                "tx": num("transmit current, mA", 0.0, 1e5).default(0.0),
                "rx": num("receive current, mA", 0.0, 1e5).default(0.0),
            }), &[]).examples(json!([{ "sleep": 0.0027, "sample": 2.0, "tx": 110.0 }])),
            "sample_ms": num("time spent sampling per tick, ms", 0.0, 3600000.0).default(0.0),
        }),
        &["kind"],
    );
    let class = obj(
        json!({
            "count": int("devices in this class", 1, super::MAX_DEVICES).examples(json!([20, 20000])),
            "sites": { "type": "array", "items": { "type": "string" }, "minItems": 1, "description": "site ids; devices are spread round-robin", "examples": [["north-shaft", "south-ramp"]] },
            "network": text("name of a [network.NAME] profile"),
            "power": text("name of a [power.NAME] profile"),
            "telemetry": obj(json!({
                "period": duration("time between samples").examples(json!(["2min", "15min", "1h"])),
                "jitter": duration("each tick moves by U(-jitter, +jitter)").default("0s"),
                "payload_bytes": int("application payload, bytes", 1, 1000000).default(50),
            }), &["period"]),
            "buffer": obj(json!({
                "capacity": int("messages held, the newest included (1 = no store-and-forward; the default without [buffer])", 1, 100000000).examples(json!([500])),
                "policy": choice("which message is dropped when full", &["drop-oldest", "drop-newest"]).default("drop-oldest"),
                "storage": choice("ram is lost on reboot; flash survives", &["ram", "flash"]).default("ram"),
                "flush_per_tick": int("messages sent per tick at most (1 without [buffer])", 1, 100000).default(20),
            }), &["capacity"]),
            "reboots_per_day": num("firmware crashes per device-day", 0.0, 100000.0).default(0.0).examples(json!([0.01])),
            "afr_pct": num("hardware annual failure rate, percent", 0.0, 100.0).default(0.0).examples(json!([2])),
        }),
        &["count", "sites", "network", "power", "telemetry"],
    );
    let event = obj(
        json!({
            "at": duration("when, from the start of the run").examples(json!(["12d 10:00", "30d"])),
            "kind": choice("what happens", &["site-outage", "gateway-outage", "power-outage", "brownout", "firmware-update", "credential-compromise"]),
            "site": text("site id (not for firmware-update and credential-compromise)"),
            "gateway": int("gateway-outage: gateway number at the site, from 0", 0, 9999),
            "duration": duration("outages: how long").examples(json!(["18h"])),
            "reset_probability": prob("brownout: probability that a mains device resets").default(0.3),
            "caption": text("shown in reports and the fleet view"),
            "image_kb": num("firmware-update: image size, KiB", 0.001, 1e7).examples(json!([512])),
            "canary_pct": num("firmware-update: first wave, percent of the fleet", 0.0, 100.0).default(1.0),
            "canary_min": int("firmware-update: first wave at least this many devices", 0, 10_000_000).default(25),
            "waves_pct": { "type": "array", "items": { "type": "number", "minimum": 0, "maximum": 100 }, "description": "firmware-update: cumulative percent of the fleet after each later wave", "default": [10.0, 50.0, 100.0] },
            "wait": duration("firmware-update: soak between waves").default("1d"),
            "devices_per_minute": num("firmware-update: devices started per minute within a wave", 0.001, 1e9).default(100.0),
            "success_threshold_pct": num("firmware-update: a wave must succeed on this share for the next to start", 0.0, 100.0).default(90.0),
            "error_threshold_pct": num("firmware-update: an error share above this aborts later waves", 0.0, 100.0).default(5.0),
            "boot_failure_pct": num("firmware-update: this release's boot/health failure share (default: [firmware] boot_failure_pct)", 0.0, 100.0),
        }),
        &["at", "kind"],
    );
    let mut root = obj(
        json!({
            "schema": { "const": 1, "description": "the scenario format version" },
            "scenario": obj(json!({
                "name": text("shown in reports").examples(json!(["Mine A - pilot"])),
                "description": text("what the scenario shows"),
                "seed": int("random seed", 0, u64::MAX).default(0),
                "duration": duration("simulated time").examples(json!(["30d", "90d", "1y"])),
                "start": { "type": "string", "format": "date-time", "description": "calendar time of simulated time 0, RFC 3339 (default 2026-01-01T00:00:00Z, an assumption); exports stamp hours with it", "default": "2026-01-01T00:00:00Z", "examples": ["2026-03-01T00:00:00Z"] },
                "horizon_years": num("TCO horizon, years", 0.1, 50.0).default(5.0),
                "price_book": text("id of a price book in pricebooks/ (needs [cost])").examples(json!(["iot-2026-11"])),
            }), &["name", "duration"]),
            "site": { "type": "array", "minItems": 1, "items": obj(json!({
                "id": text("referenced by fleet classes and events").examples(json!(["north-shaft"])),
                "position": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2, "description": "[latitude, longitude] in degrees", "examples": [[-26.2041, 28.0473]] },
                "gateways": int("gateways or cells at the site", 1, 10000).default(1),
            }), &["id"]) },
            "network": { "type": "object", "additionalProperties": network, "minProperties": 1, "description": "network profiles by name" },
            "power": { "type": "object", "additionalProperties": power, "minProperties": 1, "description": "power profiles by name" },
            "fleet": { "type": "object", "additionalProperties": class, "minProperties": 1, "description": "device classes by name" },
            "backend": obj(json!({
                "connects_per_s": num("broker limit on new connections per second (default: none)", 0.001, 1e9).examples(json!([100])),
                "publishes_per_s": num("broker limit on publishes per second (default: none)", 0.001, 1e9),
                "reconnect_window": duration("devices reconnect spread over this window after a shared outage").default("30s"),
            }), &[]),
            "maintenance": obj(json!({
                "enabled": { "type": "boolean", "description": "truck rolls repair dead and failed devices (without [maintenance]: false)", "default": true },
                "detection_delay": duration("time until a silent device is noticed").default("1d"),
                "truck_roll_response": duration("time until a technician is on site").default("2d"),
            }), &[]),
            "event": { "type": "array", "items": event },
            "cost": obj(json!({
                "platform": text("a [platform.NAME] of the price book").examples(json!(["aws-iot-core"])),
                "connectivity": text("a [connectivity.NAME] of the price book").examples(json!(["telnyx-per-sim"])),
                "storage": text("a [storage.NAME] of the price book").examples(json!(["timestream"])),
                "retention": duration("how long telemetry is kept in the time-series store").default("365d"),
                "device_hardware": { "type": "object", "additionalProperties": { "type": "string" }, "description": "device class -> price-book hardware item", "examples": [{ "vibration": "lte-m-vibration-sensor" }] },
                "gateway_hardware": text("price-book hardware item of each gateway"),
                "battery_hardware": { "type": "object", "additionalProperties": { "type": "string" }, "description": "battery power profile -> replacement cell item" },
                "discount_rate_pct": num("yearly discount rate for the TCO", 0.0, 100.0).default(0.0),
                "egress_share": num("share of stored bytes read out each month", 0.0, 100.0).default(0.0),
                "shadow_ops_per_device_day": num("device shadow/registry operations per device-day", 0.0, 1e6).default(0.0),
                "rules_per_message": num("rules triggered per message", 0.0, 1e3).default(1.0),
                "actions_per_rule": num("actions per rule triggered", 0.0, 1e3).default(1.0),
                "peak_to_mean": num("peak over mean message rate (self-hosted sizing)", 1.0, 1e4).default(3.0),
                "battery_swaps_per_visit": int("battery swaps per technician visit", 1, 1_000_000).default(20),
                "alternatives": obj(json!({
                    "platform": { "type": "array", "items": { "type": "string" }, "default": [] },
                    "connectivity": { "type": "array", "items": { "type": "string" }, "default": [] },
                }), &[]),
                "prices": { "type": "object", "additionalProperties": { "type": "number" }, "description": "price-book path -> price override", "examples": [{ "platform.aws-iot-core.connection_minutes": 0.09 }] },
            }), &["platform", "connectivity"]),
            "targets": obj(json!({
                "delivery_ratio": prob("share of generated messages that must be delivered").examples(json!([0.995])),
                "p99_latency": duration("99th percentile latency of delivered messages").examples(json!(["30s"])),
                "battery_life": duration("projected battery life").examples(json!(["3y"])),
                "tco_per_device_year": num("TCO per device per year, price-book currency", 0.0, 1e9),
                "max_devices_offline_pct": num("devices offline at the end of the run, percent", 0.0, 100.0),
            }), &[]),
            "operations": { "not": {}, "description": "removed: replaced by [provisioning], [firmware] and [identity]" },
            "view": obj(json!({
                "background": text("a site plan (PNG) drawn behind the fleet view's map, relative to this file or to assets/").examples(json!(["mine-a-plan.png"])),
                "background_corners": { "type": "array", "minItems": 2, "maxItems": 2, "items": { "type": "array", "minItems": 2, "maxItems": 2, "items": { "type": "number" } }, "description": "the image's north-west and south-east corners, [latitude, longitude] in degrees (default: stretched over the map)", "examples": [[[-26.2000, 28.0430], [-26.2150, 28.0590]]] },
            }), &["background"]),
            "provisioning": obj(json!({
                "installs_per_week": num("devices installed per week, in order (0: all at the start)", 0.0, 1e9).default(0.0),
                "onboarding": choice("how devices are onboarded", &["manual", "zero-touch"]),
                "run_starts": choice("after-rollout: the run is the steady state; at-first-install: devices start as they come online", &["after-rollout", "at-first-install"]).default("after-rollout"),
                "minutes_per_device": num("manual: technician minutes per device", 0.0, 10000.0).default(20.0),
                "error_rate_pct": num("manual: devices set up wrongly and redone the next day, percent", 0.0, 100.0).default(2.0),
                "registry_per_s": num("zero-touch: enrolments the registry accepts per second", 0.001, 1e6).default(10.0),
                "failure_rate_pct": num("zero-touch: enrolment attempts that fail, percent", 0.0, 100.0).default(1.0),
                "retry_after": duration("zero-touch: wait before a failed enrolment is retried").default("5min"),
                "max_attempts": int("zero-touch: attempts before the device needs a visit", 1, 1000).default(5),
            }), &["onboarding"]),
            "firmware": obj(json!({
                "update": choice("how firmware is updated", &["none", "single-slot", "a-b"]),
                "resume": { "type": "boolean", "description": "a lost chunk is resent instead of restarting the image", "default": true },
                "chunk_bytes": int("download chunk, bytes", 16, 1 << 24).default(1024),
                "attempts": int("download attempts (no resume) or sends per chunk (resume)", 1, 1000).default(5),
                "power_loss_during_write_pct": num("power loss or reset while the image is written, percent", 0.0, 100.0).default(0.5),
                "boot_failure_pct": num("a good release fails to boot or its health check, percent", 0.0, 100.0).default(0.3),
                "ab_brick_pct": num("A/B: bootloader or partition corruption, percent", 0.0, 100.0).default(0.001),
                "campaigns_per_year": num("campaigns a year for the business case (default: as in the run)", 0.0, 365.0),
            }), &["update"]),
            "identity": obj(json!({
                "credentials": choice("device identity", &["shared", "per-device"]),
                "certificate_lifetime": duration("certificate lifetime (absent: credentials do not expire)").examples(json!(["1y"])),
                "rotation": { "type": "boolean", "description": "certificates are renewed before expiry", "default": false },
                "renew_before": duration("renewal starts this long before expiry").default("30d"),
                "retry_every": duration("a failed renewal is retried this often").default("1d"),
                "renewal_failure_pct": num("renewal attempts that fail, percent", 0.0, 100.0).default(1.0),
                "handshake_bytes": int("bytes of a full TLS handshake", 0, 1 << 24).default(6000),
                "resumed_handshake_bytes": int("bytes of a resumed TLS session", 0, 1 << 24).default(500),
                "resumption_pct": num("reconnects that resume a session, percent", 0.0, 100.0).default(0.0),
                "sessions": choice("one TLS session kept open, or one per report", &["persistent", "per-report"]).default("persistent"),
                "compromise_response": duration("time from a leak until re-provisioning starts").default("1d"),
            }), &["credentials"]),
        }),
        &["schema", "scenario", "site", "network", "power", "fleet"],
    );
    root["$schema"] = json!(DIALECT);
    root["title"] = json!("Scaleproof scenario (schema 1)");
    root
}
