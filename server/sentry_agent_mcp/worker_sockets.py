"""The listening sockets of ``serve --workers N``: one per worker on Linux, so the kernel spreads connections.

uvicorn's process manager (``uvicorn.supervisors.Multiprocess``) hands every worker the sockets it was
given, pickled into each spawned child. With one shared listening socket, the worker that wakes first
accepts a whole burst of new connections (asyncio accepts up to the backlog per wake-up): measured, all 32
keep-alive clients landed on one worker in 3 of 4 runs (bench/README.md "Workers and stateless mode").

On Linux the parent hands over a ``PerWorkerSocket`` instead: its claim on the address, bound with
``SO_REUSEPORT`` and never listening, so the kernel sends it no connection. Pickled into a worker, it
becomes that worker's own socket bound to the same address, and uvicorn's server listens on it once the
app has started. The kernel then spreads new connections over the listening workers by a hash of each
connection's addresses. A worker that the supervisor restarts gets a new socket the same way. Elsewhere
(Windows has no ``SO_REUSEPORT``; on macOS it does not balance, the last socket bound gets everything)
the workers share one listening socket as before.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from .http_app import EXIT_CANNOT_LISTEN, ListenError, bound_socket, listening_socket


def kernel_spreads_connections() -> bool:
    """Whether sockets bound with ``SO_REUSEPORT`` to one address share its connections (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


class PerWorkerSocket(socket.socket):
    """The parent's claim on the address; each worker it is pickled into binds its own socket there."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (worker_socket, (host, port))


def worker_socket(host: str, port: int) -> socket.socket:
    """In a worker, while it unpickles what the supervisor sent: its own socket on the parent's address.

    Bound, not listening: uvicorn listens on it after the app has started, so no connection waits on a
    worker that is still starting. A failure exits with uvicorn's startup-failure status, which stops the
    supervisor instead of restarting the worker in a loop.
    """
    try:
        return bound_socket(host, port, reuse_port=True)
    except ListenError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_CANNOT_LISTEN) from None


def supervisor_socket(host: str, port: int) -> socket.socket:
    """What the supervisor hands its workers: a ``PerWorkerSocket`` on Linux, else one shared listening socket.

    Either way the address is first listened on without ``SO_REUSEPORT`` (``http_app.listening_socket``), so
    a port in use by any server, even a group of ``SO_REUSEPORT`` sockets of this user, is refused with one
    clear line (``ListenError``) rather than joined; that also fixes the port when ``port`` is 0.
    """
    probe = listening_socket(host, port)
    if not kernel_spreads_connections():
        return probe
    bound_host, bound_port = probe.getsockname()[:2]
    probe.close()
    return bound_socket(bound_host, bound_port, PerWorkerSocket, reuse_port=True)
