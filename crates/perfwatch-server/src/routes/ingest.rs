//! `POST /sessions`: store a session measured elsewhere, from its
//! `perfwatch.session.v1` document (what `perfwatch push` sends).

use crate::errors::{ApiError, ApiResult, ErrorBody};
use crate::events::SessionEvent;
use crate::limits::body_error;
use crate::openapi::SessionDocument;
use crate::respond::pretty;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use perfwatch_app::ingest::{parse_for_store, store_document, Ingested};
use serde::Serialize;
use utoipa::ToSchema;

/// What became of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestReply {
    /// The session's full id.
    pub id: String,
    /// Whether it was stored now (201) rather than found stored already
    /// with the same contents (200).
    pub created: bool,
    /// Its iterations, warm-ups included.
    pub iterations: usize,
}

/// Stores a session and its iterations from a `perfwatch.session.v1`
/// document — all of it, or nothing. Idempotent by session id: the same
/// session again stores nothing and answers 200; another session under a
/// stored id is refused (409). The document is checked whole before
/// anything is written; a bad one is a 400 naming the field. The
/// statistics in the document are not read (the server computes them
/// again). Needs a write token.
#[utoipa::path(
    post,
    path = "/sessions",
    tag = "sessions",
    request_body(content = SessionDocument, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = IngestReply),
        (status = 200, description = "Stored already, with the same contents: nothing was written", body = IngestReply),
        (status = 400, description = "Not a valid document; `field` names the offending field", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "A read token cannot write", body = ErrorBody),
        (status = 409, description = "A session of this id is stored with other contents", body = ErrorBody),
        (status = 413, description = "The request body is too large", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(|e| body_error(&e, state.max_body()))?;
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not UTF-8: {e}")))?;
    // Checked whole before the store is touched.
    let (session, iterations) = parse_for_store(text).map_err(perfwatch_app::AppError::from)?;
    let (id, benchmark, count) = (
        session.id.clone(),
        session.benchmark.clone(),
        iterations.len(),
    );
    let outcome = state
        .blocking(move |s| Ok(store_document(&**s.store(), &session, &iterations)?))
        .await?;
    let created = outcome == Ingested::Created;
    if created {
        state.publish(SessionEvent::Stored {
            id: id.clone(),
            benchmark,
            iterations: count,
        });
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    pretty(
        status,
        &IngestReply {
            id,
            created,
            iterations: count,
        },
    )
}
