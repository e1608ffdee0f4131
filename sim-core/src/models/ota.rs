//! Firmware-update (OTA) campaigns: one device's update as a state machine (download over a
//! Gilbert-Elliott link, with or without resume; install; boot; health window; commit or
//! revert), and a campaign as waves with hawkBit-style thresholds.
//! Sources: `docs/sources.md` (S51 MCUboot, S52 RAUC, S53 Mender, S54 balena, S58 AWS IoT Jobs
//! abort criteria; section 5 of the reference note); defaults without a source are marked \[E\].
//!
//! Every draw comes from the device's own stream (`Purpose::Ota`, counter-addressed), so a
//! device's outcome does not depend on the others or on the order they are simulated in.

use crate::rng::Draws;

/// The link a chunk crosses: Gilbert-Elliott, stepped once per chunk transmission.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChunkLink {
    /// Probability per chunk transmission of moving from the good to the bad state.
    pub p_good_to_bad: f64,
    /// Probability per chunk transmission of moving from the bad back to the good state.
    pub p_bad_to_good: f64,
    /// Probability of losing a chunk in the good state.
    pub loss_good: f64,
    /// Probability of losing a chunk in the bad state.
    pub loss_bad: f64,
}

impl ChunkLink {
    /// A memoryless link losing each chunk with probability `p`.
    pub fn bernoulli(p: f64) -> ChunkLink {
        ChunkLink { p_good_to_bad: 0.0, p_bad_to_good: 1.0, loss_good: p, loss_bad: p }
    }
}

/// How the image is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slots {
    /// In place: power loss while writing leaves no bootable image (a truck roll).
    Single,
    /// Into the inactive slot; a failed boot or health check reverts to the old image.
    AbRollback,
}

/// One device's update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeviceUpdate {
    /// Size of the firmware image, bytes.
    pub image_bytes: u64,
    /// Size of one chunk, bytes; the image is ceil(image / chunk) chunks (at least 1).
    pub chunk_bytes: u64,
    /// Resume after a lost chunk (resend it) instead of starting the image again.
    pub resume: bool,
    /// Download attempts (without resume) or sends per chunk (with resume) before giving up.
    pub attempts: u32,
    /// Power loss or reset while the image is written (single slot: bricks).
    pub p_power_loss_during_write: f64,
    /// The new image fails to boot or fails its health window.
    pub p_boot_or_health_fail: f64,
    /// Bootloader or partition-table corruption with A/B slots (domain-models 5.1: 1e-5 \[E\]).
    pub p_brick_ab: f64,
    /// Single slot or A/B slots with rollback.
    pub slots: Slots,
}

/// How one device's update ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The new image is running.
    Succeeded,
    /// The old image runs again (A/B revert, or a download that never completed).
    RolledBack,
    /// No bootable image: dead until a truck roll.
    Bricked,
    /// Every download attempt failed: the old image keeps running.
    DownloadFailed,
}

/// The outcome of one device's update and what its download carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceResult {
    /// How the update ended.
    pub outcome: Outcome,
    /// Chunk transmissions, successful or not (what the link carried and the radio spent).
    pub chunks_sent: u64,
}

impl DeviceUpdate {
    /// Chunks in the image: ceil(image_bytes / chunk_bytes), at least 1.
    pub fn chunks(&self) -> u64 {
        self.image_bytes.div_ceil(self.chunk_bytes.max(1)).max(1)
    }
}

/// P(one download attempt without resume succeeds) over a memoryless link losing each chunk
/// with probability p: every one of n chunks must arrive, (1 - p)^n.
pub fn p_attempt_without_resume(n_chunks: u64, p: f64) -> f64 {
    (1.0 - p).powf(n_chunks as f64)
}

/// P(a device is bricked) with a single slot, given the download succeeded: the write is
/// interrupted with probability q.
pub fn p_brick_single_slot(q: f64) -> f64 {
    q
}

