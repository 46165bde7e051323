//! `OverBudget` alerts of one stage: the window's median figure against a
//! fixed limit.

use super::alert::AlertKind;
use super::budget::BudgetWhat;
use super::options::MonitorOptions;
use super::reference::{Point, Reference};
use super::tracked::{Figures, Tracked};
use super::window_stats::{deviation_start, limit_interval, window_median};
use perfwatch_model::Severity;
use perfwatch_stats::ratio;

/// Replays one stage's series of `what` (runs with a usable figure, in
/// order) against `limit` and returns its `OverBudget` alerts. `saved` is
/// the stage's saved baseline, reported with an alert when given;
/// otherwise the alert carries the runs of the series before the window.
pub(crate) fn budget_alerts(
    stage: &str,
    what: BudgetWhat,
    limit: f64,
    points: &[Point<'_>],
    saved: Option<Option<&Reference<'_>>>,
    opts: &MonitorOptions,
) -> Vec<Tracked> {
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
        let r = ratio(median, limit);
        let severity = opts.thresholds.classify(r - 1.0).max(Severity::Low);
        if let Some(t) = &mut open {
            t.runs_checked += 1;
            if r > t.figures.ratio {
                t.severity = severity;
                t.figures = figures(window, &values, median, limit, r);
            }
            if median <= limit {
                t.resolved = Some(points[k].run);
                floor = k + 1;
                out.extend(open.take());
            }
        } else if median > limit {
            let from = floor.max(start);
            let first = from + deviation_start(&values[from - start..], limit);
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
                kind: AlertKind::OverBudget { what },
                severity,
                figures: figures(window, &values, median, limit, r),
                baseline,
                limit: Some(limit),
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
fn figures(window: &[Point<'_>], values: &[f64], median: f64, limit: f64, r: f64) -> Figures {
    let times: Vec<f64> = window
        .iter()
        .filter_map(|p| BudgetWhat::Duration.figure(p.figures))
        .collect();
    Figures {
        ratio: r,
        ci: limit_interval(values, limit, r),
        p_value: None,
        observed: median,
        recent_p50_s: window_median(&times),
    }
}
