//! `--cache on`: repeated seeds are served from the cache and counted.

use crate::harness::Service;

#[test]
fn repeated_seeds_hit_the_cache() {
    let service = Service::start(&["--init", "lazy", "--cache", "on"]);
    for _ in 0..2 {
        for seed in 0..5 {
            service.get(&format!("/api/playlist?seed={seed}"));
        }
    }
    assert_eq!(service.metric("demo_cache_hits_total"), 5.0);
    assert_eq!(service.metric("demo_cache_lookups_total"), 10.0);
    assert_eq!(service.metric("demo_cache_hit_rate"), 0.5);
}

#[test]
fn cache_off_makes_no_lookups() {
    let service = Service::start(&["--init", "lazy"]);
    service.get("/api/playlist?seed=1");
    service.get("/api/playlist?seed=1");
    assert_eq!(service.metric("demo_cache_lookups_total"), 0.0);
    assert_eq!(service.metric("demo_cache_hit_rate"), 0.0);
    assert_eq!(service.metric("demo_requests_total"), 2.0);
}
