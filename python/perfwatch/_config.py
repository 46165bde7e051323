"""The probe's settings, read from the environment.

Pure: :func:`from_env` turns a mapping of environment variables into a
:class:`Config` and a count of the values it had to ignore; nothing here
raises on bad input.
"""

import os
import sys
from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple
from urllib.parse import unquote

from ._tiers import FINEST, RANKS

#: Names the span file of the current iteration (set by ``perfwatch run``).
ENV_SPANS = "PERFWATCH_SPANS"
#: The enclosing span of this process (another process's span id).
ENV_PARENT_SPAN = "PERFWATCH_PARENT_SPAN"
#: The finest tier recorded: ``system``, ``component``, ``method`` or ``operation``.
ENV_LEVEL = "PERFWATCH_LEVEL"
#: Individual records per stage and parent before calls are folded.
ENV_MAX_CALLS = "PERFWATCH_MAX_CALLS"

#: Default cap of individual records per stage and parent (as the Rust probe).
DEFAULT_MAX_CALLS = 1000
#: How often the background thread writes or sends, in seconds.
FLUSH_INTERVAL_S = 0.1
#: Default timeout of one OTLP request, in seconds.
DEFAULT_OTLP_TIMEOUT_S = 2.0
#: Longest timeout of one OTLP request, whatever the environment says.
MAX_OTLP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class OtlpConfig:
    """Where and how spans (and metrics) are sent as OTLP/HTTP JSON."""

    #: Full URL of the traces endpoint (``…/v1/traces``).
    traces_url: str
    #: Full URL of the metrics endpoint, or ``None`` when metrics are off.
    metrics_url: Optional[str]
    #: Request headers (from ``OTEL_EXPORTER_OTLP_HEADERS`` and friends).
    headers: Dict[str, str] = field(default_factory=dict)
    #: Resource attributes (``service.name``, ``service.version``, …).
    resource: Dict[str, str] = field(default_factory=dict)
    #: Timeout of one request, in seconds.
    timeout_s: float = DEFAULT_OTLP_TIMEOUT_S
    #: Trace and parent span of this process's root spans (``TRACEPARENT``).
    parent: Optional[Tuple[int, int]] = None


@dataclass(frozen=True)
class Config:
    """Everything the probe needs to know, decided once at set-up."""

    #: ``"spans"``, ``"otlp"`` or ``"off"``.
    mode: str = "off"
    #: The span file (``spans`` mode).
    spans_path: Optional[str] = None
    #: Parent span id of this process's root spans (``spans`` mode).
    parent_span: Optional[str] = None
    #: Rank of the finest tier recorded (see :mod:`perfwatch._tiers`).
    level: int = FINEST
    #: Individual records per stage and parent before calls are folded.
    max_calls: int = DEFAULT_MAX_CALLS
    #: Seconds between background writes.
    flush_interval_s: float = FLUSH_INTERVAL_S
    #: OTLP settings (``otlp`` mode).
    otlp: Optional[OtlpConfig] = None


def from_env(env: Mapping[str, str]) -> Tuple[Config, int]:
    """The configuration ``env`` describes, and how many values were ignored.

    ``PERFWATCH_SPANS`` wins (perfwatch is running this program); otherwise
    an OTLP endpoint sends spans there; otherwise the probe is off.
    """
    errors = 0

    def get(key: str) -> Optional[str]:
        value = env.get(key)
        if not isinstance(value, str) or not value.strip():
            return None
        return value.strip()

    level = FINEST
    raw_level = get(ENV_LEVEL)
    if raw_level is not None:
        if raw_level.lower() in RANKS:
            level = RANKS[raw_level.lower()]
        else:
            errors += 1
    max_calls = DEFAULT_MAX_CALLS
    raw_max = get(ENV_MAX_CALLS)
    if raw_max is not None:
        try:
            max_calls = int(raw_max)
            if max_calls < 0:
                raise ValueError(raw_max)
        except ValueError:
            max_calls = DEFAULT_MAX_CALLS
            errors += 1

    spans = get(ENV_SPANS)
    if spans is not None:
        config = Config(
            mode="spans",
            spans_path=spans,
            parent_span=get(ENV_PARENT_SPAN),
            level=level,
            max_calls=max_calls,
        )
        return config, errors

    if (get("OTEL_SDK_DISABLED") or "").lower() == "true" or (
        get("OTEL_TRACES_EXPORTER") or ""
    ).lower() == "none":
        return Config(level=level, max_calls=max_calls), errors
    otlp, otlp_errors = _otlp_from_env(get)
    errors += otlp_errors
    if otlp is None:
        return Config(level=level, max_calls=max_calls), errors
    return Config(mode="otlp", level=level, max_calls=max_calls, otlp=otlp), errors