/// Simulates one device's update with its own draws.
pub fn update_device(u: &DeviceUpdate, link: &ChunkLink, draws: &mut Draws) -> DeviceResult {
    let n = u.chunks();
    let mut bad = draws.uniform() < stationary_bad(link);
    let mut sent = 0u64;
    let lost = |draws: &mut Draws, bad: &mut bool| {
        let p_switch = if *bad { link.p_bad_to_good } else { link.p_good_to_bad };
        if draws.uniform() < p_switch {
            *bad = !*bad;
        }
        draws.uniform() < if *bad { link.loss_bad } else { link.loss_good }
    };
    let downloaded = if u.resume {
        // Each chunk may be sent up to `attempts` times; progress is kept.
        let mut ok = true;
        'chunks: for _ in 0..n {
            for _ in 0..u.attempts.max(1) {
                sent += 1;
                if !lost(draws, &mut bad) {
                    continue 'chunks;
                }
            }
            ok = false;
            break;
        }
        ok
    } else {
        // A lost chunk fails the attempt; the next attempt starts from the first chunk.
        let mut ok = false;
        'attempts: for _ in 0..u.attempts.max(1) {
            for _ in 0..n {
                sent += 1;
                if lost(draws, &mut bad) {
                    continue 'attempts;
                }
            }
            ok = true;
            break;
        }
        ok
    };
    if !downloaded {
        return DeviceResult { outcome: Outcome::DownloadFailed, chunks_sent: sent };
    }
    let interrupted = draws.uniform() < u.p_power_loss_during_write;
    let boot_fails = draws.uniform() < u.p_boot_or_health_fail;
    let corrupted = draws.uniform() < u.p_brick_ab;
    let outcome = match u.slots {
        Slots::Single if interrupted || boot_fails => Outcome::Bricked,
        Slots::Single => Outcome::Succeeded,
        Slots::AbRollback if corrupted => Outcome::Bricked,
        Slots::AbRollback if interrupted || boot_fails => Outcome::RolledBack,
        Slots::AbRollback => Outcome::Succeeded,
    };
    DeviceResult { outcome, chunks_sent: sent }
}

fn stationary_bad(l: &ChunkLink) -> f64 {
    let s = l.p_good_to_bad + l.p_bad_to_good;
    if s <= 0.0 { 0.0 } else { l.p_good_to_bad / s }
}

/// A campaign: wave sizes in devices (in order), and the thresholds that decide after each
/// wave whether the next one starts (hawkBit: continue when the success share reaches
/// `success_threshold_pct`; abort the rest when the error share exceeds `error_threshold_pct`).
#[derive(Clone, Debug, PartialEq)]
pub struct Campaign {
    /// Devices in each wave, in order; they sum to the devices updated.
    pub waves: Vec<u64>,
    /// A wave must reach this success share, percent, for the next wave to start.
    pub success_threshold_pct: f64,
    /// A wave whose error share (rolled back, bricked, download failed) exceeds this percent stops
    /// the campaign.
    pub error_threshold_pct: f64,
}

impl Campaign {
    /// Waves for `devices`: a canary of `canary_pct` (at least `canary_min` devices), then the
    /// given shares of the fleet (cumulative percentages, e.g. [10, 50, 100]).
    pub fn staged(devices: u64, canary_pct: f64, canary_min: u64, cumulative_pct: &[f64]) -> Vec<u64> {
        let mut waves = Vec::new();
        let mut done = 0u64;
        let canary = ((devices as f64 * canary_pct / 100.0).ceil() as u64).max(canary_min).min(devices);
        if canary > 0 {
            waves.push(canary);
            done = canary;
        }
        for pct in cumulative_pct {
            let upto = ((devices as f64 * pct / 100.0).round() as u64).min(devices);
            if upto > done {
                waves.push(upto - done);
                done = upto;
            }
        }
        if done < devices {
            waves.push(devices - done);
        }
        waves
    }
}

