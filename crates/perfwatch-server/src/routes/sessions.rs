//! `/sessions`: listing, one session's analysis (whole, or its findings or
//! health), deleting.

use crate::errors::{ApiError, ApiResult, ErrorBody};
use crate::events::SessionEvent;
use crate::extract::{ApiPath, ApiQuery};
use crate::memo::{generation_key, Rendered};
use crate::memo::{session_key, Memoized};
use crate::openapi::{Finding, Health, SessionDocument};
use crate::respond::{compact_bytes, document, memoized, rendered};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use perfwatch_app::history::normalise_since;
use perfwatch_app::listing::{sessions, ListedSession};
use perfwatch_app::load::analyze_stored;
use perfwatch_store::{is_valid_session_id, SessionFilter};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// The default page size of the listing.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page size of the listing.
pub const MAX_LIMIT: usize = 1000;

/// Which sessions to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only sessions of this benchmark.
    pub benchmark: Option<String>,
    /// Only sessions that ran on this git branch.
    pub branch: Option<String>,
    /// Only sessions whose git commit starts with this (a full hash or a prefix).
    pub commit: Option<String>,
    /// Only sessions started on or after this date (YYYY-MM-DD or RFC 3339 UTC).
    pub since: Option<String>,
    /// Sessions per page (1 to 1000; default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// Sessions to skip, newest first (default 0): the next page starts at `next_offset`.
    #[param(minimum = 0)]
    pub offset: Option<usize>,
}

/// One page of the listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionPage {
    /// The sessions, newest first.
    pub sessions: Vec<ListedSession>,
    /// Where this page starts.
    pub offset: usize,
    /// The page size asked for.
    pub limit: usize,
    /// Where the next page starts; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

/// Lists sessions, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/sessions",
    tag = "sessions",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of sessions, newest first", body = SessionPage),
        (status = 400, description = "A query parameter is invalid", body = ErrorBody),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(
            ApiError::bad_request(format!("limit must be 1 to {MAX_LIMIT}")).with_field("limit"),
        );
    }
    let offset = q.offset.unwrap_or(0);
    let since = q
        .since
        .as_deref()
        .map(normalise_since)
        .transpose()
        .map_err(|e| ApiError::from(e).with_field("since"))?;
    // One more than the page: whether there is a next page.
    let filter = SessionFilter {
        benchmark: q.benchmark,
        branch: q.branch,
        commit: q.commit,
        since,
        limit: Some(limit + 1),
        offset,
        ..SessionFilter::default()
    };
    let query = serde_json::json!({
        "route": "sessions", "benchmark": filter.benchmark, "branch": filter.branch,
        "commit": filter.commit, "since": filter.since, "limit": limit, "offset": offset,
    });
    let answer = state
        .blocking(move |s| {
            let store = &**s.store();
            s.answers().get_or_compute(
                || generation_key(store, filter.benchmark.as_deref(), query.clone()),
                || {
                    let mut rows = sessions(store, &filter)?;
                    let next_offset = (rows.len() > limit).then(|| offset.saturating_add(limit));
                    rows.truncate(limit);
                    let page = SessionPage {
                        sessions: rows,
                        offset,
                        limit,
                        next_offset,
                    };
                    Ok::<_, ApiError>(Rendered(compact_bytes(&page)?))
                },
            )
        })
        .await?;
    Ok(rendered(&answer.0))
}

/// What to compare a session with.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BaselineQuery {
    /// Compare with this saved baseline [default: the baseline the session was compared with when it ran, if any].
    pub baseline: Option<String>,
}

/// The analysis of the stored session `spec`, as `perfwatch report`
/// gives it (remembered: [`crate::memo`]).
async fn analysis(
    state: &AppState,
    spec: String,
    baseline: Option<String>,
) -> ApiResult<Arc<Memoized>> {
    state
        .blocking(move |s| {
            let store = &**s.store();
            s.memo().get_or_compute(
                || session_key(store, &spec, baseline.as_deref()),
                || {
                    let analysis = analyze_stored(store, &spec, baseline.as_deref(), s.options())
                        .map_err(|e| {
                        ApiError::from(e).located(&[
                            ("baseline", baseline.as_deref().unwrap_or_default()),
                            ("id", &spec),
                        ])
                    })?;
                    memoized(analysis)
                },
            )
        })
        .await
}

