//! How comparisons decide: confidence, noise band, minimum sample size,
//! severity thresholds, primary metrics and bootstrap settings.

mod table;

use crate::bound::Bound;
use crate::severity::THRESHOLD_BOUND;
use crate::{OutOfRange, PrimaryMetrics, SeverityThresholds};
use perfwatch_stats::bootstrap::DEFAULT_CONFIDENCE;
use perfwatch_stats::{CiOptions, StatsError};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The default [`CompareOptions::min_samples`].
///
/// Five runs per side is the smallest sample with which a comparison can
/// say anything at the default 95 % confidence: with `n` distinct runs per
/// side, the smallest possible two-sided Mann-Whitney p-value is
/// `2 / C(2n, n)` — 0.10 for n = 3 (never significant), 0.029 for n = 4 and
/// 0.0079 for n = 5 — and a bootstrap of the median of four values has
/// almost no resolution (most resamples share one of a handful of medians).
pub const DEFAULT_MIN_SAMPLES: usize = 5;

/// The default [`CompareOptions::noise_threshold`]: ±2 %, the run-to-run
/// noise of a quiet machine.
pub const DEFAULT_NOISE_THRESHOLD: f64 = 0.02;

/// What [`CompareOptions::confidence`] accepts. Below 0.5 a "significant"
/// change would more likely be chance than not.
pub const CONFIDENCE_BOUND: Bound = Bound::at_least(0.5).below(1.0);

/// What [`CompareOptions::noise_threshold`] accepts.
pub const NOISE_BOUND: Bound = Bound::at_least(0.0).below(1.0);

/// What [`CompareOptions::min_samples`] accepts: a median of one run has
/// no spread, and no test can tell anything from it.
pub const MIN_SAMPLES_BOUND: Bound = Bound::at_least(2.0);

/// What the bootstrap's resample count (`ci.resamples`) accepts.
pub const RESAMPLES_BOUND: Bound = Bound::at_least(1.0);

/// Options of a comparison.
///
/// Deserialises from the flat `[thresholds]` table of perfwatch.toml, in
/// which every key is optional and each value is checked as it is read
/// (against [`CONFIDENCE_BOUND`], [`NOISE_BOUND`], …; the severity
/// thresholds must also rise from `low` to `critical`):
///
/// ```toml
/// confidence = 0.95    # confidence
/// noise = 0.02         # noise_threshold
/// min_samples = 5
/// low = 0.10           # severity.low, and medium, high, critical
/// primary = ["wall_s", "stage:*"]
/// resamples = 2000     # ci.resamples
/// seed = 1             # ci.seed
/// ```
///
/// ```
/// use perfwatch_analysis::CompareOptions;
///
/// let o: CompareOptions = toml::from_str("noise = 0.05\nlow = 0.15\n").unwrap();
/// assert_eq!((o.noise_threshold, o.severity.low, o.severity.medium), (0.05, 0.15, 0.20));
/// let err = toml::from_str::<CompareOptions>("noise = 5").unwrap_err();
/// assert_eq!(err.message(), "must be at least 0 and below 1, got 5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "table::ThresholdsTable", into = "table::ThresholdsTable")]
pub struct CompareOptions {
    /// Confidence level (default [`DEFAULT_CONFIDENCE`], 0.95): a change is
    /// significant when the Mann-Whitney p-value is below `1 − confidence`,
    /// and the ratio's interval is computed at this level (it overrides
    /// `ci.confidence`, so that the test and the interval always agree).
    pub confidence: f64,
    /// Relative changes within `±noise_threshold` do not matter (default
    /// [`DEFAULT_NOISE_THRESHOLD`]).
    pub noise_threshold: f64,
    /// Fewer counted runs than this on either side makes the comparison
    /// inconclusive (default [`DEFAULT_MIN_SAMPLES`]).
    pub min_samples: usize,
    /// Severity thresholds of regressions.
    pub severity: SeverityThresholds,
    /// Resamples and seed of the bootstrap.
    pub ci: CiOptions,
    /// The metrics whose comparisons are primary (default: wall time and
    /// stage times); the others get severity `none` and are information.
    pub primary: PrimaryMetrics,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            confidence: DEFAULT_CONFIDENCE,
            noise_threshold: DEFAULT_NOISE_THRESHOLD,
            min_samples: DEFAULT_MIN_SAMPLES,
            severity: SeverityThresholds::default(),
            ci: CiOptions::default(),
            primary: PrimaryMetrics::default(),
        }
    }
}

