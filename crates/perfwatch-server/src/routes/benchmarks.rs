//! `GET /benchmarks`: the benchmarks of the history.

use crate::errors::{ApiResult, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
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
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<BenchmarkEntry>>> {
    let list = state.blocking(|s| Ok(benchmarks(&**s.store())?)).await?;
    Ok(Json(list))
}
