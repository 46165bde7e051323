//! The figures on show are the analysis's, for the right session of each
//! benchmark, and follow the history as it changes.

use super::support::*;
use perfwatch_app::Options;
use perfwatch_metrics::MetricsHub;
use perfwatch_model::metric::Unit;
use perfwatch_model::{Metric, Reference, Severity, Verdict};
use perfwatch_store::Store;
use std::collections::BTreeSet;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn family_of(metric: &str) -> &'static str {
    match metric.parse::<Metric>().unwrap().unit() {
        Unit::Seconds => "perfwatch_latest_median_seconds",
        Unit::Bytes => "perfwatch_latest_median_bytes",
        Unit::Count => "perfwatch_latest_median",
        Unit::PerSecond => "perfwatch_latest_median_per_second",
        Unit::Fraction => "perfwatch_latest_median_ratios",
    }
}

/// `…_median_seconds` → `…_median_ci_low_seconds`.
fn bound_family(median: &str, bound: &str) -> String {
    match median
        .strip_suffix("_seconds")
        .or(median.strip_suffix("_bytes"))
    {
        Some(stem) => format!("{stem}_{bound}{}", &median[stem.len()..]),
        None => format!("{median}_{bound}"),
    }
}

#[test]
fn every_benchmark_shows_its_latest_finished_sessions_analysis() {
    let history = two_benchmarks();
    let hub = refreshed_hub(&history.store, perfwatch_metrics::DEFAULT_MAX_SERIES);
    let samples = samples(&hub);
    let mut expected_whole = BTreeSet::new();
    let mut expected_stages = BTreeSet::new();
    for (benchmark, session) in &history.latest {
        let a = analysis(&history.store, session);
        let b = *benchmark;
        for v in &a.variants {
            for (metric, s) in &v.summary {
                let labels = [
                    ("benchmark", b),
                    ("variant", v.name.as_str()),
                    ("metric", metric.as_str()),
                ];
                let median = family_of(metric);
                assert_eq!(value(&samples, median, &labels), s.median, "{labels:?}");
                assert_eq!(
                    value(&samples, &bound_family(median, "ci_low"), &labels),
                    s.ci_low
                );
                assert_eq!(
                    value(&samples, &bound_family(median, "ci_high"), &labels),
                    s.ci_high
                );
                expected_whole.insert((b.to_owned(), v.name.clone(), metric.clone()));
            }
            for st in &v.stages {
                let labels = [
                    ("benchmark", b),
                    ("variant", v.name.as_str()),
                    ("stage", st.path.as_str()),
                ];
                assert_eq!(
                    value(&samples, "perfwatch_latest_stage_median_seconds", &labels),
                    st.total_s.median
                );
                assert_eq!(
                    value(
                        &samples,
                        "perfwatch_latest_stage_median_ci_low_seconds",
                        &labels
                    ),
                    st.total_s.ci_low
                );
                assert_eq!(
                    value(
                        &samples,
                        "perfwatch_latest_stage_median_ci_high_seconds",
                        &labels
                    ),
                    st.total_s.ci_high
                );
                expected_stages.insert((b.to_owned(), v.name.clone(), st.path.clone()));
            }
        }
        let health = a.health.as_ref().unwrap().score;
        assert_eq!(
            value(&samples, "perfwatch_health_score", &[("benchmark", b)]),
            f64::from(health)
        );
        let started = OffsetDateTime::parse(&session.started_at, &Rfc3339).unwrap();
        assert_eq!(
            value(
                &samples,
                "perfwatch_latest_session_start_time_seconds",
                &[("benchmark", b)]
            ),
            started.unix_timestamp() as f64,
            "the latest finished session's, not the running one's"
        );
        for severity in [
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ] {
            let counted = a
                .comparisons
                .iter()
                .filter(|c| {
                    c.verdict == Verdict::Regressed
                        && c.primary
                        && c.reference == Reference::Baseline
                        && c.severity == severity
                })
                .count();
            let labels = [("benchmark", b), ("severity", severity.key())];
            assert_eq!(
                value(&samples, "perfwatch_regressions", &labels),
                counted as f64,
                "{labels:?}"
            );
        }
    }
    // Nothing else is on show: not the running session, not older ones.
    let shown = |family: &str, key: &str| -> BTreeSet<(String, String, String)> {
        find(&samples, family, &[])
            .into_iter()
            .map(|s| {
                (
                    s.labels["benchmark"].clone(),
                    s.labels["variant"].clone(),
                    s.labels[key].clone(),
                )
            })
            .collect()
    };
    let whole: BTreeSet<_> = [
        "perfwatch_latest_median_seconds",
        "perfwatch_latest_median_bytes",
        "perfwatch_latest_median",
    ]
    .into_iter()
    .flat_map(|f| shown(f, "metric"))
    .collect();
    assert_eq!(whole, expected_whole);
    assert_eq!(
        shown("perfwatch_latest_stage_median_seconds", "stage"),
        expected_stages
    );
    assert!(expected_stages.contains(&("etl".into(), "default".into(), "transform/parse".into())));
    assert_eq!(
        value(&samples, "perfwatch_series", &[]),
        (history.latest.len() + expected_whole.len() + expected_stages.len()) as f64
    );
    assert_eq!(value(&samples, "perfwatch_series_dropped_total", &[]), 0.0);
}

