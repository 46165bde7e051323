//! Gates: rules that turn a session's comparisons, health and figures into
//! pass or fail, each saying by how much it missed.
//!
//! ```
//! use perfwatch_analysis::gate::{evaluate, GateConfig};
//! use perfwatch_analysis::health::Health;
//! # let export: perfwatch_model::SessionExport = serde_json::from_str(r#"{"schema":"perfwatch.session.v1",
//! #   "session":{"id":"1","started_at":"","benchmark":"b","command":{"argv":["x"]},"git":null,
//! #   "host":{"os":"linux"},"perfwatch_version":"0","status":"complete"},"variants":[]}"#).unwrap();
//!
//! let cfg: GateConfig = toml::from_str("min_health_score = 80").unwrap();
//! let health = Health { score: 72, breakdown: vec![] };
//! let report = evaluate(&cfg, &export, &health);
//! assert!(!report.passed);
//! assert_eq!(report.rules[0].detail, "8 points short");
//! ```

mod app_metric;
mod budget;
mod config;
mod evaluate;
mod report;

pub use config::{
    GateConfig, GateConfigError, StageBudget, MAX_DURATION_INCREASE_BOUND, MAX_FAILURE_RATE_BOUND,
    MIN_HEALTH_SCORE_BOUND, STAGE_BUDGET_BOUND, STAGE_TOTAL_METRIC,
};
pub use evaluate::evaluate;
pub use report::{GateReport, RuleResult};
