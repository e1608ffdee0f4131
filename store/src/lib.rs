//! The run database (SQLite, WAL): runs with their scenario text, seed, engine version and
//! RunSummary, and hourly series per device class. Schema changes are numbered migrations tracked
//! in `PRAGMA user_version`.
//!
//! **Invariant:** a run row is written (status `running`) before any of its series, series are
//! appended in committed transactions, and the status becomes `complete` last; a process killed
//! mid-run leaves a readable database whose earlier runs are intact, and [`Store::open`] marks
//! such orphaned runs `incomplete`. A run stopped on request ends `cancelled`, one that panicked
//! or failed part-way `failed` ([`Store::cancel_run`], [`Store::fail_run`]); either keeps the
//! series it wrote and has no summary.
//!
//! **Invariant:** every transaction that writes more than one statement is `BEGIN IMMEDIATE`: it
//! takes the write lock before its first read, so a writer that meets another waits (up to the
//! 30 s busy timeout) instead of failing with "database is locked" (SQLite cannot wait for a
//! deferred transaction that read a snapshot another connection has since committed past).
//! Several processes may open, write and read one database at once.
//!
//! **Invariant:** [`Store::open`] reads `user_version` before anything that writes, so a database
//! from a newer Scaleproof is refused untouched (no journal-mode switch, no `-wal`). Migrations
//! run in one `IMMEDIATE` transaction that re-reads `user_version` and applies only the missing
//! ones, so processes creating one new database at once each see it created once.
//!
//! **Invariant:** a database file `open` creates is created mode 0600 (it holds mapping files and
//! raw payloads; SQLite gives `-wal` and `-shm` the database's mode); an existing file's mode is
//! left alone.
//!
//! **Invariant:** [`Store::open_read_only`] never writes the database: no file or directory
//! created, no journal-mode switch, no migration, no orphan marking; SQLite itself refuses writes
//! through it. (Beside a WAL database SQLite opens `-wal` and `-shm`, which carry the locks, even
//! for reading, and may leave an empty `-wal` behind.)
//!
//! Durability: runs and sweeps commit with `synchronous = NORMAL` (a power loss may undo the last
//! few committed transactions, never corrupt the file; a run whose last series or `complete` is
//! undone is left `running` and marked `incomplete` by the next open). The connection that
//! begins a recording commits with `synchronous = FULL` (see `recording`): a batch the recorder
//! acknowledged survives a power loss.

// Libraries never print: what a user sees is the front end's to write.
#![warn(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

mod recording;
pub use recording::{MALFORMED_SAMPLE, MalformedRow, NewRecording, PilotRow, RecordingRow, StoredMessage};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("run database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer Scaleproof.
    #[error(
        "run database has schema version {found}, newer than this build understands ({supported}); upgrade Scaleproof"
    )]
    TooNew { found: i64, supported: i64 },
    /// The database was written by an older Scaleproof and a read-only open cannot upgrade it;
    /// any command that writes to it upgrades it.
    #[error(
        "run database has schema version {found}, older than this build's ({supported}); any command that writes to it (such as `scaleproof run`) upgrades it"
    )]
    Outdated { found: i64, supported: i64 },
    /// A read-only open found no database at `path` (it never creates one).
    #[error("no run database at {path}")]
    Missing { path: String },
    /// A migration was refused (and rolled back: the database is as it was).
    #[error("run database: cannot upgrade the schema: {0}")]
    Migration(String),
    /// The directory for the database could not be created.
    #[error("cannot create {path}: {source}")]
    Dir { path: String, source: std::io::Error },
    /// The database file could not be created.
    #[error("cannot create {path}: {source}")]
    Create { path: String, source: std::io::Error },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Numbered migrations: migration i brings the schema from version i to i + 1.
