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

/// Runs `script` with the SDK's interpreter, exporting to `server` with
/// `token` and the extra `env`, and checks that it exported everything.
fn run_sdk_job(script: &std::path::Path, server: &Server, token: &str, env: &[(&str, &str)]) {
    let out = std::process::Command::new(sdk_python())
        .arg(script)
        .envs(env.iter().copied())
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://{}", server.addr),
        )
        .env(
            "OTEL_EXPORTER_OTLP_HEADERS",
            format!("Authorization=Bearer%20{token}"),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("Failed to export"),
        "{out:?}\n{stderr}"
    );
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
        let env = [
            ("JOB_VERSION", version),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", compression),
        ];
        run_sdk_job(&script, &server, &token, &env);
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

/// A run acknowledged with a 200 but still settling when the server is
/// stopped is stored, not lost; a trace whose root never came is said.
#[test]
fn runs_still_settling_are_stored_when_the_server_stops() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    let server = Server::start(&dir, &["--monitor-settle", "60"]);
    let trace = |id: &str, parent: &str| {
        format!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[
                {{"key":"service.name","value":{{"stringValue":"shorts"}}}}]}},
              "scopeSpans":[{{"spans":[{{"traceId":"{id}","spanId":"b7ad6b7169203331"{parent},
                 "name":"video","startTimeUnixNano":"1000","endTimeUnixNano":"5000"}}]}}]}}]}}"#
        )
    };
    let root = trace("0af7651916cd43dd8448eb211c80319c", "");
    let orphan = trace(
        "1af7651916cd43dd8448eb211c80319c",
        r#","parentSpanId":"c7ad6b7169203331""#,
    );
    for body in [root, orphan] {
        let reply = server.request("POST", "/v1/traces", Some(&token), Some(body.as_bytes()));
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let status = server.request("GET", "/v1/status", None, None).json();
    assert_eq!(status["pending_traces"], 2, "{status}");
    let (exit, lines) = server.stop(libc::SIGINT);
    assert!(exit.success(), "{exit:?}: {lines:#?}");
    let said = lines.join("\n");
    assert!(
        said.contains("stored 1 monitored run(s) still settling"),
        "{said}"
    );
    assert!(
        said.contains("1 trace(s) without a root span dropped"),
        "{said}"
    );
    let listed = stdout(&pw(&dir).args(["sessions"]).assert().success());
    assert!(listed.contains("shorts/video"), "{listed}");
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

/// The job of [`JOB`] that also reports, with the SDK's metrics API and
/// its protobuf exporter, a cache's hit rate (a gauge, `HIT`) and its
/// lookups (a counter, 10 a run), flushed when it ends.
const METERED_JOB: &str = r#"
import os, time
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
resource = Resource.create({"service.name": "shorts", "service.version": "1.0"})
traces = TracerProvider(resource=resource)
traces.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
meters = MeterProvider(resource=resource, metric_readers=[
    PeriodicExportingMetricReader(OTLPMetricExporter(), export_interval_millis=60000)])
tracer = traces.get_tracer("job")
meter = meters.get_meter("job")
hit_rate = meter.create_gauge("cache_hit_rate")
lookups = meter.create_counter("cache.lookups")
with tracer.start_as_current_span("video"):
    with tracer.start_as_current_span("_1_download"):
        time.sleep(0.01)
        lookups.add(10)
        hit_rate.set(float(os.environ["HIT"]))
traces.shutdown()
meters.shutdown()
"#;

#[test]
fn a_cache_hit_gauge_from_the_sdk_is_stored_with_each_run_gated_and_alerted() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    // A short window, so that three runs under the floor open the alert.
    std::fs::write(
        dir.path().join("perfwatch.toml"),
        "[monitor.\"shorts/video\"]\nwindow = 3\napp_metrics = [\"cache_hit_rate >= 0.6\"]\n",
    )
    .unwrap();
    let mut server = Server::start(&dir, &["--monitor-settle", "1"]);
    server.wait_for_line("OTLP/HTTP");
    let script = dir.path().join("job.py");
    std::fs::write(&script, METERED_JOB).unwrap();
    let run = |hit: &str| run_sdk_job(&script, &server, &token, &[("HIT", hit)]);
    for hit in ["0.8", "0.75", "0.85"] {
        run(hit);
    }
    status_until(&server, |s| s["runs_stored"] == 3);
    // Stored with each run: a series of the pipeline, read through the CLI.
    let history = stdout(
        &pw(&dir)
            .args([
                "history",
                "shorts/video",
                "--metric",
                "app:cache_hit_rate",
                "--format",
                "json",
            ])
            .assert()
            .success(),
    );
    let series: serde_json::Value = serde_json::from_str(&history).unwrap();
    let point = &series[0]["points"][0];
    assert_eq!(
        (point["n"].as_u64(), point["median"].as_f64()),
        (Some(3), Some(0.8)),
        "{series}"
    );
    let sessions = server.get("/sessions?benchmark=shorts/video").json();
    let id = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let report = stdout(&pw(&dir).args(["report", &id]).assert().success());
    let line = report
        .lines()
        .find(|l| l.trim_start().starts_with("metrics"));
    assert_eq!(
        line.map(str::trim),
        Some("metrics  cache.lookups 10 · cache_hit_rate 0.8 (0.75–0.85)"),
        "{report}"
    );
    let exported = stdout(&pw(&dir).args(["export", &id]).assert().success());
    let exported: serde_json::Value = serde_json::from_str(&exported).unwrap();
    let lookups = &exported["variants"][0]["app_metrics"]["cache.lookups"];
    assert_eq!(
        (lookups["kind"].as_str(), lookups["median"].as_f64()),
        (Some("counter"), Some(10.0)),
        "each run counts its own 10 lookups: {lookups}"
    );
    // On /metrics, from the same analysis (monitored sessions are shown
    // every five seconds).
    let line = r#"perfwatch_latest_app_metric{benchmark="shorts/video",variant="runs",metric="cache_hit_rate"} 0.8"#;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = server.request("GET", "/metrics", None, None).text();
        if metrics.contains(line) {
            break;
        }
        assert!(Instant::now() < deadline, "{metrics}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // A gate on it passes or fails as configured.
    let gate = |rule: &str| {
        let config = dir.path().join("gate.toml");
        std::fs::write(&config, format!("[gates]\napp_metrics = [\"{rule}\"]\n")).unwrap();
        pw(&dir)
            .args(["gate", &id, "--config"])
            .arg(&config)
            .assert()
    };
    gate("cache_hit_rate >= 0.6").success();
    let failed = gate("cache_hit_rate >= 0.9").code(4);
    let text = format!(
        "{}{}",
        stdout(&failed),
        String::from_utf8_lossy(&failed.get_output().stderr)
    );
    assert!(text.contains("breaks >= 0.9"), "{text}");
    // The same rule from the command line; a rule that reads wrong is a
    // usage error naming the way to write it.
    pw(&dir)
        .args(["gate", &id, "--app-metric", "cache_hit_rate >= 0.6"])
        .assert()
        .success();
    pw(&dir)
        .args(["gate", &id, "--app-metric", "cache_hit_rate > 0.95"])
        .assert()
        .code(4);
    let bad = pw(&dir)
        .args(["gate", &id, "--app-metric", "cache_hit_rate"])
        .assert()
        .code(2);
    let said = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
    assert!(said.contains("write NAME >= NUMBER"), "{said}");
    // Three runs under the floor: one alert on the metric.
    assert!(server.get("/alerts").json()["alerts"]
        .as_array()
        .unwrap()
        .is_empty());
    for hit in ["0.3", "0.35", "0.3"] {
        run(hit);
    }
    status_until(&server, |s| s["runs_stored"] == 6);
    let deadline = Instant::now() + Duration::from_secs(10);
    let alerts = loop {
        let alerts = server.get("/alerts").json()["alerts"].clone();
        if alerts.as_array().is_some_and(|a| !a.is_empty()) || Instant::now() > deadline {
            break alerts;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let list = alerts.as_array().unwrap();
    assert_eq!(list.len(), 1, "{alerts:#}");
    let a = &list[0];
    assert_eq!(
        (a["stage"].as_str(), a["kind"].as_str(), a["state"].as_str()),
        (Some("cache_hit_rate"), Some("app_metric"), Some("open")),
        "{a:#}"
    );
    assert_eq!(a["limit"].as_f64(), Some(0.6), "{a:#}");
    assert_eq!(
        a["first"]["index"].as_u64(),
        Some(3),
        "the first low run: {a:#}"
    );
}
