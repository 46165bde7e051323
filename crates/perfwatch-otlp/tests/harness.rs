//! A tiny HTTP/1.1 client over a raw socket (so that tests can send exactly
//! the bytes they mean, bad ones included) and OTLP request builders.

use flate2::write::GzEncoder;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use perfwatch_model::span_file::SpanRecord;
use perfwatch_otlp::{OtlpConfig, OtlpSource};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Send `raw` (a whole request) and read the response until the server
/// closes the connection.
pub fn send_raw(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect to the receiver");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // The server may answer (413) before reading everything: a failed write
    // is fine, the response is what the test checks.
    let _ = stream.write_all(raw);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    parse(&out)
}

fn parse(bytes: &[u8]) -> Reply {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = bytes[split + 4..].to_vec();
    let reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    if let Some(n) = reply.header("content-length").and_then(|v| v.parse().ok()) {
        body.truncate(n);
    }
    Reply { body, ..reply }
}

/// POST `body` to `path` of `src` with `headers`, carrying the source's
/// current bearer token as the SDKs do (from `OTEL_EXPORTER_OTLP_HEADERS`).
pub fn post(src: &OtlpSource, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let auth = format!("Bearer {}", src.token());
    let mut all = vec![("Authorization", auth.as_str())];
    all.extend_from_slice(headers);
    post_to(src.addr(), path, &all, body)
}

/// POST `body` to `path` with exactly `headers` (Content-Length added).
pub fn post_to(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut raw = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    send_raw(addr, &raw)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A source with a small body limit, for tests.
pub fn source(max_body_bytes: usize) -> OtlpSource {
    let config = OtlpConfig {
        max_body_bytes,
        ..OtlpConfig::new("test-bench")
    };
    OtlpSource::start(config).expect("start the receiver")
}

pub const TRACE: [u8; 16] = [0x5b; 16];
/// Now-ish, in ns since the Unix epoch (spans must not predate `begin`).
pub fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

pub fn string_kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.into())),
        }),
        ..Default::default()
    }
}

/// A span `id` (one byte repeated) under `parent`, from `start` for `len` ns.
pub fn span(name: &str, id: u8, parent: Option<u8>, start: u64, len: u64) -> Span {
    Span {
        trace_id: TRACE.to_vec(),
        span_id: vec![id; 8],
        parent_span_id: parent.map(|p| vec![p; 8]).unwrap_or_default(),
        name: name.into(),
        start_time_unix_nano: start,
        end_time_unix_nano: start + len,
        ..Default::default()
    }
}

/// One request carrying `spans` under scope `scope`.
pub fn request(scope: &str, spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: scope.into(),
                    ..Default::default()
                }),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

/// (id, parent, name) of span records, sorted by name then id.
pub fn shape(records: &[SpanRecord]) -> Vec<(String, Option<String>, String)> {
    let mut out: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            SpanRecord::Span {
                id, parent, name, ..
            } => Some((
                id.to_string(),
                parent.as_ref().map(|p| p.to_string()),
                name.to_string(),
            )),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| (&a.2, &a.0).cmp(&(&b.2, &b.0)));
    out
}
