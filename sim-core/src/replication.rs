//! Replications: the same scenario under R derived seeds, summarised as a mean and a 95 %
//! confidence interval (Student's t) for every numeric figure of the RunSummary.
//!
//! The product states one statistic per figure: over R replications every headline figure, the
//! bill and the verdict are the **mean** of the replications, with the 95 % interval of that
//! mean beside it ([`Estimate`]); [`mean_summary`] is the RunSummary of those means.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::rng::{Purpose, Stream};
use crate::summary::RunSummary;

/// What every combined figure is, in words (reports and JSON say it).
pub const STATISTIC: &str = "mean over replications, with its 95 % Student-t interval";

/// A figure estimated from R replications: the mean and the 95 % Student-t interval of the mean,
/// clipped to the values the figure can take (a ratio never exceeds 1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean over the replications.
    pub mean: f64,
    /// Lower end of the 95 % interval of the mean (the mean itself with one replication).
    pub ci95_low: f64,
    /// Upper end of the 95 % interval of the mean (the mean itself with one replication).
    pub ci95_high: f64,
    /// Number of replications the estimate is based on.
    pub replications: u32,
}

/// The values a figure can take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// Smallest value the figure can take.
    pub min: f64,
    /// Largest value the figure can take.
    pub max: f64,
}

impl Bounds {
    /// Zero or more, unbounded above.
    pub const NON_NEGATIVE: Bounds = Bounds { min: 0.0, max: f64::INFINITY };
    /// A fraction in [0, 1].
    pub const RATIO: Bounds = Bounds { min: 0.0, max: 1.0 };
    /// A percentage in [0, 100].
    pub const PERCENT: Bounds = Bounds { min: 0.0, max: 100.0 };
    /// Unbounded either way.
    pub const ANY: Bounds = Bounds { min: f64::NEG_INFINITY, max: f64::INFINITY };
}

impl Estimate {
    /// The mean of `xs` with its interval clipped to `bounds` (no interval for one value).
    pub fn of(xs: &[f64], bounds: Bounds) -> Estimate {
        let (m, h) = mean_ci95(xs);
        Estimate {
            mean: m,
            ci95_low: (m - h).max(bounds.min),
            ci95_high: (m + h).min(bounds.max),
            replications: xs.len() as u32,
        }
    }
    /// An interval needs two replications.
    pub fn has_interval(&self) -> bool {
        self.replications >= 2
    }
    /// Half the interval's width (after clipping).
    pub fn half_width(&self) -> f64 {
        (self.ci95_high - self.ci95_low) / 2.0
    }
}

/// The seed of replication `i` (replication 0 keeps the scenario's seed).
pub fn replication_seed(seed: u64, i: u32) -> u64 {
    if i == 0 { seed } else { Stream::new(seed, i as u64, Purpose::Replication).u64_at(0) }
}

/// Two-sided 95 % Student's t quantile for `df` degrees of freedom.
pub fn t95(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df - 1],
        31..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

/// Mean and 95 % interval half-width of `xs`.
pub fn mean_ci95(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, t95(n - 1) * (var / n as f64).sqrt())
}

/// The bounds of a RunSummary figure, from its name: ratios stay within 0..1, percentages within
/// 0..100, and a figure that no replication had negative stays non-negative.
fn bounds_of(key: &str, xs: &[f64]) -> Bounds {
    if key.ends_with("ratio") {
        Bounds::RATIO
    } else if key.ends_with("_pct") {
        Bounds::PERCENT
    } else if xs.iter().all(|x| *x >= 0.0) {
        Bounds::NON_NEGATIVE
    } else {
        Bounds::ANY
    }
}

/// Combines the JSON of R summaries: every number becomes {mean, ci95_low, ci95_high} (the
/// interval clipped to the figure's bounds); other values are taken from the first.
pub fn combine(values: &[Value]) -> Value {
    combine_keyed("", values)
}

