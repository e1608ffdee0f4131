//! The published JSON Schema agrees with the reader: every key the reader accepts in the scenario
//! files is described in the schema, at the same place, and every schema object forbids unknown
//! keys as the reader does.

use std::path::Path;

use serde_json::Value;
use sim_core::scenario::ScenarioSource;
use sim_core::scenario::read::known_keys;
use sim_core::scenario::schema::scenario_schema;

fn object_variant(node: &Value) -> &Value {
    match node.get("oneOf") {
        Some(Value::Array(vs)) => vs.iter().find(|v| v["type"] == "object").unwrap_or(&vs[0]),
        _ => node,
    }
}

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

#[test]
fn schema_describes_every_key_the_reader_accepts() {
    let schema = scenario_schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut checked = 0;
    for f in std::fs::read_dir(&dir).unwrap().chain(std::fs::read_dir(dir.join("bench")).unwrap()) {
        let f = f.unwrap().path();
        if f.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let bytes = std::fs::read(&f).unwrap();
        let name = f.display().to_string();
        for (pattern, keys) in known_keys(&ScenarioSource { file: &name, bytes: &bytes, overrides: &[] }) {
            let node = navigate(&schema, &pattern);
            assert_eq!(node["additionalProperties"], Value::Bool(false), "`{pattern}` must forbid unknown keys");
            for k in keys {
                assert!(node["properties"].get(k).is_some(), "{name}: the schema lacks `{pattern}.{k}`");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} keys checked");
}
