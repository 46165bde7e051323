"""Counters and gauges, folding past the cap, levels and the off mode."""

import perfwatch


def test_counters_sum_into_the_current_span_and_gauges_are_read(spans):
    out = spans()
    with perfwatch.stage("download") :
        perfwatch.counter("bytes", 100)
        perfwatch.counter("bytes", 23)
        perfwatch.counter("files")
    perfwatch.counter("cache.hits", 2)
    perfwatch.counter("cache.hits", 0.5)
    perfwatch.gauge("pool.size", 8)
    download, = out.of("span", name="download")
    assert out.of("counter", name="bytes") == [{"type": "counter", "name": "bytes", "value": 123, "span": download["id"]}]
    assert out.of("counter", name="files")[0]["value"] == 1
    hits, = out.of("counter", name="cache.hits")
    assert hits["value"] == 2.5 and "span" not in hits
    pool, = out.of("gauge", name="pool.size")
    assert pool["value"] == 8 and pool["unix_ns"] > 1_600_000_000 * 10**9


def test_calls_past_the_cap_are_folded(spans):
    out = spans(PERFWATCH_MAX_CALLS="100")
    with perfwatch.stage("job"):
        for i in range(250):
            with perfwatch.stage("parse", tier="operation"):
                perfwatch.counter("tokens", 2)
                with perfwatch.stage("token"):
                    pass
                if i % 50 == 0:
                    perfwatch.flush()  # an aggregate may come in parts
                if i == 200:
                    try:
                        with perfwatch.stage("token"):
                            raise ValueError
                    except ValueError:
                        pass
    job, = out.of("span", name="job")
    parse_spans = out.of("span", name="parse")
    assert len(parse_spans) == 100 and all(p["parent"] == job["id"] for p in parse_spans)
    parts = out.of("agg", name="parse")
    assert len({p["id"] for p in parts}) == 1 and len(parts) > 1
    assert sum(p["calls"] for p in parts) == 150
    assert all(p["parent"] == job["id"] and p["tier"] == "operation" for p in parts)
    assert sum(p["total_ns"] for p in parts) > 0
    agg_id = parts[0]["id"]
    # Children of folded calls hang under the aggregate and fold in turn.
    token_parts = [p for p in out.of("agg", name="token") if p["parent"] == agg_id]
    token_spans = [t for t in out.of("span", name="token") if t["parent"] == agg_id]
    assert len(token_spans) == 100
    assert sum(p["calls"] for p in token_parts) == 51
    assert sum(p["failed"] for p in token_parts) == 1
    tokens = sum(c["value"] for c in out.of("counter", name="tokens") if c.get("span") == agg_id)
    assert tokens == 300
    assert len(out.records()) < 500


def test_deep_recursion_is_bounded(spans):
    out = spans(PERFWATCH_MAX_CALLS="10")

    @perfwatch.stage("descend")
    def descend(n):
        if n:
            descend(n - 1)

    descend(300)
    assert len(out.of("span", name="descend")) == 100
    assert sum(p["calls"] for p in out.of("agg", name="descend")) == 201


def test_level_leaves_finer_tiers_out_at_no_cost(spans):
    out = spans(PERFWATCH_LEVEL="method")

    def step():
        return 1

    assert perfwatch.stage("step", tier="operation")(step) is step
    assert perfwatch.stage("tight", tier="operation") is perfwatch.NOOP
    with perfwatch.stage("job", tier="system"):
        with perfwatch.stage("tight", tier="operation"):
            with perfwatch.stage("load", tier="method"):
                pass
    job, = out.of("span", name="job")
    assert out.of("span", name="load")[0]["parent"] == job["id"]
    assert not out.of("span", name="tight")


def test_off_without_environment(setup_probe):
    assert setup_probe({}) == "off"

    def work():
        return 3

    assert perfwatch.stage("work", tier="method")(work) is work
    assert perfwatch.stage("x") is perfwatch.NOOP
    with perfwatch.stage("x"):
        perfwatch.counter("n")
        perfwatch.gauge("g", 1)
    assert perfwatch.current_span_id() is None and perfwatch.child_env() == {}
    assert perfwatch.stats().mode == "off"
