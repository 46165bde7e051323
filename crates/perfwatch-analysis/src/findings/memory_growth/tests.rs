use super::*;
use crate::findings::testkit::{run, session, variant};
use perfwatch_model::{Iteration, SessionExport};

const MB: f64 = 1e6;

/// Deterministic noise in `[-1, 1)` from a time stamp.
fn noise(t: f64) -> f64 {
    let h = ((t * 1e4).round() as u64).wrapping_mul(2_654_435_761) % 10_007;
    h as f64 / 10_007.0 * 2.0 - 1.0
}

/// Six 2-second runs whose RSS follows `f(t)` (bytes).
fn timeline_session(f: fn(f64) -> f64) -> SessionExport {
    let its = (0..6)
        .map(|i| {
            let mut r = run(i).rss(move |t| f(t).max(0.0) as u64);
            r.advance(2.0, true);
            r.finish()
        })
        .collect();
    session(vec![variant("v", its)])
}

fn rule(s: &SessionExport) -> Vec<Finding> {
    crate::findings::testkit::apply_rule(find, s)
}

#[test]
fn a_steady_rise_is_reported_with_its_slope() {
    // 40.7 MB → 65 MB over the run, ±0.3 MB of noise.
    let s = timeline_session(|t| 40.7 * MB + 12.15 * MB * t + 0.3 * MB * noise(t));
    let fs = rule(&s);
    assert_eq!(fs.len(), 1, "{fs:?}");
    let e = &fs[0].evidence;
    assert!((e["slope_bytes_per_s"] / MB - 12.15).abs() < 0.5, "{e:?}");
    assert_eq!(e["growing_runs_fraction"], 1.0);
    assert_eq!(fs[0].impact_s, 0.0);
}

#[test]
fn a_stepwise_rise_per_item_is_reported() {
    // +8 MB per 0.5 s item, never released.
    let s = timeline_session(|t| 40.0 * MB + 8.0 * MB * (t / 0.5).floor() + 0.1 * MB * noise(t));
    assert_eq!(rule(&s).len(), 1);
}

#[test]
fn flat_plateaued_and_sawtooth_memory_is_not() {
    let flat = timeline_session(|t| 50.0 * MB + 0.5 * MB * noise(t));
    assert!(rule(&flat).is_empty());
    // Working set loaded in the first 0.4 s, then flat.
    let plateau =
        timeline_session(|t| 30.0 * MB + 20.0 * MB * (t / 0.4).min(1.0) + 0.5 * MB * noise(t));
    assert!(rule(&plateau).is_empty(), "{:?}", rule(&plateau));
    // A garbage collector: rises for 0.3 s, drops back, again and again.
    let saw = timeline_session(|t| 40.0 * MB + 10.0 * MB * ((t / 0.3).fract()));
    assert!(rule(&saw).is_empty(), "{:?}", rule(&saw));
}

fn across(peaks: impl Fn(usize) -> f64) -> SessionExport {
    let its: Vec<Iteration> = (0..10)
        .map(|i| {
            let mut r = run(i as u32).without_timeline();
            r.advance(1.0, true);
            let mut it = r.finish();
            it.max_rss_bytes = Some(peaks(i) as u64);
            it
        })
        .collect();
    session(vec![variant("v", its)])
}

#[test]
fn peaks_rising_from_run_to_run() {
    let fs = rule(&across(|i| {
        40.0 * MB + 2.0 * MB * i as f64 + 0.2 * MB * noise(i as f64)
    }));
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert!((fs[0].evidence["slope_bytes_per_run"] / MB - 2.0).abs() < 0.2);
    assert!(rule(&across(|i| 40.0 * MB + 0.5 * MB * noise(i as f64))).is_empty());
    // Rising, then levelled off for the last half.
    assert!(rule(&across(|i| 40.0 * MB + 2.0 * MB * (i.min(4) as f64))).is_empty());
}
