"""``peerkit serve`` as a process: safe to run twice, refuses a taken port before building, fails when a
server does not start, and leaves nothing running once stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from peerkit.cli import cli
from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.facilitator.api import Facilitator
from peerkit.storage.sql import SqlStore
from peerkit.voila.processes import answers
from tests.conftest import write_review_course, write_test_course
from tests.ports import free_port


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_second_serve_neither_rereleases_nor_reassigns(tmp_path: Path) -> None:
    course_file = write_review_course(tmp_path / "src")
    work = tmp_path / "w"
    args = ["serve", "--course", str(course_file), "--workdir", str(work), "--prepare-only", "--no-dashboard"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "2 released now" in first.output
    course = load_course(course_file)
    store = SqlStore.open(Workspace.at(work).store_url)
    Facilitator(store=store, workspace=Workspace.at(work), course=course).open_round(path_id="essay", seed=1)
    before = sorted((a.reviewer, a.author, a.token, a.status) for a in store.assignments("essay"))
    assert before

    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "0 released now" in again.output and "0 submissions made now" in again.output
    assert sorted((a.reviewer, a.author, a.token, a.status) for a in store.assignments("essay")) == before


def test_a_taken_port_is_refused_before_anything_is_built(tmp_path: Path, listening: int) -> None:
    course_file = write_test_course(tmp_path / "src")
    work = tmp_path / "w"
    args = ["serve", "--course", str(course_file), "--workdir", str(work), "--port", str(listening)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert f"port {listening} for the course home is already in use" in result.output
    assert "--port" in result.output
    assert not (work / "course").exists()  # nothing built

    args = [*args[:-1], str(free_port()), "--dashboard-port", str(listening)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "--dashboard-port" in result.output


def test_a_dashboard_that_does_not_start_fails_serve_with_its_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import peerkit.demo.serve as demo_serve

    def fake_voila(course_dir: Path, config_dir: Path) -> list[str]:
        if course_dir.suffix == ".ipynb":  # the dashboard: dies at once, as Voilà does without matplotlib
            return [sys.executable, "-c", "import sys; print('No module named matplotlib'); sys.exit(4)"]
        return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]

    port = free_port()
    monkeypatch.setattr(demo_serve, "voila_command", fake_voila)
    course_file = write_test_course(tmp_path / "src")
    args = ["serve", "--course", str(course_file), "--workdir", str(tmp_path / "w"), "--port", str(port)]
    result = CliRunner().invoke(cli, [*args, "--dashboard-port", str(free_port()), "--no-cohort"])
    assert result.exit_code == 4, result.output
    assert "the facilitator dashboard" in result.output and "exited with code 4" in result.output
    assert "No module named matplotlib" in result.output
    assert "Serving the course home" not in result.output and not answers("127.0.0.1", port)


def test_sigterm_stops_both_voila_servers_and_every_child(tmp_path: Path) -> None:
    course_file = write_test_course(tmp_path / "src")
    port, board = free_port(), free_port()
    command = [sys.executable, "-m", "peerkit", "serve", "--course", str(course_file), "--workdir", str(tmp_path / "w")]
    command += ["--port", str(port), "--dashboard-port", str(board), "--no-cohort", "--no-preheat"]
    env = {**os.environ, "PEERKIT_NO_BOOTSTRAP": "1"}
    serve = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 180
        while not (answers("localhost", port) and answers("localhost", board)):
            assert serve.poll() is None, (
                f"serve stopped with {serve.returncode}: {serve.stdout.read() if serve.stdout else ''}"
            )
            assert time.monotonic() < deadline, "the two servers never answered"
            time.sleep(0.5)
        children = psutil.Process(serve.pid).children(recursive=True)
        assert len(children) >= 2
        serve.send_signal(signal.SIGTERM)
        out, _ = serve.communicate(timeout=60)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert serve.returncode == 0, out
    assert not answers("localhost", port) and not answers("localhost", board)
    alive = [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert alive == []


def test_each_server_requires_a_new_token_of_its_own_printed_in_its_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learner's address never opens the dashboard, a token lives one run, and no other user of the host can
    read it: not on a command line (``ps``), not in a config file; only in the server's environment."""
    import re

    import peerkit.demo.serve as demo_serve
    from peerkit.voila.processes import Server
    from peerkit.voila.serve import TOKEN_ENV

    started: list[Server] = []

    def run_servers(servers: list[Server], **_: object) -> int:
        started.extend(servers)
        return 0

    monkeypatch.setattr(demo_serve, "run_servers", run_servers)
    course_file = write_test_course(tmp_path / "src")
    port, board = free_port(), free_port()
    args = ["serve", "--course", str(course_file), "--workdir", str(tmp_path / "w"), "--port", str(port)]
    args += ["--dashboard-port", str(board), "--no-cohort"]
    tokens = []
    for _run in range(2):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        home = re.search(rf"^Course home: http://localhost:{port}/\?token=([0-9a-f]{{48}})$", result.output, re.M)
        desk = re.search(
            rf"^Facilitator dashboard: http://localhost:{board}/\?token=([0-9a-f]{{48}})$", result.output, re.M
        )
        assert home and desk, result.output
        learner, facilitator = started[-2:]
        assert (learner.env[TOKEN_ENV], facilitator.env[TOKEN_ENV]) == (home.group(1), desk.group(1))
        tokens += [home.group(1), desk.group(1)]
    assert len(set(tokens)) == 4
    written = "".join(path.read_text() for path in (tmp_path / "w").rglob("voila.json"))
    for token in tokens:
        assert all(token not in " ".join(server.command) for server in started) and token not in written
