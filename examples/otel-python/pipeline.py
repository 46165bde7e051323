"""A small three-stage pipeline that reports its stages over OpenTelemetry.

Nothing here knows about perfwatch: the exporter is configured from the
standard OTEL_* environment, which `perfwatch run` sets for every iteration.
Stage durations come from short sleeps so that they can be checked.
"""

import time

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

tracer = trace.get_tracer("pipeline")


class TransientError(Exception):
    """A failure that goes away when the call is retried."""


def load():
    # Component and tier given explicitly.
    with tracer.start_as_current_span(
        "load", attributes={"perfwatch.component": "io", "records": 1000}
    ):
        time.sleep(0.040)


def enrich(attempt):
    # The first attempt fails: the span ends with status ERROR and an
    # "exception" event, and the caller retries.
    with tracer.start_as_current_span("enrich", attributes={"attempt": attempt}):
        time.sleep(0.025)
        if attempt == 1:
            raise TransientError("upstream busy")


def transform():
    # No perfwatch attributes: tier from nesting depth, component from the
    # instrumentation scope ("pipeline").
    with tracer.start_as_current_span("transform"):
        with tracer.start_as_current_span("parse", attributes={"perfwatch.tier": "method"}):
            time.sleep(0.020)
        for attempt in range(1, 4):
            try:
                enrich(attempt)
                break
            except TransientError:
                continue
        with tracer.start_as_current_span("aggregate"):
            time.sleep(0.030)


def write():
    with tracer.start_as_current_span(
        "write", attributes={"perfwatch.component": "io", "perfwatch.tier": "component"}
    ):
        time.sleep(0.050)


def main():
    with tracer.start_as_current_span("job", attributes={"perfwatch.tier": "system"}):
        load()
        transform()
        write()


if __name__ == "__main__":
    provider = TracerProvider()  # service name, sampler: from OTEL_* variables
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    try:
        main()
    finally:
        provider.shutdown()  # flushes the batch processor before exit
