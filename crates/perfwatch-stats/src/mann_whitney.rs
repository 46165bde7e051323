//! The two-sided Mann-Whitney U test (Wilcoxon rank-sum test).
//!
//! Method: Mann, H. B. & Whitney, D. R. (1947), "On a test of whether one of
//! two random variables is stochastically larger than the other", *Annals of
//! Mathematical Statistics* 18(1), 50–60. `U` of the first sample counts the
//! pairs `(aᵢ, bⱼ)` with `aᵢ > bⱼ`, ties counting ½; it is computed from
//! mid-ranks as `R_a − m(m+1)/2`.
//!
//! The p-value is two-sided:
//!
//! * **exact** when both samples have at most [`EXACT_MAX_N`] values and no
//!   value is tied: the null distribution of `U` is the coefficient list of
//!   the Gaussian binomial `[m+n choose m]_q` (Mann & Whitney 1947, eq. 1),
//!   built by exact integer polynomial arithmetic, and
//!   `p = min(1, 2·P(U ≤ min(u, mn − u)))`;
//! * otherwise the **normal approximation** with the tie correction of the
//!   variance, `σ² = mn/12 · ((N+1) − Σ(t³ − t)/(N(N−1)))` (Lehmann, E. L.
//!   (1975), *Nonparametrics*, §1.4), and a continuity correction of ½:
//!   `z = max(0, |U − mn/2| − ½)/σ`, `p = erfc(z/√2)`.
//!
//! When every value is equal, `σ = 0` and `p = 1`: the samples give no
//! evidence of a difference. Non-finite values are ignored.

use crate::percentile::finite;

/// Largest sample size (on each side) for which the exact distribution is
/// used when there are no ties.
pub const EXACT_MAX_N: usize = 20;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PValueMethod {
    /// From the exact null distribution of `U`.
    Exact,
    /// From the normal approximation with tie and continuity corrections.
    Normal,
}

/// The result of a Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// `U` of the first sample: pairs with `a > b`, ties counting ½.
    /// The second sample's `U` is `m·n − u`.
    pub u: f64,
    /// Two-sided p-value, in `[0, 1]`.
    pub p_value: f64,
    /// How the p-value was computed.
    pub method: PValueMethod,
}

/// Two-sided Mann-Whitney U test of the finite values of `a` against those
/// of `b`; `None` when either side has no finite value.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Option<MannWhitney> {
    let a = finite(a);
    let b = finite(b);
    let (m, n) = (a.len(), b.len());
    if m == 0 || n == 0 {
        return None;
    }
    let ranked = rank(&a, &b);
    let u = ranked.rank_sum_a - (m * (m + 1)) as f64 / 2.0;
    let mn = (m * n) as f64;
    let (p_value, method) = if m <= EXACT_MAX_N && n <= EXACT_MAX_N && ranked.tie_term == 0.0 {
        (exact_p(m, n, u), PValueMethod::Exact)
    } else {
        (normal_p(m, n, u, ranked.tie_term), PValueMethod::Normal)
    };
    debug_assert!((0.0..=mn).contains(&u));
    Some(MannWhitney {
        u,
        p_value: p_value.clamp(0.0, 1.0),
        method,
    })
}

/// Mid-rank sum of the first sample and `Σ(t³ − t)` over tie groups.
struct Ranked {
    rank_sum_a: f64,
    tie_term: f64,
}

fn rank(a: &[f64], b: &[f64]) -> Ranked {
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    all.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < all.len() {
        // `==` rather than `total_cmp` so that −0.0 and 0.0 tie.
        let end = start
            + all[start..]
                .iter()
                .take_while(|v| v.0 == all[start].0)
                .count();
        let t = (end - start) as f64;
        // Ranks start + 1 ..= end share their mean.
        let mid_rank = (start + 1 + end) as f64 / 2.0;
        let in_a = all[start..end].iter().filter(|v| v.1).count() as f64;
        rank_sum_a += mid_rank * in_a;
        tie_term += t * t * t - t;
        start = end;
    }
    Ranked {
        rank_sum_a,
        tie_term,
    }
}

/// Exact two-sided p-value of an integral `u` with sample sizes `m`, `n`.
fn exact_p(m: usize, n: usize, u: f64) -> f64 {
    let counts = u_distribution(m, n);
    let total: u64 = counts.iter().sum();
    let u = u.round() as usize;
    let tail = u.min(m * n - u);
    let in_tail: u64 = counts[..=tail].iter().sum();
    (2.0 * in_tail as f64 / total as f64).min(1.0)
}

/// Number of orderings of `m` + `n` distinct values giving each `U`
/// (index `0..=m·n`): the coefficients of `[m+n choose m]_q`, built as
/// `[n+i choose i]_q = [n+i−1 choose i−1]_q · (1 − q^(n+i)) / (1 − q^i)`,
/// every step an exact polynomial division.
fn u_distribution(m: usize, n: usize) -> Vec<u64> {
    let mut c = vec![0i64; m * n + m + n + 1];
    c[0] = 1;
    let mut degree = 0;
    for i in 1..=m {
        let k = n + i;
        // Multiply by (1 − q^k), highest coefficient first.
        for u in (k..=degree + k).rev() {
            c[u] -= c[u - k];
        }
        degree += k;
        // Divide by (1 − q^i): r[u] = p[u] + r[u − i].
        for u in i..=degree {
            c[u] += c[u - i];
        }
        degree -= i;
    }
    c.truncate(m * n + 1);
    c.into_iter().map(|v| v.max(0) as u64).collect()
}

