//! What durable recording costs: 200,000 pilot messages appended in batches of 500 (the
//! recorder's typical batch) with `synchronous = NORMAL` and with `FULL`, each into a new
//! database in the temporary directory; prints messages per second for each. Then 2,000 messages
//! one per batch (a recorder at low traffic), which shows the flush each commit waits for.
//!
//! Run: `cargo test -p store --no-run` builds it; then `target/debug/examples/durability`.

use std::time::Instant;

use store::{NewRecording, PilotRow, Store};

const DEVICES: u64 = 1_000;

/// Messages per second appending `messages` in batches of `batch`, the connection durable or not.
fn measure(durable: bool, messages: u64, batch: u64) -> f64 {
    let dir = std::env::temp_dir().join(format!("sp-durability-{}-{durable}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut s = Store::open(&dir.join("runs.db")).expect("open");
    let rec = s
        .begin_recording(&NewRecording {
            created_at: "2026-12-03T00:00:00Z",
            name: "bench",
            broker: "mqtt://localhost:1883",
            map_text: "",
            pid: std::process::id(),
        })
        .expect("begin");
    s.set_durable(durable).expect("synchronous");
    let started = Instant::now();
    for first in (0..messages).step_by(batch as usize) {
        let rows: Vec<PilotRow> = (first..first + batch)
            .map(|n| PilotRow {
                device: format!("sensor-{:04}", n % DEVICES),
                seq: n / DEVICES,
                ts_us: 1_780_000_000_000_000 + n as i64 * 1_000,
                rx_us: 1_780_000_000_000_000 + n as i64 * 1_000 + 250_000,
                battery_pct: Some(87.5),
                fields_json: Some("{\"temp_c\":21.5,\"rssi_dbm\":-97}".into()),
            })
            .collect();
        s.append_recording(rec, &rows, &[]).expect("append");
    }
    let secs = started.elapsed().as_secs_f64();
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
    messages as f64 / secs
}

fn main() {
    for (messages, batch) in [(200_000, 500), (2_000, 1)] {
        let normal = measure(false, messages, batch);
        let full = measure(true, messages, batch);
        let flush_ms = 1e3 * batch as f64 * (1.0 / full - 1.0 / normal);
        println!(
            "{messages} messages, batches of {batch}: NORMAL {normal:.0} messages/s, FULL {full:.0} messages/s ({:.0} % of NORMAL; {flush_ms:.2} ms more per commit)",
            100.0 * full / normal
        );
    }
}
