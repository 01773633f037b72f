"""Browser-test fixtures: Debian's chromium driven by Playwright, and a real `peerkit serve`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import COURSE_FILE
from tests.ports import free_port

#: The token each served origin (``http://localhost:PORT``) requires, from the addresses `peerkit serve` printed.
TOKENS: dict[str, str] = {}
PRINTED = re.compile(r"^(Course home|Facilitator dashboard): (http://\S+)$", re.MULTILINE)


def signed(url: str) -> str:
    """*url* with the token its server requires (what a person gets by opening the printed address first)."""
    parts = urlsplit(url)
    token = TOKENS.get(f"{parts.scheme}://{parts.netloc}")
    if token is None or "token=" in parts.query:
        return url
    return url + ("&" if parts.query else "?") + f"token={token}"


@dataclass
class Served:
    """A running `peerkit serve`: its URL, work folder and log."""

    url: str
    workdir: Path
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)
    #: The addresses `peerkit serve` printed, by what it called them ("Course home", "Facilitator dashboard").
    printed: dict[str, str] = field(default_factory=dict)

    def wait_for_log(self, needle: str, timeout: float = 60, *, since: int = 0) -> None:
        """Wait for a log line holding *needle*, among the lines from number *since* on."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(needle in line for line in self.log[since:]):
                return
            if self.process.poll() is not None:
                raise AssertionError("peerkit serve exited:\n" + "".join(self.log))
            time.sleep(0.1)
        raise AssertionError(f"no {needle!r} in the server log after {timeout}s:\n" + "".join(self.log[-40:]))


def start_serve(workdir: Path, *extra: str, course_file: Path = COURSE_FILE) -> Served:
    port = free_port()
    if not {"--no-dashboard", "--dashboard-port"} & set(extra):
        # serve refuses a busy port; PORT + 1 (the dashboard's default) may be anyone's: pick a free one
        extra = ("--dashboard-port", str(free_port()), *extra)
    env = dict(os.environ, PEERKIT_NO_BOOTSTRAP="1", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "peerkit",
            "serve",
            "--course",
            str(course_file),
            "--workdir",
            str(workdir),
            "--port",
            str(port),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    served = Served(url=f"http://localhost:{port}", workdir=workdir, process=process)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            served.log.append(line)

    threading.Thread(target=pump, daemon=True).start()
    served.wait_for_log("Voilà is running at", timeout=180)
    for what, address in PRINTED.findall("".join(served.log)):
        served.printed[what] = address
        parts = urlsplit(address)
        TOKENS[f"{parts.scheme}://{parts.netloc}"] = parts.query.removeprefix("token=")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(signed(served.url + "/"), timeout=5) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    return served


def stop_serve(served: Served) -> None:
    import signal

    if served.process.poll() is None:
        os.killpg(served.process.pid, signal.SIGTERM)
        try:
            served.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One served demo (the learner's pages, no dashboard) for the modules that only read pages or act on
    paths of their own: starting `peerkit serve` costs a quarter of a minute each time."""
    instance = start_serve(tmp_path_factory.mktemp("serve") / "work", "--no-dashboard")
    yield instance
    stop_serve(instance)
