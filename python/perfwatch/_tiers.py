"""Tiers of a stage and the recording level that filters them.

Tiers run from coarse to fine: ``system`` (a whole job), ``component`` (a
subsystem), ``method`` (a function) and ``operation`` (a single step). The
level ``PERFWATCH_LEVEL`` names the finest tier that is recorded.
"""

from typing import Optional

#: Tier keys, coarsest first (the span-file and OTLP spelling).
TIERS = ("system", "component", "method", "operation")

#: Rank of each tier key: 0 for ``system`` to 3 for ``operation``.
RANKS = {key: rank for rank, key in enumerate(TIERS)}

#: The level used when ``PERFWATCH_LEVEL`` is unset: every tier recorded.
FINEST = len(TIERS) - 1


def parse_tier(value: object) -> Optional[str]:
    """The tier key ``value`` names (case and blanks ignored), or ``None``."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    return key if key in RANKS else None
