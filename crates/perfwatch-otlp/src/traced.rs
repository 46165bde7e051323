//! OTLP spans with what monitoring needs beside the stage record: the
//! trace each belongs to and the resource that sent it (which program,
//! which version). Pure, as [`crate::map`].

use crate::map::{any_string, map_span, MapOptions, Reject};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::resource::v1::Resource;
use perfwatch_model::span_file::SpanRecord;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Resource attribute naming the program (`service.name`).
pub const ATTR_SERVICE_NAME: &str = "service.name";
/// The version attributes, in order of preference: the service's own,
/// the commit it was built from, perfwatch's.
pub const VERSION_ATTRS: [&str; 3] = [
    "service.version",
    "vcs.ref.head.revision",
    "perfwatch.version",
];

/// One accepted span of a monitored program.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedSpan {
    /// The trace: its 16 bytes, big-endian (`{:032x}` prints the 32 hex
    /// digits OpenTelemetry shows).
    pub trace_id: u128,
    /// `service.name` of the resource (`unknown_service` when absent, as
    /// the OpenTelemetry specification has SDKs say); shared by the
    /// resource's spans.
    pub service: Arc<str>,
    /// The first of [`VERSION_ATTRS`] the resource gives.
    pub version: Option<Arc<str>>,
    /// The span as a stage record ([`crate::map::map_span`]).
    pub record: SpanRecord,
}

/// The spans of one request with their traces and resources.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Traced {
    /// Accepted spans, in request order.
    pub spans: Vec<TracedSpan>,
    /// Rejected spans, counted by reason.
    pub rejected: BTreeMap<Reject, u64>,
}

pub(crate) fn resource_attr(resource: Option<&Resource>, key: &str) -> Option<String> {
    resource?
        .attributes
        .iter()
        .rev()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .map(any_string)
        .filter(|v| !v.is_empty())
}

/// A trace id's 16 bytes as one number (0 for any other length:
/// [`map_span`] rejects those).
fn trace_id(bytes: &[u8]) -> u128 {
    <[u8; 16]>::try_from(bytes).map_or(0, u128::from_be_bytes)
}

/// Map every span of `req`, keeping its trace and resource.
pub fn map_traced(req: &ExportTraceServiceRequest, opts: &MapOptions) -> Traced {
    // Sized once: a batch holds hundreds of spans, and growing by
    // doubling touches fresh pages at every step.
    let count = req
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum();
    let mut out = Traced {
        spans: Vec::with_capacity(count),
        rejected: BTreeMap::new(),
    };
    for resource_spans in &req.resource_spans {
        let resource = resource_spans.resource.as_ref();
        let service: Arc<str> = resource_attr(resource, ATTR_SERVICE_NAME)
            .unwrap_or_else(|| "unknown_service".to_string())
            .into();
        let version: Option<Arc<str>> = VERSION_ATTRS
            .iter()
            .find_map(|key| resource_attr(resource, key))
            .map(Arc::from);
        for scope_spans in &resource_spans.scope_spans {
            let scope = scope_spans.scope.as_ref().map_or("", |s| s.name.as_str());
            for span in &scope_spans.spans {
                match map_span(span, scope, opts) {
                    Ok(record) => out.spans.push(TracedSpan {
                        trace_id: trace_id(&span.trace_id),
                        service: service.clone(),
                        version: version.clone(),
                        record,
                    }),
                    Err(reason) => *out.rejected.entry(reason).or_default() += 1,
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode_request, Encoding};

    #[test]
    fn spans_keep_their_trace_service_and_version() {
        let body = r#"{"resourceSpans":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"shorts"}},
            {"key":"vcs.ref.head.revision","value":{"stringValue":"abc123"}}]},
          "scopeSpans":[{"scope":{"name":"s"},"spans":[
            {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
             "name":"job","startTimeUnixNano":"1000","endTimeUnixNano":"5000"},
            {"traceId":"00000000000000000000000000000000","spanId":"b7ad6b7169203332",
             "name":"bad","startTimeUnixNano":"1000","endTimeUnixNano":"5000"}]}]},
          {"scopeSpans":[{"spans":[
            {"traceId":"1af7651916cd43dd8448eb211c80319c","spanId":"c7ad6b7169203331",
             "name":"other","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;
        let req = decode_request(body.as_bytes(), Encoding::Json).unwrap();
        let t = map_traced(&req, &MapOptions::default());
        assert_eq!(t.spans.len(), 2);
        assert_eq!(
            format!("{:032x}", t.spans[0].trace_id),
            "0af7651916cd43dd8448eb211c80319c"
        );
        assert_eq!(&*t.spans[0].service, "shorts");
        assert_eq!(t.spans[0].version.as_deref(), Some("abc123"));
        assert_eq!(&*t.spans[1].service, "unknown_service");
        assert_eq!(t.spans[1].version, None);
        assert_eq!(t.rejected[&Reject::InvalidTraceId], 1);
    }
}
