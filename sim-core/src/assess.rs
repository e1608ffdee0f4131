//! The business case and the verdict of a run, computed from its usage in their one order:
//! priced first, judged second (the verdict's TCO target and quota checks read the bill).

use crate::cost::{BillInput, CostSummary, PriceBook, bill};
use crate::replication::mean_summary;
use crate::scenario::Scenario;
use crate::summary::RunSummary;
use crate::verdict::{Verdict, judge};

/// What [`assess`] derives from one run's usage.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// The bill (None when the scenario has no `[cost]` table or no price book is given).
    pub cost: Option<CostSummary>,
    /// The verdict on this one run, judged with `cost`.
    pub verdict: Verdict,
}

impl Assessment {
    /// Writes the assessment into the summary's `cost` and `verdict` (replacing what a previous
    /// pricing left there); the JSON contract keeps both in the RunSummary.
    pub fn fill(self, summary: &mut RunSummary) {
        summary.cost = self.cost;
        summary.verdict = Some(self.verdict);
    }
}

/// Prices one run's usage with `book` (when the scenario has a `[cost]` plan), then judges the
/// run with that bill. A `cost` or `verdict` already in `usage` is ignored, so re-pricing with
/// another book re-judges too.
pub fn assess(s: &Scenario, book: Option<&PriceBook>, usage: &RunSummary) -> Assessment {
    let cost = match (&s.cost, book) {
        (Some(plan), Some(book)) => Some(bill(&BillInput { scenario: s, plan, book, summary: usage })),
        _ => None,
    };
    let mut priced = usage.clone();
    priced.cost = cost;
    priced.verdict = None;
    let verdict = judge(s, std::slice::from_ref(&priced), book);
    Assessment { cost: priced.cost, verdict }
}

/// The mean summary of R replications, each already assessed with `book`, with the verdict on
/// all of them together (targets by the interval of their mean): the headline figures, the bill
/// and the verdict from one statistic.
pub fn assess_replications(s: &Scenario, book: Option<&PriceBook>, assessed: &[RunSummary]) -> RunSummary {
    let mut mean = mean_summary(assessed);
    mean.verdict = Some(judge(s, assessed, book));
    mean
}
