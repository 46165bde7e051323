//! Distribution-free confidence interval of a median from order statistics.
//!
//! Method: for a sample of n values from any continuous distribution, the
//! number of values below the true median is Binomial(n, ½), so the interval
//! between the order statistics `x₍ⱼ₎` and `x₍ₙ₋ⱼ₊₁₎` (1-based) covers the
//! median with probability `1 − 2·P(B ≤ j − 1)` exactly (Hollander, Wolfe &
//! Chicken, *Nonparametric Statistical Methods*, 3rd ed., §3.6; Conover,
//! *Practical Nonparametric Statistics*, §3.2). The interval uses the
//! largest `j` whose coverage is at least the requested level, so it never
//! claims more confidence than it has.
//!
//! Unlike a percentile bootstrap of the median — whose coverage is erratic
//! for small samples — the coverage is guaranteed, the interval is
//! deterministic (no seed), and it costs one pass over at most n/2 binomial
//! terms. When even `[min, max]` covers less than the level (n ≤ 5 at 95 %),
//! the interval is `[min, max]`, the widest the sample can support.

/// The order-statistic interval of the median of `sorted` (ascending,
/// finite values) at confidence `level` in `[0, 1]`; `None` when empty.
///
/// ```
/// use perfwatch_stats::median_interval::median_interval;
/// let xs: Vec<f64> = (1..=30).map(f64::from).collect();
/// // n = 30 at 95 %: x₍₁₀₎ … x₍₂₁₎ (coverage 95.7 %).
/// assert_eq!(median_interval(&xs, 0.95), Some((10.0, 21.0)));
/// ```
pub fn median_interval(sorted: &[f64], level: f64) -> Option<(f64, f64)> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let j = lower_rank(n, level);
    Some((sorted[j - 1], sorted[n - j]))
}

/// The largest 1-based rank `j ≤ ⌈n/2⌉` with `1 − 2·P(B ≤ j − 1) ≥ level`
/// for `B ~ Binomial(n, ½)`; 1 when none reaches the level.
fn lower_rank(n: usize, level: f64) -> usize {
    let level = if level.is_nan() {
        0.95
    } else {
        level.clamp(0.0, 1.0)
    };
    // The coverage may lose at most this much in each tail.
    let tail = (1.0 - level) / 2.0;
    let nf = n as f64;
    // ln P(B = k), updated term by term: ln C(n, k) − n·ln 2.
    let mut ln_pmf = -nf * std::f64::consts::LN_2;
    let mut cdf = 0.0;
    let mut j = 1;
    // Ranks beyond the middle would cross over; stop at ⌈n/2⌉.
    for k in 0..n.div_ceil(2) {
        // cdf = P(B ≤ k): the risk in each tail of rank k + 1.
        cdf += ln_pmf.exp();
        if cdf > tail * (1.0 + 1e-12) {
            break;
        }
        j = k + 1;
        ln_pmf += ((nf - k as f64) / (k as f64 + 1.0)).ln();
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Coverage of rank `j` by exact binomial sums (small n only).
    fn coverage(n: u32, j: u32) -> f64 {
        let total = 2f64.powi(n as i32);
        let mut c = 1.0;
        let mut below = 0.0;
        for k in 0..j {
            below += c;
            c = c * f64::from(n - k) / f64::from(k + 1);
        }
        1.0 - 2.0 * below / total
    }

    #[test]
    fn textbook_ranks_at_95_percent() {
        // n → lower rank j (tables in Conover, Table A3).
        for (n, j) in [(6, 1), (8, 1), (10, 2), (20, 6), (30, 10), (100, 40)] {
            assert_eq!(lower_rank(n, 0.95), j, "n = {n}");
        }
    }

    #[test]
    fn chosen_rank_is_the_largest_that_keeps_the_level() {
        for n in 6..=60u32 {
            for level in [0.8, 0.9, 0.95, 0.99] {
                let j = lower_rank(n as usize, level) as u32;
                if coverage(n, 1) < level {
                    assert_eq!(j, 1);
                    continue;
                }
                assert!(coverage(n, j) >= level - 1e-12, "n {n} level {level}");
                if j < n.div_ceil(2) {
                    assert!(coverage(n, j + 1) < level, "n {n} level {level}");
                }
            }
        }
    }

    #[test]
    fn tiny_samples_use_the_range() {
        assert_eq!(median_interval(&[], 0.95), None);
        assert_eq!(median_interval(&[3.0], 0.95), Some((3.0, 3.0)));
        assert_eq!(median_interval(&[1.0, 2.0], 0.95), Some((1.0, 2.0)));
        assert_eq!(
            median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95),
            Some((1.0, 5.0))
        );
    }

    #[test]
    fn level_zero_and_nan() {
        let xs: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(median_interval(&xs, 0.0), Some((6.0, 6.0)));
        assert_eq!(median_interval(&xs, f64::NAN), median_interval(&xs, 0.95));
        assert_eq!(median_interval(&xs, 1.0), Some((1.0, 11.0)));
    }

    #[test]
    fn large_samples_match_the_normal_approximation() {
        let n = 10_000usize;
        let j = lower_rank(n, 0.95) as f64;
        let approx = n as f64 / 2.0 - 1.959_964 * (n as f64).sqrt() / 2.0;
        assert!((j - approx).abs() <= 2.0, "{j} vs {approx}");
    }

    proptest! {
        #[test]
        fn interval_holds_the_median(mut xs in proptest::collection::vec(-1e6f64..1e6, 1..200),
                                     level in 0.5f64..0.999) {
            xs.sort_by(f64::total_cmp);
            let (lo, hi) = median_interval(&xs, level).unwrap();
            let m = crate::percentile::quantile_sorted(&xs, 0.5).unwrap();
            prop_assert!(lo <= m && m <= hi);
            let wider = median_interval(&xs, (level + 1.0) / 2.0).unwrap();
            prop_assert!(wider.0 <= lo && hi <= wider.1);
        }
    }
}
