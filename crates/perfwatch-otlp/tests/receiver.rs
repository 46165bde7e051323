//! The receiver over real loopback HTTP: encodings, status codes, partial
//! success, iteration boundaries.

use crate::harness::{
    gzip, now_ns, post, post_to, request, send_raw, shape, source, span, string_kv,
};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use opentelemetry_proto::tonic::trace::v1::{status::StatusCode, Status};
use perfwatch_model::span_file::SpanRecord;
use perfwatch_otlp::{RpcStatus, LATE, TOO_LARGE, TRACES_PATH, UNAUTHENTICATED, UNDECODABLE};
use perfwatch_runner::source::SpanSource;
use prost::Message;

const PB: (&str, &str) = ("Content-Type", "application/x-protobuf");
const JSON: (&str, &str) = ("Content-Type", "application/json");
const GZ: (&str, &str) = ("Content-Encoding", "gzip");

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn round_trip_of_rust_encoded_request_in_every_encoding() {
    // (label, JSON?, gzip?)
    let cases = [
        ("protobuf", false, false),
        ("protobuf+gzip", false, true),
        ("json", true, false),
        ("json+gzip", true, true),
    ];
    for (label, json, gz) in cases {
        let mut src = source(1 << 20);
        let env = src.begin(0).unwrap();
        assert!(env.contains(&("OTEL_EXPORTER_OTLP_ENDPOINT".into(), src.endpoint())));
        let t = now_ns();
        let mut child = span("parse", 2, Some(1), t + 10, 50);
        child.attributes = vec![
            string_kv("perfwatch.tier", "method"),
            string_kv("rows", "12"),
        ];
        child.status = Some(Status {
            code: StatusCode::Error as i32,
            message: "bad row".into(),
        });
        let req = request("etl", vec![span("job", 1, None, t, 100), child]);
        let body = if json {
            serde_json::to_vec(&req).unwrap()
        } else {
            req.encode_to_vec()
        };
        let body = if gz { gzip(&body) } else { body };
        let mut headers = vec![if json { JSON } else { PB }];
        if gz {
            headers.push(GZ);
        }
        let reply = post(&src, TRACES_PATH, &headers, &body);
        assert_eq!(reply.status, 200, "{label}");
        assert_eq!(reply.header("content-type"), Some(headers[0].1), "{label}");
        if json {
            assert_eq!(reply.body, b"{}", "{label}");
        } else {
            let resp = ExportTraceServiceResponse::decode(reply.body.as_slice()).unwrap();
            assert_eq!(resp.partial_success, None, "{label}");
        }

        let got = src.finish(0);
        assert!(got.dropped.is_empty(), "{label}: {:?}", got.dropped);
        let parse = got
            .records
            .iter()
            .find(|r| matches!(r, SpanRecord::Span { name, .. } if name == "parse"))
            .expect(label);
        let SpanRecord::Span {
            id,
            parent,
            tier,
            component,
            start_unix_ns,
            end_unix_ns,
            ok,
            attrs,
            ..
        } = parse
        else {
            unreachable!()
        };
        assert_eq!(id, "0202020202020202", "{label}");
        assert_eq!(parent.as_deref(), Some("0101010101010101"), "{label}");
        assert_eq!(tier, &some("method"), "{label}");
        assert_eq!(component, &some("etl"), "{label}");
        assert_eq!((*start_unix_ns, *end_unix_ns), (t + 10, t + 60), "{label}");
        assert!(!ok, "{label}");
        assert_eq!(attrs["rows"], "12", "{label}");
        assert_eq!(attrs["otel.status_description"], "bad row", "{label}");
        assert_eq!(got.records.len(), 2, "{label}");
    }
}

#[test]
fn json_as_other_sdks_write_it() {
    let mut src = source(1 << 20);
    src.begin(0).unwrap();
    let t = now_ns();
    let json = format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"web"}}}}]}},
        "scopeSpans":[{{"scope":{{"name":"express"}},"spans":[
          {{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
            "name":"GET /","kind":2,"startTimeUnixNano":"{t}","endTimeUnixNano":"{}",
            "attributes":[{{"key":"http.status_code","value":{{"intValue":"200"}}}},
                          {{"key":"ratio","value":{{"doubleValue":0.5}}}}],
            "status":{{}},"flags":257,"futureField":[1,2]}}]}}]}}]}}"#,
        t + 1_000
    );
    let reply = post(&src, TRACES_PATH, &[JSON], json.as_bytes());
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let got = src.finish(0);
    assert_eq!(
        shape(&got.records),
        vec![("eee19b7ec3c1b174".into(), None, "GET /".into())]
    );
    let SpanRecord::Span { attrs, ok, .. } = &got.records[0] else {
        unreachable!()
    };
    assert!(ok);
    assert_eq!(attrs["http.status_code"], "200");
    assert_eq!(attrs["ratio"], "0.5");
}

