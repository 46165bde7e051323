//! The merge step of Hunter (Fleming et al. 2023): prune the weak change
//! points collected from every window until each survivor is significant and
//! large enough, re-testing the neighbours of each removed point.
//!
//! Each point keeps the segments it was last tested on. By default both
//! neighbours of a removed point are re-tested, so those are always the
//! segments between its current neighbours. Under
//! [`DetectOptions::otava_compat`] the two points to the right of the removed
//! one are re-tested instead, as Otava 0.8 does, and the left neighbour keeps
//! its figures until a removal further left reaches it.

use super::options::DetectOptions;
use super::range_stats::RangeStats;
use super::segment_cache::SegmentCache;
use super::student_t::pooled_t_test;
use super::ChangePoint;

/// Symmetric relative change: max(|b/a − 1|, |a/b − 1|), a side with a zero
/// denominator counting 0 (Otava's convention).
fn relative_change(a: f64, b: f64) -> f64 {
    let forward = if a == 0.0 { 0.0 } else { (b / a - 1.0).abs() };
    let backward = if b == 0.0 { 0.0 } else { (a / b - 1.0).abs() };
    forward.max(backward)
}

/// A weak change point being pruned.
struct Weak {
    index: usize,
    /// The segment boundaries (previous, next) of its last test.
    tested: (usize, usize),
    p_value: f64,
    /// Computed only once every p-value passes (medians cost O(segment)).
    magnitude: Option<f64>,
}

struct Merge<'a> {
    stats: &'a RangeStats,
    options: &'a DetectOptions,
    cache: &'a mut SegmentCache,
    points: Vec<Weak>,
}

impl Merge<'_> {
    /// The segment boundaries around point `i`: (previous, next).
    fn bounds(&self, i: usize) -> (usize, usize) {
        let previous = if i == 0 { 0 } else { self.points[i - 1].index };
        let next = self.points.get(i + 1).map_or(self.stats.len(), |w| w.index);
        (previous, next)
    }

    fn retest(&mut self, i: usize) {
        let (a, b) = self.bounds(i);
        let index = self.points[i].index;
        let (stats, scan_correction) = (self.stats, self.options.scan_correction);
        let variance = self.options.variance();
        self.points[i].tested = (a, b);
        self.points[i].p_value = self.cache.p_value(a, index, b, || {
            let p = pooled_t_test(stats.range(a, index), stats.range(index, b), variance);
            if scan_correction {
                // About (b − a)/shorter places a segment as short as the
                // shorter side fit in the span: Bonferroni over them.
                let shorter = (index - a).min(b - index);
                (p * (b - a) as f64 / shorter as f64).min(1.0)
            } else {
                p
            }
        });
        self.points[i].magnitude = None;
    }

    fn magnitude(&mut self, i: usize) -> f64 {
        if let Some(m) = self.points[i].magnitude {
            return m;
        }
        let (a, b) = self.points[i].tested;
        let index = self.points[i].index;
        let stats = self.stats;
        let means_only = self.options.otava_compat;
        let m = self.cache.magnitude(a, index, b, |cache| {
            let means = relative_change(stats.range(a, index).mean, stats.range(index, b).mean);
            if means_only {
                return means;
            }
            let medians = relative_change(
                cache.median(stats.values(), a, index),
                cache.median(stats.values(), index, b),
            );
            means.min(medians)
        });
        self.points[i].magnitude = Some(m);
        m
    }

    /// Removes point `i` and re-tests the points whose figures change (see
    /// the module doc for Otava's variant).
    fn remove(&mut self, i: usize) {
        self.points.remove(i);
        let retested = if self.options.otava_compat {
            // The right neighbour, and the point after it: a no-op unless a
            // removal on its right left it stale.
            i..i + 2
        } else {
            i.saturating_sub(1)..i + 1
        };
        for j in retested.start..retested.end.min(self.points.len()) {
            self.retest(j);
        }
    }

    /// The point to drop next, if any: first those leaving a segment shorter
    /// than `min_segment`, then the least significant while one fails
    /// `max_p_value`, then the smallest while one fails `min_magnitude`.
    fn weakest(&mut self) -> Option<usize> {
        let options = self.options;
        let mut short: Option<usize> = None;
        for i in 0..self.points.len() {
            let (a, b) = self.bounds(i);
            let index = self.points[i].index;
            let is_short = index - a < options.min_segment || b - index < options.min_segment;
            if is_short && short.is_none_or(|s| self.points[i].p_value > self.points[s].p_value) {
                short = Some(i);
            }
        }
        if short.is_some() {
            return short;
        }
        let mut least_significant = 0;
        for i in 1..self.points.len() {
            if self.points[i].p_value > self.points[least_significant].p_value {
                least_significant = i;
            }
        }
        if self.points[least_significant].p_value >= options.max_p_value {
            return Some(least_significant);
        }
        let mut smallest = (0, self.magnitude(0));
        for i in 1..self.points.len() {
            let m = self.magnitude(i);
            if m < smallest.1 {
                smallest = (i, m);
            }
        }
        (smallest.1 <= options.min_magnitude).then_some(smallest.0)
    }

    fn change_point(&mut self, i: usize) -> ChangePoint {
        let (a, b) = self.points[i].tested;
        let index = self.points[i].index;
        let before = self.stats.range(a, index);
        let after = self.stats.range(index, b);
        let values = self.stats.values();
        let magnitude = self.magnitude(i);
        ChangePoint {
            index,
            mean_before: before.mean,
            mean_after: after.mean,
            stddev_before: before.stddev(),
            stddev_after: after.stddev(),
            median_before: self.cache.median(values, a, index),
            median_after: self.cache.median(values, index, b),
            change_pct: if before.mean == 0.0 {
                0.0
            } else {
                (after.mean / before.mean - 1.0) * 100.0
            },
            p_value: self.points[i].p_value,
            magnitude,
        }
    }
}

