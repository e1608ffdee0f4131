//! MQTT for Scaleproof (rumqttc on tokio): the virtual fleet published live to a real broker,
//! the pilot emulator (a stand-in for real hardware with known ground truth), and the pilot
//! recorder (a pilot's topics into the run database through a mapping file). The simulation and
//! the pilot maths are in `sim-core`; this crate only moves messages.

pub mod broker;
pub mod emulate;
pub mod live;
pub mod map;
pub mod mosquitto;
pub mod record;
