"""OTLP/HTTP JSON export to a loopback collector started by the test."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import perfwatch


class Collector:
    """A loopback HTTP server that keeps every request it receives."""

    def __init__(self) -> None:
        self.requests = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spans(self):
        return [
            span
            for path, _, body in self.requests
            if path == "/v1/traces"
            for rs in body["resourceSpans"]
            for ss in rs["scopeSpans"]
            for span in ss["spans"]
        ]


@pytest.fixture
def collector():
    c = Collector()
    yield c
    c.server.shutdown()


def attrs(pairs):
    return {p["key"]: p["value"]["stringValue"] for p in pairs}


def test_spans_and_metrics_reach_the_collector(collector, setup_probe):
    mode = setup_probe(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20s3cret,x-team=perf",
            "OTEL_SERVICE_NAME": "videolingo",
            "OTEL_RESOURCE_ATTRIBUTES": "service.version=1.2.3,deployment.environment=ci",
        }
    )
    assert mode == "otlp"

    @perfwatch.stage("_2_asr", tier="method", component="pipeline")
    def asr(fail):
        perfwatch.counter("cache.hits", 3)
        if fail:
            raise RuntimeError("whisper down")

    with perfwatch.stage("video", tier="system"):
        asr(False)
        with pytest.raises(RuntimeError):
            asr(True)
    perfwatch.gauge("pool.size", 4)
    perfwatch.shutdown()

    path, headers, body = next(r for r in collector.requests if r[0] == "/v1/traces")
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Bearer s3cret" and headers["X-Team"] == "perf"
    resource = attrs(body["resourceSpans"][0]["resource"]["attributes"])
    assert resource["service.name"] == "videolingo" and resource["service.version"] == "1.2.3"
    spans = collector.spans()
    video, = [s for s in spans if s["name"] == "video"]
    asrs = [s for s in spans if s["name"] == "_2_asr"]
    assert len(video["traceId"]) == 32 and len(video["spanId"]) == 16 and "parentSpanId" not in video
    assert all(s["parentSpanId"] == video["spanId"] and s["traceId"] == video["traceId"] for s in asrs)
    assert attrs(asrs[0]["attributes"]) == {"perfwatch.tier": "method", "perfwatch.component": "pipeline"}
    assert attrs(video["attributes"]) == {"perfwatch.tier": "system"}
    assert isinstance(video["startTimeUnixNano"], str) and isinstance(video["endTimeUnixNano"], str)
    assert int(video["startTimeUnixNano"]) <= int(asrs[0]["startTimeUnixNano"]) <= int(video["endTimeUnixNano"])
    assert [s.get("status", {}).get("code", 0) for s in asrs] == [0, 2]
    assert perfwatch.stats().spans_sent == 3

    metrics = [
        m
        for path, _, body in collector.requests
        if path == "/v1/metrics"
        for rm in body["resourceMetrics"]
        for sm in rm["scopeMetrics"]
        for m in sm["metrics"]
    ]
    hits = [m for m in metrics if m["name"] == "cache.hits"][-1]
    assert hits["sum"]["dataPoints"][0]["asInt"] == "6" and hits["sum"]["isMonotonic"] is True
    assert hits["sum"]["aggregationTemporality"] == 2
    pool = [m for m in metrics if m["name"] == "pool.size"][-1]
    assert pool["gauge"]["dataPoints"][0]["asDouble"] == 4.0


def test_requests_hold_at_most_512_spans(collector, setup_probe):
    setup_probe({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.endpoint + "/v1/traces"})
    for _ in range(1200):
        with perfwatch.stage("item"):
            pass
    perfwatch.shutdown()
    sizes = [len(b["resourceSpans"][0]["scopeSpans"][0]["spans"]) for p, _, b in collector.requests if p == "/v1/traces"]
    assert sum(sizes) == 1200 and max(sizes) <= 512
    # No metrics endpoint was derived from a traces-only endpoint.
    assert all(p == "/v1/traces" for p, _, _ in collector.requests)


def test_a_dead_collector_neither_blocks_nor_raises(setup_probe):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    setup_probe({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:%d" % port})
    started = time.monotonic()
    for _ in range(2000):
        with perfwatch.stage("work"):
            perfwatch.counter("n")
    perfwatch.flush()
    perfwatch.shutdown()
    assert time.monotonic() - started < 3
    stats = perfwatch.stats()
    assert stats.spans_dropped == 2000 and stats.spans_sent == 0 and stats.request_errors >= 4