/// Comparison options that make no sense.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum OptionsError {
    /// The confidence level is outside [`CONFIDENCE_BOUND`].
    #[error("confidence {0}")]
    Confidence(OutOfRange),
    /// The noise threshold is outside [`NOISE_BOUND`].
    #[error("noise threshold {0}")]
    NoiseThreshold(OutOfRange),
    /// The minimum sample size is outside [`MIN_SAMPLES_BOUND`].
    #[error("min_samples {0}")]
    MinSamples(OutOfRange),
    /// A severity threshold is negative or not finite.
    #[error("severity threshold `{name}` {problem}")]
    Threshold {
        /// The threshold's name.
        name: &'static str,
        /// What is wrong with it.
        problem: OutOfRange,
    },
    /// Severity thresholds must rise from `low` to `critical`.
    #[error("severity thresholds must satisfy low ≤ medium ≤ high ≤ critical, got low {low}, medium {medium}, high {high}, critical {critical}")]
    ThresholdOrder {
        /// `low`.
        low: f64,
        /// `medium`.
        medium: f64,
        /// `high`.
        high: f64,
        /// `critical`.
        critical: f64,
    },
    /// The resample count is outside [`RESAMPLES_BOUND`].
    #[error("resamples {0}")]
    Resamples(OutOfRange),
    /// The bootstrap options are unusable.
    #[error(transparent)]
    Bootstrap(#[from] StatsError),
}

impl CompareOptions {
    /// Checks the options; call it where options come from code (options
    /// deserialised from a file are checked as they are read).
    ///
    /// The comparison itself never fails on bad options: it reads a
    /// confidence outside `(0, 1)` clamped, a NaN one as 0.95, and a
    /// negative or NaN noise threshold as 0.
    pub fn validate(&self) -> Result<(), OptionsError> {
        CONFIDENCE_BOUND
            .check(self.confidence)
            .map_err(OptionsError::Confidence)?;
        NOISE_BOUND
            .check(self.noise_threshold)
            .map_err(OptionsError::NoiseThreshold)?;
        MIN_SAMPLES_BOUND
            .check(self.min_samples as f64)
            .map_err(OptionsError::MinSamples)?;
        for (name, value) in self.severity.named() {
            THRESHOLD_BOUND
                .check(value)
                .map_err(|problem| OptionsError::Threshold { name, problem })?;
        }
        self.severity.check_order()?;
        RESAMPLES_BOUND
            .check(self.ci.resamples as f64)
            .map_err(OptionsError::Resamples)?;
        CiOptions {
            confidence: self.confidence,
            ..self.ci
        }
        .validate()?;
        Ok(())
    }

    /// The confidence as comparisons read it.
    pub(crate) fn level(&self) -> f64 {
        if self.confidence.is_nan() {
            DEFAULT_CONFIDENCE
        } else {
            self.confidence.clamp(0.0, 1.0)
        }
    }

    /// The noise threshold as comparisons read it.
    pub(crate) fn noise(&self) -> f64 {
        if self.noise_threshold > 0.0 {
            self.noise_threshold
        } else {
            0.0
        }
    }

