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
//!
//! // Values are checked as they are read.
//! let err = toml::from_str::<FindingOptions>("idle_cpu_pct = -5").unwrap_err();
//! assert_eq!(err.message(), "must be at least 0, got -5");
//! ```

use super::bottleneck::BottleneckOptions;
use super::cold_start::ColdStartOptions;
use super::fixed_wait::FixedWaitOptions;
use super::gpu::GpuOptions;
use super::idle::IdleOptions;
use super::kind::RULE_KINDS;
use super::memory_growth::MemoryGrowthOptions;
use super::noisy_stage::NoisyStageOptions;
use super::polling::PollingOptions;
use super::service::ServiceOptions;
use crate::bound::{checked_string, within, Bound, OutOfRange};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

/// What [`FindingOptions::min_impact_s`] accepts.
pub const MIN_IMPACT_S_BOUND: Bound = Bound::at_least(0.0);

/// What [`FindingOptions::min_impact_share`] accepts.
pub const MIN_IMPACT_SHARE_BOUND: Bound = Bound::between(0.0, 1.0);

/// What [`FindingOptions::idle_cpu_pct`] accepts.
pub const IDLE_CPU_PCT_BOUND: Bound = Bound::at_least(0.0);

/// Options of [`diagnose`](super::diagnose); deserialises from a
/// `[findings]` table in which every key is optional.
///
/// Deserialising checks what [`validate`](FindingOptions::validate) checks,
/// as the values are read: the top-level numbers and each name in
/// `disable` at the value itself, each rule's table once the table is
/// read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FindingOptions {
    /// A finding about time must save at least this many seconds per run
    /// (default 0.01) …
    #[serde(deserialize_with = "min_impact_s")]
    pub min_impact_s: f64,
    /// … and at least this share of the variant's median wall time
    /// (default 0.01). Rules whose point is not a saving (`bottleneck`,
    /// `memory_growth`, `noisy_stage`, the service rules) are exempt; the
    /// whole-run `idle` is judged on its idle time, and `slow_startup`
    /// claims a saving only when it passes both floors.
    #[serde(deserialize_with = "min_impact_share")]
    pub min_impact_share: f64,
    /// The process tree counts as idle during a stage when its mean CPU use
    /// over the stage's calls is below this, in % of one core (default 15).
    /// Samples only partly inside a call are down-weighted (see
    /// `findings::timeline`), but a sampling interval comparable to the
    /// calls still blurs busy neighbours in: hence 15 rather than 10.
    #[serde(deserialize_with = "idle_cpu_pct")]
    pub idle_cpu_pct: f64,
    /// Rules not to run, by kind (see [`RULE_KINDS`]).
    #[serde(deserialize_with = "disable")]
    pub disable: Vec<String>,
    /// `bottleneck` thresholds.
    #[serde(deserialize_with = "rule_table")]
    pub bottleneck: BottleneckOptions,
    /// `fixed_wait` thresholds.
    #[serde(deserialize_with = "rule_table")]
    pub fixed_wait: FixedWaitOptions,
    /// `polling_granularity` thresholds.
    #[serde(deserialize_with = "rule_table")]
    pub polling_granularity: PollingOptions,
    /// `cold_start` thresholds.
    #[serde(deserialize_with = "rule_table")]
    pub cold_start: ColdStartOptions,
    /// `memory_growth` thresholds.
    #[serde(deserialize_with = "rule_table")]
    pub memory_growth: MemoryGrowthOptions,
    /// `idle` thresholds.
    #[serde(deserialize_with = "rule_table")]
    pub idle: IdleOptions,
    /// `noisy_stage` thresholds.
    #[serde(deserialize_with = "rule_table")]
    pub noisy_stage: NoisyStageOptions,
    /// Thresholds of the GPU rules (`gpu_*`).
    #[serde(deserialize_with = "rule_table")]
    pub gpu: GpuOptions,
    /// Thresholds of the service rules (`slow_startup`,
    /// `saturation_knee`, `low_cache_hit_rate`, `load_errors`).
    #[serde(deserialize_with = "rule_table")]
    pub service: ServiceOptions,
}

fn min_impact_s<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, MIN_IMPACT_S_BOUND)
}

fn min_impact_share<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, MIN_IMPACT_SHARE_BOUND)
}

fn idle_cpu_pct<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, IDLE_CPU_PCT_BOUND)
}

/// `disable`, each name checked as it is read.
fn disable<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Vec::<RuleKind>::deserialize(d)?
        .into_iter()
        .map(|k| k.0)
        .collect())
}

/// A name in `disable`.
struct RuleKind(String);

