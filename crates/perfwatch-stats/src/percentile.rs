//! Order statistics: quantiles, the median and the median absolute deviation.
//!
//! Quantiles use linear interpolation between order statistics, type 7 of
//! Hyndman, R. J. & Fan, Y. (1996), "Sample quantiles in statistical
//! packages", *The American Statistician* 50(4), 361–365 — the default of R,
//! NumPy and spreadsheets, so figures match what users compute elsewhere:
//! with the sorted sample `x[0] ≤ … ≤ x[n−1]` and `h = (n − 1)·q`, the
//! quantile is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`.
//!
//! The MAD is unscaled: `median(|xᵢ − median(x)|)` (multiply by 1.4826 for a
//! consistent estimate of σ under normality).
//!
//! Non-finite values are ignored (see the crate documentation).

use std::cmp::Ordering;

/// The finite values of `xs`, in their original order.
pub fn finite(xs: &[f64]) -> Vec<f64> {
    xs.iter().copied().filter(|x| x.is_finite()).collect()
}

/// The `q`-quantile of the finite values of `xs`, `q` in `[0, 1]` (0.5 is
/// the median, 0.95 the 95th percentile). A `q` outside `[0, 1]` is clamped.
/// `None` when no finite value is left or `q` is NaN.
pub fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    if q.is_nan() {
        return None;
    }
    let mut buf = finite(xs);
    if buf.is_empty() {
        return None;
    }
    Some(quantile_in_place(&mut buf, q))
}

/// The `p`-th percentile of the finite values of `xs`, `p` in `[0, 100]`;
/// the same as [`quantile`]`(xs, p / 100)`.
pub fn percentile(xs: &[f64], p: f64) -> Option<f64> {
    quantile(xs, p / 100.0)
}

/// The median of the finite values of `xs`; `None` when there are none.
pub fn median(xs: &[f64]) -> Option<f64> {
    quantile(xs, 0.5)
}

/// The unscaled median absolute deviation of the finite values of `xs`;
/// `None` when there are none.
pub fn mad(xs: &[f64]) -> Option<f64> {
    let mut buf = finite(xs);
    if buf.is_empty() {
        return None;
    }
    Some(mad_in_place(&mut buf))
}

/// The `q`-quantile of a sample sorted ascending (`q` clamped to `[0, 1]`).
/// `None` when `sorted` is empty or `q` is NaN. The caller guarantees the
/// order; no value is filtered.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || q.is_nan() {
        return None;
    }
    let (lo, frac) = position(sorted.len(), q);
    Some(match sorted.get(lo + 1) {
        Some(&next) if frac > 0.0 => lerp(sorted[lo], next, frac),
        _ => sorted[lo],
    })
}

/// The `q`-quantile of a non-empty buffer, which is reordered (a selection,
/// not a full sort: O(n)). `q` must not be NaN; it is clamped to `[0, 1]`.
/// Values may be infinite but not NaN.
pub(crate) fn quantile_in_place(buf: &mut [f64], q: f64) -> f64 {
    debug_assert!(!buf.is_empty() && !q.is_nan());
    let (lo, frac) = position(buf.len(), q);
    let (_, &mut low, right) = buf.select_nth_unstable_by(lo, f64::total_cmp);
    if frac == 0.0 || right.is_empty() {
        return low;
    }
    // Everything right of the selected element is ≥ it; the next order
    // statistic is the smallest of them.
    let next = right.iter().copied().fold(f64::INFINITY, f64::min);
    lerp(low, next, frac)
}

/// The median of a non-empty buffer, which is reordered.
pub(crate) fn median_in_place(buf: &mut [f64]) -> f64 {
    quantile_in_place(buf, 0.5)
}

/// The unscaled MAD of a non-empty buffer of finite values, which is
/// overwritten with the absolute deviations.
pub(crate) fn mad_in_place(buf: &mut [f64]) -> f64 {
    let m = median_in_place(buf);
    for x in buf.iter_mut() {
        *x = (*x - m).abs();
    }
    median_in_place(buf)
}

/// Sorts finite values ascending.
pub(crate) fn sort(buf: &mut [f64]) {
    buf.sort_unstable_by(f64::total_cmp);
}

