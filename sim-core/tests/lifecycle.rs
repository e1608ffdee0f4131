//! Provisioning, firmware campaigns and identity in the engine, against closed forms. Each test
//! states its tolerance and where it comes from.

mod common;

use common::{MAINS, one_class, run, scenario};
use sim_core::models::ota::p_attempt_without_resume;

const N: u32 = 10_000;

/// A fleet of N mains devices on a link without loss or outages, one campaign at day 1.
fn campaign(firmware: &str, event: &str, network: &str) -> String {
    one_class(
        "5d",
        network,
        MAINS,
        &format!("count = {N}\ntelemetry = {{ period = \"1h\" }}"),
        &format!(
            "[firmware]\n{firmware}\n\n[[event]]\nat = \"1d\"\nkind = \"firmware-update\"\ndevices_per_minute = 1000000\n{event}\n"
        ),
    )
}

const BIG_BANG: &str = "image_kb = 64\ncanary_pct = 0\ncanary_min = 0\nwaves_pct = [100]";

/// Single slot: a write interrupted with probability q bricks the device, so bricks ~ Bin(N, q).
/// q = 2 %: mean 200, SD 14; tolerance 4 SD. Without maintenance every bricked device is still
/// dead at the end, and the engine applies exactly the campaign's bricks.
#[test]
fn single_slot_bricks_the_devices_whose_write_is_interrupted() {
    let fw = "update = \"single-slot\"\npower_loss_during_write_pct = 2\nboot_failure_pct = 0";
    let r = run(&scenario(&campaign(fw, BIG_BANG, "")), 1);
    let o = r.ota.as_ref().unwrap();
    let c = &o.campaigns[0];
    assert!((c.bricked as f64 - 200.0).abs() < 56.0, "{} bricked", c.bricked);
    assert_eq!(c.succeeded + c.bricked, N as u64);
    assert_eq!(o.missed_out_of_service, 0);
    assert_eq!(r.per_class[0].online_end, N as u64 - c.bricked);
    // 64 KiB in 1 KiB chunks, nothing lost: 64 chunks per device.
    assert_eq!(c.bytes_sent, N as u64 * 64 * 1024);
}

/// A/B slots with rollback: the same interruptions revert instead of bricking; zero bricks
/// (ab_brick_pct 0), every device back online, ~q N rolled back (same tolerance).
#[test]
fn ab_slots_roll_back_and_brick_nothing() {
    let fw = "update = \"a-b\"\npower_loss_during_write_pct = 2\nboot_failure_pct = 0\nab_brick_pct = 0";
    let r = run(&scenario(&campaign(fw, BIG_BANG, "")), 1);
    let c = &r.ota.as_ref().unwrap().campaigns[0];
    assert_eq!(c.bricked, 0);
    assert!((c.rolled_back as f64 - 200.0).abs() < 56.0, "{} rolled back", c.rolled_back);
    assert_eq!(r.per_class[0].online_end, N as u64);
}

/// Without resume, one attempt over n chunks at loss p succeeds with (1 - p)^n. A link losing
/// every chunk with p = 1 % (Gilbert-Elliott with equal loss in both states), 100 chunks, one
/// attempt: P = 0.366; SD over N devices 0.0048, tolerance 4 SD.
#[test]
fn download_without_resume_succeeds_at_the_closed_form_rate() {
    let net = "loss = { model = \"gilbert-elliott\", p_good_to_bad = 0.1, p_bad_to_good = 0.5, loss_good = 0.01, loss_bad = 0.01 }";
    let fw = "update = \"a-b\"\nresume = false\nattempts = 1\npower_loss_during_write_pct = 0\nboot_failure_pct = 0\nab_brick_pct = 0";
    let event = "image_kb = 100\ncanary_pct = 0\ncanary_min = 0\nwaves_pct = [100]";
    let r = run(&scenario(&campaign(fw, event, net)), 1);
    let c = &r.ota.as_ref().unwrap().campaigns[0];
    let got = c.succeeded as f64 / N as f64;
    let want = p_attempt_without_resume(100, 0.01);
    assert!((got - want).abs() < 0.0192, "{got} vs {want}");
    // With resume (5 sends per chunk) practically every download completes: P(fail) per chunk
    // 1e-10.
    let fw = fw.replace("resume = false\nattempts = 1", "resume = true\nattempts = 5");
    let r = run(&scenario(&campaign(&fw, event, net)), 1);
    assert_eq!(r.ota.as_ref().unwrap().campaigns[0].succeeded, N as u64);
}

