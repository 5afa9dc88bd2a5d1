"""Per-user mode's ``CredentialStore`` (README "Per-user credentials") at its edges: what happens to a token
whose periodic re-check is still in flight while other tokens push it out of the LRU. Driven against the
demo Sentry over real HTTP, with a clock the test moves."""

from __future__ import annotations

import anyio
import pytest

from sentry_agent_mcp import credentials
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.credentials import ACCEPTED_TTL, CredentialStore
from sentry_agent_mcp.redaction import SECRETS
from sentry_demo import DemoSentryServer
from sentry_demo.users import demo_users

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_token_evicted_while_its_recheck_is_in_flight_keeps_working(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bob's re-check is slow; meanwhile Dmitri's token pushes Bob's out (one credential kept). Bob's check
    then succeeds: his call gets a working executor (not a crash), which is kept and not closed under him."""
    monkeypatch.setattr(credentials, "MAX_CREDENTIALS", 1)
    _, bob, dmitri = demo_users()
    clock = Clock()
    with DemoSentryServer(tokens=[bob.token, dmitri.token]) as sentry:
        store = CredentialStore(Settings(http_auth="per-user", hostname=sentry.url), clock=clock)
        try:
            first = await store.executor(bob.token)
            clock.now += ACCEPTED_TTL + 1
            sentry.add_fault(status=None, delay=0.5, path_contains="/auth/")  # Bob's re-check only
            rechecked: list[object] = []

            async def recheck_bob() -> None:
                rechecked.append(await store.executor(bob.token))

            async with anyio.create_task_group() as group:
                group.start_soon(recheck_bob)
                await anyio.sleep(0.1)
                await store.executor(dmitri.token)  # evicts Bob's credential while his check waits
            assert rechecked == [first]
            clock.now += 3600  # long past any retirement grace: retired executors are closed on the next call
            assert await store.executor(bob.token) is first  # kept, not retired under him
            result = await first.execute("projects", "list", {"organization_slug": "acme"})
            assert {row["slug"] for row in result["data"]} == {"api", "worker"}  # Bob's, with his token
            assert SECRETS.redact(f"x {bob.token} x") != f"x {bob.token} x"  # still held as a secret
        finally:
            await store.aclose()


async def test_a_404_from_the_check_is_no_verdict_on_the_token() -> None:
    """A 404 from ``/auth/`` (a SENTRY_HOSTNAME that is no Sentry API) is "cannot check", with a hint for whoever
    runs the server, and is not remembered as a rejection: the same token works once the host answers."""
    alice = demo_users()[0]
    with DemoSentryServer(tokens=[alice.token]) as sentry:
        store = CredentialStore(Settings(http_auth="per-user", hostname=sentry.url), clock=Clock())
        try:
            sentry.add_fault(status=404, times=None, path_contains="/auth/")
            with pytest.raises(credentials.TokenCheckUnavailableError) as failed:
                await store.executor(alice.token)
            assert "SENTRY_HOSTNAME" in (failed.value.hint or "")
            sentry.app.clear_faults()
            executor = await store.executor(alice.token)
            assert (await executor.execute("projects", "get", {"organization_slug": "acme", "project_slug": "web"}))[
                "slug"
            ] == "web"
        finally:
            await store.aclose()