const MIGRATIONS: &[&str] = &[
    // 1: runs and hourly series.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        scenario_name TEXT NOT NULL,
        scenario_file TEXT NOT NULL,
        scenario_text TEXT NOT NULL,
        overrides_json TEXT NOT NULL,
        seed TEXT NOT NULL,
        engine_version TEXT NOT NULL,
        devices INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete')),
        pid INTEGER,
        replication_of INTEGER REFERENCES runs(id),
        replication_index INTEGER NOT NULL DEFAULT 0,
        summary_json TEXT,
        wall_s REAL
    );
    CREATE TABLE series (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        class TEXT NOT NULL,
        hour INTEGER NOT NULL,
        generated INTEGER NOT NULL,
        delivered INTEGER NOT NULL,
        lost_network INTEGER NOT NULL,
        lost_collision INTEGER NOT NULL,
        dropped_overflow INTEGER NOT NULL,
        dropped_reboot INTEGER NOT NULL,
        stranded_dead INTEGER NOT NULL,
        online INTEGER NOT NULL,
        buffered INTEGER NOT NULL,
        battery_mean_mah REAL,
        PRIMARY KEY (run, class, hour)
    ) WITHOUT ROWID;",
    // 2: the price book each run was priced with; sweeps and sensitivity studies.
    "ALTER TABLE runs ADD COLUMN price_book_text TEXT;
    CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('sweep', 'sensitivity')),
        scenario_name TEXT NOT NULL,
        scenario_file TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete')),
        pid INTEGER
    );
    CREATE TABLE sweep_points (
        sweep INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        label TEXT NOT NULL,
        value TEXT NOT NULL,
        run INTEGER NOT NULL REFERENCES runs(id),
        PRIMARY KEY (sweep, idx)
    ) WITHOUT ROWID;",
    // 3: pilot recordings (see `recording`).
    "CREATE TABLE recordings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        name TEXT NOT NULL,
        broker TEXT NOT NULL,
        map_text TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete')),
        pid INTEGER,
        received INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        malformed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE recording_devices (
        recording INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        device TEXT NOT NULL,
        PRIMARY KEY (recording, idx)
    ) WITHOUT ROWID;
    CREATE TABLE pilot_messages (
        recording INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        device INTEGER NOT NULL,
        ts_us INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        rx_us INTEGER NOT NULL,
        battery_pct REAL,
        fields_json TEXT,
        PRIMARY KEY (recording, device, ts_us, seq)
    ) WITHOUT ROWID;
    CREATE TABLE pilot_malformed (
        recording INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        topic TEXT NOT NULL,
        reason TEXT NOT NULL,
        payload BLOB NOT NULL,
        PRIMARY KEY (recording, n)
    ) WITHOUT ROWID;",
    // 4: each run's timeline of events (see `EventRow`); runs from before have none.
    "CREATE TABLE run_events (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        start_us INTEGER NOT NULL,
        end_us INTEGER,
        site TEXT,
        gateway INTEGER,
        profile TEXT,
        event INTEGER,
        wave INTEGER,
        caption TEXT,
        devices INTEGER NOT NULL,
        PRIMARY KEY (run, seq)
    ) WITHOUT ROWID;",
    // 5: runs and sweeps may end `cancelled` (stopped on request) or `failed` (a panic or an
    // error part-way). SQLite cannot change a CHECK constraint in place: each table is rebuilt
    // (create, copy, drop, rename: SQLite's "12-step" procedure, run by `migrate` with foreign
    // keys off so dropping the old table deletes nothing), keeping every row, id and the
    // AUTOINCREMENT counter. Neither table has indexes or triggers besides its primary key.
    "CREATE TABLE runs_v4 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        scenario_name TEXT NOT NULL,
        scenario_file TEXT NOT NULL,
        scenario_text TEXT NOT NULL,
        overrides_json TEXT NOT NULL,
        seed TEXT NOT NULL,
        engine_version TEXT NOT NULL,
        devices INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete', 'cancelled', 'failed')),
        pid INTEGER,
        replication_of INTEGER REFERENCES runs(id),
        replication_index INTEGER NOT NULL DEFAULT 0,
        summary_json TEXT,
        wall_s REAL,
        price_book_text TEXT
    );
    INSERT INTO runs_v4 (id, created_at, scenario_name, scenario_file, scenario_text, overrides_json, seed,
        engine_version, devices, status, pid, replication_of, replication_index, summary_json, wall_s, price_book_text)
    SELECT id, created_at, scenario_name, scenario_file, scenario_text, overrides_json, seed,
        engine_version, devices, status, pid, replication_of, replication_index, summary_json, wall_s, price_book_text
    FROM runs;
    DELETE FROM sqlite_sequence WHERE name = 'runs_v4';
    INSERT INTO sqlite_sequence (name, seq) SELECT 'runs_v4', seq FROM sqlite_sequence WHERE name = 'runs';
    DROP TABLE runs;
    ALTER TABLE runs_v4 RENAME TO runs;
    CREATE TABLE sweeps_v4 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('sweep', 'sensitivity')),
        scenario_name TEXT NOT NULL,
        scenario_file TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete', 'cancelled', 'failed')),
        pid INTEGER
    );
    INSERT INTO sweeps_v4 (id, created_at, kind, scenario_name, scenario_file, spec_json, status, pid)
    SELECT id, created_at, kind, scenario_name, scenario_file, spec_json, status, pid FROM sweeps;
    DELETE FROM sqlite_sequence WHERE name = 'sweeps_v4';
    INSERT INTO sqlite_sequence (name, seq) SELECT 'sweeps_v4', seq FROM sqlite_sequence WHERE name = 'sweeps';
    DROP TABLE sweeps;
    ALTER TABLE sweeps_v4 RENAME TO sweeps;",
    // 6: a run's label (a name people give it) and tags (a JSON array of strings).
    "ALTER TABLE runs ADD COLUMN label TEXT;
    ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';",
    // 7: a run's playback data: every device's state hour by hour, run-length encoded
    // (`sim_core::engine::Timeline::encode`); only runs recorded with playback have it.
    "CREATE TABLE run_playback (
        run INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        devices INTEGER NOT NULL,
        epochs INTEGER NOT NULL,
        data BLOB NOT NULL
    );",
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A run about to start.
#[derive(Clone, Debug)]
pub struct NewRun<'a> {
    pub created_at: &'a str,
    pub scenario_name: &'a str,
    pub scenario_file: &'a str,
    pub scenario_text: &'a str,
    pub overrides_json: &'a str,
    pub seed: u64,
    pub engine_version: &'a str,
    pub devices: u64,
    pub pid: u32,
    pub replication_of: Option<i64>,
    pub replication_index: u32,
    /// The price book the run is priced with (its text, after nothing: overrides are in the
    /// scenario).
    pub price_book_text: Option<&'a str>,
}

/// One hour of one device class.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesRow {
    pub class: String,
    pub hour: u32,
    pub generated: u64,
    pub delivered: u64,
    pub lost_network: u64,
    pub lost_collision: u64,
    pub dropped_overflow: u64,
    pub dropped_reboot: u64,
    pub stranded_dead: u64,
    pub online: u64,
    pub buffered: u64,
    /// Mean charge of the battery devices in service (None for mains classes).
    pub battery_mean_mah: Option<f64>,
}

