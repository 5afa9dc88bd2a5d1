"""The hosted backend: calls go to the Airbyte-hosted Sentry connector through the Airbyte API.

It serves the pairs the hosted connector has (the nine seed pairs and ``context_store_search``),
with the params it knows: anything else is a clear error, never a silent drop. Results come back in
the same envelopes as the direct backend's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio

from ..catalog import Kind, Pair, Params, Served
from ..errors import InvalidParamsError, UpstreamError, UpstreamProtocolError
from .airbyte_api import AirbyteAPI
from .base import list_page
from .retry import call_deadline


def _cursor_of(meta: dict[str, Any]) -> str | None:
    for key in ("next_cursor", "cursor"):
        if isinstance(meta.get(key), str) and meta[key]:
            return str(meta[key])
    nxt = meta.get("next")
    if isinstance(nxt, str) and nxt:
        values = parse_qs(urlsplit(nxt).query).get("cursor")
        return values[0] if values else None
    return None


def hosted_page(result: Any, metadata: Any) -> dict[str, Any]:
    """The list envelope from an execute answer.

    Search results carry ``{data, meta: {has_more, cursor}}``. Plain lists carry Sentry's next link in
    ``connector_metadata.next``, which Sentry sends even on the last page: there ``has_more`` is true
    when a next cursor exists and the page was not empty, so the last page may be followed by one empty.
    """
    data, meta = result, metadata
    if isinstance(result, dict) and "data" in result:
        data = result["data"]
        meta = result.get("meta") or metadata
    if not isinstance(data, list):
        raise UpstreamProtocolError("The hosted connector answered a list action without a list of records.")
    meta = meta if isinstance(meta, dict) else {}
    cursor = _cursor_of(meta)
    has_more = bool(meta["has_more"]) if isinstance(meta.get("has_more"), bool) else bool(cursor and data)
    return list_page(data, has_more=has_more and cursor is not None, next_cursor=cursor)


class HostedBackend:
    """Runs pairs on one hosted connector (its id given, or looked up once by customer name)."""

    name = "hosted"
    serves = Served.HOSTED

    def __init__(self, api: AirbyteAPI, *, connector_id: str | None = None, customer_name: str | None = None):
        self.api = api
        self._connector_id = connector_id
        self._customer_name = customer_name
        self._lock = anyio.Lock()

    def __repr__(self) -> str:
        return f"HostedBackend(api={self.api!r}, connector_id={self._connector_id!r})"

    async def connector_id(self) -> str:
        async with self._lock:
            if self._connector_id is None:
                assert self._customer_name is not None  # create_backend checked it
                self._connector_id = await self.api.find_connector(self._customer_name)
            return self._connector_id

    def hosted_params(self, pair: Pair, params: Params) -> dict[str, Any]:
        """Our params as the hosted connector names them; unknown or missing ones are errors."""
        hosted = pair.hosted
        assert hosted is not None
        values = params.model_dump(exclude_none=True, mode="json", by_alias=True)
        if hosted.params is not None:
            unknown = sorted(set(values) - set(hosted.params))
            if unknown:
                raise InvalidParamsError(
                    f"The Airbyte-hosted connector does not take {', '.join(unknown)} for {pair.entity}/{pair.action}.",
                    hint=f"It takes: {', '.join(hosted.params)}. The direct backend (SENTRY_AUTH_TOKEN) takes more.",
                )
        missing = [name for name in hosted.required if name not in values]
        if missing:
            raise InvalidParamsError(
                f"The Airbyte-hosted connector needs {', '.join(missing)} for {pair.entity}/{pair.action}.",
                hint="Pass it, or set the default (SENTRY_PROJECT / SentryReplicationConfig.project).",
            )
        if values.get("full") is False:  # Sentry reads any non-empty `full` as true
            del values["full"]
        elif values.get("full") is True:
            values["full"] = "true"
        return {hosted.rename.get(name, name): value for name, value in values.items()}

    async def execute(self, pair: Pair, params: Params) -> Any:
        body = await self.api.execute(
            await self.connector_id(), pair.entity, pair.action, self.hosted_params(pair, params)
        )
        if not isinstance(body, dict) or "result" not in body:
            raise UpstreamProtocolError("The Airbyte API answered execute without a 'result'.")
        if pair.kind is Kind.LIST:
            return hosted_page(body["result"], body.get("connector_metadata"))
        return body["result"] if body["result"] is not None else {}

    async def check(self) -> str:
        with call_deadline(self.api.timeout):  # no executor here: the token, lookup and check share one deadline
            connector = await self.connector_id()
            body = await self.api.execute(connector, "*", "check", {})
        result = body.get("result") if isinstance(body, dict) else None
        status = result.get("status") if isinstance(result, dict) else None
        if status not in ("healthy", None):
            error = result.get("error") if isinstance(result, dict) else None
            raise UpstreamError(
                f"The hosted connector {connector} reports {status}" + (f": {error}" if error else "."),
                status=200,
                hint="Its Sentry credentials may have expired: recreate it with SentryConnector.create(...).",
            )
        return f"hosted backend at {self.api.api_url}: connector {connector} is {status or 'reachable'}"

    async def aclose(self) -> None:
        await self.api.aclose()
