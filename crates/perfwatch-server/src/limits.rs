//! Request body limits: a body larger than the limit is refused with 413
//! before anything reads it (by its `Content-Length`) or while it is read
//! (a chunked body, by axum's `DefaultBodyLimit`).

use crate::errors::ApiError;
use crate::state::AppState;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The default largest request body: 32 MiB, a session of thousands of
/// iterations with their stages.
pub const DEFAULT_MAX_BODY: usize = 32 << 20;

/// The middleware: 413 for a request that announces a body over the
/// limit.
pub async fn refuse_large_bodies(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let max = state.max_body();
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match announced {
        Some(n) if n > max as u64 => too_large(max).into_response(),
        _ => next.run(request).await,
    }
}

/// The 413 answer.
pub fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the request body is larger than this server accepts ({max} bytes; see --max-body)"
        ),
    )
}

/// A body that could not be read: over the limit (413) or cut off (400).
pub fn body_error(e: &BytesRejection, max: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max)
    } else {
        ApiError::bad_request(format!("failed to read the request body: {e}"))
    }
}
