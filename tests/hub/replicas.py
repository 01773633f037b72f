"""Replicas of the course service behind a load balancer, registered with a local hub.

The hub routes a service to one URL, as Kubernetes routes it to one Service address. Here that URL
is :class:`RoundRobin`, a small TCP load balancer (what a Kubernetes Service's proxy does: one
backend per connection, the next one for the next connection, and a backend that refuses the
connection is skipped), in front of :class:`Replica` processes of ``peerkit service``, each started
with the environment the hub gives the managed service, on one shared PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.hub.harness import Hub, HubError, request
from tests.ports import free_port

SERVICE = "peerkit"
PREFIX = f"/services/{SERVICE}/"


def external_service(front_url: str, token: str) -> str:
    """Hub configuration that registers the ``peerkit`` service as an external one at *front_url*
    (the documented configuration runs it as a managed service)."""
    return (
        f"c.JupyterHub.services = [s for s in c.JupyterHub.services if s['name'] != {SERVICE!r}]\n"
        f"c.JupyterHub.services.append({{'name': {SERVICE!r}, 'url': {front_url!r}, "
        f"'api_token': {token!r}, 'oauth_no_confirm': True}})\n"
    )


@dataclass
class Replica:
    """One ``peerkit service`` process, started (and started again) on its own port."""

    hub: Hub
    token: str
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "PEERKIT_"))}
        access = f'["access:services!service={SERVICE}"]'
        env.update(
            JUPYTERHUB_SERVICE_NAME=SERVICE,
            JUPYTERHUB_SERVICE_URL=self.url,
            JUPYTERHUB_SERVICE_PREFIX=PREFIX,
            JUPYTERHUB_BASE_URL="/",
            JUPYTERHUB_API_URL=f"http://127.0.0.1:{self.hub.hub_port}/hub/api",
            JUPYTERHUB_API_TOKEN=self.token,
            JUPYTERHUB_CLIENT_ID=f"service-{SERVICE}",
            JUPYTERHUB_OAUTH_CALLBACK_URL=f"{PREFIX}oauth_callback",
            JUPYTERHUB_OAUTH_SCOPES=access,
            JUPYTERHUB_OAUTH_ACCESS_SCOPES=access,
            PEERKIT_DB=self.hub.db_url,
            PEERKIT_NO_BOOTSTRAP="1",
            PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        )
        return env

    def start(self) -> Replica:
        command = [sys.executable, "-m", "peerkit", "service", "--course", str(self.hub.course_file)]
        command += ["--course-root", str(self.hub.course_root), "--exchange", str(self.hub.exchange)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=self.hub.root, env=self.environment(), stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise HubError(f"replica on {self.port} exited ({self.process.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if request("GET", f"{self.url}/ready", timeout=5).status == 200:
                    return
            time.sleep(0.2)
        raise HubError(f"replica on {self.port} was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye, as when a node dies or the OOM killer strikes."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class RoundRobin:
    """A TCP load balancer on its own event loop thread: each accepted connection goes to the next
    backend. With *failover* a backend that refuses the connection is skipped (as nginx does);
    without it the client's connection is simply closed (as a Kubernetes Service does in the seconds
    before a dead pod leaves its endpoints): the hub's proxy then answers 503 and the learner's
    client tries again. ``connections`` counts the connections each backend took."""

    backends: list[int]
    failover: bool = True
    port: int = field(default_factory=free_port)
    connections: dict[int, int] = field(default_factory=dict)
    _next: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RoundRobin:
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._server = loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", self.port))
            started.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="round-robin", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise HubError("the load balancer did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        start = self._next
        self._next += 1
        for i in range(len(self.backends) if self.failover else min(1, len(self.backends))):
            port = self.backends[(start + i) % len(self.backends)]
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            self.connections[port] = self.connections.get(port, 0) + 1
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            return
        writer.close()  # no backend at all: the client sees the connection end, as with any balancer


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()
