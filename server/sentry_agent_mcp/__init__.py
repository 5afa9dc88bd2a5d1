"""sentry-agent-mcp: an MCP server and Python library that lets LLM agents read and act on Sentry.

The Python API mirrors ``airbyte_agent_sentry``::

    from sentry_agent_mcp import SentryConnector, SentryAuthConfig
    connector = SentryConnector(auth_config=SentryAuthConfig(auth_token="..."))
    page = await connector.execute("issues", "list", {"organization_slug": "acme"})

Names are imported on first use, so ``python -m sentry_agent_mcp serve`` pays only for what it runs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

_EXPORTS = {
    "SentryConnector": "connector",
    "CheckResult": "connector",
    "ListResult": "connector",
    "ListMeta": "connector",
    "SentryAuthConfig": "models",
    "AirbyteAuthConfig": "models",
    "SentryReplicationConfig": "models",
    "Settings": "config",
    "SentryAgentError": "errors",
    "tool_utils": "tool_utils",
}

if TYPE_CHECKING:
    from .config import Settings
    from .connector import CheckResult, ListMeta, ListResult, SentryConnector
    from .errors import SentryAgentError
    from .models import AirbyteAuthConfig, SentryAuthConfig, SentryReplicationConfig
    from .tool_utils import tool_utils


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sentry_agent_mcp' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "AirbyteAuthConfig",
    "CheckResult",
    "ListMeta",
    "ListResult",
    "SentryAgentError",
    "SentryAuthConfig",
    "SentryConnector",
    "SentryReplicationConfig",
    "Settings",
    "__version__",
    "tool_utils",
]
