//! `Slower` alerts of one stage: its recent window against its baseline.

use super::alert::AlertKind;
use super::learned_window::LearnedWindow;
use super::options::MonitorOptions;
use super::reference::{Point, Reference};
use super::tracked::{Figures, Tracked};
use super::window_stats::{deviation_start, one_sided_p, ratio_interval, window_median};
use perfwatch_stats::ratio;

/// An open alert and the baseline it froze.
struct Opened<'a> {
    tracked: Tracked,
    reference: Reference<'a>,
    /// Position in the series of the first deviating run.
    first_point: usize,
}

/// Replays one stage's series (runs with a usable time, in order) and
/// returns its `Slower` alerts. `saved`, when given, is the stage's saved
/// baseline (a stage the saved runs lack gets none and never alerts).
pub(crate) fn slower_alerts(
    stage: &str,
    points: &[Point<'_>],
    saved: Option<Option<&Reference<'_>>>,
    opts: &MonitorOptions,
) -> Vec<Tracked> {
    let w = opts.window.max(1);
    let min_baseline = opts.min_baseline.max(1);
    let mut excluded = vec![false; points.len()];
    // Where the next alert's first run may be: after the last resolve.
    let mut floor = 0;
    let mut open: Option<Opened<'_>> = None;
    let mut out = Vec::new();
    let mut sliding = LearnedWindow::new(opts.baseline_runs.max(1));
    for k in w.saturating_sub(1)..points.len() {
        let start = k + 1 - w;
        let window: Vec<f64> = points[start..=k].iter().map(|p| p.value).collect();
        let median = window_median(&window);
        if let Some(o) = &mut open {
            let low = opts.thresholds.low;
            o.tracked.runs_checked += 1;
            let r = ratio(median, o.reference.p50);
            if r > o.tracked.figures.ratio {
                o.tracked.severity = opts.thresholds.classify(r - 1.0);
                o.tracked.figures = figures(&o.reference, &window, median, r);
            }
            if median <= o.reference.p95 && r - 1.0 < low {
                o.tracked.resolved = Some(points[k].run);
                // The deviating runs never join a later learned baseline.
                for j in o.first_point..=k {
                    excluded[j] |= points[j].value > o.reference.p95;
                }
                sliding.forget_from(o.first_point);
                floor = k + 1;
                out.extend(open.take().map(|o| o.tracked));
            }
            continue;
        }
        let learned;
        let reference = match saved {
            Some(Some(r)) => r,
            Some(None) => break,
            None => {
                // Most windows stop at the first test of `opening`: asked
                // of the sliding baseline, which costs no copy.
                sliding.advance(points, &excluded, start);
                if sliding.len() < min_baseline || !past_p95(&sliding, median, opts) {
                    continue;
                }
                learned = Reference::learned(points, &excluded, start, opts.baseline_runs.max(1));
                match &learned {
                    Some(r) => r,
                    None => continue,
                }
            }
        };
        if reference.values.len() < min_baseline {
            continue;
        }
        let Some(figures) = opening(reference, &window, median, opts) else {
            continue;
        };
        let threshold = reference.p95.max((reference.p50 + median) / 2.0);
        let from = floor.max(start);
        let first_point = from + deviation_start(&window[from - start..], threshold);
        open = Some(Opened {
            tracked: Tracked {
                stage: stage.to_string(),
                kind: AlertKind::Slower,
                severity: opts.thresholds.classify(figures.ratio - 1.0),
                figures,
                baseline: reference.baseline(stage),
                limit: None,
                first: points[first_point].run,
                opened: points[k].run,
                resolved: None,
                runs_checked: 1,
            },
            reference: reference.clone(),
            first_point,
        });
    }
    out.extend(open.map(|o| o.tracked));
    out
}

/// The first test of [`opening`], asked of the sliding learned baseline:
/// whether the window's median is past its p95 by at least the lowest
/// severity's margin over its p50.
fn past_p95(baseline: &LearnedWindow, median: f64, opts: &MonitorOptions) -> bool {
    match (baseline.quantile(0.5), baseline.quantile(0.95)) {
        (Some(p50), Some(p95)) => median > p95 && ratio(median, p50) - 1.0 >= opts.thresholds.low,
        _ => false,
    }
}

/// The figures of a window that opens an alert, cheapest test first;
/// `None` when it does not.
fn opening(
    reference: &Reference<'_>,
    window: &[f64],
    median: f64,
    opts: &MonitorOptions,
) -> Option<Figures> {
    // Each test is written as the condition that passes, so that a NaN
    // (from options never validated) fails it.
    let r = ratio(median, reference.p50);
    (median > reference.p95 && r - 1.0 >= opts.thresholds.low).then_some(())?;
    let p = one_sided_p(window, &reference.values)?;
    (p < opts.alpha).then_some(())?;
    let f = figures(reference, window, median, r);
    (f.ci.0 > 1.0).then_some(f)
}

/// The reported figures of a window with ratio `r`.
fn figures(reference: &Reference<'_>, window: &[f64], median: f64, r: f64) -> Figures {
    Figures {
        ratio: r,
        ci: ratio_interval(&reference.values, window, r),
        p_value: one_sided_p(window, &reference.values),
        observed: median,
        recent_p50_s: median,
    }
}
