//! The analysis options of one invocation, from perfwatch.toml (and, for
//! gates, the command line's limits).

use crate::config::Config;
use perfwatch_analysis::{CompareOptions, GateConfig, SeverityThresholds};

/// The app layer's options from the configuration; `gates` when a gate is
/// to be evaluated.
pub fn analysis_options(config: &Config, gates: Option<GateConfig>) -> perfwatch_app::Options {
    let t = &config.file.thresholds;
    let defaults = CompareOptions::default();
    perfwatch_app::Options {
        compare: CompareOptions {
            confidence: t.confidence,
            noise_threshold: t.noise,
            min_samples: t.min_samples,
            severity: SeverityThresholds {
                low: t.low,
                medium: t.medium,
                high: t.high,
                critical: t.critical,
            },
            ci: perfwatch_stats::CiOptions {
                confidence: t.confidence,
                ..defaults.ci
            },
            ..defaults
        },
        findings: config.file.findings.clone(),
        gates,
    }
}
