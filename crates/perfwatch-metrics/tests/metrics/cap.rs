//! The series cap: a documented bound, what it keeps, and a counted
//! overflow.

use super::support::*;
use perfwatch_app::Options;
use perfwatch_store::{SqliteStore, Store};

/// 50 stages of distinct sizes: stage `sNN` takes NN+1 ms.
fn fifty_stages() -> Vec<(String, f64)> {
    (0..50)
        .map(|i| (format!("s{i:02}"), f64::from(i + 1) * 1e-3))
        .collect()
}

fn store_with_stages(stages: &[(String, f64)]) -> (SqliteStore, perfwatch_model::Session) {
    let store = SqliteStore::open_in_memory().unwrap();
    let stages: Vec<(&str, f64)> = stages.iter().map(|(p, s)| (p.as_str(), *s)).collect();
    let (session, _) = store_run(
        &store,
        "wide",
        "2026-01-01T00:00:00.000Z",
        None,
        &[Variant::new("default", 1.0, &stages)],
    );
    (store, session)
}

#[test]
fn a_cap_of_ten_publishes_ten_entries_and_counts_the_rest() {
    let (store, session) = store_with_stages(&fifty_stages());
    let a = analysis(&store, &session);
    let whole_run = a.variants[0].summary.len();
    let stages = a.variants[0].stages.len();
    assert_eq!(stages, 50);
    let hub = refreshed_hub(&store, 10);
    let samples = samples(&hub);

    let shown_whole = find(&samples, "perfwatch_latest_median_seconds", &[]).len()
        + find(&samples, "perfwatch_latest_median_bytes", &[]).len()
        + find(&samples, "perfwatch_latest_median", &[]).len();
    let shown_stages: Vec<&str> = find(&samples, "perfwatch_latest_stage_median_seconds", &[])
        .iter()
        .map(|s| s.labels["stage"].as_str())
        .collect();
    assert_eq!(
        shown_whole, whole_run,
        "whole-run figures come before stages"
    );
    assert_eq!(1 + shown_whole + shown_stages.len(), 10);
    assert_eq!(value(&samples, "perfwatch_series", &[]), 10.0);
    assert_eq!(value(&samples, "perfwatch_series_limit", &[]), 10.0);
    assert_eq!(
        value(&samples, "perfwatch_series_dropped_total", &[]),
        (1 + whole_run + stages - 10) as f64
    );
    // The stages kept are the largest ones.
    let mut largest: Vec<_> = a.variants[0].stages.iter().collect();
    largest.sort_by(|x, y| y.total_s.median.total_cmp(&x.total_s.median));
    let mut expected: Vec<&str> = largest[..shown_stages.len()]
        .iter()
        .map(|s| s.path.as_str())
        .collect();
    let mut shown_sorted = shown_stages.clone();
    expected.sort();
    shown_sorted.sort();
    assert_eq!(shown_sorted, expected);
    // Their bounds are cut the same way: one label set, three families.
    assert_eq!(
        find(
            &samples,
            "perfwatch_latest_stage_median_ci_low_seconds",
            &[]
        )
        .len(),
        shown_stages.len()
    );
}

#[test]
fn a_benchmark_over_the_cap_is_not_shown_at_all_and_others_keep_theirs() {
    let history = two_benchmarks();
    // Room for `etl`'s benchmark entry and nothing of `render`: `etl` comes
    // first (benchmarks are analysed by name), so `render` is dropped whole.
    let hub = refreshed_hub(&history.store, 1);
    let samples = samples(&hub);
    assert_eq!(value(&samples, "perfwatch_series", &[]), 1.0);
    assert!(!find(&samples, "perfwatch_health_score", &[("benchmark", "etl")]).is_empty());
    assert!(samples
        .iter()
        .all(|s| s.labels.get("benchmark").map(String::as_str) != Some("render")));
    assert!(find(&samples, "perfwatch_latest_median_seconds", &[]).is_empty());
    assert!(value(&samples, "perfwatch_series_dropped_total", &[]) > 0.0);
}

#[test]
fn refreshing_again_reuses_the_room_and_a_smaller_session_gives_some_back() {
    let (store, _) = store_with_stages(&fifty_stages());
    let hub = refreshed_hub(&store, 1_000);
    let full = hub.series();
    hub.refresh_from_store(&store, &Options::default()).unwrap();
    assert_eq!(hub.series(), full, "the same figures take the same room");

    let few: Vec<(String, f64)> = fifty_stages().into_iter().take(5).collect();
    let few: Vec<(&str, f64)> = few.iter().map(|(p, s)| (p.as_str(), *s)).collect();
    let (newer, n) = store_run(
        &store,
        "wide",
        "2026-01-02T00:00:00.000Z",
        None,
        &[Variant::new("default", 1.0, &few)],
    );
    assert!(hub
        .session_ingested(&store as &dyn Store, &Options::default(), &newer, n)
        .unwrap());
    assert_eq!(hub.series(), full - 45);
    assert_eq!(
        value(&samples(&hub), "perfwatch_series_dropped_total", &[]),
        0.0
    );
}
