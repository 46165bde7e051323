"""Ingest cost: the team server's CPU per OTLP span beside the SDK's cost to make it.

Run with the interpreter that has the OpenTelemetry SDK (perfwatch's
``.venv``), after ``cargo build --release -p perfwatch-cli``::

    .venv/bin/python python/bench/ingest_cost.py [--batches 200] [--sdk-spans 50000]

The goal it checks: ingest throughput of ``perfwatch serve`` (spans/s per
core, OTLP/HTTP protobuf, batches of 512) and the CPU it spends per span,
beside the OpenTelemetry Python SDK's cost to produce that span; the server
is never the bottleneck when its cost is at most 1/20 of the SDK's.

Every repetition (``--reps``, 3 by default) starts a fresh
``perfwatch serve`` on a temporary history with a write token, then:

* **server ingest**: POSTs the pre-encoded protobuf bodies (``--batches``
  of 512 spans: 64 traces of a root and 7 children each, resource
  ``service.name``/``service.version``, two or three span attributes,
  encoded by the SDK's own ``encode_spans``) one after the other over one
  keep-alive connection, and waits until ``/v1/status`` counts every span
  and every trace stored as a run, then until the server's CPU time stands
  still (what each stored run sets off runs after it is counted). The
  server process's CPU time (user + sys, ``/proc/PID/stat``) over all of
  it, storing included, per span; and the server's peak resident memory
  after it (``VmHWM``: the burst is what makes it grow). Every 8 batches
  the POSTs wait while the server holds over ``--max-pending`` traces
  (8000) waiting to be stored: past 10,000 it drops the oldest, which
  would lose runs and understate the cost (``--max-pending 0`` shows
  that).
* **sdk**: ``tracer.start_as_current_span`` in the same shape (root + 7
  children, same attributes), ``TracerProvider`` with a
  ``BatchSpanProcessor`` and the SDK's protobuf ``OTLPSpanExporter`` sending
  to the same server, ``force_flush`` included: this process's CPU time
  (``time.process_time``, every thread) per span. Beside it, the server's
  CPU per span of that real SDK traffic, and the SDK's cost with an
  exporter that discards (the SDK alone, no export).

The bodies are encoded once, before anything is timed; that client-side
cost is printed apart, never counted for the server. It prints every
repetition and the medians, then the verdict, and what went wrong
(refused requests, rejected, late or dropped spans and traces, runs not
stored, server errors). Exit status 0 only when the goal is met and
nothing went wrong.
"""

import argparse
import gzip
import http.client
import json
import os
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

GOAL = 1 / 20
BATCH = 512
SPANS_PER_TRACE = 8
TRACES_PER_BATCH = BATCH // SPANS_PER_TRACE
PACE_EVERY = 8
SERVICE = {"service.name": "bench-shop", "service.version": "1.4.2"}
SCOPE = "bench.orders"

# One trace: (name, parent index, start offset µs, duration µs, attributes).
SHAPE: List[Tuple[str, Optional[int], int, int, Dict[str, Any]]] = [
    ("process_order", None, 0, 9000, {"http.request.method": "POST", "order.items": 3}),
    ("validate", 0, 100, 400, {"code.namespace": "shop.orders", "order.items": 3}),
    ("load_customer", 0, 600, 2500, {"code.namespace": "shop.customers", "db.system": "postgresql"}),
    ("db.select", 2, 700, 2200, {"db.system": "postgresql", "db.operation.name": "SELECT"}),
    ("price", 0, 3200, 4000, {"code.namespace": "shop.pricing", "order.items": 3}),
    ("cache.get", 4, 3300, 300, {"cache.hit": True, "code.namespace": "shop.pricing"}),
    ("tax.lookup", 4, 3700, 3300, {"code.namespace": "shop.tax", "tax.region": "EU"}),
    ("publish", 0, 7300, 1500, {"messaging.system": "kafka", "messaging.destination.name": "orders"}),
]
assert len(SHAPE) == SPANS_PER_TRACE


