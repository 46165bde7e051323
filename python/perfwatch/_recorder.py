"""The hot path: open spans, the decision to record a call or fold it, and
the queue the background thread drains.

A call of a stage opens a :class:`Frame` and makes it the current span of
the running thread or asyncio task (a :class:`~contextvars.ContextVar`, so
that concurrent tasks nest correctly). Closing it stamps the end and puts
the frame itself on a :class:`~collections.deque` — one append, no lock, no
encoding, no write. Everything else happens in the background thread.

Folding (``spans`` mode, as the Rust probe): past ``max_calls`` calls of
one stage under one parent, further calls are counted into an
:class:`Agg` under that parent; spans opened inside folded calls have the
aggregate as parent (and fold in turn). A stage with more than ten times
``max_calls`` individual records in the process folds all its further
calls into one aggregate, whatever their parent, which bounds deep
recursion and many-parent fan-outs.
"""

import itertools
import random
import time
from collections import deque
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Deque, Dict, Optional, Tuple

from ._stats import counts

if TYPE_CHECKING:  # pragma: no cover
    from ._stage import Stage

clock = time.perf_counter_ns

#: The innermost open span of the running thread or task.
current: "ContextVar[Optional[Frame]]" = ContextVar("perfwatch_current_span", default=None)

#: Closed frames and other records, drained by the background thread.
queue: Deque[Any] = deque()

#: True while spans are recorded (``spans`` or ``otlp`` mode).
recording = False
#: ``"spans"``, ``"otlp"`` or ``"off"``.
mode = "off"
#: Individual records per stage and parent.
max_calls = 1000
#: Individual records per stage in the process.
stage_budget = 10_000
#: Root spans seen per stage (their parent is the process's parent).
roots: Dict["Stage", Any] = {}
#: Span ids of ``spans`` mode.
ids = itertools.count(1)
#: First id of this process after a fork: lower ids are the parent's.
first_id = 1
#: Random source of OTLP ids (re-seeded in a forked child).
rng = random.Random()
#: Trace and span id of this process's root spans in ``otlp`` mode.
otlp_parent: Optional[Tuple[int, int]] = None


class Agg:
    """Folded calls of one stage under one parent (``spans`` mode)."""

    __slots__ = ("id", "parent", "stage", "children")

    def __init__(self, id: int, parent: "Optional[Frame]", stage: "Stage") -> None:
        self.id = id
        self.parent = parent
        self.stage = stage
        #: Calls seen per child stage of the folded calls, shared by all of them.
        self.children: Dict["Stage", Any] = {}


class Frame:
    """One call of a stage: open while it is the current span, then queued."""

    __slots__ = (
        "id",
        "parent",
        "stage",
        "agg",
        "children",
        "start",
        "end",
        "ok",
        "counters",
        "trace",
    )

    def __init__(
        self,
        id: int,
        parent: "Optional[Frame]",
        stage: "Stage",
        agg: Optional[Agg],
        children: Optional[Dict["Stage", Any]],
    ) -> None:
        self.id = id
        self.parent = parent
        self.stage = stage
        self.agg = agg
        #: Calls seen per child stage (``None`` until the first child).
        self.children = children
        self.start = 0
        self.end = 0
        self.ok = True
        #: Counter sums of this call (``None`` until the first counter).
        self.counters: Optional[Dict[str, Any]] = None
        #: Trace id (``otlp`` mode).
        self.trace = 0


def open_span(stage: "Stage") -> Optional[Frame]:
    """Opens a call of ``stage`` in ``spans`` mode and makes it current."""
    try:
        parent = current.get()
        if parent is None:
            children = roots
        else:
            children = parent.children
            if children is None:
                children = parent.children = {}
        seen = children.get(stage, 0)
        if seen.__class__ is int and seen < max_calls and stage.budget < stage_budget:
            children[stage] = seen + 1
            stage.budget += 1
            frame = Frame(next(ids), parent, stage, None, None)
        else:
            agg = seen if seen.__class__ is Agg else _fold(children, seen, parent, stage)
            frame = Frame(agg.id, parent, stage, agg, agg.children)
        current.set(frame)
        frame.start = clock()
        return frame
    except Exception:
        counts.add("internal_errors")
        return None


def _fold(children: Dict["Stage", Any], seen: int, parent: Optional[Frame], stage: "Stage") -> Agg:
    """The aggregate a further call of ``stage`` under ``parent`` goes to."""
    if seen >= max_calls:
        agg = Agg(next(ids), parent, stage)
        children[stage] = agg
        return agg
    # Past the stage's budget in the process: one aggregate for all its
    # further calls, under the parent of the first.
    children[stage] = seen + 1
    if stage.overflow is None:
        stage.overflow = Agg(next(ids), parent, stage)
    return stage.overflow  # type: ignore[no-any-return]


def open_otlp(stage: "Stage") -> Optional[Frame]:
    """Opens a call of ``stage`` in ``otlp`` mode and makes it current."""
    try:
        parent = current.get()
        frame = Frame(rng.getrandbits(64) or 1, parent, stage, None, None)
        if parent is not None:
            frame.trace = parent.trace
        elif otlp_parent is not None:
            frame.trace = otlp_parent[0]
        else:
            frame.trace = rng.getrandbits(128) or 1
        current.set(frame)
        frame.start = clock()
        return frame
    except Exception:
        counts.add("internal_errors")
        return None


def open_off(stage: "Stage") -> None:
    """Opens nothing: the probe is off."""
    return None


#: Opens a call in the current mode (rebound by :func:`perfwatch.init`).
open_frame = open_off


def close(frame: Optional[Frame], ok: bool) -> None:
    """Ends ``frame``, restores its parent as current and queues it."""
    if frame is None:
        return
    frame.end = clock()
    frame.ok = ok
    current.set(frame.parent)
    queue.append(frame)


def counter(name: str, value: Any = 1) -> None:
    """Adds ``value`` to counter ``name`` of the current span (or the process)."""
    if not recording:
        return
    try:
        value + 0  # a number, or a usage error
        frame = current.get()
        if frame is None:
            queue.append(("counter", name, value))
            return
        sums = frame.counters
        if sums is None:
            frame.counters = {name: value}
        else:
            sums[name] = sums.get(name, 0) + value
    except Exception:
        counts.add("usage_errors")


def gauge(name: str, value: Any) -> None:
    """Records a reading ``value`` of gauge ``name``."""
    if not recording:
        return
    try:
        value + 0
        queue.append(("gauge", name, value, clock()))
    except Exception:
        counts.add("usage_errors")
