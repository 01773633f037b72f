"""A served demo site for benchmarks: the real course, prepared with peerkit's API, served by Voilà
exactly as `peerkit serve` does, plus an empty notebook on the same server as the baseline."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.demo import Site, prepare_site
from peerkit.voila.serve import (
    ServeOptions,
    jupyter_data_dir,
    voila_command,
    voila_env,
    with_token,
    write_voila_config,
)
from peerkit.voila.trust import trust_notebooks
from tests.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.ports import free_port

REPO = Path(__file__).resolve().parent.parent

EMPTY = "bench-empty.ipynb"
ONE_WIDGET = "bench-one-widget.ipynb"
_KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
#: The baseline: a notebook with nothing but one line of text.
EMPTY_NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "id": "empty", "metadata": {}, "source": ["Empty notebook"]}],
    "metadata": _KERNELSPEC,
    "nbformat": 4,
    "nbformat_minor": 5,
}
#: The floor for any widget page: one bare ipywidgets Textarea and nothing else.
ONE_WIDGET_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "id": "one",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": ["import ipywidgets\n", "ipywidgets.Textarea()"],
        }
    ],
    "metadata": _KERNELSPEC,
    "nbformat": 4,
    "nbformat_minor": 5,
}


@dataclass
class Served:
    site: Site
    url: str
    process: subprocess.Popen[str]
    #: The server's token, as `peerkit serve` requires one: every address below carries it, so that each
    #: measurement (a fresh browser context, no cookie) opens the page as a person with the printed address does.
    token: str = ""
    log: list[str] = field(default_factory=list)

    def signed(self, address: str) -> str:
        return f"{address}?token={self.token}" if self.token else address

    def path_url(self, path_id: str) -> str:
        return self.signed(f"{self.url}/voila/render/{path_id}/{path_id}.ipynb")

    @property
    def empty_url(self) -> str:
        return self.signed(f"{self.url}/voila/render/{EMPTY}")

    @property
    def one_widget_url(self) -> str:
        return self.signed(f"{self.url}/voila/render/{ONE_WIDGET}")


@contextmanager
def served_site(*, preheat: bool = True) -> Iterator[Served]:
    with tempfile.TemporaryDirectory(prefix="peerkit-bench-") as tmp:
        course = load_course(REPO / "course" / "course.yml")
        site = prepare_site(
            course, Workspace.at(Path(tmp) / "work"), committed_config=REPO / "course" / "nbgrader_config.py"
        )
        (site.course_dir / EMPTY).write_text(json.dumps(EMPTY_NOTEBOOK))
        (site.course_dir / ONE_WIDGET).write_text(json.dumps(ONE_WIDGET_NOTEBOOK))
        port = free_port()
        options = ServeOptions(port=port, preheat=preheat)
        write_voila_config(site.workspace.voila_dir, [*site.notebooks(), EMPTY, ONE_WIDGET], options)
        trust_notebooks(site.course_dir, data_dir=jupyter_data_dir(site.learner_home))
        token = secrets.token_hex(24)
        process = subprocess.Popen(
            voila_command(site.course_dir, site.workspace.voila_dir),
            cwd=site.workspace.voila_dir,
            env=with_token(voila_env(site.learner_home), token),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        served = Served(site=site, url=f"http://localhost:{port}", process=process, token=token)

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                served.log.append(line)

        threading.Thread(target=pump, daemon=True).start()
        try:
            wait_ready(served, pools=len(site.notebooks()) + 2 if preheat else 0)
            yield served
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def wait_ready(served: Served, *, pools: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        filled = sum("is filled with" in line for line in served.log)
        try:
            with urllib.request.urlopen(served.signed(served.url + "/"), timeout=2) as response:  # noqa: S310
                if response.status == 200 and filled >= pools:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("Voilà did not get ready:\n" + "".join(served.log[-30:]))


def launch_browser(playwright: Any) -> Any:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"benchmarks need Debian's chromium at {CHROMIUM} (python3 -m peerkit test installs it)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


VISIBLE_PROBE = """
(() => {
  const selectors = %s;
  window.__peerkitVisibleAt = {};
  const visible = (selector) => {
    for (const el of document.querySelectorAll(selector)) {
      if (el.offsetParent !== null && el.getClientRects().length > 0) return true;
    }
    return false;
  };
  const check = () => {
    for (const [name, selector] of Object.entries(selectors)) {
      if (!(name in window.__peerkitVisibleAt) && visible(selector)) {
        window.__peerkitVisibleAt[name] = performance.now();
      }
    }
    if (Object.keys(window.__peerkitVisibleAt).length < Object.keys(selectors).length) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""


def times_to_visible(playwright: Any, url: str, selectors: dict[str, str]) -> dict[str, float]:
    """Seconds from navigation start until each of *selectors* (name → CSS selector) is first
    visible, measured in the page itself, in one page load.

    An init script checks on every animation frame; Playwright's own waiting polls with a back-off
    of up to 500 ms, too coarse to measure sub-second differences.
    """
    browser = launch_browser(playwright)
    try:
        page = browser.new_page()
        page.add_init_script(VISIBLE_PROBE % json.dumps(selectors))
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            f"Object.keys(window.__peerkitVisibleAt || {{}}).length === {len(selectors)}", timeout=60_000
        )
        elapsed_ms: dict[str, float] = page.evaluate("window.__peerkitVisibleAt")
        page.goto("about:blank")  # lets Voilà's unload beacon shut the kernel down
        return {name: elapsed_ms[name] / 1000 for name in selectors}
    finally:
        browser.close()


def time_to_visible(playwright: Any, url: str, selector: str) -> float:
    """Seconds from navigation start until *selector* is visible (see :func:`times_to_visible`)."""
    return times_to_visible(playwright, url, {"visible": selector})["visible"]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
