//! Building the server's router: the REST API with its OpenAPI document,
//! routes others add (documented API routes, or plain ones such as
//! `/metrics` or a live dashboard), and the layers every request passes —
//! token check first, then the body limit.

use crate::auth::authorize;
use crate::limits::refuse_large_bodies;
use crate::observe::{count_requests, count_unrouted, metrics_routes};
use crate::openapi::ApiDoc;
use crate::routes::meta::OpenApiJson;
use crate::routes::{api, no_method, no_route};
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::{Extension, Router};
use perfwatch_metrics::MetricsHub;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Where the REST API lives.
pub const API_PREFIX: &str = "/api/v1";

/// Builds the router: [`new`](ServerBuilder::new) has the REST API; add
/// routes, then [`build`](ServerBuilder::build).
///
/// ```
/// # use perfwatch_server::{AppState, ServerBuilder, AccessPolicy};
/// # use axum::routing::get;
/// # let dir = tempfile::tempdir().unwrap();
/// # let store = std::sync::Arc::new(perfwatch_store::SqliteStore::open(&dir.path().join("h.db")).unwrap());
/// let state = AppState::new(store, Default::default(), AccessPolicy::default(), 1 << 20);
/// let router = ServerBuilder::new(state)
///     .routes(axum::Router::new().route("/metrics", get(|| async { "# EOF\n" })))
///     .build();
/// # let _ = router;
/// ```
pub struct ServerBuilder {
    state: AppState,
    api: OpenApiRouter<AppState>,
    plain: Router<AppState>,
    metrics: Option<Arc<MetricsHub>>,
}

impl ServerBuilder {
    /// A builder with the REST API of `/api/v1`.
    pub fn new(state: AppState) -> ServerBuilder {
        ServerBuilder {
            state,
            api: api(),
            plain: Router::new(),
            metrics: None,
        }
    }

    /// Adds routes under `/api/v1`, described in the OpenAPI document by
    /// their `#[utoipa::path]` annotations (paths relative to `/api/v1`).
    pub fn api_routes(mut self, routes: OpenApiRouter<AppState>) -> ServerBuilder {
        self.api = self.api.merge(routes);
        self
    }

    /// Adds routes outside the REST API (`/metrics`, a live dashboard),
    /// at the paths they name. They pass the same token check (reads need
    /// a token only with `--read-token-required`) and body limit, and are
    /// not in the OpenAPI document.
    pub fn routes(mut self, routes: Router<AppState>) -> ServerBuilder {
        self.plain = self.plain.merge(routes);
        self
    }

    /// Serves `hub` at `/metrics` and counts every request in it: by route
    /// template, method and status; those refused before routing (a
    /// missing token, a body too large) or matching no route under
    /// `route="unrouted"`.
    pub fn with_metrics(mut self, hub: Arc<MetricsHub>) -> ServerBuilder {
        self.plain = self.plain.merge(metrics_routes(hub.clone()));
        self.metrics = Some(hub);
        self
    }

    /// The OpenAPI document of the routes added so far.
    pub fn openapi(&self) -> utoipa::openapi::OpenApi {
        documented(self.api.clone()).into_openapi()
    }

    /// The router, ready to serve.
    pub fn build(self) -> Router {
        let (router, doc) = documented(self.api).split_for_parts();
        let json = doc
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"the OpenAPI document failed: {e}\"}}"));
        let state = self.state;
        let mut router = router.merge(self.plain);
        if let Some(hub) = &self.metrics {
            router = router.route_layer(from_fn_with_state(hub.clone(), count_requests));
        }
        let mut router = router
            .fallback(no_route)
            .method_not_allowed_fallback(no_method)
            .layer(Extension(OpenApiJson(Arc::new(json))))
            .layer(DefaultBodyLimit::max(state.max_body()))
            .layer(from_fn_with_state(state.clone(), refuse_large_bodies))
            // Outermost but for counting, so first: a request without the
            // right token gets nothing else, not even a body size check.
            .layer(from_fn_with_state(state.clone(), authorize));
        if let Some(hub) = self.metrics {
            router = router.layer(from_fn_with_state(hub, count_unrouted));
        }
        router.with_state(state)
    }
}

/// The API routes under [`API_PREFIX`], with the document's fixed parts.
fn documented(api: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(API_PREFIX, api)
}
