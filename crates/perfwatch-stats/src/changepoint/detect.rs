//! Batch detection: sliding windows collect weak change points, the merge
//! step prunes them.

use std::collections::BTreeSet;

use super::edivisive::{window_change_points, Scratch};
use super::hampel::cleaned;
use super::merge::merge;
use super::options::{check_finite, DetectError, DetectOptions};
use super::range_stats::RangeStats;
use super::segment_cache::SegmentCache;
use super::student_t::Variance;
use super::ChangePoint;

/// Finds the change points of `series` (in order of index).
///
/// Errors: an option out of range, a NaN or infinite value, or fewer than
/// [`DetectOptions::min_points`] values.
///
/// ```
/// use perfwatch_stats::changepoint::{detect, DetectOptions};
/// let series: Vec<f64> = (0..120)
///     .map(|i| if i < 60 { 100.0 } else { 130.0 } + (i % 7) as f64 * 0.3)
///     .collect();
/// let found = detect(&series, &DetectOptions::default()).unwrap();
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].index, 60);
/// assert!(found[0].change_pct > 25.0);
/// ```
pub fn detect(series: &[f64], options: &DetectOptions) -> Result<Vec<ChangePoint>, DetectError> {
    options.validate()?;
    check_finite(series, 0)?;
    check_length(series.len(), options)?;
    let stats = RangeStats::from_values(&cleaned(
        series,
        options.outlier_half_width(),
        options.outlier_threshold,
    ));
    let mut weak = BTreeSet::new();
    let mut scratch = Scratch::default();
    let mut windows = Windows::new(options);
    while let Some(found) = windows.next(&stats, None, &mut scratch) {
        weak.extend(found);
    }
    let weak: Vec<usize> = weak.into_iter().collect();
    Ok(merge(
        &stats,
        &weak,
        options,
        &mut SegmentCache::default(),
        series.len(),
    ))
}

pub(crate) fn check_length(len: usize, options: &DetectOptions) -> Result<(), DetectError> {
    let need = options.min_points();
    if len < need {
        return Err(DetectError::NotEnoughPoints { need, got: len });
    }
    Ok(())
}

/// The chain of sliding windows: each is `window` long (cut at the end of the
/// series) and starts half a window after the previous one, or at the last
/// change point the previous one found if that lies further on. A window's
/// start depends only on the windows before it, so the chain is a property of
/// the data and can be resumed as the series grows.
#[derive(Debug, Clone)]
pub(crate) struct Windows {
    /// Start of the next window to analyse.
    pub start: usize,
    window: usize,
    step: usize,
    max_p_value: f64,
    variance: Variance,
}

impl Windows {
    pub fn new(options: &DetectOptions) -> Self {
        Self {
            start: 0,
            window: options.window,
            step: options.window / 2,
            max_p_value: options.first_pass_p_value(),
            variance: options.variance(),
        }
    }

    /// Analyses the next window and moves past it; `None` once the series is
    /// exhausted or, given a `settled` length, when the next window would not
    /// end at or before it (it would be cut short, or hold values that may
    /// still change).
    pub fn next(
        &mut self,
        stats: &RangeStats,
        settled: Option<usize>,
        scratch: &mut Scratch,
    ) -> Option<Vec<usize>> {
        let len = stats.len();
        if self.start >= len || settled.is_some_and(|settled| self.start + self.window > settled) {
            return None;
        }
        let end = (self.start + self.window).min(len);
        let found = window_change_points(
            stats,
            (self.start, end),
            self.max_p_value,
            self.variance,
            scratch,
        );
        let last = found.last().copied().unwrap_or(0);
        self.start = last.max(self.start + self.step);
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_refused_with_the_count_needed() {
        let options = DetectOptions::default();
        for len in [0, 1, 9] {
            assert_eq!(
                detect(&vec![1.0; len], &options),
                Err(DetectError::NotEnoughPoints { need: 10, got: len })
            );
        }
        assert_eq!(detect(&[1.0; 10], &options), Ok(vec![]));
        let tiny = DetectOptions {
            min_segment: 1,
            ..options
        };
        assert_eq!(
            detect(&[1.0], &tiny),
            Err(DetectError::NotEnoughPoints { need: 2, got: 1 })
        );
    }

    #[test]
    fn non_finite_values_and_bad_options_are_refused() {
        let mut series = vec![1.0; 20];
        series[7] = f64::NAN;
        assert!(matches!(
            detect(&series, &DetectOptions::default()),
            Err(DetectError::NonFinite { index: 7, .. })
        ));
        series[7] = f64::NEG_INFINITY;
        assert!(matches!(
            detect(&series, &DetectOptions::default()),
            Err(DetectError::NonFinite { index: 7, .. })
        ));
        let bad = DetectOptions {
            window: 0,
            ..DetectOptions::default()
        };
        assert!(matches!(
            detect(&[1.0; 20], &bad),
            Err(DetectError::InvalidOption { name: "window", .. })
        ));
    }

    #[test]
    fn a_clean_step_is_found_with_its_figures() {
        let series: Vec<f64> = (0..200)
            .map(|i| if i < 130 { 10.0 } else { 8.0 } + (i % 3) as f64 * 0.01)
            .collect();
        let found = detect(&series, &DetectOptions::default()).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        let cp = &found[0];
        assert_eq!(cp.index, 130);
        assert!((cp.mean_before - 10.01).abs() < 0.01 && (cp.mean_after - 8.01).abs() < 0.01);
        assert!((cp.median_before - 10.01).abs() < 0.011 && (cp.median_after - 8.01).abs() < 0.011);
        assert!((cp.change_pct + 20.0).abs() < 0.1, "{cp:?}");
        assert!((cp.magnitude - 0.25).abs() < 0.01, "{cp:?}");
    }

    #[test]
    fn constant_and_two_level_series() {
        let options = DetectOptions::default();
        assert_eq!(detect(&[3.0; 500], &options), Ok(vec![]));
        let mut steps = vec![1.0; 300];
        steps.extend([2.0; 300]);
        let found = detect(&steps, &options).unwrap();
        assert_eq!(found.iter().map(|c| c.index).collect::<Vec<_>>(), vec![300]);
        assert_eq!(found[0].p_value, 0.0);
    }

    #[test]
    fn windows_resume_where_the_series_ended() {
        let options = DetectOptions {
            window: 10,
            ..DetectOptions::default()
        };
        let stats = RangeStats::from_values(&[1.0; 23]);
        let mut windows = Windows::new(&options);
        let mut starts = vec![];
        loop {
            let start = windows.start;
            if windows
                .next(&stats, Some(23), &mut Scratch::default())
                .is_none()
            {
                break;
            }
            starts.push(start);
        }
        assert_eq!(starts, vec![0, 5, 10]);
        assert_eq!(windows.start, 15);
    }
}
