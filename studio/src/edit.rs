//! The scenario form: the fields people change most (the run, each device class's size, network,
//! power, telemetry and buffer, the targets), read from a scenario's text and written back into
//! it with its comments and layout kept (`toml_edit`), so that a form and a text editor edit the
//! same file. What each field is (its kind, range, choices, help) comes from the scenario JSON
//! Schema; whether the result is a valid scenario is the check's business, not this module's.

use toml_edit::{DocumentMut, Item, TableLike, Value};

use crate::contract::{FieldKind, FormField, FormGroup, ScenarioForm};
use crate::{Error, Result};

/// The run's own fields.
const SCENARIO: &[&str] = &["name", "duration", "seed", "horizon_years", "price_book"];
/// Each device class's fields, under `fleet.CLASS.`.
const CLASS: &[&str] = &[
    "count",
    "network",
    "power",
    "telemetry.period",
    "buffer.capacity",
    "buffer.policy",
    "reboots_per_day",
    "afr_pct",
];

/// The form of a scenario's text: its fields with their values. Text that is not TOML has no
/// form (invalid input with the parser's message).
pub fn form(text: &str) -> Result<ScenarioForm> {
    let doc = parse(text)?;
    let schema = crate::schema(crate::SchemaKind::Scenario);
    let field = |path: String, label: String| -> Option<FormField> {
        let node = schema_at(&schema, &path)?;
        let mut f = describe(&path, &label, node);
        f.value = get(&doc, &path).map(plain).unwrap_or_default();
        Some(f)
    };
    let mut groups = Vec::new();
    let scenario = SCENARIO.iter().filter_map(|k| field(format!("scenario.{k}"), label(k))).collect();
    groups.push(FormGroup { title: "The run".into(), fields: scenario });

    let keys = |table: &str| -> Vec<String> {
        doc.get(table)
            .and_then(Item::as_table_like)
            .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default()
    };
    let (networks, powers) = (keys("network"), keys("power"));
    for class in keys("fleet") {
        let mut fields: Vec<FormField> =
            CLASS.iter().filter_map(|k| field(format!("fleet.{class}.{k}"), label(k))).collect();
        for f in &mut fields {
            let names = match f.path.rsplit('.').next() {
                Some("network") if f.path.split('.').count() == 3 => &networks,
                Some("power") if f.path.split('.').count() == 3 => &powers,
                _ => continue,
            };
            f.kind = FieldKind::Choice;
            f.choices = names.clone();
            if !f.value.is_empty() && !f.choices.contains(&f.value) {
                f.choices.push(f.value.clone());
            }
        }
        groups.push(FormGroup { title: format!("Device class {class}"), fields });
    }

    let targets = schema
        .pointer("/properties/targets/properties")
        .and_then(serde_json::Value::as_object)
        .map(|o| o.keys().filter_map(|k| field(format!("targets.{k}"), label(k))).collect())
        .unwrap_or_default();
    groups.push(FormGroup { title: "Targets".into(), fields: targets });
    Ok(ScenarioForm { groups })
}

/// The text with the field at `path` set to `value` as the form holds it (empty: the field
/// removed, so its default applies), everything else kept as written. A value of the wrong
/// kind (letters for a number) is invalid input.
pub fn set_field(text: &str, path: &str, value: &str) -> Result<String> {
    let mut doc = parse(text)?;
    let schema = crate::schema(crate::SchemaKind::Scenario);
    let node = schema_at(&schema, path).ok_or_else(|| Error::invalid(format!("{path} is not a scenario field")))?;
    let kind = describe(path, "", node).kind;
    let segments: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = segments.split_last() else { return Err(Error::invalid("an empty field path")) };
    let mut table: &mut dyn TableLike = doc.as_table_mut();
    for seg in parents {
        if !table.contains_key(seg) {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            table.insert(seg, Item::Table(t));
        }
        table = table
            .get_mut(seg)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| Error::invalid(format!("{path}: `{seg}` is not a table in this scenario")))?;
    }
    let value = value.trim();
    if value.is_empty() {
        table.remove(last);
        return Ok(doc.to_string());
    }
    let mut new = typed(path, kind, value)?;
    match table.get_mut(last) {
        Some(Item::Value(old)) => {
            // Keep what surrounds the old value (spaces, a comment after it).
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        _ => {
            table.insert(last, Item::Value(new));
        }
    }
    Ok(doc.to_string())
}

fn parse(text: &str) -> Result<DocumentMut> {
    text.parse::<DocumentMut>().map_err(|e| Error::invalid(format!("the scenario is not TOML: {e}")))
}

/// `buffer.capacity` -> "buffer capacity"; `p99_latency_s` -> "p99 latency s".
fn label(key: &str) -> String {
    key.replace(['.', '_'], " ")
}

/// The schema node of a field (a class name matches any key of a map).
fn schema_at<'s>(schema: &'s serde_json::Value, path: &str) -> Option<&'s serde_json::Value> {
    let mut node = schema;
    for seg in path.split('.') {
        if let Some(items) = node.get("items") {
            node = items;
        }
        node = node
            .get("properties")
            .and_then(|p| p.get(seg))
            .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))?;
    }
    Some(node)
}

