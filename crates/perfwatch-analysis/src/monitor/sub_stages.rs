//! An alert worth reading names the stage that slowed: a slower `_2_asr`
//! makes its parent, and the whole run, slower too, and those alerts say
//! nothing the sub-stage's does not.

use super::alert::{Alert, AlertKind};

/// The time a `Slower` alert's stage gained over its baseline, seconds.
fn gained_s(alert: &Alert) -> Option<f64> {
    match alert.kind {
        AlertKind::Slower => Some(alert.recent_p50_s - alert.baseline.as_ref()?.p50_s),
        AlertKind::OverBudget { .. } | AlertKind::AppMetric { .. } => None,
    }
    .filter(|g| *g > 0.0)
}

/// Whether `child` is an alert of a sub-stage of `parent`'s stage over the
/// same runs.
fn beneath(child: &Alert, parent: &Alert) -> bool {
    child
        .stage
        .strip_prefix(parent.stage.as_str())
        .is_some_and(|rest| rest.starts_with('/'))
        && (child.first.session_id == parent.first.session_id
            || child.opened.session_id == parent.opened.session_id)
}

/// Leaves out each `Slower` alert whose sub-stages' alerts account for at
/// least half the time its stage gained.
pub(super) fn without_explained_parents(alerts: Vec<Alert>) -> Vec<Alert> {
    let explained: Vec<bool> = alerts
        .iter()
        .map(|parent| {
            gained_s(parent).is_some_and(|gained| {
                let by_sub_stages: f64 = alerts
                    .iter()
                    .filter(|child| beneath(child, parent))
                    .filter_map(gained_s)
                    .sum();
                by_sub_stages >= 0.5 * gained
            })
        })
        .collect();
    alerts
        .into_iter()
        .zip(explained)
        .filter_map(|(alert, explained)| (!explained).then_some(alert))
        .collect()
}