/// Normal-approximation two-sided p-value with tie and continuity corrections.
fn normal_p(m: usize, n: usize, u: f64, tie_term: f64) -> f64 {
    let (mf, nf) = (m as f64, n as f64);
    let big_n = mf + nf;
    let variance = mf * nf / 12.0 * ((big_n + 1.0) - tie_term / (big_n * (big_n - 1.0)));
    if variance <= 0.0 || !variance.is_finite() {
        return 1.0;
    }
    let z = ((u - mf * nf / 2.0).abs() - 0.5).max(0.0) / variance.sqrt();
    libm::erfc(z / std::f64::consts::SQRT_2).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn u_distribution_matches_small_cases() {
        // m = 2, n = 2: orderings of AABB give U = 0,1,2,2,3,4.
        assert_eq!(u_distribution(2, 2), vec![1, 1, 2, 1, 1]);
        assert_eq!(u_distribution(1, 3), vec![1, 1, 1, 1]);
        let c = u_distribution(20, 20);
        assert_eq!(c.iter().sum::<u64>(), 137_846_528_820); // C(40, 20)
        assert!(c.iter().zip(c.iter().rev()).all(|(x, y)| x == y));
    }

    #[test]
    fn reference_p_values() {
        // (a, b, U of a, p, method), worked out by hand from the formulas
        // in the module documentation.
        type Case = (&'static [f64], &'static [f64], f64, f64, PValueMethod);
        let cases: [Case; 4] = [
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0],
                &[6.0, 7.0, 8.0, 9.0, 10.0],
                0.0,
                2.0 / 252.0,
                PValueMethod::Exact,
            ),
            (
                &[1.0, 4.0, 5.0, 8.0],
                &[2.0, 3.0, 6.0, 7.0],
                8.0,
                1.0,
                PValueMethod::Exact,
            ),
            (
                &[1.1, 2.2, 3.3, 4.4],
                &[0.5, 1.5, 2.5],
                9.0,
                // m = 4, n = 3: counts 1,1,2,3,4,4,5,4,4,3,2,1,1 (sum 35);
                // P(U ≥ 9) = P(U ≤ 3) = 7/35.
                14.0 / 35.0,
                PValueMethod::Exact,
            ),
            (
                &[1.0, 2.0, 2.0, 3.0],
                &[2.0, 3.0, 4.0, 5.0],
                2.5,
                // Ties 2×3, 3×2: σ² = 16/12·(9 − 30/56), z = (|2.5 − 8| − ½)/σ.
                0.136_658,
                PValueMethod::Normal,
            ),
        ];
        for (a, b, u, p, method) in cases {
            let r = mann_whitney(a, b).unwrap();
            assert_eq!(r.u, u, "{a:?} vs {b:?}");
            assert!(close(r.p_value, p, 1e-3), "{a:?} vs {b:?}: p {}", r.p_value);
            assert_eq!(r.method, method);
        }
    }

    #[test]
    fn all_equal_samples_give_p_one() {
        let r = mann_whitney(&[3.0; 8], &[3.0; 40]).unwrap();
        assert_eq!((r.u, r.p_value), (160.0, 1.0));
        let r = mann_whitney(&[0.0], &[-0.0]).unwrap();
        assert_eq!(r.p_value, 1.0);
    }

    #[test]
    fn large_samples_use_the_normal_approximation() {
        let a: Vec<f64> = (0..30).map(f64::from).collect();
        let b: Vec<f64> = (0..30).map(|i| f64::from(i) + 100.0).collect();
        let r = mann_whitney(&a, &b).unwrap();
        assert_eq!(r.method, PValueMethod::Normal);
        assert!(r.p_value < 1e-9);
    }

    #[test]
    fn empty_or_nan_only_side_gives_none() {
        assert!(mann_whitney(&[], &[1.0]).is_none());
        assert!(mann_whitney(&[1.0], &[f64::NAN]).is_none());
        let r = mann_whitney(&[1.0, f64::NAN], &[2.0]).unwrap();
        assert_eq!(r.u, 0.0);
        assert_eq!(r.p_value, 1.0);
    }

    proptest! {
        #[test]
        fn p_in_unit_interval_and_symmetric(
            // Rounding to a coarse grid produces ties often enough to
            // exercise both methods.
            a in prop::collection::vec((0u32..40).prop_map(f64::from), 1..35),
            b in prop::collection::vec((0u32..40).prop_map(f64::from), 1..35),
        ) {
            let ab = mann_whitney(&a, &b).unwrap();
            let ba = mann_whitney(&b, &a).unwrap();
            prop_assert!((0.0..=1.0).contains(&ab.p_value));
            prop_assert_eq!(ab.p_value, ba.p_value);
            prop_assert_eq!(ab.u + ba.u, (a.len() * b.len()) as f64);
        }

        #[test]
        fn u_counts_pairs(
            a in prop::collection::vec(-5i32..5, 1..25),
            b in prop::collection::vec(-5i32..5, 1..25),
        ) {
            let pairs: f64 = a.iter().flat_map(|x| b.iter().map(move |y| (x, y)))
                .map(|(x, y)| if x > y { 1.0 } else if x == y { 0.5 } else { 0.0 })
                .sum();
            let af: Vec<f64> = a.iter().map(|&x| f64::from(x)).collect();
            let bf: Vec<f64> = b.iter().map(|&x| f64::from(x)).collect();
            prop_assert_eq!(mann_whitney(&af, &bf).unwrap().u, pairs);
        }
    }
}