/// Prunes `weak` (sorted, distinct indices) to the reported change points.
/// Values from `stable_len` on may still change (see the detector).
pub(crate) fn merge(
    stats: &RangeStats,
    weak: &[usize],
    options: &DetectOptions,
    cache: &mut SegmentCache,
    stable_len: usize,
) -> Vec<ChangePoint> {
    cache.begin(stable_len);
    let points = weak
        .iter()
        .map(|&index| Weak {
            index,
            tested: (0, 0),
            p_value: 1.0,
            magnitude: None,
        })
        .collect();
    let mut merge = Merge {
        stats,
        options,
        cache,
        points,
    };
    for i in 0..merge.points.len() {
        merge.retest(i);
    }
    while !merge.points.is_empty() {
        match merge.weakest() {
            Some(i) => merge.remove(i),
            None => break,
        }
    }
    let result = (0..merge.points.len())
        .map(|i| merge.change_point(i))
        .collect();
    merge.cache.end();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    impl DetectOptions {
        /// [`DetectOptions::otava`] with the textbook statistics.
        fn otava_like_textbook() -> Self {
            Self {
                otava_compat: false,
                ..Self::otava()
            }
        }
    }

    #[test]
    fn relative_change_is_symmetric() {
        assert!((relative_change(100.0, 110.0) - 0.1).abs() < 1e-12);
        assert!((relative_change(110.0, 100.0) - 0.1).abs() < 1e-12);
        assert!((relative_change(100.0, 50.0) - 1.0).abs() < 1e-12);
        assert_eq!(relative_change(0.0, 0.0), 0.0);
        assert_eq!(relative_change(0.0, 5.0), 1.0);
    }

    fn stepped(levels: &[(f64, usize)]) -> Vec<f64> {
        let mut v = Vec::new();
        for &(level, count) in levels {
            for i in 0..count {
                v.push(level * (1.0 + 0.01 * ((i * 7 % 5) as f64 - 2.0)));
            }
        }
        v
    }

    #[test]
    fn spurious_and_duplicate_weak_points_are_removed() {
        let values = stepped(&[(100.0, 40), (120.0, 40)]);
        let stats = RangeStats::from_values(&values);
        // 40 is the real step; 41 duplicates it, 10 and 60 are noise.
        let found = merge(
            &stats,
            &[10, 40, 41, 60],
            &DetectOptions::default(),
            &mut SegmentCache::default(),
            stats.len(),
        );
        assert_eq!(found.iter().map(|c| c.index).collect::<Vec<_>>(), vec![40]);
        let cp = &found[0];
        assert!((cp.change_pct - 20.0).abs() < 0.5, "{cp:?}");
        assert!(cp.p_value < 1e-10 && cp.magnitude > 0.15, "{cp:?}");
    }

    #[test]
    fn an_isolated_outlier_is_not_a_change_point() {
        let mut values = stepped(&[(100.0, 60)]);
        values[30] = 300.0;
        let stats = RangeStats::from_values(&values);
        let found = merge(
            &stats,
            &[30, 31],
            &DetectOptions::default(),
            &mut SegmentCache::default(),
            stats.len(),
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn otava_compat_leaves_the_left_neighbour_stale() {
        // A step at 20; 30 is spurious and goes first. Re-tested, 20 sees
        // [0, 20) against [20, 40); left stale, against [20, 30).
        let values = stepped(&[(100.0, 20), (110.0, 20)]);
        let stats = RangeStats::from_values(&values);
        let run = |options: &DetectOptions| {
            merge(
                &stats,
                &[20, 30],
                options,
                &mut SegmentCache::default(),
                stats.len(),
            )
        };
        let textbook = run(&DetectOptions::otava_like_textbook());
        let compat = run(&DetectOptions::otava());
        assert_eq!(textbook.len(), 1);
        assert_eq!(compat.len(), 1);
        let (fresh, stale) = (&textbook[0], &compat[0]);
        assert_eq!((fresh.index, stale.index), (20, 20));
        assert_eq!(fresh.mean_after, stats.range(20, 40).mean);
        assert_eq!(stale.mean_after, stats.range(20, 30).mean);
        let variance = DetectOptions::otava().variance();
        assert_eq!(
            stale.p_value,
            pooled_t_test(stats.range(0, 20), stats.range(20, 30), variance)
        );
        // Otava's magnitude: the means alone.
        let means = relative_change(stale.mean_before, stale.mean_after);
        assert_eq!(stale.magnitude, means);
    }

    #[test]
    fn a_shift_too_small_for_min_magnitude_is_dropped() {
        let values = stepped(&[(100.0, 50), (103.0, 50)]);
        let stats = RangeStats::from_values(&values);
        let options = DetectOptions::default();
        assert!(merge(
            &stats,
            &[50],
            &options,
            &mut SegmentCache::default(),
            stats.len()
        )
        .is_empty());
        let lenient = DetectOptions {
            min_magnitude: 0.0,
            ..options
        };
        assert_eq!(
            merge(
                &stats,
                &[50],
                &lenient,
                &mut SegmentCache::default(),
                stats.len()
            )
            .len(),
            1
        );
    }
}
