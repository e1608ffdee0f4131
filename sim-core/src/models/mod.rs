//! Closed-form models: the formulas the engine uses to derive its per-tick constants, and the
//! references the tests check the engine against.

pub mod battery;
pub mod gilbert_elliott;
pub mod identity;
pub mod latency;
pub mod lora;
pub mod ota;
pub mod provisioning;
pub mod renewal;
