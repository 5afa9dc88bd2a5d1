"""Tool list cost: bytes (and tokens at ~4 characters a token) of ``tools/list`` per ``SENTRY_MCP_TOOLS``
mode, in total and per tool, as the JSON the model is given on every turn. Baseline in the same run: the
official server's ``tools/list`` over stdio. Targets: <= 24 KB for the full surface (set for 45 tools, writes
on; every tool has had a title since issue 13), <= 3 KB in ``execute`` mode.

    .venv/bin/python bench/tools_list.py
"""

from __future__ import annotations

import json
from typing import Any

from common import (
    OFFICIAL_VERSION,
    StdioServer,
    demo_sentry,
    official_available,
    official_command,
    ours_command,
    write_result,
)

MODES: dict[str, list[str]] = {
    "all (default)": [],
    "all + writes (full surface)": ["--allow-writes"],
    "execute": ["--tools", "execute"],
    "issues,events": ["--tools", "issues,events,issue_events"],
}


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def measure(server: StdioServer) -> dict[str, Any]:
    server.initialize()
    tools = server.request("tools/list", {})["result"]["tools"]
    total = _size({"tools": tools})
    return {
        "tools": len(tools),
        "bytes": total,
        "tokens_approx": round(total / 4),
        "bytes_per_tool": round(total / len(tools)),
        "per_tool": {tool["name"]: _size(tool) for tool in tools},
    }


def main() -> None:
    out: dict[str, Any] = {}
    with demo_sentry() as sentry:
        for mode, flags in MODES.items():
            with StdioServer(*ours_command(sentry, *flags)) as server:
                out[mode] = measure(server)
        if official_available():
            with StdioServer(*official_command(sentry)) as official:
                out[f"official_{OFFICIAL_VERSION}"] = measure(official)
    full = out["all + writes (full surface)"]["bytes"]
    verdict = {"full_surface_le_24kb": full <= 24_000, "execute_le_3kb": out["execute"]["bytes"] <= 3_000}
    write_result("tools_list", {"modes": out, "verdict": verdict})
    for mode, row in out.items():
        print(f"{mode:>28}: {row['tools']:3d} tools, {row['bytes']:6d} bytes (~{row['tokens_approx']} tokens)")
    print(verdict)


if __name__ == "__main__":
    main()
