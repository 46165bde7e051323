//! Least-squares estimates of main effects and two-way interactions, with
//! Student-t confidence intervals.

use super::design::{Design, DesignKind};
use super::lstsq::least_squares;
use crate::bootstrap::DEFAULT_CONFIDENCE;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Largest number of model terms (intercept, main effects and interactions)
/// [`estimate_effects`] fits; larger models give `None`. The designs of this
/// module need at most 56 (10 factors with all their two-way interactions).
pub const MAX_TERMS: usize = 256;

/// On which scale a response is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// The model is fitted to ln(y): effects multiply, and are reported as
    /// ratios (1.30 for +30 %). Values `y ≤ 0` are ignored. For wall times.
    Log,
    /// The model is fitted to y: effects add, and are reported in y's units.
    /// For stage times, which may be 0 in the rows where a setting removes
    /// the stage.
    Linear,
}

/// One measurement of the response in one row of a design.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Index into [`Design::rows`].
    pub row: usize,
    /// The measured response (e.g. seconds).
    pub value: f64,
}

/// The estimated effect of one factor, or of the interaction of two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// The factor's index for a main effect; the two factors' indices, in
    /// increasing order, for a two-way interaction.
    pub factors: Vec<usize>,
    /// The effect: for [`Scale::Log`] a ratio (1.30 for +30 %), for
    /// [`Scale::Linear`] a difference in the response's units. A main effect
    /// is candidate over (or minus) base, averaged over the other factors'
    /// levels; an interaction is how much the second factor's effect changes
    /// when the first is switched from base to candidate, halved (in log
    /// space for `Log`).
    pub estimate: f64,
    /// Lower end of the confidence interval, on the same scale.
    pub ci_low: f64,
    /// Upper end of the confidence interval, on the same scale.
    pub ci_high: f64,
    /// Two-sided p-value of the hypothesis "no effect" (t test).
    pub p_value: f64,
}

/// The fitted model of one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effects {
    /// The scale the model was fitted on.
    pub scale: Scale,
    /// The fitted response with every factor at its base level (for `Log`,
    /// back-transformed: the fitted geometric mean).
    pub baseline: f64,
    /// The fitted response with every factor at its candidate level.
    pub candidate: f64,
    /// The main effects, in factor order, then (when fitted) the two-way
    /// interactions in the order (0, 1), (0, 2), …, (1, 2), ….
    pub terms: Vec<Effect>,
    /// The residual standard deviation √(RSS/df), on the analysis scale
    /// (of ln y for `Log`, roughly the relative noise).
    pub residual_sd: f64,
    /// Residual degrees of freedom, n − p.
    pub df: usize,
    /// Number of observations used.
    pub n: usize,
}

/// Fits ordinary least squares to the observations in ±1 coding (candidate
/// level = +1) on an intercept, the main effects and, when `interactions` is
/// true and the design is [`DesignKind::Full`], every two-way interaction.
///
/// Each effect is 2·β (the difference between the two levels' fitted means),
/// with standard error 2·√(σ̂²·[(XᵀX)⁻¹]ⱼⱼ), σ̂² = RSS/(n − p), and the
/// interval effect ± t₍ₙ₋ₚ, (1+level)/2₎·SE, back-transformed with exp for
/// [`Scale::Log`]. Replicate counts may differ between rows.
///
/// Ignored: non-finite values, values ≤ 0 on the log scale, and observations
/// whose row is not in the design. `level` is read as in
/// [`CiOptions`](crate::CiOptions): NaN as 0.95, clamped into `[0, 1]`.
///
/// `None` when fewer observations are left than the model has terms plus
/// one (no residual degrees of freedom), when the terms cannot be told
/// apart (e.g. a row needed for them was never measured), when a row of the
/// design does not have `design.factors` entries, or when the model has more
/// than [`MAX_TERMS`] terms.
pub fn estimate_effects(
    design: &Design,
    obs: &[Observation],
    scale: Scale,
    interactions: bool,
    level: f64,
) -> Option<Effects> {
    let k = design.factors;
    if design.rows.iter().any(|row| row.len() != k) {
        return None;
    }
    let pairs = if interactions && design.kind == DesignKind::Full {
        pairs(k)
    } else {
        Vec::new()
    };
    let p = 1 + k + pairs.len();
    if p > MAX_TERMS {
        return None;
    }
    let (x, y): (Vec<Vec<f64>>, Vec<f64>) = obs
        .iter()
        .filter_map(|o| {
            let row = design.rows.get(o.row)?;
            let y = transform(scale, o.value)?;
            Some((model_row(row, &pairs), y))
        })
        .unzip();
    let n = y.len();
    if n <= p {
        return None;
    }
    let fit = least_squares(&x, &y, p)?;
    let df = n - p;
    let sigma2 = fit.rss / df as f64;
    let t = TDist::new(df, level)?;

    let beta = &fit.beta;
    let main_sum: f64 = beta[1..=k].iter().sum();
    let pair_sum: f64 = beta[k + 1..].iter().sum();
    let labels = (0..k)
        .map(|j| vec![j])
        .chain(pairs.iter().map(|&(a, b)| vec![a, b]));
    let terms = labels
        .enumerate()
        .map(|(i, factors)| {
            let column = i + 1;
            let estimate = 2.0 * beta[column];
            let se = 2.0 * (sigma2 * fit.inv_diag[column]).sqrt();
            t.effect(factors, estimate, se, scale)
        })
        .collect();
    Some(Effects {
        scale,
        baseline: back(scale, beta[0] - main_sum + pair_sum),
        candidate: back(scale, beta[0] + main_sum + pair_sum),
        terms,
        residual_sd: sigma2.sqrt(),
        df,
        n,
    })
}

