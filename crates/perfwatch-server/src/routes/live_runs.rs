//! `POST /live/runs` and `GET /live/runs`: the runs in progress, as the
//! CLIs measuring them report (`perfwatch run --push` sends a
//! `perfwatch.live.v1` snapshot about once a second). Kept in memory
//! only ([`crate::live_runs`]); the stored session arrives as usual at the
//! run's end through `POST /sessions`.

use crate::errors::{ApiError, ApiResult, ErrorBody};
use crate::limits::body_error;
use crate::openapi::{LiveRunList, LiveSnapshotDocument};
use crate::respond::pretty;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use perfwatch_app::live::parse_snapshot;
use serde::Serialize;

/// The runs in progress.
#[derive(Debug, Serialize)]
struct RunList {
    runs: Vec<perfwatch_model::LiveSnapshot>,
}

/// Keeps a run's newest snapshot (replacing the one before) and announces
/// it on the live page's event stream (`event: live`). The body is checked
/// whole: a bad one is a 400 naming the field, and nothing is kept. Needs
/// a write token.
#[utoipa::path(
    post,
    path = "/live/runs",
    tag = "live",
    request_body(content = LiveSnapshotDocument, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Kept"),
        (status = 400, description = "Not a valid snapshot; `field` names the offending field", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "A read token cannot write", body = ErrorBody),
        (status = 413, description = "The request body is too large", body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<StatusCode> {
    let body = body.map_err(|e| body_error(&e, state.max_body()))?;
    let snapshot = parse_snapshot(&body).map_err(|e| {
        let err = ApiError::bad_request(e.to_string());
        match e.field {
            Some(field) => err.with_field(field),
            None => err,
        }
    })?;
    state.live_runs().put(snapshot);
    Ok(StatusCode::NO_CONTENT)
}

/// The runs in progress (and those that ended moments ago), the one
/// updated last first, each as its newest `perfwatch.live.v1` snapshot.
#[utoipa::path(
    get,
    path = "/live/runs",
    tag = "live",
    responses(
        (status = 200, description = "The runs in progress", body = LiveRunList),
        (status = 401, description = "This server needs a token to read", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>) -> ApiResult<Response> {
    pretty(
        StatusCode::OK,
        &RunList {
            runs: state.live_runs().list(),
        },
    )
}
