"""What every tool shares, whichever layer builds it: its name, its page bounds, its finished input schema.

A leaf (standard library only), so that the catalog, the precomputed tool entries and the MCP tool
listing read the same facts without importing each other: listing the tools must not import the
catalog, and the catalog must not import the layers above it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

PAGE_SIZE = 100
"""Sentry's largest page: one request never asks for more."""
MAX_LIMIT = 500
"""The most items one call returns; over ``PAGE_SIZE`` the executor fetches several pages."""
DEFAULT_LIMIT = 25
"""Items a list returns when the call gives no ``limit``: what an agent reads, not all that fits the budget
(README, "Results"); ``meta.next_cursor`` pages on."""

_VERBS = {"list": "List", "get": "Get", "create": "Create", "update": "Update", "query": "Query"}
_PLURAL_ACTIONS = frozenset({"list", "query", "context_store_search"})
"""Actions whose title names many objects ("List issues"); the others name one ("Get issue")."""


def tool_name(entity: str, action: str) -> str:
    """The MCP tool of a pair: ``sentry_<entity>_<action>``."""
    return f"sentry_{entity}_{action}"


def tool_title(entity: str, action: str) -> str:
    """The MCP title a pair gets unless it names its own: ``List issues``, ``Get project detail``, ``Update issue``."""
    words = entity.split("_")
    if action not in _PLURAL_ACTIONS and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    noun = " ".join(words)
    if action == "context_store_search":
        return f"Search {noun} (context store)"
    verb = _VERBS.get(action, action.replace("_", " ").capitalize())
    return f"{verb} {noun}"


def finish_schema(
    base: dict[str, Any],
    defaults: Mapping[str, str] | None = None,
    *,
    hosted_params: Sequence[str] | None = None,
    hosted_required: Sequence[str] = (),
) -> dict[str, Any]:
    """A pair's base schema made specific (a fresh copy): the hosted connector's params only when
    ``hosted_params`` is given, and configured defaults, which make their fields optional."""
    schema = copy.deepcopy(base)
    if hosted_params is not None:
        keep = set(hosted_params) | {"fields", "detail"}
        schema["properties"] = {k: v for k, v in schema["properties"].items() if k in keep}
        required = [k for k in schema["properties"] if k in set(schema.get("required", [])) | set(hosted_required)]
        schema.pop("required", None)
        if required:
            schema["required"] = required
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
