//! The published JSON Schemas (scenario and price book) agree with the readers: every key the
//! reader accepts in the bundled files is described, at the same place, and every schema object
//! forbids unknown keys as the reader does; every `default` is the value the reader takes when
//! the key is absent; the bundled files validate against them; and the files in `schemas/`
//! (what Taplo and VS Code read) are exactly what the code generates (`UPDATE_SCHEMAS=1`
//! rewrites them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sim_core::cost::book::{PriceBookSource, known_keys as book_keys, parse_price_book};
use sim_core::cost::schema::pricebook_schema;
use sim_core::scenario::read::{flatten, known_keys};
use sim_core::scenario::schema::scenario_schema;
use sim_core::scenario::{ScenarioSource, parse_scenario};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bundled_scenarios() -> Vec<PathBuf> {
    let dir = root().join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(dir.join("bench")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn bundled_books() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("pricebooks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

fn object_variant(node: &Value) -> &Value {
    match node.get("oneOf") {
        Some(Value::Array(vs)) => vs.iter().find(|v| v["type"] == "object").unwrap_or(&vs[0]),
        _ => node,
    }
}

/// The schema node of a reader's table pattern (`fleet.*.telemetry`, `site[]`).
fn navigate<'a>(schema: &'a Value, pattern: &str) -> &'a Value {
    let mut node = schema;
    if pattern.is_empty() {
        return node;
    }
    for seg in pattern.split('.') {
        node = object_variant(node);
        node = if seg == "*" {
            &node["additionalProperties"]
        } else if let Some(name) = seg.strip_suffix("[]") {
            &node["properties"][name]["items"]
        } else {
            &node["properties"][seg]
        };
        assert!(!node.is_null(), "schema has nothing at `{seg}` of `{pattern}`");
    }
    object_variant(node)
}

fn check_keys(schema: &Value, name: &str, known: BTreeMap<String, std::collections::BTreeSet<&'static str>>) -> usize {
    let mut checked = 0;
    for (pattern, keys) in known {
        let node = navigate(schema, &pattern);
        assert_eq!(node["additionalProperties"], Value::Bool(false), "`{pattern}` must forbid unknown keys");
        for k in keys {
            assert!(node["properties"].get(k).is_some(), "{name}: the schema lacks `{pattern}.{k}`");
            checked += 1;
        }
    }
    checked
}

#[test]
fn schema_describes_every_key_the_reader_accepts() {
    let schema = scenario_schema();
    let mut checked = 0;
    for f in bundled_scenarios() {
        let bytes = std::fs::read(&f).unwrap();
        let name = f.display().to_string();
        checked +=
            check_keys(&schema, &name, known_keys(&ScenarioSource { file: &name, bytes: &bytes, overrides: &[] }));
    }
    assert!(checked > 100, "only {checked} keys checked");
}

#[test]
fn pricebook_schema_describes_every_key_the_reader_accepts() {
    let schema = pricebook_schema();
    let mut checked = 0;
    for f in bundled_books() {
        let bytes = std::fs::read(&f).unwrap();
        let name = f.display().to_string();
        let src = PriceBookSource { file: &name, bytes: &bytes, overrides: &[], override_source: "" };
        checked += check_keys(&schema, &name, book_keys(&src));
    }
    assert!(checked > 80, "only {checked} keys checked");
}

// ---------------------------------------------------------------------------------------------
// The files editors read

#[test]
fn committed_schemas_are_the_generated_ones() {
    let mut stale = Vec::new();
    for (file, schema) in
        [("schemas/scenario.schema.json", scenario_schema()), ("schemas/pricebook.schema.json", pricebook_schema())]
    {
        let path = root().join(file);
        let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(file);
        }
    }
    assert!(stale.is_empty(), "{stale:?} differ from the code's schemas: rerun with UPDATE_SCHEMAS=1 and commit them");
}

#[test]
fn taplo_maps_the_bundled_files_to_the_schemas() {
    let config: toml::Table = toml::from_str(&std::fs::read_to_string(root().join(".taplo.toml")).unwrap()).unwrap();
    let rules = config["rule"].as_array().expect("[[rule]]");
    let schema_of = |include: &str| -> Option<String> {
        rules.iter().find_map(|r| {
            let included = r["include"].as_array()?.iter().any(|i| i.as_str() == Some(include));
            let path = r.get("schema")?.get("path")?.as_str()?;
            included.then(|| path.to_string())
        })
    };
    for (include, schema) in [
        ("scenarios/**/*.toml", "schemas/scenario.schema.json"),
        ("pricebooks/*.toml", "schemas/pricebook.schema.json"),
    ] {
        let path = schema_of(include).unwrap_or_else(|| panic!("no [[rule]] includes {include} with a [rule.schema]"));
        assert_eq!(path.trim_start_matches("./"), schema, "{include}");
        assert!(root().join(schema).is_file(), "{schema} (for {include}) does not exist");
    }
}

