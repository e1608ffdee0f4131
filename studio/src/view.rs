//! The fleet view is its own program (`scaleproof-view`, a Bevy window: Tauri's and Bevy's
//! windows cannot share a process on Linux). Front ends start it through [`command`]: the
//! binary beside the running one (a build puts them side by side), else the one on the PATH.

use std::path::{Path, PathBuf};

/// The view's program name.
pub const VIEW_BINARY: &str = "scaleproof-view";

/// Where the view's binary is: beside the running executable, else `scaleproof-view` (the PATH).
pub fn binary() -> PathBuf {
    let beside = std::env::current_exe().ok().and_then(|exe| {
        let dir = exe.parent()?;
        // Test binaries live one folder down (target/debug/deps).
        [dir.to_path_buf(), dir.parent()?.to_path_buf()]
            .into_iter()
            .map(|d| d.join(VIEW_BINARY).with_extension(std::env::consts::EXE_EXTENSION))
            .find(|p| p.is_file())
    });
    beside.unwrap_or_else(|| PathBuf::from(VIEW_BINARY))
}

/// The command that opens the view of run `run` in the database `db` (add `--screenshot`,
/// `--at`, `--size` to it as `scaleproof-view --help` says).
pub fn command(db: &Path, run: i64) -> std::process::Command {
    let mut c = std::process::Command::new(binary());
    c.arg(run.to_string()).arg("--db").arg(db);
    c
}

/// The command that runs scenario `file` (with `overrides`, `PATH=VALUE`) live in the view, the
/// run stored in `db` when it ends.
pub fn live_command(db: &Path, file: &Path, overrides: &[String]) -> std::process::Command {
    let mut c = std::process::Command::new(binary());
    c.arg("--live").arg(file).arg("--db").arg(db);
    for o in overrides {
        c.arg("--set").arg(o);
    }
    c
}
