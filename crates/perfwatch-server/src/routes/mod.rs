//! The routes of `/api/v1`, one module per resource. Each handler parses
//! its request, calls the application layer (`perfwatch-app`) exactly as
//! the matching CLI command does, and renders the answer; none computes
//! anything itself.

pub mod alerts;
pub mod baselines;
pub mod benchmarks;
pub mod compare;
pub mod history;
pub mod ingest;
pub mod live_runs;
pub mod meta;
pub mod sessions;

use crate::errors::ApiError;
use crate::state::AppState;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every route of the REST API, relative to `/api/v1`, with its OpenAPI
/// description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(benchmarks::list))
        .routes(routes!(sessions::list, ingest::create))
        .routes(routes!(sessions::get, sessions::delete))
        .routes(routes!(sessions::findings))
        .routes(routes!(sessions::health))
        .routes(routes!(compare::compare))
        .routes(routes!(history::series))
        .routes(routes!(history::change_points))
        .routes(routes!(baselines::list, baselines::save))
        .routes(routes!(baselines::get, baselines::delete))
        .routes(routes!(live_runs::list, live_runs::report))
        .routes(routes!(alerts::list))
        .routes(routes!(meta::openapi))
}

/// The answer to a path no route serves.
pub async fn no_route() -> ApiError {
    ApiError::not_found("no such route (the routes are listed at /api/v1/openapi.json)")
}

/// The answer to a method a route does not serve.
pub async fn no_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this route does not serve that method (see /api/v1/openapi.json)",
    )
}
