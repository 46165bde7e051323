//! `--handler blocking` collapses concurrency to the worker count;
//! `--handler async` overlaps the downstream waits.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use crate::harness::{agent, Service};

/// The service's simulated downstream call.
const DOWNSTREAM: Duration = Duration::from_millis(20);
/// The service's CPU work per playlist.
const RANK_CPU: Duration = Duration::from_millis(5);
/// Requests sent at once.
const CONCURRENT: u32 = 4;
/// Batches measured; the fastest counts, which filters out a busy machine.
const BATCHES: usize = 5;

/// Wall time of `CONCURRENT` simultaneous playlist requests, best of `BATCHES`.
fn concurrent_wall_time(service: &Service) -> Duration {
    // The first request builds the lazy catalogue; keep it out of the timing.
    service.get("/api/playlist?seed=0");
    (0..BATCHES)
        .map(|batch| {
            let barrier = Arc::new(Barrier::new(CONCURRENT as usize));
            let start = Instant::now();
            let requests: Vec<_> = (0..CONCURRENT)
                .map(|i| {
                    let url = service.url(&format!("/api/playlist?seed={}", batch as u32 * 10 + i));
                    let barrier = Arc::clone(&barrier);
                    thread::spawn(move || {
                        let agent = agent();
                        barrier.wait();
                        agent.get(url).call().unwrap();
                    })
                })
                .collect();
            for request in requests {
                request.join().unwrap();
            }
            start.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn blocking_handler_serialises_requests_on_one_worker() {
    let service = Service::start(&["--init", "lazy", "--handler", "blocking", "--workers", "1"]);
    let wall = concurrent_wall_time(&service);
    eprintln!("blocking, 1 worker: {CONCURRENT} concurrent requests in {wall:?}");
    assert!(wall >= DOWNSTREAM * CONCURRENT, "took {wall:?}");
}

/// Overlap is proven by beating the serial sum, 4 x (20 ms wait + 5 ms CPU);
/// with one worker the CPU parts still run one at a time (about 40 ms for
/// four), so "under twice one wait" is out of reach.
#[test]
fn async_handler_overlaps_downstream_waits() {
    let service = Service::start(&["--init", "lazy", "--handler", "async", "--workers", "1"]);
    let wall = concurrent_wall_time(&service);
    eprintln!("async, 1 worker: {CONCURRENT} concurrent requests in {wall:?}");
    assert!(wall < (DOWNSTREAM + RANK_CPU) * CONCURRENT, "took {wall:?}");
}