/// One event of a run's timeline, as the engine reported it (`sim_core::engine::events::RunEvent`,
/// whose fields these are; the store does not depend on the engine). Times are simulated
/// microseconds from the run's start.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    /// `gateway_outage`, `site_outage`, `power_outage`, `power_sag`, `firmware_campaign`,
    /// `firmware_wave` or `credential_leak`.
    pub kind: String,
    /// When it starts, µs from the run's start.
    pub start_us: u64,
    /// When it ends, µs from the run's start (None: instantaneous, or never).
    pub end_us: Option<u64>,
    pub site: Option<String>,
    /// The gateway within the site, from 0.
    pub gateway: Option<u32>,
    /// The network or power profile whose process drew it.
    pub profile: Option<String>,
    /// The scenario `[[event]]` it comes from, from 0.
    pub event: Option<u32>,
    /// The wave of a firmware campaign, from 0.
    pub wave: Option<u32>,
    pub caption: Option<String>,
    /// Devices it concerns.
    pub devices: u64,
}

/// A stored run as listed by `runs`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub created_at: String,
    pub scenario_name: String,
    pub scenario_file: String,
    pub seed: u64,
    pub devices: u64,
    pub status: String,
    pub replication_of: Option<i64>,
    pub replication_index: u32,
    pub wall_s: Option<f64>,
    pub summary_json: Option<String>,
    /// The name people gave it, if any.
    pub label: Option<String>,
    /// Its tags, in the order given.
    pub tags: Vec<String>,
}

/// What [`Store::delete_run`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deleted {
    /// The run and its replications (this many rows of `runs`), with their series and events.
    Runs(usize),
    /// No such run.
    Missing,
    /// The run is a point of this sweep or study: deleting it would break the sweep.
    InSweep(i64),
}

/// Everything stored about one run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    pub row: RunRow,
    pub scenario_text: String,
    pub overrides_json: String,
    pub engine_version: String,
    pub price_book_text: Option<String>,
}

/// A sweep or sensitivity study: the spec it was run with, and its points.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRecord {
    pub id: i64,
    pub created_at: String,
    pub kind: String,
    pub scenario_name: String,
    pub scenario_file: String,
    pub spec_json: String,
    pub status: String,
    pub points: Vec<SweepPoint>,
}

/// One point of a sweep: the value swept and the run (replication 0) that produced it.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    pub idx: u32,
    pub label: String,
    pub value: String,
    pub run: i64,
}

pub struct Store {
    conn: Connection,
}

/// Whether a process is still running (Linux: /proc; elsewhere runs are never marked orphaned).
#[cfg(target_os = "linux")]
fn process_alive(pid: i64) -> bool {
    // A container may run without /proc mounted: then nothing can be told.
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Without /proc a run's process cannot be looked up: it is taken to be alive.
#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: i64) -> bool {
    true
}

/// How long a connection waits for another's lock before SQLite reports "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long `open` keeps retrying the steps SQLite may refuse at once, without waiting for the
/// lock (switching to WAL while other connections create the same new file).
const OPEN_RETRY_FOR: Duration = Duration::from_secs(10);

/// Whether SQLite refused for a lock held by another connection.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// `f`, retried with a doubling backoff (1 ms to 100 ms) for up to [`OPEN_RETRY_FOR`] while it
/// fails with "database is locked".
fn retry_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = Instant::now() + OPEN_RETRY_FOR;
    let mut pause = Duration::from_millis(1);
    loop {
        match f() {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            result => return result,
        }
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// [`StoreError::TooNew`] for a schema version this build does not know.
fn refuse_newer(found: i64) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found, supported: SCHEMA_VERSION });
    }
    Ok(())
}

/// Creates `path` empty with mode 0600 unless it exists (SQLite then initialises it as a new
/// database and gives its `-wal` and `-shm` the same mode).
/// (Elsewhere the file gets the platform's default permissions.)
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Create { path: path.display().to_string(), source }),
    }
}