/// A field as its schema node describes it (no value yet).
fn describe(path: &str, label: &str, node: &serde_json::Value) -> FormField {
    let help = node.get("description").and_then(|d| d.as_str()).unwrap_or_default().to_owned();
    let choices: Vec<String> = node
        .get("enum")
        .and_then(|e| e.as_array())
        .map(|e| e.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let kind = if !choices.is_empty() {
        FieldKind::Choice
    } else {
        match node.get("type").and_then(|t| t.as_str()) {
            Some("integer") => FieldKind::Integer,
            Some("number") => FieldKind::Number,
            _ if help.contains("(a duration") => FieldKind::Duration,
            _ => FieldKind::Text,
        }
    };
    FormField {
        path: path.to_owned(),
        label: label.to_owned(),
        kind,
        value: String::new(),
        help,
        choices,
        min: node.get("minimum").and_then(|m| m.as_f64()),
        max: node.get("maximum").and_then(|m| m.as_f64()),
    }
}

/// The value at a dotted path, through tables and inline tables.
fn get<'d>(doc: &'d DocumentMut, path: &str) -> Option<&'d Item> {
    let mut item = doc.as_item();
    for seg in path.split('.') {
        item = item.as_table_like()?.get(seg)?;
    }
    Some(item)
}

/// A value as a form shows it: strings without their quotes, other values as written.
fn plain(item: &Item) -> String {
    match item.as_value() {
        Some(Value::String(s)) => s.value().clone(),
        Some(v) => v.to_string().trim().to_owned(),
        None => String::new(),
    }
}

/// The form's text as a TOML value of the field's kind.
fn typed(path: &str, kind: FieldKind, value: &str) -> Result<Value> {
    let digits = value.replace('_', "");
    match kind {
        FieldKind::Integer => digits
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| Error::invalid(format!("{path}: `{value}` is not a whole number"))),
        FieldKind::Number => match digits.parse::<i64>() {
            Ok(i) => Ok(Value::from(i)),
            Err(_) => digits
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Value::from)
                .ok_or_else(|| Error::invalid(format!("{path}: `{value}` is not a number"))),
        },
        FieldKind::Duration | FieldKind::Text | FieldKind::Choice => Ok(Value::from(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mine_pilot() -> String {
        crate::library::read_text(&crate::library::bundled_dir().join("mine-pilot.toml")).unwrap()
    }

    fn field<'f>(form: &'f ScenarioForm, path: &str) -> &'f FormField {
        form.groups.iter().flat_map(|g| &g.fields).find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}"))
    }

    #[test]
    fn the_form_reads_the_fields_people_change_most() {
        let form = form(&mine_pilot()).unwrap();
        let titles: Vec<&str> = form.groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(titles, ["The run", "Device class vibration", "Targets"]);
        let count = field(&form, "fleet.vibration.count");
        assert_eq!((count.kind, count.value.as_str(), count.min), (FieldKind::Integer, "20", Some(1.0)));
        let network = field(&form, "fleet.vibration.network");
        assert_eq!(
            (network.kind, network.choices.as_slice()),
            (FieldKind::Choice, ["lte-m-underground".to_owned()].as_slice())
        );
        // Inside an inline table, without quotes; the policy's choices from the schema.
        assert_eq!(field(&form, "fleet.vibration.buffer.capacity").value, "500");
        let policy = field(&form, "fleet.vibration.buffer.policy");
        assert_eq!(policy.value, "drop-oldest");
        assert!(policy.choices.len() >= 2 && policy.choices.contains(&"drop-oldest".to_owned()));
        assert_eq!(field(&form, "scenario.duration").kind, FieldKind::Duration);
        assert!(!field(&form, "scenario.duration").help.is_empty());
    }

    #[test]
    fn setting_a_field_changes_only_that_value() {
        let text = mine_pilot();
        let edited = set_field(&text, "fleet.vibration.count", "2_000").unwrap();
        let changed: Vec<(&str, &str)> = text.lines().zip(edited.lines()).filter(|(a, b)| a != b).collect();
        assert_eq!(changed, [("count = 20", "count = 2000")]);
        assert_eq!(text.lines().count(), edited.lines().count());

        let inline = set_field(&text, "fleet.vibration.buffer.capacity", "1000").unwrap();
        assert!(inline.contains("buffer = { capacity = 1000, policy = \"drop-oldest\""), "{inline}");
        let duration = set_field(&text, "scenario.duration", "90d").unwrap();
        assert!(duration.contains("duration = \"90d\""));
        assert_eq!(form(&duration).unwrap().groups[0].fields[1].value, "90d");
    }

    #[test]
    fn a_field_can_be_added_and_removed() {
        let text = "schema = 1\n[scenario]\nname = \"x\" # the name\n";
        let added = set_field(text, "targets.delivery_ratio", "0.995").unwrap();
        assert!(added.contains("[targets]") && added.contains("delivery_ratio = 0.995"), "{added}");
        let renamed = set_field(text, "scenario.name", "y").unwrap();
        assert!(renamed.contains("name = \"y\" # the name"), "{renamed}");
        let removed = set_field(&added, "targets.delivery_ratio", "").unwrap();
        assert!(!removed.contains("delivery_ratio"));
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_invalid_input() {
        let e = set_field(&mine_pilot(), "fleet.vibration.count", "many").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
        assert!(e.to_string().contains("fleet.vibration.count"), "{e}");
        assert_eq!(set_field("a = [", "scenario.name", "x").unwrap_err().code(), crate::ErrorCode::InvalidInput);
        assert_eq!(set_field("", "no.such.field", "x").unwrap_err().code(), crate::ErrorCode::InvalidInput);
    }
}
