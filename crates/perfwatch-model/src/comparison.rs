//! A comparison of one metric between a baseline and a candidate.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The answer of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significantly better, beyond the noise threshold.
    Improved,
    /// Significantly worse, beyond the noise threshold.
    Regressed,
    /// Any change lies within the noise threshold.
    Unchanged,
    /// Not enough evidence either way.
    Inconclusive,
}

impl Verdict {
    /// The key used in files.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Regressed => "regressed",
            Verdict::Unchanged => "unchanged",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// How bad a significant regression is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Not a significant regression, or below the low threshold.
    None,
    /// 10–20 % by default.
    Low,
    /// 20–50 % by default.
    Medium,
    /// 50–100 % by default.
    High,
    /// More than 100 % by default.
    Critical,
}

impl Severity {
    /// The key used in files.
    pub fn key(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Candidate vs baseline for one metric, whole run or one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Metric key (`wall_s`, …); for stages, `total_s`.
    pub metric: String,
    /// Stage path, absent for whole-process metrics.
    pub stage: Option<String>,
    /// Baseline name (variant, session or baseline).
    pub baseline: String,
    /// Candidate name.
    pub candidate: String,
    /// Baseline median.
    #[serde(default)]
    pub baseline_median: f64,
    /// Candidate median.
    #[serde(default)]
    pub candidate_median: f64,
    /// Baseline sample size.
    #[serde(default)]
    pub baseline_n: usize,
    /// Candidate sample size.
    #[serde(default)]
    pub candidate_n: usize,
    /// Ratio of medians, candidate / baseline.
    pub ratio: f64,
    /// Lower bound of the ratio's confidence interval.
    pub ci_low: f64,
    /// Upper bound of the ratio's confidence interval.
    pub ci_high: f64,
    /// Two-sided Mann-Whitney U p-value.
    pub p_value: f64,
    /// (ratio − 1) × 100.
    pub change_pct: f64,
    /// Severity of a significant regression.
    pub severity: Severity,
    /// The verdict.
    pub verdict: Verdict,
    /// Why the verdict is inconclusive, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The confidence level of `ci_low`/`ci_high` and of the test (0.95 in
    /// files written before the level was recorded).
    #[serde(default = "crate::summary::default_confidence")]
    pub confidence: f64,
    /// Whether the metric is a primary one: primary metrics decide
    /// headlines, health and gates; the others are information (their
    /// severity is always `none`).
    #[serde(default = "primary_default")]
    pub primary: bool,
    /// What the baseline side is: another variant of the same session (a
    /// deliberate comparison of alternatives) or a reference (a saved
    /// baseline, another session or file).
    #[serde(default)]
    pub reference: Reference,
}

fn primary_default() -> bool {
    true
}

/// What the baseline side of a comparison is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// Another variant of the same session (`ab`): alternatives side by
    /// side, which is not a regression of either.
    #[default]
    Variant,
    /// A saved baseline, another session or an exported file: the
    /// candidate is judged against it.
    Baseline,
}

impl Reference {
    /// The key used in files.
    pub fn key(self) -> &'static str {
        match self {
            Reference::Variant => "variant",
            Reference::Baseline => "baseline",
        }
    }
}
