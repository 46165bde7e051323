"""perfwatch's probe for Python programs.

Mark the stages of a program and perfwatch sees where its time goes::

    import perfwatch

    @perfwatch.stage("solo_track", tier="method", component="track_management")
    def solo_track(track): ...

    async def download(url):
        async with perfwatch.stage("download", tier="operation", component="net"):
            ...
            perfwatch.counter("bytes", len(body))

    with perfwatch.stage("job", tier="system"):
        ...
    perfwatch.gauge("pool.size", 8)

What happens to the stages depends on the environment, read at import:

* under ``perfwatch run`` (``PERFWATCH_SPANS`` names a file) they are
  appended to that file in perfwatch's span-file format;
* otherwise, with ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) set, they are sent as OTLP/HTTP
  JSON, with counters and gauges as metrics;
* otherwise nothing is recorded, and a stage costs close to nothing.

``PERFWATCH_LEVEL`` (``system``, ``component``, ``method`` or
``operation``) leaves out stages of finer tiers. The probe never raises
into the program: what goes wrong is counted in :func:`stats`.
"""

from .__about__ import __version__
from ._recorder import counter, gauge
from ._runtime import child_env, current_span_id, flush, init, mode, shutdown, stats
from ._stage import NOOP, NoopStage, Stage, stage
from ._stats import ProbeStats
from ._tiers import TIERS

__all__ = [
    "NOOP",
    "NoopStage",
    "ProbeStats",
    "Stage",
    "TIERS",
    "__version__",
    "child_env",
    "counter",
    "current_span_id",
    "flush",
    "gauge",
    "init",
    "mode",
    "shutdown",
    "stage",
    "stats",
]

init()
