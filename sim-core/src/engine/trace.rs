//! Per-message traces of chosen devices: what the live publisher sends to a broker and what the
//! pilot comparison sets beside a recording. A traced run steps every tick of every device
//! (bulk stepping draws quiet ticks in one step and has no per-message events), so it is for
//! pilot-sized fleets and live runs, not for the million-device studies.
//!
//! Every reading is accounted for: it is delivered, lost, or wiped, or still buffered at the end.
//! LoRa frames are traced when the channel lets them through; collisions on the shared medium
//! settle later, in epoch order, and are not in the trace.

/// One thing that happened to a traced device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceEvent {
    /// Global device index (classes in file order, devices in class order).
    pub device: u32,
    /// Simulated time of the event: the sample time, the reboot time, or the time the message
    /// reached the backend (its creation time plus its latency, buffer wait included).
    pub at_us: u64,
    /// What happened.
    pub kind: TraceKind,
}

/// What happened to a traced device's reading (or to the device).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TraceKind {
    /// The device took tick `tick`'s reading and buffered it; `battery_pct` is the remaining
    /// charge (NaN for mains devices).
    Sample {
        /// The device's tick index, from 0.
        tick: u32,
        /// Charge left, percent of capacity (0..100; NaN for mains devices).
        battery_pct: f32,
    },
    /// The reading of tick `tick`, taken at `created_us`, reached the backend at `at_us`.
    Delivered {
        /// The tick whose reading it is.
        tick: u32,
        /// When the reading was taken, simulated microseconds.
        created_us: u64,
    },
    /// The reading of tick `tick` left the buffer without reaching the backend: dropped for
    /// room, lost on the link, or not sent for the duty cycle.
    Lost {
        /// The tick whose reading it is.
        tick: u32,
    },
    /// Everything buffered was lost at once (a reboot wiping RAM, or the device out of service).
    Wiped,
    /// The device rebooted (a crash, a brownout or a power cut); its sequence numbering restarts.
    Reboot,
}