/// The factor indices of the main effects, largest effect first: by |ln
/// ratio| for [`Scale::Log`], by |difference| for [`Scale::Linear`]. Equal
/// sizes keep factor order; a non-finite size sorts last.
pub fn rank_main_effects(effects: &Effects) -> Vec<usize> {
    let mut mains: Vec<(usize, f64)> = effects
        .terms
        .iter()
        .filter(|t| t.factors.len() == 1)
        .map(|t| {
            let size = match effects.scale {
                Scale::Log => t.estimate.ln().abs(),
                Scale::Linear => t.estimate.abs(),
            };
            (t.factors[0], if size.is_finite() { size } else { -1.0 })
        })
        .collect();
    mains.sort_by(|a, b| b.1.total_cmp(&a.1));
    mains.into_iter().map(|(j, _)| j).collect()
}

/// All pairs (a, b) with a < b < k, in lexicographic order.
fn pairs(k: usize) -> Vec<(usize, usize)> {
    (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
        .collect()
}

/// The row of the model matrix for one design row: 1, the ±1 levels, then
/// the products of the pairs' levels.
fn model_row(levels: &[bool], pairs: &[(usize, usize)]) -> Vec<f64> {
    let coded: Vec<f64> = levels.iter().map(|&c| if c { 1.0 } else { -1.0 }).collect();
    std::iter::once(1.0)
        .chain(coded.iter().copied())
        .chain(pairs.iter().map(|&(a, b)| coded[a] * coded[b]))
        .collect()
}

/// The response on the analysis scale; `None` for a value to ignore.
fn transform(scale: Scale, value: f64) -> Option<f64> {
    match scale {
        Scale::Log if value.is_finite() && value > 0.0 => Some(value.ln()),
        Scale::Linear if value.is_finite() => Some(value),
        _ => None,
    }
}

/// From the analysis scale back to the response's.
fn back(scale: Scale, value: f64) -> f64 {
    match scale {
        Scale::Log => value.exp(),
        Scale::Linear => value,
    }
}

/// Student's t with the residual degrees of freedom, and the interval's
/// quantile.
struct TDist {
    dist: StudentsT,
    quantile: f64,
}

impl TDist {
    fn new(df: usize, level: f64) -> Option<Self> {
        let dist = StudentsT::new(0.0, 1.0, df as f64).ok()?;
        let level = if level.is_nan() {
            DEFAULT_CONFIDENCE
        } else {
            level.clamp(0.0, 1.0)
        };
        let quantile = match level {
            l if l <= 0.0 => 0.0,
            l if l >= 1.0 => f64::INFINITY,
            l => dist.inverse_cdf((1.0 + l) / 2.0),
        };
        Some(TDist { dist, quantile })
    }

    /// The effect with its interval and p-value, from its estimate and
    /// standard error on the analysis scale.
    fn effect(&self, factors: Vec<usize>, estimate: f64, se: f64, scale: Scale) -> Effect {
        let (half, p_value) = if se > 0.0 {
            let p = 2.0 * self.dist.sf((estimate / se).abs());
            (self.quantile * se, p.clamp(0.0, 1.0))
        } else {
            // A perfect fit: the estimate is exact.
            (0.0, if estimate == 0.0 { 1.0 } else { 0.0 })
        };
        Effect {
            factors,
            estimate: back(scale, estimate),
            ci_low: back(scale, estimate - half),
            ci_high: back(scale, estimate + half),
            p_value,
        }
    }
}
