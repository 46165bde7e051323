"""The probe never raises into the program: failures are counted."""

import perfwatch


def test_unwritable_span_file_is_counted(tmp_path, setup_probe):
    assert setup_probe({"PERFWATCH_SPANS": str(tmp_path)}) == "spans"  # a directory
    with perfwatch.stage("job"):
        perfwatch.counter("n")
    perfwatch.flush()
    stats = perfwatch.stats()
    assert stats.write_errors >= 1 and stats.lines_dropped >= 2 and stats.lines_written == 0


def test_missing_folder_is_counted(tmp_path, setup_probe):
    setup_probe({"PERFWATCH_SPANS": str(tmp_path / "gone" / "spans.jsonl")})
    with perfwatch.stage("job"):
        pass
    perfwatch.flush()
    assert perfwatch.stats().write_errors == 1


def test_garbage_environment_is_ignored_and_counted(spans):
    out = spans(PERFWATCH_LEVEL="verbose", PERFWATCH_MAX_CALLS="lots", PERFWATCH_PARENT_SPAN='x"\n\u00e9')
    with perfwatch.stage("job", tier="operation"):
        pass
    job, = out.of("span", name="job")
    assert job["parent"] == 'x"\n\u00e9'
    assert perfwatch.stats().config_errors == 2


def test_garbage_otlp_environment(setup_probe):
    mode = setup_probe(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "not a url",
            "OTEL_EXPORTER_OTLP_HEADERS": "novalue,=x,,ok=1",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "soon",
            "TRACEPARENT": "00-zz",
        }
    )
    assert mode == "otlp"
    with perfwatch.stage("job"):
        pass
    perfwatch.shutdown()
    stats = perfwatch.stats()
    assert stats.config_errors == 6  # url (traces and metrics), 2 headers, timeout, traceparent
    assert stats.spans_dropped == 1 and stats.spans_sent == 0


def test_misuse_is_counted_not_raised(spans):
    out = spans()
    perfwatch.counter("n", "three")
    perfwatch.gauge("g", None)
    perfwatch.gauge("inf", float("inf"))
    with perfwatch.stage(["unhashable"]):
        pass
    with perfwatch.stage(42, tier="bogus", component=7):
        perfwatch.counter("nan", float("nan"))
    s = perfwatch.stage("a")
    s.__exit__(None, None, None)  # left without being entered: nothing open
    with perfwatch.stage("b"):
        s.__exit__(None, None, None)  # another stage is open
    assert [r["name"] for r in out.of("span")] == ["42", "b"]
    assert out.of("span", name="42")[0].get("tier") is None
    stats = perfwatch.stats()
    assert stats.usage_errors == 5  # counter, gauge, unhashable name, bad tier, wrong exit
    assert stats.lines_dropped == 2  # the infinite gauge, the NaN counter
