//! The gate's `--history` rule: a regression step starting among the
//! newest sessions of a benchmark's wall-time series.

use crate::history::{load_series, locate, Filters, SeriesMetric};
use crate::{AppError, Options};
use perfwatch_model::{short_id, Metric, RuleResult, SessionExport};
use perfwatch_stats::changepoint::DetectOptions;
use perfwatch_store::Store;

/// How many of the newest sessions a history regression must start in to
/// fail the rule: a step further back has already been seen (and gated) by
/// earlier runs.
pub const HISTORY_RECENT: usize = 10;

/// The `history` rule for `export`'s benchmark.
pub fn history_rule(
    store: &dyn Store,
    export: &SessionExport,
    opts: &Options,
) -> Result<RuleResult, AppError> {
    let filters = Filters {
        benchmark: Some(export.session.benchmark.clone()),
        ..Default::default()
    };
    let metric = SeriesMetric::Metric(Metric::WallS);
    let series = load_series(store, &filters, &metric, &opts.ci())?;
    let detect = DetectOptions::default();
    let thresholds = opts.compare.severity;
    let mut failures = Vec::new();
    let mut checked = Vec::new();
    for s in &series {
        let values: Vec<f64> = s.points.iter().map(|p| p.median).collect();
        if values.len() < detect.min_points() {
            checked.push(format!(
                "{}: {} sessions, too few to judge (need ≥ {})",
                s.variant,
                values.len(),
                detect.min_points()
            ));
            continue;
        }
        let labels = s.labels();
        let cps = locate(&values, &labels, &detect, &thresholds)?;
        match cps.last() {
            Some(c) if c.direction == "regression" && c.index + HISTORY_RECENT >= values.len() => {
                failures.push(format!(
                    "{}: {:+.1}% from session {} (p = {:.1e}, {})",
                    s.variant,
                    c.change_pct,
                    c.session_id.as_deref().map(short_id).unwrap_or("?"),
                    c.p_value,
                    c.severity.key()
                ));
            }
            _ => checked.push(format!(
                "{}: no regression step in the newest {HISTORY_RECENT} sessions",
                s.variant
            )),
        }
    }
    Ok(RuleResult {
        rule: "history".into(),
        passed: failures.is_empty(),
        actual: if failures.is_empty() {
            "no new step".into()
        } else {
            failures.join("; ")
        },
        limit: format!("no regression step starting in the newest {HISTORY_RECENT} sessions"),
        detail: checked.join("; "),
    })
}
