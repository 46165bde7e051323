//! Detection options, their defaults, and the errors detection can return.

use super::student_t::Variance;

/// How change points are detected. `Default` gives the documented defaults.
///
/// ```
/// use perfwatch_stats::changepoint::DetectOptions;
/// let options = DetectOptions { window: 30, ..DetectOptions::default() };
/// assert_eq!(options.max_p_value, 0.001);
/// assert_eq!(options.min_points(), 10);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DetectOptions {
    /// Length of the sliding windows the E-divisive search runs in (default
    /// 50, as in Otava). Windows overlap by half. Larger windows find smaller
    /// shifts at a cost of O(window²) per window. At least 2.
    pub window: usize,
    /// Significance a change point must reach in Student's t-test between the
    /// segments on either side of it (default 0.001, as in Otava). Candidates
    /// are first collected at a relaxed level (×10 below 0.05, ×2 below 0.5)
    /// and then pruned to this one. In (0, 1].
    pub max_p_value: f64,
    /// Smallest relative change worth reporting (default 0.05, i.e. 5 %).
    ///
    /// The magnitude of a change point is the smaller of the relative change
    /// of the means and that of the medians of the segments on either side,
    /// each taken symmetrically as `max(|after/before − 1|, |before/after − 1|)`
    /// (Otava's definition, applied to both). Requiring the medians to move
    /// too keeps a few outliers from passing as a shift. Non-negative.
    pub min_magnitude: f64,
    /// Fewest points each segment around a reported change point must hold
    /// (default 5). A shift in the last `min_segment − 1` points is not
    /// reported until more points arrive: with fewer points an outlier and a
    /// shift look alike. At least 1.
    pub min_segment: usize,
    /// Threshold of the Hampel filter applied before the search, in scaled
    /// MADs (σ-equivalents; default `Some(5.0)`); `None` analyses the raw
    /// values, as Otava does.
    ///
    /// A point farther than this from the median of the `2·min_segment − 1`
    /// points centred on it is replaced by that median, so one slow run can
    /// neither hide a shift next to it nor pull the change point onto
    /// itself. A run of `min_segment` or more shifted points is not
    /// flattened: the median of every neighbourhood centred in it lies at
    /// the run's level. Means, medians and p-values in
    /// [`ChangePoint`](super::ChangePoint) are those of the filtered series.
    /// Must be > 0.
    pub outlier_threshold: Option<f64>,
    /// Whether p-values account for where a segment could have been found
    /// (default `true`; Otava: `false`).
    ///
    /// Student's t-test treats the split as fixed in advance, but it was
    /// searched for, and a short run of unlucky points can be found almost
    /// anywhere. With this on, each p-value is multiplied by the span of the
    /// two segments divided by the shorter one — about the number of places a
    /// segment that short fits in the span (a Bonferroni correction). Long
    /// segments barely pay; a five-point excursion in 500 points of noise
    /// pays a factor of 100. [`ChangePoint::p_value`](super::ChangePoint) is
    /// the corrected value.
    pub scan_correction: bool,
    /// Reproduce Apache Otava 0.8 exactly where perfwatch deliberately
    /// departs from it (default `false`; [`DetectOptions::otava`] sets it).
    ///
    /// With it on:
    ///
    /// - Student's t-test pools the *population* variances of the two sides
    ///   (Σ(x − x̄)²/n), as Otava does when it hands `numpy.std` figures to
    ///   SciPy's pooled test; the default pools sample variances
    ///   (Σ(x − x̄)²/(n − 1)), as the textbook test does: the population
    ///   variances are smaller and overstate significance slightly;
    /// - after the merge step removes a point, only the neighbour to its
    ///   right is re-tested; the neighbour to its left keeps the p-value and
    ///   magnitude of the segments it was last tested on, as in Otava 0.8.
    ///   The default re-tests both neighbours, so that every figure describes
    ///   the segments the survivors actually delimit;
    /// - the magnitude is the relative change of the means alone, as in
    ///   Otava; the default also requires the medians to move (see
    ///   [`DetectOptions::min_magnitude`]).
    ///
    /// The figures of a reported [`ChangePoint`](super::ChangePoint) are
    /// those of the segments it was last tested on, so with this on, a change
    /// point left stale may describe a segment that a later removal widened.
    /// Use it to compare with Otava; the defaults are the better statistics.
    pub otava_compat: bool,
}

impl Default for DetectOptions {
    fn default() -> Self {
        Self {
            window: 50,
            max_p_value: 0.001,
            min_magnitude: 0.05,
            min_segment: 5,
            outlier_threshold: Some(5.0),
            scan_correction: true,
            otava_compat: false,
        }
    }
}

impl DetectOptions {
    /// Apache Otava 0.8's defaults (window 50, p < 0.001, no minimum
    /// magnitude) with perfwatch's additions switched off (no minimum
    /// segment, no outlier filter, no scan correction) and
    /// [`otava_compat`](DetectOptions::otava_compat) on: the change points
    /// Otava's `compute_change_points` finds with its defaults. For
    /// comparisons with Otava; the [`Default`] options hold up better against
    /// outliers and short excursions.
    pub fn otava() -> Self {
        Self {
            window: 50,
            max_p_value: 0.001,
            min_magnitude: 0.0,
            min_segment: 1,
            outlier_threshold: None,
            scan_correction: false,
            otava_compat: true,
        }
    }

