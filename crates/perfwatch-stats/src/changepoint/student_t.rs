//! Student's two-sample t-test with pooled variance, and the special functions
//! its p-value needs.
//!
//! The p-value of |t| with ν degrees of freedom is the regularized incomplete
//! beta function I_x(ν/2, 1/2) at x = ν / (ν + t²) (Abramowitz & Stegun
//! 26.7.1), evaluated with its continued fraction (A&S 26.5.8) by the modified
//! Lentz method; ln Γ uses the Lanczos approximation (g = 7, 9 terms).

use super::range_stats::Moments;

/// Which variance of each group the pooled t-test combines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variance {
    /// Σ(x − x̄)²/(n − 1): Student's test as defined.
    Sample,
    /// Σ(x − x̄)²/n: what Otava passes to the test (see
    /// [`DetectOptions::otava_compat`](super::DetectOptions::otava_compat)).
    Population,
}

impl Variance {
    /// The group's contribution to the pooled sum, (n − 1)·s², for this
    /// estimate s² of its variance.
    fn weighted(self, group: Moments) -> f64 {
        match self {
            Self::Sample => group.m2,
            Self::Population if group.n == 0 => 0.0,
            Self::Population => group.m2 * (group.n - 1) as f64 / group.n as f64,
        }
    }
}

/// Two-sided p-value of Student's t-test (equal variances, pooled) between two
/// groups given by their moments, pooling the given variance estimates:
/// s_p² = ((n₁ − 1)·s₁² + (n₂ − 1)·s₂²) / (n₁ + n₂ − 2).
///
/// Conventions for degenerate input, chosen so that the detector never sees a
/// NaN: fewer than three values in all → 1; zero pooled variance → 0 when the
/// means differ, 1 when they are equal.
pub(crate) fn pooled_t_test(left: Moments, right: Moments, variance: Variance) -> f64 {
    let n = left.n + right.n;
    if left.n == 0 || right.n == 0 || n <= 2 {
        return 1.0;
    }
    let df = (n - 2) as f64;
    let pooled_var = (variance.weighted(left) + variance.weighted(right)) / df;
    let se = (pooled_var * (1.0 / left.n as f64 + 1.0 / right.n as f64)).sqrt();
    let diff = left.mean - right.mean;
    if se.is_nan() || se <= 0.0 || se.is_infinite() {
        return if diff == 0.0 { 1.0 } else { 0.0 };
    }
    let t = diff / se;
    student_t_two_sided(t, df)
}

/// P(|T| ≥ |t|) for Student's t distribution with `df` degrees of freedom.
pub(crate) fn student_t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let x = df / (df + t * t);
    regularized_incomplete_beta(0.5 * df, 0.5, x).clamp(0.0, 1.0)
}

/// I_x(a, b) for a, b > 0 and x in [0, 1].
pub(crate) fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    // x^a (1−x)^b / (a B(a, b)), in logs to survive large a and b.
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    let front = ln_front.exp();
    // The continued fraction converges fast only below the mean; use the
    // symmetry I_x(a, b) = 1 − I_{1−x}(b, a) above it.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction 1 / (1 + d₁ / (1 + d₂ / (1 + …))) of A&S 26.5.8.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    const MAX_TERMS: usize = 500;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };

    // Lentz: f = b₀ + a₁/(b₁ + a₂/(b₂ + …)) with every b = 1 here, and the
    // numerators d_m alternating between the even and odd formulas.
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut f = d;
    for m in 1..=MAX_TERMS {
        let m = m as f64;
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        f *= c * d;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = c * d;
        f *= step;
        if (step - 1.0).abs() < EPS {
            break;
        }
    }
    f
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-13).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, rel: f64) -> bool {
        (got - want).abs() <= rel * want.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_matches_known_values() {
        let cases = [
            (1.0, 0.0),
            (2.0, 0.0),
            (0.5, 0.572_364_942_924_7),     // ln √π
            (10.0, 12.801_827_480_081_469), // ln 9!
            (100.5, 361.435_540_467_777_57),
            (5000.0, 37_582.626_315_685_35),
        ];
        for (x, want) in cases {
            let got = ln_gamma(x);
            assert!(
                (got - want).abs() < 1e-9 * want.abs().max(1.0),
                "ln_gamma({x}) = {got}, want {want}"
            );
        }
    }

    /// Reference values from scipy.stats.t.sf(|t|, df) * 2.
    #[test]
    fn two_sided_p_values_match_scipy() {
        let cases = [
            (2.0, 10.0, 0.073_388_034_770_740_39),
            (1.0, 1.0, 0.5),
            (0.0, 5.0, 1.0),
            (3.5, 48.0, 0.001_015_235_097_964_988_3),
            (-3.5, 48.0, 0.001_015_235_097_964_988_3),
            (10.0, 98.0, 1.210_253_752_662_223e-16),
            (1.96, 10_000.0, 0.050_023_520_231_833_03),
            (25.0, 3.0, 0.000_140_331_389_957_548_6),
        ];
        for (t, df, want) in cases {
            let got = student_t_two_sided(t, df);
            assert!(
                close(got, want, 1e-8),
                "t={t} df={df}: got {got}, want {want}"
            );
        }
    }

    #[test]
    fn degenerate_groups_never_give_nan() {
        let one = Moments::single(1.0);
        assert_eq!(
            pooled_t_test(one, Moments::single(2.0), Variance::Sample),
            1.0
        );
        let flat = Moments {
            n: 5,
            mean: 1.0,
            m2: 0.0,
        };
        assert_eq!(pooled_t_test(flat, flat, Variance::Population), 1.0);
        assert_eq!(
            pooled_t_test(
                flat,
                Moments {
                    n: 5,
                    mean: 2.0,
                    m2: 0.0
                },
                Variance::Sample
            ),
            0.0
        );
        assert_eq!(
            pooled_t_test(Moments::default(), flat, Variance::Population),
            1.0
        );
    }

    #[test]
    fn pooled_test_uses_sample_variances() {
        // Groups [1, 2, 3] and [4, 5, 6]: t = −3.674, df = 4.
        let left = Moments {
            n: 3,
            mean: 2.0,
            m2: 2.0,
        };
        let right = Moments {
            n: 3,
            mean: 5.0,
            m2: 2.0,
        };
        let p = pooled_t_test(left, right, Variance::Sample);
        assert!(close(p, 0.021_311_641_128_756_727, 1e-8), "{p}");
    }

    #[test]
    fn population_variances_match_otavas_call() {
        // scipy.stats.ttest_ind_from_stats(2, np.std([1, 2, 3]), 3,
        // 5, np.std([4, 5, 6]), 3): t = −4.5, df = 4.
        let left = Moments {
            n: 3,
            mean: 2.0,
            m2: 2.0,
        };
        let right = Moments {
            n: 3,
            mean: 5.0,
            m2: 2.0,
        };
        let p = pooled_t_test(left, right, Variance::Population);
        assert!(close(p, 0.010_822_550_462_608_247, 1e-8), "{p}");
        // A one-point side has variance 0 (Otava: std 0 below two points):
        // ttest_ind_from_stats(9, 0, 1, 5, np.std([4, 5, 6]), 3).
        let p = pooled_t_test(Moments::single(9.0), right, Variance::Population);
        assert!(close(p, 0.051_316_701_949_486_21, 1e-8), "{p}");
    }
}
