//! The scenario form (`studio::edit`): the fields people change most, with their values as the
//! text holds them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What kind of input a field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// A duration as scenarios write them (`"30d"`, `"2min"`).
    Duration,
    /// Free text.
    Text,
    /// One of `choices`.
    Choice,
}

/// One field of the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FormField {
    /// Its dotted path in the scenario (`fleet.vibration.count`), what `set_field` takes.
    pub path: String,
    /// What the form calls it.
    pub label: String,
    /// The input it takes.
    pub kind: FieldKind,
    /// The value as the text holds it, without quotes; empty when the text does not set it.
    pub value: String,
    /// What the scenario schema says of it (units, meaning).
    pub help: String,
    /// The allowed values, for `choice`.
    pub choices: Vec<String>,
    /// The smallest value allowed, for numbers.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The largest value allowed, for numbers.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// Fields that belong together (the scenario, one device class, the targets).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FormGroup {
    /// Its heading.
    pub title: String,
    /// Its fields, in the order shown.
    pub fields: Vec<FormField>,
}

/// The form of one scenario text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ScenarioForm {
    /// The groups, in the order shown.
    pub groups: Vec<FormGroup>,
}
