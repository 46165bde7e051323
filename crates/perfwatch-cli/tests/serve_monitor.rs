//! Watching real runs: a program instrumented with the official
//! OpenTelemetry Python SDK sends its traces to `perfwatch serve`, and
//! each trace becomes a run of the monitored pipeline `SERVICE/ROOT`,
//! stored per version and day, read back through the CLI as any session.
//! Bad OTLP input is refused with a 4xx, counted, and stores nothing.

use crate::util::server::Server;
use crate::util::{pw, stdout, TestDir};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A job with two stages under its root, reporting with the SDK's
/// protobuf exporter (`OTEL_EXPORTER_OTLP_*` from the environment).
const JOB: &str = r#"
import os, time
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
provider = TracerProvider(resource=Resource.create(
    {"service.name": "shorts", "service.version": os.environ["JOB_VERSION"]}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
tracer = provider.get_tracer("job")
with tracer.start_as_current_span("video"):
    with tracer.start_as_current_span("_1_download"):
        time.sleep(0.01)
    with tracer.start_as_current_span("_2_asr"):
        time.sleep(0.02)
provider.shutdown()
"#;

/// The interpreter with the OpenTelemetry SDK (scripts/test makes it).
fn sdk_python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = std::env::var_os("PERFWATCH_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv/bin/python"));
    assert!(
        path.exists(),
        "no Python with the OpenTelemetry SDK at {}: run scripts/test once, \
         or point PERFWATCH_TEST_PYTHON at one",
        path.display()
    );
    path
}

fn write_token(dir: &TestDir) -> String {
    let out = pw(dir)
        .args(["token", "create", "--write", "--name", "job"])
        .assert()
        .success();
    stdout(&out).trim().to_string()
}

/// `GET /v1/status` until `done` holds (runs settle in the background).
fn status_until(server: &Server, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = server.request("GET", "/v1/status", None, None).json();
        if done(&status) {
            return status;
        }
        assert!(Instant::now() < deadline, "never reached: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn traces_from_the_official_sdk_become_runs_of_a_monitored_pipeline_per_version() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    let mut server = Server::start(&dir, &["--monitor-settle", "0.3"]);
    server.wait_for_line("OTLP/HTTP");
    let script = dir.path().join("job.py");
    std::fs::write(&script, JOB).unwrap();
    for (version, compression) in [("1.0", "none"), ("1.0", "gzip"), ("1.1", "none")] {
        let out = std::process::Command::new(sdk_python())
            .arg(&script)
            .env("JOB_VERSION", version)
            .env(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                format!("http://{}", server.addr),
            )
            .env(
                "OTEL_EXPORTER_OTLP_HEADERS",
                format!("Authorization=Bearer%20{token}"),
            )
            .env("OTEL_EXPORTER_OTLP_COMPRESSION", compression)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("Failed to export"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let status = status_until(&server, |s| s["runs_stored"] == 3);
    assert_eq!(status["spans"], 9, "{status}");
    assert_eq!(status["refused_requests"], 0, "{status}");
    // One session per version of the day, read through the CLI.
    let listed = stdout(&pw(&dir).args(["sessions"]).assert().success());
    assert_eq!(
        listed.matches("shorts/video").count(),
        2,
        "one session per version:\n{listed}"
    );
    let sessions = server.get("/sessions?benchmark=shorts/video").json();
    let rows = sessions["sessions"]
        .as_array()
        .unwrap_or_else(|| panic!("{sessions}"));
    let first = rows
        .iter()
        .find(|r| r["version"] == "1.0")
        .unwrap_or_else(|| panic!("{sessions}"));
    let id = first["id"].as_str().unwrap();
    let report = stdout(&pw(&dir).args(["report", id]).assert().success());
    for needle in [
        "video/_2_asr",
        "video/_1_download",
        "2 counted",
        "version  1.0",
    ] {
        assert!(report.contains(needle), "`{needle}` missing:\n{report}");
    }
}

#[test]
fn bad_otlp_input_is_refused_counted_and_stores_nothing() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    let server = Server::start(&dir, &["--monitor-settle", "0.1"]);
    let ok_span = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[
        {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
         "name":"job","startTimeUnixNano":"1000","endTimeUnixNano":"5000"}]}]}]}"#;
    let cases: [(&str, Option<&str>, &[u8], u16); 5] = [
        ("/v1/traces", None, ok_span, 401),
        ("/v1/traces", Some(&token), b"{not json", 400),
        ("/v1/traces", Some(&token), b"[1,2,3]", 400),
        (
            "/v1/metrics",
            Some(&token),
            b"{\"resourceMetrics\": 7}",
            400,
        ),
        ("/v1/nothing", Some(&token), ok_span, 404),
    ];
    for (path, token, body, status) in cases {
        let reply = server.request("POST", path, token, Some(body));
        assert_eq!(reply.status, status, "{path}: {}", reply.text());
    }
    let get = server.request("GET", "/v1/traces", Some(&token), None);
    assert_eq!(get.status, 405, "{}", get.text());
    std::thread::sleep(Duration::from_millis(500));
    let status = server.request("GET", "/v1/status", None, None).json();
    assert_eq!(status["refused_requests"], 3, "{status}");
    assert_eq!(status["spans"], 0, "{status}");
    assert_eq!(status["runs_stored"], 0, "{status}");
    let listed = server.get("/sessions").json();
    assert_eq!(
        listed["sessions"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
}

#[test]
fn application_metrics_are_taken_and_their_latest_values_shown() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    let server = Server::start(&dir, &[]);
    let body = br#"{"resourceMetrics":[{"resource":{"attributes":[
        {"key":"service.name","value":{"stringValue":"player"}}]},
      "scopeMetrics":[{"metrics":[
        {"name":"cache.hit_rate","gauge":{"dataPoints":[{"asDouble":0.8,"timeUnixNano":"2000"}]}},
        {"name":"bad","gauge":{"dataPoints":[{"timeUnixNano":"2000"}]}}]}]}]}"#;
    let reply = server.request("POST", "/v1/metrics", Some(&token), Some(body));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["partialSuccess"]["rejectedDataPoints"],
        "1",
        "{}",
        reply.text()
    );
    let status = server.request("GET", "/v1/status", None, None).json();
    assert_eq!(status["metric_points"], 1, "{status}");
    assert_eq!(status["rejected_points"], 1, "{status}");
    assert_eq!(
        status["metrics"]["player"]["cache.hit_rate"]["value"], 0.8,
        "{status}"
    );
}
