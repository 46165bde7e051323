"""Stages: what ``perfwatch.stage(...)`` returns, as a context manager and
as a decorator of plain, async and generator functions.

A :class:`Stage` is made once per (name, tier, component) and shared: it
holds no per-call state (that lives in the current :class:`Frame`), so one
stage may be entered by many threads and tasks at once, and within itself.
Stages the level leaves out, and every stage while the probe is off, are
the shared :data:`NOOP` object, and decorating a function with one returns
the function itself.
"""

import functools
import inspect
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar, Union, overload

from . import _recorder
from ._recorder import close, current
from ._stats import counts
from ._tiers import FINEST, RANKS, parse_tier

F = TypeVar("F", bound=Callable[..., Any])


def benign(exc: BaseException) -> bool:
    """True for exceptions that end a call without it having failed: a
    generator closed or exhausted, ``sys.exit(0)``."""
    if isinstance(exc, (GeneratorExit, StopIteration, StopAsyncIteration)):
        return True
    return isinstance(exc, SystemExit) and exc.code in (None, 0)


class NoopStage:
    """A stage that records nothing: entering and leaving it do nothing,
    and decorating a function with it returns the function unchanged."""

    __slots__ = ()

    def __enter__(self) -> "NoopStage":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    async def __aenter__(self) -> "NoopStage":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def __call__(self, func: F) -> F:
        return func

    def __repr__(self) -> str:
        return "perfwatch.NOOP"


#: The one stage object of every stage that is not recorded.
NOOP = NoopStage()


class Stage:
    """A recorded stage: use it with ``with``/``async with`` or as a decorator."""

    __slots__ = ("name", "tier", "component", "budget", "overflow", "encoded", "__weakref__")

    def __init__(self, name: str, tier: Optional[str], component: Optional[str]) -> None:
        self.name = name
        self.tier = tier
        self.component = component
        #: Individual records of this stage so far (``spans`` mode).
        self.budget = 0
        #: The aggregate of calls past the budget (``spans`` mode).
        self.overflow: Any = None
        #: The stage's fixed part as the sink encodes it (cached by the sink).
        self.encoded: Any = None

    def __enter__(self) -> "Stage":
        _recorder.open_frame(self)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        frame = current.get()
        if frame is None:
            return None
        if frame.stage is not self:
            counts.add("usage_errors")
            return None
        close(frame, exc is None or benign(exc))
        return None

    async def __aenter__(self) -> "Stage":
        return self.__enter__()

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        return self.__exit__(exc_type, exc, tb)

    def __call__(self, func: F) -> F:
        """Records every call of ``func`` (async functions from their first
        step to their end; generators from the first item to exhaustion)."""
        if not callable(func):
            return func
        try:
            if inspect.isasyncgenfunction(func):
                wrapper = _wrap_async_generator(self, func)
            elif inspect.iscoroutinefunction(func):
                wrapper = _wrap_coroutine(self, func)
            elif inspect.isgeneratorfunction(func):
                wrapper = _wrap_generator(self, func)
            else:
                wrapper = _wrap_function(self, func)
            return functools.wraps(func)(wrapper)  # type: ignore[return-value]
        except Exception:
            counts.add("internal_errors")
            return func

    def __repr__(self) -> str:
        return f"perfwatch.Stage({self.name!r}, tier={self.tier!r}, component={self.component!r})"


def _wrap_function(stage: Stage, func: Callable[..., Any]) -> Callable[..., Any]:
    def record_call(*args: Any, **kwargs: Any) -> Any:
        frame = _recorder.open_frame(stage)
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            close(frame, benign(exc))
            raise
        close(frame, True)
        return result

    return record_call


def _wrap_coroutine(stage: Stage, func: Callable[..., Any]) -> Callable[..., Any]:
    async def record_call(*args: Any, **kwargs: Any) -> Any:
        frame = _recorder.open_frame(stage)
        try:
            result = await func(*args, **kwargs)
        except BaseException as exc:
            close(frame, benign(exc))
            raise
        close(frame, True)
        return result

    return record_call


