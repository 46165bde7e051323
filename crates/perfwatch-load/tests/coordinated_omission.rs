//! A service stall shows in the open model's percentiles (latency from the
//! intended send time) and hides in the closed model's.

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use perfwatch_load::{run_blocking, LoadReport, Model};
use tokio::time::Instant;

use crate::support::{ms, spec, TestServer};

const PERIOD: Duration = Duration::from_secs(2);
const STALL_FROM: Duration = Duration::from_millis(500);
const STALL_UNTIL: Duration = Duration::from_millis(1500);

/// Answers at once, except that every request arriving between 0.5 s and
/// 1.5 s of each 2 s period (from the server's start) is held until 1.5 s.
fn stalling_server() -> TestServer {
    let started = Instant::now();
    TestServer::start(Router::new().route(
        "/",
        get(move || async move {
            let since = started.elapsed();
            let phase = Duration::from_nanos((since.as_nanos() % PERIOD.as_nanos()) as u64);
            let period_start = since - phase;
            if (STALL_FROM..STALL_UNTIL).contains(&phase) {
                tokio::time::sleep_until(started + period_start + STALL_UNTIL).await;
            }
            "ok"
        }),
    ))
}

/// Completed requests slower than 100 ms.
fn slow(report: &LoadReport) -> u64 {
    report.latency.count_between(100_000, report.latency.max())
}

#[test]
fn stall_shows_in_open_percentiles_and_hides_in_closed() {
    let open = std::thread::spawn(|| {
        let server = stalling_server();
        run_blocking(&spec(&server.url(), Model::open(100.0), ms(2500))).unwrap()
    });
    let closed = std::thread::spawn(|| {
        let server = stalling_server();
        run_blocking(&spec(&server.url(), Model::closed(1), ms(2000))).unwrap()
    });
    let (open, closed) = (open.join().unwrap(), closed.join().unwrap());
    let (o, c) = (open.percentiles().unwrap(), closed.percentiles().unwrap());
    println!(
        "open 100 req/s: n={} p50={:.4}s p99={:.4}s max={:.4}s slow={}",
        open.completed,
        o.p50,
        o.p99,
        o.max,
        slow(&open)
    );
    println!(
        "closed 1 worker: n={} p50={:.4}s p99={:.4}s max={:.4}s slow={}",
        closed.completed,
        c.p50,
        c.p99,
        c.max,
        slow(&closed)
    );

    // About 100 requests were due during the 1 s stall; each waited for
    // its rest, measured from when it was due.
    assert!(o.p99 >= 0.5, "open p99 {} s", o.p99);
    assert!(slow(&open) >= 50, "open saw {} slow requests", slow(&open));
    assert_eq!(open.dropped, 0);
    // The closed worker waited out the same stall once.
    assert!(c.max >= 0.5, "closed max {} s", c.max);
    assert!(
        slow(&closed) <= 2,
        "closed saw {} slow requests",
        slow(&closed)
    );
    assert!(
        o.p99 > 3.0 * c.p50,
        "open p99 {} s vs closed p50 {} s",
        o.p99,
        c.p50
    );
    assert!(closed.coordinated_omission_caveat && !open.coordinated_omission_caveat);
}
