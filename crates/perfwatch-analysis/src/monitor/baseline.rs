//! What a stage's runs normally look like: the median and 95th percentile
//! of its time, RSS and CPU over a set of runs.

use super::budget::BudgetWhat;
use super::run_point::{RunPoint, StageFigures};
use perfwatch_stats::quantile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a baseline's runs come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BaselineSource {
    /// The pipeline's own runs just before the tested window.
    Learned,
    /// Runs saved under a name (e.g. a release known to be good).
    Saved {
        /// The saved baseline's name.
        name: String,
    },
}

/// One stage's baseline. Percentiles are type 7 (see
/// [`percentile`](mod@perfwatch_stats::percentile)); a run whose figure is missing, not
/// finite or negative counts for no figure it lacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageBaseline {
    /// Stage path.
    pub stage: String,
    /// Runs with a usable stage time.
    pub runs: usize,
    /// Median stage time, seconds.
    pub p50_s: f64,
    /// 95th percentile of the stage time, seconds.
    pub p95_s: f64,
    /// Median peak RSS during the stage, bytes.
    pub rss_p50_bytes: Option<u64>,
    /// 95th percentile of the peak RSS during the stage, bytes.
    pub rss_p95_bytes: Option<u64>,
    /// Median CPU use during the stage, % of one core.
    pub cpu_p50_pct: Option<f64>,
    /// 95th percentile of the CPU use during the stage, % of one core.
    pub cpu_p95_pct: Option<f64>,
    /// Where the runs come from.
    pub source: BaselineSource,
}

/// The baseline of every stage the runs hold, in stage-path order; a stage
/// no run gives a usable time for has none.
pub fn stage_baselines(runs: &[RunPoint], source: BaselineSource) -> Vec<StageBaseline> {
    let mut by_stage: BTreeMap<&str, Vec<&StageFigures>> = BTreeMap::new();
    for run in runs {
        for (stage, figures) in &run.stages {
            by_stage.entry(stage).or_default().push(figures);
        }
    }
    by_stage
        .into_iter()
        .filter_map(|(stage, figures)| baseline_of(stage, &figures, source.clone()))
        .collect()
}

/// The baseline of one stage from its runs' figures; `None` without a
/// usable stage time.
pub(crate) fn baseline_of(
    stage: &str,
    figures: &[&StageFigures],
    source: BaselineSource,
) -> Option<StageBaseline> {
    let values =
        |what: BudgetWhat| -> Vec<f64> { figures.iter().filter_map(|f| what.figure(f)).collect() };
    let times = values(BudgetWhat::Duration);
    let rss = values(BudgetWhat::Memory);
    let cpu = values(BudgetWhat::Cpu);
    let bytes = |q: f64| quantile(&rss, q).map(|b| b.round() as u64);
    Some(StageBaseline {
        stage: stage.to_string(),
        runs: times.len(),
        p50_s: quantile(&times, 0.5)?,
        p95_s: quantile(&times, 0.95)?,
        rss_p50_bytes: bytes(0.5),
        rss_p95_bytes: bytes(0.95),
        cpu_p50_pct: quantile(&cpu, 0.5),
        cpu_p95_pct: quantile(&cpu, 0.95),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(index: u32, stages: &[(&str, f64)]) -> RunPoint {
        RunPoint {
            session_id: "s".into(),
            index,
            version: "v1".into(),
            started_at: String::new(),
            stages: stages
                .iter()
                .map(|&(s, t)| (s.to_string(), StageFigures::duration(t)))
                .collect(),
            wall_s: 0.0,
            metrics: BTreeMap::new(),
        }
    }

    #[test]
    fn baselines_hold_each_stages_percentiles() {
        let runs: Vec<RunPoint> = (0..21)
            .map(|i| point(i, &[("a", f64::from(i)), ("b", 1.0)]))
            .chain([point(21, &[("a", f64::NAN), ("c", -1.0)])])
            .collect();
        let bs = stage_baselines(&runs, BaselineSource::Learned);
        assert_eq!(bs.len(), 2, "{bs:?}"); // `c` has no usable time
        let a = &bs[0];
        assert_eq!(
            (a.stage.as_str(), a.runs, a.p50_s, a.p95_s),
            ("a", 21, 10.0, 19.0)
        );
        assert_eq!((a.rss_p50_bytes, a.cpu_p50_pct), (None, None));
        assert_eq!((bs[1].p50_s, bs[1].p95_s), (1.0, 1.0));
    }

    #[test]
    fn rss_and_cpu_percentiles_come_from_runs_that_have_them() {
        let f = |rss, cpu| StageFigures {
            total_s: 1.0,
            max_rss_bytes: rss,
            cpu_pct: cpu,
        };
        let figures = [
            f(Some(100), Some(50.0)),
            f(Some(300), None),
            f(None, Some(f64::NAN)),
        ];
        let refs: Vec<&StageFigures> = figures.iter().collect();
        let saved = BaselineSource::Saved {
            name: "good".into(),
        };
        let b = baseline_of("x", &refs, saved.clone()).unwrap();
        assert_eq!(
            (b.runs, b.rss_p50_bytes, b.rss_p95_bytes),
            (3, Some(200), Some(290))
        );
        assert_eq!((b.cpu_p50_pct, b.cpu_p95_pct), (Some(50.0), Some(50.0)));
        assert_eq!(b.source, saved);
    }
}
