//! The scenario library: the scenario files of a folder (the bundled `scenarios/`, or the
//! user's), each with what a list shows of it, read and validated the way a run would.

use std::path::{Path, PathBuf};

use crate::contract::ScenarioItem;
use crate::{Config, Error, ErrorCode, Result};

/// The bundled scenarios: the `scenarios/` folder of the source tree this build came from.
pub fn bundled_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("scenarios");
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// Every `*.toml` scenario in `dir` (not its subfolders), sorted by file name. A file that does
/// not validate is listed with its number of problems, so the library still shows it.
pub fn scenarios(config: &Config, dir: &Path) -> Result<Vec<ScenarioItem>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::new(ErrorCode::NotFound, e).context(format!("reading the folder {}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files.iter().map(|f| item(config, f)).collect())
}

/// What a list shows of one scenario file.
fn item(config: &Config, file: &Path) -> ScenarioItem {
    let path = file.display().to_string();
    match crate::load_scenario(config, file, &[]) {
        Ok(l) => ScenarioItem {
            path,
            name: l.scenario.name.clone(),
            description: l.scenario.description.clone(),
            devices: l.scenario.device_count(),
            duration_s: l.scenario.duration.as_secs_f64(),
            price_book: l.book.as_ref().map(|b| b.book.id.clone()),
            problems: 0,
        },
        Err(e) => ScenarioItem {
            name: file.file_stem().map_or(path.clone(), |s| s.to_string_lossy().into_owned()),
            path,
            description: None,
            devices: 0,
            duration_s: 0.0,
            price_book: None,
            problems: e.problem_list().len().max(1) as u32,
        },
    }
}

/// The text of a scenario file the user picked.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::new(ErrorCode::Io, e).context(format!("reading {}", path.display())))
}
