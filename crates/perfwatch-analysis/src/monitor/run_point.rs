//! A stored run of a monitored pipeline, reduced to the per-stage figures
//! that alerting reads.

use crate::findings::timeline::peak_rss;
use crate::stages::{span_paths, stage_tree};
use perfwatch_model::Iteration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The OpenTelemetry semantic conventions' metric of a process's
/// resident memory, bytes: a run that reports it has a memory figure for
/// its top-level stage.
pub const PROCESS_MEMORY: &str = "process.memory.usage";

/// One stored run of a monitored pipeline, reduced to what alerting needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct RunPoint {
    /// Session the run is stored in.
    pub session_id: String,
    /// The run's iteration index within its session.
    pub index: u32,
    /// The program's version (its session's `program_version`).
    pub version: String,
    /// When the run started, RFC 3339; informational only, never parsed.
    pub started_at: String,
    /// The run's stages, keyed by stage path as [`stage_tree`] gives it.
    pub stages: BTreeMap<String, StageFigures>,
    /// The run's wall time, seconds.
    #[serde(default)]
    pub wall_s: f64,
    /// The application metrics the run carried (a gauge's reading, else
    /// a counter's total; finite values only), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
}

/// What one run measured in one stage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct StageFigures {
    /// Summed duration of the stage's calls, seconds.
    pub total_s: f64,
    /// Peak RSS of the process tree sampled during the stage, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rss_bytes: Option<u64>,
    /// Mean CPU use of the tree during the stage, % of one core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_pct: Option<f64>,
}

impl StageFigures {
    /// Figures with a duration only.
    pub fn duration(total_s: f64) -> StageFigures {
        StageFigures {
            total_s,
            max_rss_bytes: None,
            cpu_pct: None,
        }
    }
}

impl RunPoint {
    /// The run point of one stored iteration.
    ///
    /// Per stage path of [`stage_tree`]: `total_s` is the node's total
    /// time; `cpu_pct` the node's time-weighted CPU % (the tree gives one
    /// figure per node, already aligned with the timeline, so there is no
    /// set of samples to take a median of); `max_rss_bytes` the peak RSS
    /// sampled while any of the stage's spans ran, the figure the gate's
    /// `max_rss_bytes` stage budget judges — absent without a timeline,
    /// as for runs received over OTLP, except for the run's top-level
    /// stage when the run carries the OpenTelemetry metric
    /// [`PROCESS_MEMORY`] (its largest reading, `.max`, when it was read
    /// more than once): the process's memory over the whole run.
    pub fn from_iteration(
        session_id: &str,
        started_at: &str,
        version: &str,
        it: &Iteration,
    ) -> RunPoint {
        let mut rss: BTreeMap<String, u64> = BTreeMap::new();
        for (span, path) in it.stages.iter().zip(span_paths(&it.stages)) {
            if let Some(peak) = peak_rss(&it.timeline, span.start_s, span.end_s) {
                let slot = rss.entry(path).or_insert(peak);
                *slot = (*slot).max(peak);
            }
        }
        let reported_memory = [format!("{PROCESS_MEMORY}.max"), PROCESS_MEMORY.to_string()]
            .iter()
            .find_map(|name| it.app_metric(name))
            .map(|(_, bytes)| bytes)
            .filter(|b| b.is_finite() && *b >= 0.0)
            .map(|b| b as u64);
        let stages = stage_tree(it)
            .into_iter()
            .map(|node| {
                let sampled = rss.get(&node.path).copied();
                let whole_run = (node.depth == 0).then_some(reported_memory).flatten();
                let figures = StageFigures {
                    total_s: node.total_s,
                    max_rss_bytes: sampled.or(whole_run),
                    cpu_pct: node.cpu_pct,
                };
                (node.path, figures)
            })
            .collect();
        let metrics = it
            .gauges
            .keys()
            .chain(it.counters.keys())
            .filter_map(|name| Some((name.clone(), it.app_metric(name)?.1)))
            .filter(|(_, v)| v.is_finite())
            .collect();
        RunPoint {
            session_id: session_id.to_string(),
            index: it.index,
            version: version.to_string(),
            started_at: started_at.to_string(),
            stages,
            wall_s: it.wall_s,
            metrics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Sample, Span, Tier};

    fn span(id: u64, parent: Option<u64>, name: &str, start_s: f64, end_s: f64) -> Span {
        Span {
            id,
            parent,
            name: name.into(),
            tier: Tier::Method,
            component: None,
            start_s,
            end_s,
            ok: true,
            calls: 1,
            failed_calls: 0,
            total_s: None,
            attributes: Default::default(),
        }
    }

    fn sample(t_s: f64, rss_bytes: u64) -> Sample {
        Sample {
            t_s,
            cpu_pct: 50.0,
            rss_bytes,
            ..Sample::default()
        }
    }

    #[test]
    fn a_run_point_holds_each_stage_paths_time_rss_and_cpu() {
        let it = Iteration {
            index: 4,
            variant: "1.2.0".into(),
            stages: vec![
                span(1, None, "job", 0.0, 3.0),
                span(2, Some(1), "load", 0.0, 1.0),
                span(3, Some(1), "work", 1.0, 2.0),
                span(4, Some(1), "work", 2.0, 3.0),
            ],
            timeline: vec![
                sample(0.5, 100),
                sample(1.0, 100),
                sample(1.5, 300),
                sample(2.0, 200),
                sample(2.5, 200),
                sample(3.0, 200),
            ],
            ..Iteration::default()
        };
        let p = RunPoint::from_iteration("sess", "2025-01-01T00:00:00Z", "1.2.0", &it);
        assert_eq!(
            (p.session_id.as_str(), p.index, p.version.as_str()),
            ("sess", 4, "1.2.0")
        );
        assert_eq!(p.started_at, "2025-01-01T00:00:00Z");
        let keys: Vec<&str> = p.stages.keys().map(String::as_str).collect();
        assert_eq!(keys, ["job", "job/load", "job/work"]);
        let work = p.stages["job/work"];
        assert_eq!((work.total_s, work.max_rss_bytes), (2.0, Some(300)));
        assert_eq!(p.stages["job/load"].max_rss_bytes, Some(100));
        assert_eq!(p.stages["job"].max_rss_bytes, Some(300));
        let cpu = work.cpu_pct.unwrap();
        assert!((cpu - 50.0).abs() < 1e-9, "{cpu}");
    }

    #[test]
    fn a_reported_process_memory_is_the_top_level_stages_rss() {
        let mut it = Iteration {
            stages: vec![
                span(1, None, "job", 0.0, 2.5),
                span(2, Some(1), "load", 0.0, 1.0),
            ],
            ..Iteration::default()
        };
        it.gauges.insert(PROCESS_MEMORY.into(), 3e8);
        let p = RunPoint::from_iteration("s", "", "1.0", &it);
        assert_eq!(p.stages["job"].max_rss_bytes, Some(300_000_000));
        assert_eq!(p.stages["job/load"].max_rss_bytes, None, "not per stage");
        it.gauges.insert(format!("{PROCESS_MEMORY}.max"), 4e8);
        let p = RunPoint::from_iteration("s", "", "1.0", &it);
        assert_eq!(p.stages["job"].max_rss_bytes, Some(400_000_000), "the peak");
    }

    #[test]
    fn a_run_without_a_timeline_has_no_rss_or_cpu() {
        let it = Iteration {
            stages: vec![span(1, None, "job", 0.0, 2.5)],
            ..Iteration::default()
        };
        let p = RunPoint::from_iteration("s", "", "1.0", &it);
        assert_eq!(p.stages["job"], StageFigures::duration(2.5));
    }
}
