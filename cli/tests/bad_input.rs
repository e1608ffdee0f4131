//! Data-driven tests of invalid input: every file in `tests/bad-scenarios/` (at the workspace
//! root) must be rejected by both `scaleproof validate FILE` and `scaleproof run FILE` with exit
//! code 2, no panic, nothing on stdout for `run`, and every expected problem reported.
//!
//! Each file starts with a header:
//!
//! ```toml
//! # expect: LINE TEXT ; LINE TEXT ...
//! # hint: TEXT
//! ```
//!
//! For each `LINE TEXT` pair, one stderr line must contain both `FILE.toml:LINE:` and `TEXT`.
//! `TEXT` is the field path the reader reports (e.g. `fleet.vibration.count`, `site[1].id`), or
//! `TOML syntax` for syntax errors, which have no field path. Each `# hint:` line (optional, any
//! number) is text that must appear somewhere in stderr. An empty (0-byte) file cannot hold a
//! header; it must be rejected with a message containing "empty".

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A command that runs longer than this is killed and reported (a bad file must be rejected
/// before any simulation starts, so this only fires on a bug).
const TIMEOUT: Duration = Duration::from_secs(60);

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-scenarios")
}

fn good_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/mine-pilot.toml")
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("scaleproof-bad-input-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Outcome {
    /// `None` when killed by a signal or by the timeout.
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

impl Outcome {
    fn describe(&self) -> String {
        let code = match (self.code, self.timed_out) {
            (_, true) => format!("killed after {TIMEOUT:?}"),
            (Some(c), _) => c.to_string(),
            (None, _) => "none (killed by a signal)".to_string(),
        };
        format!("exit code: {code}\n--- stderr ---\n{}\n--- stdout ---\n{}", self.stderr, self.stdout)
    }
}

/// Runs `scaleproof ARGS` with a time limit, capturing its output.
fn scaleproof(args: &[&std::ffi::OsStr]) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scaleproof"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the scaleproof binary");
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait().expect("waiting for scaleproof") {
            Some(s) => break s,
            None if start.elapsed() > TIMEOUT => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("waiting for scaleproof");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().expect("stdout reader")).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().expect("stderr reader")).into_owned();
    Outcome { code: if timed_out { None } else { status.code() }, stdout, stderr, timed_out }
}

