//! The simulator's own types that front ends read to print a run in words (the CLI's tables):
//! a scenario, a run's summary, a price book, and the shared number formatting. Read-only views
//! for presentation; what front ends exchange with studio as data are the types of
//! [`crate::contract`].

pub use sim_core::cost::PriceBook;
pub use sim_core::cost::bill::Category;
pub use sim_core::cost::crossover::Crossover;
pub use sim_core::replication::{Bounds, Estimate};
pub use sim_core::scenario::{PowerSource, Scenario, Scope};
pub use sim_core::summary::{ClassSummary, Messages, RunSummary};
pub use sim_core::verdict::Kpi;

/// Numbers in words: thousands separators, decimals, percentages, durations, counted nouns.
pub mod text {
    pub use sim_core::text::*;
}

/// The engine's stepping (for benchmarks): skip time where nothing happens, or step every tick.
pub use sim_core::engine::Stepping;

/// A stored run's row and record, as `show` prints them.
pub use store::{RunRecord, RunRow};
