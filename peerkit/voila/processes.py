"""Run peerkit's servers as child processes that start, report and stop as one.

``peerkit serve`` runs two Voilà servers (the learners' course and the facilitator's dashboard) and a
thread beside them (the demo's autopilot). Why each rule here:

* a port that is taken is refused before anything is built (:func:`check_ports`), with the port, the
  option that moves it and a free port to try: Voilà's own message comes only after the build and
  scrolls away among its log lines;
* each server runs in its own session (its own process group): the kernels it starts belong to that
  group, so stopping a server kills its kernels too (:func:`stop_process_group`), and a terminal's
  Ctrl-C reaches only this process, which then stops every child itself;
* SIGINT, SIGTERM and SIGHUP stop every child (no Voilà server or kernel left behind when a service
  manager or a test stops ``peerkit serve``), then the thread beside them;
* a server counts as started only once its port answers: one that exits first fails the command
  with its exit code and the last lines it wrote (which are also shown as it writes them).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

from peerkit.core.errors import ServerError

Say = Callable[[str], None]
TAIL_LINES = 30
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SignalHandler = Callable[[int, FrameType | None], object] | int | signal.Handlers


@dataclass(frozen=True, slots=True)
class Server:
    """One server to run: what it is called, how it starts and where it answers."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str]
    cwd: Path
    port: int
    host: str = "localhost"
    #: The command-line option that chooses another port (named in the busy-port error).
    option: str = "--port"

    @property
    def probe_host(self) -> str:
        """Where to knock to see whether the server answers (a wildcard address answers on loopback)."""
        return "127.0.0.1" if self.host in {"", "0.0.0.0", "::"} else self.host  # noqa: S104 - compared, not bound


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on *port* at *host* (as Voilà binds: with SO_REUSEADDR, on
    every address *host* resolves to)."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return False  # Voilà will report an unknown host itself
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return True
    return False


def free_port_after(host: str, port: int, *, avoid: Sequence[int] = (), tries: int = 100) -> int | None:
    """The first free port after *port* (skipping *avoid*), or None within *tries*."""
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        if candidate not in avoid and not port_taken(host, candidate):
            return candidate
    return None


def check_ports(servers: Sequence[Server]) -> None:
    """Refuse, before any work, a port that is taken or given to two servers; the error names the
    port, who wanted it, the option that moves it and a free port to try."""
    seen: dict[int, Server] = {}
    for server in servers:
        other = seen.get(server.port)
        if other is not None:
            suggestion = free_port_after(server.host, server.port, avoid=list(seen))
            raise ServerError(
                f"{other.name} and {server.name} are both set to port {server.port}: give {server.name} "
                f"another one with {server.option} {suggestion or '<port>'}",
                server=server.name,
                port=server.port,
            )
        seen[server.port] = server
        if port_taken(server.host, server.port):
            suggestion = free_port_after(server.host, server.port, avoid=[s.port for s in servers])
            hint = f" (e.g. {server.option} {suggestion}, which is free)" if suggestion else ""
            raise ServerError(
                f"port {server.port} for {server.name} is already in use on {server.host}: stop what serves "
                f"there (another `peerkit serve`?) or choose another port with {server.option}{hint}",
                server=server.name,
                port=server.port,
            )


def answers(host: str, port: int, *, timeout: float = 0.5) -> bool:
    """Whether a TCP connection to *host*:*port* succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class Child:
    """A started server: its process (leader of its own process group) and the tail of its output."""

    server: Server
    process: subprocess.Popen[bytes]
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))
    echo: threading.Thread | None = None

    def log(self) -> str:
        return "".join(self.tail).rstrip()

    def failure(self, what: str) -> ServerError:
        if self.echo is not None:
            self.echo.join(timeout=2)  # the last lines it wrote before exiting
        code = self.process.poll()
        log = self.log()
        message = f"{self.server.name} (port {self.server.port}) {what}"
        if log:
            message += "; its last lines:\n" + log
        return ServerError(message, server=self.server.name, port=self.server.port, exit_code=code, log=log)


def _echo(stream: IO[bytes], tail: deque[str], out: IO[str]) -> None:
    """Copy a child's output to *out* line by line, keeping the last lines for an error message."""
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", errors="replace")
        tail.append(line)
        with contextlib.suppress(OSError, ValueError):
            out.write(line)
            out.flush()
    stream.close()


