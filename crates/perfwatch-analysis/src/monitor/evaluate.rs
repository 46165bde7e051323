//! The replay of a pipeline's runs: every stage, every alert kind, and
//! the application metrics' rules.

use super::alert::Alert;
use super::alert::AlertKind;
use super::baseline::BaselineSource;
use super::budget::{budget_for, BudgetWhat};
use super::options::MonitorOptions;
use super::over_budget::{budget_alerts, Limit};
use super::reference::{Point, Reference};
use super::run_point::{RunPoint, StageFigures};
use super::slower::slower_alerts;
use super::sub_stages::without_explained_parents;
use super::tracked::Tracked;
use std::borrow::Borrow;
use std::collections::BTreeSet;

/// Replays a pipeline's runs (chronological) and returns every alert that
/// opened: those still open at the last run are `Open`, the others
/// `Resolved`. `saved` is a saved baseline, `(name, runs)`, used instead of
/// the learned one. Alerts are sorted by first run, then stage, then kind.
/// See the [module documentation](super) for the rules.
///
/// `opts` should have passed [`MonitorOptions::validate`]; evaluation
/// never panics either way.
pub fn evaluate<R: Borrow<RunPoint>>(
    pipeline: &str,
    runs: &[R],
    saved: Option<(&str, &[RunPoint])>,
    opts: &MonitorOptions,
) -> Vec<Alert> {
    let stages: BTreeSet<&str> = runs
        .iter()
        .flat_map(|r| r.borrow().stages.keys().map(String::as_str))
        .collect();
    let mut tracked: Vec<Tracked> = Vec::new();
    for stage in stages {
        let saved_ref = saved.map(|(name, saved_runs)| {
            let figures = saved_runs
                .iter()
                .filter_map(|r| r.stages.get(stage))
                .collect();
            Reference::new(
                figures,
                BaselineSource::Saved {
                    name: name.to_string(),
                },
            )
        });
        let saved_ref = saved_ref.as_ref().map(Option::as_ref);
        let series = |what: BudgetWhat| -> Vec<Point<'_>> {
            runs.iter()
                .enumerate()
                .filter_map(|(run, r)| {
                    let figures = r.borrow().stages.get(stage)?;
                    let value = what.figure(figures)?;
                    Some(Point {
                        run,
                        value,
                        figures,
                    })
                })
                .collect()
        };
        let times = series(BudgetWhat::Duration);
        tracked.extend(slower_alerts(stage, &times, saved_ref, opts));
        let Some(budget) = budget_for(&opts.budgets, stage) else {
            continue;
        };
        for what in BudgetWhat::ALL {
            let Some(limit) = what.limit(budget).filter(|l| l.is_finite() && *l >= 0.0) else {
                continue;
            };
            let points = if what == BudgetWhat::Duration {
                times.clone()
            } else {
                series(what)
            };
            let kind = AlertKind::OverBudget { what };
            tracked.extend(budget_alerts(
                stage,
                kind,
                Limit::ceiling(limit),
                &points,
                saved_ref,
                opts,
            ));
        }
    }
    // Application metrics against their rules: the run's wall time stands
    // for its "stage time" in the alert.
    let walls: Vec<StageFigures> = runs
        .iter()
        .map(|r| StageFigures::duration(r.borrow().wall_s))
        .collect();
    for rule in &opts.app_metrics {
        let points: Vec<Point<'_>> = runs
            .iter()
            .enumerate()
            .filter_map(|(run, r)| {
                let value = *r.borrow().metrics.get(&rule.name)?;
                value.is_finite().then_some(Point {
                    run,
                    value,
                    figures: &walls[run],
                })
            })
            .collect();
        let limit = Limit {
            value: rule.limit,
            op: rule.op,
        };
        let kind = AlertKind::AppMetric { op: rule.op };
        tracked.extend(budget_alerts(
            &rule.name,
            kind,
            limit,
            &points,
            Some(None),
            opts,
        ));
    }
    tracked.sort_by(|a, b| {
        (a.first, &a.stage, a.kind.key(), a.opened).cmp(&(
            b.first,
            &b.stage,
            b.kind.key(),
            b.opened,
        ))
    });
    without_explained_parents(
        tracked
            .into_iter()
            .map(|t| t.into_alert(pipeline, runs))
            .collect(),
    )
}
