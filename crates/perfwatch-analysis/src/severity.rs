//! Severity of a regression: how far beyond the thresholds the change goes.

use crate::bound::{within, Bound};
use crate::OptionsError;
use perfwatch_model::Severity;
use serde::{Deserialize, Deserializer, Serialize};

/// What each severity threshold accepts.
pub const THRESHOLD_BOUND: Bound = Bound::at_least(0.0);

/// Lower bounds of each severity as a relative change (0.10 = +10 %).
///
/// A change `c = ratio − 1` is `Critical` when `c ≥ critical`, `High` when
/// `c ≥ high`, `Medium` when `c ≥ medium`, `Low` when `c ≥ low`, and `None`
/// below `low`. Deserialises from a table in which every key is optional
/// (`low = 0.05` alone keeps the other defaults) and each value is checked
/// against [`THRESHOLD_BOUND`] as it is read; their order is checked by
/// [`CompareOptions`](crate::CompareOptions), whose `[thresholds]` table
/// holds them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeverityThresholds {
    /// Start of `Low` (default 0.10).
    #[serde(deserialize_with = "deserialize_threshold")]
    pub low: f64,
    /// Start of `Medium` (default 0.20).
    #[serde(deserialize_with = "deserialize_threshold")]
    pub medium: f64,
    /// Start of `High` (default 0.50).
    #[serde(deserialize_with = "deserialize_threshold")]
    pub high: f64,
    /// Start of `Critical` (default 1.00, twice as slow).
    #[serde(deserialize_with = "deserialize_threshold")]
    pub critical: f64,
}

/// Deserialises one threshold, checked against [`THRESHOLD_BOUND`].
pub(crate) fn deserialize_threshold<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, THRESHOLD_BOUND)
}

impl Default for SeverityThresholds {
    fn default() -> Self {
        SeverityThresholds {
            low: 0.10,
            medium: 0.20,
            high: 0.50,
            critical: 1.00,
        }
    }
}

impl SeverityThresholds {
    /// The severity of a relative change `change = ratio − 1`; `None` below
    /// `low`, for improvements and for NaN.
    pub fn classify(&self, change: f64) -> Severity {
        [
            (self.critical, Severity::Critical),
            (self.high, Severity::High),
            (self.medium, Severity::Medium),
            (self.low, Severity::Low),
        ]
        .into_iter()
        .find(|&(threshold, _)| change >= threshold)
        .map_or(Severity::None, |(_, severity)| severity)
    }

    /// Checks that the thresholds rise from `low` to `critical`.
    pub fn check_order(&self) -> Result<(), OptionsError> {
        if self.low <= self.medium && self.medium <= self.high && self.high <= self.critical {
            Ok(())
        } else {
            Err(OptionsError::ThresholdOrder {
                low: self.low,
                medium: self.medium,
                high: self.high,
                critical: self.critical,
            })
        }
    }

    /// The thresholds in order, with their names (for messages).
    pub(crate) fn named(&self) -> [(&'static str, f64); 4] {
        [
            ("low", self.low),
            ("medium", self.medium),
            ("high", self.high),
            ("critical", self.critical),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_at_and_between_thresholds() {
        let t = SeverityThresholds::default();
        let cases = [
            (-0.5, Severity::None),
            (0.0, Severity::None),
            (0.099, Severity::None),
            (0.10, Severity::Low),
            (0.15, Severity::Low),
            (0.20, Severity::Medium),
            (0.49, Severity::Medium),
            (0.50, Severity::High),
            (0.99, Severity::High),
            (1.00, Severity::Critical),
            (f64::INFINITY, Severity::Critical),
            (f64::NAN, Severity::None),
        ];
        for (change, want) in cases {
            assert_eq!(t.classify(change), want, "{change}");
        }
    }

    #[test]
    fn a_thresholds_table_maps_with_defaults() {
        #[derive(Debug, Deserialize)]
        struct Config {
            thresholds: SeverityThresholds,
        }
        let c: Config = toml::from_str("[thresholds]\nlow = 0.05\ncritical = 2.0\n").unwrap();
        assert_eq!(
            c.thresholds,
            SeverityThresholds {
                low: 0.05,
                critical: 2.0,
                ..SeverityThresholds::default()
            }
        );
        let err = toml::from_str::<Config>("[thresholds]\nlowest = 0.05\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `lowest`"), "{err}");
        let err = toml::from_str::<Config>("[thresholds]\nhigh = -0.5\n").unwrap_err();
        assert_eq!(err.message(), "must be at least 0, got -0.5");
    }

    #[test]
    fn check_order_wants_rising_thresholds() {
        assert!(SeverityThresholds::default().check_order().is_ok());
        let t = SeverityThresholds {
            medium: 0.6,
            ..SeverityThresholds::default()
        };
        assert!(t.check_order().is_err());
    }
}