/// Index of the lower order statistic and the interpolation weight.
fn position(n: usize, q: f64) -> (usize, f64) {
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    (lo, h - lo as f64)
}

/// Linear interpolation kept inside `[a, b]` (rounding could step out of
/// it, which would break monotonicity in `q`).
pub(crate) fn lerp(a: f64, b: f64, t: f64) -> f64 {
    match a.partial_cmp(&b) {
        Some(Ordering::Less) if a.is_finite() && b.is_finite() => (a + t * (b - a)).clamp(a, b),
        // Infinite ends (ratios over a zero median): t > 0 here, so an
        // infinite upper end wins unless the lower end is infinite too.
        Some(Ordering::Less) if a.is_finite() => b,
        _ => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn type_7_matches_reference_values() {
        // Reference values from R: quantile(c(1, 2, 3, 4, 10), q, type = 7).
        let xs = [10.0, 2.0, 4.0, 1.0, 3.0];
        let cases = [
            (0.0, 1.0),
            (0.1, 1.4),
            (0.25, 2.0),
            (0.5, 3.0),
            (0.9, 7.6),
            (0.95, 8.8),
            (1.0, 10.0),
        ];
        for (q, want) in cases {
            let got = quantile(&xs, q).unwrap();
            assert!((got - want).abs() < 1e-12, "q={q}: got {got}, want {want}");
        }
    }

    #[test]
    fn median_of_even_and_odd_samples() {
        let cases: [(&[f64], Option<f64>); 6] = [
            (&[], None),
            (&[7.0], Some(7.0)),
            (&[1.0, 2.0], Some(1.5)),
            (&[3.0, 1.0, 2.0], Some(2.0)),
            (&[4.0, 1.0, 3.0, 2.0], Some(2.5)),
            (&[f64::NAN, 1.0, f64::INFINITY, 3.0], Some(2.0)),
        ];
        for (xs, want) in cases {
            assert_eq!(median(xs), want, "{xs:?}");
        }
    }

    #[test]
    fn percentile_is_quantile_over_100() {
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(percentile(&xs, 95.0), quantile(&xs, 0.95));
    }

    #[test]
    fn mad_is_unscaled() {
        // |x − 3| = 2, 1, 0, 1, 7 → median 1.
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 10.0]), Some(1.0));
        assert_eq!(mad(&[5.0; 4]), Some(0.0));
        assert_eq!(mad(&[f64::NAN]), None);
    }

    #[test]
    fn bad_q_and_empty_input() {
        assert_eq!(quantile(&[1.0, 2.0], f64::NAN), None);
        assert_eq!(quantile(&[1.0, 2.0], -1.0), Some(1.0));
        assert_eq!(quantile(&[1.0, 2.0], 2.0), Some(2.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile_sorted(&[], 0.5), None);
    }

    #[test]
    fn infinite_values_in_place_do_not_make_nan() {
        let mut buf = [1.0, f64::INFINITY, f64::INFINITY];
        assert_eq!(quantile_in_place(&mut buf, 0.9), f64::INFINITY);
        let mut buf = [1.0, f64::INFINITY];
        assert_eq!(quantile_in_place(&mut buf, 0.5), f64::INFINITY);
    }

    proptest! {
        #[test]
        fn quantiles_are_monotone_and_bounded(
            xs in prop::collection::vec(-1e9f64..1e9, 1..60),
            q1 in 0.0f64..=1.0,
            q2 in 0.0f64..=1.0,
        ) {
            let (lo, hi) = if q1 <= q2 { (q1, q2) } else { (q2, q1) };
            let a = quantile(&xs, lo).unwrap();
            let b = quantile(&xs, hi).unwrap();
            let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(a <= b);
            prop_assert!(min <= a && b <= max);
        }

        #[test]
        fn selection_agrees_with_sorting(
            xs in prop::collection::vec(-1e6f64..1e6, 1..60),
            q in 0.0f64..=1.0,
        ) {
            let mut sorted = xs.clone();
            sort(&mut sorted);
            prop_assert_eq!(quantile(&xs, q), quantile_sorted(&sorted, q));
        }
    }
}
