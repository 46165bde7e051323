//! The service's own counters and their Prometheus text rendering.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by every request.
#[derive(Debug)]
pub(crate) struct Metrics {
    pool_size: usize,
    requests: AtomicU64,
    cache_hits: AtomicU64,
    cache_lookups: AtomicU64,
    in_flight: AtomicU64,
}

/// Counts a request as in flight until dropped.
pub(crate) struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// Zeroed counters for a runtime with `pool_size` workers.
    pub(crate) fn new(pool_size: usize) -> Self {
        Self {
            pool_size,
            requests: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            cache_lookups: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
        }
    }

    /// Counts a playlist request; it stays in flight while the guard lives.
    pub(crate) fn request(&self) -> InFlight<'_> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Counts a cache lookup and whether it hit.
    pub(crate) fn cache_lookup(&self, hit: bool) {
        self.cache_lookups.fetch_add(1, Ordering::Relaxed);
        if hit {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The Prometheus text exposition of every metric.
    pub(crate) fn render(&self) -> String {
        let hits = self.cache_hits.load(Ordering::Relaxed);
        let lookups = self.cache_lookups.load(Ordering::Relaxed);
        let hit_rate = if lookups == 0 {
            0.0
        } else {
            hits as f64 / lookups as f64
        };
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: &dyn std::fmt::Display| {
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
            );
        };
        let requests = self.requests.load(Ordering::Relaxed);
        let in_flight = self.in_flight.load(Ordering::Relaxed);
        metric(
            "demo_requests_total",
            "counter",
            "Playlist requests received.",
            &requests,
        );
        metric(
            "demo_cache_hits_total",
            "counter",
            "Cache lookups that found the playlist.",
            &hits,
        );
        metric(
            "demo_cache_lookups_total",
            "counter",
            "Cache lookups made.",
            &lookups,
        );
        metric(
            "demo_cache_hit_rate",
            "gauge",
            "Cache hits per lookup (0 before any lookup).",
            &hit_rate,
        );
        metric(
            "demo_pool_size",
            "gauge",
            "Worker threads serving requests.",
            &self.pool_size,
        );
        metric(
            "demo_in_flight",
            "gauge",
            "Playlist requests being served now.",
            &in_flight,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_metric_with_help_and_type() {
        let metrics = Metrics::new(2);
        let guard = metrics.request();
        metrics.cache_lookup(false);
        metrics.cache_lookup(true);
        let text = metrics.render();
        drop(guard);
        assert!(text.contains(
            "# HELP demo_cache_hit_rate Cache hits per lookup (0 before any lookup).\n\
             # TYPE demo_cache_hit_rate gauge\n\
             demo_cache_hit_rate 0.5\n"
        ));
        for line in [
            "demo_requests_total 1",
            "demo_cache_hits_total 1",
            "demo_cache_lookups_total 2",
            "demo_pool_size 2",
            "demo_in_flight 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from\n{text}"
            );
        }
        assert!(metrics.render().lines().any(|l| l == "demo_in_flight 0"));
    }

    #[test]
    fn hit_rate_is_zero_before_any_lookup() {
        let text = Metrics::new(1).render();
        assert!(text.lines().any(|l| l == "demo_cache_hit_rate 0"));
    }
}
