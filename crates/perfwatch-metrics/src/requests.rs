//! The server's own figures: API requests by route, method and status,
//! and their durations by route.

use crate::labels::{label_value, method_label};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Most distinct `route` label values; later routes are counted under
/// `route="other"`. Routes are the server's templates
/// (`/api/v1/sessions/{id}`), a few dozen: the bound only guards against
/// a caller passing raw paths.
pub const MAX_ROUTES: usize = 128;

/// Upper bounds of the request-duration buckets, seconds: 0.5 ms to 10 s.
const DURATION_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

/// `perfwatch_api_requests_total` and
/// `perfwatch_api_request_duration_seconds`.
#[derive(Debug)]
pub(crate) struct RequestMetrics {
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    routes: Mutex<HashSet<String>>,
}

impl RequestMetrics {
    /// The families, registered in `registry`.
    pub fn register(registry: &mut Registry) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::new_with_constructor(duration_histogram as fn() -> Histogram);
        registry.register(
            "perfwatch_api_requests",
            "API requests answered, by route template, method and status",
            requests.clone(),
        );
        registry.register_with_unit(
            "perfwatch_api_request_duration",
            "Time to answer an API request, by route template",
            Unit::Seconds,
            durations.clone(),
        );
        RequestMetrics {
            requests,
            durations,
            routes: Mutex::new(HashSet::new()),
        }
    }

    pub fn record(&self, route: &str, method: &str, status: u16, duration: Duration) {
        let route = self.route_label(route);
        self.requests
            .get_or_create(&RequestLabels {
                route: route.clone(),
                method: method_label(method),
                status,
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels { route })
            .observe(duration.as_secs_f64());
    }

    /// `route` as a label value, or `other` once [`MAX_ROUTES`] others
    /// were seen.
    fn route_label(&self, route: &str) -> String {
        let route = label_value(route);
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        if routes.contains(&route) {
            return route;
        }
        if routes.len() < MAX_ROUTES {
            routes.insert(route.clone());
            return route;
        }
        "other".to_owned()
    }
}
