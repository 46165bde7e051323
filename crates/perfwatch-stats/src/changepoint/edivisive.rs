//! The E-divisive split of Matteson & James (2014) inside one window.
//!
//! For an interval Z and a split X = Z[..τ], Y = Z[τ..κ] (n = |X|, m = |Y|),
//! the divergence statistic with exponent α = 1 is
//!
//! ```text
//! Q̂(τ, κ) = 2/(n+m)·Σᵢⱼ|Xᵢ−Yⱼ| − 2m/((n+m)(n−1))·Σᵢ<ₖ|Xᵢ−Xₖ| − 2n/((n+m)(m−1))·Σⱼ<ₖ|Yⱼ−Yₖ|
//! ```
//!
//! (a term whose denominator is zero is dropped). The candidate is the τ of
//! the (τ, κ) pair that maximises Q̂. All three sums are carried as running
//! sums while κ grows: adding the point at κ costs one pass over the distances
//! to it, so the whole (τ, κ) table takes O(L²) time and O(L) memory for an
//! interval of L points, with no distance matrix.
//!
//! Within a window the search is divisive: split the interval with the best
//! candidate while Student's t-test between the two sides of that candidate
//! (within its interval) is significant, then search the pieces again.

use super::range_stats::RangeStats;
use super::student_t::{pooled_t_test, Variance};

/// Reusable buffers for [`best_split`], so windows allocate nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// Σ pairwise distances within X = x[..τ], divided by (τ − 1).
    within_x: Vec<f64>,
    across: Vec<f64>,
    within_y: Vec<f64>,
    column: Vec<f64>,
    best: Vec<f64>,
    /// τ as a float.
    tau: Vec<f64>,
    /// `inverse_rev[j]` = 1/(len − j), and 0 for j = len: the 1/(m − 1) factor
    /// read forwards as τ grows.
    inverse_rev: Vec<f64>,
}

/// The τ (relative to the slice, in 1..len) maximising Q̂ over every κ, and
/// that maximum; `None` for fewer than two points. Ties go to the smallest τ.
pub(crate) fn best_split(x: &[f64], scratch: &mut Scratch) -> Option<(usize, f64)> {
    let len = x.len();
    if len < 2 {
        return None;
    }
    let Scratch {
        within_x,
        across,
        within_y,
        column,
        best,
        tau,
        inverse_rev,
    } = scratch;
    for buffer in [&mut *within_x, &mut *across, &mut *within_y, &mut *column] {
        buffer.clear();
        buffer.resize(len + 1, 0.0);
    }
    best.clear();
    best.resize(len + 1, f64::NEG_INFINITY);
    tau.clear();
    tau.extend((0..=len).map(|t| t as f64));
    // 1/k with 1/0 taken as 0: drops the within-side term of a one-point side.
    let inverse = |k: usize| if k == 0 { 0.0 } else { 1.0 / k as f64 };
    inverse_rev.clear();
    inverse_rev.extend((0..=len).map(|j| inverse(len - j)));

    let mut raw_within_x = 0.0;
    let mut previous_total = 0.0;
    for p in 1..len {
        // Y = x[τ..=p] for every τ in 1..=p; X = x[..τ].
        raw_within_x += previous_total;
        within_x[p] = raw_within_x * inverse(p - 1);
        let xp = x[p];
        let mut total = 0.0;
        for (c, &xi) in column[1..=p].iter_mut().zip(&x[..p]) {
            total += (xi - xp).abs();
            *c = total;
        }
        let scale = 2.0 * inverse(p + 1);
        let size = (p + 1) as f64;
        // With n = τ and m = p + 1 − τ, 1/(m − 1) = inverse_rev[len − p + τ].
        let lanes = across[1..=p]
            .iter_mut()
            .zip(within_y[1..=p].iter_mut())
            .zip(&column[1..=p])
            .zip(&within_x[1..=p])
            .zip(&tau[1..=p])
            .zip(&inverse_rev[len - p + 1..=len])
            .zip(best[1..=p].iter_mut());
        for ((((((a, wy), &c), &wx), &n), &inv_m1), b) in lanes {
            *a += c;
            *wy += total - c;
            let m = size - n;
            let q = scale * (*a - m * wx - n * inv_m1 * *wy);
            *b = b.max(q);
        }
        previous_total = total;
    }

    let mut arg = 1;
    for t in 2..len {
        if best[t] > best[arg] {
            arg = t;
        }
    }
    Some((arg, best[arg]))
}

/// One interval of a window with its best candidate (absolute index, Q̂).
struct Interval {
    start: usize,
    end: usize,
    candidate: Option<(usize, f64)>,
}

