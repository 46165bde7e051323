//! Successful answers: JSON written exactly as the CLI writes it, so that
//! the server's bytes and `perfwatch … --format json`'s are the same.

use crate::errors::ApiError;
use crate::memo::Memoized;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use perfwatch_app::Analysis;
use perfwatch_report::{JsonRenderer, Render};
use serde::Serialize;

/// An analysis with its `perfwatch.session.v1` document, rendered by the
/// CLI's own JSON renderer (`report --format json`, `compare
/// --export-json`).
pub fn memoized(analysis: Analysis) -> Result<Memoized, ApiError> {
    let mut document = Vec::new();
    JsonRenderer
        .render(&analysis, &mut document)
        .map_err(ApiError::internal)?;
    Ok(Memoized { analysis, document })
}

/// A rendered document as the answer.
pub fn document(memoized: &Memoized) -> Response {
    json_bytes(StatusCode::OK, memoized.document.clone())
}

/// `value` as pretty JSON with a trailing newline, as the CLI prints its
/// `--format json` listings (`history`, `detect`).
pub fn pretty<T: Serialize>(status: StatusCode, value: &T) -> Result<Response, ApiError> {
    Ok(json_bytes(status, pretty_bytes(value)?))
}

/// `value` as pretty JSON with a trailing newline: the body [`pretty`]
/// answers with.
pub fn pretty_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(ApiError::internal)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `value` as compact JSON: the body axum's `Json` answers with.
pub fn compact_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(ApiError::internal)
}

/// A JSON body already rendered, with status 200.
pub fn rendered(bytes: &[u8]) -> Response {
    json_bytes(StatusCode::OK, bytes.to_vec())
}

fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
