//! How comparisons decide: confidence, noise band, minimum sample size,
//! severity thresholds and bootstrap settings.

use crate::{PrimaryMetrics, SeverityThresholds};
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

/// Options of a comparison.
///
/// Deserialises from a table in which every key is optional; `severity`
/// takes a nested table of [`SeverityThresholds`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompareOptions {
    /// Confidence level (default 0.95): a change is significant when the
    /// Mann-Whitney p-value is below `1 − confidence`, and the ratio's
    /// interval is computed at this level (it overrides `ci.confidence`, so
    /// that the test and the interval always agree).
    pub confidence: f64,
    /// Relative changes within `±noise_threshold` do not matter (default
    /// 0.02, i.e. ±2 %: the run-to-run noise of a quiet machine).
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
            confidence: 0.95,
            noise_threshold: 0.02,
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
    /// The confidence level is not strictly between 0 and 1.
    #[error("confidence must lie strictly between 0 and 1, got {0}")]
    Confidence(f64),
    /// The noise threshold is negative, not finite, or 1 or more.
    #[error("noise threshold must be at least 0 and below 1, got {0}")]
    NoiseThreshold(f64),
    /// A severity threshold is negative or not finite.
    #[error("severity threshold `{name}` must be a finite number ≥ 0, got {value}")]
    Threshold {
        /// The threshold's name.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// Severity thresholds must rise from `low` to `critical`.
    #[error("severity thresholds must satisfy low ≤ medium ≤ high ≤ critical, got {low}, {medium}, {high}, {critical}")]
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
    /// The bootstrap options are unusable.
    #[error(transparent)]
    Bootstrap(#[from] StatsError),
}

impl CompareOptions {
    /// Checks the options; call it where options come from users.
    ///
    /// The comparison itself never fails on bad options: it reads a
    /// confidence outside `(0, 1)` clamped, a NaN one as 0.95, and a
    /// negative or NaN noise threshold as 0.
    pub fn validate(&self) -> Result<(), OptionsError> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(OptionsError::Confidence(self.confidence));
        }
        if !(self.noise_threshold >= 0.0 && self.noise_threshold < 1.0) {
            return Err(OptionsError::NoiseThreshold(self.noise_threshold));
        }
        for (name, value) in self.severity.named() {
            if !(value.is_finite() && value >= 0.0) {
                return Err(OptionsError::Threshold { name, value });
            }
        }
        let t = self.severity;
        if !(t.low <= t.medium && t.medium <= t.high && t.high <= t.critical) {
            return Err(OptionsError::ThresholdOrder {
                low: t.low,
                medium: t.medium,
                high: t.high,
                critical: t.critical,
            });
        }
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
            0.95
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
        let cases: [(CompareOptions, &str); 6] = [
            (
                CompareOptions {
                    confidence: 1.0,
                    ..d
                },
                "confidence must lie",
            ),
            (
                CompareOptions {
                    noise_threshold: -0.1,
                    ..d
                },
                "noise threshold",
            ),
            (
                CompareOptions {
                    noise_threshold: f64::NAN,
                    ..d
                },
                "noise threshold",
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
                "at least one resample",
            ),
        ];
        for (options, want) in cases {
            let err = options.validate().unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn deserialises_from_a_partial_table() {
        let o: CompareOptions =
            toml::from_str("noise_threshold = 0.05\n[severity]\nlow = 0.15\n").unwrap();
        assert_eq!(o.noise_threshold, 0.05);
        assert_eq!(o.severity.low, 0.15);
        assert_eq!(o.severity.medium, 0.20);
        assert_eq!(o.min_samples, DEFAULT_MIN_SAMPLES);
        assert_eq!(o.ci, CiOptions::default());
    }
}