fn combine_keyed(key: &str, values: &[Value]) -> Value {
    match &values[0] {
        Value::Number(_) => {
            let xs: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
            let e = Estimate::of(&xs, bounds_of(key, &xs));
            serde_json::json!({ "mean": e.mean, "ci95_low": e.ci95_low, "ci95_high": e.ci95_high })
        }
        Value::Object(first) => {
            let mut out = Map::new();
            for k in first.keys() {
                let parts: Vec<Value> = values.iter().map(|v| v.get(k).cloned().unwrap_or(Value::Null)).collect();
                out.insert(k.clone(), combine_keyed(k, &parts));
            }
            Value::Object(out)
        }
        Value::Array(first) => {
            let n = first.len();
            Value::Array(
                (0..n)
                    .map(|i| {
                        let parts: Vec<Value> =
                            values.iter().map(|v| v.get(i).cloned().unwrap_or(Value::Null)).collect();
                        combine_keyed(key, &parts)
                    })
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// The RunSummary whose every figure is the mean over the replications (counts rounded to whole
/// numbers; names, seeds and texts from replication 0). Bill lines and alternatives are matched
/// by what they are, not by position, so a line one replication lacks counts as zero there.
/// The verdict is left as replication 0's: [`crate::assess_replications`] judges them together.
pub fn mean_summary(summaries: &[RunSummary]) -> RunSummary {
    assert!(!summaries.is_empty(), "mean_summary needs at least one replication");
    if summaries.len() == 1 {
        return summaries[0].clone();
    }
    let mut values: Vec<Value> =
        summaries.iter().map(|s| serde_json::to_value(s).expect("a summary serializes")).collect();
    align_by_key(&mut values, "lines", &["category", "item"]);
    align_by_key(&mut values, "alternatives", &["choice", "name"]);
    let mut mean = mean_value(&values);
    mean["verdict"] = values[0]["verdict"].clone();
    serde_json::from_value(mean).expect("the mean of summaries is a summary")
}

/// Gives every replication's `cost.<field>` list the same entries in the same order (the union,
/// by the `key` fields; missing entries copied from another replication with their amounts 0).
fn align_by_key(values: &mut [Value], field: &str, key: &[&str]) {
    let id = |v: &Value| key.iter().map(|k| v[*k].to_string()).collect::<Vec<_>>().join("/");
    let mut order: Vec<(String, Value)> = Vec::new();
    for v in values.iter() {
        for e in v["cost"][field].as_array().into_iter().flatten() {
            if !order.iter().any(|(k, _)| *k == id(e)) {
                let mut zero = e.clone();
                for (_, x) in zero.as_object_mut().into_iter().flatten() {
                    if x.is_number() {
                        *x = Value::from(0.0);
                    }
                }
                order.push((id(e), zero));
            }
        }
    }
    for v in values.iter_mut() {
        let Some(list) = v["cost"][field].as_array() else { continue };
        let aligned: Vec<Value> = order
            .iter()
            .map(|(k, zero)| list.iter().find(|e| id(e) == *k).cloned().unwrap_or_else(|| zero.clone()))
            .collect();
        v["cost"][field] = Value::Array(aligned);
    }
}

/// Every number becomes the mean of the replications' numbers (rounded when they were all
/// integers, so integer fields stay integers); other values come from the first.
fn mean_value(values: &[Value]) -> Value {
    match &values[0] {
        Value::Number(_) => {
            let nums: Vec<&serde_json::Number> = values.iter().filter_map(Value::as_number).collect();
            let xs: Vec<f64> = nums.iter().filter_map(|n| n.as_f64()).collect();
            let m = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
            if nums.iter().all(|n| n.is_u64()) {
                Value::from(m.round() as u64)
            } else if nums.iter().all(|n| n.is_i64() || n.is_u64()) {
                Value::from(m.round() as i64)
            } else {
                Value::from(m)
            }
        }
        Value::Object(first) => Value::Object(
            first
                .keys()
                .map(|k| {
                    let parts: Vec<Value> = values.iter().map(|v| v.get(k).cloned().unwrap_or(Value::Null)).collect();
                    (k.clone(), mean_value(&parts))
                })
                .collect(),
        ),
        Value::Array(first) => Value::Array(
            (0..first.len())
                .map(|i| {
                    let parts: Vec<Value> = values.iter().filter_map(|v| v.get(i).cloned()).collect();
                    mean_value(&parts)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_of_known_sample() {
        let (m, h) = mean_ci95(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(m, 3.0);
        // s = 1.5811, t(4) = 2.776 -> 2.776 * 1.5811 / sqrt(5) = 1.963
        assert!((h - 1.963).abs() < 1e-3, "{h}");
    }

    #[test]
    fn combine_keeps_structure() {
        let a = serde_json::json!({"x": 1, "s": "a", "v": [{"y": 2.0}]});
        let b = serde_json::json!({"x": 3, "s": "b", "v": [{"y": 4.0}]});
        let c = combine(&[a, b]);
        assert_eq!(c["x"]["mean"], 2.0);
        assert_eq!(c["s"], "a");
        assert_eq!(c["v"][0]["y"]["mean"], 3.0);
    }

    #[test]
    fn intervals_respect_bounds() {
        // Three delivery ratios near 1: the unclipped interval's upper end is above 100 %.
        let xs = [0.9999, 0.95, 0.9998];
        let (m, h) = mean_ci95(&xs);
        assert!(m + h > 1.0);
        let e = Estimate::of(&xs, Bounds::RATIO);
        assert_eq!(e.ci95_high, 1.0);
        assert!(e.ci95_low < e.mean && e.mean < e.ci95_high);
        let values: Vec<Value> = xs.iter().map(|x| serde_json::json!({ "delivery_ratio": x, "n": 1 })).collect();
        let c = combine(&values);
        assert_eq!(c["delivery_ratio"]["ci95_high"], 1.0);
        // A count that never went negative keeps a non-negative interval.
        let counts: Vec<Value> = [0u64, 0, 30].iter().map(|x| serde_json::json!({ "deaths": x })).collect();
        assert_eq!(combine(&counts)["deaths"]["ci95_low"], 0.0);
    }

    #[test]
    fn one_value_has_no_interval() {
        let e = Estimate::of(&[0.5], Bounds::RATIO);
        assert!(!e.has_interval());
        assert_eq!((e.ci95_low, e.ci95_high), (0.5, 0.5));
    }

    #[test]
    fn mean_of_integers_stays_integer() {
        let v = mean_value(&[
            serde_json::json!({"a": 1, "b": 1.5, "c": "x"}),
            serde_json::json!({"a": 2, "b": 2.5, "c": "y"}),
        ]);
        assert_eq!(v, serde_json::json!({"a": 2, "b": 2.0, "c": "x"}));
    }

    #[test]
    fn bill_lines_align_by_item() {
        let a = serde_json::json!({"cost": {"lines": [{"category": "hardware", "item": "sensor", "tco": 10.0}]}});
        let b = serde_json::json!({"cost": {"lines": [
            {"category": "maintenance", "item": "truck rolls", "tco": 4.0},
            {"category": "hardware", "item": "sensor", "tco": 12.0}
        ]}});
        let mut values = vec![a, b];
        align_by_key(&mut values, "lines", &["category", "item"]);
        let m = mean_value(&values);
        assert_eq!(m["cost"]["lines"][0]["tco"], 11.0);
        assert_eq!(m["cost"]["lines"][1]["item"], "truck rolls");
        assert_eq!(m["cost"]["lines"][1]["tco"], 2.0);
    }
}
