//! Incremental detection for a series that grows one commit at a time.

use std::collections::BTreeSet;

use super::detect::{check_length, Windows};
use super::edivisive::Scratch;
use super::hampel::clean_range;
use super::merge::merge;
use super::options::{check_finite, DetectError, DetectOptions};
use super::range_stats::RangeStats;
use super::segment_cache::SegmentCache;
use super::ChangePoint;

/// Keeps what earlier analyses established so that appending points
/// re-analyses only the windows the new points fall into.
///
/// A sliding window whose every point is present (and past the reach of the
/// outlier filter, `min_segment − 1` points) never changes, nor does where the
/// next one starts; only the windows reaching into the last
/// `window + min_segment` points are analysed again after an append (at most
/// three with the defaults). The merge step then runs over all weak change
/// points, O(k²) comparisons for k of them, but every median, t-test and
/// magnitude of segments that can no longer change is cached, so only the
/// change points next to the end are re-tested. The answer is always
/// identical to [`detect`](super::detect) on the whole series.
///
/// ```
/// use perfwatch_stats::changepoint::{detect, DetectOptions, Detector};
/// let series: Vec<f64> = (0..300).map(|i| if i < 200 { 50.0 } else { 60.0 } + (i % 5) as f64 * 0.2).collect();
/// let mut detector = Detector::new(DetectOptions::default()).unwrap();
/// for chunk in series.chunks(7) {
///     detector.extend(chunk).unwrap();
/// }
/// assert_eq!(detector.change_points().unwrap(), detect(&series, &DetectOptions::default()).unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct Detector {
    options: DetectOptions,
    /// The values as appended.
    raw: Vec<f64>,
    /// The values after the outlier filter; the last `half_width` of them
    /// may still change when more points arrive.
    stats: RangeStats,
    half_width: usize,
    /// Buffer for the values the filter produces on each append.
    filtered: Vec<f64>,
    /// Windows that were whole when analysed: fixed forever.
    windows: Windows,
    /// Weak change points those whole windows found.
    settled: BTreeSet<usize>,
    scratch: Scratch,
    cache: SegmentCache,
    change_points: Vec<ChangePoint>,
}

impl Detector {
    /// An empty detector; fails if an option is out of range.
    pub fn new(options: DetectOptions) -> Result<Self, DetectError> {
        options.validate()?;
        let half_width = match options.outlier_threshold {
            Some(_) => options.outlier_half_width(),
            None => 0,
        };
        Ok(Self {
            windows: Windows::new(&options),
            raw: Vec::new(),
            half_width,
            filtered: Vec::new(),
            options,
            stats: RangeStats::default(),
            settled: BTreeSet::new(),
            scratch: Scratch::default(),
            cache: SegmentCache::default(),
            change_points: Vec::new(),
        })
    }

    /// The options in use.
    pub fn options(&self) -> &DetectOptions {
        &self.options
    }

    /// The points appended so far.
    pub fn values(&self) -> &[f64] {
        &self.raw
    }

    /// Number of points appended so far.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether no point was appended yet.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Appends one point and re-analyses.
    pub fn push(&mut self, value: f64) -> Result<(), DetectError> {
        self.extend(&[value])
    }

