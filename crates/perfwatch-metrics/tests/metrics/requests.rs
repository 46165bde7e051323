//! The server's request counters and latency histogram.

use super::support::*;
use perfwatch_metrics::{MetricsHub, MAX_ROUTES};
use std::time::Duration;

#[test]
fn requests_are_counted_by_route_method_and_status_with_their_durations() {
    let hub = MetricsHub::default();
    let sessions = "/api/v1/sessions/{id}";
    hub.record_request(sessions, "GET", 200, Duration::from_millis(3));
    hub.record_request(sessions, "get", 200, Duration::from_millis(30));
    hub.record_request(sessions, "GET", 404, Duration::from_micros(200));
    hub.record_request("/api/v1/sessions", "POST", 201, Duration::from_secs(20));
    let samples = samples(&hub);

    let count = |route: &str, method: &str, status: &str| {
        value(
            &samples,
            "perfwatch_api_requests_total",
            &[("route", route), ("method", method), ("status", status)],
        )
    };
    assert_eq!(count(sessions, "GET", "200"), 2.0);
    assert_eq!(count(sessions, "GET", "404"), 1.0);
    assert_eq!(count("/api/v1/sessions", "POST", "201"), 1.0);

    let route = [("route", sessions)];
    assert_eq!(
        value(
            &samples,
            "perfwatch_api_request_duration_seconds_count",
            &route
        ),
        3.0
    );
    let sum = value(
        &samples,
        "perfwatch_api_request_duration_seconds_sum",
        &route,
    );
    assert!((sum - 0.0332).abs() < 1e-9, "{sum}");
    let bucket = |le: &str| {
        value(
            &samples,
            "perfwatch_api_request_duration_seconds_bucket",
            &[("route", sessions), ("le", le)],
        )
    };
    assert_eq!(bucket("0.0005"), 1.0);
    assert_eq!(bucket("0.005"), 2.0);
    assert_eq!(bucket("0.05"), 3.0);
    assert_eq!(bucket("+Inf"), 3.0);
    let slow = [("route", "/api/v1/sessions"), ("le", "10.0")];
    assert_eq!(
        value(
            &samples,
            "perfwatch_api_request_duration_seconds_bucket",
            &slow
        ),
        0.0,
        "20 s is over the last bound"
    );
}

#[test]
fn odd_methods_and_too_many_routes_share_one_label_each() {
    let hub = MetricsHub::default();
    hub.record_request("/a", "BREW", 418, Duration::ZERO);
    hub.record_request("/a", &"X".repeat(10_000), 418, Duration::ZERO);
    for i in 0..MAX_ROUTES + 50 {
        hub.record_request(&format!("/raw/{i}"), "GET", 200, Duration::ZERO);
    }
    let samples = samples(&hub);
    assert_eq!(
        value(
            &samples,
            "perfwatch_api_requests_total",
            &[("route", "/a"), ("method", "other"), ("status", "418")]
        ),
        2.0
    );
    let routes: std::collections::BTreeSet<&str> =
        find(&samples, "perfwatch_api_requests_total", &[])
            .iter()
            .map(|s| s.labels["route"].as_str())
            .collect();
    assert_eq!(
        routes.len(),
        MAX_ROUTES + 1,
        "the first {MAX_ROUTES} routes and `other`"
    );
    let other = value(
        &samples,
        "perfwatch_api_requests_total",
        &[("route", "other"), ("method", "GET"), ("status", "200")],
    );
    assert_eq!(other, 51.0, "the routes past the bound, counted together");
}
