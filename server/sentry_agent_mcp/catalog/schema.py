"""Input schemas for agents: the params model's JSON Schema, made compact and self-contained.

Every tool schema is sent to the model on every turn, so bytes matter: titles go, ``$ref`` enums are
inlined, and ``anyOf [X, null]`` of an optional field becomes ``X`` (leaving a field out is how an
agent says "none"). Defaults taken from the configuration (``SENTRY_ORG``/``SENTRY_PROJECT``) make
their field optional and say so in its description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Pair

JSONSchema = dict[str, Any]


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = dict(defs[ref.removeprefix("#/$defs/")])
            extra = {k: v for k, v in node.items() if k != "$ref"}
            return _inline({**target, **extra}, defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "title" or not isinstance(v, str)}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node


def _drop_null_branch(prop: JSONSchema) -> JSONSchema:
    branches = prop.get("anyOf")
    if not isinstance(branches, list):
        return prop
    kept = [b for b in branches if b != {"type": "null"}]
    if len(kept) == len(branches) or len(kept) != 1:
        return prop
    merged = {k: v for k, v in prop.items() if k != "anyOf"}
    merged = {**kept[0], **merged}
    if merged.get("default", 0) is None:
        del merged["default"]
    return merged


def compact_schema(schema: JSONSchema) -> JSONSchema:
    """Inline ``$defs``, drop titles and null branches of optional fields."""
    defs = schema.get("$defs", {})
    out: JSONSchema = _inline({k: v for k, v in schema.items() if k != "$defs"}, defs)
    props = out.get("properties")
    if isinstance(props, dict):
        out["properties"] = {name: _drop_null_branch(p) for name, p in props.items()}
    return out


def input_schema(pair: Pair, defaults: Mapping[str, str] | None = None) -> JSONSchema:
    """The schema an agent sees for ``pair``, with configured defaults applied."""
    schema = compact_schema(pair.params.model_json_schema())
    schema.pop("description", None)
    props = schema.get("properties", {})
    schema["properties"] = {name: props[name] for name in pair.field_names() if name in props}
    for name, value in (defaults or {}).items():
        prop = schema.get("properties", {}).get(name)
        if prop is None:
            continue
        prop["description"] = f"{prop.get('description', '')} Defaults to '{value}'.".strip()
        required = schema.get("required", [])
        if name in required:
            required.remove(name)
            if not required:
                schema.pop("required")
    return schema
