//! Errors of option validation.

use thiserror::Error;

/// Options that no statistic can be computed with.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    /// The confidence level is not strictly between 0 and 1.
    #[error("confidence must lie strictly between 0 and 1, got {0}")]
    InvalidConfidence(f64),
    /// A bootstrap needs at least one resample.
    #[error("the bootstrap needs at least one resample, got 0")]
    NoResamples,
}
