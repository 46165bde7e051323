//! Summary statistics of one sample.

use serde::{Deserialize, Serialize};

/// Summary of one metric over the counted iterations of a variant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Sample size.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for n < 2.
    pub sd: f64,
    /// Median.
    pub median: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
    /// 95th percentile (linear interpolation).
    pub p95: f64,
    /// Median absolute deviation (unscaled).
    #[serde(default)]
    pub mad: f64,
    /// Lower bound of the confidence interval of the median.
    pub ci_low: f64,
    /// Upper bound of the confidence interval of the median.
    pub ci_high: f64,
    /// The confidence level of `ci_low`/`ci_high` (0.95 in files written
    /// before the level was recorded).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

/// The confidence level perfwatch uses unless told otherwise, and the one
/// assumed for files that do not record theirs.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

pub(crate) fn default_confidence() -> f64 {
    DEFAULT_CONFIDENCE
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            n: 0,
            mean: 0.0,
            sd: 0.0,
            median: 0.0,
            min: 0.0,
            max: 0.0,
            p95: 0.0,
            mad: 0.0,
            ci_low: 0.0,
            ci_high: 0.0,
            confidence: DEFAULT_CONFIDENCE,
        }
    }
}
