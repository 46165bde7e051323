//! Responses are counted by status class, whatever the status.

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use perfwatch_load::{run_blocking, Model};

use crate::support::{get as req, ms, spec, TestServer};

#[test]
fn server_errors_count_under_5xx_and_missing_paths_under_4xx() {
    let server = TestServer::start(
        Router::new()
            .route("/ok", get(|| async { "ok" }))
            .route("/fail", get(|| async { StatusCode::INTERNAL_SERVER_ERROR })),
    );
    let mut spec = spec(&server.url(), Model::open(200.0), ms(500));
    spec.requests = vec![req("/ok", 1), req("/fail", 1), req("/missing", 1)];
    let report = run_blocking(&spec).unwrap();

    let status = report.status;
    assert!(
        status.success > 0 && status.server_error > 0 && status.client_error > 0,
        "{status:?}"
    );
    assert_eq!(status.total(), report.completed);
    assert_eq!(report.completed, report.sent);
    assert_eq!(
        report.errors.total(),
        0,
        "a 5xx is a response, not an error"
    );
    // Every response, whatever its status, has its latency recorded.
    assert_eq!(report.latency.len(), report.completed);
}