/// A bad release (30 % boot failures) in staged waves: the canary's error share crosses the
/// 5 % threshold, so no later wave starts and only the canary is exposed.
#[test]
fn a_crossed_error_threshold_stops_the_following_waves() {
    let fw = "update = \"single-slot\"\npower_loss_during_write_pct = 0\nboot_failure_pct = 0";
    let event = "image_kb = 64\ncanary_pct = 1\ncanary_min = 25\nwaves_pct = [10, 50, 100]\nboot_failure_pct = 30\nerror_threshold_pct = 5";
    let r = run(&scenario(&campaign(fw, event, "")), 1);
    let c = &r.ota.as_ref().unwrap().campaigns[0];
    assert_eq!(c.stopped_after_wave, Some(0));
    assert_eq!(c.waves.len(), 1);
    assert_eq!(c.waves[0].devices, 100);
    assert_eq!(c.not_reached, N as u64 - 100);
    // Bricks only in the canary: Bin(100, 0.3), mean 30, SD 4.6; tolerance 4 SD.
    assert!((c.bricked as f64 - 30.0).abs() < 18.4, "{}", c.bricked);
    assert_eq!(r.per_class[0].online_end, N as u64 - c.bricked);
}

/// Certificates of 10 days without rotation; devices installed 500 a day (one every 172.8 s)
/// over a 30-day run. Device i is online at i x 172.8 s and drops at that + 10 days if that is
/// inside the run: exactly the 10,000 devices installed before day 20, the first at day 10.
/// At the end, 15,000 devices are installed and 5,000 of them still online.
#[test]
fn expiry_without_rotation_takes_exactly_the_expected_devices_offline_on_time() {
    let text = one_class(
        "30d",
        "",
        MAINS,
        "count = 20000\ntelemetry = { period = \"1h\" }",
        "[provisioning]\nonboarding = \"manual\"\nminutes_per_device = 0\nerror_rate_pct = 0\ninstalls_per_week = 3500\nrun_starts = \"at-first-install\"\n\n[identity]\ncredentials = \"per-device\"\ncertificate_lifetime = \"10d\"\nsessions = \"per-report\"\nhandshake_bytes = 6000\n",
    );
    let r = run(&scenario(&text), 1);
    let sec = r.security.as_ref().unwrap();
    assert_eq!(sec.certificate_expiries, 10_000);
    assert_eq!(sec.first_expiry_days, Some(10.0));
    let p = r.provisioning.as_ref().unwrap();
    assert_eq!(p.online_by_end, 15_000);
    assert_eq!(r.per_class[0].online_end, 5_000);
    // One TLS session per report: a full handshake for every sample taken.
    assert_eq!(sec.handshakes, r.messages.generated);
    assert_eq!(sec.handshake_bytes, 6_000 * r.messages.generated);
}

/// A leaked shared credential revokes every installed device; a per-device one revokes one.
#[test]
fn a_shared_credential_leak_takes_the_whole_fleet_offline() {
    let text = |cred: &str| {
        one_class(
            "10d",
            "",
            MAINS,
            "count = 2000\ntelemetry = { period = \"1h\" }",
            &format!(
                "[provisioning]\nonboarding = \"zero-touch\"\nregistry_per_s = 0.005\n\n[identity]\ncredentials = \"{cred}\"\ncompromise_response = \"1d\"\n\n[[event]]\nat = \"5d\"\nkind = \"credential-compromise\"\n"
            ),
        )
    };
    let shared = run(&scenario(&text("shared")), 1);
    let c = &shared.security.as_ref().unwrap().compromises[0];
    assert_eq!(c.blast_radius, 2_000);
    // Re-enrolment through a registry of 0.005/s: the k-th device (from 1) is back 1 day +
    // k x 200 s after the leak, and the run ends 5 days after it: devices with k x 200 s <= 4 d,
    // k <= 1,728, are back at the end (the last exactly at the end); the other 272 are not.
    assert_eq!(shared.per_class[0].online_end, 1_728);
    assert!((c.restored_after_days - (1.0 + 2_000.0 * 200.0 / 86_400.0)).abs() < 1e-9);
    let unique = run(&scenario(&text("per-device")), 1);
    assert_eq!(unique.security.as_ref().unwrap().compromises[0].blast_radius, 1);
    assert_eq!(unique.per_class[0].online_end, 2_000);
}