def _wrap_generator(stage: Stage, func: Callable[..., Any]) -> Callable[..., Any]:
    def record_generator(*args: Any, **kwargs: Any) -> Any:
        inner = func(*args, **kwargs)
        frame: Any = None
        inside: Any = None
        opened = False
        sent: Any = None
        thrown: Optional[BaseException] = None
        while True:
            # The call is the current span only while the generator runs.
            outer = current.get()
            if opened:
                current.set(inside)
            else:
                frame, opened = _recorder.open_frame(stage), True
            try:
                if thrown is not None:
                    exc, thrown = thrown, None
                    item = inner.throw(exc)
                else:
                    item = inner.send(sent)
            except StopIteration as stop:
                close(frame, True)
                current.set(outer)
                return stop.value
            except BaseException as exc:
                close(frame, benign(exc))
                current.set(outer)
                raise
            # What the generator left current (a stage open across the
            # yield) is restored when it resumes.
            inside = current.get()
            current.set(outer)
            try:
                sent = yield item
            except GeneratorExit:
                outer = current.get()
                current.set(inside)
                try:
                    inner.close()
                finally:
                    close(frame, True)
                    current.set(outer)
                raise
            except BaseException as exc:
                thrown = exc

    return record_generator


def _wrap_async_generator(stage: Stage, func: Callable[..., Any]) -> Callable[..., Any]:
    async def record_async_generator(*args: Any, **kwargs: Any) -> Any:
        inner = func(*args, **kwargs)
        frame: Any = None
        inside: Any = None
        opened = False
        sent: Any = None
        thrown: Optional[BaseException] = None
        while True:
            outer = current.get()
            if opened:
                current.set(inside)
            else:
                frame, opened = _recorder.open_frame(stage), True
            try:
                if thrown is not None:
                    exc, thrown = thrown, None
                    item = await inner.athrow(exc)
                else:
                    item = await inner.asend(sent)
            except StopAsyncIteration:
                close(frame, True)
                current.set(outer)
                return
            except BaseException as exc:
                close(frame, benign(exc))
                current.set(outer)
                raise
            # What the generator left current (a stage open across the
            # yield) is restored when it resumes.
            inside = current.get()
            current.set(outer)
            try:
                sent = yield item
            except GeneratorExit:
                outer = current.get()
                current.set(inside)
                try:
                    await inner.aclose()
                finally:
                    close(frame, True)
                    current.set(outer)
                raise
            except BaseException as exc:
                thrown = exc

    return record_async_generator


#: Stages made so far, by (name, tier, component); emptied by ``init``.
_stages: Dict[Tuple[Any, Any, Any], Union[Stage, NoopStage]] = {}
#: Tier keys the level leaves out (as given and as parsed).
_dropped: "set[object]" = set()
#: Rank of the finest tier recorded.
_level = FINEST


def configure(level: int) -> None:
    """Forgets the stages made so far and sets the level (called by ``init``)."""
    global _level
    _stages.clear()
    _level = level
    _dropped.clear()
    _dropped.update(key for key, rank in RANKS.items() if rank > level)


@overload
def stage(name: str, tier: Optional[str] = ..., component: Optional[str] = ...) -> Union[Stage, NoopStage]: ...
@overload
def stage(name: F) -> F: ...


def stage(name: Any = None, tier: Optional[str] = None, component: Optional[str] = None) -> Any:
    """A stage of the program: ``with perfwatch.stage("load", tier="method",
    component="io"):`` or ``@perfwatch.stage("load", tier="method")``.

    ``tier`` is ``system``, ``component``, ``method`` or ``operation``
    (absent: from nesting depth); stages finer than ``PERFWATCH_LEVEL`` and
    every stage while the probe is off are :data:`NOOP`. ``@perfwatch.stage``
    without arguments names the stage after the function.
    """
    try:
        if tier in _dropped or not _recorder.recording:
            return name if callable(name) else NOOP
        if callable(name):
            return _made(name.__qualname__, tier, component)(name)
        found = _stages.get((name, tier, component))
        return found if found is not None else _made(name, tier, component)
    except Exception:
        counts.add("usage_errors")
        return name if callable(name) else NOOP


def _made(name: Any, tier: Optional[str], component: Optional[str]) -> Union[Stage, NoopStage]:
    """The stage for a first use of (name, tier, component), remembered."""
    key = (name, tier, component)
    found = _stages.get(key)
    if found is not None:
        return found
    made: Union[Stage, NoopStage]
    parsed = parse_tier(tier) if tier is not None else None
    if tier is not None and parsed is None:
        counts.add("usage_errors")
    if parsed is not None and RANKS[parsed] > _level:
        made = NOOP
    else:
        try:
            made = Stage(
                name if isinstance(name, str) else str(name),
                parsed,
                component if component is None or isinstance(component, str) else str(component),
            )
        except Exception:
            counts.add("usage_errors")
            made = NOOP
    if len(_stages) < 100_000:
        _stages[key] = made
    return made
