//! The wire contracts: owned, typed `Serialize + Deserialize` forms of what the front ends read
//! (the CLI's `--json`, the desktop app), with their TypeScript definitions ([`typescript`]).
//! Core types stay free to change; these change only on purpose.

mod bench;
mod comparison;
mod fleet;
mod form;
mod pilot;
mod records;
mod series;
mod studies;
pub mod summary;

pub use bench::{BenchResult, RunSummaryV1};
pub use comparison::{Comparison, Difference, Figure, Unit};
pub use fleet::{
    DemoBeat, DemoSummary, DeviceDetails, FleetFrame, FleetKpis, FleetLayout, FleetSite, SiteStates, StateLegend,
};
pub use form::{FieldKind, FormField, FormGroup, ScenarioForm};
pub use pilot::{Fit, FitEstimate, PilotComparison, PilotDistance};
pub use records::{Problem, RecordingItem, RunListItem, RunStatus, ScenarioItem, SweepKind, SweepListItem};
pub use series::{ClassHour, RunSeries, TimelineEvent, TimelineEventKind};
// The bridge's summaries are defined beside the code that fills them, in `bridge`.
pub use bridge::emulate::{Truth, TruthReport};
pub use bridge::live::LiveSummary;
pub use bridge::record::RecordSummary;
pub use studies::{
    CrossoverPoint, PointOne, PointReplicated, PointSummary, Study, StudyDetail, StudyRow, SweepDetail, SweepPoint,
};

use ts_rs::TS;

/// The header of the generated TypeScript.
const HEADER: &str = "\
// Scaleproof's wire contracts, generated from studio's contracts by
// `cargo test -p studio --test contracts`; UPDATE_GOLDEN=1 rewrites it; do not edit.
//
// Integers are JSON numbers (`number`): ids, counts and bytes stay below 2^53. Seeds are u64s
// and may pass 2^53: JSON.parse rounds them (show them; read them losslessly to rerun a seed).
";

/// `export type Name<..> = {...};` of one contract type, with integers as `number` and no
/// trailing blanks.
fn export<T: TS>() -> String {
    let decl = T::decl().replace("bigint", "number");
    let lines: Vec<&str> = decl.lines().map(str::trim_end).collect();
    format!("export {}\n", lines.join("\n"))
}

/// The TypeScript definitions of every contract type, in a fixed order (checked in as
/// `ui/src/contracts.ts`). A new contract type is one more line here.
pub fn typescript() -> String {
    use summary::*;
    let decls = [
        // Run summaries (RunSummary JSON v1) and runs.
        export::<Stat>(),
        export::<SummaryOf<(), ()>>(),
        export::<Messages<()>>(),
        export::<LossCauses<()>>(),
        export::<Latency<()>>(),
        export::<Radio<()>>(),
        export::<ClassSummary<(), ()>>(),
        export::<Battery<(), ()>>(),
        export::<Provisioning<(), ()>>(),
        export::<Ota<(), ()>>(),
        export::<Campaign<(), ()>>(),
        export::<Wave<(), ()>>(),
        export::<Security<(), ()>>(),
        export::<Compromise<(), ()>>(),
        export::<Cost<()>>(),
        export::<Breakdown<()>>(),
        export::<CostCategory>(),
        export::<BillLine<()>>(),
        export::<Alternative<()>>(),
        export::<Verdict>(),
        export::<Readiness>(),
        export::<Severity>(),
        export::<Finding>(),
        export::<Estimate>(),
        export::<RunStatus>(),
        export::<RunFacts>(),
        export::<RunOne>(),
        export::<RunReplicated>(),
        export::<RunUnfinished>(),
        export::<RunDetail>(),
        // A run's series and timeline.
        export::<ClassHour>(),
        export::<TimelineEventKind>(),
        export::<TimelineEvent>(),
        export::<RunSeries>(),
        // Sweeps and sensitivity studies.
        export::<PointOne>(),
        export::<PointReplicated>(),
        export::<PointSummary>(),
        export::<SweepPoint>(),
        export::<CrossoverPoint>(),
        export::<SweepDetail>(),
        export::<StudyRow>(),
        export::<Study>(),
        export::<StudyDetail>(),
        // The benchmark.
        export::<RunSummaryV1>(),
        export::<BenchResult>(),
        // Two runs compared.
        export::<Difference>(),
        export::<Unit>(),
        export::<Figure>(),
        export::<Comparison>(),
        // The pilot bridge.
        export::<FitEstimate>(),
        export::<Fit>(),
        export::<PilotDistance>(),
        export::<PilotComparison>(),
        // The run database's lists.
        export::<RunListItem>(),
        export::<SweepKind>(),
        export::<SweepListItem>(),
        export::<RecordingItem>(),
        export::<ScenarioItem>(),
        // The scenario form.
        export::<FieldKind>(),
        export::<FormField>(),
        export::<FormGroup>(),
        export::<ScenarioForm>(),
        // The bridge's summaries (live, pilot emulate, pilot record).
        export::<LiveSummary>(),
        export::<Truth>(),
        export::<TruthReport>(),
        export::<RecordSummary>(),
        // The fleet view.
        export::<StateLegend>(),
        export::<FleetSite>(),
        export::<FleetLayout>(),
        export::<SiteStates>(),
        export::<FleetFrame>(),
        export::<FleetKpis>(),
        export::<DeviceDetails>(),
        export::<DemoBeat>(),
        export::<DemoSummary>(),
        // Long work in progress (sessions).
        export::<crate::LiveFigures>(),
        export::<crate::Progress>(),
        export::<crate::bridge::LiveComparison>(),
        export::<crate::bridge::BridgeEvent>(),
        // Errors.
        export::<crate::ErrorCode>(),
        export::<crate::ErrorReport>(),
        export::<Problem>(),
    ];
    let mut out = String::from(HEADER);
    for d in decls {
        out.push('\n');
        out.push_str(&d);
    }
    out
}
