//! Change-point detection over a metric's history (one value per commit or
//! session, in order): where did the level shift, and by how much?
//!
//! # Method
//!
//! E-divisive means (Matteson & James 2014, "A Nonparametric Approach for
//! Multiple Change Point Analysis of Multivariate Data", JASA 109(505)) as
//! adapted for performance testing by MongoDB (Daly et al. 2020, "The Use of
//! Change Point Detection to Identify Software Performance Regressions in a
//! Continuous Integration System", ICPE '20) and by Hunter (Fleming et al.
//! 2023, "Hunter: Using Change Point Detection to Hunt for Performance
//! Regressions", ICPE '23), whose open-source continuation is Apache Otava.
//! Like Hunter and Otava, and unlike the original, significance comes from
//! Student's t-test rather than permutation tests, which makes the result
//! deterministic and fast:
//!
//! 0. **Filter** (perfwatch's addition). Points farther than
//!    [`DetectOptions::outlier_threshold`] scaled MADs from the median of
//!    their neighbourhood are replaced by that median (Hampel identifier), so
//!    that one slow run can neither hide a shift next to it (it inflates the
//!    variance the t-test sees) nor attract the change point to itself.
//! 1. **Split.** Sliding windows of [`DetectOptions::window`] points, each
//!    starting half a window after the previous one (or at the last change
//!    point that one found). In each window, E-divisive repeatedly splits an
//!    interval at the point maximising the divergence statistic Q̂ (α = 1) while
//!    the t-test between the two sides is significant at a relaxed level (10×
//!    [`DetectOptions::max_p_value`]). The union over windows is the set of
//!    *weak* change points.
//! 2. **Merge.** Each weak point is re-tested between its neighbours; the
//!    weakest is removed and its neighbours re-tested until every survivor has
//!    [`DetectOptions::min_segment`] points on either side, p < `max_p_value`
//!    and a magnitude above [`DetectOptions::min_magnitude`].
//!
//! Where this differs from Otava 0.8, on purpose (each can be switched off;
//! [`DetectOptions::otava`] switches off all of them):
//!
//! - the outlier filter above ([`DetectOptions::outlier_threshold`]);
//! - segments have a minimum length ([`DetectOptions::min_segment`]), and
//!   the magnitude must show in the medians as well as the means, so that a
//!   lone slow run is not reported as a pair of change points;
//! - p-values are corrected for the search ([`DetectOptions::scan_correction`]):
//!   without it, short excursions of pure noise pass as shifts;
//! - the statistics are the textbook ones, where Otava 0.8 has two quirks
//!   that [`DetectOptions::otava_compat`] reproduces: Otava hands population
//!   variances (Σ(x − x̄)²/n) to the pooled t-test, which then overstates
//!   significance slightly (the test is defined on sample variances,
//!   Σ(x − x̄)²/(n − 1)); and after removing a weak point in the merge step,
//!   Otava re-tests the right neighbour and the one after it but not the
//!   left neighbour, whose p-value and magnitude then describe a segment
//!   that no longer exists (we re-test both neighbours).
//!
//! With [`DetectOptions::otava`], perfwatch reports the same change points as
//! Otava 0.8.0 (`scripts/changepoint-vs-otava` compares them on generated
//! series of 1,000 and 10,000 points; `otava_compat_tests.rs` pins some).
//! Without `otava_compat`, the same preset differed from Otava on 4 of the
//! 6 series compared there, by a few change points each.
//!
//! With the defaults, on generated histories (`accuracy_tests.rs`): steps of
//! 10–50 % under 1–3 % noise with 1 % outliers are all found within ±2
//! indices, and pure noise with outliers raises an alarm in about 0.3 % of
//! 500-point series.
//!
//! # Cost
//!
//! Q̂ over all (τ, κ) pairs of a window of w points takes O(w²) time with
//! running sums and O(w) memory, so a series of n points costs O(n·w); the
//! filter costs O(n·min_segment); segment means and variances come from an
//! append-only block structure in O(log n) each, numerically stable for any
//! offset. [`Detector`] re-analyses only the windows that new points fall
//! into and returns exactly what [`detect`] returns for the whole series.
//!
//! ```
//! use perfwatch_stats::changepoint::{detect, generate, DetectOptions};
//! let g = generate::generate(&generate::GenOptions { len: 400, steps: 3, seed: 1, ..Default::default() }).unwrap();
//! let found = detect(&g.values, &DetectOptions::default()).unwrap();
//! let indices: Vec<usize> = found.iter().map(|c| c.index).collect();
//! assert_eq!(indices.len(), g.steps.len());
//! assert!(indices.iter().zip(&g.steps).all(|(a, b)| a.abs_diff(*b) <= 2));
//! ```

mod detect;
mod detector;
mod edivisive;
pub mod generate;
mod hampel;
mod merge;
mod options;
mod range_stats;
mod segment_cache;
mod student_t;

#[cfg(test)]
mod accuracy_tests;
#[cfg(test)]
mod otava_compat_tests;

pub use detect::detect;
pub use detector::Detector;
pub use options::{DetectError, DetectOptions};

/// A shift in level: where it starts and what it looks like.
///
/// Segment figures describe the series after the outlier filter (see
/// [`DetectOptions::outlier_threshold`]); with the filter off, the raw one.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePoint {
    /// First index of the new regime.
    pub index: usize,
    /// Mean of the segment before (from the previous change point or the start).
    pub mean_before: f64,
    /// Mean of the segment after (up to the next change point or the end).
    pub mean_after: f64,
    /// Sample standard deviation of the segment before (0 below two points).
    pub stddev_before: f64,
    /// Sample standard deviation of the segment after (0 below two points).
    pub stddev_after: f64,
    /// Median of the segment before.
    pub median_before: f64,
    /// Median of the segment after.
    pub median_after: f64,
    /// `(mean_after / mean_before − 1) × 100`; 0 when `mean_before` is 0.
    pub change_pct: f64,
    /// Two-sided p-value of Student's t-test between the two segments,
    /// multiplied by the scan correction when
    /// [`DetectOptions::scan_correction`] is on (capped at 1).
    pub p_value: f64,
    /// The smaller of the symmetric relative changes of the means and of the
    /// medians (see [`DetectOptions::min_magnitude`]).
    pub magnitude: f64,
}
