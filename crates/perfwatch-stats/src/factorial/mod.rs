//! Factorial experiments: which of the settings in which two variants differ
//! makes the difference, and by how much?
//!
//! Two variants (BASE and CANDIDATE) differ in k settings (environment
//! variables, arguments), the *factors*, each with two levels: its base value
//! and its candidate value. A two-level [`Design`] lists the combinations to
//! run; each row is measured several times, interleaved, and
//! [`estimate_effects`] attributes the difference between the variants to
//! the settings.
//!
//! # Designs
//!
//! * [`full_factorial`]: all 2^k combinations. Every main effect and every
//!   two-way interaction can be estimated independently of the others.
//! * [`plackett_burman`]: N = 8, 12, 16, 20 or 24 runs for up to N − 1
//!   factors (Plackett & Burman 1946). Columns are balanced and mutually
//!   orthogonal, so main effects are estimated as precisely as in the full
//!   design with the same number of runs; but each is partly confounded with
//!   the two-way interactions of the other factors, so it screens for the
//!   settings that matter rather than measuring them exactly.
//! * [`screening_design`]: the full factorial for up to 4 factors, a
//!   Plackett–Burman design beyond.
//!
//! # Model
//!
//! Ordinary least squares in ±1 coding (base = −1, candidate = +1), the
//! classical analysis of two-level designs (Box, G. E. P., Hunter, J. S. &
//! Hunter, W. G. (2005), *Statistics for Experimenters*, 2nd ed., Wiley,
//! ch. 5–7):
//!
//! ```text
//! y = β₀ + Σⱼ βⱼ·xⱼ + Σⱼ<ₗ βⱼₗ·xⱼ·xₗ + ε,   ε ~ N(0, σ²) independent
//! ```
//!
//! where y is ln(time) for [`Scale::Log`] (effects multiply: +30 % in one
//! setting and +5 % in another give +36.5 %) and the time itself for
//! [`Scale::Linear`]. An effect is 2·β, the change of the fitted response
//! from the base level to the candidate level; with [`Scale::Log`] it is
//! reported as the ratio exp(2·β). Intervals and p-values are Student-t with
//! n − p degrees of freedom. The least-squares solve handles unequal
//! numbers of replicates per row, and rows that were never measured as long
//! as the terms remain estimable.
//!
//! As everywhere in this crate, non-finite values are ignored, nothing does
//! I/O and nothing panics.
//!
//! ```
//! use perfwatch_stats::factorial::{estimate_effects, full_factorial, Observation, Scale};
//!
//! // Factor 0 makes the benchmark 30 % slower, factor 1 does nothing.
//! let design = full_factorial(2).unwrap();
//! let mut obs = Vec::new();
//! for (row, levels) in design.rows.iter().enumerate() {
//!     for noise in [0.99, 1.0, 1.01] {
//!         let slow = if levels[0] { 1.3 } else { 1.0 };
//!         obs.push(Observation { row, value: 2.0 * slow * noise });
//!     }
//! }
//! let fit = estimate_effects(&design, &obs, Scale::Log, false, 0.95).unwrap();
//! assert!((fit.terms[0].estimate - 1.3).abs() < 1e-9);
//! assert!(fit.terms[0].ci_low > 1.0 && fit.terms[1].ci_low < 1.0);
//! assert!((fit.baseline - 2.0).abs() < 1e-3 && (fit.candidate - 2.6).abs() < 1e-3);
//! ```

mod design;
mod effects;
mod lstsq;
#[cfg(test)]
mod tests;

pub use design::{
    full_factorial, plackett_burman, screening_design, Design, DesignKind, MAX_FULL_FACTORS,
    MAX_PB_FACTORS, MAX_SCREENING_FULL_FACTORS,
};
pub use effects::{
    estimate_effects, rank_main_effects, Effect, Effects, Observation, Scale, MAX_TERMS,
};
