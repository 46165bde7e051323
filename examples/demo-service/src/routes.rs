//! The HTTP endpoints.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::app::App;

/// Tracks in a playlist unless `len` says otherwise.
const DEFAULT_LEN: usize = 10;
/// Most tracks a playlist may have.
const MAX_LEN: usize = 100;

/// The service's routes over `app`.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/playlist", get(playlist))
        .route("/metrics", get(metrics))
        .with_state(app)
}

async fn health() -> &'static str {
    "ok"
}

#[derive(Debug, Deserialize)]
struct PlaylistQuery {
    seed: u64,
    len: Option<usize>,
}

async fn playlist(State(app): State<Arc<App>>, Query(query): Query<PlaylistQuery>) -> Response {
    let _in_flight = app.metrics.request();
    app.stall().await;
    let len = query.len.unwrap_or(DEFAULT_LEN);
    if len > MAX_LEN {
        let message = format!("len must be at most {MAX_LEN}\n");
        return (StatusCode::BAD_REQUEST, message).into_response();
    }
    Json(app.playlist(query.seed, len).await).into_response()
}

async fn metrics(State(app): State<Arc<App>>) -> impl IntoResponse {
    let content_type = "text/plain; version=0.0.4; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], app.metrics.render())
}