// ---------------------------------------------------------------------------------------------
// The bundled files validate against the schemas

/// Checks `v` against the JSON Schema keywords the schemas use; returns the problems found.
fn validate(schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "number" => v.is_number(),
            "integer" => v.is_i64() || v.is_u64(),
            "boolean" => v.is_boolean(),
            other => panic!("type {other} is not handled"),
        };
        if !ok {
            return out.push(format!("{at}: is not {t}: {v}"));
        }
    }
    if let Some(c) = schema.get("const")
        && c != v
    {
        out.push(format!("{at}: {v} is not {c}"));
    }
    if let Some(Value::Array(e)) = schema.get("enum")
        && !e.contains(v)
    {
        out.push(format!("{at}: {v} is not one of {e:?}"));
    }
    if let (Some(min), Some(x)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64())
        && x < min
    {
        out.push(format!("{at}: {x} < {min}"));
    }
    if let (Some(max), Some(x)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64())
        && x > max
    {
        out.push(format!("{at}: {x} > {max}"));
    }
    if let (Some(p), Some(s)) = (schema.get("pattern").and_then(Value::as_str), v.as_str())
        && !regex::Regex::new(p).unwrap().is_match(s)
    {
        out.push(format!("{at}: {s:?} does not match {p}"));
    }
    if let Some(Value::Array(vs)) = schema.get("oneOf") {
        let matching = vs
            .iter()
            .filter(|s| {
                let mut o = Vec::new();
                validate(s, v, at, &mut o);
                o.is_empty()
            })
            .count();
        if matching != 1 {
            out.push(format!("{at}: matches {matching} of oneOf, not 1"));
        }
    }
    if let Some(not) = schema.get("not") {
        let mut o = Vec::new();
        validate(not, v, at, &mut o);
        if o.is_empty() {
            out.push(format!("{at}: is not allowed"));
        }
    }
    if let Value::Object(m) = v {
        let props = schema.get("properties").and_then(Value::as_object);
        for r in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !m.contains_key(r.as_str().unwrap()) {
                out.push(format!("{at}: lacks `{}`", r.as_str().unwrap()));
            }
        }
        if let Some(n) = schema.get("minProperties").and_then(Value::as_u64)
            && (m.len() as u64) < n
        {
            out.push(format!("{at}: has fewer than {n} properties"));
        }
        for (k, x) in m {
            let at = format!("{at}.{k}");
            match (props.and_then(|p| p.get(k)), schema.get("additionalProperties")) {
                (Some(s), _) => validate(s, x, &at, out),
                (None, Some(Value::Bool(false))) => out.push(format!("{at}: is not allowed")),
                (None, Some(s)) if s.is_object() => validate(s, x, &at, out),
                _ => {}
            }
        }
    }
    if let Value::Array(items) = v {
        if let Some(n) = schema.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < n
        {
            out.push(format!("{at}: fewer than {n} items"));
        }
        if let Some(n) = schema.get("maxItems").and_then(Value::as_u64)
            && (items.len() as u64) > n
        {
            out.push(format!("{at}: more than {n} items"));
        }
        if let Some(s) = schema.get("items") {
            for (i, x) in items.iter().enumerate() {
                validate(s, x, &format!("{at}[{i}]"), out);
            }
        }
    }
}