fn validate(file: &Path, extra: &[&str]) -> Outcome {
    let mut args: Vec<&std::ffi::OsStr> = vec!["validate".as_ref(), file.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    scaleproof(&args)
}

fn run(file: &Path, extra: &[&str], tmp: &TempDir) -> Outcome {
    let db = tmp.path().join("runs.db");
    let mut args: Vec<&std::ffi::OsStr> = vec!["run".as_ref(), file.as_os_str(), "--db".as_ref(), db.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    scaleproof(&args)
}

/// What one file must produce.
#[derive(Debug, Default)]
struct Expectations {
    /// (line, text): one stderr line holds both `.toml:LINE:` and `text`.
    at: Vec<(usize, String)>,
    /// Text that must appear anywhere in stderr.
    anywhere: Vec<String>,
}

fn parse_header(text: &str) -> Result<Expectations, String> {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    let Some(list) = first.strip_prefix("# expect:") else {
        return Err(format!("the first line must be `# expect: LINE FIELD.PATH [; ...]`, found {first:?}"));
    };
    let mut exp = Expectations::default();
    for item in list.split(';') {
        let item = item.trim();
        let Some((line, what)) = item.split_once(char::is_whitespace) else {
            return Err(format!("bad expectation {item:?} (want `LINE FIELD.PATH`)"));
        };
        let line: usize = line.parse().map_err(|_| format!("bad line number in expectation {item:?}"))?;
        if line == 0 || what.trim().is_empty() {
            return Err(format!("bad expectation {item:?} (want `LINE FIELD.PATH`)"));
        }
        exp.at.push((line, what.trim().to_string()));
    }
    for l in lines {
        match l.strip_prefix("# hint:") {
            Some(h) if !h.trim().is_empty() => exp.anywhere.push(h.trim().to_string()),
            _ => break,
        }
    }
    Ok(exp)
}

/// Checks one outcome; returns the problems found (empty when all is well).
fn check(what: &str, file: &Path, o: &Outcome, exp: &Expectations, stdout_must_be_empty: bool) -> Vec<String> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut problems = Vec::new();
    if o.code != Some(2) {
        problems.push("exit code is not 2".to_string());
    }
    if o.stderr.contains("panicked") {
        problems.push("stderr contains \"panicked\"".to_string());
    }
    if stdout_must_be_empty && !o.stdout.is_empty() {
        problems.push("something was printed on stdout".to_string());
    }
    for (line, text) in &exp.at {
        let loc = format!("{name}:{line}:");
        if !o.stderr.lines().any(|l| l.contains(&loc) && l.contains(text.as_str())) {
            problems.push(format!("no stderr line contains both `{loc}` and `{text}`"));
        }
    }
    for text in &exp.anywhere {
        if !o.stderr.contains(text.as_str()) {
            problems.push(format!("stderr does not contain `{text}`"));
        }
    }
    if problems.is_empty() {
        return problems;
    }
    vec![format!("=== {name} ({what}):\n  - {}\n{}", problems.join("\n  - "), o.describe())]
}

fn bad_files() -> Vec<PathBuf> {
    let dir = cases_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bad_scenario_is_rejected_with_its_problems() {
    let files = bad_files();
    assert!(files.len() >= 18, "expected at least 18 files in {}, found {}", cases_dir().display(), files.len());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let exp = if bytes.is_empty() {
            // An empty file cannot hold a header comment.
            Expectations { at: Vec::new(), anywhere: vec!["empty".to_string()] }
        } else {
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: the test file is not UTF-8"));
            match parse_header(&text) {
                Ok(e) => e,
                Err(e) => {
                    failures.push(format!("=== {name}: {e}"));
                    continue;
                }
            }
        };
        let v = validate(file, &[]);
        failures.extend(check("validate", file, &v, &exp, false));
        let tmp = TempDir::new();
        let r = run(file, &[], &tmp);
        failures.extend(check("run", file, &r, &exp, true));
    }
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn the_empty_file_case_exists() {
    let f = cases_dir().join("empty.toml");
    let len = std::fs::metadata(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display())).len();
    assert_eq!(len, 0, "{} must be 0 bytes", f.display());
}

#[test]
fn many_problems_are_all_reported() {
    let file = cases_dir().join("many-problems.toml");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let exp = parse_header(&text).unwrap_or_else(|e| panic!("many-problems.toml: {e}"));
    assert!(exp.at.len() >= 3, "many-problems.toml must list at least three expectations, has {}", exp.at.len());
    let distinct: std::collections::BTreeSet<usize> = exp.at.iter().map(|(l, _)| *l).collect();
    assert!(distinct.len() >= 3, "many-problems.toml: the three problems must be on different lines");
    let o = validate(&file, &[]);
    let failures = check("validate", &file, &o, &exp, false);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let reported = o.stderr.lines().filter(|l| l.starts_with("error: ")).count();
    assert!(reported >= 3, "many-problems.toml: {reported} error line(s), want at least 3\n{}", o.describe());
}

/// Three independent mistakes in a bundled scenario (a probability of 1.5, a duration in words,
/// a misspelt key): each at its line, and nothing else (no echo of one in another table).
#[test]
fn three_mistakes_are_three_problems() {
    let file = cases_dir().join("three-mistakes.toml");
    let o = validate(&file, &[]);
    let errors: Vec<&str> = o.stderr.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 3, "{}", o.describe());
    for (line, hint) in
        [(32, "1.5 is not a probability"), (63, "did you mean \"2min\"?"), (67, "did you mean `reboots_per_day`?")]
    {
        assert!(
            errors.iter().any(|l| l.contains(&format!("three-mistakes.toml:{line}:")) && l.contains(hint)),
            "line {line}: {hint}\n{}",
            o.describe()
        );
    }
}

/// A misspelt `--set` path is one problem with a "did you mean", not a silently added key or the
/// missing fields of a made-up table.
#[test]
fn a_misspelt_override_path_gets_did_you_mean() {
    for (set, path, hint) in [
        ("fleet.vibration.telemetry.perod=5m", "fleet.vibration.telemetry.perod", "did you mean `period`?"),
        ("fleet.vibration.perod=5m", "fleet.vibration.perod", "did you mean `fleet.vibration.telemetry.period`?"),
        ("fleet.vibraton.count=5", "fleet.vibraton", "did you mean `fleet.vibration`?"),
    ] {
        check_bad_override(set, path);
        let o = validate(&good_file(), &["--set", set]);
        assert!(o.stderr.contains(hint), "--set {set}: no `{hint}`\n{}", o.describe());
        assert_eq!(o.stderr.lines().filter(|l| l.starts_with("error: ")).count(), 1, "{}", o.describe());
    }
}

