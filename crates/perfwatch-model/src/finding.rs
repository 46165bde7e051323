//! A diagnosis drawn from the data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A diagnosis with its evidence, estimated saving and recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule that produced it (`bottleneck`, `fixed_wait`, …).
    pub kind: String,
    /// One-line title.
    pub title: String,
    /// Stage path concerned, if any.
    pub stage: Option<String>,
    /// The numbers the finding rests on.
    pub evidence: BTreeMap<String, f64>,
    /// Estimated saving in seconds per run.
    pub impact_s: f64,
    /// Confidence 0..1.
    pub confidence: f64,
    /// What to do.
    pub recommendation: String,
    /// Effort hint (`low`, `medium`, `high`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<String>,
    /// Variant concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}
