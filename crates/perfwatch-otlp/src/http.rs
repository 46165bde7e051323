//! Taking one OTLP/HTTP export request, for every server that takes them
//! (the per-iteration receiver of `perfwatch run` and the team server's
//! `/v1/traces` and `/v1/metrics`): the method, content type and content
//! encoding checked, the body read within a size limit, decompressed
//! within the same limit and decoded; and the answers the OTLP/HTTP
//! specification asks for — `Export…ServiceResponse` on success (with
//! `partial_success` when something was rejected), a `google.rpc.Status`
//! with a 4xx status otherwise, both in the request's encoding.

use crate::decode::{decompress, Compression, DecodeError, Encoding};
use crate::inbox::{TOO_LARGE, UNDECODABLE};
use crate::respond::{
    status_body, CODE_INVALID_ARGUMENT, CODE_NOT_FOUND, CODE_RESOURCE_EXHAUSTED,
    CODE_UNAUTHENTICATED, CODE_UNIMPLEMENTED,
};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

/// The path OTLP/HTTP clients send metrics to.
pub const METRICS_PATH: &str = "/v1/metrics";

/// A request refused, with the answer it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    status: StatusCode,
    encoding: Encoding,
    code: i32,
    message: String,
    counted_as: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, encoding: Encoding, code: i32, message: String) -> Refusal {
        Refusal {
            status,
            encoding,
            code,
            message,
            counted_as: None,
        }
    }

    /// A request without an accepted token (401, `WWW-Authenticate:
    /// Bearer`), saying `message`.
    pub fn unauthenticated(encoding: Encoding, message: &str) -> Refusal {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            encoding,
            CODE_UNAUTHENTICATED,
            message.to_owned(),
        )
    }

    /// A body over `limit` bytes, compressed or not (413).
    pub fn too_large(encoding: Encoding, limit: usize) -> Refusal {
        Refusal {
            counted_as: Some(TOO_LARGE),
            ..Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                encoding,
                CODE_RESOURCE_EXHAUSTED,
                DecodeError::TooLarge { limit }.to_string(),
            )
        }
    }

    /// A body that is not a request of its kind (400).
    pub fn undecodable(encoding: Encoding, message: String) -> Refusal {
        Refusal {
            counted_as: Some(UNDECODABLE),
            ..Refusal::new(
                StatusCode::BAD_REQUEST,
                encoding,
                CODE_INVALID_ARGUMENT,
                message,
            )
        }
    }

    /// A path that takes nothing (404), naming the ones that do.
    pub fn not_found(path: &str, paths: &[&str]) -> Refusal {
        Refusal::new(
            StatusCode::NOT_FOUND,
            Encoding::Protobuf,
            CODE_NOT_FOUND,
            format!("no such path `{path}`; OTLP goes to {}", paths.join(" or ")),
        )
    }

    /// The status it is answered with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What it says.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The drop reason it counts as, for a body that was sent but could
    /// not be taken ([`TOO_LARGE`], [`UNDECODABLE`]); `None` for a request
    /// refused on its method or headers alone.
    pub fn counted_as(&self) -> Option<&'static str> {
        self.counted_as
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = status_body(self.encoding, self.code, &self.message);
        let mut resp = reply(self.status, self.encoding, body);
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// A response with `body` in `encoding`.
pub(crate) fn reply(status: StatusCode, encoding: Encoding, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(encoding.content_type()),
    );
    resp
}

/// The method (POST), content type and content encoding of a request.
///
/// # Errors
///
/// 405 for another method, 415 for a content type or encoding OTLP/HTTP
/// does not define.
pub fn check_headers(
    method: &Method,
    headers: &HeaderMap,
) -> Result<(Encoding, Compression), Refusal> {
    if method != Method::POST {
        return Err(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            Encoding::Protobuf,
            CODE_UNIMPLEMENTED,
            format!("method {method} not allowed; use POST"),
        ));
    }
    let header_str = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let content_type = header_str(header::CONTENT_TYPE);
    let Some(encoding) = content_type.and_then(Encoding::from_content_type) else {
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Encoding::Protobuf,
            CODE_INVALID_ARGUMENT,
            format!(
                "unsupported content type {:?}; use application/x-protobuf or application/json",
                content_type.unwrap_or("")
            ),
        ));
    };
    let content_encoding = header_str(header::CONTENT_ENCODING);
    let Some(compression) = Compression::from_content_encoding(content_encoding) else {
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            encoding,
            CODE_INVALID_ARGUMENT,
            format!(
                "unsupported content encoding {:?}; use gzip or none",
                content_encoding.unwrap_or("")
            ),
        ));
    };
    Ok((encoding, compression))
}

/// Reads a request's body, at most `limit` bytes (a declared
/// `Content-Length` over it is refused before anything is read).
///
/// # Errors
///
/// 413 over the limit, 400 when the body cannot be read.
pub async fn read_body(
    body: Body,
    headers: &HeaderMap,
    encoding: Encoding,
    limit: usize,
) -> Result<Bytes, Refusal> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Refusal::too_large(encoding, limit));
    }
    // Gathered into one buffer of the declared size: a body arrives in
    // many frames, and growing (or joining) them copies it again. Not more
    // than PREALLOCATE_AT_MOST up front: a declared size is only a claim,
    // and connections that claim the limit and send nothing must not hold
    // it each.
    let capacity = declared.map_or(0, |n| {
        usize::try_from(n)
            .unwrap_or(limit)
            .min(limit)
            .min(PREALLOCATE_AT_MOST)
    });
    let mut out = Vec::with_capacity(capacity);
    let mut frames = Limited::new(body, limit);
    while let Some(frame) = frames.frame().await {
        match frame {
            Ok(frame) => {
                if let Some(data) = frame.data_ref() {
                    out.extend_from_slice(data);
                }
            }
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(Refusal::too_large(encoding, limit));
            }
            Err(e) => {
                return Err(Refusal::undecodable(
                    encoding,
                    format!("read request body: {e}"),
                ))
            }
        }
    }
    Ok(Bytes::from(out))
}

