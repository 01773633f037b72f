"""Browser-test fixtures: Debian's chromium driven by Playwright, and a real `peerkit serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.conftest import COURSE_FILE, free_port, require

#: Console warnings that come from Voilà's own front end (it ships JupyterLab 4.2 core packages
#: while the widget manager was built against 4.6); they are warnings, not errors.
KNOWN_WARNINGS = ("Unsatisfied version", "No satisfying version")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(os.path.exists(CHROMIUM), f"Debian's chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@dataclass
class Served:
    """A running `peerkit serve`: its URL, work folder and log."""

    url: str
    workdir: Path
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def wait_for_log(self, needle: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(needle in line for line in self.log):
                return
            if self.process.poll() is not None:
                raise AssertionError("peerkit serve exited:\n" + "".join(self.log))
            time.sleep(0.1)
        raise AssertionError(f"no {needle!r} in the server log after {timeout}s:\n" + "".join(self.log[-40:]))


def start_serve(workdir: Path, *extra: str, course_file: Path = COURSE_FILE) -> Served:
    port = free_port()
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(served.url + "/", timeout=5) as response:  # noqa: S310 - localhost
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


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    instance = start_serve(tmp_path_factory.mktemp("serve") / "work")
    yield instance
    stop_serve(instance)


@dataclass
class ConsoleLog:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error":
                where = message.location.get("url", "") if isinstance(message.location, dict) else ""
                self.errors.append(f"{message.text} ({where})" if where else message.text)
            elif message.type == "warning" and not message.text.startswith(KNOWN_WARNINGS):
                self.warnings.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _request_failed(self, request: Any) -> None:
        # Voilà's unload handler shuts the kernel down with navigator.sendBeacon; the browser
        # reports the beacon as aborted because the page is gone (the server does receive it,
        # which the tests check in the server log).
        if "/voila/api/shutdown/" in request.url and "ERR_ABORTED" in str(request.failure):
            return
        self.errors.append(f"request failed: {request.url} {request.failure}")
