//! [`LiveRun`]: a run in progress, fed the runner's events as they come,
//! read as a [`LiveSnapshot`] at any moment. Pure: no clock, no I/O —
//! times come in as arguments — so what a view shows follows from the
//! events alone.

use super::stages::{Call, StageTable};
use perfwatch_model::live::{
    live_text, LiveEstimate, LiveIteration, LiveProgress, LiveSample, LiveSnapshot, LiveState,
    LiveVariant, LiveWall, LIVE_SCHEMA_V1, MAX_NOTES, MAX_SAMPLES, MAX_VARIANTS, MAX_WALLS,
};
use perfwatch_model::{Iteration, Sample, SessionExport};
use perfwatch_stats::CiOptions;
use std::collections::VecDeque;

/// A run in progress.
#[derive(Debug, Clone)]
pub struct LiveRun {
    run_id: String,
    benchmark: String,
    ci: CiOptions,
    state: LiveState,
    variants: Vec<VariantRuns>,
    done: u64,
    planned: u64,
    current: Option<Current>,
    walls: VecDeque<LiveWall>,
    stages: StageTable,
    samples: VecDeque<LiveSample>,
    warnings: Vec<String>,
    findings: Vec<String>,
}

/// One variant's wall times so far.
#[derive(Debug, Clone)]
struct VariantRuns {
    name: String,
    walls: Vec<f64>,
    failed: u32,
}

/// The iteration running now.
#[derive(Debug, Clone)]
struct Current {
    index: u32,
    variant: String,
    warmup: bool,
    started_s: f64,
}

