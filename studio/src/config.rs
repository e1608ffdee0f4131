//! Where studio keeps and finds things: the run database, the folders searched for price books,
//! and the data directory. One value, made once by the front end and passed to the façade;
//! nothing below it reads the environment.

use std::path::{Path, PathBuf};

/// Where studio keeps and finds things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The run database (SQLite): runs, series, sweeps and recordings.
    pub db: PathBuf,
    /// Folders searched first for the price book a scenario names (`ID.toml` in each, in order),
    /// before `pricebooks/` next to the scenario and in its parents, then `pricebooks/` in the
    /// working directory.
    pub price_books: Vec<PathBuf>,
    /// The user's data directory for Scaleproof (the default database lives there).
    pub data_dir: PathBuf,
}

impl Config {
    /// Everything under `data_dir`: the database is `data_dir/runs.db`; no extra price-book
    /// folders.
    pub fn in_dir(data_dir: impl Into<PathBuf>) -> Config {
        let data_dir = data_dir.into();
        Config { db: data_dir.join("runs.db"), price_books: Vec::new(), data_dir }
    }

    /// The platform's data directory for Scaleproof (the `directories` crate: on Linux
    /// `$XDG_DATA_HOME/scaleproof`, else `~/.local/share/scaleproof`; `./scaleproof` when
    /// there is no home directory).
    pub fn user() -> Config {
        let data = directories::ProjectDirs::from("", "", "scaleproof")
            .map_or_else(|| PathBuf::from("scaleproof"), |d| d.data_dir().to_path_buf());
        Config::in_dir(data)
    }

    /// [`Config::user`] with the command line's environment: `SCALEPROOF_DB` names the
    /// database, `SCALEPROOF_PRICEBOOKS` a folder searched first for price books. Front ends
    /// call this once, at start; nothing else reads the environment.
    pub fn from_env() -> Config {
        let mut c = Config::user();
        if let Some(db) = std::env::var_os("SCALEPROOF_DB").filter(|p| !p.is_empty()) {
            c.db = PathBuf::from(db);
        }
        if let Some(dir) = std::env::var_os("SCALEPROOF_PRICEBOOKS").filter(|p| !p.is_empty()) {
            c.price_books.push(PathBuf::from(dir));
        }
        c
    }

    /// The same with another database (a `--db` flag).
    pub fn with_db(mut self, db: Option<PathBuf>) -> Config {
        if let Some(db) = db {
            self.db = db;
        }
        self
    }

    /// The run database.
    pub fn db(&self) -> &Path {
        &self.db
    }
}

#[cfg(test)]
mod tests {
    use super::Config;
    use std::path::PathBuf;

    #[test]
    fn a_data_directory_holds_the_database() {
        let c = Config::in_dir("/data/sp");
        assert_eq!(c.db, PathBuf::from("/data/sp/runs.db"));
        assert_eq!(c.clone().with_db(Some("/x.db".into())).db, PathBuf::from("/x.db"));
        assert_eq!(c.clone().with_db(None), c);
    }

    #[test]
    fn the_user_directory_ends_in_scaleproof() {
        assert!(Config::user().data_dir.ends_with("scaleproof"), "{:?}", Config::user().data_dir);
    }
}
