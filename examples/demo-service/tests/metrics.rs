//! `/metrics`: Prometheus text format with every metric described.

use crate::harness::{agent, Service};

const METRICS: [(&str, &str); 6] = [
    ("demo_requests_total", "counter"),
    ("demo_cache_hits_total", "counter"),
    ("demo_cache_lookups_total", "counter"),
    ("demo_cache_hit_rate", "gauge"),
    ("demo_pool_size", "gauge"),
    ("demo_in_flight", "gauge"),
];

#[test]
fn metrics_page_is_prometheus_text() {
    let service = Service::start(&["--init", "lazy", "--workers", "3"]);
    let response = agent().get(service.url("/metrics")).call().unwrap();
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = service.get("/metrics");
    for (name, kind) in METRICS {
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "no HELP for {name}:\n{text}"
        );
        assert!(
            text.contains(&format!("# TYPE {name} {kind}\n")),
            "no TYPE for {name}:\n{text}"
        );
    }
    assert_eq!(service.metric("demo_pool_size"), 3.0);
    assert_eq!(service.metric("demo_in_flight"), 0.0);
}
