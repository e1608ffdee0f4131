//! The business case against bills computed by hand from the vendors' published prices (as the
//! shipped price book states them), and the properties a TCO must have.
//!
//! Usage is set by hand on a real run's summary (one simulated billing month of 30.4375 days, so
//! the bill needs no extrapolation), and every expected amount below is worked out in the
//! comment beside it. Amounts are compared exactly, in millionths of a dollar.

mod common;

use sim_core::cost::bill::{Category, MONTH_S};
use sim_core::cost::{BillInput, CostSummary, Money, PriceBook, PriceBookSource, bill, parse_price_book};
use sim_core::scenario::Scenario;
use sim_core::summary::RunSummary;

fn book() -> PriceBook {
    book_with(&[])
}

fn book_with(overrides: &[String]) -> PriceBook {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../pricebooks/iot-2026-11.toml");
    let bytes = std::fs::read(path).unwrap();
    parse_price_book(&PriceBookSource { file: path, bytes: &bytes, overrides, override_source: "test" })
        .unwrap_or_else(|d| panic!("{d}"))
}

/// A mains-powered fleet of `devices` with the given [cost] body, over a one-year horizon.
fn scenario(devices: u32, cost: &str) -> Scenario {
    common::scenario(
        &common::one_class(
            "1h",
            "",
            common::MAINS,
            &format!("count = {devices}\ntelemetry = {{ period = \"5min\", payload_bytes = 200 }}"),
            &format!("[cost]\n{cost}"),
        )
        .replace("duration = \"1h\"", "duration = \"1h\"\nhorizon_years = 1\nprice_book = \"iot-2026-11\""),
    )
}

/// A summary of one billing month with the given usage.
fn month(s: &Scenario, delivered: u64, attempts: u64, connected_device_s: f64, peak_day: u64) -> RunSummary {
    let mut r = common::run(s, 1);
    r.simulated_s = MONTH_S;
    let c = &mut r.per_class[0];
    c.messages.delivered = delivered;
    c.attempts = attempts;
    c.connected_device_s = connected_device_s;
    c.peak_day_delivered = peak_day;
    c.hardware_failures = 0;
    r
}

fn priced(s: &Scenario, r: &RunSummary, book: &PriceBook) -> CostSummary {
    bill(&BillInput { scenario: s, plan: s.cost.as_ref().unwrap(), book, summary: r })
}

fn line(c: &CostSummary, item: &str) -> Money {
    c.lines.iter().find(|l| l.item == item).unwrap_or_else(|| panic!("no line {item}: {:#?}", c.lines)).first_month
}

const AWS: &str = r#"platform = "aws-iot-core"
connectivity = "private-network"
device_hardware = { devices = "wifi-machine-sensor" }"#;

#[test]
fn the_price_book_is_valid_and_every_price_has_a_source_and_date() {
    let b = book();
    assert_eq!((b.id.as_str(), b.currency.as_str(), b.date.as_str()), ("iot-2026-11", "USD", "2026-11-01"));
    assert!(b.lines.len() > 50, "{} prices", b.lines.len());
    for l in &b.lines {
        assert!(!l.source.trim().is_empty() && l.as_of.len() == 10, "{l:?}");
    }
}

#[test]
fn aws_iot_core_bill_for_50_devices_by_hand() {
    // AWS's own free-tier sizing example: 50 devices connected 24 h a day, 300 messages a day
    // each (S34). One month of 30.4375 days:
    //   messages: 50 x 300 x 30.4375 = 456,562.5 -> 456,563 of 200 B = 1 unit of 5 KB each
    //             456,563 x $1.00 / 1,000,000 = $0.456563
    //   connection-minutes: 50 x 43,830 min = 2,191,500 x $0.08 / 1,000,000 = $0.17532
    //   rules and actions: 456,563 x $0.15 / 1M = $0.06848445 each, each rounded to
    //             $0.068484 -> $0.136968 together
    //   registration: 50 x $0.10 / 1,000 = $0.005 (once)
    let s = scenario(50, AWS);
    let r = month(&s, 456_563, 456_563, 50.0 * MONTH_S, 15_000);
    let c = priced(&s, &r, &book());
    assert_eq!(line(&c, "messages"), Money(456_563));
    assert_eq!(line(&c, "connectivity (connected minutes)"), Money(175_320));
    assert_eq!(line(&c, "rules and actions"), Money(136_968));
    assert_eq!(c.lines.iter().find(|l| l.item == "device registration").unwrap().capex, Money(5_000));
    // Twelve identical months, no discount: the cloud share of the TCO is 12 x the month.
    assert_eq!(c.breakdown.cloud, Money(12 * (456_563 + 175_320 + 136_968)));
}

