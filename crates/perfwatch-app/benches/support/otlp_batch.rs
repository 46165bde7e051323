//! The OTLP batch the monitor-ingest benchmarks send: what
//! `python/bench/ingest_cost.py` sends, 512 spans, 64 traces of a root and
//! 7 children, two or three attributes each. Shared by the criterion
//! bench (`benches/monitor_ingest.rs`) and the fixed-work loop
//! (`examples/ingest_cpu.rs`).

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;

/// Traces in a batch.
pub const TRACES: u64 = 64;
/// Spans in a batch.
pub const SPANS: u64 = TRACES * 8;

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..KeyValue::default()
    }
}

fn text(key: &str, v: &str) -> KeyValue {
    kv(key, any_value::Value::StringValue(v.into()))
}

fn int(key: &str, v: i64) -> KeyValue {
    kv(key, any_value::Value::IntValue(v))
}

/// One span of a trace: name, parent, start and duration (µs), attributes.
type Shaped = (&'static str, Option<usize>, u64, u64, Vec<KeyValue>);

/// One batch, protobuf-encoded; `batch` makes its trace ids unique.
pub fn request(batch: u64) -> Vec<u8> {
    // (name, parent, start µs, duration µs, attributes)
    let shape: [Shaped; 8] = [
        (
            "process_order",
            None,
            0,
            9000,
            vec![text("http.request.method", "POST"), int("order.items", 3)],
        ),
        (
            "validate",
            Some(0),
            100,
            400,
            vec![text("code.namespace", "shop.orders"), int("order.items", 3)],
        ),
        (
            "load_customer",
            Some(0),
            600,
            2500,
            vec![
                text("code.namespace", "shop.customers"),
                text("db.system", "postgresql"),
            ],
        ),
        (
            "db.select",
            Some(2),
            700,
            2200,
            vec![
                text("db.system", "postgresql"),
                text("db.operation.name", "SELECT"),
            ],
        ),
        (
            "price",
            Some(0),
            3200,
            4000,
            vec![
                text("code.namespace", "shop.pricing"),
                int("order.items", 3),
            ],
        ),
        (
            "cache.get",
            Some(4),
            3300,
            300,
            vec![
                kv("cache.hit", any_value::Value::BoolValue(true)),
                text("code.namespace", "shop.pricing"),
            ],
        ),
        (
            "tax.lookup",
            Some(4),
            3700,
            3300,
            vec![text("code.namespace", "shop.tax"), text("tax.region", "EU")],
        ),
        (
            "publish",
            Some(0),
            7300,
            1500,
            vec![
                text("messaging.system", "kafka"),
                text("messaging.destination.name", "orders"),
            ],
        ),
    ];
    let t0: u64 = 1_780_000_000_000_000_000;
    let mut spans = Vec::new();
    for t in 0..TRACES {
        let trace = (batch * TRACES + t + 1) as u128;
        let span_id = |i: usize| {
            ((trace as u64) << 8 | (i as u64 + 1))
                .to_be_bytes()
                .to_vec()
        };
        let start = t0 + (batch * TRACES + t) * 10_000_000;
        for (i, (name, parent, at, dur, attrs)) in shape.iter().enumerate() {
            spans.push(Span {
                trace_id: trace.to_be_bytes().to_vec(),
                span_id: span_id(i),
                parent_span_id: parent.map(span_id).unwrap_or_default(),
                name: (*name).into(),
                kind: 1,
                start_time_unix_nano: start + at * 1000,
                end_time_unix_nano: start + (at + dur) * 1000,
                attributes: attrs.clone(),
                ..Span::default()
            });
        }
    }
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    text("service.name", "bench-shop"),
                    text("service.version", "1.4.2"),
                ],
                ..Resource::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "bench.orders".into(),
                    ..InstrumentationScope::default()
                }),
                spans,
                ..ScopeSpans::default()
            }],
            ..ResourceSpans::default()
        }],
    }
    .encode_to_vec()
}
