"""Numbers and names as JSON text, for the encoders of both sinks."""

import json
import math
from typing import Any, Dict, Optional

_names: Dict[Any, str] = {}


def json_number(value: Any) -> Optional[str]:
    """``value`` as a JSON number, or ``None`` when JSON cannot hold it
    (infinities, NaN, values that are not numbers)."""
    if value.__class__ is int:
        return str(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(int(value))
    number = float(value)
    if not math.isfinite(number):
        return None
    return repr(number)


def json_name(name: Any) -> str:
    """``name`` (made a string when it is not one) as a JSON string, cached."""
    encoded = _names.get(name)
    if encoded is None:
        encoded = json.dumps(name if isinstance(name, str) else str(name))
        if len(_names) < 10_000:
            try:
                _names[name] = encoded
            except TypeError:
                pass
    return encoded
