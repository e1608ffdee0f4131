//! Replications: the same scenario under R derived seeds, summarised as a mean and a 95 %
//! confidence interval (Student's t) for every numeric figure of the RunSummary.

use serde_json::{Map, Value};

use crate::rng::{Purpose, Stream};

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

/// Combines the JSON of R summaries: every number becomes {mean, ci95_low, ci95_high}; other
/// values are taken from the first.
pub fn combine(values: &[Value]) -> Value {
    match &values[0] {
        Value::Number(_) => {
            let xs: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
            let (m, h) = mean_ci95(&xs);
            serde_json::json!({ "mean": m, "ci95_low": m - h, "ci95_high": m + h })
        }
        Value::Object(first) => {
            let mut out = Map::new();
            for k in first.keys() {
                let parts: Vec<Value> = values.iter().map(|v| v.get(k).cloned().unwrap_or(Value::Null)).collect();
                out.insert(k.clone(), combine(&parts));
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
                        combine(&parts)
                    })
                    .collect(),
            )
        }
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
}
