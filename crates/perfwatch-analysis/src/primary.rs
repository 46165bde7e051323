//! Which metrics are primary: the ones verdicts, headlines, health and
//! gates judge. The others (context switches, I/O counts, CPU times by
//! default) are reported as information, with their ratio and interval,
//! never as a headline regression.
//!
//! ```
//! use perfwatch_analysis::PrimaryMetrics;
//!
//! let p = PrimaryMetrics::default();
//! assert!(p.is_primary("wall_s", None));
//! assert!(p.is_primary("total_s", Some("job/fetch")));
//! assert!(!p.is_primary("voluntary_cs", None));
//!
//! let p: PrimaryMetrics = serde_json::from_str(r#"["wall_s", "max_rss_bytes"]"#).unwrap();
//! assert!(p.is_primary("max_rss_bytes", None));
//! assert!(!p.is_primary("total_s", Some("job/fetch")));
//! ```

use crate::bound::checked_string;
use perfwatch_model::Metric;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The name that stands for every stage's time in a list of primary
/// metrics.
pub const ALL_STAGES: &str = "stage:*";

/// A set of primary metrics: some whole-process [`Metric`]s and,
/// optionally, every stage's time. Written as a list of keys, `stage:*`
/// standing for the stages: `["wall_s", "max_rss_bytes", "stage:*"]`.
/// Deserialising checks each name as it is read, so that a reader points
/// at the unknown one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<Key>", into = "Vec<String>")]
pub struct PrimaryMetrics {
    metrics: [bool; Metric::ALL.len()],
    stages: bool,
}

impl Default for PrimaryMetrics {
    /// Wall time, every stage's time and the primary figures of a service
    /// ([`Metric::SERVICE_PRIMARY`]: start-up, p50 and p99 latency,
    /// throughput, error rate), which only service benchmarks have.
    fn default() -> Self {
        let mut metrics = vec![Metric::WallS];
        metrics.extend(Metric::SERVICE_PRIMARY);
        PrimaryMetrics::new(&metrics, true)
    }
}

impl PrimaryMetrics {
    /// The given whole-process metrics, and the stages when `stages`.
    pub fn new(metrics: &[Metric], stages: bool) -> Self {
        let mut set = [false; Metric::ALL.len()];
        for m in metrics {
            set[index(*m)] = true;
        }
        PrimaryMetrics {
            metrics: set,
            stages,
        }
    }

    /// Whether the comparison of `metric` (of `stage`, when given) is a
    /// primary one. Stage comparisons are primary when the stages are.
    pub fn is_primary(&self, metric: &str, stage: Option<&str>) -> bool {
        if stage.is_some() {
            return self.stages;
        }
        metric
            .parse::<Metric>()
            .is_ok_and(|m| self.metrics[index(m)])
    }

    /// The same set without `metric`. A service benchmark's comparisons
    /// judge without wall time: its iterations last as long as the load
    /// was told to, and a slow start-up is already judged as `startup_s`.
    pub fn without(mut self, metric: Metric) -> Self {
        self.metrics[index(metric)] = false;
        self
    }

    /// Whether stage times are primary.
    pub fn stages(&self) -> bool {
        self.stages
    }

    /// The primary whole-process metrics, in [`Metric::ALL`] order.
    pub fn metrics(&self) -> impl Iterator<Item = Metric> + '_ {
        Metric::ALL.into_iter().filter(|m| self.metrics[index(*m)])
    }
}

fn index(m: Metric) -> usize {
    Metric::ALL
        .iter()
        .position(|x| *x == m)
        .expect("every metric is in Metric::ALL")
}

/// A name in a list of primary metrics that is not a metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPrimary(pub String);

impl fmt::Display for UnknownPrimary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
        write!(
            f,
            "unknown primary metric `{}` (known: {}, {ALL_STAGES})",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownPrimary {}

/// What a name in a list of primary metrics stands for.
fn key(name: &str) -> Result<Option<Metric>, UnknownPrimary> {
    if name == ALL_STAGES {
        Ok(None)
    } else {
        name.parse::<Metric>()
            .map(Some)
            .map_err(|_| UnknownPrimary(name.to_string()))
    }
}

impl TryFrom<Vec<String>> for PrimaryMetrics {
    type Error = UnknownPrimary;

    fn try_from(names: Vec<String>) -> Result<Self, Self::Error> {
        let keys = names
            .iter()
            .map(|n| key(n))
            .collect::<Result<Vec<_>, _>>()?;
        let metrics: Vec<Metric> = keys.iter().flatten().copied().collect();
        Ok(PrimaryMetrics::new(&metrics, keys.contains(&None)))
    }
}

/// One name of a list of primary metrics, checked as it is deserialised.
struct Key(Option<Metric>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = checked_string(d, |name| key(name).map(drop))?;
        Ok(Key(key(&name).unwrap_or(None)))
    }
}

impl From<Vec<Key>> for PrimaryMetrics {
    fn from(keys: Vec<Key>) -> Self {
        let metrics: Vec<Metric> = keys.iter().filter_map(|k| k.0).collect();
        PrimaryMetrics::new(&metrics, keys.iter().any(|k| k.0.is_none()))
    }
}

impl From<PrimaryMetrics> for Vec<String> {
    fn from(p: PrimaryMetrics) -> Self {
        let mut out: Vec<String> = p.metrics().map(|m| m.key().to_string()).collect();
        if p.stages {
            out.push(ALL_STAGES.to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_refused_with_the_known_ones() {
        let err = PrimaryMetrics::try_from(vec!["wall".to_string()]).unwrap_err();
        assert!(err.to_string().contains("`wall`"), "{err}");
        assert!(err.to_string().contains("stage:*"), "{err}");
    }

    #[test]
    fn round_trips_through_its_list() {
        let p = PrimaryMetrics::new(&[Metric::WallS, Metric::MaxRssBytes], true);
        let list: Vec<String> = p.into();
        assert_eq!(list, ["wall_s", "max_rss_bytes", "stage:*"]);
        assert_eq!(PrimaryMetrics::try_from(list).unwrap(), p);
    }
}
