//! sim-core: scenario types and validation, fleet models and the deterministic simulation engine.
//!
//! **Invariant:** nothing here does IO, reads the wall clock or uses OS randomness; a run is a
//! pure function of (scenario, seed).

// Libraries never print: what a user sees is the front end's to write.
#![warn(clippy::print_stdout, clippy::print_stderr)]
// Every public item says what it is, with its unit (CI denies warnings).
#![warn(missing_docs)]

pub mod assess;
pub mod cost;
pub mod diagnostic;
pub mod engine;
pub mod models;
pub mod pilot;
pub mod replication;
pub mod rng;
pub mod scenario;
pub mod summary;
pub mod text;
pub mod time;
pub(crate) mod tomlread;
pub mod verdict;

pub use assess::{Assessment, assess, assess_replications};

/// Version of the engine; stored with every run. Bump it when results change for the same input.
pub const ENGINE_VERSION: &str = concat!("sim-core ", env!("CARGO_PKG_VERSION"), "+model1");
