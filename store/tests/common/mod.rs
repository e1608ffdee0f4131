//! Fixtures shared by the store's integration tests: a fresh directory, the files SQLite keeps
//! beside a database, a fingerprint of a file's bytes, and a run and a series row to store.

// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use store::{NewRun, SeriesRow};

/// An empty directory for one test, under the system's temporary directory.
pub(crate) fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sp-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The file SQLite keeps beside `path` with this suffix (`-wal`, `-shm`, `-journal`).
pub(crate) fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A fingerprint of a file's bytes (length and hash), to show it was not modified.
pub(crate) fn fingerprint(path: &Path) -> (usize, u64) {
    let bytes = std::fs::read(path).unwrap();
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    (bytes.len(), h.finish())
}

/// A run of scenario `name` by process `pid` (seed 42, priced with the book `book`).
pub(crate) fn new_run(name: &str, pid: u32) -> NewRun<'_> {
    NewRun {
        created_at: "2026-12-03T00:00:00Z",
        scenario_name: name,
        scenario_file: "t.toml",
        scenario_text: "schema = 1",
        overrides_json: "[]",
        seed: 42,
        engine_version: "test",
        devices: 3,
        pid,
        replication_of: None,
        replication_index: 0,
        price_book_text: Some("book"),
    }
}

/// One hour of class `class`.
pub(crate) fn series_row(class: &str, hour: u32) -> SeriesRow {
    SeriesRow {
        class: class.into(),
        hour,
        generated: 10,
        delivered: 9,
        lost_network: 1,
        lost_collision: 0,
        dropped_overflow: 0,
        dropped_reboot: 0,
        stranded_dead: 0,
        online: 3,
        buffered: 0,
        battery_mean_mah: None,
    }
}
