//! Request bodies: content type, content encoding, size bound, decoding.
//!
//! Everything here is pure (bytes in, message out) so that every status
//! code the receiver answers with can be tested without a socket.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::borrow::Cow;
use std::io::Read;

/// How a request (and so its response) is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `application/x-protobuf`: binary protobuf.
    Protobuf,
    /// `application/json`: OTLP JSON (hex ids, integer enums, lowerCamelCase).
    Json,
}

impl Encoding {
    /// The `Content-Type` this encoding is sent with.
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }

    /// The encoding named by a `Content-Type` header value, parameters
    /// (`; charset=utf-8`) and case ignored; `None` when unsupported.
    pub fn from_content_type(value: &str) -> Option<Encoding> {
        let essence = value.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("application/x-protobuf")
            || essence.eq_ignore_ascii_case("application/protobuf")
        {
            Some(Encoding::Protobuf)
        } else if essence.eq_ignore_ascii_case("application/json") {
            Some(Encoding::Json)
        } else {
            None
        }
    }
}

/// How a request body is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// No `Content-Encoding` (or `identity`).
    None,
    /// `Content-Encoding: gzip`.
    Gzip,
}

impl Compression {
    /// The compression named by a `Content-Encoding` header value (absent:
    /// none); `None` when unsupported.
    pub fn from_content_encoding(value: Option<&str>) -> Option<Compression> {
        match value.map(str::trim) {
            None | Some("") => Some(Compression::None),
            Some(v) if v.eq_ignore_ascii_case("identity") => Some(Compression::None),
            Some(v) if v.eq_ignore_ascii_case("gzip") || v.eq_ignore_ascii_case("x-gzip") => {
                Some(Compression::Gzip)
            }
            Some(_) => None,
        }
    }
}

/// Why a body could not be turned into a request.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The (decompressed) body is larger than the limit.
    #[error("body exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The gzip stream is corrupt.
    #[error("decompress gzip body: {0}")]
    Gzip(String),
    /// The protobuf bytes do not form the request (its name, then why).
    #[error("decode protobuf {0}")]
    Protobuf(String),
    /// The JSON text does not form the request (its name, then why).
    #[error("decode JSON {0}")]
    Json(String),
}

/// Undo `compression`, reading at most `limit` decompressed bytes: a small
/// gzip bomb is refused once it passes the limit, never inflated in full.
/// An uncompressed body is borrowed, not copied.
pub fn decompress(
    body: &[u8],
    compression: Compression,
    limit: usize,
) -> Result<Cow<'_, [u8]>, DecodeError> {
    match compression {
        Compression::None if body.len() > limit => Err(DecodeError::TooLarge { limit }),
        Compression::None => Ok(Cow::Borrowed(body)),
        Compression::Gzip => {
            let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
            let bound = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
            flate2::read::MultiGzDecoder::new(body)
                .take(bound)
                .read_to_end(&mut out)
                .map_err(|e| DecodeError::Gzip(e.to_string()))?;
            if out.len() > limit {
                return Err(DecodeError::TooLarge { limit });
            }
            Ok(Cow::Owned(out))
        }
    }
}

