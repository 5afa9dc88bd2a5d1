"""Run the demo Sentry as a real HTTP server on 127.0.0.1 (free port) in a background thread, for tests
and tools that need actual sockets (timeouts, dropped connections, other processes).
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from types import TracebackType
from typing import Any

from .app import DemoSentryApp, create_app
from .faults import Fault
from .http import RecordedRequest


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound listening socket; port 0 picks a free one (read it back with `getsockname()`).

    The protocol is named explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose `proto`
    is IPPROTO_TCP, and with Nagle on every keep-alive answer waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for a server started in another process)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: Any = None, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
    """Wait until ``port`` accepts connections; fail early when ``process`` (a ``Popen``) has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


def stop_process(process: Any, timeout: float = 10.0) -> None:
    """Terminate a server subprocess (a ``Popen``), killing it when it does not exit in ``timeout``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class DemoSentryServer:
    """`with DemoSentryServer() as server: httpx.get(server.url + "/api/0/", ...)`.

    Keyword arguments go to `create_app` (`tokens`, `rate_limit`, `rate_window`, `self_hosted`, `regions`,
    `org_region_url`, `base_url`); `base_url` defaults to the server's own URL so that Link headers,
    permalinks, the default `us` region and `links.regionUrl` point back at it. `requests` is the app's
    request log.
    """

    def __init__(self, **create_app_kwargs: Any) -> None:
        self._kwargs = create_app_kwargs
        self.url = ""
        self._app: DemoSentryApp | None = None
        self._server: Any = None  # uvicorn.Server, imported lazily
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def app(self) -> DemoSentryApp:
        if self._app is None:
            raise RuntimeError("DemoSentryServer is not started")
        return self._app

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.app.requests

    def add_fault(self, **kwargs: Any) -> Fault:
        """Shortcut for `server.app.add_fault(...)`."""
        return self.app.add_fault(**kwargs)

    def start(self, timeout: float = 10.0) -> None:
        import uvicorn

        self._sock = bind_socket()
        port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._app = create_app(**{"base_url": self.url, **self._kwargs})
        self._app.over_http = True
        config = uvicorn.Config(self._app, lifespan="off", log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name=f"demo-sentry-{port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("demo Sentry server did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def __enter__(self) -> DemoSentryServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