#[test]
fn partial_success_names_the_rejected_spans() {
    let mut src = source(1 << 20);
    src.begin(0).unwrap();
    let t = now_ns();
    let mut nameless = span("x", 2, Some(1), t, 5);
    nameless.name.clear();
    let reversed = span("y", 3, Some(1), t + 10, 0);
    let mut reversed = reversed;
    reversed.end_time_unix_nano = t;
    let req = request("s", vec![span("job", 1, None, t, 100), nameless, reversed]);
    for (content_type, body) in [
        (PB, req.encode_to_vec()),
        (JSON, serde_json::to_vec(&req).unwrap()),
    ] {
        let reply = post(&src, TRACES_PATH, &[content_type], &body);
        assert_eq!(reply.status, 200);
        let (rejected, message) = if content_type == PB {
            let p = ExportTraceServiceResponse::decode(reply.body.as_slice())
                .unwrap()
                .partial_success
                .expect("partial success");
            (p.rejected_spans.to_string(), p.error_message)
        } else {
            let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
            let p = &v["partialSuccess"];
            (
                p["rejectedSpans"].as_str().unwrap().to_owned(),
                p["errorMessage"].as_str().unwrap().to_owned(),
            )
        };
        if content_type == PB {
            assert_eq!(rejected, "2");
            assert!(message.contains("span without a name: 1"), "{message}");
            assert!(
                message.contains("span ends before it starts: 1"),
                "{message}"
            );
        } else {
            // The second copy of the good span is a duplicate (a retry).
            assert_eq!(rejected, "3");
            assert!(message.contains("duplicate span id: 1"), "{message}");
        }
    }
    let got = src.finish(0);
    assert_eq!(got.records.len(), 1);
    assert_eq!(got.dropped["span without a name"], 2);
    assert_eq!(got.dropped["span ends before it starts"], 2);
    assert_eq!(got.dropped["duplicate span id"], 1);
}

fn status_of(reply: &crate::harness::Reply) -> RpcStatus {
    assert_eq!(reply.header("content-type"), Some("application/x-protobuf"));
    RpcStatus::decode(reply.body.as_slice()).expect("a google.rpc.Status body")
}

#[test]
fn garbage_is_400_with_a_status_in_the_request_encoding() {
    let mut src = source(1 << 20);
    src.begin(0).unwrap();
    let reply = post(&src, TRACES_PATH, &[PB], b"\xff\xff\xff\xff\x0f");
    assert_eq!(reply.status, 400);
    let status = status_of(&reply);
    assert!(status.message.contains("protobuf"), "{}", status.message);

    let reply = post(&src, TRACES_PATH, &[JSON], b"{\"resourceSpans\": [");
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert!(v["message"].as_str().unwrap().contains("JSON"));

    let reply = post(&src, TRACES_PATH, &[PB, GZ], b"not gzip");
    assert_eq!(reply.status, 400);
    assert!(status_of(&reply).message.contains("gzip"));

    let got = src.finish(0);
    assert!(got.records.is_empty());
    assert_eq!(got.dropped[UNDECODABLE], 3);
}

#[test]
fn unsupported_content_type_or_encoding_is_415() {
    let src = source(1 << 20);
    let cases: [(&str, Vec<(&str, &str)>); 4] = [
        ("text", vec![("Content-Type", "text/plain")]),
        ("grpc", vec![("Content-Type", "application/grpc")]),
        ("none", vec![]),
        ("brotli", vec![PB, ("Content-Encoding", "br")]),
    ];
    for (label, headers) in cases {
        let reply = post(&src, TRACES_PATH, &headers, b"{}");
        assert_eq!(reply.status, 415, "{label}");
        assert!(!status_of(&reply).message.is_empty(), "{label}");
    }
}

#[test]
fn oversize_is_413_by_header_by_stream_and_after_gunzip() {
    let limit = 1024;
    let mut src = source(limit);
    src.begin(0).unwrap();
    let addr = src.addr();

    // Declared too large: refused before reading the body.
    let token = src.token().to_owned();
    let head = format!(
        "POST {TRACES_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\n\
         Content-Type: application/x-protobuf\r\nContent-Length: 100000\r\n\r\n"
    );
    let reply = send_raw(addr, head.as_bytes());
    assert_eq!(reply.status, 413);
    assert!(status_of(&reply).message.contains("1024"));

    // Chunked, no length: refused while reading.
    let chunk = vec![b'a'; 2048];
    let mut raw = format!(
        "POST {TRACES_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\n\
         Content-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        chunk.len()
    )
    .into_bytes();
    raw.extend_from_slice(&chunk);
    raw.extend_from_slice(b"\r\n0\r\n\r\n");
    assert_eq!(send_raw(addr, &raw).status, 413);

    // Small on the wire, large once inflated (a gzip bomb).
    let bomb = gzip(&vec![0u8; 64 * 1024]);
    assert!(bomb.len() < limit);
    let reply = post(&src, TRACES_PATH, &[PB, GZ], &bomb);
    assert_eq!(reply.status, 413);

    assert_eq!(src.finish(0).dropped[TOO_LARGE], 3);
}

