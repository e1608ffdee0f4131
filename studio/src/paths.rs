//! Where the run database lives: `--db`, else `$SCALEPROOF_DB`, else
//! `$XDG_DATA_HOME/scaleproof/runs.db` (default `~/.local/share/scaleproof/runs.db`).

use std::path::PathBuf;

pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("SCALEPROOF_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("scaleproof").join("runs.db")
}

pub fn resolve_db(explicit: Option<PathBuf>) -> PathBuf {
    explicit.unwrap_or_else(default_db_path)
}