#[test]
fn aws_message_meter_counts_5kb_units_and_volume_bands() {
    // An 8 KB message counts as 2 (S34): 8,192 B / 5,120 B rounded up.
    let s = scenario(10, AWS).clone();
    let mut s8 = s.clone();
    s8.classes[0].telemetry.payload_bytes = 8192;
    let mut r = month(&s8, 1_000, 1_000, 0.0, 100);
    r.per_class[0].payload_bytes = 8192;
    assert_eq!(line(&priced(&s8, &r, &book()), "messages"), Money(2_000));
    // 2 billion 200 B messages: the first billion at $1.00/M, the next at $0.80/M = $1,800.
    let r = month(&s, 2_000_000_000, 0, 0.0, 0);
    assert_eq!(line(&priced(&s, &r, &book()), "messages"), Money::from_units(1_800));
}

#[test]
fn azure_iot_hub_picks_the_cheapest_units_covering_the_peak_day() {
    // domain-models 4.2: 20,000 devices x 288 messages a day -> 15 x S1 ($375) or 1 x S2 ($250).
    let s = scenario(20_000, &AWS.replace("aws-iot-core", "azure-iot-hub"));
    let r = month(&s, 20_000 * 288 * 30, 0, 0.0, 20_000 * 288);
    let c = priced(&s, &r, &book());
    assert_eq!(c.platform_sizing, "1 x S2");
    assert_eq!(line(&c, "hub units"), Money::from_units(250));
    assert!(c.quota_exceeded.is_none());
    // Without S2 and S3 the same peak needs 15 x S1 = $375.
    let mut only_s1 = book();
    if let sim_core::cost::book::PlatformKind::UnitQuota { editions } =
        &mut only_s1.platforms.iter_mut().find(|p| p.name == "azure-iot-hub").unwrap().kind
    {
        editions.retain(|e| e.name == "S1");
    }
    let c = priced(&s, &r, &only_s1);
    assert_eq!((c.platform_sizing.as_str(), line(&c, "hub units")), ("15 x S1", Money::from_units(375)));
    // 200 S1 units allow 80 M a day: a 100 M peak exceeds every size.
    let r = month(&s, 0, 0, 0.0, 100_000_000);
    assert!(priced(&s, &r, &only_s1).quota_exceeded.is_some());
}

#[test]
fn telnyx_per_sim_data_is_rounded_per_session_and_priced_in_bands() {
    // One SIM, 10,000 transmissions of 200 B + 152 B overhead = 352 B, each session rounded up
    // to 1 KB: 10,240,000 B = 10.24 MB x $0.078 = $0.79872, plus the $2.00 monthly fee (S41).
    let cost = r#"platform = "aws-iot-core"
connectivity = "telnyx-per-sim"
device_hardware = { devices = "wifi-machine-sensor" }"#;
    let s = scenario(1, cost);
    let c = priced(&s, &month(&s, 10_000, 10_000, 0.0, 0), &book());
    assert_eq!(line(&c, "cellular data"), Money(798_720));
    assert_eq!(line(&c, "SIM fees"), Money::from_units(2));
    // 200,000 transmissions = 204.8 MB: 100 MB x $0.078 + 104.8 MB x $0.039 = $11.8872.
    let c = priced(&s, &month(&s, 200_000, 200_000, 0.0, 0), &book());
    assert_eq!(line(&c, "cellular data"), Money(11_887_200));
}

#[test]
fn hardware_uses_the_volume_tier_of_the_whole_order() {
    let s20 = scenario(20, AWS);
    let c = priced(&s20, &month(&s20, 0, 0, 0.0, 0), &book());
    assert_eq!(c.breakdown.hardware, Money::from_f64_units(20.0 * 66.55));
    let s20k = scenario(20_000, AWS);
    let c = priced(&s20k, &month(&s20k, 0, 0, 0.0, 0), &book());
    assert_eq!(c.breakdown.hardware, Money::from_f64_units(20_000.0 * 35.74));
    // Installation: 20 min at $100/h = $33.333333 per device.
    assert_eq!(c.breakdown.installation, Money(666_666_666_667));
}