    /// The bootstrap options at this confidence level (what summaries use,
    /// so that their intervals agree with the comparisons').
    pub fn ci_options(&self) -> CiOptions {
        CiOptions {
            confidence: self.level(),
            ..self.ci
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(CompareOptions::default().validate(), Ok(()));
    }

    #[test]
    fn bad_options_are_named() {
        let d = CompareOptions::default();
        let cases: [(CompareOptions, &str); 8] = [
            (
                CompareOptions {
                    confidence: 1.0,
                    ..d
                },
                "confidence must be at least 0.5 and below 1, got 1",
            ),
            (
                CompareOptions {
                    noise_threshold: -0.1,
                    ..d
                },
                "noise threshold must be",
            ),
            (
                CompareOptions {
                    noise_threshold: f64::NAN,
                    ..d
                },
                "noise threshold must be",
            ),
            (
                CompareOptions {
                    min_samples: 1,
                    ..d
                },
                "min_samples must be at least 2, got 1",
            ),
            (
                CompareOptions {
                    severity: SeverityThresholds {
                        high: f64::INFINITY,
                        ..d.severity
                    },
                    ..d
                },
                "`high`",
            ),
            (
                CompareOptions {
                    severity: SeverityThresholds {
                        low: 0.3,
                        ..d.severity
                    },
                    ..d
                },
                "low ≤ medium",
            ),
            (
                CompareOptions {
                    ci: CiOptions {
                        resamples: 0,
                        ..d.ci
                    },
                    ..d
                },
                "resamples must be at least 1, got 0",
            ),
            (
                CompareOptions {
                    confidence: 0.3,
                    ..d
                },
                "confidence must be",
            ),
        ];
        for (options, want) in cases {
            let err = options.validate().unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn deserialises_from_a_partial_flat_table() {
        let o: CompareOptions = toml::from_str("noise = 0.05\nlow = 0.15\n").unwrap();
        assert_eq!(o.noise_threshold, 0.05);
        assert_eq!(o.severity.low, 0.15);
        assert_eq!(o.severity.medium, 0.20);
        assert_eq!(o.min_samples, DEFAULT_MIN_SAMPLES);
        assert_eq!(o.ci, CiOptions::default());
        assert_eq!(o.primary, PrimaryMetrics::default());
    }

    #[test]
    fn round_trips_through_its_table() {
        let o = CompareOptions {
            confidence: 0.99,
            min_samples: 8,
            ci: CiOptions {
                resamples: 500,
                seed: 7,
                ..CiOptions::default()
            },
            primary: PrimaryMetrics::new(&[perfwatch_model::Metric::MaxRssBytes], false),
            ..CompareOptions::default()
        };
        let text = toml::to_string(&o).unwrap();
        let back: CompareOptions = toml::from_str(&text).unwrap();
        // `ci.confidence` follows `confidence`.
        assert_eq!(
            back,
            CompareOptions {
                ci: CiOptions {
                    confidence: 0.99,
                    ..o.ci
                },
                ..o
            }
        );
        let d = CompareOptions::default();
        assert_eq!(toml::from_str::<CompareOptions>("").unwrap(), d);
        let text = toml::to_string(&d).unwrap();
        assert_eq!(toml::from_str::<CompareOptions>(&text).unwrap(), d);
    }

    #[test]
    fn values_out_of_range_are_refused_at_the_value_while_reading() {
        let cases = [
            (
                "confidence = 1.5",
                "must be at least 0.5 and below 1, got 1.5",
            ),
            ("confidence = 0", "must be at least 0.5 and below 1, got 0"),
            ("noise = 5.0", "must be at least 0 and below 1, got 5"),
            ("noise = -0.1", "must be at least 0 and below 1, got -0.1"),
            (
                "noise = nan",
                "must be a finite number at least 0 and below 1, got NaN",
            ),
            ("min_samples = 0", "must be at least 2, got 0"),
            ("high = -1", "must be at least 0, got -1"),
            ("resamples = 0", "must be at least 1, got 0"),
        ];
        for (text, want) in cases {
            let line = format!("seed = 3\n{text}\n");
            let err = toml::from_str::<CompareOptions>(&line).unwrap_err();
            assert_eq!(err.message(), want, "{text}");
            let value_at = "seed = 3\n".len() + text.find("= ").unwrap() + 2;
            assert_eq!(err.span().map(|s| s.start), Some(value_at), "{text}");
        }
    }

    #[test]
    fn thresholds_out_of_order_are_refused_while_reading() {
        let err = toml::from_str::<CompareOptions>("low = 0.5\nmedium = 0.2\n").unwrap_err();
        assert!(
            err.message().contains("low ≤ medium ≤ high ≤ critical"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_and_primary_metrics_are_refused() {
        let err = toml::from_str::<CompareOptions>("noise_threshold = 0.1").unwrap_err();
        assert!(
            err.message().contains("unknown field `noise_threshold`"),
            "{err}"
        );
        let err = toml::from_str::<CompareOptions>("primary = [\"wall_s\", \"wall\"]").unwrap_err();
        assert!(
            err.message().contains("unknown primary metric `wall`"),
            "{err}"
        );
        assert_eq!(err.span().map(|s| s.start), Some(21), "{err}");
    }
}