impl Interval {
    fn new(values: &[f64], start: usize, end: usize, scratch: &mut Scratch) -> Self {
        let candidate = best_split(&values[start..end], scratch).map(|(tau, q)| (start + tau, q));
        Self {
            start,
            end,
            candidate,
        }
    }
}

/// Change points E-divisive finds in `stats[start..end]` at significance
/// `max_p_value` (t-tests pooling `variance`), as absolute indices in
/// increasing order.
pub(crate) fn window_change_points(
    stats: &RangeStats,
    (start, end): (usize, usize),
    max_p_value: f64,
    variance: Variance,
    scratch: &mut Scratch,
) -> Vec<usize> {
    let values = stats.values();
    let mut intervals = vec![Interval::new(values, start, end, scratch)];
    let mut found = Vec::new();
    loop {
        // The interval whose candidate has the largest Q̂ (first on ties).
        let mut chosen: Option<(usize, usize, f64)> = None;
        for (i, interval) in intervals.iter().enumerate() {
            if let Some((tau, q)) = interval.candidate {
                if chosen.is_none_or(|(_, _, best)| q > best) {
                    chosen = Some((i, tau, q));
                }
            }
        }
        let Some((i, tau, _)) = chosen else { break };
        let (a, b) = (intervals[i].start, intervals[i].end);
        if pooled_t_test(stats.range(a, tau), stats.range(tau, b), variance) > max_p_value {
            break;
        }
        found.push(tau);
        let left = Interval::new(values, a, tau, scratch);
        let right = Interval::new(values, tau, b, scratch);
        intervals.splice(i..=i, [left, right]);
    }
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Q̂ straight from its definition, for every (τ, κ).
    fn brute_force(x: &[f64]) -> (usize, f64) {
        let mut best = (0, f64::NEG_INFINITY);
        for tau in 1..x.len() {
            for kappa in tau + 1..=x.len() {
                let (xs, ys) = (&x[..tau], &x[tau..kappa]);
                let (n, m) = (xs.len() as f64, ys.len() as f64);
                let across: f64 = xs
                    .iter()
                    .flat_map(|a| ys.iter().map(move |b| (a - b).abs()))
                    .sum();
                let pairs = |s: &[f64]| -> f64 {
                    (0..s.len())
                        .flat_map(|i| (i + 1..s.len()).map(move |k| (s[i] - s[k]).abs()))
                        .sum()
                };
                let mut q = 2.0 / (n + m) * across;
                if n > 1.0 {
                    q -= 2.0 * m / ((n + m) * (n - 1.0)) * pairs(xs);
                }
                if m > 1.0 {
                    q -= 2.0 * n / ((n + m) * (m - 1.0)) * pairs(ys);
                }
                if q > best.1 + 1e-9 {
                    best = (tau, q);
                }
            }
        }
        best
    }

    #[test]
    fn running_sums_match_the_definition() {
        let cases: [&[f64]; 5] = [
            &[1.0, 2.0],
            &[1.0, 1.0, 1.0, 5.0, 5.0, 5.0],
            &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0],
            &[
                10.0, 10.2, 9.9, 10.1, 12.0, 12.1, 11.9, 12.2, 10.0, 10.1, 9.8,
            ],
            &[0.5, 7.0, 0.4, 0.6, 0.5, 0.45, 0.55],
        ];
        let mut scratch = Scratch::default();
        for x in cases {
            let (tau, q) = best_split(x, &mut scratch).unwrap();
            let (want_tau, want_q) = brute_force(x);
            assert_eq!(tau, want_tau, "{x:?}");
            assert!((q - want_q).abs() < 1e-9, "{x:?}: {q} vs {want_q}");
        }
        assert_eq!(best_split(&[1.0], &mut scratch), None);
    }

    #[test]
    fn a_window_with_two_steps_splits_twice() {
        let mut x = vec![10.0; 20];
        x.extend([13.0; 15]);
        x.extend([10.0; 15]);
        for (i, v) in x.iter_mut().enumerate() {
            *v += 0.1 * ((i * 37 % 11) as f64 - 5.0) / 5.0;
        }
        let stats = RangeStats::from_values(&x);
        let found = window_change_points(
            &stats,
            (0, x.len()),
            0.01,
            Variance::Sample,
            &mut Scratch::default(),
        );
        assert_eq!(found, vec![20, 35]);
    }

    #[test]
    fn a_flat_window_has_no_change_point() {
        let stats = RangeStats::from_values(&[4.0; 30]);
        for variance in [Variance::Sample, Variance::Population] {
            let found =
                window_change_points(&stats, (0, 30), 0.01, variance, &mut Scratch::default());
            assert!(found.is_empty());
        }
    }
}
