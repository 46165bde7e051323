//! The table form of [`CompareOptions`]: perfwatch.toml's `[thresholds]`,
//! flat and with its own key names, each value checked as it is read.

use super::{
    CompareOptions, OptionsError, CONFIDENCE_BOUND, MIN_SAMPLES_BOUND, NOISE_BOUND, RESAMPLES_BOUND,
};
use crate::bound::within;
use crate::severity::deserialize_threshold;
use crate::{PrimaryMetrics, SeverityThresholds};
use perfwatch_stats::bootstrap::DEFAULT_SEED;
use perfwatch_stats::CiOptions;
use serde::{Deserialize, Deserializer, Serialize};

/// `[thresholds]`, key by key; every key is optional.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ThresholdsTable {
    #[serde(deserialize_with = "confidence")]
    confidence: f64,
    #[serde(deserialize_with = "noise")]
    noise: f64,
    #[serde(deserialize_with = "min_samples")]
    min_samples: usize,
    #[serde(deserialize_with = "deserialize_threshold")]
    low: f64,
    #[serde(deserialize_with = "deserialize_threshold")]
    medium: f64,
    #[serde(deserialize_with = "deserialize_threshold")]
    high: f64,
    #[serde(deserialize_with = "deserialize_threshold")]
    critical: f64,
    primary: PrimaryMetrics,
    #[serde(deserialize_with = "resamples")]
    resamples: usize,
    /// Left out when it is the default, which TOML's signed 64-bit
    /// integers cannot hold.
    #[serde(skip_serializing_if = "is_default_seed")]
    seed: u64,
}

fn is_default_seed(seed: &u64) -> bool {
    *seed == DEFAULT_SEED
}

fn confidence<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, CONFIDENCE_BOUND)
}

fn noise<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, NOISE_BOUND)
}

fn min_samples<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    within(d, MIN_SAMPLES_BOUND)
}

fn resamples<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    within(d, RESAMPLES_BOUND)
}

impl Default for ThresholdsTable {
    fn default() -> Self {
        CompareOptions::default().into()
    }
}

impl From<CompareOptions> for ThresholdsTable {
    fn from(o: CompareOptions) -> Self {
        ThresholdsTable {
            confidence: o.confidence,
            noise: o.noise_threshold,
            min_samples: o.min_samples,
            low: o.severity.low,
            medium: o.severity.medium,
            high: o.severity.high,
            critical: o.severity.critical,
            primary: o.primary,
            resamples: o.ci.resamples,
            seed: o.ci.seed,
        }
    }
}

/// Every value was checked on its own while reading; what is left is how
/// they go together.
impl TryFrom<ThresholdsTable> for CompareOptions {
    type Error = OptionsError;

    fn try_from(t: ThresholdsTable) -> Result<Self, Self::Error> {
        let severity = SeverityThresholds {
            low: t.low,
            medium: t.medium,
            high: t.high,
            critical: t.critical,
        };
        severity.check_order()?;
        Ok(CompareOptions {
            confidence: t.confidence,
            noise_threshold: t.noise,
            min_samples: t.min_samples,
            severity,
            ci: CiOptions {
                confidence: t.confidence,
                resamples: t.resamples,
                seed: t.seed,
            },
            primary: t.primary,
        })
    }
}