/// A stored session's analysis: the `perfwatch.session.v1` document that
/// `perfwatch report ID --format json` prints, byte for byte.
#[utoipa::path(
    get,
    path = "/sessions/{id}",
    tag = "sessions",
    params(
        ("id" = String, Path, description = "A session id, a unique prefix of at least 4 characters, `latest` or `latest~N`", pattern = "^([0-9a-f]{4,64}|latest(~[0-9]+)?)$"),
        BaselineQuery,
    ),
    responses(
        (status = 200, description = "The session's analysis", body = SessionDocument),
        (status = 400, description = "The id is ambiguous or too short, or a parameter is invalid", body = ErrorBody),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 404, description = "No such session or baseline", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BaselineQuery>,
) -> ApiResult<Response> {
    Ok(document(&*analysis(&state, id, q.baseline).await?))
}

/// A session's findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingsBody {
    /// The session's full id.
    pub session_id: String,
    /// Its findings, ranked by impact (as in its analysis).
    #[schema(value_type = Vec<Finding>)]
    pub findings: Vec<perfwatch_model::Finding>,
}

/// A stored session's findings: the `findings` of its analysis.
#[utoipa::path(
    get,
    path = "/sessions/{id}/findings",
    tag = "sessions",
    params(
        ("id" = String, Path, description = "A session id, a unique prefix of at least 4 characters, `latest` or `latest~N`", pattern = "^([0-9a-f]{4,64}|latest(~[0-9]+)?)$"),
        BaselineQuery,
    ),
    responses(
        (status = 200, description = "The session's findings", body = FindingsBody),
        (status = 400, description = "The id is ambiguous or too short, or a parameter is invalid", body = ErrorBody),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 404, description = "No such session or baseline", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn findings(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BaselineQuery>,
) -> ApiResult<Json<FindingsBody>> {
    let a = &analysis(&state, id, q.baseline).await?.analysis;
    Ok(Json(FindingsBody {
        session_id: a.session.id.clone(),
        findings: a.findings.clone(),
    }))
}

/// A session's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthBody {
    /// The session's full id.
    pub session_id: String,
    /// Its health score and deductions (as in its analysis).
    #[schema(value_type = Health)]
    pub health: perfwatch_model::Health,
}

/// A stored session's health score, with its deductions.
#[utoipa::path(
    get,
    path = "/sessions/{id}/health",
    tag = "sessions",
    params(
        ("id" = String, Path, description = "A session id, a unique prefix of at least 4 characters, `latest` or `latest~N`", pattern = "^([0-9a-f]{4,64}|latest(~[0-9]+)?)$"),
        BaselineQuery,
    ),
    responses(
        (status = 200, description = "The session's health", body = HealthBody),
        (status = 400, description = "The id is ambiguous or too short, or a parameter is invalid", body = ErrorBody),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 404, description = "No such session or baseline", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn health(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BaselineQuery>,
) -> ApiResult<Json<HealthBody>> {
    let a = &analysis(&state, id, q.baseline).await?.analysis;
    let health = a
        .health
        .clone()
        .ok_or_else(|| ApiError::internal("an analysis without health"))?;
    Ok(Json(HealthBody {
        session_id: a.session.id.clone(),
        health,
    }))
}

/// What was deleted.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    /// The session id or baseline name.
    pub deleted: String,
}

/// Deletes a session with its iterations. Refused (409) while a baseline
/// refers to it. Needs a write token.
#[utoipa::path(
    delete,
    path = "/sessions/{id}",
    tag = "sessions",
    params(("id" = String, Path, description = "The session's full id (no prefix, no `latest`: a delete names exactly what it deletes)", pattern = "^[0-9a-f]{4,64}$")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Deleted", body = Deleted),
        (status = 400, description = "Not a session id", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "A read token cannot write", body = ErrorBody),
        (status = 404, description = "No such session", body = ErrorBody),
        (status = 409, description = "A baseline refers to the session", body = ErrorBody),
        (status = 413, description = "The request body is too large", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Deleted>> {
    if !is_valid_session_id(&id) {
        return Err(ApiError::bad_request(format!(
            "`{id}` is not a session id: a delete needs the full id (lowercase hex digits)"
        ))
        .with_field("id"));
    }
    let deleted = id.clone();
    state
        .blocking(move |s| {
            s.store()
                .delete_session(&id)
                .map_err(|e| ApiError::from(e).with_field("id"))
        })
        .await?;
    state.publish(SessionEvent::Deleted {
        id: deleted.clone(),
    });
    Ok(Json(Deleted { deleted }))
}