/// The most [`read_body`] sets aside before the bytes arrive.
const PREALLOCATE_AT_MOST: usize = 1 << 20;

/// An OTLP export request message: traces or metrics.
pub trait ExportRequest: Message + Default + serde::de::DeserializeOwned {
    /// Its protobuf name, for messages.
    const NAME: &'static str;
}

impl ExportRequest for ExportTraceServiceRequest {
    const NAME: &'static str = "ExportTraceServiceRequest";
}

impl ExportRequest for ExportMetricsServiceRequest {
    const NAME: &'static str = "ExportMetricsServiceRequest";
}

/// Decodes uncompressed `bytes` as an `R`.
///
/// # Errors
///
/// [`DecodeError::Protobuf`] or [`DecodeError::Json`] naming the message.
pub fn decode_message<R: ExportRequest>(
    bytes: &[u8],
    encoding: Encoding,
) -> Result<R, DecodeError> {
    match encoding {
        Encoding::Protobuf => {
            R::decode(bytes).map_err(|e| DecodeError::Protobuf(format!("{}: {e}", R::NAME)))
        }
        Encoding::Json => serde_json::from_slice(bytes)
            .map_err(|e| DecodeError::Json(format!("{}: {e}", R::NAME))),
    }
}

/// Decompresses (within `limit`) and decodes a body read in full.
///
/// # Errors
///
/// 413 when the decompressed body passes `limit`, 400 when it is not an
/// `R`.
pub fn decode_body<R: ExportRequest>(
    raw: &[u8],
    encoding: Encoding,
    compression: Compression,
    limit: usize,
) -> Result<R, Refusal> {
    decompress(raw, compression, limit)
        .and_then(|bytes| decode_message(&bytes, encoding))
        .map_err(|e| match e {
            DecodeError::TooLarge { limit } => Refusal::too_large(encoding, limit),
            other => Refusal::undecodable(encoding, other.to_string()),
        })
}

/// The 200 answer to a traces export: `rejected` spans, with `message`,
/// or none.
pub fn traces_accepted(encoding: Encoding, rejected: u64, message: &str) -> Response {
    reply(
        StatusCode::OK,
        encoding,
        crate::respond::success_body(encoding, rejected, message),
    )
}

/// The 200 answer to a metrics export: `rejected` data points, with
/// `message`, or none.
pub fn metrics_accepted(encoding: Encoding, rejected: u64, message: &str) -> Response {
    let partial = (rejected > 0).then(|| ExportMetricsPartialSuccess {
        rejected_data_points: i64::try_from(rejected).unwrap_or(i64::MAX),
        error_message: message.to_owned(),
    });
    let proto = || {
        ExportMetricsServiceResponse {
            partial_success: partial.clone(),
        }
        .encode_to_vec()
    };
    let json = partial.as_ref().map(|p| {
        (
            "rejectedDataPoints",
            p.rejected_data_points,
            p.error_message.as_str(),
        )
    });
    let body = crate::respond::answer_body(encoding, proto, json);
    reply(StatusCode::OK, encoding, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn refusals_of_method_type_and_encoding_are_405_and_415() {
        let json = headers(&[(header::CONTENT_TYPE, "application/json")]);
        let cases = [
            (Method::GET, json.clone(), StatusCode::METHOD_NOT_ALLOWED),
            (
                Method::POST,
                headers(&[(header::CONTENT_TYPE, "text/plain")]),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                Method::POST,
                headers(&[
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CONTENT_ENCODING, "br"),
                ]),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
        ];
        for (method, h, status) in cases {
            let refused = check_headers(&method, &h).unwrap_err();
            assert_eq!(refused.status(), status, "{method} {h:?}");
            assert_eq!(refused.counted_as(), None);
        }
        assert_eq!(
            check_headers(&Method::POST, &json).unwrap(),
            (Encoding::Json, Compression::None)
        );
    }

    #[test]
    fn bad_bodies_are_400_and_large_ones_413_both_counted() {
        let bad = decode_body::<ExportMetricsServiceRequest>(
            b"{not json",
            Encoding::Json,
            Compression::None,
            1 << 20,
        )
        .unwrap_err();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(
            bad.message().contains("ExportMetricsServiceRequest"),
            "{bad:?}"
        );
        assert_eq!(bad.counted_as(), Some(UNDECODABLE));
        let large = decode_body::<ExportTraceServiceRequest>(
            &[0u8; 64],
            Encoding::Protobuf,
            Compression::None,
            8,
        )
        .unwrap_err();
        assert_eq!(large.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(large.counted_as(), Some(TOO_LARGE));
    }

    #[test]
    fn metrics_answers_count_rejected_data_points() {
        let body = crate::respond::answer_body(
            Encoding::Json,
            Vec::new,
            Some(("rejectedDataPoints", 3, "no name: 3")),
        );
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["partialSuccess"]["rejectedDataPoints"], "3");
        assert_eq!(value["partialSuccess"]["errorMessage"], "no name: 3");
        let resp = metrics_accepted(Encoding::Json, 3, "no name: 3");
        assert_eq!(resp.status(), StatusCode::OK);
        let ok = metrics_accepted(Encoding::Protobuf, 0, "");
        assert_eq!(ok.headers()[header::CONTENT_TYPE], "application/x-protobuf");
    }
}
