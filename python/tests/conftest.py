"""Fixtures: the probe set up from a test's own environment, and the span
file it wrote, parsed."""

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import perfwatch  # noqa: E402


class SpanFile:
    """The span file of one test: where it is and what it holds."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> List[Dict[str, Any]]:
        """Every record written so far (after a flush)."""
        perfwatch.flush()
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines()]

    def of(self, kind: str, **match: Any) -> List[Dict[str, Any]]:
        """Records of one type whose fields equal ``match``."""
        return [
            r for r in self.records() if r["type"] == kind and all(r.get(k) == v for k, v in match.items())
        ]


@pytest.fixture
def setup_probe() -> Iterator[Callable[[Mapping[str, str]], str]]:
    """Sets the probe up from a given environment; takes it down after."""
    yield perfwatch.init
    perfwatch.shutdown()


@pytest.fixture
def spans(tmp_path: Path, setup_probe: Callable[[Mapping[str, str]], str]) -> Callable[..., SpanFile]:
    """Sets the probe up in span-file mode (extra variables as keywords)."""

    def start(**env: str) -> SpanFile:
        path = tmp_path / "spans.jsonl"
        assert setup_probe({"PERFWATCH_SPANS": str(path), **env}) == "spans"
        return SpanFile(path)

    return start


@pytest.fixture(autouse=True)
def _no_inherited_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a perfwatch or OTLP setting of whoever runs them."""
    for key in list(os.environ):
        if key.startswith(("PERFWATCH_", "OTEL_")):
            monkeypatch.delenv(key)