impl LiveRun {
    /// A run of session `run_id` of `benchmark` over `variants` (in plan
    /// order), whose estimates are medians with intervals at `ci`'s level.
    pub fn new(
        run_id: &str,
        benchmark: &str,
        variants: impl IntoIterator<Item = String>,
        ci: CiOptions,
    ) -> LiveRun {
        LiveRun {
            run_id: run_id.to_string(),
            benchmark: live_text(benchmark),
            ci,
            state: LiveState::Running,
            variants: variants
                .into_iter()
                .take(MAX_VARIANTS)
                .map(|name| VariantRuns {
                    name: live_text(&name),
                    walls: Vec::new(),
                    failed: 0,
                })
                .collect(),
            done: 0,
            planned: 0,
            current: None,
            walls: VecDeque::new(),
            stages: StageTable::new(),
            samples: VecDeque::new(),
            warnings: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// The session id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Where the run stands.
    pub fn state(&self) -> LiveState {
        self.state
    }

    /// The runner's estimate of the iterations in all.
    pub fn planned(&mut self, total: u64) {
        self.planned = total;
    }

    /// Iteration `index` of `variant` starts, `at_s` seconds into the run:
    /// the previous iteration's stages and samples are dropped.
    pub fn iteration_started(&mut self, index: u32, variant: &str, warmup: bool, at_s: f64) {
        self.current = Some(Current {
            index,
            variant: live_text(variant),
            warmup,
            started_s: at_s,
        });
        self.stages = StageTable::new();
        self.samples.clear();
    }

    /// A resource sample of the current iteration.
    pub fn sample(&mut self, sample: &Sample) {
        if self.samples.len() == MAX_SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(LiveSample::from(sample));
    }

    /// Calls of the current iteration that closed (read from its span
    /// file as it grows).
    pub fn calls(&mut self, calls: impl IntoIterator<Item = Call>) {
        self.stages.add(calls);
    }

    /// An iteration finished: its wall time, the estimate of its variant,
    /// and its stages and timeline as the runner assembled them.
    pub fn iteration_finished(&mut self, it: &Iteration) {
        self.done += 1;
        self.planned = self.planned.max(self.done);
        self.current = None;
        self.stages = StageTable::new();
        self.stages.add(it.stages.iter().map(Call::from_span));
        self.samples = it
            .timeline
            .iter()
            .rev()
            .take(MAX_SAMPLES)
            .rev()
            .map(LiveSample::from)
            .collect();
        if it.warmup {
            return;
        }
        if self.walls.len() == MAX_WALLS {
            self.walls.pop_front();
        }
        self.walls.push_back(LiveWall {
            variant: live_text(&it.variant),
            wall_s: it.wall_s,
            ok: it.succeeded(),
        });
        let Some(v) = self.variants.iter_mut().find(|v| v.name == it.variant) else {
            return;
        };
        if it.counts() && it.succeeded() {
            v.walls.push(it.wall_s);
        } else {
            v.failed += 1;
        }
    }

    /// The analysis of the iterations so far: its warnings and findings.
    pub fn analysed(&mut self, analysis: &SessionExport) {
        let several = analysis.variants.len() > 1;
        self.warnings = analysis
            .variants
            .iter()
            .flat_map(|v| {
                v.warnings.iter().map(move |w| match several {
                    true => format!("{}: {w}", v.name),
                    false => w.clone(),
                })
            })
            .chain(analysis.notes.iter().cloned())
            .take(MAX_NOTES)
            .map(|w| live_text(&w))
            .collect();
        self.findings = analysis
            .findings
            .iter()
            .take(MAX_NOTES)
            .map(|f| live_text(&f.title))
            .collect();
    }

    /// The run ended, finished or cancelled.
    pub fn ended(&mut self, state: LiveState) {
        self.state = state;
        self.current = None;
    }

    /// The run as it stands, `elapsed_s` seconds after it started, taken
    /// at `updated_at` (RFC 3339).
    pub fn snapshot(&self, elapsed_s: f64, updated_at: &str) -> LiveSnapshot {
        LiveSnapshot {
            schema: LIVE_SCHEMA_V1.to_string(),
            run_id: self.run_id.clone(),
            benchmark: self.benchmark.clone(),
            state: self.state,
            updated_at: updated_at.to_string(),
            progress: LiveProgress {
                done: self.done,
                planned: self.planned,
                elapsed_s: elapsed_s.max(0.0),
                current: self.current.as_ref().map(|c| LiveIteration {
                    index: c.index,
                    variant: c.variant.clone(),
                    warmup: c.warmup,
                    elapsed_s: (elapsed_s - c.started_s).max(0.0),
                }),
            },
            variants: self
                .variants
                .iter()
                .map(|v| LiveVariant {
                    name: v.name.clone(),
                    runs: v.walls.len() as u32,
                    failed: v.failed,
                    estimate: self.estimate(&v.walls),
                })
                .collect(),
            walls: self.walls.iter().cloned().collect(),
            stages: self.stages.stages(),
            samples: self.samples.iter().cloned().collect(),
            warnings: self.warnings.clone(),
            findings: self.findings.clone(),
        }
    }

    /// The median of `walls` with its order-statistic interval.
    fn estimate(&self, walls: &[f64]) -> Option<LiveEstimate> {
        let s = perfwatch_stats::summarize(walls, &self.ci)?;
        Some(LiveEstimate {
            median_s: s.median,
            ci_low_s: s.ci_low,
            ci_high_s: s.ci_high,
            level: s.confidence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::stage::Span;

    fn iteration(index: u32, variant: &str, wall_s: f64, warmup: bool) -> Iteration {
        Iteration {
            index,
            variant: variant.into(),
            warmup,
            exit_code: Some(0),
            wall_s,
            ..Iteration::default()
        }
    }

    fn run() -> LiveRun {
        LiveRun::new(
            "0a1b2c3d",
            "pipeline",
            ["before".to_string(), "after".to_string()],
            CiOptions::default(),
        )
    }

    #[test]
    fn progress_counts_every_iteration_and_names_the_running_one() {
        let mut r = run();
        r.planned(5);
        r.iteration_started(0, "before", true, 1.0);
        let s = r.snapshot(1.5, "t");
        let current = s.progress.current.unwrap();
        assert_eq!((current.index, current.warmup), (0, true));
        assert!((current.elapsed_s - 0.5).abs() < 1e-12);
        r.iteration_finished(&iteration(0, "before", 0.4, true));
        let s = r.snapshot(2.0, "t");
        assert_eq!((s.progress.done, s.progress.planned), (1, 5));
        assert_eq!(s.progress.current, None);
        assert!(
            s.walls.is_empty(),
            "a warm-up has no place in the wall history"
        );
        assert_eq!(s.state, LiveState::Running);
    }

    #[test]
    fn each_variant_gets_the_median_of_its_runs_with_the_order_statistic_interval() {
        let mut r = run();
        for (i, wall) in [1.0, 3.0, 2.0, 5.0, 4.0].into_iter().enumerate() {
            r.iteration_finished(&iteration(i as u32, "before", wall, false));
        }
        let mut failed = iteration(9, "after", 9.0, false);
        failed.exit_code = Some(1);
        r.iteration_finished(&failed);
        let s = r.snapshot(10.0, "t");
        let before = &s.variants[0];
        let e = before.estimate.as_ref().unwrap();
        assert_eq!(before.runs, 5);
        assert_eq!(e.median_s, 3.0);
        // n = 5 at 95 %: [min, max], the widest the sample supports.
        assert_eq!((e.ci_low_s, e.ci_high_s), (1.0, 5.0));
        let after = &s.variants[1];
        assert_eq!(
            (after.runs, after.failed, after.estimate.clone()),
            (0, 1, None)
        );
        assert_eq!(s.walls.len(), 6);
        assert!(!s.walls[5].ok);
        assert_eq!(s.check(), Ok(()));
    }

    #[test]
    fn stages_and_samples_belong_to_the_current_iteration() {
        let mut r = run();
        r.iteration_started(0, "before", false, 0.0);
        r.sample(&Sample {
            t_s: 0.05,
            cpu_pct: 90.0,
            rss_bytes: 1 << 20,
            ..Sample::default()
        });
        r.calls([Call {
            id: "1".into(),
            parent: None,
            name: "load".into(),
            start: 0.0,
            calls: 1,
            total_s: 0.2,
            failed: false,
        }]);
        let s = r.snapshot(0.3, "t");
        assert_eq!(s.samples.len(), 1);
        assert_eq!(s.stages[0].path, "load");
        assert_eq!(s.samples[0].gpu_busy_pct, None, "no GPU: absent, not zero");

        // At its end the iteration's own stages replace what the file said.
        let mut it = iteration(0, "before", 0.5, false);
        let job: Span = serde_json::from_value(serde_json::json!({
            "id": 7, "parent": null, "name": "job", "tier": "system", "start_s": 0.0,
            "end_s": 0.5, "ok": true, "calls": 1, "failed_calls": 0
        }))
        .unwrap();
        it.stages = vec![job];
        r.iteration_finished(&it);
        let s = r.snapshot(0.6, "t");
        assert_eq!(s.stages.len(), 1);
        assert_eq!(s.stages[0].path, "job");
        assert!(
            s.samples.is_empty(),
            "the iteration's own timeline was empty"
        );

        r.iteration_started(1, "after", false, 0.7);
        let s = r.snapshot(0.8, "t");
        assert!(s.stages.is_empty() && s.samples.is_empty());
    }

    #[test]
    fn history_and_samples_stay_bounded() {
        let mut r = run();
        for i in 0..(MAX_WALLS + 10) {
            r.iteration_finished(&iteration(i as u32, "before", i as f64, false));
        }
        for _ in 0..(MAX_SAMPLES + 10) {
            r.sample(&Sample::default());
        }
        let s = r.snapshot(1.0, "t");
        assert_eq!(s.walls.len(), MAX_WALLS);
        assert_eq!(s.walls[0].wall_s, 10.0, "the oldest are dropped");
        assert_eq!(s.samples.len(), MAX_SAMPLES);
        assert_eq!(s.variants[0].runs as usize, MAX_WALLS + 10);
    }

    #[test]
    fn the_analysis_gives_the_warnings_and_findings_so_far() {
        let mut r = run();
        let command = perfwatch_model::CommandSpec {
            argv: vec!["true".into()],
            shell: false,
        };
        let session = crate::recorder::running_session("b", command, Vec::new());
        let mut export = crate::analyze(session, Vec::new(), None, &Default::default());
        let variant = |name: &str, warnings: &[&str]| -> perfwatch_model::VariantExport {
            serde_json::from_value(serde_json::json!({
                "name": name, "iterations": [], "summary": {}, "stages": [],
                "warnings": warnings
            }))
            .unwrap()
        };
        export.variants = vec![variant("before", &["noisy"]), variant("after", &[])];
        export.findings = vec![serde_json::from_value(serde_json::json!({
            "kind": "fixed_wait", "title": "fixed wait in activate", "stage": null,
            "evidence": {}, "impact_s": 0.5, "confidence": 0.9, "recommendation": "wait on the condition"
        }))
        .unwrap()];
        r.analysed(&export);
        let s = r.snapshot(1.0, "t");
        assert_eq!(s.warnings, ["before: noisy"]);
        assert_eq!(s.findings, ["fixed wait in activate"]);
        r.ended(LiveState::Cancelled);
        assert_eq!(r.snapshot(1.0, "t").state, LiveState::Cancelled);
    }
}
