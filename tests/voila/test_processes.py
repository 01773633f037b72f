"""Servers that start, report and stop as one: busy ports, failed starts, stop signals, no orphans.

The servers here are ``python -m http.server`` (quick to start, a real port); ``test_serve_stops``
below does the same with ``peerkit serve`` and its two Voilà servers.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from peerkit.core.errors import ServerError
from peerkit.voila.processes import Server, answers, check_ports, port_taken, run_servers
from tests.ports import free_port


@pytest.fixture
def listening() -> Iterator[int]:
    """A port something already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def http_server(port: int, tmp_path: Path, name: str = "a web server") -> Server:
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    return Server(name=name, command=command, env=dict(os.environ), cwd=tmp_path, port=port, host="127.0.0.1")


def wait_until(condition: object, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.1)
    return False


def test_a_taken_port_is_refused_with_the_port_and_the_fix(listening: int, tmp_path: Path) -> None:
    assert port_taken("127.0.0.1", listening)
    board = Server(name="the dashboard", command=(), env={}, cwd=tmp_path, port=listening, option="--dashboard-port")
    with pytest.raises(ServerError) as caught:
        check_ports([http_server(free_port(), tmp_path), board])
    message = str(caught.value)
    assert f"port {listening} for the dashboard is already in use" in message
    assert "--dashboard-port" in message and caught.value.port == listening
    suggested = int(message.rsplit("--dashboard-port ", 1)[1].split(",")[0])
    assert suggested != listening and not port_taken("127.0.0.1", suggested)


def test_two_servers_on_one_port_are_refused(tmp_path: Path) -> None:
    port = free_port()
    with pytest.raises(ServerError, match=f"both set to port {port}"):
        check_ports([http_server(port, tmp_path, "one"), http_server(port, tmp_path, "two")])
    check_ports([http_server(port, tmp_path)])  # a free port passes


def test_a_server_that_exits_fails_with_its_code_and_last_lines(tmp_path: Path) -> None:
    good = http_server(free_port(), tmp_path, "the course home")
    failing = Server(
        name="the dashboard",
        command=[sys.executable, "-c", "import sys; print('cannot import matplotlib'); sys.exit(3)"],
        env=dict(os.environ),
        cwd=tmp_path,
        port=free_port(),
    )
    said: list[str] = []
    with pytest.raises(ServerError) as caught:
        run_servers([good, failing], say=said.append, out=open(os.devnull, "w"))  # noqa: SIM115
    error = caught.value
    assert error.exit_code == 3 and error.server == "the dashboard"
    assert "did not start: it exited with code 3" in str(error) and "cannot import matplotlib" in error.log
    assert not any(line.startswith("Serving") for line in said)  # never reported as started
    assert not answers("127.0.0.1", good.port)  # the one that did start was stopped


RUNNER = textwrap.dedent(
    """
    import os, sys, threading
    from pathlib import Path
    from peerkit.voila.processes import Server, run_servers

    def server(port):
        cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
        return Server(name=f"server {port}", command=cmd, env=dict(os.environ), cwd=Path.cwd(), port=port)

    def beside(stop):
        stop.wait()
        print("beside stopped", flush=True)

    code = run_servers([server(int(sys.argv[1])), server(int(sys.argv[2]))], beside=beside)
    print("exit", code, flush=True)
    """
)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_every_child(sig: signal.Signals, tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    runner = subprocess.Popen(
        [sys.executable, str(script), *map(str, ports)], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    try:
        assert runner.stdout is not None
        assert runner.stdout.readline().startswith("Serving server"), "the servers never answered"
        assert all(answers("127.0.0.1", p) for p in ports)
        children = psutil.Process(runner.pid).children(recursive=True)
        assert len(children) >= 2
        runner.send_signal(sig)
        out, _ = runner.communicate(timeout=30)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert "beside stopped" in out and "exit 0" in out
    assert not any(answers("127.0.0.1", p) for p in ports)
    assert wait_until(lambda: not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children), 10)
