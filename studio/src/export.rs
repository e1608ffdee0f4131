//! Exporting a stored run for BI and ERP tools: its hourly series, its bill, or its summary, as
//! CSV, JSON Lines or Parquet (uncompressed, one row group).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use sim_core::summary::RunSummary;
use store::Store;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Parquet,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "jsonl" => Ok(Format::Jsonl),
            "parquet" => Ok(Format::Parquet),
            _ => Err(format!("unknown format {s:?}: use csv, jsonl or parquet")),
        }
    }
}

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// Hourly counts per device class.
    Series,
    /// The bill, one line per item.
    Bill,
    /// Every figure of the RunSummary, one row per dotted path.
    Summary,
}

impl Table {
    pub fn parse(s: &str) -> Result<Table, String> {
        match s {
            "series" => Ok(Table::Series),
            "bill" => Ok(Table::Bill),
            "summary" => Ok(Table::Summary),
            _ => Err(format!("unknown table {s:?}: use series, bill or summary")),
        }
    }
}

/// A column: its name and whether it holds integers (else text or floats as text in CSV).
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Float,
    Text,
}

struct Rows {
    columns: Vec<(&'static str, Kind)>,
    rows: Vec<Vec<Value>>,
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                flatten(&if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }, x, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), x, out);
            }
        }
        Value::Null => {}
        other => out.push(vec![json!(prefix), other.clone()]),
    }
}

