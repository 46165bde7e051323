//! OTLP spans → perfwatch span records. Pure: no I/O, no clock.
//!
//! | OTLP                                   | [`SpanRecord::Span`]                  |
//! |----------------------------------------|---------------------------------------|
//! | `span_id` (8 bytes)                    | `id`, 16 lowercase hex digits          |
//! | `parent_span_id` (empty or all zeros)  | `parent` (`None`)                      |
//! | `name`                                 | `name`                                 |
//! | `start/end_time_unix_nano`             | `start_unix_ns` / `end_unix_ns`        |
//! | `status.code == ERROR`                 | `ok = false` (UNSET and OK are ok)     |
//! | attribute `perfwatch.tier`             | `tier` (when a known tier key)         |
//! | `perfwatch.component`, else scope name, else `code.namespace` | `component` |
//! | other attributes, stringified          | `attrs` (bounded count and length)     |
//!
//! Ids are the bare span id: span ids are random 64-bit values, unique
//! across the traces of one iteration in practice, and a parent in another
//! process (context propagated through `traceparent`) keeps resolving.
//! A span that cannot be a stage (no name, no times, bad ids) is rejected
//! with a reason; the receiver reports it in `partial_success` and counts it
//! as dropped.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{status::StatusCode, Span};
use perfwatch_model::span_file::{CompactString, SpanRecord};
use perfwatch_model::{Attributes, Tier};
use std::collections::BTreeMap;

/// Attribute that sets a span's tier (`system`, `component`, `method`, `operation`).
pub const ATTR_TIER: &str = "perfwatch.tier";
/// Attribute that sets a span's component.
pub const ATTR_COMPONENT: &str = "perfwatch.component";
/// Semantic-convention attribute used as the component when nothing better is given.
pub const ATTR_CODE_NAMESPACE: &str = "code.namespace";
/// Attribute added with the number of attributes left out past the bound.
pub const ATTR_TRUNCATED: &str = "perfwatch.attrs_dropped";
/// Attribute holding the status description of a span, when it has one.
pub const ATTR_STATUS_DESCRIPTION: &str = "otel.status_description";

/// Bounds on what one span may carry into perfwatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapOptions {
    /// Most attributes kept per span; the rest are counted in
    /// [`ATTR_TRUNCATED`].
    pub max_attrs: usize,
    /// Longest attribute value kept, in characters; longer ones are cut and
    /// end with `…`.
    pub max_attr_len: usize,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            max_attrs: 32,
            max_attr_len: 256,
        }
    }
}

/// Why a span was rejected. The `Display` text is the reason counted in
/// [`Collected::dropped`](perfwatch_runner::source::Collected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, thiserror::Error)]
pub enum Reject {
    /// `name` is empty.
    #[error("span without a name")]
    MissingName,
    /// A start or end time is zero.
    #[error("span without start or end time")]
    MissingTime,
    /// `end_time_unix_nano` precedes `start_time_unix_nano`.
    #[error("span ends before it starts")]
    EndBeforeStart,
    /// The trace id is not 16 bytes or is all zeros.
    #[error("span with an invalid trace id")]
    InvalidTraceId,
    /// The span id is not 8 bytes or is all zeros.
    #[error("span with an invalid span id")]
    InvalidSpanId,
    /// The parent span id is neither empty nor 8 bytes.
    #[error("span with an invalid parent span id")]
    InvalidParentId,
}

/// The spans of one request, mapped.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Mapped {
    /// Accepted spans, as [`SpanRecord::Span`], in request order.
    pub records: Vec<SpanRecord>,
    /// Rejected spans, counted by reason.
    pub rejected: BTreeMap<Reject, u64>,
}

