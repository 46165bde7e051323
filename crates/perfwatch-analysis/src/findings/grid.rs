//! Round durations and interval grids: the fingerprints of hand-written
//! waits.
//!
//! **Round value.** People write waits as round numbers, and a sleep
//! overshoots its argument a little, never undershoots it much. A duration
//! `d` is *round* when it lies within `[−max(0.5 ms, 0.5 %·d), +max(2 ms,
//! 2 %·d)]` of a multiple of a unit that grows with it: 10 ms below
//! 100 ms, 50 ms below 1 s, 0.5 s below 10 s, whole seconds above (so
//! 200.3 ms and 10.065 s are round, 237 ms and 4.2 s are not). Below 5 ms
//! nothing is round: timer slack is of that order.
//!
//! **Interval grid.** A polling loop ends on the first check after its
//! condition, so its durations sit on multiples `k·I` (k ≥ 1) of its
//! interval `I`. Candidate intervals are the round values 1, 2, 2.5, 3 and
//! 5 × 10ⁿ from 5 ms to 10 s; a duration fits `I` when it is within
//! `tol(I) = max(2 ms, 5 %·I)` of a multiple. A duration unrelated to `I`
//! fits by chance with probability `p(I) = min(1, 2·tol(I)/I)` (0.4 at
//! 10 ms, 0.1 from 40 ms up); `m` distinct levels `k` all fitting by chance
//! has probability about `p(I)^m`, which is what the polling rule tests.

/// Candidate polling intervals, seconds, ascending.
pub(crate) const INTERVALS_S: [f64; 17] = [
    0.005, 0.01, 0.02, 0.025, 0.03, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0, 2.0, 2.5, 3.0, 5.0, 10.0,
];

/// The round value a duration sits on, if any.
pub(crate) fn round_value(d: f64) -> Option<f64> {
    if !(d.is_finite() && d >= 0.005) {
        return None;
    }
    let unit = if d < 0.1 {
        0.01
    } else if d < 1.0 {
        0.05
    } else if d < 10.0 {
        0.5
    } else {
        1.0
    };
    let nearest = (d / unit).round() * unit;
    let r = d - nearest;
    let below = (0.005 * d).max(0.0005);
    let above = (0.02 * d).max(0.002);
    (nearest >= unit && r >= -below && r <= above).then_some(nearest)
}

/// Tolerance of a fit to interval `i`.
pub(crate) fn tolerance(i: f64) -> f64 {
    (0.05 * i).max(0.002)
}

/// Probability that an unrelated duration fits interval `i`.
pub(crate) fn chance(i: f64) -> f64 {
    (2.0 * tolerance(i) / i).min(1.0)
}

/// The multiple `k ≥ 1` of interval `i` that `d` sits on, if any.
pub(crate) fn multiple(d: f64, i: f64) -> Option<u64> {
    let k = (d / i).round();
    (k >= 1.0 && (d - k * i).abs() <= tolerance(i)).then_some(k as u64)
}

/// The largest candidate interval every duration fits, with the distinct
/// multiples seen.
pub(crate) fn largest_fitting(ds: &[f64]) -> Option<(f64, Vec<u64>)> {
    if ds.is_empty() {
        return None;
    }
    INTERVALS_S.iter().rev().find_map(|&i| {
        let mut ks: Vec<u64> = ds.iter().map(|&d| multiple(d, i)).collect::<Option<_>>()?;
        ks.sort_unstable();
        ks.dedup();
        Some((i, ks))
    })
}

/// The candidate interval nearest to `estimate`, if within 10 % of it.
pub(crate) fn snap(estimate: f64) -> Option<f64> {
    INTERVALS_S
        .iter()
        .copied()
        .min_by(|a, b| (a - estimate).abs().total_cmp(&(b - estimate).abs()))
        .filter(|i| (i - estimate).abs() <= 0.1 * i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_values() {
        let cases: [(f64, Option<f64>); 10] = [
            (0.2003, Some(0.2)),
            (0.1004, Some(0.1)),
            (10.0648, Some(10.0)),
            (10.0877, Some(10.0)),
            (0.0401, Some(0.04)),
            (5.02, Some(5.0)),
            (0.237, None),
            (4.2, None),
            (0.198, None), // undershoots by 2 ms: not a sleep
            (0.003, None),
        ];
        for (d, want) in cases {
            let got = round_value(d);
            assert_eq!(
                got.map(|v| (v * 1e6).round()),
                want.map(|v| (v * 1e6).round()),
                "{d}"
            );
        }
    }

    #[test]
    fn grids() {
        let (i, ks) = largest_fitting(&[0.1003, 0.2004, 0.3001, 0.1002]).unwrap();
        assert_eq!((i, ks), (0.1, vec![1, 2, 3]));
        let (i, ks) = largest_fitting(&[0.1003; 5]).unwrap();
        assert_eq!((i, ks), (0.1, vec![1]));
        // 170 ms and 20 ms only share the 10 ms grid.
        let (i, ks) = largest_fitting(&[0.1702, 0.0201]).unwrap();
        assert_eq!((i, ks), (0.01, vec![2, 17]));
        assert_eq!(largest_fitting(&[0.0125, 0.0375]), None);
        assert!((chance(0.01) - 0.4).abs() < 1e-12);
        assert!((chance(1.0) - 0.1).abs() < 1e-12);
        assert_eq!(snap(0.097), Some(0.1));
        assert_eq!(snap(0.07), None);
    }
}
