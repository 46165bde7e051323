//! Which history series the dashboard charts. Per benchmark and variant:
//! wall time — for a service benchmark its primary figures instead
//! (start-up, p50 and p99 latency, throughput, error rate), flat or not —
//! plus at most [`MAX_STAGE_CHARTS`] other series that tell
//! something wall time does not — those with change points first, then
//! those that moved most over the history. A stage that makes up nearly
//! all of the wall time, or whose curve is wall time's scaled down, is a
//! near-duplicate and is not charted; nor is one that barely moved.
//!
//! Application metrics (`app:…` series: what the program reported of
//! itself) are no stages: plain numbers, not parts of the wall time, and
//! each tells something of its own. They are charted after wall time and
//! the stages, every one of them (flat or not) up to
//! [`MAX_APP_CHARTS`] per benchmark and variant, those with change points
//! and the largest movements first when there are more.

use crate::labels::app_metric_name;
use perfwatch_model::HistorySeries;
use std::collections::HashMap;

/// Charts of other series than wall time per benchmark and variant.
pub(crate) const MAX_STAGE_CHARTS: usize = 3;
/// Charts of application metrics per benchmark and variant.
pub(crate) const MAX_APP_CHARTS: usize = 6;
/// A stage taking at least this share of the wall time (median over the
/// sessions both have) charts the same curve as wall time.
const DUPLICATE_SHARE: f64 = 0.9;
/// A stage whose curve, each divided by its own mean, stays this close to
/// wall time's at every session charts the same curve.
const DUPLICATE_SHAPE: f64 = 0.02;
/// Without a change point, a series must have moved at least this much
/// (range of its medians over their median) to be charted.
const MIN_MOVEMENT: f64 = 0.05;

/// Why a series is not charted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// It draws the same curve as wall time.
    FollowsWall,
    /// It moved less than [`MIN_MOVEMENT`] without a change point.
    Flat,
    /// Others moved more; only [`MAX_STAGE_CHARTS`] (of application
    /// metrics, [`MAX_APP_CHARTS`]) are charted.
    Crowded,
}

impl Skip {
    /// The reason in words.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Skip::FollowsWall => "follows wall time",
            Skip::Flat => "barely moved",
            Skip::Crowded => "moved less than those charted",
        }
    }
}

/// The choice: indices into the history, charted in this order, and the
/// others with the reason.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Picked {
    pub charted: Vec<usize>,
    pub skipped: Vec<(usize, Skip)>,
}

fn is_wall(h: &HistorySeries) -> bool {
    h.stage.is_none() && h.metric == "wall_s"
}

/// Wall time, or a service's primary figure: charted whatever it did.
fn is_headline(h: &HistorySeries) -> bool {
    is_wall(h)
        || h.stage.is_none()
            && perfwatch_model::Metric::SERVICE_PRIMARY
                .iter()
                .any(|m| m.key() == h.metric)
}

fn is_app(h: &HistorySeries) -> bool {
    app_metric_name(&h.metric).is_some()
}

/// Change points first, then the largest movement; stable.
fn by_interest(candidates: &mut [(usize, bool, f64)]) {
    candidates.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)));
}

