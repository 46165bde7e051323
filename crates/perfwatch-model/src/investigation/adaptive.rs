//! The answer of an adaptive comparison (`--until-confident`).

use serde::{Deserialize, Serialize};

/// What an adaptive comparison concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdaptiveDecision {
    /// The candidate is slower (its values are larger).
    Slower,
    /// The candidate is faster (its values are smaller).
    Faster,
    /// The difference lies within the noise band.
    Equivalent,
    /// The budget ran out before either answer.
    Undecided,
}

impl AdaptiveDecision {
    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            AdaptiveDecision::Slower => "slower",
            AdaptiveDecision::Faster => "faster",
            AdaptiveDecision::Equivalent => "equivalent",
            AdaptiveDecision::Undecided => "undecided",
        }
    }
}

/// Why an adaptive comparison stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The test reached an answer.
    Decided,
    /// The most rounds allowed were run.
    RunBudget,
    /// The time allowed was spent.
    TimeBudget,
    /// Interrupted, or a run failed.
    Stopped,
}

/// An adaptive comparison of two variants on one metric, run in
/// interleaved rounds until the anytime-valid test decided or the budget
/// was spent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptiveVerdict {
    /// `wall_s`, another metric key, or `stage:PATH`.
    pub metric: String,
    /// The reference variant (or commit).
    pub baseline: String,
    /// The variant (or commit) compared with it.
    pub candidate: String,
    /// The conclusion.
    pub decision: AdaptiveDecision,
    /// Why it stopped.
    pub stopped: StopReason,
    /// Complete rounds (pairs) used.
    pub rounds: u32,
    /// Geometric mean of the paired ratios candidate / baseline.
    pub ratio: f64,
    /// Anytime-valid 95 % interval of the ratio; absent while unbounded.
    pub ci_low: Option<f64>,
    /// Anytime-valid 95 % interval of the ratio; absent while unbounded.
    pub ci_high: Option<f64>,
    /// Evidence against "no difference" (an e-value; `1/alpha` decides).
    pub e_value: f64,
    /// Largest false-alarm probability over every look.
    pub alpha: f64,
    /// The noise band (a fraction: 0.02 = ±2 %) within which the variants
    /// count as equivalent.
    pub band: f64,
    /// The method, with its reference.
    pub method: String,
}

/// How a session was run adaptively (`--until-confident`): stored with
/// the session, so that every command recomputes the same
/// [`AdaptiveVerdict`] from its iterations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptiveSpec {
    /// `wall_s`, another metric key, or `stage:PATH`.
    pub metric: String,
    /// Largest false-alarm probability over every look.
    pub alpha: f64,
    /// The noise band, a fraction (0.02 = ±2 %).
    pub band: f64,
    /// Most rounds allowed.
    pub max_rounds: u32,
    /// Time allowed, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_time_s: Option<f64>,
}
