//! The gate's verdict: every configured rule with its outcome. The types
//! live in the model crate, so that renderers can show them.

pub use perfwatch_model::{GateReport, RuleResult};
