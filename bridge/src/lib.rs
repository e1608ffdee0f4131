//! MQTT for Scaleproof (rumqttc on tokio): the virtual fleet published live to a real broker,
//! the pilot emulator (a stand-in for real hardware with known ground truth), and the pilot
//! recorder (a pilot's topics into the run database through a mapping file). The simulation and
//! the pilot maths are in `sim-core`; this crate only moves messages.

// Libraries never print: what a user sees is the front end's to write.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod broker;
pub mod emulate;
pub mod live;
pub mod map;
#[cfg(unix)]
pub mod mosquitto;
pub mod record;
pub mod retry;

/// Waits until `count()` reaches `target`, giving up once it has not moved for `stall` or
/// `abandon()` says so; returns the last count (acknowledgements from the broker, for the
/// emulator and `live`).
pub(crate) async fn wait_for(
    count: impl Fn() -> u64,
    target: u64,
    stall: std::time::Duration,
    abandon: impl Fn() -> bool,
) -> u64 {
    let mut last = (count(), std::time::Instant::now());
    while last.0 < target && last.1.elapsed() < stall && !abandon() {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let now = count();
        if now != last.0 {
            last = (now, std::time::Instant::now());
        }
    }
    count()
}
