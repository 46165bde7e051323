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
    /// Variant concerned, if any. When several variants show the finding,
    /// the one where it matters most (largest saving, then confidence),
    /// whose figures `evidence`, `impact_s` and `confidence` are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Every variant that shows the finding, with its own figures, in the
    /// session's variant order; empty when only one variant shows it (then
    /// `variant` names it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantEvidence>,
}

/// How one variant shows a finding that several variants share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantEvidence {
    /// Variant name.
    pub name: String,
    /// The finding's title as this variant's figures word it.
    pub title: String,
    /// Estimated saving in seconds per run in this variant.
    pub impact_s: f64,
    /// Confidence 0..1 in this variant.
    pub confidence: f64,
    /// The numbers the finding rests on in this variant.
    pub evidence: BTreeMap<String, f64>,
}
