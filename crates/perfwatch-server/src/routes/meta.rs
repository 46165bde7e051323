//! `GET /openapi.json`: this API's OpenAPI document.

use crate::errors::ErrorBody;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Extension;
use std::sync::Arc;

/// The OpenAPI document, rendered once when the router is built.
#[derive(Debug, Clone)]
pub struct OpenApiJson(pub Arc<String>);

/// The OpenAPI 3.1 document of this API, generated from the code.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses(
        (status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
    )
)]
pub async fn openapi(Extension(doc): Extension<OpenApiJson>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        doc.0.as_str().to_owned(),
    )
}
