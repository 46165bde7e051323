//! The gate's verdict: every configured rule with its outcome.

use serde::{Deserialize, Serialize};

/// The outcome of every configured gate rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateReport {
    /// Every rule passed (true when none is configured).
    pub passed: bool,
    /// One result per configured rule, in a fixed order.
    pub rules: Vec<RuleResult>,
}

impl GateReport {
    /// A report of these results.
    pub fn new(rules: Vec<RuleResult>) -> Self {
        GateReport {
            passed: rules.iter().all(|r| r.passed),
            rules,
        }
    }

    /// The rules that failed.
    pub fn failures(&self) -> impl Iterator<Item = &RuleResult> {
        self.rules.iter().filter(|r| !r.passed)
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule, as configured (`max_regression_high`,
    /// `stage."a/b".p50_s`, …).
    pub rule: String,
    /// Whether it passed. A rule with nothing to judge (no baseline to
    /// compare with, a figure not measured) passes, and `actual` says `n/a`.
    pub passed: bool,
    /// The measured value, formatted.
    pub actual: String,
    /// The limit, formatted.
    pub limit: String,
    /// What was judged and, on failure, by how much it missed.
    pub detail: String,
}