def start(server: Server, *, out: IO[str] | None = None) -> Child:
    """Start *server* in a session of its own, its output echoed to *out* (default: stderr)."""
    process = subprocess.Popen(
        list(server.command),
        env=dict(server.env),
        cwd=server.cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    child = Child(server=server, process=process)
    assert process.stdout is not None  # noqa: S101 - PIPE was asked for
    child.echo = threading.Thread(
        target=_echo,
        args=(process.stdout, child.tail, out or sys.stderr),
        name=f"peerkit-log-{server.port}",
        daemon=True,
    )
    child.echo.start()
    return child


def wait_ready(child: Child, *, timeout: float, poll: float = 0.2) -> None:
    """Return once *child*'s port answers; raise :class:`ServerError` if it exits or stays silent."""
    deadline = time.monotonic() + timeout
    while True:
        code = child.process.poll()
        if code is not None:
            raise child.failure(f"did not start: it exited with code {code}")
        if answers(child.server.probe_host, child.server.port):
            return
        if time.monotonic() > deadline:
            raise child.failure(f"did not answer within {timeout:g} s")
        time.sleep(poll)


def stop_process_group(process: subprocess.Popen[bytes], *, grace: float = 10.0) -> None:
    """Stop the process group *process* leads (the server and every kernel it started): SIGTERM,
    then SIGKILL for whatever is left after *grace* seconds."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        process.poll()  # reap the leader: a zombie would still count as a member of its group
        if not _group_alive(process.pid):
            break
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class Stopped(Exception):
    """Raised in the main thread when a stop signal arrives."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stopped(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def stop_signals(handler: SignalHandler) -> Iterator[None]:
    """Handle :data:`STOP_SIGNALS` with *handler* meanwhile (only the main thread can; elsewhere: no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_servers(
    servers: Sequence[Server],
    *,
    beside: Callable[[threading.Event], None] | None = None,
    say: Say = print,
    ready_timeout: float = 120.0,
    out: IO[str] | None = None,
) -> int:
    """Start every server, wait until each answers, run *beside* in a thread, and serve until the
    first server exits (its exit code is returned) or a stop signal arrives (0 is returned); every
    child is stopped on the way out, whatever happens. A server that does not start raises
    :class:`ServerError` (the others are stopped first)."""
    children: list[Child] = []
    stop = threading.Event()
    worker: threading.Thread | None = None
    with stop_signals(_raise_stopped):
        try:
            for server in servers:
                children.append(start(server, out=out))
            for child in children:
                wait_ready(child, timeout=ready_timeout)
            if beside is not None:
                worker = threading.Thread(target=beside, args=(stop,), name="peerkit-beside-voila", daemon=True)
                worker.start()
            say(f"Serving {' and '.join(c.server.name for c in children)}; Ctrl-C stops them.")
            return _serve(children, say)
        except (Stopped, KeyboardInterrupt) as exc:
            say(f"Stopping ({exc or 'SIGINT'}) ...")
            return 0
        finally:
            with stop_signals(signal.SIG_IGN):  # a second Ctrl-C must not leave children half stopped
                stop.set()
                for child in reversed(children):
                    stop_process_group(child.process)
                if worker is not None:
                    worker.join(timeout=10)


def _serve(children: Sequence[Child], say: Say) -> int:
    main, companions = children[0], list(children[1:])
    while True:
        code = main.process.poll()
        if code is not None:
            return code
        for child in list(companions):
            if child.process.poll() is not None:
                say(str(child.failure(f"stopped with exit code {child.process.returncode}")))
                companions.remove(child)
        time.sleep(0.5)