# ---------------------------------------------------------------- helpers


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process `pid` (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the name: state is field 3, so utime (14) and stime (15) are
    # at 11 and 12 here.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_peak_mb(pid: int) -> float:
    """Peak resident memory of process `pid` so far (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def settled(status: Dict[str, Any]) -> int:
    """Traces the server is done with: stored as runs, failed to store, or
    dropped."""
    return int(status["runs_stored"] + status["store_failures"] + status["dropped_traces"])


def median(values: List[float]) -> float:
    return statistics.median(values)


class Server:
    """`perfwatch serve` on a temporary history, with a write token."""

    def __init__(self, binary: str, settle: float) -> None:
        self.dir = tempfile.mkdtemp(prefix="perfwatch-ingest-bench-")
        self.db = os.path.join(self.dir, "history.db")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PERFWATCH_", "OTEL_"))}
        self.env["NO_COLOR"] = "1"
        self.stderr: List[str] = []
        self.proc: Optional[subprocess.Popen] = None
        try:
            self.token = subprocess.run(
                [binary, "--db", self.db, "token", "create", "--write", "--name", "bench"],
                cwd=self.dir,
                env=self.env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            self.proc = subprocess.Popen(
                [binary, "--db", self.db, "serve", "--listen", "127.0.0.1:0", "--monitor-settle", str(settle)],
                cwd=self.dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            self.addr = self._wait_listening()
            threading.Thread(target=self._drain, daemon=True).start()
            host, port = self.addr.rsplit(":", 1)
            self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        except BaseException:
            self.stop()
            raise

    def _wait_listening(self) -> str:
        assert self.proc is not None and self.proc.stderr is not None
        marker = "listening on http://"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise RuntimeError(f"perfwatch serve exited: {''.join(self.stderr)}")
            self.stderr.append(line)
            if marker in line:
                return line.split(marker, 1)[1].split()[0]
        raise RuntimeError("perfwatch serve never said where it listens")

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_s(self) -> float:
        return proc_cpu_s(self.pid)

    def status(self) -> Dict[str, Any]:
        self.conn.request("GET", "/v1/status")
        resp = self.conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"/v1/status answered {resp.status}: {body[:200]!r}")
        return json.loads(body)

    def wait_for(self, spans: int, runs: int, limit_s: float = 120) -> Dict[str, Any]:
        """Polls /v1/status until `spans` are counted and `runs` settled:
        stored, failed to store or dropped (the last two are reported as
        problems by the caller)."""
        deadline = time.monotonic() + limit_s
        while True:
            s = self.status()
            if s["spans"] >= spans and settled(s) >= runs:
                return s
            if time.monotonic() > deadline:
                raise RuntimeError(f"never got {spans} spans and {runs} runs stored: {s}")
            time.sleep(0.02)

    def wait_idle(self, window_s: float = 0.1, limit_s: float = 300) -> float:
        """Waits until the server's CPU time stands still (at most one clock
        tick in each of two windows in a row): work that the requests set
        off in the background, after they were counted (the runs' events),
        is done. Returns the seconds waited."""
        tick = 1 / os.sysconf("SC_CLK_TCK")
        t0 = time.perf_counter()
        quiet = 0
        last = self.cpu_s()
        while quiet < 2:
            time.sleep(window_s)
            now = self.cpu_s()
            quiet = quiet + 1 if now - last <= tick * 1.5 else 0
            last = now
            if time.perf_counter() - t0 > limit_s:
                raise RuntimeError("the server never went idle")
        return time.perf_counter() - t0

    def stop(self) -> None:
        try:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------- pre-encoded bodies


def encode_batches(n: int, seed: int) -> Tuple[List[bytes], float, float]:
    """`n` ExportTraceServiceRequest bodies of BATCH spans (distinct trace
    ids), encoded by the SDK's encoder; with the CPU seconds spent making
    the ReadableSpans and encoding them."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import SpanContext, SpanKind, TraceFlags

    rng = random.Random(seed)
    resource = Resource.create(SERVICE)
    scope = InstrumentationScope(SCOPE)
    sampled = TraceFlags(TraceFlags.SAMPLED)
    base_ns = time.time_ns() - 60 * 1_000_000_000
    bodies: List[bytes] = []
    build_s = encode_s = 0.0
    for b in range(n):
        t0 = time.process_time()
        spans = []
        for t in range(TRACES_PER_BATCH):
            trace_id = rng.getrandbits(128) | 1
            start = base_ns + (b * TRACES_PER_BATCH + t) * 1_000_000
            contexts: List[SpanContext] = []
            for name, parent, offset_us, dur_us, attrs in SHAPE:
                ctx = SpanContext(trace_id, rng.getrandbits(64) | 1, is_remote=False, trace_flags=sampled)
                contexts.append(ctx)
                spans.append(
                    ReadableSpan(
                        name=name,
                        context=ctx,
                        parent=None if parent is None else contexts[parent],
                        resource=resource,
                        attributes=attrs,
                        kind=SpanKind.SERVER if parent is None else SpanKind.INTERNAL,
                        instrumentation_scope=scope,
                        start_time=start + offset_us * 1000,
                        end_time=start + (offset_us + dur_us) * 1000,
                    )
                )
        t1 = time.process_time()
        bodies.append(encode_spans(spans).SerializeToString())
        t2 = time.process_time()
        build_s += t1 - t0
        encode_s += t2 - t1
    return bodies, build_s, encode_s


# --------------------------------------------------------------- measures


def server_ingest(server: Server, bodies: List[bytes], gzipped: bool, max_pending: int) -> Dict[str, Any]:
    """POSTs every body, waits until all is stored; the server's CPU.

    With `max_pending`, every PACE_EVERY batches it waits while the server
    holds more than `max_pending` traces waiting for their settle time (the
    server drops the oldest past 10,000: a burst faster than it stores
    would otherwise lose runs and understate the cost of storing)."""
    headers = {
        "Content-Type": "application/x-protobuf",
        "Authorization": f"Bearer {server.token}",
    }
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    before = server.status()
    spans = len(bodies) * BATCH
    runs = len(bodies) * TRACES_PER_BATCH
    refused: Dict[int, int] = {}
    first_refusal = ""
    paced = 0
    paced_s = 0.0
    cpu0 = server.cpu_s()
    w0 = time.perf_counter()
    for i, body in enumerate(bodies):
        if max_pending and i and i % PACE_EVERY == 0:
            p0 = time.perf_counter()
            waited = False
            while server.status()["pending_traces"] > max_pending - PACE_EVERY * TRACES_PER_BATCH:
                waited = True
                time.sleep(0.01)
            if waited:
                paced += 1
                paced_s += time.perf_counter() - p0
        server.conn.request("POST", "/v1/traces", body, headers)
        resp = server.conn.getresponse()
        answer = resp.read()
        if resp.status != 200:
            refused[resp.status] = refused.get(resp.status, 0) + 1
            first_refusal = first_refusal or answer[:300].decode(errors="replace")
    w1 = time.perf_counter()
    cpu_posted = server.cpu_s()
    after = server.wait_for(before["spans"] + spans, settled(before) + runs)
    w2 = time.perf_counter()
    cpu_stored = server.cpu_s() - cpu0
    # Counted as stored is not done: each stored run is announced, and what
    # listens does its work after; the server's CPU until it is idle again.
    idle_wait = server.wait_idle()
    cpu = server.cpu_s() - cpu0
    return {
        "spans": spans,
        "cpu_s": cpu,
        "cpu_posted_s": cpu_posted - cpu0,
        "cpu_stored_s": cpu_stored,
        "idle_wait_s": idle_wait,
        "post_wall_s": w1 - w0,
        "stored_wall_s": w2 - w0,
        "paced": paced,
        "paced_s": paced_s,
        "refused": refused,
        "first_refusal": first_refusal,
        "status": after,
        "before": before,
    }


def server_steady(server: Server, bodies: List[bytes], rate: float) -> Dict[str, Any]:
    """POSTs `bodies` at `rate` batches a second (one keep-alive
    connection, each at its own instant), waits until all is stored; the
    server's CPU over that window. The burst before left hundreds of runs
    in the history, so the work that is done per second rather than per
    span (the alert pass replaying the recent runs, the figures on
    `/metrics`) is done as on a server that has been up a while."""
    headers = {"Content-Type": "application/x-protobuf", "Authorization": f"Bearer {server.token}"}
    before = server.status()
    cpu0 = server.cpu_s()
    w0 = time.perf_counter()
    refused = 0
    for i, body in enumerate(bodies):
        pause = w0 + i / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        server.conn.request("POST", "/v1/traces", body, headers)
        resp = server.conn.getresponse()
        resp.read()
        refused += resp.status != 200
    server.wait_for(before["spans"] + len(bodies) * BATCH, settled(before) + len(bodies) * TRACES_PER_BATCH)
    wall = time.perf_counter() - w0
    return {"cpu_s": server.cpu_s() - cpu0, "wall_s": wall, "spans": len(bodies) * BATCH, "refused": refused}


def sdk_produce(server: Server, n_spans: int, exporter_kind: str) -> Dict[str, Any]:
    """`start_as_current_span` in the bench's shape, BatchSpanProcessor +
    exporter (`otlp`: the SDK's protobuf exporter to `server`; `discard`:
    none), force_flush included; this process's CPU per span."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
    from opentelemetry.trace import SpanKind

    class Discard(SpanExporter):
        def export(self, spans):  # type: ignore[no-untyped-def]
            return SpanExportResult.SUCCESS

        def shutdown(self) -> None:
            pass

    if exporter_kind == "otlp":
        exporter: SpanExporter = OTLPSpanExporter(
            endpoint=f"http://{server.addr}/v1/traces",
            headers={"Authorization": f"Bearer {server.token}"},
        )
    else:
        exporter = Discard()
    traces = n_spans // SPANS_PER_TRACE
    warmup = 100
    provider = TracerProvider(resource=Resource.create(SERVICE))
    provider.add_span_processor(
        BatchSpanProcessor(exporter, max_queue_size=(traces + warmup) * SPANS_PER_TRACE * 2, max_export_batch_size=BATCH)
    )
    tracer = provider.get_tracer(SCOPE)
    span = tracer.start_as_current_span
    a = [attrs for _, _, _, _, attrs in SHAPE]
    server_kind = SpanKind.SERVER

    def run(n: int) -> None:
        # The shape of SHAPE: root; validate; load_customer > db.select;
        # price > cache.get, tax.lookup; publish.
        for _ in range(n):
            with span("process_order", kind=server_kind, attributes=a[0]):
                with span("validate", attributes=a[1]):
                    pass
                with span("load_customer", attributes=a[2]):
                    with span("db.select", attributes=a[3]):
                        pass
                with span("price", attributes=a[4]):
                    with span("cache.get", attributes=a[5]):
                        pass
                    with span("tax.lookup", attributes=a[6]):
                        pass
                with span("publish", attributes=a[7]):
                    pass

    try:
        start = server.status() if exporter_kind == "otlp" else None
        run(warmup)
        provider.force_flush()
        before = None
        if start is not None:
            # The warm-up's runs stored first, so they are not timed.
            before = server.wait_for(start["spans"] + warmup * SPANS_PER_TRACE, settled(start) + warmup)
            server.wait_idle()
        server_cpu0 = server.cpu_s()
        c0 = time.process_time()
        w0 = time.perf_counter()
        run(traces)
        provider.force_flush()
        c1 = time.process_time()
        w1 = time.perf_counter()
        result: Dict[str, Any] = {
            "spans": traces * SPANS_PER_TRACE,
            "cpu_s": c1 - c0,
            "wall_s": w1 - w0,
        }
        if before is not None:
            after = server.wait_for(before["spans"] + traces * SPANS_PER_TRACE, settled(before) + traces)
            server.wait_idle()
            result["server_cpu_s"] = server.cpu_s() - server_cpu0
            result["server_received"] = after["spans"] - before["spans"]
            result["status"] = after
        return result
    finally:
        provider.shutdown()


# ------------------------------------------------------------------- main


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200, help="batches of 512 spans per repetition (200)")
    parser.add_argument("--sdk-spans", type=int, default=50_000, help="spans the SDK makes per repetition (50000)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions, fresh server each (3)")
    parser.add_argument("--settle", type=float, default=0.2, help="the server's --monitor-settle (0.2)")
    parser.add_argument(
        "--max-pending",
        type=int,
        default=8000,
        help="pause the POSTs while the server holds more traces than this waiting to be stored "
        "(it drops the oldest past 10000); 0: never pause (8000)",
    )
    parser.add_argument("--gzip", action="store_true", help="gzip the bodies (Content-Encoding: gzip)")
    parser.add_argument(
        "--steady",
        type=float,
        default=0,
        metavar="BATCHES_PER_S",
        help="after the burst, also send batches at this steady rate for --steady-seconds and report "
        "the server's CPU per span and per second at that rate (0: not measured)",
    )
    parser.add_argument("--steady-seconds", type=float, default=10, help="how long the steady rate lasts (10)")
    parser.add_argument(
        "--perfwatch",
        default=os.environ.get("PERFWATCH_BIN", os.path.join(root, "target", "release", "perfwatch")),
        help="the perfwatch binary (target/release/perfwatch, or $PERFWATCH_BIN)",
    )
    args = parser.parse_args()
    # A SIGTERM ends it as Ctrl-C does: the servers stopped, the temporary
    # histories removed (the `finally`s run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    print("$ " + " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv))
    if not os.access(args.perfwatch, os.X_OK):
        sys.exit(f"no perfwatch binary at {args.perfwatch}: cargo build --release -p perfwatch-cli")
    version = subprocess.run([args.perfwatch, "--version"], capture_output=True, text=True).stdout.strip()
    import opentelemetry.sdk.version as sdk_version

    print(
        f"{version} ({args.perfwatch}) · python {sys.version.split()[0]} · "
        f"opentelemetry-sdk {sdk_version.__version__} · {os.cpu_count()} CPUs"
    )

    bodies, build_s, encode_s = encode_batches(args.batches, seed=20261206)
    steady_bodies = (
        encode_batches(max(1, round(args.steady * args.steady_seconds)), seed=20261207)[0] if args.steady > 0 else []
    )
    if args.gzip:
        t0 = time.process_time()
        bodies = [gzip.compress(b, 6) for b in bodies]
        gzip_s = time.process_time() - t0
    n = args.batches * BATCH
    size = sum(len(b) for b in bodies)
    print(
        f"{args.batches} batches × {BATCH} spans ({TRACES_PER_BATCH} traces × {SPANS_PER_TRACE} spans) = {n} spans, "
        f"protobuf{'+gzip' if args.gzip else ''}, {size / args.batches / 1024:.1f} KiB/batch, {size / n:.0f} B/span"
    )
    print(
        f"client encoding (not counted for the server): ReadableSpans {build_s / n * 1e6:.2f} µs/span, "
        f"encode_spans + SerializeToString {encode_s / n * 1e6:.2f} µs/span"
        + (f", gzip {gzip_s / n * 1e6:.2f} µs/span" if args.gzip else "")
    )
    print()

    rows: List[Dict[str, float]] = []
    problems: List[str] = []
    for rep in range(args.reps):
        server: Optional[Server] = None
        try:
            server = Server(args.perfwatch, args.settle)
            # What the server burns doing nothing, for scale.
            idle0 = server.cpu_s()
            time.sleep(1.0)
            idle = server.cpu_s() - idle0
            ingest = server_ingest(server, bodies, args.gzip, args.max_pending)
            # The burst is what makes the server grow; read before the rest.
            peak_mb = proc_peak_mb(server.pid)
            steady = server_steady(server, steady_bodies, args.steady) if steady_bodies else None
            if steady and steady["refused"]:
                problems.append(f"rep {rep + 1}: steady rate: {steady['refused']} requests refused")
            otlp = sdk_produce(server, args.sdk_spans, "otlp")
            discard = sdk_produce(server, args.sdk_spans, "discard")
            st = ingest["status"]
            for key in ("refused_requests", "rejected_spans", "late_spans", "dropped_traces", "store_failures"):
                got = st[key] - ingest["before"][key]
                if got:
                    problems.append(f"rep {rep + 1}: server ingest: {key} = {got}")
            if ingest["refused"]:
                problems.append(
                    f"rep {rep + 1}: refused {ingest['refused']}: {ingest['first_refusal']}"
                )
            if otlp.get("server_received") != otlp["spans"]:
                problems.append(
                    f"rep {rep + 1}: SDK exported {otlp['spans']} spans, server counted {otlp.get('server_received')}"
                )
            for key in ("refused_requests", "rejected_spans", "late_spans", "dropped_traces", "store_failures"):
                if otlp["status"][key] != st[key]:
                    problems.append(f"rep {rep + 1}: SDK traffic: {key} {st[key]} → {otlp['status'][key]}")
            row = {
                "server_us": ingest["cpu_s"] / n * 1e6,
                "server_posted_us": ingest["cpu_posted_s"] / n * 1e6,
                "server_stored_us": ingest["cpu_stored_s"] / n * 1e6,
                "per_core": n / ingest["cpu_s"] if ingest["cpu_s"] > 0 else float("inf"),
                "wall_post": n / ingest["post_wall_s"],
                "wall_stored": n / ingest["stored_wall_s"],
                "sdk_us": otlp["cpu_s"] / otlp["spans"] * 1e6,
                "sdk_discard_us": discard["cpu_s"] / discard["spans"] * 1e6,
                "server_sdk_us": otlp["server_cpu_s"] / otlp["spans"] * 1e6,
                "idle_ms": idle * 1e3,
                "peak_mb": peak_mb,
            }
            row["ratio"] = row["server_us"] / row["sdk_us"]
            if steady:
                row["steady_us"] = steady["cpu_s"] / steady["spans"] * 1e6
                row["steady_ms_per_s"] = steady["cpu_s"] / steady["wall_s"] * 1e3
                row["steady_ratio"] = row["steady_us"] / row["sdk_us"]
            rows.append(row)
            print(
                f"rep {rep + 1}: server {row['server_us']:.2f} µs/span CPU "
                f"({row['server_posted_us']:.2f} until the POSTs were answered, "
                f"{row['server_stored_us']:.2f} until all runs were stored, the rest until idle "
                f"{ingest['idle_wait_s']:.1f} s later), "
                f"{row['per_core']:,.0f} spans/s per core, peak memory {row['peak_mb']:.1f} MB; POSTs answered in {ingest['post_wall_s']:.2f} s "
                f"(paused {ingest['paced']}× for {ingest['paced_s']:.2f} s), "
                f"{st['runs_stored'] - ingest['before']['runs_stored']} runs stored after {ingest['stored_wall_s']:.2f} s "
                f"({row['wall_stored']:,.0f} spans/s wall); "
                f"sdk {row['sdk_us']:.2f} µs/span (discard exporter {row['sdk_discard_us']:.2f}), "
                f"server on the sdk's traffic {row['server_sdk_us']:.2f} µs/span; "
                f"ratio {row['ratio']:.4f}; idle server {row['idle_ms']:.0f} ms CPU/s"
                + (
                    f"; at a steady {args.steady * BATCH:,.0f} spans/s: {row['steady_us']:.2f} µs/span, "
                    f"{row['steady_ms_per_s']:.0f} ms CPU/s"
                    if steady
                    else ""
                )
            )
        finally:
            if server is not None:
                server.stop()
                for line in server.stderr:
                    if "not stored" in line or "error" in line.lower() or "panick" in line:
                        problems.append(f"rep {rep + 1}: server said: {line.strip()}")

    def m(key: str) -> float:
        return median([r[key] for r in rows])

    def all3(key: str, fmt: str) -> str:
        return "  ".join(format(r[key], fmt) for r in rows)

    print()
    print(f"{'':44} {'median':>12}   per repetition")
    table = [
        ("server CPU µs/span (ingest + store, to idle)", "server_us", ".2f"),
        ("server spans/s per core", "per_core", ",.0f"),
        ("server spans/s wall (first POST → all stored)", "wall_stored", ",.0f"),
        ("server peak memory after the burst, MB", "peak_mb", ".1f"),
        ("SDK CPU µs/span (BatchSpanProcessor+OTLP)", "sdk_us", ".2f"),
        ("SDK CPU µs/span (discard exporter)", "sdk_discard_us", ".2f"),
        ("server CPU µs/span on the SDK's traffic", "server_sdk_us", ".2f"),
        ("ratio server / SDK", "ratio", ".4f"),
    ]
    if args.steady > 0:
        table += [
            (f"server CPU µs/span at {args.steady * BATCH:,.0f} spans/s", "steady_us", ".2f"),
            ("server CPU ms/s at that rate", "steady_ms_per_s", ".1f"),
            ("ratio server / SDK at that rate", "steady_ratio", ".4f"),
        ]
    for label, key, fmt in table:
        print(f"{label:44} {format(m(key), fmt):>12}   {all3(key, fmt)}")
    ratio = m("ratio")
    strict = m("server_us") / m("sdk_discard_us")
    verdict = "MET" if ratio <= GOAL else "NOT MET"
    print()
    def frac(r: float) -> str:
        return f"1/{1 / r:.0f}" if r < 1 else f"{r:.1f}×"

    print(
        f"goal: server ≤ 1/20 (0.05) of the SDK's cost per span → {verdict}: "
        f"{ratio:.4f} ({frac(ratio)}); against the SDK without export: {strict:.4f} ({frac(strict)})"
    )
    if problems:
        print()
        print("problems:")
        for p in problems:
            print(f"  {p}")
    return 0 if ratio <= GOAL and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
