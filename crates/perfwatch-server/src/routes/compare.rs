//! `GET /compare`: a session against a baseline or another session.

use crate::errors::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::memo::compare_key;
use crate::openapi::SessionDocument;
use crate::respond::{document, memoized};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use perfwatch_app::analyze_against;
use perfwatch_app::load::{load_stored, load_stored_reference};
use serde::Deserialize;
use utoipa::IntoParams;

/// The two sides.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The reference: a saved baseline's name, or a session (id, prefix, `latest`, `latest~N`).
    pub base: String,
    /// The session compared with it (id, prefix, `latest`, `latest~N`), or a baseline.
    pub candidate: String,
}

/// The candidate's analysis against the base: the document `perfwatch
/// compare BASE CANDIDATE --export-json FILE` writes, byte for byte.
#[utoipa::path(
    get,
    path = "/compare",
    tag = "sessions",
    params(CompareQuery),
    responses(
        (status = 200, description = "The candidate's analysis, compared with the base", body = SessionDocument),
        (status = 400, description = "A parameter is missing or ambiguous, or the sides share nothing to compare", body = ErrorBody),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 404, description = "A side is neither a baseline nor a session", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn compare(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> ApiResult<Response> {
    let answer = state
        .blocking(move |s| {
            let store = &**s.store();
            s.memo().get_or_compute(
                || compare_key(store, &q.base, &q.candidate),
                || {
                    let fields = [
                        ("base", q.base.as_str()),
                        ("candidate", q.candidate.as_str()),
                    ];
                    let located = |e: perfwatch_app::AppError| ApiError::from(e).located(&fields);
                    let base =
                        load_stored_reference(store, &q.base, s.options()).map_err(located)?;
                    let ((session, iterations), _) =
                        load_stored(store, &q.candidate).map_err(located)?;
                    memoized(
                        analyze_against(session, iterations, &base, s.options())
                            .map_err(located)?,
                    )
                },
            )
        })
        .await?;
    Ok(document(&answer))
}
