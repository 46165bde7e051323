//! The gate's configuration: a `[gates]` table in which every rule is
//! optional, and per-stage budgets under `[gates.stage."PATH"]`.
//!
//! ```
//! use perfwatch_analysis::gate::GateConfig;
//!
//! let cfg: GateConfig = toml::from_str(r#"
//!     max_regression_high = 0
//!     min_health_score = 70
//!     max_duration_increase_percent = 10
//!     [stage."pipeline/track/activate"]
//!     p50_s = 0.25
//! "#).unwrap();
//! assert!(cfg.validate().is_ok());
//! assert_eq!(cfg.stage["pipeline/track/activate"].p50_s, Some(0.25));
//! ```

use perfwatch_model::Metric;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The comparison metrics regression rules count unless `metrics` says
/// otherwise: wall time, CPU times, peak RSS and stage totals (`total_s`).
/// Context switches and bytes read/written are left out — they vary a lot
/// from run to run for reasons unrelated to the change under test (page
/// cache, scheduler), and a gate that fails on noise gets switched off.
pub const DEFAULT_METRICS: [&str; 5] = ["wall_s", "user_s", "sys_s", "max_rss_bytes", "total_s"];

/// The metric key of stage comparisons.
pub const STAGE_TOTAL_METRIC: &str = "total_s";

/// Gate rules; every one is optional and an empty table gates nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// Most significant regressions of severity `critical`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_regression_critical: Option<u32>,
    /// Most significant regressions of severity `high` or worse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_regression_high: Option<u32>,
    /// Most significant regressions of severity `medium` or worse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_regression_medium: Option<u32>,
    /// Most significant regressions of severity `low` or worse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_regression_low: Option<u32>,
    /// Least health score, 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_health_score: Option<u8>,
    /// Largest increase of the median wall time against the baseline, in %
    /// (a budget on the point estimate, significant or not; use the
    /// `max_regression_*` rules to gate on significance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_duration_increase_percent: Option<f64>,
    /// Largest share of non-warm-up runs that failed or timed out, 0–1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_failure_rate: Option<f64>,
    /// Largest peak RSS of any counted run, bytes (`max_rss_bytes` or the
    /// sampled tree peak, whichever is larger).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_peak_rss_bytes: Option<u64>,
    /// Comparison metrics the regression rules count (default
    /// [`DEFAULT_METRICS`]); `total_s` stands for every stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<String>>,
    /// The variant the rules apply to (comparisons whose candidate it is);
    /// default every variant, the worst one deciding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Budgets per stage path.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub stage: BTreeMap<String, StageBudget>,
}

/// Budgets of one stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageBudget {
    /// Largest median time in the stage per run, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_s: Option<f64>,
    /// Largest RSS of the tree sampled during the stage, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_rss_bytes: Option<u64>,
    /// Largest mean CPU use of the tree during the stage, % of one core.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_cpu_pct: Option<f64>,
}

/// Gate settings that make no sense.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GateConfigError {
    /// A limit lies outside its range.
    #[error("gate `{name}` must be {expected}, got {value}")]
    OutOfRange {
        /// The rule.
        name: String,
        /// Its value.
        value: f64,
        /// The allowed range, in words.
        expected: &'static str,
    },
    /// `metrics` names an unknown metric.
    #[error("unknown metric `{0}` in gate `metrics` (known: {known}, total_s)",
        known = Metric::ALL.map(|m| m.key()).join(", "))]
    UnknownMetric(String),
    /// A stage budget has an empty path.
    #[error("a gate stage budget needs a stage path, got an empty one")]
    EmptyStage,
}

impl GateConfig {
    /// Checks the limits; call it where the configuration comes from users.
    pub fn validate(&self) -> Result<(), GateConfigError> {
        let bad = |name: &str, value: f64, expected| GateConfigError::OutOfRange {
            name: name.to_string(),
            value,
            expected,
        };
        if let Some(h) = self.min_health_score.filter(|&h| h > 100) {
            return Err(bad("min_health_score", f64::from(h), "at most 100"));
        }
        if let Some(p) = self
            .max_duration_increase_percent
            .filter(|p| !p.is_finite())
        {
            return Err(bad("max_duration_increase_percent", p, "a finite number"));
        }
        if let Some(r) = self.max_failure_rate.filter(|r| !(0.0..=1.0).contains(r)) {
            return Err(bad("max_failure_rate", r, "between 0 and 1"));
        }
        if let Some(m) = self.metrics.iter().flatten().find(|m| !known_metric(m)) {
            return Err(GateConfigError::UnknownMetric(m.clone()));
        }
        for (path, b) in &self.stage {
            if path.is_empty() {
                return Err(GateConfigError::EmptyStage);
            }
            if let Some(p) = b.p50_s.filter(|p| !(p.is_finite() && *p >= 0.0)) {
                return Err(bad(&format!("stage.\"{path}\".p50_s"), p, "a number ≥ 0"));
            }
            if let Some(c) = b.max_cpu_pct.filter(|c| !(c.is_finite() && *c >= 0.0)) {
                return Err(bad(
                    &format!("stage.\"{path}\".max_cpu_pct"),
                    c,
                    "a number ≥ 0",
                ));
            }
        }
        Ok(())
    }

    /// The metrics the regression rules count.
    pub fn metrics(&self) -> Vec<String> {
        match &self.metrics {
            Some(m) => m.clone(),
            None => DEFAULT_METRICS.iter().map(|m| m.to_string()).collect(),
        }
    }
}

fn known_metric(m: &str) -> bool {
    m == STAGE_TOTAL_METRIC || m.parse::<Metric>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_optional_and_unknown_ones_are_rejected() {
        assert_eq!(
            toml::from_str::<GateConfig>("").unwrap(),
            GateConfig::default()
        );
        let err = toml::from_str::<GateConfig>("max_regressions = 1").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = toml::from_str::<GateConfig>("[stage.a]\np50 = 1").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn round_trips_through_toml() {
        let cfg = GateConfig {
            max_regression_high: Some(0),
            max_failure_rate: Some(0.1),
            metrics: Some(vec!["wall_s".into()]),
            stage: [(
                "a/b".to_string(),
                StageBudget {
                    p50_s: Some(1.5),
                    ..Default::default()
                },
            )]
            .into(),
            ..Default::default()
        };
        let text = toml::to_string(&cfg).unwrap();
        assert_eq!(toml::from_str::<GateConfig>(&text).unwrap(), cfg);
    }

    #[test]
    fn bad_limits_are_named() {
        let cases: Vec<(GateConfig, &str)> = vec![
            (
                GateConfig {
                    min_health_score: Some(101),
                    ..Default::default()
                },
                "`min_health_score`",
            ),
            (
                GateConfig {
                    max_failure_rate: Some(1.5),
                    ..Default::default()
                },
                "between 0 and 1",
            ),
            (
                GateConfig {
                    max_duration_increase_percent: Some(f64::NAN),
                    ..Default::default()
                },
                "`max_duration_increase_percent`",
            ),
            (
                GateConfig {
                    metrics: Some(vec!["voluntary_cs".into(), "wall".into()]),
                    ..Default::default()
                },
                "unknown metric `wall`",
            ),
            (
                GateConfig {
                    stage: [(
                        "x".to_string(),
                        StageBudget {
                            p50_s: Some(-1.0),
                            ..Default::default()
                        },
                    )]
                    .into(),
                    ..Default::default()
                },
                "stage.\"x\".p50_s",
            ),
        ];
        for (cfg, want) in cases {
            let err = cfg.validate().unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
        assert_eq!(GateConfig::default().metrics(), DEFAULT_METRICS);
    }
}
