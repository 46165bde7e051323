use super::*;
use opentelemetry_proto::tonic::common::v1::{ArrayValue, InstrumentationScope, KeyValueList};
use opentelemetry_proto::tonic::trace::v1::{span::Event, ResourceSpans, ScopeSpans, Status};

const TRACE: [u8; 16] = [0xab; 16];
const ID: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
const PARENT: [u8; 8] = [0xff, 0, 0, 0, 0, 0, 0, 1];

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

fn s(key: &str, value: &str) -> KeyValue {
    kv(key, any_value::Value::StringValue(value.into()))
}

fn base() -> Span {
    Span {
        trace_id: TRACE.to_vec(),
        span_id: ID.to_vec(),
        parent_span_id: PARENT.to_vec(),
        name: "transform".into(),
        start_time_unix_nano: 1_000,
        end_time_unix_nano: 3_000,
        ..Default::default()
    }
}

fn fields(r: &SpanRecord) -> (&str, Option<&str>, Option<&str>, Option<&str>, bool) {
    match r {
        SpanRecord::Span {
            id,
            parent,
            tier,
            component,
            ok,
            ..
        } => (
            id,
            parent.as_deref(),
            tier.as_deref(),
            component.as_deref(),
            *ok,
        ),
        other => panic!("not a span: {other:?}"),
    }
}

fn attrs(r: &SpanRecord) -> &Attributes {
    match r {
        SpanRecord::Span { attrs, .. } => attrs,
        other => panic!("not a span: {other:?}"),
    }
}

#[test]
fn rejections() {
    type Edit = fn(&mut Span);
    let cases: [(&str, Edit, Reject); 9] = [
        ("empty name", |s| s.name.clear(), Reject::MissingName),
        (
            "no start",
            |s| s.start_time_unix_nano = 0,
            Reject::MissingTime,
        ),
        ("no end", |s| s.end_time_unix_nano = 0, Reject::MissingTime),
        (
            "reversed",
            |s| s.end_time_unix_nano = 999,
            Reject::EndBeforeStart,
        ),
        (
            "short trace",
            |s| s.trace_id.truncate(8),
            Reject::InvalidTraceId,
        ),
        (
            "zero trace",
            |s| s.trace_id = vec![0; 16],
            Reject::InvalidTraceId,
        ),
        ("no span id", |s| s.span_id.clear(), Reject::InvalidSpanId),
        (
            "zero span id",
            |s| s.span_id = vec![0; 8],
            Reject::InvalidSpanId,
        ),
        (
            "odd parent",
            |s| s.parent_span_id = vec![1; 3],
            Reject::InvalidParentId,
        ),
    ];
    for (label, edit, want) in cases {
        let mut span = base();
        edit(&mut span);
        assert_eq!(
            map_span(&span, "", &MapOptions::default()),
            Err(want),
            "{label}"
        );
    }
}

#[test]
fn ids_parent_times_and_status() {
    type Edit = fn(&mut Span);
    // (label, edit, parent, ok)
    let cases: [(&str, Edit, Option<&str>, bool); 6] = [
        ("plain", |_| {}, Some("ff00000000000001"), true),
        ("root", |s| s.parent_span_id.clear(), None, true),
        (
            "zero parent is root",
            |s| s.parent_span_id = vec![0; 8],
            None,
            true,
        ),
        (
            "error",
            |s| {
                s.status = Some(Status {
                    code: StatusCode::Error as i32,
                    message: "boom".into(),
                })
            },
            Some("ff00000000000001"),
            false,
        ),
        (
            "ok status",
            |s| {
                s.status = Some(Status {
                    code: StatusCode::Ok as i32,
                    ..Default::default()
                })
            },
            Some("ff00000000000001"),
            true,
        ),
        (
            "zero-length span",
            |s| s.end_time_unix_nano = 1_000,
            Some("ff00000000000001"),
            true,
        ),
    ];
    for (label, edit, parent, ok) in cases {
        let mut span = base();
        edit(&mut span);
        let record = map_span(&span, "", &MapOptions::default()).expect(label);
        let (id, got_parent, _, _, got_ok) = fields(&record);
        assert_eq!(id, "0102030405060708", "{label}");
        assert_eq!(got_parent, parent, "{label}");
        assert_eq!(got_ok, ok, "{label}");
        if let SpanRecord::Span {
            start_unix_ns,
            name,
            ..
        } = &record
        {
            assert_eq!((*start_unix_ns, name.as_str()), (1_000, "transform"));
        }
    }
}

