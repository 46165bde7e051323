//! Descriptive summary of one sample: the figures every report shows.
//!
//! Mean and sample standard deviation (Bessel's n − 1, computed in two passes
//! for accuracy), order statistics by [`percentile`](mod@crate::percentile) (Hyndman & Fan
//! type 7), the unscaled MAD, and the distribution-free order-statistic
//! confidence interval of the median by [`crate::median_interval`] (exact
//! coverage, no resampling). Non-finite values are ignored and not counted
//! in `n`.

use crate::bootstrap::CiOptions;
use crate::median_interval::median_interval;
use crate::percentile::{finite, mad_in_place, quantile_sorted, sort};
use perfwatch_model::Summary;

/// Summarises the finite values of `xs`; `None` when there are none.
///
/// `sd` is 0 for fewer than two values, and exactly 0 (with `mean` equal to
/// the value) for a constant sample, whose median interval collapses too.
/// Of `opts` only the confidence level is used.
pub fn summarize(xs: &[f64], opts: &CiOptions) -> Option<Summary> {
    let mut sorted = finite(xs);
    if sorted.is_empty() {
        return None;
    }
    sort(&mut sorted);
    let n = sorted.len();
    let (min, max) = (sorted[0], sorted[n - 1]);
    let (mean, sd) = if min == max {
        (min, 0.0)
    } else {
        mean_sd(&sorted)
    };
    let median = quantile_sorted(&sorted, 0.5)?;
    let p95 = quantile_sorted(&sorted, 0.95)?;
    let (ci_low, ci_high) = median_interval(&sorted, opts.level())?;
    let mad = mad_in_place(&mut sorted);
    Some(Summary {
        n,
        mean,
        sd,
        median,
        min,
        max,
        p95,
        mad,
        ci_low,
        ci_high,
        confidence: opts.level(),
    })
}

/// Mean and sample standard deviation of a non-empty sample.
fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn summary_of_a_small_sample() {
        let s = summarize(&[4.0, 1.0, 3.0, 2.0, 10.0, f64::NAN], &CiOptions::default()).unwrap();
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 4.0);
        assert!((s.sd - 12.5f64.sqrt()).abs() < 1e-12);
        assert_eq!((s.median, s.min, s.max, s.mad), (3.0, 1.0, 10.0, 1.0));
        assert!((s.p95 - 8.8).abs() < 1e-12);
        assert!(s.ci_low <= 3.0 && 3.0 <= s.ci_high);
    }

    #[test]
    fn empty_single_and_nan_only() {
        let o = CiOptions::default();
        assert_eq!(summarize(&[], &o), None);
        assert_eq!(summarize(&[f64::NAN, f64::INFINITY], &o), None);
        let s = summarize(&[0.25], &o).unwrap();
        assert_eq!(
            (s.n, s.mean, s.sd, s.median, s.p95),
            (1, 0.25, 0.0, 0.25, 0.25)
        );
        assert_eq!((s.ci_low, s.ci_high, s.mad), (0.25, 0.25, 0.0));
    }

    /// Fewer resamples keep property tests quick in debug builds.
    const QUICK: CiOptions = CiOptions {
        confidence: 0.95,
        resamples: 300,
        seed: 7,
    };

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn constant_sample_has_no_spread(x in -1e9f64..1e9, n in 1usize..50) {
            let s = summarize(&vec![x; n], &QUICK).unwrap();
            prop_assert_eq!(s.sd, 0.0);
            prop_assert_eq!(s.mad, 0.0);
            prop_assert_eq!((s.mean, s.median, s.p95), (x, x, x));
            prop_assert_eq!((s.ci_low, s.ci_high), (x, x));
        }

        #[test]
        fn figures_are_ordered(xs in prop::collection::vec(0.0f64..1e6, 1..50)) {
            let s = summarize(&xs, &QUICK).unwrap();
            prop_assert!(s.min <= s.median && s.median <= s.p95 && s.p95 <= s.max);
            prop_assert!(s.min <= s.mean * (1.0 + 1e-12) && s.mean <= s.max * (1.0 + 1e-12));
            prop_assert!(s.min <= s.ci_low && s.ci_high <= s.max);
            prop_assert!(s.sd >= 0.0 && s.mad >= 0.0);
        }
    }
}
