//! An alert while the replay builds it: runs named by their position in
//! the replayed slice, turned into an [`Alert`] at the end.

use super::alert::{alert_id, Alert, AlertKind, AlertState, RunRef};
use super::baseline::StageBaseline;
use super::run_point::RunPoint;
use perfwatch_model::Severity;
use std::borrow::Borrow;

/// The figures an alert reports, from one evaluation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Figures {
    pub ratio: f64,
    pub ci: (f64, f64),
    pub p_value: Option<f64>,
    pub observed: f64,
    pub recent_p50_s: f64,
}

/// An alert under construction.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub stage: String,
    pub kind: AlertKind,
    pub severity: Severity,
    pub figures: Figures,
    pub baseline: Option<StageBaseline>,
    pub limit: Option<f64>,
    /// Positions of the first, opening and resolving runs.
    pub first: usize,
    pub opened: usize,
    pub resolved: Option<usize>,
    pub runs_checked: usize,
}

impl Tracked {
    /// The alert, its runs looked up in `runs`.
    pub(crate) fn into_alert<R: Borrow<RunPoint>>(self, pipeline: &str, runs: &[R]) -> Alert {
        let first = RunRef::of(runs[self.first].borrow());
        Alert {
            id: alert_id(
                pipeline,
                &self.stage,
                self.kind,
                &first.session_id,
                first.index,
            ),
            pipeline: pipeline.to_string(),
            stage: self.stage,
            kind: self.kind,
            severity: self.severity,
            ratio: self.figures.ratio,
            ci_low: self.figures.ci.0,
            ci_high: self.figures.ci.1,
            p_value: self.figures.p_value,
            baseline: self.baseline,
            limit: self.limit,
            observed: self.figures.observed,
            recent_p50_s: self.figures.recent_p50_s,
            first,
            opened: RunRef::of(runs[self.opened].borrow()),
            state: match self.resolved {
                None => AlertState::Open,
                Some(at) => AlertState::Resolved {
                    at: RunRef::of(runs[at].borrow()),
                },
            },
            runs_checked: self.runs_checked,
        }
    }
}
