//! Successful answers: JSON written exactly as the CLI writes it, so that
//! the server's bytes and `perfwatch … --format json`'s are the same.

use crate::errors::ApiError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use perfwatch_app::Analysis;
use perfwatch_report::{JsonRenderer, Render};
use serde::Serialize;

/// An analysis as the `perfwatch.session.v1` document, rendered by the
/// CLI's own JSON renderer (`report --format json`, `compare
/// --export-json`).
pub fn document(analysis: &Analysis) -> Result<Response, ApiError> {
    let mut bytes = Vec::new();
    JsonRenderer
        .render(analysis, &mut bytes)
        .map_err(ApiError::internal)?;
    Ok(json_bytes(StatusCode::OK, bytes))
}

/// `value` as pretty JSON with a trailing newline, as the CLI prints its
/// `--format json` listings (`history`, `detect`).
pub fn pretty<T: Serialize>(status: StatusCode, value: &T) -> Result<Response, ApiError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(ApiError::internal)?;
    bytes.push(b'\n');
    Ok(json_bytes(status, bytes))
}

fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
