"""Stages in span-file mode: nesting, failures, async, threads, generators."""

import asyncio
import threading

import pytest

import perfwatch


def test_decorator_and_context_manager_nest(spans):
    out = spans()

    @perfwatch.stage("solo_track", tier="method", component="track_management")
    def solo(x):
        with perfwatch.stage("mix", tier="operation"):
            return x * 2

    with perfwatch.stage("job", tier="system"):
        assert solo(21) == 42
    assert solo.__name__ == "solo"

    job, = out.of("span", name="job")
    track, = out.of("span", name="solo_track")
    mix, = out.of("span", name="mix")
    assert job["parent"] is None and job["tier"] == "system" and "component" not in job
    assert track["parent"] == job["id"]
    assert track["tier"] == "method" and track["component"] == "track_management"
    assert mix["parent"] == track["id"] and mix["tier"] == "operation"
    pid, n = job["id"].split("-")
    assert pid.isdigit() and n.isdigit()
    assert job["start_unix_ns"] <= track["start_unix_ns"] <= mix["start_unix_ns"]
    assert mix["end_unix_ns"] <= track["end_unix_ns"] <= job["end_unix_ns"]
    assert all(r["ok"] for r in (job, track, mix))


def test_an_exception_marks_the_call_failed_and_propagates_unchanged(spans):
    out = spans()
    error = ValueError("boom")

    @perfwatch.stage("download", tier="method")
    def download():
        raise error

    with pytest.raises(ValueError) as raised:
        download()
    assert raised.value is error
    with pytest.raises(KeyError):
        with perfwatch.stage("lookup"):
            raise KeyError("k")
    with perfwatch.stage("fine"):
        pass
    assert out.of("span", name="download")[0]["ok"] is False
    assert out.of("span", name="lookup")[0]["ok"] is False
    assert out.of("span", name="fine")[0]["ok"] is True


def test_sys_exit_zero_and_generator_exit_are_not_failures(spans):
    out = spans()
    with pytest.raises(SystemExit):
        with perfwatch.stage("exit0"):
            raise SystemExit(0)
    with pytest.raises(SystemExit):
        with perfwatch.stage("exit3"):
            raise SystemExit(3)
    assert out.of("span", name="exit0")[0]["ok"] is True
    assert out.of("span", name="exit3")[0]["ok"] is False


def test_concurrent_asyncio_tasks_nest_under_their_own_spans(spans):
    out = spans()

    @perfwatch.stage("fetch", tier="method")
    async def fetch(i):
        await asyncio.sleep(0.01 * (3 - i))
        async with perfwatch.stage("parse", tier="operation"):
            await asyncio.sleep(0.005)
            if i == 1:
                raise RuntimeError("bad page")
        return i

    async def main():
        with perfwatch.stage("crawl", tier="system"):
            return await asyncio.gather(*(fetch(i) for i in range(3)), return_exceptions=True)

    results = asyncio.run(main())
    assert results[0] == 0 and isinstance(results[1], RuntimeError) and results[2] == 2
    crawl, = out.of("span", name="crawl")
    fetches = {r["id"]: r for r in out.of("span", name="fetch")}
    parses = out.of("span", name="parse")
    assert len(fetches) == 3 and len(parses) == 3
    assert all(f["parent"] == crawl["id"] for f in fetches.values())
    assert sorted(p["parent"] for p in parses) == sorted(fetches)
    for parse in parses:
        fetch = fetches[parse["parent"]]
        assert fetch["start_unix_ns"] <= parse["start_unix_ns"] <= parse["end_unix_ns"] <= fetch["end_unix_ns"]
    assert sum(not f["ok"] for f in fetches.values()) == 1
    assert sum(not p["ok"] for p in parses) == 1


def test_threads_nest_separately(spans):
    out = spans()
    barrier = threading.Barrier(4)

    def worker(i):
        with perfwatch.stage(f"worker{i}", tier="component"):
            barrier.wait()  # all four open at once
            with perfwatch.stage("step", tier="operation"):
                pass

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    steps = out.of("span", name="step")
    for i in range(4):
        w, = out.of("span", name=f"worker{i}")
        assert w["parent"] is None
        assert sum(s["parent"] == w["id"] for s in steps) == 1


def test_generators_are_recorded_from_first_item_to_exhaustion(spans):
    out = spans()

    @perfwatch.stage("rows", tier="method")
    def rows():
        yield 1
        with perfwatch.stage("fetch_more"):
            yield 2
        yield 3

    @perfwatch.stage("agen", tier="method")
    async def agen():
        for i in range(2):
            await asyncio.sleep(0)
            yield i

    async def consume():
        return [i async for i in agen()]

    with perfwatch.stage("outer"):
        assert list(rows()) == [1, 2, 3]
        # Between items the consumer's own span is current, not the generator's.
        it = rows()
        next(it)
        with perfwatch.stage("between"):
            pass
        it.close()
    assert asyncio.run(consume()) == [0, 1]
    outer, = out.of("span", name="outer")
    rows_spans = out.of("span", name="rows")
    assert len(rows_spans) == 2 and all(r["parent"] == outer["id"] and r["ok"] for r in rows_spans)
    more, = out.of("span", name="fetch_more")
    assert more["parent"] == rows_spans[0]["id"]
    assert out.of("span", name="between")[0]["parent"] == outer["id"]
    assert out.of("span", name="agen")[0]["ok"] is True
    assert perfwatch.stats().usage_errors == 0


def test_bare_decorator_names_the_stage_after_the_function(spans):
    out = spans()

    @perfwatch.stage
    def load_rows():
        return 7

    assert load_rows() == 7
    assert out.of("span", name="test_bare_decorator_names_the_stage_after_the_function.<locals>.load_rows")


def test_parent_span_of_the_process(spans):
    out = spans(PERFWATCH_PARENT_SPAN="99-7")
    with perfwatch.stage("child_job"):
        assert perfwatch.child_env()["PERFWATCH_PARENT_SPAN"] == perfwatch.current_span_id()
    assert out.of("span", name="child_job")[0]["parent"] == "99-7"
