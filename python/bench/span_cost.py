"""Cost per span: perfwatch's Python probe beside the OpenTelemetry SDK.

Run with the interpreter that has the OpenTelemetry SDK (perfwatch's
``.venv``)::

    .venv/bin/python python/bench/span_cost.py [--rounds 15] [--spans 20000]

Every round measures, in turn (interleaved, so drifts of the machine hit
all alike), the cost per span of:

* ``perfwatch spans``: ``with perfwatch.stage(...)`` writing the span file
  (a temporary file), spans nested 100 to a parent (all individual
  records), the final write included;
* ``perfwatch hot loop``: one stage called past the cap (folded);
* ``perfwatch decorator``: a ``@perfwatch.stage`` function;
* ``otel sdk``: ``tracer.start_as_current_span(...)`` with a
  ``TracerProvider`` and a ``BatchSpanProcessor`` over an exporter that
  discards, same nesting, ``force_flush`` included;
* ``perfwatch off``: no perfwatch variables in the environment;
* ``perfwatch level-off``: a stage finer than ``PERFWATCH_LEVEL``.

It prints the median over rounds of each, in ns per span, and the ratio of
the SDK's cost to the probe's.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from typing import Callable, Dict, List

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import perfwatch  # noqa: E402


def nested_perfwatch(spans: int) -> None:
    stage = perfwatch.stage
    for _ in range(spans // 100):
        with stage("parent", tier="method", component="bench"):
            for _ in range(99):
                with stage("child", tier="operation", component="bench"):
                    pass


def hot_loop_perfwatch(spans: int) -> None:
    stage = perfwatch.stage
    for _ in range(spans):
        with stage("hot", tier="operation", component="bench"):
            pass


def make_decorated() -> Callable[[], None]:
    @perfwatch.stage("decorated", tier="operation", component="bench")
    def work() -> None:
        pass

    return work


def decorated_perfwatch(work: Callable[[], None], spans: int) -> None:
    for _ in range(spans // 100):
        with perfwatch.stage("parent", tier="method", component="bench"):
            for _ in range(99):
                work()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--spans", type=int, default=20_000)
    args = parser.parse_args()
    spans = args.spans

    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Discard(SpanExporter):
        def export(self, spans):  # type: ignore[no-untyped-def]
            return SpanExportResult.SUCCESS

        def shutdown(self) -> None:
            pass

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Discard(), max_queue_size=spans * 2))
    tracer = provider.get_tracer("bench")

    def nested_otel(n: int) -> None:
        for _ in range(n // 100):
            with tracer.start_as_current_span("parent"):
                for _ in range(99):
                    with tracer.start_as_current_span("child"):
                        pass
        provider.force_flush()

    folder = tempfile.mkdtemp(prefix="perfwatch-bench-")
    spans_file = os.path.join(folder, "spans.jsonl")
    on_env = {"PERFWATCH_SPANS": spans_file}
    results: Dict[str, List[float]] = {}

    def timed(label: str, run: Callable[[], None]) -> None:
        started = time.perf_counter_ns()
        run()
        results.setdefault(label, []).append((time.perf_counter_ns() - started) / spans)

    for _ in range(args.rounds):
        perfwatch.init(on_env)
        timed("perfwatch spans", lambda: (nested_perfwatch(spans), perfwatch.flush()))
        perfwatch.init(on_env)
        timed("perfwatch hot loop", lambda: (hot_loop_perfwatch(spans), perfwatch.flush()))
        perfwatch.init(on_env)
        work = make_decorated()
        timed("perfwatch decorator", lambda: (decorated_perfwatch(work, spans), perfwatch.flush()))
        timed("otel sdk", lambda: nested_otel(spans))
        perfwatch.init({})
        timed("perfwatch off", lambda: nested_perfwatch(spans))
        perfwatch.init({"PERFWATCH_SPANS": spans_file, "PERFWATCH_LEVEL": "system"})
        timed("perfwatch level-off", lambda: nested_perfwatch(spans))
        perfwatch.shutdown()
        os.unlink(spans_file)
    provider.shutdown()
    os.rmdir(folder)

    sdk = statistics.median(results["otel sdk"])
    print(f"python {sys.version.split()[0]}, {args.rounds} rounds of {spans} spans, median ns per span")
    for label, values in results.items():
        median = statistics.median(values)
        ratio = "" if label == "otel sdk" else f"   sdk / this = {sdk / median:5.1f}x"
        print(f"  {label:22} {median:9.0f} ns{ratio}")


if __name__ == "__main__":
    main()
