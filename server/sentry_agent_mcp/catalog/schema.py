"""Input schemas for agents: the params model's JSON Schema, made compact and self-contained.

Every tool schema is sent to the model on every turn, so bytes matter. What the model needs stays:
types, enums, integer bounds, defaults, which fields are required, one short description per field.
What only a validator needs goes (string patterns and lengths, item counts, formats, titles): the
server still enforces all of it, with an error that names the field. ``$ref`` enums are inlined,
and ``anyOf [X, null]`` of an optional field becomes ``X`` (leaving a field out is how an agent
says "none"). Defaults taken from the configuration (``SENTRY_ORG``/``SENTRY_PROJECT``) make their
field optional and say so in its description. Schemas are built once per process and pair.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..tool_spec import finish_schema
from ..views import OPTIONS_SCHEMA
from .base import Pair

JSONSchema = dict[str, Any]

VALIDATOR_ONLY = frozenset(
    {"title", "pattern", "minLength", "maxLength", "minItems", "maxItems", "format", "uniqueItems"}
)
"""Keywords kept server-side only: they cost bytes on every turn and rarely change what a model sends."""


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = dict(defs[ref.removeprefix("#/$defs/")])
            extra = {k: v for k, v in node.items() if k != "$ref"}
            return _inline({**target, **extra}, defs)
        out = {k: _inline(v, defs) for k, v in node.items() if not (k in VALIDATOR_ONLY and not isinstance(v, dict))}
        if "enum" in out:
            out.pop("type", None)  # the enum says it all
        return out
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
    """Inline ``$defs``, drop validator-only keywords and null branches of optional fields."""
    defs = schema.get("$defs", {})
    out: JSONSchema = _inline({k: v for k, v in schema.items() if k != "$defs"}, defs)
    props = out.get("properties")
    if isinstance(props, dict):
        out["properties"] = {name: _drop_null_branch(p) for name, p in props.items()}
    return out


_BUILT: dict[tuple[str, str, int, bool], JSONSchema] = {}


def _base_schema(pair: Pair, view_options: bool) -> JSONSchema:
    key = (pair.entity, pair.action, id(pair.params), view_options)
    if key not in _BUILT:
        _BUILT[key] = _build(pair, view_options)
    return _BUILT[key]


def _build(pair: Pair, view_options: bool) -> JSONSchema:
    schema = compact_schema(pair.params.model_json_schema())
    schema.pop("description", None)
    props = schema.get("properties", {})
    ordered = {name: props[name] for name in pair.field_names() if name in props}
    if pair.takes_view_options:
        if view_options:
            ordered.update(copy.deepcopy(OPTIONS_SCHEMA))
        else:
            schema.pop("additionalProperties", None)  # fields/detail are accepted, just not spelled out
    schema["properties"] = ordered
    return schema


def input_schema(
    pair: Pair, defaults: Mapping[str, str] | None = None, *, view_options: bool = True, hosted: bool = False
) -> JSONSchema:
    """The schema an agent sees for ``pair``, with configured defaults applied (a fresh copy).

    ``view_options=False`` leaves ``fields``/``detail`` out (``tools/list``: 42 tools times the same
    two params would cost ~4-10 KB on every turn; the server instructions describe them once).
    ``hosted=True`` keeps only the params the Airbyte-hosted connector takes, and its required ones.
    """
    hosted_call = pair.hosted if hosted else None
    return finish_schema(
        _base_schema(pair, view_options),
        defaults,
        hosted_params=hosted_call.params if hosted_call is not None else None,
        hosted_required=hosted_call.required if hosted_call is not None else (),
    )


def base_schema(pair: Pair, view_options: bool = True) -> JSONSchema:
    """``pair``'s schema before defaults and the hosted cut (a fresh copy)."""
    return copy.deepcopy(_base_schema(pair, view_options))