/// Outcomes of one wave of a campaign (or of a whole campaign, see [`CampaignResult::total`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WaveResult {
    /// Devices updated.
    pub devices: u64,
    /// Devices now running the new image.
    pub succeeded: u64,
    /// Devices that reverted to the old image.
    pub rolled_back: u64,
    /// Devices left with no bootable image (dead until a truck roll).
    pub bricked: u64,
    /// Devices whose download failed.
    pub download_failed: u64,
    /// Chunk transmissions, successful or not.
    pub chunks_sent: u64,
}

impl WaveResult {
    fn add(&mut self, r: DeviceResult) {
        self.devices += 1;
        self.chunks_sent += r.chunks_sent;
        match r.outcome {
            Outcome::Succeeded => self.succeeded += 1,
            Outcome::RolledBack => self.rolled_back += 1,
            Outcome::Bricked => self.bricked += 1,
            Outcome::DownloadFailed => self.download_failed += 1,
        }
    }
    /// Devices for which the update did not take (errors, in the threshold's sense).
    pub fn errors(&self) -> u64 {
        self.rolled_back + self.bricked + self.download_failed
    }
}

/// What a campaign did, wave by wave.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignResult {
    /// Results of the waves that ran, in order.
    pub waves: Vec<WaveResult>,
    /// Devices in waves that never started.
    pub not_reached: u64,
    /// The wave after which the campaign stopped (None: it ran to the end).
    pub stopped_after_wave: Option<usize>,
}

impl CampaignResult {
    /// The waves' results added up.
    pub fn total(&self) -> WaveResult {
        let mut t = WaveResult::default();
        for w in &self.waves {
            t.devices += w.devices;
            t.succeeded += w.succeeded;
            t.rolled_back += w.rolled_back;
            t.bricked += w.bricked;
            t.download_failed += w.download_failed;
            t.chunks_sent += w.chunks_sent;
        }
        t
    }
}

