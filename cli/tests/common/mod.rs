//! What the binary's integration tests that run from the repository root share: the binary,
//! the root, and a successful run's standard output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `scaleproof`, run from the repository root (so `scenarios/...` paths work).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scaleproof"));
    c.current_dir(root());
    c
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The standard output of a command that must succeed (its standard error if not).
pub fn ok(out: Output) -> String {
    assert!(out.status.success(), "exit {:?}\nstderr:\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