#[test]
fn other_paths_are_404_and_other_methods_405() {
    let src = source(1 << 20);
    let reply = post(&src, "/v1/metrics", &[PB], b"");
    assert_eq!(reply.status, 404);
    assert!(status_of(&reply).message.contains("/v1/metrics"));

    let get = format!("GET {TRACES_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let reply = send_raw(src.addr(), get.as_bytes());
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST"));
    status_of(&reply);
}

#[test]
fn empty_request_is_full_success() {
    let mut src = source(1 << 20);
    src.begin(0).unwrap();
    let reply = post(&src, TRACES_PATH, &[PB], b"");
    assert_eq!(reply.status, 200);
    let reply = post(&src, TRACES_PATH, &[JSON], b"{}");
    assert_eq!((reply.status, reply.body.as_slice()), (200, &b"{}"[..]));
    assert_eq!(src.finish(0).records, vec![]);
}

#[test]
fn spans_after_finish_are_dropped_as_late_in_the_next_batch() {
    let mut src = source(1 << 20);
    src.begin(0).unwrap();
    let t = now_ns();
    let first = request("s", vec![span("job", 1, None, t, 10)]);
    assert_eq!(
        post(&src, TRACES_PATH, &[PB], &first.encode_to_vec()).status,
        200
    );
    let got = src.finish(0);
    assert_eq!(got.records.len(), 1);

    // A straggler of iteration 0 after it finished…
    let late = request("s", vec![span("straggler", 2, None, t, 10)]);
    let reply = post(&src, TRACES_PATH, &[PB], &late.encode_to_vec());
    assert_eq!(reply.status, 200);
    let partial = ExportTraceServiceResponse::decode(reply.body.as_slice())
        .unwrap()
        .partial_success
        .unwrap();
    assert_eq!(partial.rejected_spans, 1);
    assert!(partial.error_message.contains(LATE));

    // …and one that started before iteration 1 began but arrived during it.
    src.begin(1).unwrap();
    let reply = post(&src, TRACES_PATH, &[PB], &late.encode_to_vec());
    assert_eq!(reply.status, 200);
    let got = src.finish(1);
    assert!(got.records.is_empty());
    assert_eq!(got.dropped[LATE], 2);

    // Nothing carries over further.
    src.begin(2).unwrap();
    assert_eq!(src.finish(2), Default::default());
}

#[test]
fn begin_gives_the_standard_environment() {
    let mut src = source(1 << 20);
    src.set_service_name("etl-nightly");
    let env = src.begin(0).unwrap();
    let get = |k: &str| {
        env.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{k} missing"))
    };
    let endpoint = format!("http://127.0.0.1:{}", src.addr().port());
    assert_eq!(get("OTEL_EXPORTER_OTLP_ENDPOINT"), endpoint);
    assert_eq!(
        get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
        format!("{endpoint}/v1/traces")
    );
    assert_eq!(get("OTEL_EXPORTER_OTLP_PROTOCOL"), "http/protobuf");
    assert_eq!(get("OTEL_TRACES_EXPORTER"), "otlp");
    assert_eq!(get("OTEL_METRICS_EXPORTER"), "none");
    assert_eq!(get("OTEL_LOGS_EXPORTER"), "none");
    assert_eq!(get("OTEL_SERVICE_NAME"), "etl-nightly");
    assert_eq!(get("OTEL_BSP_SCHEDULE_DELAY"), "100");
    src.finish(0);
}

#[test]
fn requests_without_the_runs_token_are_401_and_counted() {
    let mut src = source(1 << 20);
    let env = src.begin(0).unwrap();
    let headers = env
        .iter()
        .find(|(k, _)| k == "OTEL_EXPORTER_OTLP_HEADERS")
        .map(|(_, v)| v.clone())
        .expect("the token is handed to the program");
    assert_eq!(headers, format!("authorization=Bearer {}", src.token()));
    let body = request("etl", vec![span("job", 1, None, now_ns(), 100)]).encode_to_vec();
    for auth in [None, Some("Bearer 0123"), Some("Basic x")] {
        let mut h = vec![PB];
        if let Some(a) = auth {
            h.push(("Authorization", a));
        }
        let reply = post_to(src.addr(), TRACES_PATH, &h, &body);
        assert_eq!(reply.status, 401, "{auth:?}");
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
        assert!(status_of(&reply).message.contains("token"));
    }
    let got = src.finish(0);
    assert!(got.records.is_empty(), "{:?}", got.records);
    assert_eq!(got.dropped.get(UNAUTHENTICATED), Some(&3));
}

#[test]
fn each_iteration_has_a_new_token_and_the_previous_one_still_counts_as_late() {
    let mut src = source(1 << 20);
    src.begin(0).unwrap();
    let first = src.token().to_owned();
    src.finish(0);
    src.begin(1).unwrap();
    assert_ne!(src.token(), first);
    // A late export of iteration 0, with iteration 0's token.
    let body = request(
        "etl",
        vec![span("late", 7, None, now_ns() - 1_000_000_000, 10)],
    )
    .encode_to_vec();
    let auth = format!("Bearer {first}");
    let reply = post_to(
        src.addr(),
        TRACES_PATH,
        &[("Authorization", &auth), PB],
        &body,
    );
    assert_eq!(reply.status, 200);
    let got = src.finish(1);
    assert_eq!(got.dropped.get(UNAUTHENTICATED), None);
}
