//! `promtool check metrics` (Prometheus's own parser and linter) accepts
//! the exposition: every family, hostile names, the cap's overflow.
//!
//! promtool reads the Prometheus text format 0.0.4, so it checks what
//! `curl -s …/metrics | promtool check metrics` gets:
//! [`MetricsHub::render_text`]; the OpenMetrics rendering is checked by
//! the strict reader in every test and by a real Prometheus in
//! `prometheus.rs`. Both carry the same samples (checked here).

use super::hostile::hostile_store;
use super::support::*;
use perfwatch_metrics::MetricsHub;
use perfwatch_testkit::openmetrics::parse_sample_line;
use perfwatch_testkit::prometheus::{check_metrics, require_promtool};
use std::collections::BTreeSet;
use std::time::Duration;

#[test]
fn promtool_accepts_a_full_exposition() {
    let Some(promtool) = require_promtool() else {
        return;
    };
    let history = two_benchmarks();
    // A cap that cuts some stages, so the overflow counter is non-zero.
    let hub = refreshed_hub(&history.store, 12);
    hub.record_request(
        "/api/v1/sessions/{id}",
        "GET",
        200,
        Duration::from_millis(4),
    );
    hub.record_request("/metrics", "GET", 200, Duration::from_micros(300));
    let samples = samples(&hub);
    assert!(value(&samples, "perfwatch_series_dropped_total", &[]) > 0.0);
    assert!(!find(&samples, "perfwatch_latest_stage_median_seconds", &[]).is_empty());
    let (content_type, text) = hub.render_for(Some("*/*"));
    assert_eq!(content_type, perfwatch_metrics::TEXT_CONTENT_TYPE);
    check_metrics(&promtool, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
}

#[test]
fn promtool_accepts_hostile_names() {
    let Some(promtool) = require_promtool() else {
        return;
    };
    let hub = refreshed_hub(&hostile_store().0, 1_000);
    let text = hub.render_text();
    check_metrics(&promtool, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
}

/// The samples of an exposition in either format, in a canonical form:
/// the line's name, labels (bucket bounds as numbers) and value.
fn canonical_samples(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (name, mut labels, value) =
                parse_sample_line(l).unwrap_or_else(|e| panic!("{l}: {e}"));
            if let Some(le) = labels.get_mut("le") {
                *le = le.parse::<f64>().unwrap().to_string();
            }
            format!("{name} {labels:?} {value}")
        })
        .collect()
}

#[test]
fn both_formats_carry_the_same_samples() {
    let history = two_benchmarks();
    let hub: MetricsHub = refreshed_hub(&history.store, 12);
    hub.record_request("/api/v1/benchmarks", "GET", 200, Duration::from_millis(1));
    let (openmetrics, text) = (hub.render(), hub.render_text());
    let samples = canonical_samples(&text);
    assert!(samples.len() > 50, "{samples:?}");
    assert_eq!(canonical_samples(&openmetrics), samples);
    assert!(
        text.contains("# TYPE perfwatch_sessions_ingested_total counter\n"),
        "{text}"
    );
    assert!(
        openmetrics.contains("# TYPE perfwatch_sessions_ingested counter\n"),
        "{openmetrics}"
    );
}
