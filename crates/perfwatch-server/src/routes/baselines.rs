//! `/baselines`: saved, named references — `perfwatch baseline list`,
//! `show`, `save` and `delete`.

use crate::errors::{ApiError, ApiResult, ErrorBody};
use crate::extract::{parse_json_body, ApiPath};
use crate::limits::body_error;
use crate::openapi::SessionDocument;
use crate::respond::pretty;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use perfwatch_app::analyze;
use perfwatch_app::load::load_baseline_raw;
use perfwatch_store::Baseline;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A saved baseline.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineBody {
    /// Its name.
    pub name: String,
    /// When it was saved (RFC 3339 UTC).
    pub created_at: String,
    /// What it is for.
    pub description: Option<String>,
    /// The sessions it pools, full ids.
    pub session_ids: Vec<String>,
}

impl From<Baseline> for BaselineBody {
    fn from(b: Baseline) -> Self {
        BaselineBody {
            name: b.name,
            created_at: b.created_at,
            description: b.description,
            session_ids: b.session_ids,
        }
    }
}

/// Every saved baseline, by name.
#[utoipa::path(
    get,
    path = "/baselines",
    tag = "baselines",
    responses(
        (status = 200, description = "The baselines, by name", body = Vec<BaselineBody>),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<BaselineBody>>> {
    let list = state.blocking(|s| Ok(s.store().list_baselines()?)).await?;
    Ok(Json(list.into_iter().map(BaselineBody::from).collect()))
}

/// A baseline with the analysis of its pooled sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineDetail {
    /// The baseline.
    #[serde(flatten)]
    pub baseline: BaselineBody,
    /// The analysis of its sessions' iterations pooled (as `perfwatch
    /// baseline show` shows it).
    #[schema(value_type = SessionDocument)]
    pub analysis: perfwatch_app::Analysis,
}

/// One baseline, with the analysis of its sessions pooled.
#[utoipa::path(
    get,
    path = "/baselines/{name}",
    tag = "baselines",
    params(("name" = String, Path, description = "The baseline's name")),
    responses(
        (status = 200, description = "The baseline and its analysis", body = BaselineDetail),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 404, description = "No such baseline", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<BaselineDetail>> {
    let detail = state
        .blocking(move |s| {
            let located = |e: ApiError| e.with_field("name");
            let baseline = s
                .store()
                .get_baseline(&name)
                .map_err(|e| located(e.into()))?;
            let (session, iterations) =
                load_baseline_raw(&**s.store(), &name).map_err(|e| located(e.into()))?;
            Ok(BaselineDetail {
                baseline: baseline.into(),
                analysis: analyze(session, iterations, None, s.options()),
            })
        })
        .await?;
    Ok(Json(detail))
}

/// A baseline to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveBaseline {
    /// Its name: not empty, without control characters.
    pub name: String,
    /// The session it refers to: an id, a unique prefix, `latest` or `latest~N`.
    pub session: String,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Replace a baseline of this name (otherwise that is a 409).
    #[serde(default)]
    pub overwrite: bool,
}

/// Saves a baseline over one stored session, as `perfwatch baseline save
/// NAME SESSION` does. Needs a write token.
#[utoipa::path(
    post,
    path = "/baselines",
    tag = "baselines",
    request_body(content = SaveBaseline, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Saved", body = BaselineBody),
        (status = 400, description = "Not a valid request; `field` names the offending field", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "A read token cannot write", body = ErrorBody),
        (status = 404, description = "No such session", body = ErrorBody),
        (status = 409, description = "A baseline of this name exists, and overwrite was not asked for", body = ErrorBody),
        (status = 413, description = "The request body is too large", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn save(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(|e| body_error(&e, state.max_body()))?;
    let req: SaveBaseline = parse_json_body(&body, "baseline request")?;
    let saved = state
        .blocking(move |s| {
            let fields = [
                ("name", req.name.as_str()),
                ("session", req.session.as_str()),
            ];
            let id = s
                .store()
                .resolve_session(&req.session)
                .map_err(|e| ApiError::from(e).with_field("session"))?;
            s.store()
                .save_baseline(
                    &req.name,
                    std::slice::from_ref(&id),
                    req.description.as_deref(),
                    req.overwrite,
                )
                .map_err(|e| ApiError::from(e).located(&fields))
        })
        .await?;
    pretty(StatusCode::CREATED, &BaselineBody::from(saved))
}

/// Deletes a baseline; its sessions are kept. Needs a write token.
#[utoipa::path(
    delete,
    path = "/baselines/{name}",
    tag = "baselines",
    params(("name" = String, Path, description = "The baseline's name")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Deleted", body = crate::routes::sessions::Deleted),
        (status = 400, description = "Not a baseline name", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "A read token cannot write", body = ErrorBody),
        (status = 404, description = "No such baseline", body = ErrorBody),
        (status = 413, description = "The request body is too large", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<crate::routes::sessions::Deleted>> {
    if name.chars().any(char::is_control) {
        return Err(
            ApiError::bad_request("a baseline name has no control characters").with_field("name"),
        );
    }
    let deleted = name.clone();
    state
        .blocking(move |s| {
            s.store()
                .delete_baseline(&name)
                .map_err(|e| ApiError::from(e).with_field("name"))
        })
        .await?;
    Ok(Json(crate::routes::sessions::Deleted { deleted }))
}
