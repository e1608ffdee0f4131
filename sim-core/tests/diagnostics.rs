//! Validation finds every problem in one pass, and nothing else: each mistake is reported once,
//! at its line and field; unknown keys are reported even when other fields of the same table
//! fail; nothing is reported because of another problem (no cascades). Checked on a file with
//! three mistakes, and by breaking every field of every bundled scenario and price book in turn,
//! next to a misspelt key in the same table.

use std::path::{Path, PathBuf};

use sim_core::cost::book::{PriceBookSource, parse_price_book};
use sim_core::diagnostic::{Diagnostic, Diagnostics};
use sim_core::scenario::read::flatten;
use sim_core::scenario::{ScenarioSource, parse_scenario};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scenario(text: &[u8], overrides: &[String]) -> Result<(), Diagnostics> {
    parse_scenario(&ScenarioSource { file: "test.toml", bytes: text, overrides }).map(|_| ())
}

fn book(text: &[u8], overrides: &[String]) -> Result<(), Diagnostics> {
    parse_price_book(&PriceBookSource { file: "book.toml", bytes: text, overrides, override_source: "test" })
        .map(|_| ())
}

/// The bundled scenarios (every `.toml` of `scenarios/` and `scenarios/bench/`).
fn bundled_scenarios() -> Vec<PathBuf> {
    let dir = root().join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(dir.join("bench")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    files
}

/// (path, message) of each diagnostic, for assertion messages.
fn show(d: &Diagnostics) -> String {
    d.0.iter().map(|x| format!("  {}:{} {}: {}", x.line, x.column, x.path, x.message)).collect::<Vec<_>>().join("\n")
}

fn is_under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// `site[0].id` as a `--set` path: `site.0.id`.
fn override_path(path: &str) -> String {
    path.replace('[', ".").replace(']', "")
}

#[test]
fn three_mistakes_are_three_diagnostics_at_their_lines() {
    let file = root().join("tests/bad-scenarios/three-mistakes.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).expect(needle) + 1;
    let d = scenario(text.as_bytes(), &[]).expect_err("three mistakes");
    let got: Vec<(usize, &str)> = d.0.iter().map(|x| (x.line, x.path.as_str())).collect();
    assert_eq!(
        got,
        [
            (line_of("loss_bad = 1.5"), "network.lte-m-underground.loss.loss_bad"),
            (line_of("\"2 minutes\""), "fleet.vibration.telemetry.period"),
            (line_of("reboot_per_day "), "fleet.vibration.reboot_per_day"),
        ],
        "\n{}",
        show(&d)
    );
    assert!(d.0[0].message.contains("1.5 is not a probability"), "{}", show(&d));
    assert!(d.0[1].message.contains("did you mean \"2min\"?"), "{}", show(&d));
    assert!(d.0[1].message.contains("units: us, ms, s, m or min, h, d, w, y"), "{}", show(&d));
    assert!(d.0[2].message.contains("did you mean `reboots_per_day`?"), "{}", show(&d));
    // The file is mine-production.toml with the three mistakes: fixing them makes it valid.
    let fixed = text
        .replace("loss_bad = 1.5", "loss_bad = 1.0")
        .replace("\"2 minutes\"", "\"2min\"")
        .replace("reboot_per_day ", "reboots_per_day");
    scenario(fixed.as_bytes(), &[]).unwrap_or_else(|d| panic!("fixed file invalid:\n{}", show(&d)));
}

/// Breaks `field` (a `--set` path) with a value of the wrong type, and adds a misspelt key to
/// each table around it that has fixed keys (`typos`): the diagnostics must be the broken
/// field's and the typos', each at least once, and no other.
fn check_alone(
    what: &str,
    read: &dyn Fn(&[String]) -> Result<(), Diagnostics>,
    field: &str,
    value: &str,
    typos: &[String],
) -> Vec<String> {
    let bad = if value == "true" || value == "false" { "x" } else { "true" };
    let mut overrides = vec![format!("{}={bad}", override_path(field))];
    overrides.extend(typos.iter().map(|t| format!("{}=1", override_path(t))));
    let Err(d) = read(&overrides) else {
        return vec![format!("{what}: --set {} was accepted", overrides.join(" --set "))];
    };
    let mut problems = Vec::new();
    let stray: Vec<&Diagnostic> =
        d.0.iter().filter(|x| !is_under(&x.path, field) && !typos.contains(&x.path)).collect();
    if !stray.is_empty() {
        problems.push("reported beyond the broken field".to_string());
    }
    if !d.0.iter().any(|x| is_under(&x.path, field)) {
        problems.push("the broken field is not reported".to_string());
    }
    for t in typos {
        if !d.0.iter().any(|x| &x.path == t && x.message.contains("unknown field")) {
            problems.push(format!("the misspelt key `{t}` is not reported"));
        }
    }
    if problems.is_empty() {
        return problems;
    }
    vec![format!("{what}: --set {}: {}\n{}", overrides.join(" --set "), problems.join("; "), show(&d))]
}

/// Tables whose keys are names, not fields: a misspelt key there is a new name.
const NAME_MAPS: &[&str] =
    &["fleet", "network", "power", "cost.device_hardware", "cost.battery_hardware", "cost.prices"];

/// Every field of `text` broken in turn, with a typo in each table around it; then every named
/// entry (`named.NAME`, or an array item) broken whole. `named`: the tables of named entries.
fn check_every_field(
    what: &str,
    text: &[u8],
    named: &[&str],
    read: &dyn Fn(&[String]) -> Result<(), Diagnostics>,
) -> (usize, Vec<String>) {
    if let Err(d) = read(&[]) {
        return (0, vec![format!("{what} is invalid:\n{}", show(&d))]);
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut entries = std::collections::BTreeSet::new();
    for (path, value) in flatten(text, &[]) {
        // `a.b[0].c` -> typos `a.b[0].cx`, `a.bx`, `ax` (but in tables of names).
        let mut typos = Vec::new();
        let mut rest = path.as_str();
        loop {
            let (table, key) = rest.rsplit_once('.').unwrap_or(("", rest));
            let key = key.split('[').next().unwrap();
            if !NAME_MAPS.contains(&table) && !named.contains(&table) {
                typos.push(if table.is_empty() { format!("{key}x") } else { format!("{table}.{key}x") });
            }
            if table.is_empty() {
                break;
            }
            rest = table;
        }
        failures.extend(check_alone(what, read, &path, &value, &typos));
        checked += 1;
        let segs: Vec<&str> = path.split('.').collect();
        if named.contains(&segs[0]) && segs.len() > 2 {
            entries.insert(format!("{}.{}", segs[0], segs[1]));
        } else if let Some(i) = segs[0].find('[') {
            entries.insert(segs[0][..segs[0][i..].find(']').unwrap() + i + 1].to_string());
        }
    }
    for entry in entries {
        failures.extend(check_alone(what, read, &entry, "{}", &[]));
        checked += 1;
    }
    (checked, failures)
}

#[test]
fn every_field_of_every_scenario_fails_alone_and_typos_beside_it_are_found() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in bundled_scenarios() {
        let text = std::fs::read(&f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let (n, fails) =
            check_every_field(&name, &text, &["fleet", "network", "power"], &|o: &[String]| scenario(&text, o));
        checked += n;
        failures.extend(fails);
    }
    assert!(checked > 800, "only {checked} fields checked");
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn every_field_of_the_price_book_fails_alone_and_typos_beside_it_are_found() {
    let text = std::fs::read(root().join("pricebooks/iot-2026-11.toml")).unwrap();
    let (checked, failures) = check_every_field(
        "iot-2026-11.toml",
        &text,
        &["platform", "connectivity", "storage", "hardware"],
        &|o: &[String]| book(&text, o),
    );
    assert!(checked > 150, "only {checked} fields checked");
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn a_price_book_reports_all_its_problems_in_one_pass_at_their_lines() {
    let text = std::fs::read_to_string(root().join("pricebooks/iot-2026-11.toml")).unwrap();
    let text = text
        .replacen("kind = \"metered\"", "kind = \"meterd\"", 1)
        .replacen("vm_hour = 0.096", "vm_hour = \"cheap\"\nvm_hours = 1", 1)
        .replacen("date = \"2026-11-01\"", "date = \"2026-11-01\"\ncurency = \"EUR\"", 1);
    let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).expect(needle) + 1;
    let d = book(text.as_bytes(), &[]).expect_err("broken book");
    let got: Vec<(usize, &str)> = d.0.iter().map(|x| (x.line, x.path.as_str())).collect();
    assert_eq!(
        got,
        [
            (line_of("curency"), "book.curency"),
            (line_of("kind = \"meterd\""), "platform.aws-iot-core.kind"),
            (line_of("vm_hour = "), "platform.self-hosted-mqtt.vm_hour"),
            (line_of("vm_hours = "), "platform.self-hosted-mqtt.vm_hours"),
        ],
        "\n{}",
        show(&d)
    );
    assert!(d.0[0].message.contains("did you mean `currency`?"), "{}", show(&d));
    assert!(d.0[1].message.contains("did you mean \"metered\"?"), "{}", show(&d));
    assert!(d.0[3].message.contains("did you mean `vm_hour`?"), "{}", show(&d));
}

fn mine_pilot() -> Vec<u8> {
    std::fs::read(root().join("scenarios/mine-pilot.toml")).unwrap()
}

/// The one diagnostic `--set text` gives on mine-pilot.toml.
fn override_problem(set: &str) -> Diagnostic {
    let d = scenario(&mine_pilot(), &[set.to_string()]).expect_err(set);
    assert_eq!(d.0.len(), 1, "--set {set}:\n{}", show(&d));
    let x = d.0[0].clone();
    assert_eq!(x.from_override.as_deref(), Some(set), "{}", show(&d));
    x
}

#[test]
fn a_misspelt_set_path_gets_did_you_mean() {
    // A key of the table itself.
    let x = override_problem("fleet.vibration.telemetry.perod=5m");
    assert!(x.message.contains("did you mean `period`?"), "{x}");
    // A key one table down: the class has no `perod`, its telemetry has `period`.
    let x = override_problem("fleet.vibration.perod=5m");
    assert_eq!(x.path, "fleet.vibration.perod");
    assert!(x.message.contains("did you mean `fleet.vibration.telemetry.period`?"), "{x}");
    // A misspelt table: one problem, not the missing fields of a made-up class.
    let x = override_problem("fleet.vibraton.count=5");
    assert_eq!(x.path, "fleet.vibraton");
    assert!(x.message.contains("did you mean `fleet.vibration`?"), "{x}");
    // A made-up entry that cannot stand: one problem naming what the file has.
    let x = override_problem("fleet.sensors.perod=5m");
    assert_eq!(x.path, "fleet.sensors");
    assert!(x.message.contains("the file has: vibration"), "{x}");
    let x = override_problem("scenari.duration=5d");
    assert!(x.message.contains("did you mean `scenario`?"), "{x}");
    // A table the file does not have, added on purpose, is still fine.
    scenario(&mine_pilot(), &["backend.publishes_per_s=100".to_string()]).unwrap();
}

#[test]
fn a_duration_error_says_what_is_accepted() {
    let x = override_problem("scenario.duration=2 weeks");
    assert!(x.message.contains("did you mean \"2w\"?"), "{x}");
    let x = override_problem("scenario.duration=2fortnights");
    assert!(x.message.contains("unknown unit \"fortnights\""), "{x}");
    assert!(
        x.message.contains("like \"30s\", \"5min\", \"2h\" or \"1d12h\" (units: us, ms, s, m or min, h, d, w, y)"),
        "{x}"
    );
}

#[test]
fn a_site_plan_needs_its_corners_in_order() {
    let text = std::fs::read_to_string(root().join("scenarios/mine-production.toml")).unwrap();
    let good = "background_corners = [[-26.2000, 28.0420], [-26.2150, 28.0600]]";
    assert!(text.contains(good));
    let line = text.lines().position(|l| l.contains(good)).unwrap() + 1;
    let swapped = text.replace(good, "background_corners = [[-26.2150, 28.0420], [-26.2000, 28.0600]]");
    let d = scenario(swapped.as_bytes(), &[]).expect_err("corners swapped");
    assert_eq!(d.0.len(), 1, "{}", show(&d));
    assert_eq!((d.0[0].line, d.0[0].path.as_str()), (line, "view.background_corners"), "{}", show(&d));
    assert!(d.0[0].message.contains("is not north-west of"), "{}", show(&d));
    let no_file = text.replace("background = \"plans/mine-a-plan.png\"\n", "");
    let d = scenario(no_file.as_bytes(), &[]).expect_err("no background");
    assert!(d.0[0].message.contains("missing required field `background`"), "{}", show(&d));
}
