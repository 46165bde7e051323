"""Setting the probe up and taking it down: the mode chosen from the
environment, the background thread, exit and fork."""

import atexit
import os
import threading
import time
from typing import Mapping, Optional

from . import _recorder, _stage
from ._config import Config, from_env
from ._flusher import Flusher
from ._otlp import OtlpSink
from ._spanfile import SpanFileSink
from ._stats import ProbeStats, counts

_lock = threading.RLock()
_config = Config()
_flusher: Optional[Flusher] = None
_atexit_registered = False


def init(environ: Optional[Mapping[str, str]] = None) -> str:
    """Sets the probe up from ``environ`` (default: ``os.environ``) and
    returns the mode: ``"spans"``, ``"otlp"`` or ``"off"``.

    Importing :mod:`perfwatch` does this once; call it again to re-read the
    environment (what was recorded so far is written first). Stages are
    decided when they are made: functions decorated while the probe was off
    stay unrecorded.
    """
    global _config, _flusher, _atexit_registered
    with _lock:
        shutdown()
        try:
            config, errors = from_env(os.environ if environ is None else environ)
        except Exception:
            config, errors = Config(), 1
        counts.reset()
        if errors:
            counts.add("config_errors", errors)
        _config = config
        _stage.configure(config.level)
        offset_ns = time.time_ns() - time.perf_counter_ns()
        _recorder.queue.clear()
        _recorder.roots = {}
        _recorder.max_calls = config.max_calls
        _recorder.stage_budget = config.max_calls * 10
        _recorder.otlp_parent = config.otlp.parent if config.otlp is not None else None
        sink = None
        try:
            if config.mode == "spans" and config.spans_path is not None:
                sink = SpanFileSink(config.spans_path, config.parent_span, offset_ns, os.getpid())
            elif config.mode == "otlp" and config.otlp is not None:
                sink = OtlpSink(config.otlp, offset_ns)
        except Exception:
            counts.add("internal_errors")
        if sink is None:
            _config = Config(level=config.level, max_calls=config.max_calls)
            _recorder.open_frame = _recorder.open_off
            _recorder.recording = False
            _recorder.mode = "off"
            return "off"
        _flusher = Flusher(sink, config.flush_interval_s)
        _flusher.start()
        _recorder.open_frame = _recorder.open_span if config.mode == "spans" else _recorder.open_otlp
        _recorder.mode = config.mode
        _recorder.recording = True
        if not _atexit_registered:
            atexit.register(shutdown)
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=_after_fork)
            _atexit_registered = True
        return config.mode


def flush() -> None:
    """Writes (or sends) everything recorded so far; the probe also does
    this in the background every 100 ms and at exit. Never raises."""
    flusher = _flusher
    if flusher is not None:
        flusher.flush()


def shutdown() -> None:
    """Writes what is left and stops the background threads (registered
    with :mod:`atexit`); recording stops until :func:`init`."""
    global _flusher
    with _lock:
        _recorder.recording = False
        _recorder.open_frame = _recorder.open_off
        flusher, _flusher = _flusher, None
        if flusher is not None:
            flusher.close()


def stats() -> ProbeStats:
    """What the probe wrote, sent and lost (it never raises; it counts)."""
    return counts.snapshot(_recorder.mode)


def mode() -> str:
    """``"spans"``, ``"otlp"`` or ``"off"``."""
    return _recorder.mode


def _after_fork() -> None:
    """In a forked child: new pid, an empty queue, a thread of its own."""
    global _flusher
    try:
        _recorder.queue.clear()
        _recorder.rng.seed()
        flusher = _flusher
        if flusher is None or not _recorder.recording:
            return
        sink = flusher.sink
        if isinstance(sink, SpanFileSink):
            first_id = next(_recorder.ids)
            sink.parent_pid, sink.pid, sink.first_id = sink.pid, os.getpid(), first_id
            sink._fd = None
            _flusher = Flusher(sink, flusher.interval_s)
            _flusher.start()
        else:
            # The parent's sender thread does not exist here.
            init()
    except Exception:
        counts.add("internal_errors")


def current_span_id() -> Optional[str]:
    """The id of the innermost recorded span of this thread or task, as
    perfwatch writes it (``"<pid>-<n>"`` in the span file, 16 hex digits
    in OTLP), or ``None``."""
    frame = _recorder.current.get()
    if frame is None or not _recorder.recording:
        return None
    if _recorder.mode == "otlp":
        return "%016x" % frame.id
    flusher = _flusher
    sink = flusher.sink if flusher is not None else None
    if isinstance(sink, SpanFileSink):
        return sink._id(frame.id).strip('"')
    return None


def child_env() -> "dict[str, str]":
    """Environment to give a child process so that its spans nest under
    the current span (``PERFWATCH_PARENT_SPAN``); empty when there is none."""
    span = current_span_id()
    if span is None or _recorder.mode != "spans":
        return {}
    return {"PERFWATCH_PARENT_SPAN": span}