#[test]
fn tier_and_component() {
    // (label, attributes, scope, tier, component)
    type Case<'a> = (
        &'a str,
        Vec<KeyValue>,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        ("nothing", vec![], "", None, None),
        ("scope only", vec![], "pipeline", None, Some("pipeline")),
        (
            "code.namespace last",
            vec![s("code.namespace", "app.io")],
            "",
            None,
            Some("app.io"),
        ),
        (
            "scope beats code.namespace",
            vec![s("code.namespace", "app.io")],
            "pipeline",
            None,
            Some("pipeline"),
        ),
        (
            "explicit wins",
            vec![s("perfwatch.component", "db"), s("code.namespace", "x")],
            "pipeline",
            None,
            Some("db"),
        ),
        (
            "tier",
            vec![s("perfwatch.tier", "method")],
            "",
            Some("method"),
            None,
        ),
        (
            "tier any case",
            vec![s("perfwatch.tier", "Operation")],
            "",
            Some("operation"),
            None,
        ),
        (
            "unknown tier ignored",
            vec![s("perfwatch.tier", "galaxy")],
            "",
            None,
            None,
        ),
        (
            "non-string tier ignored",
            vec![kv("perfwatch.tier", any_value::Value::IntValue(1))],
            "",
            None,
            None,
        ),
        (
            "blank component falls back",
            vec![s("perfwatch.component", "  ")],
            "pipeline",
            None,
            Some("pipeline"),
        ),
    ];
    for (label, attributes, scope, tier, component) in cases {
        let span = Span {
            attributes,
            ..base()
        };
        let record = map_span(&span, scope, &MapOptions::default()).expect(label);
        let (_, _, got_tier, got_component, _) = fields(&record);
        assert_eq!((got_tier, got_component), (tier, component), "{label}");
    }
}

#[test]
fn attributes_are_stringified_and_consumed_keys_left_out() {
    use any_value::Value as V;
    let span = Span {
        attributes: vec![
            s("perfwatch.tier", "method"),
            s("perfwatch.component", "db"),
            s("perfwatch.tier.note", "kept"),
            kv("n", V::IntValue(-42)),
            kv("f", V::DoubleValue(1.5)),
            kv("b", V::BoolValue(true)),
            kv("raw", V::BytesValue(vec![0xde, 0xad])),
            kv(
                "list",
                V::ArrayValue(ArrayValue {
                    values: vec![
                        AnyValue {
                            value: Some(V::StringValue("a".into())),
                        },
                        AnyValue {
                            value: Some(V::IntValue(2)),
                        },
                    ],
                }),
            ),
            kv(
                "map",
                V::KvlistValue(KeyValueList {
                    values: vec![s("k", "v")],
                }),
            ),
            KeyValue {
                key: "empty".into(),
                value: None,
                ..Default::default()
            },
        ],
        status: Some(Status {
            code: StatusCode::Error as i32,
            message: "timeout".into(),
        }),
        events: vec![Event {
            name: "exception".into(),
            attributes: vec![
                s("exception.type", "TimeoutError"),
                s("exception.stacktrace", "long"),
            ],
            ..Default::default()
        }],
        ..base()
    };
    let record = map_span(&span, "", &MapOptions::default()).unwrap();
    let want: Attributes = [
        ("perfwatch.tier.note", "kept"),
        ("n", "-42"),
        ("f", "1.5"),
        ("b", "true"),
        ("raw", "dead"),
        ("list", r#"["a",2]"#),
        ("map", r#"{"k":"v"}"#),
        ("empty", ""),
        ("otel.status_description", "timeout"),
        ("exception.type", "TimeoutError"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(attrs(&record), &want);
}

#[test]
fn unknown_tier_stays_visible_in_attrs() {
    let span = Span {
        attributes: vec![s("perfwatch.tier", "galaxy")],
        ..base()
    };
    let record = map_span(&span, "", &MapOptions::default()).unwrap();
    assert_eq!(attrs(&record)["perfwatch.tier"], "galaxy");
}

#[test]
fn attributes_are_bounded() {
    let opts = MapOptions {
        max_attrs: 3,
        max_attr_len: 4,
    };
    let span = Span {
        attributes: (0..10).map(|i| s(&format!("k{i}"), "αβγδεζ")).collect(),
        ..base()
    };
    let record = map_span(&span, "", &opts).unwrap();
    let got = attrs(&record);
    assert_eq!(got.len(), 4);
    assert_eq!(got["k0"], "αβγδ…");
    assert_eq!(got[ATTR_TRUNCATED], "7");
}

#[test]
fn request_counts_rejections_by_reason() {
    let good = base();
    let nameless = Span {
        name: String::new(),
        ..base()
    };
    let req = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![
                ScopeSpans {
                    scope: Some(InstrumentationScope {
                        name: "lib".into(),
                        ..Default::default()
                    }),
                    spans: vec![good.clone(), nameless.clone(), nameless],
                    ..Default::default()
                },
                ScopeSpans {
                    spans: vec![good],
                    ..Default::default()
                },
            ],
            ..Default::default()
        }],
    };
    let mapped = map_request(&req, &MapOptions::default());
    assert_eq!(mapped.records.len(), 2);
    assert_eq!(fields(&mapped.records[0]).3, Some("lib"));
    assert_eq!(fields(&mapped.records[1]).3, None);
    assert_eq!(mapped.rejected_count(), 2);
    assert_eq!(mapped.rejected_message(), "span without a name: 2");
}
