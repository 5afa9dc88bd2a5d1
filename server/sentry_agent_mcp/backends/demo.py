"""The demo backend: the direct backend talking in-process to the embedded demo Sentry."""

from __future__ import annotations

import httpx2
from pydantic import SecretStr

from .direct import DirectBackend

DEMO_BASE_URL = "http://demo.sentry.local"


def demo_backend(timeout: float = 30.0) -> DirectBackend:
    """A backend over a fresh demo Sentry (its own data; writes stay in this process)."""
    from sentry_demo import DEMO_TOKEN, create_app

    app = create_app(base_url=DEMO_BASE_URL)
    return DirectBackend(
        base_url=DEMO_BASE_URL,
        token=SecretStr(DEMO_TOKEN),
        timeout=timeout,
        transport=httpx2.ASGITransport(app=app),
        name="demo",
    )
