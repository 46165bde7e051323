//! Alerts on a fixed limit: a stage's `OverBudget` (the window's median
//! figure over its budget) and an `AppMetric` (the window's median of an
//! application metric breaking its rule, a floor or a ceiling).

use super::alert::AlertKind;
use super::budget::BudgetWhat;
use super::options::MonitorOptions;
use super::reference::{Point, Reference};
use super::tracked::{Figures, Tracked};
use super::window_stats::{deviation_start_of, floor_interval, limit_interval, window_median};
use crate::app_rule::{AppRule, RuleOp};
use perfwatch_model::Severity;

/// A limit the window's median must keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    pub value: f64,
    pub op: RuleOp,
}

impl Limit {
    /// A budget: the median must stay at or under `value`.
    pub(crate) fn ceiling(value: f64) -> Limit {
        Limit {
            value,
            op: RuleOp::AtMost,
        }
    }

    fn rule(self) -> AppRule {
        AppRule {
            name: String::new(),
            op: self.op,
            limit: self.value,
        }
    }
}

/// Replays one series (runs with a usable figure, in order) against
/// `limit` and returns its alerts of `kind`. `saved` is the stage's saved
/// baseline, reported with an alert when given; otherwise the alert
/// carries the runs of the series before the window (`Some(None)`: no
/// baseline, as for an application metric).
pub(crate) fn budget_alerts(
    stage: &str,
    kind: AlertKind,
    limit: Limit,
    points: &[Point<'_>],
    saved: Option<Option<&Reference<'_>>>,
    opts: &MonitorOptions,
) -> Vec<Tracked> {
    let rule = limit.rule();
    let w = opts.window.max(1);
    let mut open: Option<Tracked> = None;
    // Where the next alert's first run may be: after the last resolve.
    let mut floor = 0;
    let mut out = Vec::new();
    for k in w.saturating_sub(1)..points.len() {
        let start = k + 1 - w;
        let window = &points[start..=k];
        let values: Vec<f64> = window.iter().map(|p| p.value).collect();
        let median = window_median(&values);
        let r = rule.ratio(median);
        let severity = opts.thresholds.classify(r - 1.0).max(Severity::Low);
        let broken = !rule.holds(median);
        if let Some(t) = &mut open {
            t.runs_checked += 1;
            if r > t.figures.ratio {
                t.severity = severity;
                t.figures = figures(window, &values, median, limit, r);
            }
            if !broken {
                t.resolved = Some(points[k].run);
                floor = k + 1;
                out.extend(open.take());
            }
        } else if broken {
            let from = floor.max(start);
            let deviant: Vec<bool> = values[from - start..]
                .iter()
                .map(|&v| !rule.holds(v))
                .collect();
            let first = from + deviation_start_of(&deviant);
            let baseline = match saved {
                Some(r) => r.and_then(|r| r.baseline(stage)),
                None => {
                    let all = vec![false; start];
                    Reference::learned(points, &all, start, opts.baseline_runs.max(1))
                        .and_then(|r| r.baseline(stage))
                }
            };
            open = Some(Tracked {
                stage: stage.to_string(),
                kind,
                severity,
                figures: figures(window, &values, median, limit, r),
                baseline,
                limit: Some(limit.value),
                first: points[first].run,
                opened: points[k].run,
                resolved: None,
                runs_checked: 1,
            });
        }
    }
    out.extend(open);
    out
}

/// The reported figures of a window over its limit.
fn figures(window: &[Point<'_>], values: &[f64], median: f64, limit: Limit, r: f64) -> Figures {
    let times: Vec<f64> = window
        .iter()
        .filter_map(|p| BudgetWhat::Duration.figure(p.figures))
        .collect();
    Figures {
        ratio: r,
        ci: if limit.op.is_floor() {
            floor_interval(values, limit.value, r)
        } else {
            limit_interval(values, limit.value, r)
        },
        p_value: None,
        observed: median,
        recent_p50_s: window_median(&times),
    }
}
