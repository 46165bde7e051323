//! Severity of a regression: how far beyond the thresholds the change goes.

use perfwatch_model::Severity;
use serde::{Deserialize, Serialize};

/// Lower bounds of each severity as a relative change (0.10 = +10 %).
///
/// A change `c = ratio − 1` is `Critical` when `c ≥ critical`, `High` when
/// `c ≥ high`, `Medium` when `c ≥ medium`, `Low` when `c ≥ low`, and `None`
/// below `low`. Deserialises from a `[thresholds]` table in which every key
/// is optional: `low = 0.05` alone keeps the other defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeverityThresholds {
    /// Start of `Low` (default 0.10).
    pub low: f64,
    /// Start of `Medium` (default 0.20).
    pub medium: f64,
    /// Start of `High` (default 0.50).
    pub high: f64,
    /// Start of `Critical` (default 1.00, twice as slow).
    pub critical: f64,
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
    }
}