fn rows(store: &Store, run: i64, table: Table) -> Result<Rows> {
    let Some(rec) = store.get_run(run)? else { bail!("no run {run}") };
    let summary = || -> Result<RunSummary> {
        let j = rec.row.summary_json.as_deref().with_context(|| format!("run {run} did not finish"))?;
        Ok(serde_json::from_str(j)?)
    };
    Ok(match table {
        Table::Series => Rows {
            columns: vec![
                ("run", Kind::Int),
                ("class", Kind::Text),
                ("hour", Kind::Int),
                ("generated", Kind::Int),
                ("delivered", Kind::Int),
                ("lost_network", Kind::Int),
                ("lost_collision", Kind::Int),
                ("dropped_overflow", Kind::Int),
                ("dropped_reboot", Kind::Int),
                ("stranded_dead", Kind::Int),
                ("online", Kind::Int),
                ("buffered", Kind::Int),
                ("battery_mean_mah", Kind::Float),
            ],
            rows: store
                .series(run)?
                .into_iter()
                .map(|r| {
                    vec![
                        json!(run),
                        json!(r.class),
                        json!(r.hour),
                        json!(r.generated),
                        json!(r.delivered),
                        json!(r.lost_network),
                        json!(r.lost_collision),
                        json!(r.dropped_overflow),
                        json!(r.dropped_reboot),
                        json!(r.stranded_dead),
                        json!(r.online),
                        json!(r.buffered),
                        json!(r.battery_mean_mah),
                    ]
                })
                .collect(),
        },
        Table::Bill => {
            let s = summary()?;
            let c = s.cost.with_context(|| format!("run {run} has no bill: its scenario names no price book"))?;
            Rows {
                columns: vec![
                    ("run", Kind::Int),
                    ("currency", Kind::Text),
                    ("price_book", Kind::Text),
                    ("price_book_date", Kind::Text),
                    ("category", Kind::Text),
                    ("item", Kind::Text),
                    ("basis", Kind::Text),
                    ("capex", Kind::Float),
                    ("first_month", Kind::Float),
                    ("tco", Kind::Float),
                ],
                rows: c
                    .lines
                    .iter()
                    .map(|l| {
                        vec![
                            json!(run),
                            json!(c.currency),
                            json!(c.price_book),
                            json!(c.price_book_date),
                            json!(l.category.label()),
                            json!(l.item),
                            json!(l.basis),
                            json!(l.capex.units_f64()),
                            json!(l.first_month.units_f64()),
                            json!(l.tco.units_f64()),
                        ]
                    })
                    .collect(),
            }
        }
        Table::Summary => {
            let mut out = Vec::new();
            flatten("", &serde_json::to_value(summary()?)?, &mut out);
            Rows {
                columns: vec![("run", Kind::Int), ("field", Kind::Text), ("value", Kind::Text)],
                rows: out
                    .into_iter()
                    .map(|mut r| {
                        let v = r.pop().unwrap_or(Value::Null);
                        let text = match v {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        vec![json!(run), r.pop().unwrap_or(Value::Null), json!(text)]
                    })
                    .collect(),
            }
        }
    })
}

/// One CSV cell. A text cell that a spreadsheet would run as a formula (starting with `=`, `+`,
/// `-`, `@`, tab or carriage return: scenario and class names come from user files) is
/// neutralised with a leading `'` (OWASP's advice against CSV injection); numbers are written as
/// they are.
fn csv_field(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// Writes run `run`'s `table` in `format` to `out`; returns the number of rows.
pub fn export(db: &Path, run: i64, table: Table, format: Format, out: &mut dyn Write) -> Result<usize> {
    let store = crate::open_for_reading(db)?;
    let r = rows(&store, run, table)?;
    match format {
        Format::Csv => {
            writeln!(out, "{}", r.columns.iter().map(|c| c.0).collect::<Vec<_>>().join(","))?;
            for row in &r.rows {
                writeln!(out, "{}", row.iter().map(csv_field).collect::<Vec<_>>().join(","))?;
            }
        }
        Format::Jsonl => {
            for row in &r.rows {
                let obj: serde_json::Map<String, Value> =
                    r.columns.iter().zip(row).map(|(c, v)| (c.0.to_string(), v.clone())).collect();
                writeln!(out, "{}", Value::Object(obj))?;
            }
        }
        Format::Parquet => write_parquet(&r, out)?,
    }
    Ok(r.rows.len())
}

fn write_parquet(r: &Rows, out: &mut dyn Write) -> Result<()> {
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    let fields: Vec<String> = r
        .columns
        .iter()
        .map(|(name, k)| match k {
            Kind::Int => format!("REQUIRED INT64 {name};"),
            Kind::Float => format!("OPTIONAL DOUBLE {name};"),
            Kind::Text => format!("REQUIRED BYTE_ARRAY {name} (UTF8);"),
        })
        .collect();
    let schema = Arc::new(parse_message_type(&format!("message scaleproof {{ {} }}", fields.join(" ")))?);
    let props = Arc::new(WriterProperties::builder().build());
    let mut buf = Vec::new();
    {
        let mut w = SerializedFileWriter::new(&mut buf, schema, props)?;
        let mut rg = w.next_row_group()?;
        let mut col = 0;
        while let Some(mut cw) = rg.next_column()? {
            let kind = r.columns[col].1;
            match kind {
                Kind::Int => {
                    let vals: Vec<i64> = r.rows.iter().map(|row| row[col].as_i64().unwrap_or(0)).collect();
                    cw.typed::<Int64Type>().write_batch(&vals, None, None)?;
                }
                Kind::Float => {
                    let vals: Vec<f64> = r.rows.iter().filter_map(|row| row[col].as_f64()).collect();
                    let defs: Vec<i16> = r.rows.iter().map(|row| i16::from(row[col].as_f64().is_some())).collect();
                    cw.typed::<DoubleType>().write_batch(&vals, Some(&defs), None)?;
                }
                Kind::Text => {
                    let vals: Vec<ByteArray> = r
                        .rows
                        .iter()
                        .map(|row| ByteArray::from(row[col].as_str().unwrap_or_default().as_bytes().to_vec()))
                        .collect();
                    cw.typed::<ByteArrayType>().write_batch(&vals, None, None)?;
                }
            }
            cw.close()?;
            col += 1;
        }
        rg.close()?;
        w.close()?;
    }
    out.write_all(&buf)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_that_look_like_formulas_are_neutralised_and_numbers_are_not() {
        let cell = |v: Value| csv_field(&v);
        assert_eq!(cell(Value::from("=HYPERLINK(\"http://x\")")), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell(Value::from("+1")), "'+1");
        assert_eq!(cell(Value::from("-2+3")), "'-2+3");
        assert_eq!(cell(Value::from("@SUM(A1)")), "'@SUM(A1)");
        assert_eq!(cell(Value::from("vibration")), "vibration");
        assert_eq!(cell(serde_json::json!(-1.5)), "-1.5");
        assert_eq!(cell(Value::from("a,b")), "\"a,b\"");
    }
}
