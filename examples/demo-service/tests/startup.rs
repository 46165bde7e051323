//! Start-up to ready: the eager catalogue build delays it, lazy does not.

use std::time::{Duration, Instant};

use crate::harness::Service;

#[test]
fn eager_init_delays_readiness_by_the_catalogue_build() {
    let mut service = Service::spawn(&["--init", "eager"]);
    let ready = service.wait_ready();
    eprintln!("eager: ready after {ready:?}");
    assert!(ready >= Duration::from_secs(1), "ready after {ready:?}");
}

#[test]
fn lazy_init_is_ready_at_once() {
    let mut service = Service::spawn(&["--init", "lazy"]);
    let ready = service.wait_ready();
    eprintln!("lazy: ready after {ready:?}");
    assert!(ready < Duration::from_millis(300), "ready after {ready:?}");
}

#[test]
fn lazy_init_moves_the_build_to_the_first_request() {
    let service = Service::start(&["--init", "lazy"]);
    let timed = |path: &str| {
        let start = Instant::now();
        service.get(path);
        start.elapsed()
    };
    let first = timed("/api/playlist?seed=1");
    let second = timed("/api/playlist?seed=2");
    eprintln!("lazy: first playlist {first:?}, second {second:?}");
    assert!(
        first >= Duration::from_secs(1),
        "first request took {first:?}"
    );
    assert!(second < first / 2, "second request took {second:?}");
}
