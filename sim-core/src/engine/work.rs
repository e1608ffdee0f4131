//! Upfront bounds on what a run will do, from the scenario alone (no draw, no run): validation
//! rejects what exceeds the engine's limits, and a harness can decide from them, deterministically,
//! whether a run fits its budget before starting it.

use crate::models::identity;
use crate::scenario::{EventKind, Scenario};

/// Lifecycle actions (refusals for expired certificates or leaked credentials, firmware updates
/// applied) the plan of one run may hold at worst, fleet-wide. The plan keeps each as 32 bytes
/// while it is built, so the list stays under about 320 MB (640 MB of capacity while it grows).
pub const MAX_LIFECYCLE_ACTIONS: u64 = 10_000_000;

/// What a run needs, at worst or as planned (each field says which).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Work {
    /// Device ticks scheduled over the run (every device, installed or not): the engine steps at
    /// most these (fewer when it skips quiet runs in bulk).
    pub device_ticks: u64,
    /// Certificate cycles per device at worst (see [`identity::cycles`]); 0 without certificates,
    /// u64::MAX when a renewal would not extend the certificate.
    pub certificate_cycles: u64,
    /// Certificate expiries per device at worst (every renewal failing).
    pub expiries_per_device: u64,
    /// Firmware campaigns and credential compromises in the run.
    pub campaigns: u64,
    /// Credential compromises (`credential-compromise` events) in the run.
    pub compromises: u64,
    /// Lifecycle actions at worst: devices x (expiries + campaigns + compromises).
    pub lifecycle_actions: u64,
    /// Renewal attempts at worst (every attempt failing until the expiry), fleet-wide.
    pub renewal_attempts: u64,
    /// Firmware chunks sent at worst (every chunk retried `attempts` times), fleet-wide.
    pub ota_chunk_sends: u64,
}

/// The work of running `s` to its end.
pub fn estimate(s: &Scenario) -> Work {
    let duration = s.duration.0;
    let devices = s.device_count();
    let device_ticks = s
        .classes
        .iter()
        .map(|c| (c.count as u64).saturating_mul(duration / c.telemetry.period.0.max(1) + 1))
        .fold(0u64, u64::saturating_add);
    let count = |f: fn(&EventKind) -> bool| s.events.iter().filter(|e| f(&e.kind)).count() as u64;
    let campaigns = if s.firmware.is_some() { count(|k| matches!(k, EventKind::FirmwareUpdate(_))) } else { 0 };
    let compromises = if s.identity.is_some() { count(|k| matches!(k, EventKind::CredentialCompromise)) } else { 0 };
    let certs = s.identity.as_ref().and_then(|i| i.certificates);
    let certificate_cycles = certs.map_or(0, |c| identity::cycles(&c, duration));
    let expiries_per_device = certs.map_or(0, |c| identity::max_expiries(&c, duration));
    let per_device = expiries_per_device.saturating_add(campaigns).saturating_add(compromises);
    let renewal_attempts = match certs.and_then(|c| c.rotation) {
        Some(r) => {
            let per_cycle = r.renew_before_us / r.retry_every_us.max(1) + 1;
            devices.saturating_mul(certificate_cycles).saturating_mul(per_cycle)
        }
        None => 0,
    };
    let ota_chunk_sends = match &s.firmware {
        Some(fw) => s
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::FirmwareUpdate(c) => {
                    Some(c.image_bytes.div_ceil(fw.chunk_bytes.max(1)).max(1).saturating_mul(fw.attempts.max(1) as u64))
                }
                _ => None,
            })
            .fold(0u64, u64::saturating_add)
            .saturating_mul(devices),
        None => 0,
    };
    Work {
        device_ticks,
        certificate_cycles,
        expiries_per_device,
        campaigns,
        compromises,
        lifecycle_actions: devices.saturating_mul(per_device),
        renewal_attempts,
        ota_chunk_sends,
    }
}
