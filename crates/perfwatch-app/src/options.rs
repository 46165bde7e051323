//! Everything an analysis depends on, validated once where the settings
//! are read (the CLI's perfwatch.toml, later the server's configuration).

use perfwatch_analysis::{CompareOptions, FindingOptions, GateConfig};
use perfwatch_stats::CiOptions;

/// The options of [`analyze`](crate::analyze()).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// How comparisons decide, and which metrics are primary.
    pub compare: CompareOptions,
    /// Thresholds of the diagnostic rules.
    pub findings: FindingOptions,
    /// Gate rules to evaluate; `None` evaluates no gate.
    pub gates: Option<GateConfig>,
}

impl Options {
    /// The interval options of summaries: the comparisons' confidence, so
    /// that every interval of one analysis is at the same level.
    pub fn ci(&self) -> CiOptions {
        self.compare.ci_options()
    }
}
