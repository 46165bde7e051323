//! Wald's SPRT between two known normal means (see the module documentation).

use serde::{Deserialize, Serialize};

/// Which reference a sample resembles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Like the good reference.
    LikeGood,
    /// Like the bad reference.
    LikeBad,
    /// Not decided yet: more data are needed.
    Continue,
}

/// The SPRT's state after the values so far.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SprtState {
    /// Finite values used.
    pub n: usize,
    /// The decision.
    pub classification: Classification,
    /// Log-likelihood ratio of "bad" against "good" (positive: bad).
    pub llr: f64,
}

/// Wald's SPRT of `N(good, sd²)` against `N(bad, sd²)` on the finite values
/// of `xs`, with error probabilities `alpha` (calling a good one bad) and
/// `beta` (calling a bad one good). `sd` is floored at a millionth of
/// `|bad − good|`, so a perfectly quiet reference does not make one value
/// conclusive; equal references decide nothing.
pub fn classify(xs: &[f64], good: f64, bad: f64, sd: f64, alpha: f64, beta: f64) -> SprtState {
    let delta = bad - good;
    let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let n = finite.len();
    if !(delta.is_finite() && delta != 0.0 && sd.is_finite()) {
        return SprtState {
            n,
            classification: Classification::Continue,
            llr: 0.0,
        };
    }
    let sd = sd.max(delta.abs() * 1e-6);
    let mid = 0.5 * (good + bad);
    let llr: f64 = finite.iter().map(|x| delta * (x - mid)).sum::<f64>() / (sd * sd);
    let upper = ((1.0 - beta) / alpha).ln();
    let lower = (beta / (1.0 - alpha)).ln();
    let classification = if llr >= upper {
        Classification::LikeBad
    } else if llr <= lower {
        Classification::LikeGood
    } else {
        Classification::Continue
    };
    SprtState {
        n,
        classification,
        llr,
    }
}
