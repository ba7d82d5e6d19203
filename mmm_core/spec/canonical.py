"""A spec's identity and wording: canonical JSON, its SHA-256, a human-readable field diff between two specs,
and validation messages that name field paths.

Canonical JSON = the validated spec with every default made explicit, keys sorted, no whitespace, lists of named
items sorted by name (done by the model's validators), and numbers normalised so that the same value always
prints the same way: an integral float prints as an integer (``1.0`` → ``1``), ``-0.0`` as ``0``, any other float
by ``repr`` (shortest round-trip form). So YAML formatting, key order, or writing ``8`` vs ``8.0`` never changes
the hash, and any change of meaning does.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from pydantic import BaseModel, ValidationError

_MAX_EXACT_INT = 2**53  # beyond this a float is no longer an exact integer in JSON consumers


def normalise(value: Any) -> Any:
    """Recursively normalise numbers (and leave everything else) so equal values serialise identically."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("non-finite numbers have no canonical form")
        if value == 0:
            return 0
        if value.is_integer() and abs(value) < _MAX_EXACT_INT:
            return int(value)
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    raise TypeError(f"cannot canonicalise a {type(value).__name__}")


def canonical_json(spec: BaseModel) -> str:
    """The spec's canonical JSON text (see module docstring)."""
    data = normalise(spec.model_dump(mode="json"))
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def spec_sha256(spec: BaseModel) -> str:
    """SHA-256 (hex) of the canonical JSON: the spec's identity."""
    return sha256_text(canonical_json(spec))


def diff_specs(old: BaseModel, new: BaseModel) -> list[dict[str, Any]]:
    """Field-level differences, e.g. ``{"path": "media[TV].adstock.l_max", "old": 8, "new": 12}``.

    Items of named lists are matched by name, so adding a channel shows as one added item rather than a cascade.
    An absent side is ``None`` (added or removed item).
    """
    out: list[dict[str, Any]] = []
    _diff(normalise(old.model_dump(mode="json")), normalise(new.model_dump(mode="json")), "", out)
    return out


def format_diff(changes: list[dict[str, Any]]) -> list[str]:
    """``media[TV].adstock.l_max: 8 → 12`` lines; added/removed items say so."""
    lines = []
    for c in changes:
        if c["old"] is None and isinstance(c["new"], dict):
            lines.append(f"{c['path']}: added")
        elif c["new"] is None and isinstance(c["old"], dict):
            lines.append(f"{c['path']}: removed")
        else:
            lines.append(f"{c['path']}: {_show(c['old'])} → {_show(c['new'])}")
    return lines


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _diff(old: Any, new: Any, path: str, out: list[dict[str, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else key
            if key not in old or key not in new:
                out.append({"path": sub, "old": old.get(key), "new": new.get(key)})
            else:
                _diff(old[key], new[key], sub, out)
        return
    if _named_list(old) and _named_list(new):
        before, after = {i["name"]: i for i in old}, {i["name"]: i for i in new}
        for name in sorted(set(before) | set(after)):
            sub = f"{path}[{name}]"
            if name not in before or name not in after:
                out.append({"path": sub, "old": before.get(name), "new": after.get(name)})
            else:
                _diff(before[name], after[name], sub, out)
        return
    if old != new:
        out.append({"path": path, "old": old, "new": new})


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in value)


# --- validation messages ---------------------------------------------------------------------------------------


def validation_message(exc: ValidationError, data: Any, root: type[BaseModel]) -> str:
    """pydantic errors as ``media[TV].adstock.type: Input should be 'geometric' or 'delayed' (got 'weibull')``;
    an unknown key lists the fields allowed at that place."""
    return "; ".join(_describe_error(err, data, root) for err in exc.errors())


def _describe_error(err: Any, data: Any, root: type[BaseModel]) -> str:
    loc = [part for part in err["loc"] if not (isinstance(part, str) and part.startswith("function-"))]
    path = _format_path(loc, data)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1], root)
        msg = f"unknown field; allowed fields here: {', '.join(allowed)}"
    elif "input" in err and err["type"] != "missing" and not isinstance(err["input"], dict | list):
        msg += f" (got {err['input']!r})"
    return f"{path or '<spec>'}: {msg}"


def _format_path(loc: list[Any], data: Any) -> str:
    """``media[TV].adstock.l_max``: list items are named by their ``name`` when they have one."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            label = item.get("name") if isinstance(item, dict) else None
            out += f"[{label}]" if isinstance(label, str) else f"[{part}]"
            node = item
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _allowed_fields(loc: list[Any], root: type[BaseModel]) -> list[str]:
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = _field_named(model, part)
        if field is None:
            return []
        model = _model_of(field.annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return [f.alias or name for name, f in model.model_fields.items()]  # as written in YAML (`class`, not class_)


def _field_named(model: Any, part: str) -> Any:
    """The field a path part names: by its name, or by its alias (the key written in YAML)."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    return next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
