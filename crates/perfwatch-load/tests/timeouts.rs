//! A request the service never answers is a timeout: not an error, not lost.

use std::time::Instant;

use axum::routing::get;
use axum::Router;
use perfwatch_load::{run_blocking, Model};

use crate::support::{get as req, ms, spec, TestServer};

#[test]
fn unanswered_requests_count_as_timeouts_and_nothing_is_lost() {
    let server = TestServer::start(
        Router::new()
            .route("/ok", get(|| async { "ok" }))
            .route("/hang", get(std::future::pending::<&'static str>)),
    );
    let mut spec = spec(&server.url(), Model::open(50.0), ms(1000));
    spec.requests = vec![req("/ok", 1), req("/hang", 1)];
    spec.timeout = ms(300);

    let began = Instant::now();
    let report = run_blocking(&spec).unwrap();
    let took = began.elapsed();

    assert_eq!(report.sent, 50, "{report:?}");
    assert!(report.timeouts >= 10, "{report:?}");
    assert!(report.completed >= 10, "{report:?}");
    assert_eq!(report.errors.total(), 0, "{report:?}");
    assert_eq!(report.dropped, 0);
    assert_eq!(
        report.sent,
        report.completed + report.timeouts + report.errors.total()
    );
    assert_eq!(report.status.success, report.completed);
    // The run waits for the last requests in flight, at most one timeout.
    assert!(took < ms(2500), "took {took:?}");
}
