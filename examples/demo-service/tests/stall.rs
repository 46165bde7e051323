//! `--stall EVERY:FOR`: a playlist request arriving in the last FOR seconds
//! of a period waits until the period ends; one arriving earlier does not.

use std::thread;
use std::time::{Duration, Instant};

use crate::harness::Service;

/// Slack for a busy two-core machine: where the service's clock started
/// (somewhere before `/health` first answered) and how long a normal
/// request takes (about 25 ms).
const SLACK: Duration = Duration::from_millis(500);

/// The time from `start` at which the request sent at `at` was answered.
fn answered_at(service: &Service, start: Instant, at: Duration) -> Duration {
    thread::sleep(at.saturating_sub(start.elapsed()));
    service.get("/api/playlist?seed=1");
    start.elapsed()
}

#[test]
fn a_request_in_a_stall_window_waits_until_its_end_and_one_outside_does_not() {
    // Periods of 4 s from start-up, the last 2 s of each stalled: [2 s, 4 s).
    let mut service = Service::spawn(&["--stall", "4:2"]);
    service.wait_ready();
    // The service's clock started at most a poll before this.
    let start = Instant::now();

    let outside = Duration::from_millis(500);
    let answered = answered_at(&service, start, outside);
    eprintln!("sent at {outside:?} (no stall): answered at {answered:?}");
    assert!(answered < outside + SLACK, "answered at {answered:?}");

    let inside = Duration::from_millis(2500);
    let window_end = Duration::from_secs(4);
    let answered = answered_at(&service, start, inside);
    eprintln!("sent at {inside:?} (stalled until {window_end:?}): answered at {answered:?}");
    assert!(answered >= window_end - SLACK, "answered at {answered:?}");
    assert!(
        answered < window_end + 2 * SLACK,
        "answered at {answered:?}"
    );
}
