//! Sequential tests: decide as the data arrive, and stop as soon as the
//! answer is clear, without inflating false alarms.
//!
//! # Comparing two variants: an anytime-valid t-test
//!
//! [`SafeTTest`] compares two variants run in interleaved rounds. Each
//! round gives one paired difference `d = ln(candidate) − ln(baseline)`;
//! the question is whether the mean of `d` is 0. The evidence against
//! "no difference" is the Bayes factor of the one-sample t-test with a
//! normal prior `N(0, g)` on the standardised effect `μ/σ` and the
//! right-Haar prior `1/σ` on the unknown scale:
//!
//! ```text
//! BF_n = (1 + n·g)^(−1/2) · [ (1 + t²/ν) / (1 + t²/(ν·(1 + n·g))) ]^(n/2),   ν = n − 1
//! ```
//!
//! Because the scale prior is the right-Haar measure of the scale group,
//! this Bayes factor is a nonnegative martingale under the null for every
//! `σ` (relative to the filtration of the scale-invariant statistics), so
//! by Ville's inequality `P(∃ n: BF_n ≥ 1/α) ≤ α`: the test may be looked
//! at after every round and stopped whenever it crosses `1/α`, and the
//! false-alarm rate stays at most `α`, however many looks were taken.
//! This is the t-test mixture of Lai (1976, *On confidence sequences*,
//! Annals of Statistics 4(2)), shown anytime-valid through group
//! invariance by Pérez-Ortiz, Lardy, de Heide and Grünwald (2024,
//! *E-statistics, group invariance and anytime-valid testing*, Annals of
//! Statistics 52(4)). Inverting it at every `μ0` gives a confidence
//! *sequence*: an interval for the mean that is valid at the moment of
//! stopping, whatever the stopping rule (a fixed-n interval would not be).
//!
//! The test stops with **different** when `BF_n(0) ≥ 1/α`, with
//! **equivalent** when the confidence sequence lies inside the noise band
//! `±band`, and otherwise asks for another round.
//!
//! # Classifying a commit: Wald's SPRT
//!
//! [`classify()`] decides whether a sample looks like one of two known
//! references (the good and the bad endpoint of a bisection), with Wald's
//! sequential probability ratio test (Wald 1945, *Sequential tests of
//! statistical hypotheses*, Annals of Mathematical Statistics 16(2)) for
//! the normal means `μ_good` and `μ_bad` with a common, known `σ`
//! estimated from the references' own samples: it accepts "bad" when the
//! log-likelihood ratio reaches `ln((1−β)/α)`, "good" when it falls to
//! `ln(β/(1−α))`, and otherwise needs more data.

mod classify;
mod safe_t;

pub use classify::{classify, Classification, SprtState};
pub use safe_t::{Decision, SafeTTest, SequentialState};

#[cfg(test)]
mod tests;
