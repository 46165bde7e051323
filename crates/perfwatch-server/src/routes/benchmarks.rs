//! `GET /benchmarks`: the benchmarks of the history.

use crate::errors::{ApiError, ApiResult, ErrorBody};
use crate::memo::{generation_key, Rendered};
use crate::respond::{compact_bytes, rendered};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use perfwatch_app::listing::{benchmarks, BenchmarkEntry};

/// Every benchmark of the history, by name, with its count of sessions
/// and its newest session.
#[utoipa::path(
    get,
    path = "/benchmarks",
    tag = "sessions",
    responses(
        (status = 200, description = "The benchmarks, by name", body = Vec<BenchmarkEntry>),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>) -> ApiResult<Response> {
    let answer = state
        .blocking(|s| {
            let store = &**s.store();
            s.answers().get_or_compute(
                || generation_key(store, None, serde_json::json!({ "route": "benchmarks" })),
                || Ok::<_, ApiError>(Rendered(compact_bytes(&benchmarks(store)?)?)),
            )
        })
        .await?;
    Ok(rendered(&answer.0))
}
