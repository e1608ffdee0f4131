//! Opening the run database: concurrent creation, refusing a newer schema without touching the
//! file, and the mode of a new file.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Barrier;

use rusqlite::Connection;
use store::{SCHEMA_VERSION, Store, StoreError};

mod common;
use common::{fingerprint, fresh_dir, side_file};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn several_connections_creating_one_new_database_at_once_all_succeed() {
    const TRIALS: usize = 30;
    const OPENERS: usize = 4;
    let dir = fresh_dir("open-race");
    for trial in 0..TRIALS {
        let path = dir.join(format!("runs-{trial}.db"));
        let barrier = Barrier::new(OPENERS);
        let results: Vec<Result<i64, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..OPENERS)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        let s = Store::open(&path).map_err(|e| e.to_string())?;
                        s.schema_version().map_err(|e| e.to_string())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in &results {
            assert_eq!(r.as_ref(), Ok(&SCHEMA_VERSION), "trial {trial}: {results:?}");
        }
        let conn = Connection::open(&path).unwrap();
        let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(journal, "wal", "trial {trial}");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'runs'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 1);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = fresh_dir("too-new");
    let path = dir.join("runs.db");
    {
        let conn = Connection::open(&path).unwrap();
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0)).unwrap();
        assert_eq!(mode, "delete");
        conn.execute_batch("CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (1);").unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5).unwrap();
    }
    let before = fingerprint(&path);
    match Store::open(&path) {
        Err(StoreError::TooNew { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 5, SCHEMA_VERSION));
        }
        Err(e) => panic!("expected TooNew, got {e}"),
        Ok(_) => panic!("expected TooNew, the database opened"),
    }
    assert_eq!(fingerprint(&path), before, "the refused database was modified");
    assert!(!side_file(&path, "-wal").exists(), "a -wal file was created");
    assert!(!side_file(&path, "-shm").exists(), "a -shm file was created");
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "delete");
    drop(conn);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_new_database_is_private_and_an_existing_one_keeps_its_mode() {
    let dir = fresh_dir("mode");
    let path = dir.join("sub").join("runs.db");
    let s = Store::open(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
    // The WAL and its index, there while the store is open, take the database's mode.
    for suffix in ["-wal", "-shm"] {
        assert_eq!(mode(&side_file(&path, suffix)), 0o600, "{suffix}");
    }
    drop(s);

    let shared = dir.join("shared.db");
    drop(Store::open(&shared).unwrap());
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Store::open(&shared).unwrap());
    assert_eq!(mode(&shared), 0o644, "open changed an existing file's mode");
    std::fs::remove_dir_all(&dir).unwrap();
}
