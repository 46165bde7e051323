//! How monitoring decides: window, baseline sizes, significance, severity
//! thresholds and stage budgets.

use super::budget::StageBudget;
use crate::app_rule::AppRule;
use crate::bound::{within, Bound};
use crate::{OptionsError, OutOfRange, SeverityThresholds};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The default [`MonitorOptions::window`]: eight runs, enough for a
/// one-sided Mann-Whitney test to reach p < 0.01 against ten baseline runs
/// (the smallest p is `1 / C(18, 8)` ≈ 2·10⁻⁵) while a regression is
/// still reported within a working day of hourly runs.
pub const DEFAULT_WINDOW: usize = 8;
/// The default [`MonitorOptions::min_baseline`].
pub const DEFAULT_MIN_BASELINE: usize = 10;
/// The default [`MonitorOptions::baseline_runs`].
pub const DEFAULT_BASELINE_RUNS: usize = 50;
/// The default [`MonitorOptions::alpha`]: strict, because a monitor tests
/// after every run and each test is a chance of a false alarm.
pub const DEFAULT_ALPHA: f64 = 0.01;

/// What [`MonitorOptions::window`] accepts: a median of fewer than three
/// runs lets a single slow run move it.
pub const WINDOW_BOUND: Bound = Bound::at_least(3.0);
/// What [`MonitorOptions::min_baseline`] accepts.
pub const MIN_BASELINE_BOUND: Bound = Bound::at_least(3.0);
/// What [`MonitorOptions::alpha`] accepts.
pub const ALPHA_BOUND: Bound = Bound::above(0.0).below(1.0);

/// Options of [`evaluate`](super::evaluate).
///
/// Deserialises from a `[monitor]` (or `[monitor.PIPELINE]`) table in which
/// every key is optional and each bounded value is checked as it is read;
/// call [`validate`](Self::validate) for options built in code and for the
/// checks that involve two keys.
///
/// ```
/// use perfwatch_analysis::monitor::MonitorOptions;
/// let o: MonitorOptions = toml::from_str(
///     "window = 6\n[budgets.load]\np50_s = 60\n[thresholds]\nlow = 0.05\n",
/// ).unwrap();
/// assert_eq!((o.window, o.min_baseline, o.thresholds.low), (6, 10, 0.05));
/// assert!(o.validate().is_ok());
/// // As perfwatch.toml writes a pipeline's budgets:
/// let o: MonitorOptions = toml::from_str(
///     "baseline = \"v1\"\n[stage.\"_2_asr\"]\np50_s = 60\nmax_rss = \"2 GiB\"\n",
/// ).unwrap();
/// assert_eq!(o.budgets["_2_asr"].max_rss_bytes, Some(2 << 30));
/// assert_eq!(o.baseline.as_deref(), Some("v1"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorOptions {
    /// Recent runs tested together (default [`DEFAULT_WINDOW`]).
    #[serde(deserialize_with = "window")]
    pub window: usize,
    /// Runs a baseline needs before it can open a `Slower` alert (default
    /// [`DEFAULT_MIN_BASELINE`]).
    #[serde(deserialize_with = "min_baseline")]
    pub min_baseline: usize,
    /// Trailing runs a learned baseline holds (default
    /// [`DEFAULT_BASELINE_RUNS`]); at least `min_baseline`.
    pub baseline_runs: usize,
    /// Significance of the one-sided Mann-Whitney test (default
    /// [`DEFAULT_ALPHA`]).
    #[serde(deserialize_with = "alpha")]
    pub alpha: f64,
    /// Severity by relative slowdown; `low` is also the least slowdown
    /// that opens an alert.
    pub thresholds: SeverityThresholds,
    /// Budgets by stage path, or by stage name (the path wins); written
    /// `[monitor.PIPELINE.stage."NAME"]` in perfwatch.toml (`budgets` is
    /// read too).
    #[serde(alias = "stage")]
    pub budgets: BTreeMap<String, StageBudget>,
    /// A saved baseline (`perfwatch baseline save NAME SESSION…`) whose
    /// runs are the reference, instead of the runs before the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// Rules on the application metrics the runs carry
    /// (`"cache_hit_rate >= 0.6"`): an alert opens when the median over
    /// the last `window` runs that report the metric breaks its rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_metrics: Vec<AppRule>,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            window: DEFAULT_WINDOW,
            min_baseline: DEFAULT_MIN_BASELINE,
            baseline_runs: DEFAULT_BASELINE_RUNS,
            alpha: DEFAULT_ALPHA,
            thresholds: SeverityThresholds::default(),
            budgets: BTreeMap::new(),
            baseline: None,
            app_metrics: Vec::new(),
        }
    }
}

