//! SIGTERM: stop accepting, let in-flight requests finish, exit 0.

use std::thread;
use std::time::{Duration, Instant};

use crate::harness::Service;

/// How long the service may take to exit after SIGTERM.
const EXIT_DEADLINE: Duration = Duration::from_secs(3);

#[test]
fn sigterm_exits_zero_promptly() {
    let mut service = Service::start(&["--init", "lazy"]);
    let start = Instant::now();
    service.terminate();
    let status = service.wait_exit(EXIT_DEADLINE).expect("exited in time");
    eprintln!("exited {:?} after SIGTERM", start.elapsed());
    assert!(status.success(), "{status}");
}

#[test]
fn sigterm_lets_in_flight_requests_finish() {
    let mut service = Service::start(&["--init", "lazy"]);
    // The first request builds the lazy catalogue: over a second in flight.
    let url = service.url("/api/playlist?seed=3");
    let request =
        thread::spawn(move || crate::harness::agent().get(url).call().map(|r| r.status()));
    thread::sleep(Duration::from_millis(300));
    service.terminate();
    assert_eq!(request.join().unwrap().unwrap(), 200);
    let status = service.wait_exit(EXIT_DEADLINE).expect("exited in time");
    assert!(status.success(), "{status}");
}

#[test]
fn sigterm_during_eager_start_up_exits_zero() {
    let mut service = Service::spawn(&["--init", "eager"]);
    // Long enough for the handlers to be installed, well before ready.
    thread::sleep(Duration::from_millis(400));
    service.terminate();
    let status = service.wait_exit(EXIT_DEADLINE).expect("exited in time");
    assert!(status.success(), "{status}");
}