    /// Appends points and re-analyses once. A NaN or infinite value rejects
    /// the whole call and leaves the detector unchanged.
    pub fn extend(&mut self, values: &[f64]) -> Result<(), DetectError> {
        check_finite(values, self.raw.len())?;
        if values.is_empty() {
            return Ok(());
        }
        // Filtered values whose neighbourhood was clipped by the old end change.
        let unsettled = self.raw.len().saturating_sub(self.half_width);
        self.raw.extend_from_slice(values);
        self.stats.truncate(unsettled);
        self.filtered.clear();
        // Without a threshold the half-width is 0 and values pass unchanged.
        let threshold = self.options.outlier_threshold.unwrap_or(f64::INFINITY);
        let fresh = unsettled..self.raw.len();
        clean_range(
            &self.raw,
            fresh,
            self.half_width,
            threshold,
            &mut self.filtered,
        );
        self.stats.extend(&self.filtered);
        let settled = self.raw.len().saturating_sub(self.half_width);

        while let Some(found) = self
            .windows
            .next(&self.stats, Some(settled), &mut self.scratch)
        {
            self.settled.extend(found);
        }
        if check_length(self.raw.len(), &self.options).is_err() {
            return Ok(());
        }
        let mut tail = self.windows.clone();
        let mut weak = self.settled.clone();
        while let Some(found) = tail.next(&self.stats, None, &mut self.scratch) {
            weak.extend(found);
        }
        let weak: Vec<usize> = weak.into_iter().collect();
        self.change_points = merge(&self.stats, &weak, &self.options, &mut self.cache, settled);
        Ok(())
    }

    /// The change points of the series so far, as [`detect`](super::detect)
    /// would report them; `NotEnoughPoints` while the series is too short.
    pub fn change_points(&self) -> Result<&[ChangePoint], DetectError> {
        check_length(self.raw.len(), &self.options)?;
        Ok(&self.change_points)
    }
}

#[cfg(test)]
mod tests {
    use super::super::detect;
    use super::super::generate::{generate, GenOptions};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn too_short_then_enough() {
        let mut detector = Detector::new(DetectOptions::default()).unwrap();
        assert!(detector.is_empty());
        assert_eq!(
            detector.change_points(),
            Err(DetectError::NotEnoughPoints { need: 10, got: 0 })
        );
        detector.extend(&[1.0; 9]).unwrap();
        assert_eq!(
            detector.change_points(),
            Err(DetectError::NotEnoughPoints { need: 10, got: 9 })
        );
        detector.push(1.0).unwrap();
        assert_eq!(detector.change_points(), Ok(&[][..]));
        assert_eq!(detector.len(), 10);
    }

    #[test]
    fn a_bad_value_changes_nothing() {
        let mut detector = Detector::new(DetectOptions::default()).unwrap();
        detector.extend(&[1.0; 12]).unwrap();
        let err = detector.extend(&[2.0, f64::NAN]).unwrap_err();
        assert!(
            matches!(err, DetectError::NonFinite { index: 13, .. }),
            "{err}"
        );
        assert_eq!(detector.len(), 12);
        assert!(Detector::new(DetectOptions {
            min_segment: 0,
            ..DetectOptions::default()
        })
        .is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Appending in arbitrary chunks gives exactly the batch answer,
        /// after every chunk, from either preset, with and without Otava
        /// compatibility.
        #[test]
        fn incremental_equals_batch(
            seed in any::<u64>(),
            len in 10usize..400,
            steps in 0usize..5,
            window in prop::sample::select(vec![6usize, 20, 50]),
            filter in prop::sample::select(vec![Some(5.0), Some(2.0), None]),
            min_segment in 1usize..8,
            base in prop::sample::select(vec![DetectOptions::default(), DetectOptions::otava()]),
            otava_compat in any::<bool>(),
            chunks in prop::collection::vec(1usize..60, 1..40),
        ) {
            let generated = generate(&GenOptions { len, steps, min_gap: 10, seed, ..GenOptions::default() });
            let series = match generated {
                Ok(g) => g.values,
                Err(_) => return Ok(()), // too many steps for the length
            };
            let options = DetectOptions {
                window,
                outlier_threshold: filter,
                min_segment,
                otava_compat,
                ..base
            };
            let mut detector = Detector::new(options.clone()).unwrap();
            let mut at = 0;
            for size in chunks.iter().cycle() {
                if at >= series.len() {
                    break;
                }
                let end = (at + size).min(series.len());
                detector.extend(&series[at..end]).unwrap();
                at = end;
                let batch = detect(&series[..at], &options);
                prop_assert_eq!(detector.change_points().map(<[_]>::to_vec), batch);
            }
        }
    }
}
