//! Fixed limits on a monitored stage: its median time, RSS and CPU.

use super::byte_size::optional_byte_size;
use super::run_point::StageFigures;
use crate::bound::{within, Bound};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// What a budget limit accepts.
pub const BUDGET_BOUND: Bound = Bound::at_least(0.0);

/// Budgets of one stage; every key optional:
///
/// ```toml
/// p50_s = 60            # median stage time, seconds
/// max_rss = "2 GiB"     # median peak RSS during the stage (or bytes)
/// max_cpu_pct = 90      # median CPU use during the stage, % of one core
/// ```
///
/// ```
/// use perfwatch_analysis::monitor::StageBudget;
/// let b: StageBudget = toml::from_str("p50_s = 60\nmax_rss = \"2 GiB\"").unwrap();
/// assert_eq!((b.p50_s, b.max_rss_bytes), (Some(60.0), Some(2 << 30)));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageBudget {
    /// Largest median stage time over the window, seconds.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "budget_limit"
    )]
    pub p50_s: Option<f64>,
    /// Largest median peak RSS over the window, bytes (`max_rss`: bytes,
    /// or a string such as `"2 GiB"`).
    #[serde(
        rename = "max_rss",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_byte_size"
    )]
    pub max_rss_bytes: Option<u64>,
    /// Largest median CPU use over the window, % of one core.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "budget_limit"
    )]
    pub max_cpu_pct: Option<f64>,
}

fn budget_limit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    within(d, BUDGET_BOUND).map(Some)
}

/// Which figure a budget limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetWhat {
    /// The stage's time (`p50_s`).
    Duration,
    /// The stage's peak RSS (`max_rss`).
    Memory,
    /// The stage's CPU use (`max_cpu_pct`).
    Cpu,
}

impl BudgetWhat {
    /// Every kind, in a fixed order.
    pub const ALL: [BudgetWhat; 3] = [BudgetWhat::Duration, BudgetWhat::Memory, BudgetWhat::Cpu];

    /// The key used in files and alert ids.
    pub fn key(self) -> &'static str {
        match self {
            BudgetWhat::Duration => "duration",
            BudgetWhat::Memory => "memory",
            BudgetWhat::Cpu => "cpu",
        }
    }

    /// This kind's limit in `budget`, as a number.
    pub fn limit(self, budget: &StageBudget) -> Option<f64> {
        match self {
            BudgetWhat::Duration => budget.p50_s,
            BudgetWhat::Memory => budget.max_rss_bytes.map(|b| b as f64),
            BudgetWhat::Cpu => budget.max_cpu_pct,
        }
    }

    /// This kind's figure in one run's stage, when it is usable: finite
    /// and not negative.
    pub fn figure(self, f: &StageFigures) -> Option<f64> {
        let v = match self {
            BudgetWhat::Duration => Some(f.total_s),
            BudgetWhat::Memory => f.max_rss_bytes.map(|b| b as f64),
            BudgetWhat::Cpu => f.cpu_pct,
        }?;
        (v.is_finite() && v >= 0.0).then_some(v)
    }
}

/// The budget of a stage path: the one keyed by the full path, else the
/// one keyed by the stage's own name (the path's last element).
pub fn budget_for<'a>(
    budgets: &'a BTreeMap<String, StageBudget>,
    path: &str,
) -> Option<&'a StageBudget> {
    budgets.get(path).or_else(|| {
        let name = crate::stages::split_path(path).pop()?;
        budgets.get(&name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_table_reads_sizes_and_rejects_unknown_keys() {
        let b: StageBudget =
            toml::from_str("p50_s = 60\nmax_rss = \"2 GiB\"\nmax_cpu_pct = 90").unwrap();
        assert_eq!(
            b,
            StageBudget {
                p50_s: Some(60.0),
                max_rss_bytes: Some(2 << 30),
                max_cpu_pct: Some(90.0),
            }
        );
        let b: StageBudget = toml::from_str("max_rss = 1048576").unwrap();
        assert_eq!(b.max_rss_bytes, Some(1 << 20));
        let err = toml::from_str::<StageBudget>("p50 = 60").unwrap_err();
        assert!(err.to_string().contains("unknown field `p50`"), "{err}");
        let err = toml::from_str::<StageBudget>("p50_s = -1").unwrap_err();
        assert_eq!(err.message(), "must be at least 0, got -1");
        let err = toml::from_str::<StageBudget>("max_rss = \"2 gigs\"").unwrap_err();
        assert!(err.message().contains("unknown unit `gigs`"), "{err}");
    }

    #[test]
    fn a_budget_round_trips_through_toml() {
        let b = StageBudget {
            p50_s: Some(1.5),
            max_rss_bytes: Some(3 << 30),
            max_cpu_pct: None,
        };
        let text = toml::to_string(&b).unwrap();
        assert_eq!(toml::from_str::<StageBudget>(&text).unwrap(), b);
    }

    #[test]
    fn the_full_path_wins_over_the_stage_name() {
        let by_path = StageBudget {
            p50_s: Some(1.0),
            ..StageBudget::default()
        };
        let by_name = StageBudget {
            p50_s: Some(2.0),
            ..StageBudget::default()
        };
        let budgets = BTreeMap::from([
            ("etl/load".to_string(), by_path),
            ("load".to_string(), by_name),
        ]);
        assert_eq!(budget_for(&budgets, "etl/load"), Some(&by_path));
        assert_eq!(budget_for(&budgets, "other/load"), Some(&by_name));
        assert_eq!(budget_for(&budgets, "etl"), None);
    }

    #[test]
    fn unusable_figures_are_absent() {
        let f = StageFigures {
            total_s: f64::NAN,
            max_rss_bytes: Some(5),
            cpu_pct: Some(-1.0),
        };
        assert_eq!(BudgetWhat::Duration.figure(&f), None);
        assert_eq!(BudgetWhat::Memory.figure(&f), Some(5.0));
        assert_eq!(BudgetWhat::Cpu.figure(&f), None);
    }
}