fn median(values: &mut Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Range of the medians over their median: how much a series moved.
fn movement(h: &HistorySeries) -> f64 {
    let mut values: Vec<f64> = h.points.iter().map(|p| p.median).collect();
    let Some(mid) = median(&mut values) else {
        return 0.0;
    };
    let (lo, hi) = (values[0], values[values.len() - 1]);
    if mid > 0.0 {
        (hi - lo) / mid
    } else {
        0.0
    }
}

/// Whether `h` draws wall time's curve: it is nearly all of it, or its
/// shape matches at every session both have.
fn follows(h: &HistorySeries, wall: &HistorySeries) -> bool {
    let by_session: HashMap<&str, f64> = wall
        .points
        .iter()
        .map(|p| (p.session_id.as_str(), p.median))
        .collect();
    let pairs: Vec<(f64, f64)> = h
        .points
        .iter()
        .filter_map(|p| Some((p.median, *by_session.get(p.session_id.as_str())?)))
        .filter(|(s, w)| s.is_finite() && w.is_finite() && *w > 0.0)
        .collect();
    if pairs.is_empty() {
        return false;
    }
    let mut shares: Vec<f64> = pairs.iter().map(|(s, w)| s / w).collect();
    if median(&mut shares).is_some_and(|share| share >= DUPLICATE_SHARE) {
        return true;
    }
    let mean = |f: fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>() / pairs.len() as f64;
    let (ms, mw) = (mean(|p| p.0), mean(|p| p.1));
    pairs.len() >= 2
        && ms > 0.0
        && pairs
            .iter()
            .all(|(s, w)| (s / ms - w / mw).abs() <= DUPLICATE_SHAPE)
}

/// Picks the series to chart, grouped by benchmark and variant in order of
/// first appearance, wall time first in each group.
pub(crate) fn pick(history: &[HistorySeries]) -> Picked {
    let mut groups: Vec<(&str, &str, Vec<usize>)> = Vec::new();
    for (i, h) in history.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(b, v, _)| *b == h.benchmark && *v == h.variant)
        {
            Some((_, _, members)) => members.push(i),
            None => groups.push((&h.benchmark, &h.variant, vec![i])),
        }
    }
    let mut picked = Picked::default();
    for (_, _, members) in groups {
        let wall = members.iter().copied().find(|&i| is_wall(&history[i]));
        let headlines: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| is_headline(&history[i]))
            .collect();
        picked.charted.extend(&headlines);
        let mut candidates: Vec<(usize, bool, f64)> = Vec::new();
        let mut apps: Vec<(usize, bool, f64)> = Vec::new();
        for &i in &members {
            if headlines.contains(&i) {
                continue;
            }
            let h = &history[i];
            let changed = !h.change_points.is_empty();
            if is_app(h) {
                // Not compared with wall time, nor left out for being flat.
                apps.push((i, changed, movement(h)));
            } else if wall.is_some_and(|w| follows(h, &history[w])) {
                picked.skipped.push((i, Skip::FollowsWall));
            } else if !changed && movement(h) < MIN_MOVEMENT {
                picked.skipped.push((i, Skip::Flat));
            } else {
                candidates.push((i, changed, movement(h)));
            }
        }
        by_interest(&mut candidates);
        by_interest(&mut apps);
        for (list, max) in [(candidates, MAX_STAGE_CHARTS), (apps, MAX_APP_CHARTS)] {
            for (k, (i, _, _)) in list.into_iter().enumerate() {
                if k < max {
                    picked.charted.push(i);
                } else {
                    picked.skipped.push((i, Skip::Crowded));
                }
            }
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::HistoryPoint;

    fn series(stage: Option<&str>, medians: &[f64], change_points: Vec<usize>) -> HistorySeries {
        HistorySeries {
            benchmark: "b".into(),
            variant: "v".into(),
            metric: if stage.is_some() { "total_s" } else { "wall_s" }.into(),
            stage: stage.map(str::to_string),
            points: medians
                .iter()
                .enumerate()
                .map(|(i, &m)| HistoryPoint {
                    session_id: format!("s{i}"),
                    started_at: format!("2026-01-{:02}T00:00:00Z", i + 1),
                    commit: None,
                    version: None,
                    median: m,
                    ci_low: m * 0.98,
                    ci_high: m * 1.02,
                })
                .collect(),
            change_points,
            baseline_session: None,
        }
    }

    #[test]
    fn a_services_primary_figures_are_charted_flat_or_not() {
        let mut history = vec![series(Some("job"), &[0.2, 0.5, 0.5], vec![1])];
        for key in ["startup_s", "latency_p99_s", "throughput_rps"] {
            let mut h = series(None, &[1.0, 1.0, 1.0], vec![]);
            h.metric = key.into();
            history.push(h);
        }
        let mut other = series(None, &[1.0, 1.0, 1.0], vec![]);
        other.metric = "shutdown_s".into();
        history.push(other);
        let p = pick(&history);
        assert_eq!(p.charted, [1, 2, 3, 0]);
        assert_eq!(p.skipped, [(4, Skip::Flat)]);
    }

    #[test]
    fn wall_time_and_the_stages_that_moved_are_charted() {
        let wall = [1.0, 1.01, 0.99, 1.3, 1.31, 1.29];
        let history = vec![
            series(None, &wall, vec![3]),
            // Nearly all of the wall time: the same curve.
            series(Some("job"), &wall.map(|w| w * 0.998), vec![3]),
            // A third of it, scaled: the same curve again.
            series(Some("job/a"), &wall.map(|w| w / 3.0), vec![3]),
            // The stage that stepped.
            series(Some("job/b"), &[0.2, 0.2, 0.2, 0.5, 0.5, 0.5], vec![3]),
            // Flat.
            series(Some("job/c"), &[0.3, 0.301, 0.299, 0.3, 0.3, 0.3], vec![]),
            // Moved without a change point.
            series(Some("job/d"), &[0.1, 0.12, 0.1, 0.09, 0.1, 0.1], vec![]),
        ];
        let p = pick(&history);
        assert_eq!(p.charted, [0, 3, 5]);
        assert_eq!(
            p.skipped,
            [
                (1, Skip::FollowsWall),
                (2, Skip::FollowsWall),
                (4, Skip::Flat)
            ]
        );
    }

    #[test]
    fn at_most_a_few_stages_per_variant() {
        let mut history = vec![series(None, &[1.0, 1.0, 1.0, 1.0], vec![])];
        for k in 0..6 {
            let moved = 0.1 + 0.05 * (k + 1) as f64;
            let stage = format!("job/s{k}");
            history.push(series(Some(&stage), &[0.1, 0.1, moved, moved], vec![]));
        }
        let p = pick(&history);
        assert_eq!(p.charted, [0, 6, 5, 4]);
        assert_eq!(p.skipped.len(), 3);
        assert!(p.skipped.iter().all(|(_, why)| *why == Skip::Crowded));
    }

    fn app_series(name: &str, medians: &[f64], change_points: Vec<usize>) -> HistorySeries {
        HistorySeries {
            metric: format!("app:{name}"),
            stage: None,
            ..series(None, medians, change_points)
        }
    }

    #[test]
    fn app_metrics_are_all_charted_after_wall_time_and_stages() {
        let wall = [1.0, 1.0, 1.3, 1.3];
        let history = vec![
            // Application metrics first in the history, all charted last.
            // A count far above wall time, in step with it: no stage
            // "following" wall time, charted.
            app_series("rows_read", &wall.map(|w| w * 1000.0), vec![2]),
            // Flat: charted all the same.
            app_series("pool_size", &[8.0, 8.0, 8.0, 8.0], vec![]),
            series(None, &wall, vec![2]),
            series(Some("job/b"), &[0.2, 0.2, 0.5, 0.5], vec![2]),
            // Flat stage: not charted, as before.
            series(Some("job/c"), &[0.3, 0.3, 0.3, 0.3], vec![]),
        ];
        let p = pick(&history);
        assert_eq!(p.charted, [2, 3, 0, 1]);
        assert_eq!(p.skipped, [(4, Skip::Flat)]);
    }

    #[test]
    fn at_most_six_app_metrics_per_variant_change_points_first() {
        let mut history = vec![series(None, &[1.0, 1.0, 1.0, 1.0], vec![])];
        for k in 0..8 {
            let name = format!("m{k}");
            let changed = if k == 7 { vec![2] } else { vec![] };
            history.push(app_series(&name, &[1.0, 1.0, 1.0, 1.0], changed));
        }
        let p = pick(&history);
        // Wall time, the one that changed, then the others in order.
        assert_eq!(p.charted, [0, 8, 1, 2, 3, 4, 5]);
        assert_eq!(p.skipped, [(6, Skip::Crowded), (7, Skip::Crowded)]);
    }

    #[test]
    fn variants_are_picked_separately() {
        let mut other = series(None, &[2.0, 2.0], vec![]);
        other.variant = "w".into();
        let history = vec![series(None, &[1.0, 1.0], vec![]), other];
        assert_eq!(pick(&history).charted, [0, 1]);
    }
}
