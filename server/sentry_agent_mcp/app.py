"""The module-level server object, for ``mcp dev``/``mcp run`` (configured from the environment).

    mcp dev server/sentry_agent_mcp/app.py --with-editable .

Absolute imports only: ``mcp run`` loads this file by path, not as part of the package.
"""

from sentry_agent_mcp.mcp_server import SentryMCPServer

mcp = SentryMCPServer()
