"""Sending spans and metrics as OTLP/HTTP JSON (``otlp`` mode).

The background thread hands every drained batch to :class:`OtlpSink`,
which encodes spans in requests of at most :data:`MAX_BATCH` spans and
puts them on a small bounded queue; a sender thread of its own posts them
with :mod:`urllib.request` and a short timeout. When the queue is full
(the collector is slow or gone) further spans are dropped and counted:
recording never waits for the network, and nothing raises.

Counters are sent as cumulative sums and gauges as their last reading to
``/v1/metrics`` about once a second (unless ``OTEL_METRICS_EXPORTER=none``).
"""

import json
import queue as queue_module
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

from . import __about__
from ._config import OtlpConfig
from ._numbers import json_number
from ._recorder import Frame
from ._stats import counts

#: Most spans in one request.
MAX_BATCH = 512
#: Most requests waiting for the sender; further spans are dropped.
MAX_QUEUED_REQUESTS = 16
#: Seconds between metric requests.
METRICS_INTERVAL_S = 1.0
#: OTLP status code of a failed span.
STATUS_ERROR = 2
#: OTLP span kind INTERNAL.
KIND_INTERNAL = 1
#: OTLP aggregation temporality CUMULATIVE.
CUMULATIVE = 2

_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _attributes(pairs: Dict[str, str]) -> List[Dict[str, Any]]:
    return [{"key": k, "value": {"stringValue": v}} for k, v in pairs.items()]


