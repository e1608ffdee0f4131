//! Property tests over random small scenarios: messages balance, energy is never negative, and
//! the same seed gives the same result. A failure prints the generated scenario (its seed
//! included), which reproduces it.

mod common;

use common::{run, scenario};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Knobs {
    seed: u64,
    devices: u32,
    capacity: u32,
    drop_oldest: bool,
    flash: bool,
    flush: u32,
    p: f64,
    r: f64,
    acked: bool,
    attempts: u32,
    outage_scope: &'static str,
    mean_up_min: u32,
    mean_down_min: u32,
    battery: bool,
    capacity_mah: f64,
    low_pct: f64,
    afr_pct: f64,
    reboots_per_day: f64,
    lora: bool,
    maintenance: bool,
    quota: Option<f64>,
    event: bool,
}

fn knobs() -> impl Strategy<Value = Knobs> {
    (
        (any::<u64>(), 1u32..60, 1u32..50, any::<bool>(), any::<bool>(), 1u32..5),
        (0.0f64..0.3, 0.05f64..1.0, any::<bool>(), 1u32..4),
        (prop::sample::select(vec!["device", "gateway", "site"]), 10u32..600, 1u32..300),
        (any::<bool>(), 1.0f64..20.0, 0.0f64..50.0, 0.0f64..40.0, 0.0f64..5.0),
        (any::<bool>(), any::<bool>(), prop::option::of(0.01f64..5.0), any::<bool>()),
    )
        .prop_map(|(a, b, c, d, e)| Knobs {
            seed: a.0,
            devices: a.1,
            capacity: a.2,
            drop_oldest: a.3,
            flash: a.4,
            flush: a.5,
            p: b.0,
            r: b.1,
            acked: b.2,
            attempts: b.3,
            outage_scope: c.0,
            mean_up_min: c.1,
            mean_down_min: c.2,
            battery: d.0,
            capacity_mah: d.1,
            low_pct: d.2,
            afr_pct: d.3,
            reboots_per_day: d.4,
            lora: e.0,
            maintenance: e.1,
            quota: e.2,
            event: e.3,
        })
}

fn text(k: &Knobs) -> String {
    let acked = k.acked && !k.lora;
    let lora = if k.lora { "lora = { spreading_factor = 8, channels = 2 }" } else { "" };
    let power = if k.battery {
        format!(
            r#"kind = "battery"
capacity_mah = {}
initial_charge_pct = [20, 100]
self_discharge_pct_per_year = 10
low_battery_pct = {}
low_battery_reboots_per_day = 20
currents_ma = {{ sleep = 0.5, sample = 5, tx = 120, rx = 10 }}
sample_ms = 100"#,
            k.capacity_mah, k.low_pct
        )
    } else {
        r#"kind = "mains"
outages_per_year = 200
mean_outage = "30min"
sags_per_year = 300
reset_probability = 0.5"#
            .to_string()
    };
    let quota = k.quota.map_or(String::new(), |q| format!("publishes_per_s = {q}\nconnects_per_s = {q}"));
    let event = if k.event {
        "[[event]]\nat = \"10h\"\nkind = \"power-outage\"\nsite = \"a\"\nduration = \"3h\"\n\n[[event]]\nat = \"20h\"\nkind = \"brownout\"\nsite = \"b\"\nreset_probability = 1.0"
    } else {
        ""
    };
    format!(
        r#"schema = 1
[scenario]
name = "property"
seed = {seed}
duration = "2d"

[[site]]
id = "a"
gateways = 2

[[site]]
id = "b"

[network.link]
loss = {{ model = "gilbert-elliott", p_good_to_bad = {p}, p_bad_to_good = {r}, loss_good = 0.01, loss_bad = 0.7 }}
latency = {{ model = "lognormal", median = "300ms", p99 = "4s" }}
outages = {{ scope = "{scope}", mean_up = "{up}min", mean_down = "{down}min" }}
delivery = {{ mode = "{mode}", attempts = {attempts}, backoff_base = "2s", backoff_cap = "1min" }}
tx_ms = 500
{lora}

[power.supply]
{power}

[fleet.sensors]
count = {devices}
sites = ["a", "b"]
network = "link"
power = "supply"
telemetry = {{ period = "5min", jitter = "30s", payload_bytes = 20 }}
buffer = {{ capacity = {capacity}, policy = "{policy}", storage = "{storage}", flush_per_tick = {flush} }}
reboots_per_day = {reboots}
afr_pct = {afr}

[backend]
{quota}

[maintenance]
enabled = {maintenance}
detection_delay = "2h"
truck_roll_response = "3h"

{event}
"#,
        seed = k.seed,
        p = k.p,
        r = k.r,
        scope = k.outage_scope,
        up = k.mean_up_min,
        down = k.mean_down_min,
        mode = if acked { "acked" } else { "unacked" },
        attempts = k.attempts,
        devices = k.devices,
        capacity = k.capacity,
        policy = if k.drop_oldest { "drop-oldest" } else { "drop-newest" },
        storage = if k.flash { "flash" } else { "ram" },
        flush = k.flush,
        reboots = k.reboots_per_day,
        afr = k.afr_pct,
        maintenance = k.maintenance,
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5CA1_E9F0),
        ..ProptestConfig::default()
    })]

    #[test]
    fn messages_balance_energy_is_non_negative_and_seeds_repeat(k in knobs()) {
        let s = scenario(&text(&k));
        let a = run(&s, k.seed);
        prop_assert!(a.messages.balanced(), "total: {:?}", a.messages);
        for c in &a.per_class {
            prop_assert!(c.messages.balanced(), "{}: {:?}", c.name, c.messages);
            prop_assert!(c.messages.delivered <= c.messages.generated);
            if let Some(b) = &c.battery {
                prop_assert!(b.mean_remaining_pct >= 0.0 && b.mean_remaining_pct <= 100.0, "{b:?}");
                prop_assert!(b.energy_used_mah >= 0.0);
                // Charge drawn never exceeds what the installed and replaced batteries held.
                let held = k.capacity_mah * (c.devices + a.battery_replacements) as f64;
                prop_assert!(b.energy_used_mah <= held * (1.0 + 1e-9), "{} > {}", b.energy_used_mah, held);
            }
        }
        let lc = a.loss_causes;
        prop_assert_eq!(lc.channel + lc.outage + lc.collision + lc.duty_cycle, a.messages.lost_network);
        prop_assert_eq!(a.truck_rolls <= a.deaths + a.hardware_failures, true);
        let b = run(&s, k.seed);
        prop_assert_eq!(a.fingerprint(), b.fingerprint());
    }
}
