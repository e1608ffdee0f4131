//! A problem found in a scenario: where (file, line, column, field path) and what is allowed,
//! and the "did you mean" hints of its messages, whose work is bounded whatever the input (see
//! [`Hints`]).

use std::fmt;

/// One problem in a scenario (or price book): where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based; 0 when the problem comes from a `--set` override.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Dotted path of the field, e.g. `fleet.vibration.buffer.capacity`.
    pub path: String,
    /// What is wrong and, where possible, what is allowed instead.
    pub message: String,
    /// The `--set` override the problem comes from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_override: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.from_override {
            Some(o) => write!(f, "{} (--set {o}): ", self.file)?,
            None => write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?,
        }
        if self.path.is_empty() { write!(f, "{}", self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

/// All the problems of one file, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "error: {d}")?;
        }
        write!(f, "{} problem{} found", self.0.len(), if self.0.len() == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// Neither a word nor a candidate longer than this (in characters) takes part in "did you mean"
/// hints: nobody mistypes a 65-character key, and it bounds the cost of one comparison.
pub const MAX_SUGGEST_CHARS: usize = 64;

/// Units of hint work (one per candidate looked at, one per edit-distance cell computed) that
/// the hints of one file may use together; once spent, later problems get no hint. About 20 ms
/// of work: a file with thousands of unknown names against thousands of defined ones stays fast
/// (otherwise that work grows as their product).
pub const HINT_WORK_PER_FILE: u64 = 20_000_000;

/// Levenshtein distance. Quadratic in the lengths: hints use [`edit_distance_within`].
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The Levenshtein distance of `a` and `b` if it is at most `max`, else None.
pub fn edit_distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    banded_distance(a, b, max).0
}

/// [`edit_distance_within`] and the number of cells it computed. Strings whose lengths differ by
/// more than `max` are rejected before any (the distance is at least that difference); only the
/// cells within `max` of the diagonal are computed, and it stops at the first row whose cells
/// all exceed `max`: at most `a.len() * (2 * max + 1)` cells.
fn banded_distance(a: &[char], b: &[char], max: usize) -> (Option<usize>, u64) {
    if a.len().abs_diff(b.len()) > max {
        return (None, 0);
    }
    let big = max + 1;
    // prev[j] = distance(a[..i], b[..j]) for j within the band, `big` outside it.
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| j.min(big)).collect();
    let mut cur = vec![big; b.len() + 1];
    let mut cells = 0u64;
    for (i, &ca) in a.iter().enumerate() {
        let row = i + 1;
        let (lo, hi) = (row.saturating_sub(max).max(1), (row + max).min(b.len()));
        cur.fill(big);
        cur[0] = row.min(big);
        let mut best = cur[0];
        for j in lo..=hi {
            let cost = usize::from(ca != b[j - 1]);
            let d = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1).min(big);
            cur[j] = d;
            best = best.min(d);
        }
        cells += (hi + 1).saturating_sub(lo) as u64;
        if best > max {
            return (None, cells);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (Some(prev[b.len()]).filter(|&d| d <= max), cells)
}

/// The closest candidate to `word`, if it is close enough to be a likely typo (see
/// [`Hints::suggest`]), with a budget of its own: for short, fixed lists of candidates.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    Hints::new().suggest(word, candidates)
}

/// "Did you mean" hints drawing on one budget of work ([`HINT_WORK_PER_FILE`]), shared by the
/// hints of one file.
#[derive(Debug)]
pub struct Hints {
    left: std::cell::Cell<u64>,
}

impl Default for Hints {
    fn default() -> Self {
        Hints::new()
    }
}

impl Hints {
    /// A fresh budget of [`HINT_WORK_PER_FILE`] units of work.
    pub fn new() -> Hints {
        Hints { left: std::cell::Cell::new(HINT_WORK_PER_FILE) }
    }

    /// Work left in the budget.
    pub fn left(&self) -> u64 {
        self.left.get()
    }

