"""One conversion to plain JSON types for everything the core stores or returns (ledger details, check
details, query rows, effect summaries): JSON has no NaN, no numpy types and no dates."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def to_jsonable(value: Any, digits: int | None = None) -> Any:
    """Plain JSON types: mappings → dicts with string keys, sequences and arrays → lists, numpy scalars →
    Python numbers, NaN/inf → None, dates → ISO text, pydantic models → their JSON dump, other objects →
    their public attributes. ``digits`` rounds floats to that many significant digits."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v, digits) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy arrays and scalars
        value = value.tolist()
        if isinstance(value, list):
            return to_jsonable(value, digits)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{digits}g}") if digits else value
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"), digits)
    if hasattr(value, "__dict__"):
        return to_jsonable({k: v for k, v in vars(value).items() if not k.startswith("_")}, digits)
    return str(value)


__all__ = ["to_jsonable"]
