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
//!
//! // Limits are checked as they are read.
//! let err = toml::from_str::<GateConfig>("max_failure_rate = 5").unwrap_err();
//! assert_eq!(err.message(), "must be between 0 and 1, got 5");
//! ```

use crate::app_rule::AppRule;
use crate::bound::{checked_string, within, Bound, OutOfRange};
use perfwatch_model::Metric;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The metric key of stage comparisons.
pub const STAGE_TOTAL_METRIC: &str = "total_s";

/// What [`GateConfig::min_health_score`] accepts.
pub const MIN_HEALTH_SCORE_BOUND: Bound = Bound::at_most(100.0);

/// What [`GateConfig::max_duration_increase_percent`] accepts: a negative
/// limit asks for a speed-up, but nothing can get more than 100 % faster.
pub const MAX_DURATION_INCREASE_BOUND: Bound = Bound::above(-100.0);

/// What [`GateConfig::max_failure_rate`] accepts.
pub const MAX_FAILURE_RATE_BOUND: Bound = Bound::between(0.0, 1.0);

/// What the budgets [`StageBudget::p50_s`] and
/// [`StageBudget::max_cpu_pct`] accept.
pub const STAGE_BUDGET_BOUND: Bound = Bound::at_least(0.0);

/// Gate rules; every one is optional and an empty table gates nothing.
///
/// Deserialising checks what [`validate`](GateConfig::validate) checks, at
/// each value as it is read.
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
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "min_health_score"
    )]
    pub min_health_score: Option<u8>,
    /// Largest increase of the median wall time against the baseline, in %
    /// (a budget on the point estimate, significant or not; use the
    /// `max_regression_*` rules to gate on significance).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "max_duration_increase_percent"
    )]
    pub max_duration_increase_percent: Option<f64>,
    /// Largest share of non-warm-up runs that failed or timed out, 0–1.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "max_failure_rate"
    )]
    pub max_failure_rate: Option<f64>,
    /// Largest peak RSS of any counted run, bytes (`max_rss_bytes` or the
    /// sampled tree peak, whichever is larger).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_peak_rss_bytes: Option<u64>,
    /// Largest peak GPU memory of the measured tree in any counted run,
    /// bytes (`peak_gpu_memory_bytes`); not judged without GPU readings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_gpu_memory_bytes: Option<u64>,
    /// Comparison metrics the regression rules count, among the primary
    /// ones (`[thresholds] primary`); default every primary comparison.
    /// `total_s` stands for every stage. Secondary metrics never carry a
    /// severity, so naming one here counts nothing: make it primary to
    /// gate on it.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "metrics")]
    pub metrics: Option<Vec<String>>,
    /// The variant the rules apply to (comparisons whose candidate it is);
    /// default every variant, the worst one deciding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Budgets per stage path.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "stages"
    )]
    pub stage: BTreeMap<String, StageBudget>,
    /// Rules on application metrics the program reports (its counters
    /// and gauges), each `NAME OP LIMIT` — `"cache_hit_rate >= 0.6"` —
    /// judged on the median of the counted runs that reported it, per
    /// variant; a metric no judged variant reports fails its rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_metrics: Vec<AppRule>,
}

fn min_health_score<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    within(d, MIN_HEALTH_SCORE_BOUND).map(Some)
}

fn max_duration_increase_percent<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    within(d, MAX_DURATION_INCREASE_BOUND).map(Some)
}

fn max_failure_rate<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    within(d, MAX_FAILURE_RATE_BOUND).map(Some)
}

fn stage_budget<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    within(d, STAGE_BUDGET_BOUND).map(Some)
}

/// `metrics`, each name checked as it is read.
fn metrics<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let names = Vec::<MetricName>::deserialize(d)?;
    Ok(Some(names.into_iter().map(|n| n.0).collect()))
}

/// A name in `metrics`.
struct MetricName(String);

impl<'de> Deserialize<'de> for MetricName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_string(d, check_metric).map(MetricName)
    }
}

fn check_metric(m: &str) -> Result<(), GateConfigError> {
    if m == STAGE_TOTAL_METRIC || m.parse::<Metric>().is_ok() {
        Ok(())
    } else {
        Err(GateConfigError::UnknownMetric(m.to_string()))
    }
}