    /// The closest candidate to `word` (compared in lower case), if it is close enough to be a
    /// likely typo: within max(2, len / 4) edits of a candidate of `len` bytes, and fewer edits
    /// than that length; the first of equally close ones. None for a word or candidate over
    /// [`MAX_SUGGEST_CHARS`], and None once the budget runs out (the answer never depends on
    /// how far a search got: a search the budget cuts short gives no hint).
    pub fn suggest<'a>(&self, word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        if word.len() > 4 * MAX_SUGGEST_CHARS || word.chars().count() > MAX_SUGGEST_CHARS {
            return None;
        }
        let word: Vec<char> = word.to_lowercase().chars().collect();
        let mut best: Option<(usize, &'a str)> = None;
        let mut chars: Vec<char> = Vec::with_capacity(MAX_SUGGEST_CHARS);
        for c in candidates {
            let spent = self.left.get().checked_sub(1)?;
            self.left.set(spent);
            if c.is_empty() || c.len() > 4 * MAX_SUGGEST_CHARS {
                continue;
            }
            let allowed = 2.max(c.len() / 4).min(c.len() - 1);
            let limit = best.map_or(allowed, |(d, _)| allowed.min(d.saturating_sub(1)));
            // A candidate of n bytes has n / 4 to n characters.
            if c.len() + limit < word.len() || c.len() / 4 > word.len() + limit {
                continue;
            }
            chars.clear();
            chars.extend(c.chars());
            if chars.len() > MAX_SUGGEST_CHARS {
                continue;
            }
            let (d, cells) = banded_distance(&word, &chars, limit);
            self.left.set(self.left.get().checked_sub(cells)?);
            if let Some(d) = d
                && best.is_none_or(|(b, _)| d < b)
            {
                best = Some((d, c));
            }
        }
        best.map(|(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banded_distance_agrees_with_the_full_one() {
        let words = ["", "a", "ab", "ba", "kitten", "sitting", "flush_per_tick", "flush_per_tik", "ümlaut", "umlaut"];
        for a in words {
            for b in words {
                let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let d = edit_distance(a, b);
                for max in 0..16 {
                    assert_eq!(edit_distance_within(&ac, &bc, max), (d <= max).then_some(d), "{a:?} {b:?} {max}");
                }
            }
        }
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["period", "jitter", "payload_bytes"];
        assert_eq!(did_you_mean("perid", keys), Some("period"));
        assert_eq!(did_you_mean("PAYLOAD_BYTES", keys), Some("payload_bytes"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("", ["", "a"]), None);
        // Of equally close candidates, the first.
        assert_eq!(did_you_mean("ab", ["aa", "bb"]), Some("aa"));
        assert_eq!(did_you_mean("abcdefgh", ["abcdefxx", "abcdefgx"]), Some("abcdefgx"));
    }

    #[test]
    fn a_huge_word_gets_no_hint_and_costs_nothing() {
        // Structural, not timed: a word over the cap returns before pulling a candidate (this
        // iterator panics if pulled), and a huge candidate is skipped on its length alone.
        let word = "x".repeat(100_000);
        let untouched = std::iter::from_fn(|| -> Option<&str> { panic!("a candidate was read") });
        assert_eq!(did_you_mean(&word, untouched), None);
        let hints = Hints::new();
        let huge = "y".repeat(100_000);
        assert_eq!(hints.suggest("yyy", [huge.as_str()]), None);
        assert_eq!(hints.left(), HINT_WORK_PER_FILE - 1, "one candidate looked at, no cell computed");
        let near = format!("{}z", "x".repeat(MAX_SUGGEST_CHARS - 1));
        assert_eq!(did_you_mean(&"x".repeat(MAX_SUGGEST_CHARS), [near.as_str()]), Some(near.as_str()));
    }

    #[test]
    fn hints_stop_when_the_budget_is_spent() {
        let hints = Hints::new();
        let names: Vec<String> = (0..1_000).map(|i| format!("site-{i:04}")).collect();
        let mut found = 0;
        for i in 0..100_000 {
            if hints.suggest(&format!("site-{:04}x", i % 1_000), names.iter().map(String::as_str)).is_some() {
                found += 1;
            }
        }
        // Every lookup costs at least one unit per candidate, so at most the budget's worth of
        // candidates were looked at, and the early lookups still found their name.
        assert!(found > 100 && found < 100_000, "{found}");
        assert!(hints.left() < 1_000);
    }
}