#[test]
fn a_scenario_price_override_replaces_the_book_price() {
    let s = scenario(50, AWS);
    let r = month(&s, 456_563, 456_563, 50.0 * MONTH_S, 15_000);
    let b = book_with(&["platform.aws-iot-core.connection_minutes=0.16".into()]);
    assert_eq!(line(&priced(&s, &r, &b), "connectivity (connected minutes)"), Money(350_640));
    let l = b.lines.iter().find(|l| l.path == "platform.aws-iot-core.connection_minutes").unwrap();
    assert_eq!(l.source, "override in test");
}

#[test]
fn tco_is_monotone_in_usage_and_discounting_lowers_it() {
    let cost = r#"platform = "aws-iot-core"
connectivity = "telnyx-per-sim"
storage = "timestream"
device_hardware = { devices = "wifi-machine-sensor" }
egress_share = 0.1"#;
    let s = scenario(200, cost);
    let b = book();
    let mut last = Money::ZERO;
    for k in [0u64, 1, 10, 100, 1_000, 10_000] {
        let n = 200 * k;
        let c = priced(&s, &month(&s, n, n, 200.0 * MONTH_S, n / 30 + 1), &b);
        assert!(c.tco >= last, "usage x{k}: {} < {}", c.tco, last);
        assert_eq!(c.tco, Category::ALL.iter().map(|x| c.breakdown.get(*x)).sum::<Money>());
        last = c.tco;
    }
    let mut discounted = s.clone();
    discounted.cost.as_mut().unwrap().discount_rate_pct = 8.0;
    let r = month(&s, 200_000, 200_000, 200.0 * MONTH_S, 7_000);
    let plain = priced(&s, &r, &b);
    let lower = priced(&discounted, &r, &b);
    assert!(lower.tco < plain.tco && lower.capex == plain.capex);
    // The monthly SIM fees ($400 a month) over 12 months at 8 %: sum of 400 / 1.08^(m/12).
    let expected: f64 = (1..=12).map(|m| 400.0 / 1.08f64.powf(m as f64 / 12.0)).sum();
    let got = lower.lines.iter().find(|l| l.item == "SIM fees").unwrap().tco.units_f64();
    assert!((got - expected).abs() < 1e-5, "{got} vs {expected}");
}

#[test]
fn self_hosted_broker_is_a_fixed_cost_that_wins_at_scale() {
    let cost = r#"platform = "aws-iot-core"
connectivity = "private-network"
device_hardware = { devices = "wifi-machine-sensor" }
alternatives = { platform = ["self-hosted-mqtt"] }"#;
    let per_device = |n: u32| {
        let s = scenario(n, cost);
        // One message a minute per device.
        let msgs = n as u64 * 43_830;
        let c = priced(&s, &month(&s, msgs, msgs, n as f64 * MONTH_S, msgs / 30), &book());
        (c.breakdown.cloud, c.alternatives[0].tco - (c.tco - c.breakdown.cloud))
    };
    let (aws_small, self_small) = per_device(20);
    let (aws_big, self_big) = per_device(200_000);
    assert!(aws_small < self_small, "20 devices: AWS {aws_small} vs self-hosted {self_small}");
    assert!(aws_big > self_big, "200,000 devices: AWS {aws_big} vs self-hosted {self_big}");
}

#[test]
fn a_broken_price_book_reports_every_problem_with_its_line() {
    let text = r#"schema = 1
[book]
id = "broken"
currency = "USD"
date = "2026-13-01"

[platform.aws]
kind = "metered"
connection_minutes = { price = 0.08, per = 1_000_000 }
message_meter_bytes = 5120
messages = [{ up_to = 100, price = 1.0 }, { price = -0.5 }]
colour = "blue"

[labour]
source = "x"
as_of = "2026-11-01"
technician_hour = 100.0000001
install_minutes_per_device = 20
gateway_install = 500
truck_roll = 350

[egress]
per_gb = 0.09
"#;
    let err = parse_price_book(&PriceBookSource {
        file: "broken.toml",
        bytes: text.as_bytes(),
        overrides: &[],
        override_source: "",
    })
    .unwrap_err();
    let got: Vec<(usize, String)> = err.0.iter().map(|d| (d.line, d.path.clone())).collect();
    for (line, path) in [
        (5, "book.date"),
        (9, "platform.aws.connection_minutes"),
        (11, "platform.aws.messages[1].price"),
        (12, "platform.aws.colour"),
        (17, "labour.technician_hour"),
        (23, "egress.per_gb"),
    ] {
        assert!(got.iter().any(|(l, p)| *l == line && p == path), "missing {line} {path} in {got:?}\n{err}");
    }
}

