//! The open model keeps its timetable against a fast service.

use axum::routing::get;
use axum::Router;
use perfwatch_load::{run_blocking, Model};

use crate::support::{ms, spec, TestServer};

fn fast_server() -> TestServer {
    TestServer::start(Router::new().route("/", get(|| async { "ok" })))
}

#[test]
fn open_model_sends_on_schedule_and_all_succeed() {
    let server = fast_server();
    let report = run_blocking(&spec(&server.url(), Model::open(200.0), ms(1000))).unwrap();

    assert!((180..=220).contains(&report.sent), "{report:?}");
    assert_eq!(report.completed, report.sent);
    assert_eq!(report.status.success, report.completed);
    assert_eq!(
        (report.dropped, report.timeouts, report.errors.total()),
        (0, 0, 0)
    );
    assert!(!report.coordinated_omission_caveat);
    let p = report.percentiles().unwrap();
    assert!(p.p50 < 0.05, "p50 {} s", p.p50);
    assert!(
        (report.throughput_rps - 200.0).abs() < 30.0,
        "{}",
        report.throughput_rps
    );
}

#[test]
fn warmup_requests_are_sent_but_not_counted() {
    let server = fast_server();
    let mut spec = spec(&server.url(), Model::open(100.0), ms(500));
    spec.warmup = ms(300);
    let report = run_blocking(&spec).unwrap();

    // 30 warmup requests, then the 50 due in the measured 0.5 s.
    assert_eq!(report.sent, 50, "{report:?}");
    assert_eq!(report.latency.len(), 50);
    assert!((report.duration_s - 0.5).abs() < 1e-9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_works_on_a_multi_thread_runtime_too() {
    let server = fast_server();
    for model in [Model::open(200.0), Model::closed(2)] {
        let report = perfwatch_load::run(&spec(&server.url(), model, ms(300)))
            .await
            .unwrap();
        assert!(report.sent > 0, "{model:?}");
        assert_eq!(report.sent, report.status.success, "{model:?}: {report:?}");
    }
}

#[test]
fn a_service_that_falls_behind_serves_its_backlog_after_the_end_at_its_own_rate() {
    // One request at a time, 20 ms each: 50/s at most, loaded at 100/s.
    let lock = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    let server = TestServer::start(Router::new().route(
        "/",
        get(move || {
            let lock = std::sync::Arc::clone(&lock);
            async move {
                let _one = lock.lock().await;
                tokio::time::sleep(ms(20)).await;
                "ok"
            }
        }),
    ));
    let mut spec = spec(&server.url(), Model::open(100.0), ms(500));
    spec.warmup = ms(0);
    let report = run_blocking(&spec).unwrap();
    assert_eq!(report.completed, 50, "{report:?}");
    // Served one at a time, 20 ms each: the last answer comes at least
    // 1 s after the start, well after the 0.5 s of load. Bounds only —
    // a slower machine takes longer, never less.
    assert!(report.duration_s >= 0.99, "{report:?}");
    let rate = report.completed as f64 / report.duration_s;
    assert!((report.throughput_rps - rate).abs() < 1e-9);
    assert!(
        report.throughput_rps <= 50.5,
        "what it served per second (at most 50), not what was sent (100): {}",
        report.throughput_rps
    );
}
