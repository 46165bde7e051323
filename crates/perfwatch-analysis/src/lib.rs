//! Comparisons, severity, findings, health score and gates for perfwatch.
//!
//! Everything here is pure: iterations and options in, plain
//! [`perfwatch_model`] data out. The statistics come from
//! [`perfwatch_stats`]; this crate decides what they mean.
//!
//! ```
//! use perfwatch_analysis::{compare_samples, CompareOptions};
//! use perfwatch_model::{Severity, Verdict};
//!
//! let base = [0.50, 0.51, 0.49, 0.50, 0.52, 0.50, 0.49, 0.51];
//! let cand = [0.65, 0.66, 0.64, 0.65, 0.67, 0.65, 0.64, 0.66];
//! let c = compare_samples("wall_s", None, "main", "branch", &base, &cand, &CompareOptions::default());
//! assert_eq!(c.verdict, Verdict::Regressed);
//! assert_eq!(c.severity, Severity::Medium); // +30 %
//! ```

pub mod app_rule;
pub mod bound;
pub mod compare;
pub mod findings;
pub mod gate;
pub mod gpu;
pub mod health;
pub mod monitor;
pub mod options;
pub mod primary;
pub mod service_summary;
pub mod severity;
pub mod stages;
pub mod summarize;
pub mod verdict;
pub mod warnings;

pub use bound::{Bound, OutOfRange};
pub use compare::{compare_samples, compare_variants};
pub use findings::{diagnose, FindingOptions};
pub use gate::{evaluate, GateConfig, GateReport, RuleResult};
pub use health::{health, Health};
pub use options::{CompareOptions, OptionsError};
pub use primary::PrimaryMetrics;
pub use severity::SeverityThresholds;
pub use stages::{compare_stages, stage_summaries, stage_tree, StageNode};
pub use summarize::{metric_values, summarize_session, summarize_variant};
pub use warnings::{sample_warnings, sample_warnings_with};