#[test]
fn sensitivity_settings_are_read_and_scaled_as_the_reader_takes_them() {
    use sim_core::scenario::read::{Scalar, scalar_at};
    let book = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../pricebooks/iot-2026-11.toml")).unwrap();
    // A price written as a table yields its price; array items are addressed by index.
    let p = scalar_at(&book, &[], "hardware.lte-m-vibration-sensor.tiers.3.price").unwrap();
    assert_eq!(p, Scalar::Float(75.46));
    assert_eq!(p.scaled(0.8).unwrap(), "60.368");
    assert_eq!(scalar_at(&book, &[], "platform.aws-iot-core.connection_minutes").unwrap(), Scalar::Float(0.08));
    let mine = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/mine-production.toml")).unwrap();
    let cap = scalar_at(&mine, &[], "fleet.vibration.buffer.capacity").unwrap();
    assert_eq!((cap.scaled(0.8).unwrap(), cap.scaled(1.2).unwrap()), ("400".into(), "600".into()));
    let down = scalar_at(&mine, &[], "network.lte-m-underground.outages.mean_down").unwrap();
    assert_eq!(down.scaled(1.2).unwrap(), "2h24min");
    // Overrides are applied first.
    let o = ["fleet.vibration.buffer.capacity=1000".to_string()];
    assert_eq!(scalar_at(&mine, &o, "fleet.vibration.buffer.capacity").unwrap(), Scalar::Integer(1000));
    assert!(scalar_at(&mine, &[], "fleet.vibration.nope").is_err());
}

#[test]
fn re_pricing_re_judges_the_tco_target() {
    // Two identical replications (a zero-width interval decides), a TCO target, two books: at the
    // book's connection-minute price the fleet passes; at 1,000 times that price it fails. The
    // second assessment starts from summaries that still carry the first bill and verdict.
    let s = scenario(50, AWS);
    let r = month(&s, 456_563, 456_563, 50.0 * MONTH_S, 15_000);
    let cheap = book();
    let dear = book_with(&["platform.aws-iot-core.connection_minutes=80".into()]);
    let tco_pyd = |b: &PriceBook| priced(&s, &r, b).tco_per_device_year.units_f64();
    let target = (tco_pyd(&cheap) + tco_pyd(&dear)) / 2.0;
    let mut s = s.clone();
    s.targets.tco_per_device_year = Some(target);
    let judged = |runs: &[RunSummary], b: &PriceBook| -> (Vec<RunSummary>, RunSummary) {
        let runs: Vec<RunSummary> = runs
            .iter()
            .map(|x| {
                let mut x = x.clone();
                sim_core::assess(&s, Some(b), &x).fill(&mut x);
                x
            })
            .collect();
        let mean = sim_core::assess_replications(&s, Some(b), &runs);
        (runs, mean)
    };
    let tco_finding = |mean: &RunSummary| {
        let v = mean.verdict.as_ref().unwrap();
        v.findings.iter().find(|f| f.check == "target.tco_per_device_year").unwrap().clone()
    };
    let (first, mean) = judged(&[r.clone(), r.clone()], &cheap);
    assert_eq!(tco_finding(&mean).severity, sim_core::verdict::Severity::Pass);
    let (again, mean) = judged(&first, &dear);
    let f = tco_finding(&mean);
    assert_eq!(f.severity, sim_core::verdict::Severity::Fail, "{f:?}");
    assert_eq!(f.estimate.unwrap().mean, tco_pyd(&dear));
    // Each replication's own verdict follows its new bill too.
    for x in &again {
        let own = x.verdict.as_ref().unwrap().findings.iter().find(|f| f.check == "target.tco_per_device_year");
        assert_eq!(own.unwrap().estimate.unwrap().mean, x.cost.as_ref().unwrap().tco_per_device_year.units_f64());
    }
}
