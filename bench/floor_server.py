"""The SDK floor: the smallest ``MCPServer`` there is (one tool). What any Python MCP server pays.

python bench/floor_server.py              # stdio
python bench/floor_server.py http PORT    # streamable HTTP on 127.0.0.1:PORT
"""

import sys

from mcp.server import MCPServer

server = MCPServer("floor", log_level="WARNING")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run("stdio")
