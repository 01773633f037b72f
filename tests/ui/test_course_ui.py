"""A learner in a real browser against a real `peerkit serve`: home → path → write → reload →
close and reopen → submit → the submission is in nbgrader's exchange."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peerkit.core.answers import FILENAME, parse_sheet
from tests.browser import NAVIGATION_TIMEOUT_MS, ConsoleLog
from tests.ui.conftest import Served, signed

pytestmark = pytest.mark.ui

PATH = "what-is-peer-learning"
PATH_URL = f"/voila/render/{PATH}/{PATH}.ipynb"


def open_page(browser: Any, url: str, console: ConsoleLog, width: int = 1100) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    console.attach(page)
    page.goto(signed(url))
    return page


def saved_value(answers: Path, answer_id: str) -> object:
    try:
        answer = parse_sheet(answers.read_bytes()).get(answer_id)
    except (OSError, ValueError):
        return None
    return None if answer is None else answer.value


def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def close_tab(page: Any) -> None:
    """Leave the page the way a closing tab does (beforeunload shuts the kernel down), then close."""
    page.goto("about:blank")
    page.close()


def test_learner_writes_reloads_reopens_and_submits(browser: Any, served: Served) -> None:
    console = ConsoleLog()
    page = open_page(browser, served.url + "/", console)
    page.wait_for_selector(".peerkit-path-card", timeout=60_000)
    assert page.url.endswith("/voila/render/home.ipynb")
    assert "What is peer learning?" in page.inner_text("body")
    page.click(f'.peerkit-path-card[data-path="{PATH}"] a')
    box = page.locator("textarea").first
    box.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "PathPage" not in body and "import" not in body  # no code visible
    assert page.locator("label", has_text="Your moment").count() == 1  # every box has a visible label

    typed = "My colleague showed me how to <b>search</b> the catalogue."
    box.press_sequentially(typed, delay=5)
    answers = served.workdir / "learners" / "you" / "peer-learning" / PATH / FILENAME
    wait_until(lambda: saved_value(answers, "peer-moment") == typed)  # every keystroke is on disk
    page.wait_for_selector("text=/^9 words .* saved at/", timeout=10_000)

    page.reload()
    page.locator("textarea").first.wait_for(timeout=60_000)
    page.wait_for_function("document.querySelector('textarea').value.includes('catalogue')", timeout=10_000)

    shown_until = len(served.log)
    close_tab(page)
    served.wait_for_log("Kernel shutdown", since=shown_until)  # the closed tab's beacon shut its kernel down
    page = open_page(browser, served.url + PATH_URL, console)
    page.locator("textarea").first.wait_for(timeout=60_000)
    page.wait_for_function("document.querySelector('textarea').value.includes('catalogue')", timeout=10_000)
    assert page.locator("textarea").first.input_value() == "My colleague showed me how to <b>search</b> the catalogue."

    page.click("button.peerkit-submit")
    page.locator(".peerkit-warn", has_text="answers complete — submit anyway?").wait_for(timeout=10_000)
    page.click("button.peerkit-submit")  # "Submit anyway": the path's other answers are still blank
    confirmation = page.locator(".peerkit-warn", has_text="Submitted")
    confirmation.wait_for(timeout=10_000)
    # Shown in the browser's own time zone, named; the UTC text the page was sent stays as its title.
    moment = confirmation.locator("time.peerkit-time")
    assert re.search(r"\d+ \w+ \d{4}, \d\d:\d\d:\d\d UTC", moment.get_attribute("title") or "")
    assert re.search(r"\d\d:\d\d", moment.inner_text()) and moment.get_attribute("data-local") == "1"

    inbound = served.workdir / "exchange" / "peer-learning" / "inbound"
    (submission,) = [p for p in inbound.iterdir() if p.name.startswith(f"you+{PATH}+")]
    sheet = parse_sheet((submission / FILENAME).read_bytes(), expected_path=PATH)
    assert sheet.get("peer-moment").value.endswith("the catalogue.")  # type: ignore[union-attr]
    close_tab(page)
    assert console.errors == [], "\n".join(console.errors)


def test_file_trees_lead_to_the_course_home(browser: Any, served: Served) -> None:
    console = ConsoleLog()
    for tree in ("/voila/tree", "/voila/tree?classic-tree=true", f"/voila/tree/{PATH}"):
        page = open_page(browser, served.url + tree, console)
        page.wait_for_selector(".peerkit-path-card", timeout=60_000)
        assert page.url.endswith("/voila/render/home.ipynb")
        close_tab(page)
    assert console.errors == [], "\n".join(console.errors)


def test_home_fits_a_phone_screen(browser: Any, served: Served) -> None:
    console = ConsoleLog()
    page = open_page(browser, served.url + "/voila/render/home.ipynb", console, width=390)
    page.wait_for_selector(".peerkit-path-card", timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    close_tab(page)
    assert console.errors == [], "\n".join(console.errors)
