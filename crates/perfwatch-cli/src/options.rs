//! The analysis options of one invocation, from perfwatch.toml (validated
//! when it was read) and, for gates, the command line's limits.

use crate::config::Config;
use perfwatch_analysis::GateConfig;

/// The app layer's options from the configuration; `gates` when a gate is
/// to be evaluated.
pub fn analysis_options(config: &Config, gates: Option<GateConfig>) -> perfwatch_app::Options {
    perfwatch_app::Options {
        compare: config.file.thresholds,
        findings: config.file.findings.clone(),
        gates,
    }
}
