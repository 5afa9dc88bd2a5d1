"""``python -m sentry_agent_mcp``: the same as the ``sentry-agent-mcp`` command."""

from sentry_agent_mcp.cli import main

raise SystemExit(main())