impl<'de> Deserialize<'de> for RuleKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_string(d, known_rule).map(RuleKind)
    }
}

fn known_rule(kind: &str) -> Result<(), FindingOptionsError> {
    if RULE_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(FindingOptionsError::UnknownRule(kind.to_string()))
    }
}

/// A rule's table of options, which the rule checks as a whole.
trait RuleTable {
    /// The rule's own checks.
    fn check(&self) -> Result<(), FindingOptionsError>;
}

macro_rules! rule_tables {
    ($($t:ty),*) => {
        $(impl RuleTable for $t {
            fn check(&self) -> Result<(), FindingOptionsError> {
                self.validate()
            }
        })*
    };
}

rule_tables!(
    BottleneckOptions,
    FixedWaitOptions,
    PollingOptions,
    ColdStartOptions,
    MemoryGrowthOptions,
    IdleOptions,
    NoisyStageOptions,
    GpuOptions,
    ServiceOptions
);

/// A rule's table, checked once read (a failure is reported at the table).
fn rule_table<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + RuleTable,
{
    let table = T::deserialize(d)?;
    table.check().map_err(D::Error::custom)?;
    Ok(table)
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
            gpu: GpuOptions::default(),
            service: ServiceOptions::default(),
        }
    }
}

/// Finding options that make no sense.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FindingOptionsError {
    /// `disable` names a rule that does not exist.
    #[error("unknown finding rule `{0}` in `disable` (known: {known})", known = RULE_KINDS.join(", "))]
    UnknownRule(String),
    /// A top-level option lies outside its [`Bound`].
    #[error("finding option `{name}` {problem}")]
    OutOfBound {
        /// The option.
        name: &'static str,
        /// What is wrong with it.
        problem: OutOfRange,
    },
    /// A rule's threshold lies outside its range.
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
    /// Checks the options; call it where options come from code (options
    /// deserialised from a file are checked as they are read). The rules
    /// never fail on bad options: a nonsensical threshold merely makes a
    /// rule fire always or never.
    pub fn validate(&self) -> Result<(), FindingOptionsError> {
        for kind in &self.disable {
            known_rule(kind)?;
        }
        let bounded = [
            ("min_impact_s", self.min_impact_s, MIN_IMPACT_S_BOUND),
            (
                "min_impact_share",
                self.min_impact_share,
                MIN_IMPACT_SHARE_BOUND,
            ),
            ("idle_cpu_pct", self.idle_cpu_pct, IDLE_CPU_PCT_BOUND),
        ];
        for (name, value, bound) in bounded {
            bound
                .check(value)
                .map_err(|problem| FindingOptionsError::OutOfBound { name, problem })?;
        }
        self.bottleneck.validate()?;
        self.fixed_wait.validate()?;
        self.polling_granularity.validate()?;
        self.cold_start.validate()?;
        self.memory_growth.validate()?;
        self.idle.validate()?;
        self.noisy_stage.validate()?;
        self.gpu.validate()?;
        self.service.validate()
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
    fn bad_values_are_refused_while_reading_at_the_value() {
        let cases = [
            ("min_impact_s = -1", "must be at least 0, got -1", 15),
            ("min_impact_share = 2", "must be between 0 and 1, got 2", 19),
            ("idle_cpu_pct = -5", "must be at least 0, got -5", 15),
            (
                "disable = [\"idle\", \"no_such_rule\"]",
                "unknown finding rule `no_such_rule` in `disable` (known: bottleneck, fixed_wait,",
                19,
            ),
        ];
        for (text, want, at) in cases {
            let err = toml::from_str::<FindingOptions>(text).unwrap_err();
            assert!(err.message().starts_with(want), "{text}: {err}");
            assert_eq!(err.span().map(|s| s.start), Some(at), "{text}");
        }
    }

    #[test]
    fn a_rules_table_is_checked_once_read() {
        let text = "[bottleneck]\nred = 0.1\nyellow = 0.2\n";
        let err = toml::from_str::<FindingOptions>(text).unwrap_err();
        assert!(err.message().contains("bottleneck.yellow"), "{err}");
        assert_eq!(err.span().map(|s| s.start), Some(0), "{err}");
        let err = toml::from_str::<FindingOptions>("[cold_start]\nratio = 0.5\n").unwrap_err();
        assert!(err.message().contains("cold_start.ratio"), "{err}");
        let text = "[service]\nknee_p99_factor = 0.5\n";
        let err = toml::from_str::<FindingOptions>(text).unwrap_err();
        assert!(err.message().contains("service.knee_p99_factor"), "{err}");
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