/// Runs a campaign: devices 0.. in wave order, each updated by `device(i)`.
pub fn run_campaign(c: &Campaign, mut device: impl FnMut(u64) -> DeviceResult) -> CampaignResult {
    let mut out = CampaignResult::default();
    let mut next = 0u64;
    for (wi, &size) in c.waves.iter().enumerate() {
        let mut w = WaveResult::default();
        for i in next..next + size {
            w.add(device(i));
        }
        next += size;
        out.waves.push(w);
        let n = w.devices.max(1) as f64;
        let error_pct = w.errors() as f64 / n * 100.0;
        let success_pct = w.succeeded as f64 / n * 100.0;
        if wi + 1 < c.waves.len() && (error_pct > c.error_threshold_pct || success_pct < c.success_threshold_pct) {
            out.stopped_after_wave = Some(wi);
            out.not_reached = c.waves[wi + 1..].iter().sum();
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Stream};

    fn update(slots: Slots, resume: bool, q: f64) -> DeviceUpdate {
        DeviceUpdate {
            image_bytes: 1_000_000,
            chunk_bytes: 10_000,
            resume,
            attempts: 1,
            p_power_loss_during_write: q,
            p_boot_or_health_fail: 0.0,
            p_brick_ab: 0.0,
            slots,
        }
    }

    fn draws(i: u64) -> Draws {
        Stream::new(7, i, Purpose::Ota).draws(0)
    }

    #[test]
    fn download_without_resume_matches_the_closed_form() {
        // 100 chunks at p = 0.5 % per chunk: one attempt succeeds with 0.995^100 = 60.58 %.
        let u = update(Slots::AbRollback, false, 0.0);
        let link = ChunkLink::bernoulli(0.005);
        let n = 40_000;
        let ok = (0..n).filter(|&i| update_device(&u, &link, &mut draws(i)).outcome == Outcome::Succeeded).count();
        let expect = p_attempt_without_resume(100, 0.005);
        assert!((expect - 0.6058).abs() < 1e-4);
        // 4 standard errors of a binomial proportion at n = 40,000: 0.0098.
        assert!((ok as f64 / n as f64 - expect).abs() < 0.0098, "{ok} of {n} vs {expect}");
        // With resume and 3 sends per chunk, a chunk fails only if all 3 are lost: 1 - (1 - p^3)^100.
        let r = DeviceUpdate { resume: true, attempts: 3, ..u };
        let failed =
            (0..n).filter(|&i| update_device(&r, &link, &mut draws(i)).outcome == Outcome::DownloadFailed).count();
        let expect_fail = 1.0 - (1.0 - 0.005f64.powi(3)).powi(100);
        assert!(failed as f64 <= (expect_fail * n as f64) + 4.0, "{failed}");
    }

    #[test]
    fn single_slot_bricks_at_the_power_loss_rate_and_ab_never_does() {
        let link = ChunkLink::bernoulli(0.0);
        let n = 40_000;
        let q = 0.02;
        let single = update(Slots::Single, true, q);
        let bricked =
            (0..n).filter(|&i| update_device(&single, &link, &mut draws(i)).outcome == Outcome::Bricked).count();
        // Expected 800 of 40,000; the binomial SD is 28, so 4 SD is 112.
        let expect = p_brick_single_slot(q) * n as f64;
        assert!((bricked as f64 - expect).abs() < 112.0, "{bricked} vs {expect}");
        let ab = update(Slots::AbRollback, true, q);
        let results: Vec<Outcome> = (0..n).map(|i| update_device(&ab, &link, &mut draws(i)).outcome).collect();
        assert_eq!(results.iter().filter(|o| **o == Outcome::Bricked).count(), 0);
        // The interrupted writes roll back instead, the same devices as the single-slot bricks
        // (same draws).
        assert_eq!(results.iter().filter(|o| **o == Outcome::RolledBack).count(), bricked);
    }

    #[test]
    fn a_crossed_error_threshold_stops_the_following_waves() {
        let waves = Campaign::staged(20_000, 1.0, 25, &[10.0, 50.0, 100.0]);
        assert_eq!(waves, [200, 1_800, 8_000, 10_000]);
        let c = Campaign { waves, success_threshold_pct: 90.0, error_threshold_pct: 5.0 };
        // A bad release: every 10th device fails its boot -> 10 % errors in the canary.
        let bad = run_campaign(&c, |i| DeviceResult {
            outcome: if i % 10 == 0 { Outcome::RolledBack } else { Outcome::Succeeded },
            chunks_sent: 100,
        });
        assert_eq!(bad.stopped_after_wave, Some(0));
        assert_eq!(bad.waves.len(), 1);
        assert_eq!((bad.total().rolled_back, bad.not_reached), (20, 19_800));
        // A good release runs to the end.
        let good = run_campaign(&c, |_| DeviceResult { outcome: Outcome::Succeeded, chunks_sent: 100 });
        assert_eq!((good.stopped_after_wave, good.total().succeeded, good.not_reached), (None, 20_000, 0));
        assert_eq!(good.total().chunks_sent, 2_000_000);
    }

    #[test]
    fn outcomes_do_not_depend_on_simulation_order() {
        let u = DeviceUpdate { p_boot_or_health_fail: 0.1, ..update(Slots::AbRollback, false, 0.01) };
        let link = ChunkLink { p_good_to_bad: 0.01, p_bad_to_good: 0.3, loss_good: 0.001, loss_bad: 0.5 };
        let fwd: Vec<_> = (0..500).map(|i| update_device(&u, &link, &mut draws(i))).collect();
        let rev: Vec<_> = (0..500).rev().map(|i| update_device(&u, &link, &mut draws(i))).collect();
        assert!(fwd.iter().eq(rev.iter().rev()));
    }
}