class OtlpSink:
    """Encodes spans and metrics as OTLP JSON and sends them in the background."""

    def __init__(self, config: OtlpConfig, offset_ns: int) -> None:
        self.config = config
        self.offset_ns = offset_ns
        self.resource = {"attributes": _attributes(config.resource)}
        self.scope = {"version": __about__.__version__}
        self.headers = dict(config.headers)
        self.headers["Content-Type"] = "application/json"
        self.headers.setdefault("User-Agent", "perfwatch-python/" + __about__.__version__)
        self._requests: "queue_module.Queue[Optional[Tuple[str, bytes, int]]]" = queue_module.Queue(
            MAX_QUEUED_REQUESTS
        )
        self._sums: Dict[str, Any] = {}
        self._gauges: Dict[str, Tuple[Any, int]] = {}
        self._metrics_changed = False
        self._metrics_sent_at = 0.0
        self._start_ns = time.time_ns()
        self._sender = threading.Thread(target=self._send_loop, name="perfwatch-otlp", daemon=True)
        self._sender.start()

    # -- encoding ---------------------------------------------------------

    def _attributes_of(self, stage: Any) -> List[Dict[str, Any]]:
        cached = stage.encoded
        if cached is not None and cached[0] is self:
            return cached[1]  # type: ignore[no-any-return]
        pairs = {}
        if stage.tier is not None:
            pairs["perfwatch.tier"] = stage.tier
        if stage.component is not None:
            pairs["perfwatch.component"] = stage.component
        attributes = _attributes(pairs)
        stage.encoded = (self, attributes)
        return attributes

    def span(self, frame: Frame) -> Dict[str, Any]:
        """One closed frame as an OTLP JSON span."""
        start = frame.start + self.offset_ns
        span: Dict[str, Any] = {
            "traceId": "%032x" % frame.trace,
            "spanId": "%016x" % frame.id,
            "name": frame.stage.name,
            "kind": KIND_INTERNAL,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(max(frame.end + self.offset_ns, start)),
            "attributes": self._attributes_of(frame.stage),
        }
        parent = frame.parent
        if parent is not None:
            span["parentSpanId"] = "%016x" % parent.id
        elif self.config.parent is not None:
            span["parentSpanId"] = "%016x" % self.config.parent[1]
        if not frame.ok:
            span["status"] = {"code": STATUS_ERROR}
        return span

    def traces_body(self, spans: List[Dict[str, Any]]) -> bytes:
        """An ``ExportTraceServiceRequest`` in OTLP JSON."""
        # The scope carries no name: perfwatch takes a scope's name as the
        # component of spans without ``perfwatch.component``.
        request = {
            "resourceSpans": [
                {"resource": self.resource, "scopeSpans": [{"scope": self.scope, "spans": spans}]}
            ]
        }
        return json.dumps(request, separators=(",", ":")).encode("utf-8", "replace")

    def metrics_body(self, now_ns: int) -> bytes:
        """An ``ExportMetricsServiceRequest`` with every counter and gauge."""
        metrics: List[Dict[str, Any]] = []
        for name, total in self._sums.items():
            number = json_number(total)
            if number is None:
                continue
            point: Dict[str, Any] = {
                "startTimeUnixNano": str(self._start_ns),
                "timeUnixNano": str(now_ns),
            }
            point["asInt" if "." not in number and "e" not in number else "asDouble"] = (
                number if "." not in number and "e" not in number else float(number)
            )
            metrics.append(
                {
                    "name": name,
                    "sum": {
                        "dataPoints": [point],
                        "aggregationTemporality": CUMULATIVE,
                        "isMonotonic": total >= 0,
                    },
                }
            )
        for name, (value, at_ns) in self._gauges.items():
            number = json_number(value)
            if number is None:
                continue
            metrics.append(
                {
                    "name": name,
                    "gauge": {"dataPoints": [{"timeUnixNano": str(at_ns), "asDouble": float(number)}]},
                }
            )
        request = {
            "resourceMetrics": [
                {"resource": self.resource, "scopeMetrics": [{"scope": self.scope, "metrics": metrics}]}
            ]
        }
        return json.dumps(request, separators=(",", ":")).encode("utf-8", "replace")

    # -- writing ----------------------------------------------------------

    def write(self, items: List[Any], final: bool = False) -> None:
        """Encodes a drained batch and queues its requests (or drops them)."""
        spans: List[Dict[str, Any]] = []
        # When the collector is behind, spans are dropped without encoding.
        behind = self._requests.full()
        dropped = 0
        for item in items:
            try:
                if item.__class__ is Frame:
                    if behind:
                        dropped += 1
                    else:
                        spans.append(self.span(item))
                    if item.counters:
                        for name, value in item.counters.items():
                            self._add(name, value)
                elif item[0] == "counter":
                    self._add(item[1], item[2])
                elif item[0] == "gauge":
                    self._gauges[str(item[1])] = (item[2], item[3] + self.offset_ns)
                    self._metrics_changed = True
            except Exception:
                counts.add("encode_errors")
        if dropped:
            counts.add("spans_dropped", dropped)
        for at in range(0, len(spans), MAX_BATCH):
            batch = spans[at : at + MAX_BATCH]
            try:
                self._queue(self.config.traces_url, self.traces_body(batch), len(batch))
            except Exception:
                counts.add("encode_errors")
                counts.add("spans_dropped", len(batch))
        now = time.monotonic()
        if (
            self.config.metrics_url is not None
            and self._metrics_changed
            and (final or now - self._metrics_sent_at >= METRICS_INTERVAL_S)
        ):
            self._metrics_changed = False
            self._metrics_sent_at = now
            try:
                self._queue(self.config.metrics_url, self.metrics_body(time.time_ns()), 0)
            except Exception:
                counts.add("encode_errors")

    def _add(self, name: Any, value: Any) -> None:
        key = str(name)
        self._sums[key] = self._sums.get(key, 0) + value
        self._metrics_changed = True

    def _queue(self, url: str, body: bytes, spans: int) -> None:
        try:
            self._requests.put_nowait((url, body, spans))
        except queue_module.Full:
            counts.add("spans_dropped", spans)
            if spans == 0:
                counts.add("request_errors")

    # -- sending ----------------------------------------------------------

    def _send_loop(self) -> None:
        while True:
            request = self._requests.get()
            if request is None:
                return
            self.post(*request)

    def post(self, url: str, body: bytes, spans: int) -> bool:
        """Sends one request; counts its outcome; never raises."""
        try:
            request = urllib.request.Request(url, data=body, headers=self.headers, method="POST")
            with _opener(url).open(request, timeout=self.config.timeout_s) as response:
                response.read()
                ok = 200 <= response.status < 300
        except (urllib.error.URLError, OSError, ValueError, Exception):
            ok = False
        if ok:
            if spans:
                counts.add("spans_sent", spans)
            else:
                counts.add("metric_requests_sent")
        else:
            counts.add("request_errors")
            counts.add("spans_dropped", spans)
        return ok

    def close(self, wait_s: Optional[float] = None) -> None:
        """Sends what is queued, waiting at most ``wait_s`` seconds (the
        request timeout by default); what is left is dropped and counted."""
        deadline = self.config.timeout_s if wait_s is None else wait_s
        self.write([], final=True)
        try:
            self._requests.put(None, timeout=deadline)
        except queue_module.Full:
            pass
        self._sender.join(deadline)
        while True:
            try:
                left = self._requests.get_nowait()
            except queue_module.Empty:
                break
            if left is not None:
                counts.add("spans_dropped", left[2])


_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_default = urllib.request.build_opener()


def _opener(url: str) -> urllib.request.OpenerDirector:
    """No proxy for a collector on loopback (``http_proxy`` would break it)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    return _direct if host in _LOOPBACK else _default
