//! `GET /alerts`: every regression alert of every monitored pipeline, open
//! and resolved, derived from the stored runs (once per change of the
//! history, [`crate::alert_board`]) — so every server over one database,
//! and a restarted one, gives the same list with the same ids.

use crate::errors::{ApiResult, ErrorBody};
use crate::openapi::AlertList;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;

/// Every alert of every monitored pipeline (`SERVICE/ROOT`), open and
/// resolved, by pipeline, then first run, then stage: the stage (or the
/// application metric), what deviated (`slower`, `over_budget` with
/// `what`, `app_metric` with `op`), the ratio and its 95 % interval, the
/// severity, the first run and version, and `state` (`open`, or
/// `resolved` with `resolved_at`).
#[utoipa::path(
    get,
    path = "/alerts",
    tag = "monitoring",
    responses(
        (status = 200, description = "The alerts", body = AlertList),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 500, description = "The store failed, or a saved baseline a pipeline names is gone", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let alerts = state
        .blocking(|s| Ok(s.alerts().current(&**s.store())?))
        .await?;
    Ok(Json(serde_json::json!({ "alerts": &*alerts })))
}
