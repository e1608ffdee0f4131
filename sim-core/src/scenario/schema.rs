//! The JSON Schema of scenario files (`scaleproof schema scenario`), for editor completion.
//! A test checks that every key the reader accepts is described here.

use serde_json::{Value, json};

fn obj(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "additionalProperties": false, "properties": props, "required": required })
}

fn duration(desc: &str) -> Value {
    json!({ "type": "string", "pattern": "^\\s*(\\d+(\\.\\d+)?\\s*(us|ms|s|sec|m|min|h|d|w|y)\\s*)+(\\d{1,2}:\\d{2}(:\\d{2})?)?\\s*$|^\\s*(\\d+(\\.\\d+)?\\s*(us|ms|s|sec|m|min|h|d|w|y)\\s*)*\\d{1,2}:\\d{2}(:\\d{2})?\\s*$", "description": desc })
}

fn num(desc: &str, min: f64, max: f64) -> Value {
    json!({ "type": "number", "minimum": min, "maximum": max, "description": desc })
}

fn int(desc: &str, min: u64, max: u64) -> Value {
    json!({ "type": "integer", "minimum": min, "maximum": max, "description": desc })
}

fn prob(desc: &str) -> Value {
    num(desc, 0.0, 1.0)
}

fn choice(desc: &str, allowed: &[&str]) -> Value {
    json!({ "type": "string", "enum": allowed, "description": desc })
}

