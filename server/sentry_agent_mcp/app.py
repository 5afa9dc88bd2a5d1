"""The module-level server object, for ``mcp dev``/``mcp run`` (configured from the environment).

    mcp dev server/sentry_agent_mcp/app.py --with-editable .

Absolute imports only: ``mcp run`` loads this file by path, not as part of the package.
"""

from sentry_agent_mcp.errors import ConfigurationError
from sentry_agent_mcp.mcp_server import SentryMCPServer

try:
    mcp = SentryMCPServer()
except ConfigurationError as exc:  # an invalid setting: one line naming it, not a traceback from `mcp run`
    raise SystemExit(f"error: {exc}") from None
