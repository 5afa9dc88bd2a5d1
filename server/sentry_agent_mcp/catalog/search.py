"""``context_store_search``: queries over Airbyte's synced copy of Sentry (hosted backend only)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import HostedCall, Kind, Pair, Params


class SearchQuery(Params):
    """A filter condition and an optional sort, in the connector's condition language."""

    filter: dict[str, Any] | None = Field(
        None,
        description=(
            "Condition, e.g. {'eq': {'status': 'unresolved'}}; operators eq, neq, gt, gte, lt, lte, in, "
            "like, fuzzy, keyword, contains, any, and, or, not. Field names are camelCase."
        ),
    )
    sort: list[dict[str, Literal["asc", "desc"]]] | None = Field(
        None, description="Sort keys, e.g. [{'lastSeen': 'desc'}]."
    )


class ContextStoreSearch(Params):
    """Search the synced records of one entity."""

    query: SearchQuery = Field(description="The search: {'filter': ..., 'sort': [...]}.")
    limit: int | None = Field(None, ge=1, le=1000, description="Maximum records, 1-1000.")
    cursor: str | None = Field(None, max_length=2000, description="Cursor from a previous result's meta.next_cursor.")
    fields: list[str] | None = Field(
        None, description="Field paths to return, dotted for nested fields, e.g. ['id', 'project.slug']."
    )


PAIRS = [
    Pair(
        entity,
        "context_store_search",
        ContextStoreSearch,
        Kind.LIST,
        f"Search Airbyte's synced copy of Sentry {entity} (hosted backend only).",
        None,
        hosted=HostedCall(),
    )
    for entity in ("projects", "issues", "events", "releases")
]
