//! The environment editor's DTOs: an environment's variables as the UI edits them, and
//! the view of the stored ones.
//!
//! The main design choice: a secret's value only ever travels *into* the app
//! ([`EnvVariableInput::value`]); the view going out never carries it, only whether a value
//! is stored ([`EnvVariableView::stored`]). An empty value on a secret input means "keep the
//! stored value", so the editor can save an environment without knowing its secrets.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvVariableInput {
    pub name: String,
    /// A plain variable's value; a secret's new value (empty keeps the stored one).
    pub value: String,
    pub secret: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvVariableView {
    pub name: String,
    /// The value of a plain variable; always empty for a secret.
    pub value: String,
    pub secret: bool,
    /// For a secret: whether the local store holds its value.
    pub stored: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentView {
    pub name: String,
    pub variables: Vec<EnvVariableView>,
}
