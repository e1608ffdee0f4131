//! The façade's contracts: every request and response a front end exchanges with `studio`, as
//! owned `Serialize + Deserialize` types. The CLI's `--json` outputs are these types serialised;
//! the desktop app receives the same JSON; TypeScript definitions are generated from them.
//! Core types (sim-core's) stay free to change behind them.

mod records;

pub use records::{Problem, RecordingItem, RunListItem, RunStatus, SweepKind, SweepListItem};