/// The schema as a JSON value.
pub fn scenario_schema() -> Value {
    let network = obj(
        json!({
            "loss": obj(json!({
                "model": choice("loss model", &["gilbert-elliott", "none"]),
                "p_good_to_bad": prob("P(good -> bad) per tick"),
                "p_bad_to_good": prob("P(bad -> good) per tick"),
                "loss_good": prob("loss probability of an attempt in the good state (default 0)"),
                "loss_bad": prob("loss probability of an attempt in the bad state (default 1)"),
            }), &["model"]),
            "latency": obj(json!({
                "model": choice("latency model", &["lognormal", "fixed", "none"]),
                "median": duration("median one-way latency (lognormal)"),
                "p99": duration("99th percentile latency (lognormal)"),
                "value": duration("latency (fixed)"),
            }), &["model"]),
            "outages": { "description": "one outage process or an array of them (at most one with scope device)", "oneOf": [ obj(json!({
                "scope": choice("who shares an outage", &["device", "gateway", "site"]),
                "mean_up": duration("mean time between outages (exponential)"),
                "mean_down": duration("mean outage duration"),
                "down_distribution": choice("outage duration distribution", &["exponential", "lognormal"]),
                "sigma_ln": num("log-space standard deviation of lognormal outage durations", 0.01, 4.0),
            }), &["scope", "mean_up", "mean_down"]), { "type": "array", "items": obj(json!({
                "scope": choice("who shares an outage", &["device", "gateway", "site"]),
                "mean_up": duration("mean time between outages (exponential)"),
                "mean_down": duration("mean outage duration"),
                "down_distribution": choice("outage duration distribution", &["exponential", "lognormal"]),
                "sigma_ln": num("log-space standard deviation of lognormal outage durations", 0.01, 4.0),
            }), &["scope", "mean_up", "mean_down"]) } ] },
            "delivery": obj(json!({
                "mode": choice("acked: failed messages stay buffered and are retried; unacked: sent once", &["acked", "unacked"]),
                "attempts": int("attempts per message per tick", 1, 20),
                "backoff_base": duration("backoff base (full jitter)"),
                "backoff_cap": duration("backoff cap"),
            }), &[]),
            "lora": obj(json!({
                "spreading_factor": int("LoRa spreading factor", 7, 12),
                "bandwidth_khz": json!({ "enum": [125, 250, 500], "description": "bandwidth, kHz" }),
                "coding_rate": int("1..4 for 4/5..4/8", 1, 4),
                "channels": int("uplink channels (frames pick one at random)", 1, 64),
                "duty_cycle_pct": num("regional duty-cycle limit, percent", 0.001, 100.0),
                "overhead_bytes": int("LoRaWAN MAC overhead added to the payload", 0, 64),
                "preamble_symbols": int("preamble symbols", 6, 65535),
            }), &["spreading_factor"]),
            "tx_ms": num("radio-on time per transmission attempt, ms", 0.0, 600000.0),
            "rx_ms": num("receive window per attempt, ms", 0.0, 600000.0),
            "throughput_kbps": num("bulk transfer rate for firmware images and TLS handshakes, kbit/s (default 100; LoRa: from the airtime)", 0.001, 1e7),
        }),
        &[],
    );
    let power = obj(
        json!({
            "kind": choice("power source", &["battery", "mains"]),
            "capacity_mah": num("battery capacity, mAh", 1.0, 1e7),
            "initial_charge_pct": { "description": "initial charge, percent, or [min, max] drawn uniformly", "oneOf": [ { "type": "number" }, { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 } ] },
            "self_discharge_pct_per_year": num("self-discharge, percent of capacity per year", 0.0, 100.0),
            "low_battery_pct": num("below this charge, brownout reboots become likely", 0.0, 100.0),
            "low_battery_reboots_per_day": num("brownout reboots per day on a low battery", 0.0, 100000.0),
            "outages_per_year": num("mains interruptions per year at a site (SAIFI)", 0.0, 1000.0),
            "mean_outage": duration("mean mains interruption (CAIDI)"),
            "outage_sigma_ln": num("log-space standard deviation of interruption durations", 0.0, 4.0),
            "sags_per_year": num("momentary sags per year at a site", 0.0, 100000.0),
            "reset_probability": prob("probability that a sag resets a device"),
            "currents_ma": obj(json!({
                "sleep": num("sleep current, mA", 0.0, 1e5),
                "sample": num("sampling current, mA", 0.0, 1e5),
                "tx": num("transmit current, mA", 0.0, 1e5),
                "rx": num("receive current, mA", 0.0, 1e5),
            }), &[]),
            "sample_ms": num("time spent sampling per tick, ms", 0.0, 3600000.0),
        }),
        &["kind"],
    );
    let class = obj(
        json!({
            "count": int("devices in this class", 1, super::MAX_DEVICES),
            "sites": { "type": "array", "items": { "type": "string" }, "minItems": 1, "description": "site ids; devices are spread round-robin" },
            "network": { "type": "string", "description": "name of a [network.NAME] profile" },
            "power": { "type": "string", "description": "name of a [power.NAME] profile" },
            "telemetry": obj(json!({
                "period": duration("time between samples"),
                "jitter": duration("each tick moves by U(-jitter, +jitter)"),
                "payload_bytes": int("application payload, bytes", 1, 1000000),
            }), &["period"]),
            "buffer": obj(json!({
                "capacity": int("messages held, the newest included (1 = no store-and-forward)", 1, 100000000),
                "policy": choice("which message is dropped when full", &["drop-oldest", "drop-newest"]),
                "storage": choice("ram is lost on reboot; flash survives", &["ram", "flash"]),
                "flush_per_tick": int("messages sent per tick at most", 1, 100000),
            }), &["capacity"]),
            "reboots_per_day": num("firmware crashes per device-day", 0.0, 100000.0),
            "afr_pct": num("hardware annual failure rate, percent", 0.0, 100.0),
        }),
        &["count", "sites", "network", "power", "telemetry"],
    );
    let event = obj(
        json!({
            "at": duration("when, e.g. \"12d 10:00\""),
            "kind": choice("what happens", &["site-outage", "gateway-outage", "power-outage", "brownout", "firmware-update", "credential-compromise"]),
            "site": { "type": "string", "description": "site id" },
            "gateway": int("gateway number at the site, from 0", 0, 9999),
            "duration": duration("how long"),
            "reset_probability": prob("brownout: probability that a mains device resets"),
            "caption": { "type": "string", "description": "shown in reports and the fleet view" },
            "image_kb": num("firmware-update: image size, KiB", 0.001, 1e7),
            "canary_pct": num("firmware-update: first wave, percent of the fleet (default 1)", 0.0, 100.0),
            "canary_min": int("firmware-update: first wave at least this many devices (default 25)", 0, 10_000_000),
            "waves_pct": { "type": "array", "items": { "type": "number" }, "description": "firmware-update: cumulative percent of the fleet after each later wave (default [10, 50, 100])" },
            "wait": duration("firmware-update: soak between waves (default 1d)"),
            "devices_per_minute": num("firmware-update: devices started per minute within a wave (default 100)", 0.001, 1e9),
            "success_threshold_pct": num("firmware-update: a wave must succeed on this share for the next to start (default 90)", 0.0, 100.0),
            "error_threshold_pct": num("firmware-update: an error share above this aborts later waves (default 5)", 0.0, 100.0),
            "boot_failure_pct": num("firmware-update: this release's boot/health failure share (default: [firmware])", 0.0, 100.0),
        }),
        &["at", "kind"],
    );
    let mut root = obj(
        json!({
            "schema": { "const": 1 },
            "scenario": obj(json!({
                "name": { "type": "string" },
                "description": { "type": "string" },
                "seed": int("random seed", 0, u64::MAX),
                "duration": duration("simulated time"),
                "start": { "type": "string", "format": "date-time", "description": "calendar time of simulated time 0, RFC 3339 (default 2026-01-01T00:00:00Z, an assumption); exports stamp hours with it" },
                "horizon_years": num("TCO horizon, years", 0.1, 50.0),
                "price_book": { "type": "string" },
            }), &["name", "duration"]),
            "site": { "type": "array", "minItems": 1, "items": obj(json!({
                "id": { "type": "string" },
                "position": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2, "description": "[latitude, longitude]" },
                "gateways": int("gateways or cells at the site", 1, 10000),
            }), &["id"]) },
            "network": { "type": "object", "additionalProperties": network, "minProperties": 1 },
            "power": { "type": "object", "additionalProperties": power, "minProperties": 1 },
            "fleet": { "type": "object", "additionalProperties": class, "minProperties": 1 },
            "backend": obj(json!({
                "connects_per_s": num("broker limit on new connections per second", 0.001, 1e9),
                "publishes_per_s": num("broker limit on publishes per second", 0.001, 1e9),
                "reconnect_window": duration("devices reconnect spread over this window after a shared outage"),
            }), &[]),
            "maintenance": obj(json!({
                "enabled": { "type": "boolean" },
                "detection_delay": duration("time until a silent device is noticed"),
                "truck_roll_response": duration("time until a technician is on site"),
            }), &[]),
            "event": { "type": "array", "items": event },
            "cost": obj(json!({
                "platform": { "type": "string", "description": "a [platform.NAME] of the price book" },
                "connectivity": { "type": "string", "description": "a [connectivity.NAME] of the price book" },
                "storage": { "type": "string", "description": "a [storage.NAME] of the price book" },
                "retention": duration("how long telemetry is kept in the time-series store"),
                "device_hardware": { "type": "object", "additionalProperties": { "type": "string" }, "description": "device class -> price-book hardware item" },
                "gateway_hardware": { "type": "string", "description": "price-book hardware item of each gateway" },
                "battery_hardware": { "type": "object", "additionalProperties": { "type": "string" }, "description": "battery power profile -> replacement cell item" },
                "discount_rate_pct": num("yearly discount rate for the TCO", 0.0, 100.0),
                "egress_share": num("share of stored bytes read out each month", 0.0, 100.0),
                "shadow_ops_per_device_day": num("device shadow/registry operations per device-day", 0.0, 1e6),
                "rules_per_message": num("rules triggered per message", 0.0, 1e3),
                "actions_per_rule": num("actions per rule triggered", 0.0, 1e3),
                "peak_to_mean": num("peak over mean message rate (self-hosted sizing)", 1.0, 1e4),
                "battery_swaps_per_visit": int("battery swaps per technician visit", 1, 1_000_000),
                "alternatives": obj(json!({
                    "platform": { "type": "array", "items": { "type": "string" } },
                    "connectivity": { "type": "array", "items": { "type": "string" } },
                }), &[]),
                "prices": { "type": "object", "additionalProperties": { "type": "number" }, "description": "price-book path -> price override" },
            }), &["platform", "connectivity"]),
            "targets": obj(json!({
                "delivery_ratio": prob("share of generated messages that must be delivered"),
                "p99_latency": duration("99th percentile latency of delivered messages"),
                "battery_life": duration("projected battery life"),
                "tco_per_device_year": num("TCO per device per year, price-book currency", 0.0, 1e9),
                "max_devices_offline_pct": num("devices offline at the end of the run, percent", 0.0, 100.0),
            }), &[]),
            "operations": { "not": {}, "description": "removed: replaced by [provisioning], [firmware] and [identity]" },
            "provisioning": obj(json!({
                "installs_per_week": num("devices installed per week, in order (default 0: all at the start)", 0.0, 1e9),
                "onboarding": choice("how devices are onboarded", &["manual", "zero-touch"]),
                "run_starts": choice("after-rollout: the run is the steady state (default); at-first-install: devices start as they come online", &["after-rollout", "at-first-install"]),
                "minutes_per_device": num("manual: technician minutes per device (default 20)", 0.0, 10000.0),
                "error_rate_pct": num("manual: devices set up wrongly and redone the next day, percent (default 2)", 0.0, 100.0),
                "registry_per_s": num("zero-touch: enrolments the registry accepts per second (default 10)", 0.001, 1e6),
                "failure_rate_pct": num("zero-touch: enrolment attempts that fail, percent (default 1)", 0.0, 100.0),
                "retry_after": duration("zero-touch: wait before a failed enrolment is retried (default 5m)"),
                "max_attempts": int("zero-touch: attempts before the device needs a visit (default 5)", 1, 1000),
            }), &["onboarding"]),
            "firmware": obj(json!({
                "update": choice("how firmware is updated", &["none", "single-slot", "a-b"]),
                "resume": { "type": "boolean", "description": "a lost chunk is resent instead of restarting the image (default true)" },
                "chunk_bytes": int("download chunk, bytes (default 1024)", 16, 1 << 24),
                "attempts": int("download attempts (no resume) or sends per chunk (resume) (default 5)", 1, 1000),
                "power_loss_during_write_pct": num("power loss or reset while the image is written, percent (default 0.5)", 0.0, 100.0),
                "boot_failure_pct": num("a good release fails to boot or its health check, percent (default 0.3)", 0.0, 100.0),
                "ab_brick_pct": num("A/B: bootloader or partition corruption, percent (default 0.001)", 0.0, 100.0),
                "campaigns_per_year": num("campaigns a year for the business case (default: as in the run)", 0.0, 365.0),
            }), &["update"]),
            "identity": obj(json!({
                "credentials": choice("device identity", &["shared", "per-device"]),
                "certificate_lifetime": duration("certificate lifetime (absent: credentials do not expire)"),
                "rotation": { "type": "boolean", "description": "certificates are renewed before expiry (default false)" },
                "renew_before": duration("renewal starts this long before expiry (default 30d)"),
                "retry_every": duration("a failed renewal is retried this often (default 1d)"),
                "renewal_failure_pct": num("renewal attempts that fail, percent (default 1)", 0.0, 100.0),
                "handshake_bytes": int("bytes of a full TLS handshake (default 6000)", 0, 1 << 24),
                "resumed_handshake_bytes": int("bytes of a resumed TLS session (default 500)", 0, 1 << 24),
                "resumption_pct": num("reconnects that resume a session, percent (default 0)", 0.0, 100.0),
                "sessions": choice("one TLS session kept open, or one per report", &["persistent", "per-report"]),
                "compromise_response": duration("time from a leak until re-provisioning starts (default 1d)"),
            }), &["credentials"]),
        }),
        &["schema", "scenario", "site", "network", "power", "fleet"],
    );
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["title"] = json!("Scaleproof scenario (schema 1)");
    root
}