/// `stage`, each path checked as it is read.
fn stages<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, StageBudget>, D::Error> {
    let budgets = BTreeMap::<StagePath, StageBudget>::deserialize(d)?;
    Ok(budgets.into_iter().map(|(p, b)| (p.0, b)).collect())
}

/// A key of `stage`.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct StagePath(String);

impl<'de> Deserialize<'de> for StagePath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_string(d, check_stage_path).map(StagePath)
    }
}

fn check_stage_path(path: &str) -> Result<(), GateConfigError> {
    if path.is_empty() {
        Err(GateConfigError::EmptyStage)
    } else {
        Ok(())
    }
}

/// Budgets of one stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageBudget {
    /// Largest median time in the stage per run, seconds.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "stage_budget"
    )]
    pub p50_s: Option<f64>,
    /// Largest RSS of the tree sampled during the stage, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_rss_bytes: Option<u64>,
    /// Largest mean CPU use of the tree during the stage, % of one core.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "stage_budget"
    )]
    pub max_cpu_pct: Option<f64>,
    /// Largest GPU memory of the tree sampled during the stage, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_gpu_memory_bytes: Option<u64>,
}

/// Gate settings that make no sense.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GateConfigError {
    /// A limit lies outside its range.
    #[error("gate `{name}` {problem}")]
    OutOfRange {
        /// The rule.
        name: String,
        /// What is wrong with it.
        problem: OutOfRange,
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
    /// Checks the limits; call it where the configuration comes from code
    /// or the command line (a configuration deserialised from a file is
    /// checked as it is read).
    pub fn validate(&self) -> Result<(), GateConfigError> {
        let check = |name: &str, value: Option<f64>, bound: Bound| {
            value.map_or(Ok(()), |v| {
                bound
                    .check(v)
                    .map(drop)
                    .map_err(|problem| GateConfigError::OutOfRange {
                        name: name.to_string(),
                        problem,
                    })
            })
        };
        check(
            "min_health_score",
            self.min_health_score.map(f64::from),
            MIN_HEALTH_SCORE_BOUND,
        )?;
        check(
            "max_duration_increase_percent",
            self.max_duration_increase_percent,
            MAX_DURATION_INCREASE_BOUND,
        )?;
        check(
            "max_failure_rate",
            self.max_failure_rate,
            MAX_FAILURE_RATE_BOUND,
        )?;
        for m in self.metrics.iter().flatten() {
            check_metric(m)?;
        }
        for (path, b) in &self.stage {
            check_stage_path(path)?;
            check(
                &format!("stage.\"{path}\".p50_s"),
                b.p50_s,
                STAGE_BUDGET_BOUND,
            )?;
            check(
                &format!("stage.\"{path}\".max_cpu_pct"),
                b.max_cpu_pct,
                STAGE_BUDGET_BOUND,
            )?;
        }
        Ok(())
    }

    /// Whether the regression rules count comparison `c`: a primary one,
    /// of a metric `metrics` names when it names any.
    pub fn counts(&self, c: &perfwatch_model::Comparison) -> bool {
        c.primary && self.metrics.as_ref().is_none_or(|m| m.contains(&c.metric))
    }
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
    fn bad_limits_are_refused_while_reading_at_the_value() {
        let cases = [
            ("max_failure_rate = 5", "must be between 0 and 1, got 5", 19),
            ("min_health_score = 101", "must be at most 100, got 101", 19),
            (
                "max_duration_increase_percent = -150",
                "must be above -100, got -150",
                32,
            ),
            (
                "metrics = [\"wall_s\", \"wall\"]",
                "unknown metric `wall` in gate `metrics`",
                21,
            ),
            (
                "[stage.\"a/b\"]\np50_s = -1",
                "must be at least 0, got -1",
                22,
            ),
            (
                "[stage.x]\nmax_cpu_pct = -5",
                "must be at least 0, got -5",
                24,
            ),
            (
                "[stage.\"\"]\np50_s = 1",
                "a gate stage budget needs a stage path",
                7,
            ),
        ];
        for (text, want, at) in cases {
            let err = toml::from_str::<GateConfig>(text).unwrap_err();
            assert!(err.message().starts_with(want), "{text}: {err}");
            assert_eq!(err.span().map(|s| s.start), Some(at), "{text}: {err}");
        }
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
                "`max_failure_rate` must be between 0 and 1, got 1.5",
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
        assert_eq!(GateConfig::default().metrics, None);
    }
}