/// Decode an `ExportTraceServiceRequest` from uncompressed bytes.
pub fn decode_request(
    bytes: &[u8],
    encoding: Encoding,
) -> Result<ExportTraceServiceRequest, DecodeError> {
    crate::http::decode_message(bytes, encoding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use proptest::prelude::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn content_types() {
        let cases = [
            ("application/x-protobuf", Some(Encoding::Protobuf)),
            ("application/protobuf", Some(Encoding::Protobuf)),
            ("Application/X-Protobuf", Some(Encoding::Protobuf)),
            ("application/json", Some(Encoding::Json)),
            ("application/json; charset=utf-8", Some(Encoding::Json)),
            (" application/json ;charset=UTF-8", Some(Encoding::Json)),
            ("text/plain", None),
            ("application/grpc", None),
            ("", None),
        ];
        for (value, want) in cases {
            assert_eq!(Encoding::from_content_type(value), want, "{value:?}");
        }
    }

    #[test]
    fn content_encodings() {
        let cases = [
            (None, Some(Compression::None)),
            (Some(""), Some(Compression::None)),
            (Some("identity"), Some(Compression::None)),
            (Some("gzip"), Some(Compression::Gzip)),
            (Some("GZIP"), Some(Compression::Gzip)),
            (Some("x-gzip"), Some(Compression::Gzip)),
            (Some("br"), None),
            (Some("deflate"), None),
        ];
        for (value, want) in cases {
            assert_eq!(Compression::from_content_encoding(value), want, "{value:?}");
        }
    }

    #[test]
    fn gzip_round_trip_and_bounds() {
        let plain = vec![7u8; 10_000];
        let packed = gzip(&plain);
        assert_eq!(
            decompress(&packed, Compression::Gzip, 10_000).unwrap(),
            plain
        );
        assert_eq!(
            decompress(&packed, Compression::Gzip, 9_999),
            Err(DecodeError::TooLarge { limit: 9_999 })
        );
        assert_eq!(
            decompress(&plain, Compression::None, 9_999),
            Err(DecodeError::TooLarge { limit: 9_999 })
        );
        assert!(matches!(
            decompress(b"not gzip at all", Compression::Gzip, 100),
            Err(DecodeError::Gzip(_))
        ));
    }

    #[test]
    fn gzip_bomb_is_refused_without_inflating() {
        // 64 MiB of zeros compress to ~64 KiB; the limit stops inflation at 1 MiB.
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&chunk).unwrap();
        }
        let bomb = enc.finish().unwrap();
        assert!(bomb.len() < 1 << 20);
        assert_eq!(
            decompress(&bomb, Compression::Gzip, 1 << 20),
            Err(DecodeError::TooLarge { limit: 1 << 20 })
        );
    }

    #[test]
    fn empty_bodies_are_empty_requests() {
        for encoding in [Encoding::Protobuf, Encoding::Json] {
            let body: &[u8] = if encoding == Encoding::Json {
                b"{}"
            } else {
                b""
            };
            let req = decode_request(body, encoding).unwrap();
            assert!(req.resource_spans.is_empty());
        }
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            decode_request(b"\xff\xff\xff\xff", Encoding::Protobuf),
            Err(DecodeError::Protobuf(_))
        ));
        assert!(matches!(
            decode_request(b"{not json", Encoding::Json),
            Err(DecodeError::Json(_))
        ));
    }

    #[test]
    fn json_quirks_decode() {
        // Hex ids (any case), 64-bit ints as strings or numbers, integer
        // enums, unknown fields ignored.
        let json = r#"{"resourceSpans":[{"scopeSpans":[{"scope":{"name":"lib"},
            "spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C",
            "spanId":"eee19b7ec3c1b174","parentSpanId":"",
            "name":"job","kind":1,"startTimeUnixNano":"1700000000000000000",
            "endTimeUnixNano":1700000000500000000,"status":{"code":2},
            "attributes":[{"key":"n","value":{"intValue":"42"}}],
            "someFutureField":{"x":1}}]}]}]}"#;
        let req = decode_request(json.as_bytes(), Encoding::Json).unwrap();
        let span = &req.resource_spans[0].scope_spans[0].spans[0];
        assert_eq!(span.trace_id[0], 0x5b);
        assert_eq!(span.span_id.len(), 8);
        assert_eq!(span.start_time_unix_nano, 1_700_000_000_000_000_000);
        assert_eq!(span.end_time_unix_nano, 1_700_000_000_500_000_000);
        assert_eq!(span.status.as_ref().unwrap().code, 2);
    }

    use perfwatch_testkit::arbitrary_or_mangled;

    proptest! {
        /// Any request body, protobuf or JSON, gzip-compressed or not, is
        /// decoded and mapped, or refused, without a panic.
        #[test]
        fn otlp_protobuf_decoder_never_panics_on_arbitrary_bytes(
            bytes in arbitrary_or_mangled(include_bytes!("../../../fuzz/seeds/otlp_protobuf/two-spans.pb")),
            packing in 0u8..3,
        ) {
            decode_and_map(&bytes, Encoding::Protobuf, packing);
        }

        #[test]
        fn otlp_json_decoder_never_panics_on_arbitrary_bytes(
            bytes in arbitrary_or_mangled(include_bytes!("../../../fuzz/seeds/otlp_json/two-spans.json")),
            packing in 0u8..3,
        ) {
            decode_and_map(&bytes, Encoding::Json, packing);
        }
    }

    /// What the receiver does with `bytes` sent plain (`packing` 0),
    /// gzip-compressed (1) or as if they were a gzip stream (2).
    fn decode_and_map(bytes: &[u8], encoding: Encoding, packing: u8) {
        let (body, compression) = match packing {
            0 => (bytes.to_vec(), Compression::None),
            1 => (gzip(bytes), Compression::Gzip),
            _ => (bytes.to_vec(), Compression::Gzip),
        };
        if let Ok(body) = decompress(&body, compression, 1 << 20) {
            if let Ok(request) = decode_request(&body, encoding) {
                let _ = crate::map::map_request(&request, &crate::MapOptions::default());
            }
        }
    }
}
