//! Response bodies, in the encoding of the request.
//!
//! Success: an `ExportTraceServiceResponse`, with `partial_success` set only
//! when spans were rejected. Failure (4xx): a `google.rpc.Status` whose
//! `message` says what was wrong, as the OTLP/HTTP specification requires.

use crate::decode::Encoding;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use prost::Message;

/// `google.rpc.Status`, the body of every 4xx answer (only the fields
/// perfwatch fills; `details` is left out).
#[derive(Clone, PartialEq, prost::Message)]
pub struct RpcStatus {
    /// A `google.rpc.Code`.
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// Developer-facing message.
    #[prost(string, tag = "2")]
    pub message: String,
}

/// `google.rpc.Code::INVALID_ARGUMENT`.
pub(crate) const CODE_INVALID_ARGUMENT: i32 = 3;
/// `google.rpc.Code::NOT_FOUND`.
pub(crate) const CODE_NOT_FOUND: i32 = 5;
/// `google.rpc.Code::RESOURCE_EXHAUSTED`.
pub(crate) const CODE_RESOURCE_EXHAUSTED: i32 = 8;
/// `google.rpc.Code::UNIMPLEMENTED`.
pub(crate) const CODE_UNIMPLEMENTED: i32 = 12;
/// `google.rpc.Code.UNAUTHENTICATED`.
pub(crate) const CODE_UNAUTHENTICATED: i32 = 16;

/// The body of a 200 answer: `rejected` spans (with `message`) or none.
pub(crate) fn success_body(encoding: Encoding, rejected: u64, message: &str) -> Vec<u8> {
    let partial = (rejected > 0).then(|| ExportTracePartialSuccess {
        rejected_spans: i64::try_from(rejected).unwrap_or(i64::MAX),
        error_message: message.to_owned(),
    });
    let proto = || {
        ExportTraceServiceResponse {
            partial_success: partial.clone(),
        }
        .encode_to_vec()
    };
    let json = partial
        .as_ref()
        .map(|p| ("rejectedSpans", p.rejected_spans, p.error_message.as_str()));
    answer_body(encoding, proto, json)
}

/// A success body: `proto` encoded, or in JSON `{}` for full success and
/// `{"partialSuccess": {FIELD: "N", "errorMessage": …}}` otherwise —
/// written by hand: the generated serde impl writes `"partialSuccess":
/// null` for full success, and int64 must be a decimal string in proto3
/// JSON.
pub(crate) fn answer_body(
    encoding: Encoding,
    proto: impl FnOnce() -> Vec<u8>,
    partial: Option<(&str, i64, &str)>,
) -> Vec<u8> {
    match encoding {
        Encoding::Protobuf => proto(),
        Encoding::Json => match partial {
            None => b"{}".to_vec(),
            Some((field, rejected, message)) => serde_json::json!({
                "partialSuccess": {
                    field: rejected.to_string(),
                    "errorMessage": message,
                }
            })
            .to_string()
            .into_bytes(),
        },
    }
}

/// The body of a 4xx answer.
pub(crate) fn status_body(encoding: Encoding, code: i32, message: &str) -> Vec<u8> {
    match encoding {
        Encoding::Protobuf => RpcStatus {
            code,
            message: message.to_owned(),
        }
        .encode_to_vec(),
        Encoding::Json => serde_json::json!({ "code": code, "message": message })
            .to_string()
            .into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_success_has_no_partial_success() {
        let pb = success_body(Encoding::Protobuf, 0, "");
        let resp = ExportTraceServiceResponse::decode(pb.as_slice()).unwrap();
        assert_eq!(resp.partial_success, None);
        assert_eq!(success_body(Encoding::Json, 0, ""), b"{}");
    }

    #[test]
    fn partial_success_counts_rejections() {
        let pb = success_body(Encoding::Protobuf, 2, "missing name: 2");
        let resp = ExportTraceServiceResponse::decode(pb.as_slice()).unwrap();
        let partial = resp.partial_success.unwrap();
        assert_eq!(partial.rejected_spans, 2);
        assert_eq!(partial.error_message, "missing name: 2");

        let json = success_body(Encoding::Json, 2, "missing name: 2");
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(value["partialSuccess"]["rejectedSpans"], "2");
        assert_eq!(value["partialSuccess"]["errorMessage"], "missing name: 2");
    }

    #[test]
    fn status_round_trips() {
        let pb = status_body(Encoding::Protobuf, CODE_INVALID_ARGUMENT, "bad");
        let status = RpcStatus::decode(pb.as_slice()).unwrap();
        assert_eq!(status.code, CODE_INVALID_ARGUMENT);
        assert_eq!(status.message, "bad");
        let json = status_body(Encoding::Json, CODE_NOT_FOUND, "no");
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(value["code"], CODE_NOT_FOUND);
        assert_eq!(value["message"], "no");
    }
}
