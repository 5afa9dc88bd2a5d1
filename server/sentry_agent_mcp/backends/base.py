"""What every backend offers the executor, and the result envelopes they share."""

from __future__ import annotations

from typing import Any, Protocol

from ..catalog import Pair, Params, Served


class Backend(Protocol):
    """Runs validated catalog calls against one place (Sentry, the demo Sentry, Airbyte)."""

    name: str
    """"direct", "demo" or "hosted": shown to users by ``check`` and in errors."""

    serves: Served
    """Which pairs of the catalog this backend can run."""

    async def execute(self, pair: Pair, params: Params) -> Any:
        """Run one call; a list returns ``list_page(...)``, a get the object. Raises SentryAgentError."""

    async def check(self) -> str:
        """Verify credentials with one cheap call; return a one-line description of what was reached."""

    async def aclose(self) -> None:
        """Release connections."""


def list_page(data: Any, *, has_more: bool, next_cursor: str | None) -> dict[str, Any]:
    """The list envelope (README "Results")."""
    return {"data": data, "meta": {"has_more": has_more, "next_cursor": next_cursor if has_more else None}}