#[test]
fn non_utf8_file_is_rejected_with_its_line() {
    let tmp = TempDir::new();
    let file = tmp.path().join("non-utf8.toml");
    let mut bytes = b"schema = 1\n[scenario]\nname = \"Mine ".to_vec();
    bytes.extend_from_slice(&[0xFF, 0xFE]);
    bytes.extend_from_slice(b"\"\nseed = 42\nduration = \"30d\"\n");
    std::fs::write(&file, &bytes).expect("writing the non-UTF-8 file");
    let exp = Expectations { at: vec![(3, "UTF-8".to_string())], anywhere: vec!["UTF-8".to_string()] };
    let v = validate(&file, &[]);
    let mut failures = check("validate", &file, &v, &exp, false);
    let r = run(&file, &[], &tmp);
    failures.extend(check("run", &file, &r, &exp, true));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The good file must be valid, or the override tests below prove nothing.
fn assert_good_file_is_valid() {
    let o = validate(&good_file(), &[]);
    assert_eq!(o.code, Some(0), "mine-pilot.toml should be valid\n{}", o.describe());
}

/// A bad `--set` on a good file: exit 2, reported as coming from the override with its path.
fn check_bad_override(set: &str, path: &str) {
    assert_good_file_is_valid();
    let file = good_file();
    let tmp = TempDir::new();
    let mut failures = Vec::new();
    for (what, o) in [("validate", validate(&file, &["--set", set])), ("run", run(&file, &["--set", set], &tmp))] {
        let mut problems = Vec::new();
        if o.code != Some(2) {
            problems.push("exit code is not 2".to_string());
        }
        if o.stderr.contains("panicked") {
            problems.push("stderr contains \"panicked\"".to_string());
        }
        let marker = format!("(--set {set})");
        if !o.stderr.contains("--set") {
            problems.push("stderr does not contain `--set`".to_string());
        }
        if !o.stderr.lines().any(|l| l.contains(&marker) && l.contains(&format!("{path}:"))) {
            problems.push(format!("no stderr line contains both `{marker}` and `{path}:`"));
        }
        if what == "run" && !o.stdout.is_empty() {
            problems.push("something was printed on stdout".to_string());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "=== mine-pilot.toml --set {set} ({what}):\n  - {}\n{}",
                problems.join("\n  - "),
                o.describe()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn override_with_wrong_type_is_rejected() {
    check_bad_override("fleet.vibration.count=abc", "fleet.vibration.count");
}

#[test]
fn override_with_zero_devices_is_rejected() {
    check_bad_override("fleet.vibration.count=0", "fleet.vibration.count");
}

/// `--set site.0.gateways=abc` addresses `[[site]]` item 0; the reader reports the problem under
/// the path `site[0].gateways`, which does not match the override path `site.0.gateways`, so today
/// the problem is shown as `mine-pilot.toml:1:1:` instead of `(--set site.0.gateways=abc)`.
#[test]
fn override_of_an_array_item_is_reported_as_the_override() {
    check_bad_override("site.0.gateways=abc", "site[0].gateways");
}

/// A broken price book beside a good scenario: every problem of the book is reported with the
/// book's file, line and field, exit 2, and nothing runs.
#[test]
fn a_broken_price_book_is_reported_with_its_lines() {
    let tmp = TempDir::new();
    let books = tmp.path().join("pricebooks");
    std::fs::create_dir_all(&books).unwrap();
    let book = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../pricebooks/iot-2026-11.toml"))
        .unwrap()
        .replace("date = \"2026-11-01\"", "date = \"2026-1-01\"")
        .replace("vm_hour = 0.096", "vm_hour = \"cheap\"");
    std::fs::write(books.join("iot-2026-11.toml"), &book).unwrap();
    let line_of = |needle: &str| book.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let scenario = tmp.path().join("mine.toml");
    std::fs::copy(good_file(), &scenario).unwrap();
    for cmd in ["validate", "run"] {
        let mut c = Command::new(env!("CARGO_BIN_EXE_scaleproof"));
        c.arg(cmd).arg(&scenario);
        if cmd == "run" {
            c.arg("--db").arg(tmp.path().join("runs.db"));
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("iot-2026-11.toml:{}:", line_of("date = "))) && err.contains("book.date"),
            "{err}"
        );
        assert!(
            err.contains(&format!("iot-2026-11.toml:{}:", line_of("vm_hour = ")))
                && err.contains("platform.self-hosted-mqtt.vm_hour"),
            "{err}"
        );
        assert!(!err.contains("error: error:"), "{err}");
        assert!(out.stdout.is_empty() || cmd == "validate", "{cmd} printed a result");
    }
}
