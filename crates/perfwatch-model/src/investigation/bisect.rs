//! The report of `perfwatch bisect`.

use super::AdaptiveVerdict;
use serde::{Deserialize, Serialize};

/// Schema name of a bisection's JSON document.
pub const BISECT_SCHEMA_V1: &str = "perfwatch.bisect.v1";

/// A commit of the bisected range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// Full commit id.
    pub id: String,
    /// First line of its message.
    pub subject: String,
}

/// What one step found about its commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepVerdict {
    /// Like the good endpoint.
    Good,
    /// Like the bad endpoint.
    Bad,
    /// Still unclear when the step's budget was spent.
    Ambiguous,
    /// The commit failed to build or run (as `git bisect skip`).
    Skipped,
}

impl StepVerdict {
    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            StepVerdict::Good => "good",
            StepVerdict::Bad => "bad",
            StepVerdict::Ambiguous => "ambiguous",
            StepVerdict::Skipped => "skipped",
        }
    }
}

/// One step of the bisection: a commit measured and classified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BisectStep {
    /// The commit.
    pub commit: Commit,
    /// Its position in the range, 0 = the good endpoint.
    pub position: usize,
    /// The verdict.
    pub verdict: StepVerdict,
    /// Measured runs.
    pub runs: u32,
    /// Median of the metric over those runs.
    pub median: Option<f64>,
    /// Log-likelihood ratio of "like bad" against "like good".
    pub llr: f64,
    /// The stored session of these runs.
    pub session_id: Option<String>,
    /// Why the commit was skipped.
    pub reason: Option<String>,
}

/// How the bisection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BisectOutcome {
    /// One commit is the first like the bad endpoint.
    FirstBad,
    /// The endpoints do not differ: nothing to bisect.
    NoDifference,
    /// The first bad commit is one of several that could not be told
    /// apart (skipped or ambiguous commits between the last good and the
    /// first bad one).
    Ambiguous,
    /// Interrupted before an answer.
    Interrupted,
}

/// The whole bisection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BisectReport {
    /// [`BISECT_SCHEMA_V1`].
    pub schema: String,
    /// The benchmark (or the command) measured.
    pub benchmark: String,
    /// The metric bisected: `wall_s` or `stage:PATH`.
    pub metric: String,
    /// The range, oldest (the good endpoint) first.
    pub commits: Vec<Commit>,
    /// The endpoints compared: good as baseline, bad as candidate.
    pub endpoints: Option<AdaptiveVerdict>,
    /// Medians of the metric at the endpoints.
    pub good_median: Option<f64>,
    /// Medians of the metric at the endpoints.
    pub bad_median: Option<f64>,
    /// Steps, in the order they ran (the endpoints are not steps).
    pub steps: Vec<BisectStep>,
    /// How it ended.
    pub outcome: BisectOutcome,
    /// The first bad commit, when one was found.
    pub first_bad: Option<Commit>,
    /// With [`BisectOutcome::Ambiguous`]: the commits it may be, oldest first.
    pub suspects: Vec<Commit>,
    /// The first bad commit's effect: its runs against those of the last
    /// good commit, as a ratio of geometric means with a 95 % interval.
    pub effect: Option<EffectEstimate>,
    /// Per-step error probabilities of the classification (SPRT α = β).
    pub step_error: f64,
    /// Every measured run of the bisection: endpoints, steps (each with
    /// both endpoints beside it) and the effect's measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_runs: Option<u64>,
    /// Most rounds a step could run before it was called ambiguous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_budget: Option<u32>,
    /// Rounds a step was expected to need, from the endpoints' difference
    /// and noise (Wald's approximation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_step_rounds: Option<f64>,
}

/// A ratio with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EffectEstimate {
    /// Ratio bad / good.
    pub ratio: f64,
    /// 95 % interval.
    pub ci_low: f64,
    /// 95 % interval.
    pub ci_high: f64,
}