impl Mapped {
    /// Number of rejected spans.
    pub fn rejected_count(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// A one-line English summary of the rejections (`""` when none), for
    /// `partial_success.error_message`.
    pub fn rejected_message(&self) -> String {
        let parts: Vec<String> = self
            .rejected
            .iter()
            .map(|(reason, n)| format!("{reason}: {n}"))
            .collect();
        parts.join("; ")
    }
}

/// Map every span of `req`.
pub fn map_request(req: &ExportTraceServiceRequest, opts: &MapOptions) -> Mapped {
    let mut out = Mapped::default();
    for resource_spans in &req.resource_spans {
        for scope_spans in &resource_spans.scope_spans {
            let scope = scope_spans.scope.as_ref().map_or("", |s| s.name.as_str());
            for span in &scope_spans.spans {
                match map_span(span, scope, opts) {
                    Ok(record) => out.records.push(record),
                    Err(reason) => *out.rejected.entry(reason).or_default() += 1,
                }
            }
        }
    }
    out
}

/// Map one span; `scope` is the name of its instrumentation scope.
pub fn map_span(span: &Span, scope: &str, opts: &MapOptions) -> Result<SpanRecord, Reject> {
    if span.trace_id.len() != 16 || span.trace_id.iter().all(|&b| b == 0) {
        return Err(Reject::InvalidTraceId);
    }
    if span.span_id.len() != 8 || span.span_id.iter().all(|&b| b == 0) {
        return Err(Reject::InvalidSpanId);
    }
    let parent = match span.parent_span_id.as_slice() {
        p if p.iter().all(|&b| b == 0) => None, // empty, or zeros meaning "none"
        p if p.len() == 8 => Some(span_hex(p)),
        _ => return Err(Reject::InvalidParentId),
    };
    if span.name.is_empty() {
        return Err(Reject::MissingName);
    }
    let (start, end) = (span.start_time_unix_nano, span.end_time_unix_nano);
    if start == 0 || end == 0 {
        return Err(Reject::MissingTime);
    }
    if end < start {
        return Err(Reject::EndBeforeStart);
    }

    let string_attr = |key: &str| {
        span.attributes
            .iter()
            .rev()
            .filter(|kv| kv.key == key)
            .find_map(|kv| kv_str(kv).filter(|v| !v.is_empty()))
            .map(str::to_owned)
    };
    let tier = string_attr(ATTR_TIER)
        .and_then(|t| t.parse::<Tier>().ok())
        .map(|t| t.key().to_owned());
    let explicit_component = string_attr(ATTR_COMPONENT);
    let component = explicit_component
        .clone()
        .or_else(|| (!scope.is_empty()).then(|| scope.to_owned()))
        .or_else(|| string_attr(ATTR_CODE_NAMESPACE));

    let status = span.status.as_ref();
    let ok = status.is_none_or(|s| s.code != StatusCode::Error as i32);

    let mut attrs = Attributes::new();
    let mut left_out = 0u64;
    let mut put = |key: &str, value: String| {
        if attrs.len() < opts.max_attrs || attrs.contains_key(key) {
            attrs.insert(key.to_owned(), truncate(value, opts.max_attr_len));
        } else {
            left_out += 1;
        }
    };
    for kv in &span.attributes {
        let consumed = (kv.key == ATTR_TIER && tier.is_some())
            || (kv.key == ATTR_COMPONENT && explicit_component.is_some());
        if !consumed {
            put(
                &kv.key,
                kv.value.as_ref().map(any_string).unwrap_or_default(),
            );
        }
    }
    if let Some(s) = status.filter(|s| !s.message.is_empty()) {
        put(ATTR_STATUS_DESCRIPTION, s.message.clone());
    }
    if let Some(event) = span.events.iter().find(|e| e.name == "exception") {
        for kv in &event.attributes {
            if kv.key == "exception.type" || kv.key == "exception.message" {
                put(
                    &kv.key,
                    kv.value.as_ref().map(any_string).unwrap_or_default(),
                );
            }
        }
    }
    if left_out > 0 {
        attrs.insert(ATTR_TRUNCATED.to_owned(), left_out.to_string());
    }

    Ok(SpanRecord::Span {
        id: span_hex(&span.span_id),
        parent,
        name: span.name.as_str().into(),
        tier,
        component,
        start_unix_ns: start,
        end_unix_ns: end,
        ok,
        attrs,
    })
}

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Lowercase hex of an 8-byte span id, kept inline (no allocation).
fn span_hex(bytes: &[u8]) -> CompactString {
    let mut digits = [0u8; 16];
    for (pair, &b) in digits.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0xf)];
    }
    let len = 2 * bytes.len().min(8);
    CompactString::from(std::str::from_utf8(&digits[..len]).expect("hex digits are ASCII"))
}

/// The trimmed string of a key-value whose value is a string.
fn kv_str(kv: &KeyValue) -> Option<&str> {
    match kv.value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(s) => Some(s.trim()),
        _ => None,
    }
}

/// An attribute value as text: scalars plainly, arrays and maps as JSON,
/// bytes as hex.
pub fn any_string(value: &AnyValue) -> String {
    match &value.value {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::ArrayValue(_) | any_value::Value::KvlistValue(_)) => {
            any_json(value).to_string()
        }
        _ => match any_json(value) {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        },
    }
}

fn any_json(value: &AnyValue) -> serde_json::Value {
    use serde_json::Value as J;
    match &value.value {
        None => J::Null,
        Some(any_value::Value::StringValue(s)) => J::String(s.clone()),
        Some(any_value::Value::BoolValue(b)) => J::Bool(*b),
        Some(any_value::Value::IntValue(i)) => J::from(*i),
        Some(any_value::Value::DoubleValue(d)) => {
            serde_json::Number::from_f64(*d).map_or_else(|| J::String(d.to_string()), J::Number)
        }
        Some(any_value::Value::BytesValue(b)) => J::String(hex(b)),
        Some(any_value::Value::StringValueStrindex(i)) => J::from(*i),
        Some(any_value::Value::ArrayValue(a)) => J::Array(a.values.iter().map(any_json).collect()),
        Some(any_value::Value::KvlistValue(kv)) => J::Object(
            kv.values
                .iter()
                .map(|kv| (kv.key.clone(), kv.value.as_ref().map_or(J::Null, any_json)))
                .collect(),
        ),
    }
}

fn truncate(mut s: String, max_chars: usize) -> String {
    if let Some((cut, _)) = s.char_indices().nth(max_chars) {
        s.truncate(cut);
        s.push('…');
    }
    s
}

#[cfg(test)]
#[path = "map_tests.rs"]
mod tests;
