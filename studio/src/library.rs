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

/// The bundled price books: the `pricebooks/` folder of the source tree this build came from
/// (for the user's scenarios saved elsewhere, which have no price books beside them).
pub fn bundled_price_books_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("pricebooks");
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

/// What a list shows of one scenario file, validated the way a run would (a file that does not
/// validate has its number of problems; one that cannot be read, at least one).
pub fn item(config: &Config, file: &Path) -> ScenarioItem {
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

/// Writes a scenario's text to `path`, whole or not at all (see [`write_file`]).
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_file(path, text.as_bytes())
}

/// Writes a file the user asked for (a scenario, a chart's picture), whole or not at all: the
/// bytes go to a temporary file beside it, which then replaces the file (a crash or a full disk
/// leaves the old file as it was). Creates nothing but the file: its folder must exist.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::new(ErrorCode::Io, e).context(format!("writing {}", path.display()));
    let name = path.file_name().ok_or_else(|| Error::invalid(format!("{} names no file", path.display())))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".saving");
    let tmp = path.with_file_name(tmp_name);
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })?;
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_scenario_reads_back_and_lists_with_its_fleet() {
        let dir = std::env::temp_dir().join(format!("scaleproof-library-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pilot = bundled_dir().join("mine-pilot.toml");
        let text = read_text(&pilot).unwrap().replace("count = 20", "count = 25");
        let copy = dir.join("mine-copy.toml");
        write_text(&copy, &text).unwrap();
        assert_eq!(read_text(&copy).unwrap(), text);
        write_text(&copy, &text.replace("count = 25", "count = 30")).unwrap();
        // The user's folder has no price books: the bundled ones are configured.
        let config = Config { price_books: vec![bundled_price_books_dir()], ..Config::in_dir(&dir) };
        let listed = item(&config, &copy);
        assert_eq!((listed.devices, listed.problems), (30, 0), "{listed:?}");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".saving"))
            .collect();
        assert!(leftovers.is_empty());
        assert_eq!(write_text(&dir.join("no-such-folder").join("x.toml"), "").unwrap_err().code(), ErrorCode::Io);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
