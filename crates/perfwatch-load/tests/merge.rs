//! Reports merge by adding histograms and counts, never by averaging
//! percentiles.

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use perfwatch_load::{run_blocking, LoadReport, Model};

use crate::support::{ms, spec, TestServer};

/// A service that answers after `delay`.
fn run_against(delay: Duration) -> LoadReport {
    let server = TestServer::start(Router::new().route(
        "/",
        get(move || async move {
            tokio::time::sleep(delay).await;
            "ok"
        }),
    ));
    run_blocking(&spec(&server.url(), Model::open(100.0), ms(500))).unwrap()
}

#[test]
fn merge_adds_counts_and_histograms() {
    let fast = std::thread::spawn(|| run_against(Duration::ZERO));
    let slow = std::thread::spawn(|| run_against(ms(30)));
    let (fast, slow) = (fast.join().unwrap(), slow.join().unwrap());

    let mut merged = fast.clone();
    merged.merge(&slow).unwrap();

    assert_eq!(merged.sent, fast.sent + slow.sent);
    assert_eq!(merged.completed, fast.completed + slow.completed);
    assert_eq!(
        merged.status.success,
        fast.status.success + slow.status.success
    );
    assert_eq!(
        merged.latency.len(),
        fast.latency.len() + slow.latency.len()
    );
    // Each lasts its 0.5 s, or until its last answer (the slow one's ends
    // about 30 ms after): durations add, throughput is recomputed.
    assert!((merged.duration_s - (fast.duration_s + slow.duration_s)).abs() < 1e-9);
    assert!(merged.duration_s >= 1.0);
    let rate = merged.completed as f64 / merged.duration_s;
    assert!((merged.throughput_rps - rate).abs() < 1e-9);
    let (f, s, m) = (
        fast.percentiles().unwrap(),
        slow.percentiles().unwrap(),
        merged.percentiles().unwrap(),
    );
    assert!(f.p50 <= m.p50 && m.p50 <= s.p50, "{f:?} {m:?} {s:?}");
    assert_eq!(m.max, f.max.max(s.max));

    let mut from_empty = LoadReport::empty(merged.model);
    from_empty.merge(&merged).unwrap();
    assert_eq!(from_empty.latency, merged.latency);

    let summary = merged.summary().unwrap();
    assert_eq!(perfwatch_load::histogram(&summary).unwrap(), merged.latency);
}