def _otlp_from_env(get) -> Tuple[Optional[OtlpConfig], int]:  # type: ignore[no-untyped-def]
    """The OTLP settings of the ``OTEL_*`` variables, when an endpoint is set."""
    errors = 0
    base = get("OTEL_EXPORTER_OTLP_ENDPOINT")
    traces = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if traces is None and base is None:
        return None, 0
    if traces is None:
        traces = _signal_url(base, "traces")
    metrics: Optional[str] = get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
    if metrics is None and base is not None:
        metrics = _signal_url(base, "metrics")
    if (get("OTEL_METRICS_EXPORTER") or "otlp").lower() == "none":
        metrics = None
    for url in (traces, metrics):
        if url is not None and not url.lower().startswith(("http://", "https://")):
            errors += 1

    headers, header_errors = parse_pairs(get("OTEL_EXPORTER_OTLP_HEADERS"))
    traces_headers, more_errors = parse_pairs(get("OTEL_EXPORTER_OTLP_TRACES_HEADERS"))
    headers.update(traces_headers)
    errors += header_errors + more_errors

    resource, resource_errors = parse_pairs(get("OTEL_RESOURCE_ATTRIBUTES"))
    errors += resource_errors
    service = get("OTEL_SERVICE_NAME") or resource.get("service.name") or _script_name()
    resource["service.name"] = service
    resource.setdefault("telemetry.sdk.name", "perfwatch")
    resource.setdefault("telemetry.sdk.language", "python")

    timeout_s = DEFAULT_OTLP_TIMEOUT_S
    raw_timeout = get("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") or get("OTEL_EXPORTER_OTLP_TIMEOUT")
    if raw_timeout is not None:
        try:
            timeout_s = min(max(float(raw_timeout) / 1000.0, 0.001), MAX_OTLP_TIMEOUT_S)
        except ValueError:
            errors += 1

    parent = None
    raw_parent = get("TRACEPARENT")
    if raw_parent is not None:
        parent = parse_traceparent(raw_parent)
        if parent is None:
            errors += 1
    return (
        OtlpConfig(
            traces_url=traces,
            metrics_url=metrics,
            headers=headers,
            resource=resource,
            timeout_s=timeout_s,
            parent=parent,
        ),
        errors,
    )


def _signal_url(base: str, signal: str) -> str:
    """``OTEL_EXPORTER_OTLP_ENDPOINT`` plus the path of one signal."""
    return base.rstrip("/") + "/v1/" + signal


def _script_name() -> str:
    """The running script's name without its extension, as a service name."""
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    name = os.path.splitext(os.path.basename(argv0))[0]
    return name if name and name != "-c" else "unknown_service:python"


def parse_pairs(text: Optional[str]) -> Tuple[Dict[str, str], int]:
    """``k=v,k2=v2`` (values URL-decoded, as the OpenTelemetry spec says),
    and how many entries were not of that form."""
    pairs: Dict[str, str] = {}
    errors = 0
    if not text:
        return pairs, 0
    for item in text.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = unquote(key.strip())
        if not sep or not key:
            errors += 1
            continue
        pairs[key] = unquote(value.strip())
    return pairs, errors


def parse_traceparent(text: str) -> Optional[Tuple[int, int]]:
    """The trace id and span id of a W3C ``traceparent`` value, or ``None``."""
    parts = text.strip().split("-")
    if len(parts) < 4 or len(parts[1]) != 32 or len(parts[2]) != 16:
        return None
    try:
        trace_id, span_id = int(parts[1], 16), int(parts[2], 16)
    except ValueError:
        return None
    if trace_id == 0 or span_id == 0:
        return None
    return trace_id, span_id
