"""End to end: ``perfwatch run`` measures a Python program that uses the
probe, through the span file and through perfwatch's own OTLP receiver."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
BINARY = Path(os.environ.get("PERFWATCH_BIN") or PYTHON_DIR.parent / "target" / "debug" / "perfwatch")

pytestmark = pytest.mark.skipif(
    not BINARY.is_file(), reason=f"no perfwatch binary at {BINARY} (build it or set PERFWATCH_BIN)"
)

SCRIPT = '''
import os, sys
if sys.argv[1:] == ["otlp"]:
    os.environ.pop("PERFWATCH_SPANS", None)  # use the OTLP receiver instead
import perfwatch

@perfwatch.stage("transcribe", tier="method", component="asr")
def transcribe(i):
    perfwatch.counter("segments", 5)
    with perfwatch.stage("decode", tier="operation"):
        if i == 1:
            raise ValueError("bad audio")

with perfwatch.stage("video", tier="system"):
    for i in range(3):
        try:
            transcribe(i)
        except ValueError:
            pass
'''


def run_and_export(tmp_path, *args):
    script = tmp_path / "pipeline.py"
    script.write_text(SCRIPT)
    db = tmp_path / "history.db"
    env = {**os.environ, "PYTHONPATH": str(PYTHON_DIR)}
    for key in [k for k in env if k.startswith(("PERFWATCH_", "OTEL_"))]:
        del env[key]
    run = subprocess.run(
        [str(BINARY), "run", "-r", "3", "--db", str(db), "--color", "never", "--", sys.executable, str(script), *args],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    export = subprocess.run(
        [str(BINARY), "export", "--db", str(db), "--format", "json", "latest"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert export.returncode == 0, export.stderr
    return json.loads(export.stdout)


def check_stages(session):
    variant, = session["variants"]
    stages = {s["path"]: s for s in variant["stages"]}
    assert set(stages) == {"video", "video/transcribe", "video/transcribe/decode"}
    assert stages["video"]["tier"] == "system"
    assert stages["video/transcribe"]["tier"] == "method"
    assert stages["video/transcribe"]["component"] == "asr"
    assert stages["video/transcribe"]["calls"] == 3
    assert stages["video/transcribe/decode"]["tier"] == "operation"
    # One failed call of each of the two stages per run, three runs.
    assert stages["video/transcribe"]["failed_calls"] == 3
    assert stages["video/transcribe/decode"]["failed_calls"] == 3
    return variant


def test_span_file_mode_under_perfwatch_run(tmp_path):
    variant = check_stages(run_and_export(tmp_path))
    iterations = [i for i in variant["iterations"] if not i["warmup"]]
    assert len(iterations) == 3
    assert all(i["counters"] == {"segments": 15.0} for i in iterations)


def test_otlp_mode_into_the_per_iteration_receiver(tmp_path):
    check_stages(run_and_export(tmp_path, "otlp"))
