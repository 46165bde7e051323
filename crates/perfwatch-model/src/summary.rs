//! Summary statistics of one sample.

use serde::{Deserialize, Serialize};

/// Summary of one metric over the counted iterations of a variant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
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
}