impl Store {
    /// Opens (creating if needed, mode 0600) the database at `path`, migrates it, and marks runs
    /// whose process is gone as `incomplete`. A database from a newer Scaleproof is refused
    /// ([`StoreError::TooNew`]) before anything is written to it.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::Dir { path: dir.display().to_string(), source })?;
        }
        create_private(path)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // A plain read: nothing is written before a newer schema is refused.
        let found = retry_busy(|| user_version(&conn))?;
        refuse_newer(found)?;
        // Switching a new file to WAL can be refused at once (without the busy handler) while
        // other connections are creating the same file.
        retry_busy(|| conn.pragma_update(None, "journal_mode", "WAL"))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { conn };
        if found < SCHEMA_VERSION {
            store.migrate()?;
        }
        store.mark_orphans()?;
        Ok(store)
    }

    /// Opens the database at `path` for reading only. Nothing is written: the file (or its
    /// directory) is never created ([`StoreError::Missing`]), its journal mode is left as it is,
    /// it is not migrated ([`StoreError::Outdated`] when it is older than this build,
    /// [`StoreError::TooNew`] when newer) and orphaned runs are not marked; every write through
    /// the returned store fails. Every read method works on it.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if let Ok(false) = path.try_exists() {
            return Err(StoreError::Missing { path: path.display().to_string() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let found = retry_busy(|| user_version(&conn))?;
        refuse_newer(found)?;
        if found < SCHEMA_VERSION {
            return Err(StoreError::Outdated { found, supported: SCHEMA_VERSION });
        }
        Ok(Store { conn })
    }

    /// Applies the missing migrations in one `IMMEDIATE` transaction, reading the version again
    /// under the write lock: another process may have migrated since `open` read it.
    ///
    /// Foreign keys are off while they run (a rebuilt table is dropped and replaced: with them
    /// on, dropping it would delete the rows that refer to it) and checked before the commit.
    fn migrate(&mut self) -> Result<()> {
        // Cannot change inside a transaction: set around it.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let migrated = self.migrate_unchecked();
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        migrated
    }

    fn migrate_unchecked(&mut self) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = user_version(&tx)?;
        refuse_newer(version)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        let broken: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
        if let Some(table) = broken {
            // Rolled back when `tx` is dropped: the database stays as it was.
            return Err(StoreError::Migration(format!("it would leave a broken reference in table {table}")));
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks `running` runs, sweeps and recordings whose process is gone as `incomplete`. Most
    /// opens find none and take no write lock.
    fn mark_orphans(&mut self) -> Result<()> {
        let mut orphans = Vec::new();
        for table in ["runs", "sweeps", "recordings"] {
            let mut stmt = self.conn.prepare(&format!("SELECT id, pid FROM {table} WHERE status = 'running'"))?;
            let rows: Vec<(i64, Option<i64>)> =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            orphans.extend(
                rows.into_iter().filter(|(_, pid)| pid.is_none_or(|p| !process_alive(p))).map(|(id, _)| (table, id)),
            );
        }
        if orphans.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (table, id) in orphans {
            // Still `running`: it may have finished since it was read.
            tx.execute(
                &format!("UPDATE {table} SET status = 'incomplete' WHERE id = ?1 AND status = 'running'"),
                [id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether each commit on this connection is flushed to disk before it returns
    /// (`PRAGMA synchronous = FULL`: it survives a power loss) or, the default, only at WAL
    /// checkpoints (`NORMAL`: a power loss may undo the last few commits, never corrupt the
    /// file). [`Store::begin_recording`] makes its connection durable.
    pub fn set_durable(&mut self, durable: bool) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })?;
        Ok(())
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(user_version(&self.conn)?)
    }

    /// Records a run as `running` and returns its id.
    pub fn begin_run(&mut self, r: &NewRun<'_>) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO runs (created_at, scenario_name, scenario_file, scenario_text, overrides_json, seed, engine_version, devices, status, pid, replication_of, replication_index, price_book_text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running', ?9, ?10, ?11, ?12)",
            params![
                r.created_at,
                r.scenario_name,
                r.scenario_file,
                r.scenario_text,
                r.overrides_json,
                r.seed.to_string(),
                r.engine_version,
                r.devices as i64,
                r.pid as i64,
                r.replication_of,
                r.replication_index as i64,
                r.price_book_text
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Appends series rows in one (`IMMEDIATE`) transaction.
    pub fn append_series(&mut self, run: i64, rows: &[SeriesRow]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO series (run, class, hour, generated, delivered, lost_network, lost_collision, dropped_overflow, dropped_reboot, stranded_dead, online, buffered, battery_mean_mah)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            for s in rows {
                stmt.execute(params![
                    run,
                    s.class,
                    s.hour as i64,
                    s.generated as i64,
                    s.delivered as i64,
                    s.lost_network as i64,
                    s.lost_collision as i64,
                    s.dropped_overflow as i64,
                    s.dropped_reboot as i64,
                    s.stranded_dead as i64,
                    s.online as i64,
                    s.buffered as i64,
                    s.battery_mean_mah
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a run's timeline of events in one (`IMMEDIATE`) transaction, numbered in the
    /// order given (the engine's order). Written after the run row and before `finish_run`, so
    /// a `complete` run has its events and a killed one is left `incomplete`.
    pub fn append_events(&mut self, run: i64, rows: &[EventRow]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let first: i64 =
                tx.query_row("SELECT coalesce(max(seq) + 1, 0) FROM run_events WHERE run = ?1", [run], |r| r.get(0))?;
            let mut stmt = tx.prepare_cached(
                "INSERT INTO run_events (run, seq, kind, start_us, end_us, site, gateway, profile, event, wave, caption, devices)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for (i, e) in rows.iter().enumerate() {
                stmt.execute(params![
                    run,
                    first + i as i64,
                    e.kind,
                    sql_u64(e.start_us),
                    e.end_us.map(sql_u64),
                    e.site,
                    e.gateway,
                    e.profile,
                    e.event,
                    e.wave,
                    e.caption,
                    sql_u64(e.devices)
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A run's timeline of events, in the order they were stored (empty for a run stored
    /// before events were: schema version 3 and older).
    pub fn events(&self, run: i64) -> Result<Vec<EventRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT kind, start_us, end_us, site, gateway, profile, event, wave, caption, devices
             FROM run_events WHERE run = ?1 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([run], |r| {
                Ok(EventRow {
                    kind: r.get(0)?,
                    start_us: r.get::<_, i64>(1)? as u64,
                    end_us: r.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                    site: r.get(3)?,
                    gateway: r.get(4)?,
                    profile: r.get(5)?,
                    event: r.get(6)?,
                    wave: r.get(7)?,
                    caption: r.get(8)?,
                    devices: r.get::<_, i64>(9)? as u64,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Stores the summary and marks the run `complete`.
    pub fn finish_run(&mut self, run: i64, summary_json: &str, wall_s: f64) -> Result<()> {
        self.conn.execute(
            "UPDATE runs SET status = 'complete', summary_json = ?2, wall_s = ?3, pid = NULL WHERE id = ?1",
            params![run, summary_json, wall_s],
        )?;
        Ok(())
    }

    /// Marks a `running` run `cancelled`: stopped at the user's request, its series up to the
    /// stop kept, no summary. `wall_s`: seconds it ran.
    pub fn cancel_run(&mut self, run: i64, wall_s: f64) -> Result<()> {
        self.end_run(run, "cancelled", wall_s)
    }

    /// Marks a `running` run `failed`: it panicked or hit an error part-way (its series up to
    /// then kept, no summary). `wall_s`: seconds it ran.
    pub fn fail_run(&mut self, run: i64, wall_s: f64) -> Result<()> {
        self.end_run(run, "failed", wall_s)
    }

    fn end_run(&mut self, run: i64, status: &str, wall_s: f64) -> Result<()> {
        self.conn.execute(
            "UPDATE runs SET status = ?2, wall_s = ?3, pid = NULL WHERE id = ?1 AND status = 'running'",
            params![run, status, wall_s],
        )?;
        Ok(())
    }

    /// Names a run (None or blank: no name); false when there is no such run.
    pub fn set_run_label(&mut self, run: i64, label: Option<&str>) -> Result<bool> {
        let label = label.map(str::trim).filter(|l| !l.is_empty());
        Ok(self.conn.execute("UPDATE runs SET label = ?2 WHERE id = ?1", params![run, label])? > 0)
    }

    /// Sets a run's tags (trimmed, blanks and repeats dropped, in order); false when there is
    /// no such run.
    pub fn set_run_tags(&mut self, run: i64, tags: &[String]) -> Result<bool> {
        let mut kept: Vec<&str> = Vec::new();
        for t in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            if !kept.contains(&t) {
                kept.push(t);
            }
        }
        let json = serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into());
        Ok(self.conn.execute("UPDATE runs SET tags = ?2 WHERE id = ?1", params![run, json])? > 0)
    }

    /// Stores a run's playback data (see migration 7), replacing any it had. Written before
    /// `finish_run`, like its events.
    pub fn put_playback(&mut self, run: i64, devices: u32, epochs: u32, data: &[u8]) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO run_playback (run, devices, epochs, data) VALUES (?1, ?2, ?3, ?4)",
            params![run, devices, epochs, data],
        )?;
        Ok(())
    }

    /// A run's playback data, if it was recorded with it.
    pub fn playback(&self, run: i64) -> Result<Option<Vec<u8>>> {
        Ok(self.conn.query_row("SELECT data FROM run_playback WHERE run = ?1", [run], |r| r.get(0)).optional()?)
    }

    /// Deletes a run (a replication: the run it belongs to) with its replications, their series
    /// and events, in one transaction. A run that is a point of a sweep or study is kept: the
    /// sweep needs it.
    pub fn delete_run(&mut self, run: i64) -> Result<Deleted> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: Option<Option<i64>> =
            tx.query_row("SELECT replication_of FROM runs WHERE id = ?1", [run], |r| r.get(0)).optional()?;
        let Some(replication_of) = exists else { return Ok(Deleted::Missing) };
        // A replication belongs to its run: deleting the run deletes it.
        let head = replication_of.unwrap_or(run);
        let sweep: Option<i64> =
            tx.query_row("SELECT sweep FROM sweep_points WHERE run = ?1 LIMIT 1", [head], |r| r.get(0)).optional()?;
        if let Some(sweep) = sweep {
            return Ok(Deleted::InSweep(sweep));
        }
        let n = tx.execute("DELETE FROM runs WHERE replication_of = ?1", [head])?
            + tx.execute("DELETE FROM runs WHERE id = ?1", [head])?;
        tx.commit()?;
        Ok(Deleted::Runs(n))
    }

    /// Runs, newest first.
    pub fn list_runs(&self, limit: usize) -> Result<Vec<RunRow>> {
        let mut stmt = self.conn.prepare(&format!("{RUN_COLUMNS} ORDER BY id DESC LIMIT ?1"))?;
        let rows = stmt.query_map([limit as i64], run_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn get_run(&self, id: i64) -> Result<Option<RunRecord>> {
        let row = self.conn.query_row(&format!("{RUN_COLUMNS} WHERE id = ?1"), [id], run_row).optional()?;
        let Some(row) = row else { return Ok(None) };
        let (scenario_text, overrides_json, engine_version, price_book_text) = self.conn.query_row(
            "SELECT scenario_text, overrides_json, engine_version, price_book_text FROM runs WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(Some(RunRecord { row, scenario_text, overrides_json, engine_version, price_book_text }))
    }

    /// The complete replications of a run (itself first, then those recorded as its
    /// replications), as summary JSON.
    pub fn replication_summaries(&self, run: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT summary_json FROM runs WHERE (id = ?1 OR replication_of = ?1) AND status = 'complete'
             AND summary_json IS NOT NULL ORDER BY replication_index",
        )?;
        let rows = stmt.query_map([run], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Records a sweep as `running` and returns its id.
    pub fn begin_sweep(
        &mut self,
        created_at: &str,
        kind: &str,
        scenario_name: &str,
        scenario_file: &str,
        spec_json: &str,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO sweeps (created_at, kind, scenario_name, scenario_file, spec_json, status, pid)
             VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)",
            params![created_at, kind, scenario_name, scenario_file, spec_json, std::process::id() as i64],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn add_sweep_point(&mut self, sweep: i64, p: &SweepPoint) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sweep_points (sweep, idx, label, value, run) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![sweep, p.idx as i64, p.label, p.value, p.run],
        )?;
        Ok(())
    }

    /// Replaces a sweep's spec (e.g. to keep a study's results with it).
    pub fn set_sweep_spec(&mut self, sweep: i64, spec_json: &str) -> Result<()> {
        self.conn.execute("UPDATE sweeps SET spec_json = ?2 WHERE id = ?1", params![sweep, spec_json])?;
        Ok(())
    }

    pub fn finish_sweep(&mut self, sweep: i64) -> Result<()> {
        self.conn.execute("UPDATE sweeps SET status = 'complete', pid = NULL WHERE id = ?1", [sweep])?;
        Ok(())
    }

    /// Marks a `running` sweep or study `cancelled` (stopped at the user's request; the points
    /// finished before the stop are kept).
    pub fn cancel_sweep(&mut self, sweep: i64) -> Result<()> {
        self.end_sweep(sweep, "cancelled")
    }

    /// Marks a `running` sweep or study `failed` (a point failed).
    pub fn fail_sweep(&mut self, sweep: i64) -> Result<()> {
        self.end_sweep(sweep, "failed")
    }

    fn end_sweep(&mut self, sweep: i64, status: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sweeps SET status = ?2, pid = NULL WHERE id = ?1 AND status = 'running'",
            params![sweep, status],
        )?;
        Ok(())
    }

    pub fn get_sweep(&self, id: i64) -> Result<Option<SweepRecord>> {
        let head = self
            .conn
            .query_row(
                "SELECT id, created_at, kind, scenario_name, scenario_file, spec_json, status FROM sweeps WHERE id = ?1",
                [id],
                |r| {
                    Ok(SweepRecord {
                        id: r.get(0)?,
                        created_at: r.get(1)?,
                        kind: r.get(2)?,
                        scenario_name: r.get(3)?,
                        scenario_file: r.get(4)?,
                        spec_json: r.get(5)?,
                        status: r.get(6)?,
                        points: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut rec) = head else { return Ok(None) };
        let mut stmt =
            self.conn.prepare("SELECT idx, label, value, run FROM sweep_points WHERE sweep = ?1 ORDER BY idx")?;
        rec.points = stmt
            .query_map([id], |r| {
                Ok(SweepPoint { idx: r.get::<_, i64>(0)? as u32, label: r.get(1)?, value: r.get(2)?, run: r.get(3)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(rec))
    }

    /// Stored sweeps and sensitivity studies with their points, newest first.
    pub fn list_sweeps(&self, limit: usize) -> Result<Vec<SweepRecord>> {
        let ids: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM sweeps ORDER BY id DESC LIMIT ?1")?
            .query_map([limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.get_sweep(id)?);
        }
        Ok(out)
    }

    /// The newest run's id (a run with replications is its first: the id `run` printed).
    pub fn last_run(&self) -> Result<Option<i64>> {
        Ok(self.conn.query_row("SELECT max(id) FROM runs WHERE replication_of IS NULL", [], |r| r.get(0))?)
    }

    pub fn series(&self, run: i64) -> Result<Vec<SeriesRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT class, hour, generated, delivered, lost_network, lost_collision, dropped_overflow, dropped_reboot, stranded_dead, online, buffered, battery_mean_mah
             FROM series WHERE run = ?1 ORDER BY hour, class",
        )?;
        let rows = stmt
            .query_map([run], |r| {
                Ok(SeriesRow {
                    class: r.get(0)?,
                    hour: r.get::<_, i64>(1)? as u32,
                    generated: r.get::<_, i64>(2)? as u64,
                    delivered: r.get::<_, i64>(3)? as u64,
                    lost_network: r.get::<_, i64>(4)? as u64,
                    lost_collision: r.get::<_, i64>(5)? as u64,
                    dropped_overflow: r.get::<_, i64>(6)? as u64,
                    dropped_reboot: r.get::<_, i64>(7)? as u64,
                    stranded_dead: r.get::<_, i64>(8)? as u64,
                    online: r.get::<_, i64>(9)? as u64,
                    buffered: r.get::<_, i64>(10)? as u64,
                    battery_mean_mah: r.get(11)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// SQLite's own consistency check ("ok" when the file is sound).
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// A count or time as SQLite's INTEGER (i64); values past i64::MAX (never produced: times are
/// bounded by the 50-year horizon) are clamped rather than wrapped.
fn sql_u64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

const RUN_COLUMNS: &str = "SELECT id, created_at, scenario_name, scenario_file, seed, devices, status, replication_of, replication_index, wall_s, summary_json, label, tags FROM runs";

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    Ok(RunRow {
        id: r.get(0)?,
        created_at: r.get(1)?,
        scenario_name: r.get(2)?,
        scenario_file: r.get(3)?,
        seed: r.get::<_, String>(4)?.parse().unwrap_or(0),
        devices: r.get::<_, i64>(5)? as u64,
        status: r.get(6)?,
        replication_of: r.get(7)?,
        replication_index: r.get::<_, i64>(8)? as u32,
        wall_s: r.get(9)?,
        summary_json: r.get(10)?,
        label: r.get(11)?,
        // Written by `set_run_tags` only; a hand-edited value that is not a list reads as none.
        tags: serde_json::from_str(&r.get::<_, String>(12)?).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_run(pid: u32) -> NewRun<'static> {
        NewRun {
            created_at: "2026-11-22T00:00:00Z",
            scenario_name: "t",
            scenario_file: "t.toml",
            scenario_text: "schema = 1",
            overrides_json: "[]",
            seed: u64::MAX,
            engine_version: "test",
            devices: 3,
            pid,
            replication_of: None,
            replication_index: 0,
            price_book_text: Some("schema = 1"),
        }
    }

    fn row(hour: u32) -> SeriesRow {
        SeriesRow {
            class: "a".into(),
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
            battery_mean_mah: Some(1.5),
        }
    }

    /// A database at schema 3 (before run events, `cancelled` and `failed`) with runs, series, a
    /// deleted newest run and a sweep is upgraded in place through migrations 4 and 5: every
    /// row, id and reference kept, the new statuses accepted, unknown ones still refused, ids
    /// never reused.
    #[test]
    fn migration_5_keeps_every_row_and_admits_cancelled_and_failed() {
        let dir = std::env::temp_dir().join(format!("scaleproof-store-m4-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("runs.db");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..3] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            let mut s = Store { conn };
            let a = s.begin_run(&new_run(0x7fff_fff0)).unwrap();
            s.append_series(a, &[row(0), row(1)]).unwrap();
            s.finish_run(a, "{\"x\":1}", 2.0).unwrap();
            let b =
                s.begin_run(&NewRun { replication_of: Some(a), replication_index: 1, ..new_run(0x7fff_fff0) }).unwrap();
            s.finish_run(b, "{}", 1.0).unwrap();
            let c = s.begin_run(&new_run(0x7fff_fff0)).unwrap();
            s.conn.execute("DELETE FROM runs WHERE id = ?1", [c]).unwrap();
            let w = s.begin_sweep("2026-11-23T00:00:00Z", "sweep", "t", "t.toml", "{}").unwrap();
            s.add_sweep_point(w, &SweepPoint { idx: 0, label: "20".into(), value: "20".into(), run: a }).unwrap();
            s.finish_sweep(w).unwrap();
            assert_eq!((a, b, c, w), (1, 2, 3, 1));
        }
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(s.integrity_check().unwrap(), "ok");
        let fk: Option<String> = s.conn.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional().unwrap();
        assert_eq!(fk, None);
        let fks: i64 = s.conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        assert_eq!(fks, 1, "foreign keys are on again after the migration");
        let runs = s.list_runs(10).unwrap();
        assert_eq!(
            runs.iter().map(|r| (r.id, r.status.as_str())).collect::<Vec<_>>(),
            [(2, "complete"), (1, "complete")]
        );
        assert_eq!(runs[0].replication_of, Some(1));
        assert_eq!(s.series(1).unwrap(), vec![row(0), row(1)], "the series survive the rebuilt runs table");
        assert_eq!(s.replication_summaries(1).unwrap(), ["{\"x\":1}", "{}"]);
        assert_eq!(s.get_run(1).unwrap().unwrap().price_book_text.as_deref(), Some("schema = 1"));
        let sweep = s.get_sweep(1).unwrap().unwrap();
        assert_eq!((sweep.status.as_str(), sweep.points.len()), ("complete", 1));
        // Ids are not reused (the deleted run 3 kept its number), and the new statuses are taken.
        let d = s.begin_run(&new_run(std::process::id())).unwrap();
        assert_eq!(d, 4);
        s.cancel_run(d, 1.5).unwrap();
        let e = s.begin_run(&new_run(std::process::id())).unwrap();
        s.fail_run(e, 0.5).unwrap();
        // A run already ended keeps its status.
        s.fail_run(d, 9.0).unwrap();
        let w2 = s.begin_sweep("2026-11-24T00:00:00Z", "sweep", "t", "t.toml", "{}").unwrap();
        assert_eq!(w2, 2);
        s.cancel_sweep(w2).unwrap();
        let w3 = s.begin_sweep("2026-11-24T00:00:00Z", "sensitivity", "t", "t.toml", "{}").unwrap();
        s.fail_sweep(w3).unwrap();
        let got: Vec<(i64, String, Option<f64>)> =
            s.list_runs(2).unwrap().into_iter().map(|r| (r.id, r.status, r.wall_s)).collect();
        assert_eq!(got, [(e, "failed".into(), Some(0.5)), (d, "cancelled".into(), Some(1.5))]);
        assert_eq!(s.get_sweep(w2).unwrap().unwrap().status, "cancelled");
        assert_eq!(s.get_sweep(w3).unwrap().unwrap().status, "failed");
        assert!(s.conn.execute("UPDATE runs SET status = 'bogus' WHERE id = 1", []).is_err());
        assert!(s.conn.execute("UPDATE sweeps SET status = 'bogus' WHERE id = 1", []).is_err());
        // A cancelled run is not an orphan: reopening leaves it as it is.
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.get_run(d).unwrap().unwrap().row.status, "cancelled");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn run_round_trip_and_orphans() {
        let dir = std::env::temp_dir().join(format!("scaleproof-store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("runs.db");
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let a = s.begin_run(&new_run(std::process::id())).unwrap();
        s.append_series(a, &[row(0), row(1)]).unwrap();
        s.finish_run(a, "{}", 1.0).unwrap();
        // A run whose process is gone (pid 0x7fff_fff0 does not exist) becomes incomplete on open.
        let b = s.begin_run(&new_run(0x7fff_fff0)).unwrap();
        s.append_series(b, &[row(0)]).unwrap();
        drop(s);
        let s = Store::open(&path).unwrap();
        let runs = s.list_runs(10).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].status, "incomplete");
        assert_eq!(runs[1].status, "complete");
        assert_eq!(runs[1].seed, u64::MAX);
        assert_eq!(s.series(a).unwrap(), vec![row(0), row(1)]);
        assert_eq!(s.integrity_check().unwrap(), "ok");
        assert_eq!(s.last_run().unwrap(), Some(b));
        assert_eq!(s.get_run(a).unwrap().unwrap().price_book_text.as_deref(), Some("schema = 1"));
        assert_eq!(s.replication_summaries(a).unwrap(), vec!["{}".to_string()]);
        drop(s);
        let mut s = Store::open(&path).unwrap();
        let w = s.begin_sweep("2026-11-23T00:00:00Z", "sweep", "t", "t.toml", "{}").unwrap();
        s.add_sweep_point(w, &SweepPoint { idx: 0, label: "20".into(), value: "20".into(), run: a }).unwrap();
        s.finish_sweep(w).unwrap();
        let rec = s.get_sweep(w).unwrap().unwrap();
        assert_eq!((rec.status.as_str(), rec.points.len(), rec.points[0].run), ("complete", 1, a));
        let v = s.begin_sweep("2026-11-24T00:00:00Z", "sensitivity", "t", "t.toml", "{}").unwrap();
        let listed: Vec<(i64, usize)> = s.list_sweeps(10).unwrap().iter().map(|r| (r.id, r.points.len())).collect();
        assert_eq!(listed, [(v, 0), (w, 1)], "newest first, with their points");
        assert_eq!(s.list_sweeps(1).unwrap().len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A run is named and tagged (blanks and repeats dropped), and deleted with its
    /// replications, their series and events; a run that a sweep needs is kept.
    #[test]
    fn runs_are_named_tagged_and_deleted_with_their_replications() {
        let dir = std::env::temp_dir().join(format!("scaleproof-store-edit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut s = Store::open(&dir.join("runs.db")).unwrap();
        let a = s.begin_run(&new_run(std::process::id())).unwrap();
        let a1 = s
            .begin_run(&NewRun { replication_of: Some(a), replication_index: 1, ..new_run(std::process::id()) })
            .unwrap();
        s.append_series(a1, &[row(0)]).unwrap();
        let b = s.begin_run(&new_run(std::process::id())).unwrap();

        assert!(s.set_run_label(a, Some("  pilot baseline ")).unwrap());
        let tags = ["pilot", " board ", "", "pilot"].map(String::from);
        assert!(s.set_run_tags(a, &tags).unwrap());
        let got = s.get_run(a).unwrap().unwrap().row;
        assert_eq!(
            (got.label.as_deref(), got.tags.as_slice()),
            (Some("pilot baseline"), ["pilot".to_string(), "board".into()].as_slice())
        );
        assert!(s.set_run_label(a, Some("   ")).unwrap());
        assert_eq!(s.get_run(a).unwrap().unwrap().row.label, None);
        assert!(!s.set_run_label(999, Some("x")).unwrap());
        assert!(s.get_run(b).unwrap().unwrap().row.tags.is_empty());

        let w = s.begin_sweep("2026-11-23T00:00:00Z", "sweep", "t", "t.toml", "{}").unwrap();
        s.add_sweep_point(w, &SweepPoint { idx: 0, label: "20".into(), value: "20".into(), run: b }).unwrap();
        assert_eq!(s.delete_run(b).unwrap(), Deleted::InSweep(w));
        // Deleting a replication deletes the run it belongs to, with all its replications.
        assert_eq!(s.delete_run(a1).unwrap(), Deleted::Runs(2));
        assert_eq!(s.delete_run(a).unwrap(), Deleted::Missing);
        assert!(s.series(a1).unwrap().is_empty());
        assert_eq!(s.list_runs(10).unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), [b]);
        assert_eq!(s.integrity_check().unwrap(), "ok");
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn event(kind: &str, start_us: u64) -> EventRow {
        EventRow {
            kind: kind.into(),
            start_us,
            end_us: Some(start_us + 3_600_000_000),
            site: Some("north".into()),
            gateway: Some(2),
            profile: Some("lte-m".into()),
            event: None,
            wave: None,
            caption: None,
            devices: 10_000,
        }
    }

    #[test]
    fn events_round_trip_in_order_and_go_with_their_run() {
        let dir = std::env::temp_dir().join(format!("scaleproof-store-events-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("runs.db");
        let mut s = Store::open(&path).unwrap();
        let a = s.begin_run(&new_run(std::process::id())).unwrap();
        let b = s.begin_run(&new_run(std::process::id())).unwrap();
        let sag = EventRow {
            end_us: None,
            gateway: None,
            profile: None,
            event: Some(3),
            caption: Some("Press line start-up".into()),
            ..event("power_sag", 7)
        };
        let wave = EventRow {
            site: None,
            gateway: None,
            profile: None,
            event: Some(0),
            wave: Some(1),
            ..event("firmware_wave", 9)
        };
        let rows = vec![event("gateway_outage", 5), sag, wave, event("site_outage", 1)];
        s.append_events(a, &rows[..2]).unwrap();
        s.append_events(a, &rows[2..]).unwrap();
        s.append_events(b, &[event("site_outage", 0)]).unwrap();
        s.finish_run(a, "{}", 1.0).unwrap();
        drop(s);
        let s = Store::open_read_only(&path).unwrap();
        assert_eq!(s.events(a).unwrap(), rows, "every field back, in the order stored");
        assert_eq!(s.events(b).unwrap(), [event("site_outage", 0)]);
        assert_eq!(s.events(b + 1).unwrap(), []);
        drop(s);
        // A run's events go with it.
        let s = Store::open(&path).unwrap();
        s.conn.execute("DELETE FROM runs WHERE id = ?1", [b]).unwrap();
        assert_eq!(s.events(b).unwrap(), []);
        assert_eq!(s.events(a).unwrap().len(), 4);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn migrating_from_version_3_keeps_old_runs_without_events() {
        let dir = std::env::temp_dir().join(format!("scaleproof-store-v3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("runs.db");
        // A database as schema version 3 left it, with a finished run and its series.
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..3] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            let mut old = Store { conn };
            let id = old.begin_run(&new_run(std::process::id())).unwrap();
            old.append_series(id, &[row(0)]).unwrap();
            old.finish_run(id, "{}", 1.0).unwrap();
        }
        assert!(matches!(Store::open_read_only(&path), Err(StoreError::Outdated { found: 3, .. })));
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let runs = s.list_runs(10).unwrap();
        assert_eq!((runs.len(), runs[0].status.as_str()), (1, "complete"));
        let old = runs[0].id;
        assert_eq!(s.series(old).unwrap(), [row(0)]);
        assert_eq!(s.events(old).unwrap(), [], "a run from before events has none");
        let new = s.begin_run(&new_run(std::process::id())).unwrap();
        s.append_events(new, &[event("gateway_outage", 1)]).unwrap();
        assert_eq!(s.events(new).unwrap().len(), 1);
        assert_eq!(s.integrity_check().unwrap(), "ok");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