#[test]
fn the_regressed_benchmark_shows_its_regressions_and_a_lower_health() {
    let history = two_benchmarks();
    let hub = refreshed_hub(&history.store, perfwatch_metrics::DEFAULT_MAX_SERIES);
    let samples = samples(&hub);
    let regressions = |b: &str| -> f64 {
        find(&samples, "perfwatch_regressions", &[("benchmark", b)])
            .iter()
            .map(|s| s.value)
            .sum()
    };
    assert!(
        regressions("etl") >= 1.0,
        "the fixture's etl run regressed against `main`"
    );
    assert_eq!(
        regressions("render"),
        0.0,
        "variants compared with each other are no regression"
    );
    let health = |b: &str| value(&samples, "perfwatch_health_score", &[("benchmark", b)]);
    assert!(
        health("etl") < health("render"),
        "{} vs {}",
        health("etl"),
        health("render")
    );
}

#[test]
fn an_ingested_session_replaces_its_benchmarks_figures_unless_older() {
    let history = two_benchmarks();
    let store: &dyn Store = &history.store;
    let hub = refreshed_hub(store, perfwatch_metrics::DEFAULT_MAX_SERIES);
    let opts = Options::default();
    let wall = |hub: &MetricsHub| {
        value(
            &samples(hub),
            "perfwatch_latest_median_seconds",
            &[
                ("benchmark", "render"),
                ("variant", "fast"),
                ("metric", "wall_s"),
            ],
        )
    };
    let before = wall(&hub);

    let (newer, n_newer) = store_run(
        store,
        "render",
        "2026-02-01T00:00:00.000Z",
        None,
        &[Variant::new("fast", 0.25, &[("draw", 0.2)])],
    );
    assert!(hub.session_ingested(store, &opts, &newer, n_newer).unwrap());
    let expected = analysis(store, &newer).variants[0].summary["wall_s"].median;
    assert_eq!(wall(&hub), expected);
    assert_ne!(wall(&hub), before);
    let after = samples(&hub);
    assert!(
        find(
            &after,
            "perfwatch_latest_median_seconds",
            &[("benchmark", "render"), ("variant", "slow")]
        )
        .is_empty(),
        "the newer session has no variant `slow`: its series are gone"
    );
    assert!(find(
        &after,
        "perfwatch_latest_stage_median_seconds",
        &[("benchmark", "render"), ("stage", "flush")]
    )
    .is_empty());

    let (older, n_older) = store_run(
        store,
        "render",
        "2025-06-01T00:00:00.000Z",
        None,
        &[Variant::new("fast", 3.0, &[])],
    );
    assert!(!hub.session_ingested(store, &opts, &older, n_older).unwrap());
    assert_eq!(
        wall(&hub),
        expected,
        "a late push of an old run changes no figure"
    );

    let counted = samples(&hub);
    assert_eq!(
        value(&counted, "perfwatch_sessions_ingested_total", &[]),
        2.0
    );
    assert_eq!(
        value(&counted, "perfwatch_iterations_ingested_total", &[]),
        (n_newer + n_older) as f64
    );
}

#[test]
fn a_refresh_takes_benchmarks_without_sessions_off_show() {
    let history = two_benchmarks();
    let store: &dyn Store = &history.store;
    let hub = refreshed_hub(store, perfwatch_metrics::DEFAULT_MAX_SERIES);
    let series_before = hub.series();
    let before = samples(&hub);
    let render_entries = 1 + [
        "perfwatch_latest_median_seconds",
        "perfwatch_latest_median_bytes",
        "perfwatch_latest_median",
        "perfwatch_latest_stage_median_seconds",
    ]
    .into_iter()
    .map(|f| find(&before, f, &[("benchmark", "render")]).len())
    .sum::<usize>();
    for row in store.list_sessions(&Default::default()).unwrap() {
        if row.session.benchmark == "render" {
            store.delete_session(&row.session.id).unwrap();
        }
    }
    let refreshed = hub.refresh_from_store(store, &Options::default()).unwrap();
    assert_eq!((refreshed.published, refreshed.removed), (1, 1));
    let after = samples(&hub);
    assert!(after
        .iter()
        .all(|s| s.labels.get("benchmark").map(String::as_str) != Some("render")));
    assert!(!find(&after, "perfwatch_health_score", &[("benchmark", "etl")]).is_empty());
    assert_eq!(
        hub.series(),
        series_before - render_entries,
        "the room is given back"
    );
}

#[test]
fn the_exposition_ends_with_eof_and_the_hub_is_shared_across_threads() {
    fn shared<T: Send + Sync>(_: &T) {}
    let hub = MetricsHub::default();
    shared(&hub);
    assert_eq!(hub.max_series(), perfwatch_metrics::DEFAULT_MAX_SERIES);
    let text = hub.render();
    assert!(text.ends_with("# EOF\n"), "{text}");
    let samples = samples(&hub);
    assert_eq!(value(&samples, "perfwatch_series", &[]), 0.0);
    assert_eq!(
        value(&samples, "perfwatch_series_limit", &[]),
        perfwatch_metrics::DEFAULT_MAX_SERIES as f64
    );
}
