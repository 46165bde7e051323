//! Prometheus: `GET /metrics` (OpenMetrics for Prometheus, which asks for
//! it; the classic text format for `curl` and `promtool`), and every
//! request counted by its route's template, method and status — those no
//! route answered (refused tokens, bodies too large, unknown paths) under
//! `route="unrouted"`.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use perfwatch_metrics::MetricsHub;
use std::sync::Arc;
use std::time::Instant;

/// The route of the exposition.
pub const METRICS_PATH: &str = "/metrics";

/// `GET /metrics`, answered from `hub`'s precomputed figures.
pub fn metrics_routes(hub: Arc<MetricsHub>) -> Router<AppState> {
    Router::new()
        .route(METRICS_PATH, get(exposition))
        .layer(Extension(hub))
}

async fn exposition(Extension(hub): Extension<Arc<MetricsHub>>, headers: HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let (content_type, body) = hub.render_for(accept);
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Middleware counting each request in `hub`: the matched route's
/// template (`/api/v1/sessions/{id}`; `unmatched` for none, so that
/// scanned paths make no series), the method, the status and the time to
/// answer.
pub async fn count_requests(
    State(hub): State<Arc<MetricsHub>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().as_str().to_string();
    let mut response = next.run(request).await;
    hub.record_request(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response.extensions_mut().insert(Counted);
    response
}

/// Marks a response [`count_requests`] counted.
#[derive(Clone, Copy)]
struct Counted;

/// The route label of requests answered before or without routing.
pub const UNROUTED: &str = "unrouted";

/// Middleware, outermost, counting the requests that no route answered
/// under [`UNROUTED`]: refused before routing (401 and 403 for tokens,
/// 413 for a body too large) or matching no route (404, 405), so that
/// failed authentication shows in Prometheus too.
pub async fn count_unrouted(
    State(hub): State<Arc<MetricsHub>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let response = next.run(request).await;
    if response.extensions().get::<Counted>().is_none() {
        hub.record_request(
            UNROUTED,
            &method,
            response.status().as_u16(),
            started.elapsed(),
        );
    }
    response
}