fn window<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    within(d, WINDOW_BOUND)
}

fn min_baseline<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    within(d, MIN_BASELINE_BOUND)
}

fn alpha<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, ALPHA_BOUND)
}

/// Monitor options that make no sense.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MonitorOptionsError {
    /// An option lies outside its range.
    #[error("monitor option `{name}` {problem}")]
    OutOfRange {
        /// The option.
        name: &'static str,
        /// What is wrong with it.
        problem: OutOfRange,
    },
    /// A learned baseline could never reach `min_baseline` runs.
    #[error(
        "monitor option `baseline_runs` ({baseline_runs}) must be at least `min_baseline` ({min_baseline})"
    )]
    BaselineTooShort {
        /// `baseline_runs`.
        baseline_runs: usize,
        /// `min_baseline`.
        min_baseline: usize,
    },
    /// The severity thresholds do not rise.
    #[error(transparent)]
    Thresholds(#[from] OptionsError),
}

impl MonitorOptions {
    /// Checks the options: `window ≥ 3`, `min_baseline ≥ 3`,
    /// `baseline_runs ≥ min_baseline`, `0 < alpha < 1`, rising
    /// thresholds.
    ///
    /// [`evaluate`](super::evaluate) does not check again; given options
    /// that fail here it still never panics (a window or baseline size of
    /// 0 is read as 1).
    pub fn validate(&self) -> Result<(), MonitorOptionsError> {
        let check = |name: &'static str, value: f64, bound: Bound| {
            bound
                .check(value)
                .map(drop)
                .map_err(|problem| MonitorOptionsError::OutOfRange { name, problem })
        };
        check("window", self.window as f64, WINDOW_BOUND)?;
        check("min_baseline", self.min_baseline as f64, MIN_BASELINE_BOUND)?;
        check("alpha", self.alpha, ALPHA_BOUND)?;
        if self.baseline_runs < self.min_baseline {
            return Err(MonitorOptionsError::BaselineTooShort {
                baseline_runs: self.baseline_runs,
                min_baseline: self.min_baseline,
            });
        }
        self.thresholds.check_order()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_documented() {
        let o = MonitorOptions::default();
        assert_eq!(
            (o.window, o.min_baseline, o.baseline_runs, o.alpha),
            (8, 10, 50, 0.01)
        );
        assert_eq!(o.thresholds, SeverityThresholds::default());
        assert!(o.validate().is_ok());
    }

    #[test]
    fn validate_names_the_bad_option() {
        let cases: [(MonitorOptions, &str); 5] = [
            (
                MonitorOptions {
                    window: 2,
                    ..Default::default()
                },
                "monitor option `window` must be at least 3, got 2",
            ),
            (
                MonitorOptions {
                    min_baseline: 1,
                    baseline_runs: 1,
                    ..Default::default()
                },
                "monitor option `min_baseline` must be at least 3, got 1",
            ),
            (
                MonitorOptions {
                    alpha: 1.0,
                    ..Default::default()
                },
                "monitor option `alpha` must be above 0 and below 1, got 1",
            ),
            (
                MonitorOptions {
                    baseline_runs: 5,
                    ..Default::default()
                },
                "monitor option `baseline_runs` (5) must be at least `min_baseline` (10)",
            ),
            (
                MonitorOptions {
                    thresholds: SeverityThresholds {
                        low: 0.6,
                        ..Default::default()
                    },
                    ..Default::default()
                },
                "severity thresholds",
            ),
        ];
        for (o, want) in cases {
            let err = o.validate().unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn a_monitor_table_is_checked_while_read() {
        let err = toml::from_str::<MonitorOptions>("window = 1").unwrap_err();
        assert_eq!(err.message(), "must be at least 3, got 1");
        let err = toml::from_str::<MonitorOptions>("alpha = 0").unwrap_err();
        assert_eq!(err.message(), "must be above 0 and below 1, got 0");
        let err = toml::from_str::<MonitorOptions>("windows = 8").unwrap_err();
        assert!(err.to_string().contains("unknown field `windows`"), "{err}");
        let o: MonitorOptions = toml::from_str("").unwrap();
        assert_eq!(o, MonitorOptions::default());
    }
}
