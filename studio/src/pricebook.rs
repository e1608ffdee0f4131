//! Finding and loading the price book a scenario names.
//!
//! `scenario.price_book = "iot-2026-11"` is looked up as `iot-2026-11.toml` in, in order:
//! the configured price-book folders (`Config::price_books`; the CLI's
//! `$SCALEPROOF_PRICEBOOKS`), then `pricebooks/` in the scenario's directory and each of its
//! parents, then `pricebooks/` in the working directory. A value ending in `.toml` is a path
//! relative to the scenario file.

use std::path::{Path, PathBuf};

use sim_core::cost::{PriceBook, PriceBookSource, parse_price_book};
use sim_core::diagnostic::Diagnostics;

use crate::LoadError;

/// A price book as loaded for a run: its text (stored with the run) and its validated form.
#[derive(Clone, Debug)]
pub struct LoadedBook {
    /// Where the price book was read from ("stored price book" when read from a run).
    pub file: String,
    /// The price book's text as read (stored with the run).
    pub text: String,
    /// The validated price book, the scenario's `[cost.prices]` overrides applied.
    pub book: PriceBook,
}

/// Where the price book `id` named by the scenario at `scenario_path` is, with every place
/// looked in (for the error when it is nowhere).
pub(crate) fn find_price_book(folders: &[PathBuf], scenario_path: &Path, id: &str) -> Result<PathBuf, Vec<PathBuf>> {
    let dir = scenario_path.parent().unwrap_or(Path::new("."));
    if id.ends_with(".toml") {
        let p = dir.join(id);
        return if p.is_file() { Ok(p) } else { Err(vec![p]) };
    }
    let file = format!("{id}.toml");
    let mut tried = Vec::new();
    tried.extend(folders.iter().map(|f| f.join(&file)));
    let mut d = Some(if dir.as_os_str().is_empty() { Path::new(".") } else { dir });
    while let Some(x) = d {
        tried.push(x.join("pricebooks").join(&file));
        d = x.parent().filter(|p| !p.as_os_str().is_empty());
    }
    tried.push(PathBuf::from("pricebooks").join(&file));
    match tried.iter().find(|p| p.is_file()) {
        Some(p) => Ok(p.clone()),
        None => Err(tried),
    }
}

/// Reads and validates a price book with the scenario's price overrides.
pub(crate) fn load_price_book(
    path: &Path,
    overrides: &[String],
    override_source: &str,
) -> Result<LoadedBook, LoadError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io(format!("{file}: cannot read the price book: {e}")))?;
    parse_book_bytes(&file, &bytes, overrides, override_source).map_err(LoadError::Invalid)
}

/// Parses price-book text (e.g. as stored with a run).
pub(crate) fn parse_book_bytes(
    file: &str,
    bytes: &[u8],
    overrides: &[String],
    override_source: &str,
) -> Result<LoadedBook, Diagnostics> {
    let book = parse_price_book(&PriceBookSource { file, bytes, overrides, override_source })?;
    Ok(LoadedBook { file: file.to_string(), text: String::from_utf8_lossy(bytes).into_owned(), book })
}
