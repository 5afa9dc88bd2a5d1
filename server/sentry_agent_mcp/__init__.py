"""sentry-agent-mcp: an MCP server and Python library that lets LLM agents read and act on Sentry."""

__version__ = "0.1.0"
