"""The background thread that drains the record queue into a sink.

Every :data:`~perfwatch._config.FLUSH_INTERVAL_S` (and on
:func:`perfwatch.flush` and at exit) it takes what the queue holds and
hands it to the sink: the span file's writer or the OTLP sender. One lock
keeps drains in order, so lines of one process never interleave.
"""

import threading
from typing import Any, List, Optional, Protocol

from . import _recorder
from ._stats import counts


class Sink(Protocol):
    """Where drained records go."""

    def write(self, items: List[Any]) -> None:
        """Encodes and writes (or sends) ``items``."""

    def close(self) -> None:
        """Writes what is left and lets go of files and threads."""


class Flusher:
    """Drains :data:`perfwatch._recorder.queue` into a sink periodically."""

    def __init__(self, sink: Sink, interval_s: float) -> None:
        self.sink = sink
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        """Starts the background thread."""
        self._thread = threading.Thread(target=self._run, name="perfwatch-flusher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.flush()

    def flush(self) -> None:
        """Drains the queue now and writes what it held; never raises."""
        try:
            with self._lock:
                queue = _recorder.queue
                pop = queue.popleft
                items = [pop() for _ in range(len(queue))]
                self.sink.write(items)
        except Exception:
            counts.add("internal_errors")

    def close(self) -> None:
        """Stops the thread, writes what is left and closes the sink."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(1.0)
        self.flush()
        try:
            self.sink.close()
        except Exception:
            counts.add("internal_errors")