fn as_json(file: &Path) -> Value {
    let text = std::fs::read_to_string(file).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn the_bundled_files_validate_against_their_schemas() {
    let mut problems = Vec::new();
    for (files, schema) in [(bundled_scenarios(), scenario_schema()), (bundled_books(), pricebook_schema())] {
        for f in files {
            validate(&schema, &as_json(&f), &f.file_name().unwrap().to_string_lossy(), &mut problems);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The validator is no rubber stamp: the mistakes the reader refuses, the schema refuses.
    let bad = root().join("tests/bad-scenarios/three-mistakes.toml");
    let mut found = Vec::new();
    validate(&scenario_schema(), &as_json(&bad), "three-mistakes.toml", &mut found);
    let found = found.join("\n");
    for needle in [
        "loss.loss_bad: 1.5 > 1",
        "telemetry.period: \"2 minutes\" does not match",
        "vibration.reboot_per_day: is not allowed",
    ] {
        assert!(found.contains(needle), "{needle} not in:\n{found}");
    }
}

#[test]
fn the_duration_pattern_is_the_readers() {
    let schema = scenario_schema();
    let pattern =
        regex::Regex::new(schema["properties"]["scenario"]["properties"]["duration"]["pattern"].as_str().unwrap())
            .unwrap();
    for text in [
        "90s",
        "400ms",
        "1d12h",
        "1d 12h",
        "2.5h",
        "12d 10:00",
        "10:30:15",
        "5min",
        "5m",
        "5µs",
        "5us",
        "1y",
        "2w",
        "1_000s",
        "3sec",
        "",
        "10",
        "2 minutes",
        "10 parsecs",
        "-5s",
        "1e30y",
        "2 min",
        "5 s",
    ] {
        let reader = sim_core::time::parse_duration(text).is_ok();
        assert_eq!(pattern.is_match(text), reader, "{text:?}: the reader says {reader}");
    }
}

// ---------------------------------------------------------------------------------------------
// Defaults

/// (pattern, key, default, the table's schema) of every `default` in a schema, patterns as the
/// readers write them.
fn defaults(node: &Value, pattern: &str, out: &mut Vec<(String, String, Value, String)>) {
    let node = object_variant(node);
    if let Some(Value::Object(props)) = node.get("properties") {
        for (k, v) in props {
            if let Some(d) = v.get("default") {
                out.push((pattern.to_string(), k.clone(), d.clone(), node.to_string()));
            }
            let child = if pattern.is_empty() { k.clone() } else { format!("{pattern}.{k}") };
            match v.get("items") {
                Some(items) => defaults(items, &format!("{child}[]"), out),
                None => defaults(v, &child, out),
            }
        }
    }
    if let Some(add @ Value::Object(_)) = node.get("additionalProperties") {
        defaults(add, &format!("{pattern}.*"), out);
    }
}

/// The reader's pattern of a concrete table path: names under `named` become `*`, array items
/// `[]` (`fleet.vibration.telemetry` -> `fleet.*.telemetry`, `event[2]` -> `event[]`).
fn pattern_of(path: &str, named: &[&str]) -> String {
    let segs: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        out.push(match s.find('[') {
            Some(j) => format!("{}[]", &s[..j]),
            None if i == 1 && named.contains(&segs[0]) => "*".to_string(),
            None => s.to_string(),
        });
    }
    out.join(".")
}

/// `value` as a `--set` value.
fn toml_text(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// Reads a file with `--set` overrides: what was read (as `Debug` text), or None if invalid.
type Reader = dyn Fn(&[u8], &[String]) -> Option<String>;

/// For every default, the files with a table of its pattern that lack the key: the file read
/// with `--set key=default` must be the file read as it is. Each default must be checked once
/// (a default of a table schema used in several places, like a price's `per`, once for all).
fn check_defaults(schema: &Value, files: &[(String, Vec<u8>)], named: &[&str], read: &Reader) {
    let mut all = Vec::new();
    defaults(schema, "", &mut all);
    assert!(all.len() > 10, "{all:?}");
    let mut unchecked = Vec::new();
    let mut wrong = Vec::new();
    let mut checked_tables = std::collections::BTreeSet::new();
    for (pattern, key, default, table) in &all {
        let mut checked = false;
        for (name, bytes) in files {
            let paths: Vec<String> = flatten(bytes, &[]).into_iter().map(|(p, _)| p).collect();
            // The concrete tables of this pattern in the file.
            let mut tables: Vec<String> = paths
                .iter()
                .flat_map(|p| {
                    let mut prefixes = Vec::new();
                    let mut cut = p.as_str();
                    while let Some(i) = cut.rfind('.') {
                        cut = &cut[..i];
                        prefixes.push(cut.to_string());
                    }
                    prefixes
                })
                .filter(|t| &pattern_of(t, named) == pattern)
                .collect();
            if pattern.is_empty() {
                tables = vec![String::new()];
            }
            tables.sort();
            tables.dedup();
            for t in tables {
                let field = if t.is_empty() { key.clone() } else { format!("{t}.{key}") };
                if paths
                    .iter()
                    .any(|p| p == &field || p.starts_with(&format!("{field}.")) || p.starts_with(&format!("{field}[")))
                {
                    continue;
                }
                let set = format!("{}={}", field.replace('[', ".").replace(']', ""), toml_text(default));
                let (Some(plain), Some(with)) = (read(bytes, &[]), read(bytes, std::slice::from_ref(&set))) else {
                    // The key does not apply here (another kind of entry): not a check.
                    continue;
                };
                checked = true;
                if plain != with {
                    wrong.push(format!("{name}: --set {set} changes what is read"));
                }
            }
        }
        if checked {
            checked_tables.insert((key, table));
        } else {
            unchecked.push((format!("{pattern}.{key}"), key, table));
        }
    }
    unchecked.retain(|(_, key, table)| !checked_tables.contains(&(*key, *table)));
    let unchecked: Vec<&String> = unchecked.iter().map(|(p, _, _)| p).collect();
    assert!(wrong.is_empty(), "defaults that are not the reader's:\n{}", wrong.join("\n"));
    assert!(unchecked.is_empty(), "defaults no bundled or sample file could check: {unchecked:?}");
}

/// Tables the bundled scenarios leave out, so that their defaults are checked too.
const SAMPLE: &str = r#"
schema = 1
[scenario]
name = "defaults"
duration = "2d"
[[site]]
id = "a"
[network.n]
loss = { model = "gilbert-elliott", p_good_to_bad = 0.01, p_bad_to_good = 0.5 }
delivery = { mode = "unacked" }
lora = { spreading_factor = 9 }
outages = { scope = "device", mean_up = "1d", mean_down = "1h" }
[network.m]
delivery = { attempts = 2 }
[power.b]
kind = "battery"
capacity_mah = 1000
currents_ma = { rx = 1.0 }
[power.mains]
kind = "mains"
[fleet.x]
count = 2
sites = ["a"]
network = "n"
power = "b"
telemetry = { period = "1h" }
buffer = { capacity = 10 }
[backend]
connects_per_s = 10
[maintenance]
detection_delay = "1d"
[provisioning]
onboarding = "zero-touch"
[firmware]
update = "a-b"
[identity]
credentials = "per-device"
certificate_lifetime = "1y"
rotation = true
[[event]]
at = "1d"
kind = "brownout"
site = "a"
[[event]]
at = "1d"
kind = "firmware-update"
image_kb = 100
[cost]
platform = "p"
connectivity = "c"
battery_hardware = { b = "cell" }
alternatives = { connectivity = [] }
"#;

#[test]
fn schema_defaults_are_the_readers() {
    let mut files: Vec<(String, Vec<u8>)> =
        bundled_scenarios().iter().map(|f| (f.display().to_string(), std::fs::read(f).unwrap())).collect();
    // [cost] needs a price book named (it is not read here).
    let sample = SAMPLE.replace("duration = \"2d\"", "duration = \"2d\"\nprice_book = \"b\"");
    files.push(("sample-manual".into(), sample.replace("zero-touch", "manual").into_bytes()));
    files.push(("sample".into(), sample.into_bytes()));
    check_defaults(&scenario_schema(), &files, &["fleet", "network", "power"], &|bytes, set| {
        parse_scenario(&ScenarioSource { file: "f", bytes, overrides: set }).ok().map(|s| format!("{s:?}"))
    });
}

#[test]
fn pricebook_schema_defaults_are_the_readers() {
    let mut files: Vec<(String, Vec<u8>)> =
        bundled_books().iter().map(|f| (f.display().to_string(), std::fs::read(f).unwrap())).collect();
    // The bundled book with the fields that have defaults left out where they may be.
    let book = String::from_utf8(files[0].1.clone()).unwrap();
    let mut sample: String = book
        .lines()
        .filter(|l| {
            !["rules", "actions", "shadow_ops", "shadow_meter_bytes", "registrations", "min_vms", "ops_hours_per_month"]
                .iter()
                .chain(&["overhead_bytes", "billing_increment_bytes", "rounding", "gateway_month", "write_meter_bytes"])
                .chain(&["no_fault_found_pct", "battery_swap_minutes"])
                .any(|k| l.starts_with(&format!("{k} =")))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    sample = sample
        .replacen("sim = 1.00\n", "", 2)
        .replace(", max_units = 200 }", " }")
        .replace("{ price = 0.70, per = 1_000_000,", "{ price = 0.70,");
    files.push(("sample".into(), sample.into_bytes()));
    check_defaults(&pricebook_schema(), &files, &["platform", "connectivity", "storage", "hardware"], &|bytes, set| {
        let src = PriceBookSource { file: "f", bytes, overrides: set, override_source: "" };
        // An explicit price is listed among the book's prices; the rest must be the same.
        parse_price_book(&src).ok().map(|mut b| {
            b.lines.clear();
            format!("{b:?}")
        })
    });
}
