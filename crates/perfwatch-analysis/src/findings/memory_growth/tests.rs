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

/// Six runs of a service: a 1 s start-up loading 60 MB, `load_s` of load
/// whose RSS follows `during(t since ready)`, a 0.3 s shutdown at the
/// level reached, and a last sample after the exit reading 0.
fn service_session(load_s: f64, during: fn(f64) -> f64) -> SessionExport {
    let its = (0..6)
        .map(|i| {
            let shutdown = 0.3;
            let stop = 1.0 + load_s;
            let rss = move |t: f64| {
                let b = if t < 1.0 {
                    5.0 * MB + 55.0 * MB * t
                } else {
                    during(t.min(stop) - 1.0)
                };
                (b + 0.2 * MB * noise(t)).max(0.0) as u64
            };
            let mut r = run(i).rss(rss).service(
                1.0,
                shutdown,
                Some(crate::findings::testkit::load(100.0, 0.01, 0.03)),
            );
            r.advance(1.0 - 0.002, true);
            r.advance(load_s, true);
            r.advance(shutdown, false);
            let mut it = r.finish();
            let last = it.timeline.last().cloned().unwrap();
            it.timeline.push(perfwatch_model::Sample {
                t_s: last.t_s + 0.05,
                rss_bytes: 0,
                cpu_pct: 0.0,
                ..last
            });
            it
        })
        .collect();
    session(vec![variant("v", its)])
}

#[test]
fn a_service_whose_memory_climbs_during_the_load_is_reported_from_the_load() {
    // 60 MB once ready, +12 MB/s over 2 s of load: the start-up's 55 MB
    // are neither growth nor the starting level.
    let fs = rule(&service_session(2.0, |t| 60.0 * MB + 12.0 * MB * t));
    assert_eq!(fs.len(), 1, "{fs:?}");
    let e = &fs[0].evidence;
    assert!((e["start_bytes"] / MB - 64.0).abs() < 3.0, "{e:?}");
    assert!((e["growth_bytes"] / MB - 24.0).abs() < 3.0, "{e:?}");
    assert!((e["slope_bytes_per_s"] / MB - 12.0).abs() < 1.0, "{e:?}");
    assert!(
        fs[0].title.contains("during the load of each run"),
        "{}",
        fs[0].title
    );
    // A long load, a slower leak: found all the same.
    assert_eq!(
        rule(&service_session(6.0, |t| 60.0 * MB + 4.0 * MB * t)).len(),
        1
    );
}

#[test]
fn a_service_that_loads_at_start_up_and_then_stays_flat_is_not() {
    assert!(rule(&service_session(2.0, |_| 60.0 * MB)).is_empty());
    // +6 MB over the load: under the 16 MiB floor, though the start-up
    // adds 55 MB before it.
    let small = service_session(2.0, |t| 60.0 * MB + 3.0 * MB * t);
    assert!(rule(&small).is_empty(), "{:?}", rule(&small));
}
