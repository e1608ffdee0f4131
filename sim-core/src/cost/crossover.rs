//! Crossovers along a sweep: the fleet size at which another platform or connectivity plan
//! becomes cheaper (or dearer) than the chosen one, interpolated between sweep points on a
//! logarithmic size axis.

use serde::{Deserialize, Serialize};

/// One point of a cost curve: the swept value and TCO per device-year of the chosen design and
/// of each alternative (`(choice, name, value)`).
#[derive(Clone, Debug, PartialEq)]
pub struct CurvePoint {
    /// The swept value (usually the fleet size); points with `x <= 0` are ignored (log axis).
    pub x: f64,
    /// TCO per device-year of the chosen design, in currency units.
    pub chosen: f64,
    /// Each alternative as `(choice, name, TCO per device-year)`; choice is "platform" or
    /// "connectivity".
    pub alternatives: Vec<(String, String, f64)>,
}

/// Where an alternative platform or connectivity plan's cost curve crosses the chosen design's
/// along a sweep (or, with `closing_gap_pct`, closes on it without crossing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crossover {
    /// "platform" or "connectivity".
    pub choice: String,
    /// Name of the chosen item of that kind (price book key).
    pub chosen: String,
    /// Name of the alternative item (price book key).
    pub alternative: String,
    /// Where the two curves cross (same unit as `x`).
    pub at: f64,
    /// True when the alternative is the cheaper one above `at`.
    pub alternative_cheaper_above: bool,
    /// Set when the curves do not cross within the sweep but the gap closes over its last two
    /// points: the alternative's gap (percent of the chosen design's value) at `at`, the last
    /// point. No forecast is made: a trend of two points past the sweep proved wrong in practice
    /// (see the business-case note).
    #[serde(default)]
    pub closing_gap_pct: Option<f64>,
}

impl Crossover {
    /// Whether this is a crossing inside the sweep (not a closing gap).
    pub fn crosses(&self) -> bool {
        self.closing_gap_pct.is_none()
    }
}

/// Every sign change of (alternative - chosen) between consecutive points, in x order.
pub fn crossovers(chosen: &[(String, String)], points: &[CurvePoint]) -> Vec<Crossover> {
    let mut pts: Vec<&CurvePoint> = points.iter().filter(|p| p.x > 0.0).collect();
    pts.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut out = Vec::new();
    let Some(first) = pts.first() else { return out };
    for (choice, name, _) in &first.alternatives {
        let chosen_name = chosen.iter().find(|(c, _)| c == choice).map_or(String::new(), |(_, n)| n.clone());
        let diff = |p: &CurvePoint| {
            p.alternatives.iter().find(|(c, n, _)| c == choice && n == name).map(|(_, _, v)| v - p.chosen)
        };
        let mut crossed = false;
        for w in pts.windows(2) {
            let (Some(d0), Some(d1)) = (diff(w[0]), diff(w[1])) else { continue };
            if d0 == 0.0 || d0.signum() == d1.signum() {
                continue;
            }
            crossed = true;
            let t = d0 / (d0 - d1);
            let (l0, l1) = (w[0].x.ln(), w[1].x.ln());
            out.push(Crossover {
                choice: choice.clone(),
                chosen: chosen_name.clone(),
                alternative: name.clone(),
                at: (l0 + t * (l1 - l0)).exp(),
                alternative_cheaper_above: d1 < 0.0,
                closing_gap_pct: None,
            });
        }
        // No crossing inside the sweep, but the gap is closing: say how close it is at the end.
        if !crossed
            && let [.., a, b] = pts.as_slice()
            && let (Some(d0), Some(d1)) = (diff(a), diff(b))
            && d0.signum() == d1.signum()
            && d1.abs() < d0.abs()
            && b.chosen != 0.0
        {
            out.push(Crossover {
                choice: choice.clone(),
                chosen: chosen_name.clone(),
                alternative: name.clone(),
                at: b.x,
                alternative_cheaper_above: d1 > 0.0,
                closing_gap_pct: Some(d1 / b.chosen * 100.0),
            });
        }
    }
    out.sort_by(|a, b| a.at.total_cmp(&b.at));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_is_interpolated_on_a_log_axis() {
        // Self-hosted costs 90 at 10 devices and 10 at 1,000 against a flat 50: the difference
        // goes +40 -> -40, so the curves cross halfway in log space, at 100 devices.
        let p = |x: f64, alt: f64| CurvePoint {
            x,
            chosen: 50.0,
            alternatives: vec![("platform".into(), "self".into(), alt)],
        };
        let c = crossovers(&[("platform".into(), "managed".into())], &[p(1000.0, 10.0), p(10.0, 90.0)]);
        assert_eq!(c.len(), 1);
        assert!((c[0].at - 100.0).abs() < 1e-9, "{}", c[0].at);
        assert!(c[0].alternative_cheaper_above);
        assert_eq!((c[0].chosen.as_str(), c[0].alternative.as_str()), ("managed", "self"));
        assert!(crossovers(&[], &[p(10.0, 60.0), p(100.0, 70.0)]).is_empty());
        // A closing gap (+40 at 10, +20 at 100) is reported at the last point, not forecast.
        let e = crossovers(&[], &[p(10.0, 90.0), p(100.0, 70.0)]);
        assert_eq!(e.len(), 1);
        assert!(!e[0].crosses() && e[0].at == 100.0);
        assert!((e[0].closing_gap_pct.unwrap() - 40.0).abs() < 1e-9);
    }
}
