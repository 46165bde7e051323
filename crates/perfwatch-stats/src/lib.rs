//! Pure statistics for perfwatch: summaries, percentiles, confidence
//! intervals (order statistics for a median, bootstrap for a ratio of
//! medians), the Mann-Whitney U test, outliers, change points and the
//! effects of factorial experiments.
//!
//! Nothing here does I/O, reads a clock or keeps global state; every
//! random choice comes from a seeded generator, so the same input always
//! gives the same output.
//!
//! # Bad values
//!
//! Every function takes plain `&[f64]` samples and **ignores non-finite
//! values** (NaN, ±∞): a NaN is not a measurement, and an infinite one
//! would poison means and interpolation. Functions that need at least one
//! value return `None` when none is left. No function panics on any input.
//!
//! ```
//! use perfwatch_stats::{mann_whitney, median, summarize, CiOptions};
//!
//! let base = [1.00, 1.02, 0.99, 1.01, 1.00, 1.03, 0.98];
//! let cand = [1.21, 1.19, 1.22, 1.20, 1.18, 1.23, 1.20];
//! assert_eq!(median(&base), Some(1.00));
//!
//! let s = summarize(&base, &CiOptions::default()).unwrap();
//! assert_eq!(s.n, 7);
//! assert!(s.ci_low <= s.median && s.median <= s.ci_high);
//!
//! let test = mann_whitney(&base, &cand).unwrap();
//! assert!(test.p_value < 0.01);
//! ```

pub mod bootstrap;
pub mod changepoint;
pub mod error;
pub mod factorial;
pub mod latency;
pub mod log_ratio;
pub mod mann_whitney;
pub mod median_interval;
pub mod outliers;
pub mod percentile;
pub mod sequential;
pub mod summary;

pub use bootstrap::{median_ci, ratio, ratio_of_medians_ci, CiOptions, Interval};
pub use error::StatsError;
pub use mann_whitney::{mann_whitney, MannWhitney, PValueMethod};
pub use outliers::{modified_z_scores, outlier_indices};
pub use percentile::{finite, mad, median, percentile, quantile};
pub use summary::summarize;
