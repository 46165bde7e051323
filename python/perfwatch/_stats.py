"""Counts of what the probe recorded, wrote, sent and lost.

The probe never raises into the host program: every failure it meets is
counted here instead, and :func:`perfwatch.stats` reports the counts.
"""

import threading
from dataclasses import dataclass, fields
from typing import Dict

_lock = threading.Lock()


@dataclass(frozen=True)
class ProbeStats:
    """What the probe did since it was set up (see :func:`perfwatch.stats`)."""

    #: ``"spans"`` (writing perfwatch's span file), ``"otlp"`` or ``"off"``.
    mode: str
    #: Lines appended to the span file.
    lines_written: int = 0
    #: Lines lost: failed writes, values JSON cannot hold.
    lines_dropped: int = 0
    #: Failed opens and writes of the span file.
    write_errors: int = 0
    #: Spans accepted by the OTLP endpoint.
    spans_sent: int = 0
    #: Spans lost on the way to the OTLP endpoint (refused, unreachable,
    #: queue full, left at exit).
    spans_dropped: int = 0
    #: Metric requests accepted by the OTLP endpoint.
    metric_requests_sent: int = 0
    #: OTLP requests (traces or metrics) that failed.
    request_errors: int = 0
    #: Environment values that could not be used (and were ignored).
    config_errors: int = 0
    #: Records that could not be encoded (names or values of the wrong type).
    encode_errors: int = 0
    #: Misuses the probe survived: a stage left in another order than it
    #: was entered, a counter given a value that is not a number.
    usage_errors: int = 0
    #: Unexpected failures inside the probe (swallowed).
    internal_errors: int = 0

    def as_dict(self) -> Dict[str, object]:
        """The counts (and the mode) as a plain dictionary."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


COUNT_NAMES = tuple(f.name for f in fields(ProbeStats) if f.name != "mode")


class Counts:
    """Mutable counts behind :class:`ProbeStats`, shared by all threads."""

    def __init__(self) -> None:
        self._values: Dict[str, int] = dict.fromkeys(COUNT_NAMES, 0)

    def add(self, name: str, amount: int = 1) -> None:
        """Adds ``amount`` to count ``name``."""
        with _lock:
            self._values[name] += amount

    def reset(self) -> None:
        """Sets every count back to zero."""
        with _lock:
            for name in self._values:
                self._values[name] = 0

    def snapshot(self, mode: str) -> ProbeStats:
        """The counts now."""
        with _lock:
            return ProbeStats(mode=mode, **self._values)


#: The counts of the process (reset by :func:`perfwatch.init`).
counts = Counts()
