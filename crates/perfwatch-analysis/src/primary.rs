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

use perfwatch_model::Metric;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The name that stands for every stage's time in a list of primary
/// metrics.
pub const ALL_STAGES: &str = "stage:*";

/// A set of primary metrics: some whole-process [`Metric`]s and,
/// optionally, every stage's time. Written as a list of keys, `stage:*`
/// standing for the stages: `["wall_s", "max_rss_bytes", "stage:*"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct PrimaryMetrics {
    metrics: [bool; Metric::ALL.len()],
    stages: bool,
}

impl Default for PrimaryMetrics {
    /// Wall time and every stage's time.
    fn default() -> Self {
        PrimaryMetrics::new(&[Metric::WallS], true)
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

impl TryFrom<Vec<String>> for PrimaryMetrics {
    type Error = UnknownPrimary;

    fn try_from(names: Vec<String>) -> Result<Self, Self::Error> {
        let mut metrics = Vec::new();
        let mut stages = false;
        for name in names {
            if name == ALL_STAGES {
                stages = true;
            } else {
                metrics.push(name.parse::<Metric>().map_err(|_| UnknownPrimary(name))?);
            }
        }
        Ok(PrimaryMetrics::new(&metrics, stages))
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
