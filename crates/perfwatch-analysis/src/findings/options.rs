//! Thresholds of the finding rules: one table per rule, every key optional.
//!
//! ```
//! use perfwatch_analysis::findings::FindingOptions;
//!
//! let o: FindingOptions = toml::from_str(
//!     "idle_cpu_pct = 10\ndisable = [\"noisy_stage\"]\n[fixed_wait]\nmax_cv = 0.05\n",
//! ).unwrap();
//! assert_eq!(o.fixed_wait.max_cv, 0.05);
//! assert_eq!(o.bottleneck.red, 0.40); // untouched defaults stay
//! assert!(o.validate().is_ok());
//! ```

use super::bottleneck::BottleneckOptions;
use super::cold_start::ColdStartOptions;
use super::fixed_wait::FixedWaitOptions;
use super::idle::IdleOptions;
use super::kind::RULE_KINDS;
use super::memory_growth::MemoryGrowthOptions;
use super::noisy_stage::NoisyStageOptions;
use super::polling::PollingOptions;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Options of [`diagnose`](super::diagnose); deserialises from a
/// `[findings]` table in which every key is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FindingOptions {
    /// A finding about time must save at least this many seconds per run
    /// (default 0.01) …
    pub min_impact_s: f64,
    /// … and at least this share of the variant's median wall time
    /// (default 0.01). Rules whose point is not a saving (`bottleneck`,
    /// `memory_growth`, `noisy_stage`) are exempt; the whole-run `idle` is
    /// judged on its idle time.
    pub min_impact_share: f64,
    /// The process tree counts as idle during a stage when its mean CPU use
    /// over the stage's calls is below this, in % of one core (default 15).
    /// Samples only partly inside a call are down-weighted (see
    /// `findings::timeline`), but a sampling interval comparable to the
    /// calls still blurs busy neighbours in: hence 15 rather than 10.
    pub idle_cpu_pct: f64,
    /// Rules not to run, by kind (see [`RULE_KINDS`]).
    pub disable: Vec<String>,
    /// `bottleneck` thresholds.
    pub bottleneck: BottleneckOptions,
    /// `fixed_wait` thresholds.
    pub fixed_wait: FixedWaitOptions,
    /// `polling_granularity` thresholds.
    pub polling_granularity: PollingOptions,
    /// `cold_start` thresholds.
    pub cold_start: ColdStartOptions,
    /// `memory_growth` thresholds.
    pub memory_growth: MemoryGrowthOptions,
    /// `idle` thresholds.
    pub idle: IdleOptions,
    /// `noisy_stage` thresholds.
    pub noisy_stage: NoisyStageOptions,
}

impl Default for FindingOptions {
    fn default() -> Self {
        FindingOptions {
            min_impact_s: 0.01,
            min_impact_share: 0.01,
            idle_cpu_pct: 15.0,
            disable: Vec::new(),
            bottleneck: BottleneckOptions::default(),
            fixed_wait: FixedWaitOptions::default(),
            polling_granularity: PollingOptions::default(),
            cold_start: ColdStartOptions::default(),
            memory_growth: MemoryGrowthOptions::default(),
            idle: IdleOptions::default(),
            noisy_stage: NoisyStageOptions::default(),
        }
    }
}

/// Finding options that make no sense.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FindingOptionsError {
    /// `disable` names a rule that does not exist.
    #[error("unknown finding rule `{0}` in `disable` (known: {known})", known = RULE_KINDS.join(", "))]
    UnknownRule(String),
    /// A threshold lies outside its range.
    #[error("finding option `{name}` must lie in {range}, got {value}")]
    OutOfRange {
        /// Dotted name of the option.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The allowed range, in words.
        range: &'static str,
    },
}

/// Checks that `value` lies in `[lo, hi]` (and is finite).
pub(crate) fn check_range(
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    range: &'static str,
) -> Result<(), FindingOptionsError> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(())
    } else {
        Err(FindingOptionsError::OutOfRange { name, value, range })
    }
}

impl FindingOptions {
    /// Checks the options; call it where options come from users. The
    /// rules never fail on bad options: a nonsensical threshold merely
    /// makes a rule fire always or never.
    pub fn validate(&self) -> Result<(), FindingOptionsError> {
        if let Some(bad) = self
            .disable
            .iter()
            .find(|d| !RULE_KINDS.contains(&d.as_str()))
        {
            return Err(FindingOptionsError::UnknownRule(bad.clone()));
        }
        check_range("min_impact_s", self.min_impact_s, 0.0, f64::MAX, "[0, ∞)")?;
        check_range(
            "min_impact_share",
            self.min_impact_share,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range("idle_cpu_pct", self.idle_cpu_pct, 0.0, f64::MAX, "[0, ∞)")?;
        self.bottleneck.validate()?;
        self.fixed_wait.validate()?;
        self.polling_granularity.validate()?;
        self.cold_start.validate()?;
        self.memory_growth.validate()?;
        self.idle.validate()?;
        self.noisy_stage.validate()
    }

    /// Whether the rule of `kind` runs.
    pub fn enabled(&self, kind: &str) -> bool {
        !self.disable.iter().any(|d| d == kind)
    }

    /// Whether a saving of `impact_s` per run, in a variant whose median
    /// wall time is `wall_s`, is worth a finding.
    pub(crate) fn worth(&self, impact_s: f64, wall_s: f64) -> bool {
        impact_s.is_finite()
            && impact_s > 0.0
            && impact_s >= self.min_impact_s
            && impact_s >= self.min_impact_share * wall_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip_through_toml() {
        let d = FindingOptions::default();
        assert_eq!(d.validate(), Ok(()));
        let text = toml::to_string(&d).unwrap();
        assert_eq!(toml::from_str::<FindingOptions>(&text).unwrap(), d);
        assert_eq!(toml::from_str::<FindingOptions>("").unwrap(), d);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<FindingOptions>("idle_cpu = 3\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = toml::from_str::<FindingOptions>("[fixed_wait]\nmax = 3\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn bad_values_are_named() {
        let cases: Vec<(FindingOptions, &str)> = vec![
            (
                FindingOptions {
                    disable: vec!["bottlenek".into()],
                    ..Default::default()
                },
                "unknown finding rule `bottlenek`",
            ),
            (
                FindingOptions {
                    min_impact_share: 2.0,
                    ..Default::default()
                },
                "`min_impact_share`",
            ),
            (
                FindingOptions {
                    idle_cpu_pct: f64::NAN,
                    ..Default::default()
                },
                "`idle_cpu_pct`",
            ),
            (
                FindingOptions {
                    bottleneck: BottleneckOptions {
                        red: 0.1,
                        yellow: 0.2,
                    },
                    ..Default::default()
                },
                "bottleneck.yellow",
            ),
        ];
        for (o, want) in cases {
            let err = o.validate().unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn disable_turns_rules_off() {
        let o = FindingOptions {
            disable: vec!["idle".into()],
            ..Default::default()
        };
        assert!(!o.enabled("idle"));
        assert!(o.enabled("retries"));
    }

    #[test]
    fn worth_needs_both_floors() {
        let o = FindingOptions::default();
        assert!(o.worth(0.02, 1.0));
        assert!(!o.worth(0.005, 0.1)); // below 10 ms
        assert!(!o.worth(0.05, 10.0)); // below 1 % of 10 s
        assert!(!o.worth(f64::NAN, 1.0));
    }
}