    /// The shortest series a change point can be found in: two segments of
    /// `min_segment` points.
    pub fn min_points(&self) -> usize {
        2 * self.min_segment
    }

    /// Checks every option against its documented range.
    pub fn validate(&self) -> Result<(), DetectError> {
        let invalid = |name, reason: &str| {
            Err(DetectError::InvalidOption {
                name,
                reason: reason.to_owned(),
            })
        };
        if self.window < 2 {
            return invalid("window", "must be at least 2");
        }
        if !(self.max_p_value > 0.0 && self.max_p_value <= 1.0) {
            return invalid("max_p_value", "must be in (0, 1]");
        }
        if !(self.min_magnitude >= 0.0 && self.min_magnitude.is_finite()) {
            return invalid("min_magnitude", "must be a finite number ≥ 0");
        }
        if self.min_segment < 1 {
            return invalid("min_segment", "must be at least 1");
        }
        if let Some(t) = self.outlier_threshold {
            if !(t > 0.0 && t.is_finite()) {
                return invalid("outlier_threshold", "must be a finite number > 0");
            }
        }
        Ok(())
    }

    /// The variance estimate the t-tests pool (see
    /// [`otava_compat`](DetectOptions::otava_compat)).
    pub(crate) fn variance(&self) -> Variance {
        if self.otava_compat {
            Variance::Population
        } else {
            Variance::Sample
        }
    }

    /// Half-width of the Hampel filter's neighbourhood.
    pub(crate) fn outlier_half_width(&self) -> usize {
        self.min_segment - 1
    }

    /// The relaxed level candidates are collected at before pruning (Otava's
    /// rule: ×10 below 0.05, ×2 below 0.5, unchanged above).
    pub(crate) fn first_pass_p_value(&self) -> f64 {
        let p = self.max_p_value;
        if p < 0.05 {
            p * 10.0
        } else if p < 0.5 {
            p * 2.0
        } else {
            p
        }
    }
}

/// Why change points could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DetectError {
    /// The series is shorter than [`DetectOptions::min_points`].
    #[error("not enough points: need ≥ {need}, got {got}")]
    NotEnoughPoints {
        /// Points required.
        need: usize,
        /// Points given.
        got: usize,
    },
    /// A value is NaN or infinite.
    #[error("non-finite value {value} at index {index}")]
    NonFinite {
        /// Index of the first offending value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// An option is out of its documented range.
    #[error("invalid option {name}: {reason}")]
    InvalidOption {
        /// The option's field name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Returns the first non-finite value as an error.
pub(crate) fn check_finite(values: &[f64], offset: usize) -> Result<(), DetectError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(DetectError::NonFinite {
            index: offset + i,
            value: values[i],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_documented() {
        let o = DetectOptions::default();
        assert_eq!(
            (o.window, o.max_p_value, o.min_magnitude, o.min_segment),
            (50, 0.001, 0.05, 5)
        );
        assert_eq!(o.outlier_threshold, Some(5.0));
        assert!(o.scan_correction);
        assert!(!o.otava_compat);
        assert_eq!(o.variance(), Variance::Sample);
        let otava = DetectOptions::otava();
        assert!(otava.otava_compat);
        assert_eq!(otava.variance(), Variance::Population);
        assert_eq!(DetectOptions::otava().validate(), Ok(()));
        assert_eq!(DetectOptions::otava().min_points(), 2);
        assert_eq!(o.validate(), Ok(()));
        assert_eq!(o.first_pass_p_value(), 0.01);
    }

    #[test]
    fn out_of_range_options_are_named() {
        let base = DetectOptions::default();
        let cases = [
            (
                DetectOptions {
                    window: 1,
                    ..base.clone()
                },
                "window",
            ),
            (
                DetectOptions {
                    max_p_value: 0.0,
                    ..base.clone()
                },
                "max_p_value",
            ),
            (
                DetectOptions {
                    max_p_value: f64::NAN,
                    ..base.clone()
                },
                "max_p_value",
            ),
            (
                DetectOptions {
                    max_p_value: 1.5,
                    ..base.clone()
                },
                "max_p_value",
            ),
            (
                DetectOptions {
                    min_magnitude: -0.1,
                    ..base.clone()
                },
                "min_magnitude",
            ),
            (
                DetectOptions {
                    min_magnitude: f64::INFINITY,
                    ..base.clone()
                },
                "min_magnitude",
            ),
            (
                DetectOptions {
                    min_segment: 0,
                    ..base.clone()
                },
                "min_segment",
            ),
            (
                DetectOptions {
                    outlier_threshold: Some(0.0),
                    ..base.clone()
                },
                "outlier_threshold",
            ),
            (
                DetectOptions {
                    outlier_threshold: Some(f64::NAN),
                    ..base.clone()
                },
                "outlier_threshold",
            ),
        ];
        for (options, want) in cases {
            match options.validate() {
                Err(DetectError::InvalidOption { name, .. }) => assert_eq!(name, want),
                other => panic!("{options:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn error_messages_read_well() {
        let e = DetectError::NotEnoughPoints { need: 10, got: 3 };
        assert_eq!(e.to_string(), "not enough points: need ≥ 10, got 3");
        assert_eq!(
            check_finite(&[1.0, f64::NAN], 0).unwrap_err().to_string(),
            "non-finite value NaN at index 1"
        );
        assert_eq!(check_finite(&[1.0, 2.0], 0), Ok(()));
    }
}
