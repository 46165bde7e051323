//! The report of `perfwatch attribute`.

use serde::{Deserialize, Serialize};

/// Schema name of an attribution's JSON document.
pub const ATTRIBUTION_SCHEMA_V1: &str = "perfwatch.attribution.v1";

/// What kind of setting a factor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// An environment variable.
    Env,
    /// The extra arguments of the variant.
    Args,
    /// The command of the variant.
    Command,
}

/// One setting in which the two variants differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// Its name: the variable, `args` or `command`.
    pub name: String,
    /// What it is.
    pub kind: FactorKind,
    /// Its value in the baseline variant (`None`: unset).
    pub base: Option<String>,
    /// Its value in the candidate variant (`None`: unset).
    pub candidate: Option<String>,
}

/// One estimated effect: a setting's main effect, or the interaction of
/// two settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The factors' names: one for a main effect, two for an interaction.
    pub factors: Vec<String>,
    /// For wall time: the change as a ratio to the fitted wall time with
    /// every setting at the baseline's value (1.38 = adds 38 % of it); for
    /// a stage: seconds.
    pub estimate: f64,
    /// 95 % interval of the estimate.
    pub ci_low: f64,
    /// 95 % interval of the estimate.
    pub ci_high: f64,
    /// Two-sided p-value of "no effect".
    pub p_value: f64,
    /// The same effect in seconds of wall time (wall terms only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Wall terms: the deepest stage holding at least half of the effect
    /// in seconds (where the time went), when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// That stage's effect as a fraction of the wall effect in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_share: Option<f64>,
    /// Whether the interval excludes "no effect" (1 for ratios, 0 for
    /// seconds).
    pub significant: bool,
}

/// The effects of the settings on one stage, in seconds of its total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageEffects {
    /// Stage path.
    pub path: String,
    /// Fitted total with every setting at its baseline value, seconds.
    pub baseline_s: f64,
    /// Main effects (and interactions in a full design), in seconds.
    pub terms: Vec<Term>,
}

/// The whole attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionReport {
    /// [`ATTRIBUTION_SCHEMA_V1`].
    pub schema: String,
    /// The benchmark.
    pub benchmark: String,
    /// The baseline variant.
    pub baseline: String,
    /// The candidate variant.
    pub candidate: String,
    /// The settings in which they differ.
    pub factors: Vec<Factor>,
    /// `full` (2^k) or `plackett_burman` (screening).
    pub design: String,
    /// The design's rows: `true` = the candidate's value.
    pub rows: Vec<Vec<bool>>,
    /// Measured runs per row.
    pub runs_per_row: u32,
    /// The session holding the runs (one variant per row).
    pub session_id: String,
    /// Fitted wall time with every setting at the baseline's value, s.
    pub baseline_s: f64,
    /// Fitted wall time with every setting at the candidate's value, s.
    pub candidate_s: f64,
    /// Effects on wall time: ratios (main effects first, largest first).
    pub wall: Vec<Term>,
    /// Effects on each stage, largest stage first.
    pub stages: Vec<StageEffects>,
    /// After a screening design: the confirming full factorial on the
    /// settings that mattered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Box<AttributionReport>>,
}
