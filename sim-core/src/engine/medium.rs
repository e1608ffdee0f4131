//! The shared LoRa medium: frames on the same (gateway, spreading factor, channel) that overlap in
//! time are both lost (LoRaSim's simplified collision model, i.e. pure ALOHA). Frames are resolved
//! once no later frame can overlap them.

use super::counts::{Counter, Counts, LatencyStats};

/// One LoRa uplink on air.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// gateway << 16 | spreading factor << 8 | channel
    pub key: u64,
    pub start_us: u64,
    pub end_us: u64,
    pub created_us: u64,
    /// Backhaul latency added on delivery.
    pub extra_latency_us: u64,
    pub class: u16,
    /// Lost by the radio channel (fading), whatever else happens on air.
    pub channel_lost: bool,
    pub collided: bool,
}

/// Frames waiting for resolution, carried from epoch to epoch.
#[derive(Default)]
pub(crate) struct Medium {
    pending: Vec<Frame>,
}

impl Medium {
    /// Adds this epoch's frames (in a deterministic order), marks overlaps, and settles every frame
    /// that ends by `settle_before_us` (no frame that starts later can overlap it).
    pub(crate) fn resolve(
        &mut self,
        new: impl IntoIterator<Item = Frame>,
        settle_before_us: u64,
        counts: &mut [Counts],
        latency: &mut [LatencyStats],
    ) {
        self.pending.extend(new);
        if self.pending.is_empty() {
            return;
        }
        self.pending.sort_by_key(|f| (f.key, f.start_us, f.end_us, f.created_us, f.class));
        let n = self.pending.len();
        let mut i = 0;
        while i < n {
            let key = self.pending[i].key;
            let mut max_end = 0u64;
            let mut j = i;
            while j < n && self.pending[j].key == key {
                let f = self.pending[j];
                let overlaps_earlier = j > i && f.start_us < max_end;
                let overlaps_next =
                    j + 1 < n && self.pending[j + 1].key == key && self.pending[j + 1].start_us < f.end_us;
                if overlaps_earlier || overlaps_next {
                    self.pending[j].collided = true;
                }
                max_end = max_end.max(f.end_us);
                j += 1;
            }
            i = j;
        }
        let mut keep = Vec::new();
        for f in self.pending.drain(..) {
            if f.end_us > settle_before_us {
                keep.push(f);
                continue;
            }
            let c = f.class as usize;
            if f.channel_lost {
                counts[c].inc(Counter::LostChannel);
            } else if f.collided {
                counts[c].inc(Counter::LostCollision);
            } else {
                counts[c].inc(Counter::Delivered);
                latency[c].record(f.end_us - f.created_us + f.extra_latency_us);
            }
        }
        self.pending = keep;
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.pending.len()
    }
}
