//! The statistics of one tested window: its median, the one-sided test
//! against a baseline, the ratio's interval and where the deviation began.

use perfwatch_stats::median_interval::median_interval;
use perfwatch_stats::{mann_whitney, median, ratio, ratio_of_medians_ci, CiOptions};

/// Confidence of the intervals reported with an alert's ratio.
pub(crate) const CI_LEVEL: f64 = 0.95;

/// The median of a window; 0 for an empty one (never tested: windows are
/// full).
pub(crate) fn window_median(values: &[f64]) -> f64 {
    median(values).unwrap_or(0.0)
}

/// One-sided Mann-Whitney p-value of "`recent` is stochastically larger
/// than `base`", from the two-sided test: `p₂/2` when `U` of `recent`
/// exceeds `mn/2`, else `1 − p₂/2`. Both the exact null distribution of
/// `U` and its normal approximation are symmetric about `mn/2`, so
/// `P(U ≥ u) = P(U ≤ mn − u) = p₂/2` exactly whenever `p₂ < 1`.
pub(crate) fn one_sided_p(recent: &[f64], base: &[f64]) -> Option<f64> {
    let test = mann_whitney(recent, base)?;
    let half_pairs = (recent.len() * base.len()) as f64 / 2.0;
    Some(if test.u > half_pairs {
        test.p_value / 2.0
    } else {
        1.0 - test.p_value / 2.0
    })
}

/// The 95 % interval of `median(recent) / median(base)` by the seeded
/// two-sample percentile bootstrap ([`ratio_of_medians_ci`], 2000
/// resamples), widened where needed to hold `point` (with eight runs a
/// percentile interval of a median can, rarely, miss its own estimate).
pub(crate) fn ratio_interval(base: &[f64], recent: &[f64], point: f64) -> (f64, f64) {
    let opts = CiOptions {
        confidence: CI_LEVEL,
        ..CiOptions::default()
    };
    let ci = ratio_of_medians_ci(base, recent, &opts);
    hold(ci.map(|i| (i.low, i.high)), point)
}

/// The 95 % interval of `median(recent) / limit` for a fixed limit: the
/// distribution-free order-statistic interval of the median
/// ([`median_interval`]) divided by the limit.
pub(crate) fn limit_interval(recent: &[f64], limit: f64, point: f64) -> (f64, f64) {
    let mut sorted = recent.to_vec();
    sorted.sort_by(f64::total_cmp);
    let ci =
        median_interval(&sorted, CI_LEVEL).map(|(lo, hi)| (ratio(lo, limit), ratio(hi, limit)));
    hold(ci, point)
}

/// The 95 % interval of `limit / median(recent)` for a floor: the
/// order-statistic interval of the median, its ends divided into the
/// limit (the high end from the low median).
pub(crate) fn floor_interval(recent: &[f64], limit: f64, point: f64) -> (f64, f64) {
    let mut sorted = recent.to_vec();
    sorted.sort_by(f64::total_cmp);
    let ci =
        median_interval(&sorted, CI_LEVEL).map(|(lo, hi)| (ratio(limit, hi), ratio(limit, lo)));
    hold(ci, point)
}

/// `(low, high)` ordered and stretched to hold `point`.
fn hold(ci: Option<(f64, f64)>, point: f64) -> (f64, f64) {
    let (a, b) = ci.unwrap_or((point, point));
    (a.min(b).min(point), a.max(b).max(point))
}

/// Where in the window the deviation began: the earliest position `r`
/// whose value is above `threshold` and from which the runs above it
/// outnumber the others in every stretch `r..=s` up to the window's end
/// (a running balance, +1 above, −1 not, that never drops to 0). A lone
/// chance high run just before the change is thus not taken for its
/// start, and one normal run inside the change does not move it. When no
/// position qualifies, the first value above `threshold`, else the last
/// position.
pub(crate) fn deviation_start(values: &[f64], threshold: f64) -> usize {
    let above: Vec<bool> = values.iter().map(|&v| v > threshold).collect();
    deviation_start_of(&above)
}

/// [`deviation_start`] over runs already judged: `deviant[r]` says
/// whether run `r` is on the wrong side.
pub(crate) fn deviation_start_of(deviant: &[bool]) -> usize {
    let holds_from = |r: usize| {
        let mut balance = 0i64;
        deviant[r..].iter().all(|&d| {
            balance += if d { 1 } else { -1 };
            balance > 0
        })
    };
    (0..deviant.len())
        .find(|&r| deviant[r] && holds_from(r))
        .or_else(|| deviant.iter().position(|&d| d))
        .unwrap_or(deviant.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sided_p_is_small_only_when_recent_is_larger() {
        let base: Vec<f64> = (0..20).map(|i| 1.0 + f64::from(i) * 0.001).collect();
        let slow: Vec<f64> = (0..8).map(|i| 1.5 + f64::from(i) * 0.001).collect();
        let fast: Vec<f64> = (0..8).map(|i| 0.5 + f64::from(i) * 0.001).collect();
        let p_slow = one_sided_p(&slow, &base).unwrap();
        let p_fast = one_sided_p(&fast, &base).unwrap();
        assert!(p_slow < 1e-4, "{p_slow}");
        assert!(p_fast > 0.99, "{p_fast}");
        assert!((p_slow + p_fast - 1.0).abs() < 1e-12);
    }

    #[test]
    fn intervals_hold_their_point() {
        let (lo, hi) = ratio_interval(&[1.0; 10], &[2.0; 8], 2.0);
        assert_eq!((lo, hi), (2.0, 2.0));
        let (lo, hi) = limit_interval(&[3.0, 1.0, 2.0], 0.0, f64::INFINITY);
        assert_eq!((lo, hi), (f64::INFINITY, f64::INFINITY));
        let (lo, hi) = limit_interval(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 2.0, 2.25);
        assert!(
            lo <= 2.25 && 2.25 <= hi && lo >= 0.5 && hi <= 4.0,
            "{lo} {hi}"
        );
    }

    #[test]
    fn deviation_start_skips_a_lone_chance_high_run() {
        // (window, threshold 1.2, expected start)
        let cases: [(&[f64], usize); 5] = [
            (&[1.0, 1.3, 1.0, 1.4, 1.4, 1.4, 1.4, 1.4], 3),
            (&[1.0, 1.0, 1.4, 1.4, 1.0, 1.4, 1.4, 1.4], 2),
            (&[1.3, 1.3, 1.4, 1.4], 0),
            (&[1.0, 1.0, 1.0, 1.4], 3),
            (&[1.0, 1.0], 1),
        ];
        for (values, want) in cases {
            assert_eq!(deviation_start(values, 1.2), want, "{values:?}");
        }
    }
}
