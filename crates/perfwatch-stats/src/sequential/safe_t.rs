//! The anytime-valid one-sample t-test (see the module documentation).

use serde::{Deserialize, Serialize};

/// What the sequential test says after the rounds so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The mean difference is not 0: the candidate is slower (`+1`) or
    /// faster (`−1`) than the baseline.
    Different {
        /// `+1` when the candidate's values are larger, `−1` when smaller.
        sign: i8,
    },
    /// The mean difference lies within the noise band.
    Equivalent,
    /// Not decided yet: more rounds are needed.
    Continue,
}

impl Decision {
    /// Whether the test has reached an answer.
    pub fn is_decided(self) -> bool {
        !matches!(self, Decision::Continue)
    }
}

/// The test's state after `n` rounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SequentialState {
    /// Finite differences used.
    pub n: usize,
    /// The decision.
    pub decision: Decision,
    /// Evidence against "no difference": the Bayes factor `BF_n(0)`
    /// (an e-value; `1/α` or more rejects).
    pub e_value: f64,
    /// Mean difference.
    pub mean: f64,
    /// Anytime-valid interval of the mean at the test's level, `None`
    /// while it is still unbounded (too few rounds).
    pub interval: Option<(f64, f64)>,
}

/// The anytime-valid t-test of a zero mean (Lai 1976; Pérez-Ortiz et al.
/// 2024): see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SafeTTest {
    /// Largest false-alarm probability, over any number of looks.
    pub alpha: f64,
    /// Variance `g` of the normal prior on the standardised effect `μ/σ`.
    pub g: f64,
}

impl Default for SafeTTest {
    /// `α = 0.01`, `g = 1`.
    fn default() -> Self {
        SafeTTest {
            alpha: 0.01,
            g: 1.0,
        }
    }
}

/// Mean and sample standard deviation of the finite values.
fn moments(xs: &[f64]) -> Option<(usize, f64, f64)> {
    let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let n = finite.len();
    if n < 2 {
        return None;
    }
    let mean = finite.iter().sum::<f64>() / n as f64;
    let ss: f64 = finite.iter().map(|x| (x - mean).powi(2)).sum();
    let sd = (ss / (n - 1) as f64).sqrt();
    Some((n, mean, sd))
}

impl SafeTTest {
    /// `ln BF_n` for the t statistic `t` of `n` values.
    fn ln_bf(&self, n: usize, t: f64) -> f64 {
        let n_f = n as f64;
        let nu = n_f - 1.0;
        let k = 1.0 + n_f * self.g.max(f64::MIN_POSITIVE);
        let t2 = t * t;
        if !t2.is_finite() {
            // The limit as |t| → ∞.
            return -0.5 * k.ln() + 0.5 * n_f * k.ln();
        }
        -0.5 * k.ln() + 0.5 * n_f * ((t2 / nu).ln_1p() - (t2 / (nu * k)).ln_1p())
    }

    /// The e-value against "the mean is `mu0`" after the finite values of
    /// `xs`; 1 with fewer than two.
    pub fn e_value(&self, xs: &[f64], mu0: f64) -> f64 {
        match moments(xs) {
            Some((n, mean, sd)) => self.ln_bf(n, t_stat(n, mean - mu0, sd)).exp(),
            None => 1.0,
        }
    }

    /// The half-width, in units of `sd/√n`, beyond which `BF_n ≥ 1/alpha`;
    /// `None` when no data could reach it yet.
    fn critical_t(&self, n: usize, alpha: f64) -> Option<f64> {
        let target = (1.0 / alpha).ln();
        if self.ln_bf(n, f64::INFINITY) <= target {
            return None;
        }
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        while self.ln_bf(n, hi) < target {
            hi *= 2.0;
            if hi > 1e12 {
                return None;
            }
        }
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if self.ln_bf(n, mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(hi)
    }

    /// The anytime-valid confidence interval of the mean at level
    /// `1 − alpha`: every `μ0` the test at `alpha` would not reject.
    /// `None` while it is unbounded.
    pub fn interval(&self, xs: &[f64], alpha: f64) -> Option<(f64, f64)> {
        let (n, mean, sd) = moments(xs)?;
        self.interval_of(n, mean, sd, alpha)
    }

    /// [`SafeTTest::interval`] from the moments of `n` values.
    fn interval_of(&self, n: usize, mean: f64, sd: f64, alpha: f64) -> Option<(f64, f64)> {
        let c = self.critical_t(n, alpha)?;
        let half = c * sd / (n as f64).sqrt();
        Some((mean - half, mean + half))
    }

    /// Decide on the finite values of `xs` (paired log differences):
    /// different when `BF(0) ≥ 1/α`; equivalent when the interval at `α`
    /// lies within `±band` (already in the units of `xs`, e.g.
    /// `ln(1.02)`); otherwise continue.
    pub fn decide(&self, xs: &[f64], band: f64) -> SequentialState {
        let Some((n, mean, sd)) = moments(xs) else {
            return SequentialState {
                n: xs.iter().filter(|x| x.is_finite()).count(),
                decision: Decision::Continue,
                e_value: 1.0,
                mean: xs.iter().copied().find(|x| x.is_finite()).unwrap_or(0.0),
                interval: None,
            };
        };
        let e_value = self.ln_bf(n, t_stat(n, mean, sd)).exp();
        let interval = self.interval_of(n, mean, sd, self.alpha);
        let decision = if e_value >= 1.0 / self.alpha {
            Decision::Different {
                sign: if mean > 0.0 { 1 } else { -1 },
            }
        } else if interval.is_some_and(|(lo, hi)| -band < lo && hi < band) {
            Decision::Equivalent
        } else {
            Decision::Continue
        };
        SequentialState {
            n,
            decision,
            e_value,
            mean,
            interval,
        }
    }
}

/// The t statistic of a mean difference `diff` of `n` values with sample
/// standard deviation `sd`; ±∞ when `sd` is 0 and `diff` is not.
fn t_stat(n: usize, diff: f64, sd: f64) -> f64 {
    if diff == 0.0 {
        return 0.0;
    }
    if sd <= 0.0 {
        return diff.signum() * f64::INFINITY;
    }
    diff / (sd / (n as f64).sqrt())
}
