"""Learner pages keep a clean console, and show each activity's label before the widgets connect.

A page fails when it logs any error or more than :data:`MAX_WARNINGS` warnings: Voilà's known
module-federation warnings are dropped by the peerkit template, the notebooks are signed, and only
the widget extensions are loaded, so a warning left is news.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from peerkit.apps import APP_NOTEBOOKS
from peerkit.config.course import load_course
from tests.browser import ConsoleLog
from tests.conftest import COURSE_FILE
from tests.ui.conftest import Served
from tests.ui.test_course_ui import close_tab

pytestmark = pytest.mark.ui

MAX_WARNINGS = 3
COURSE = load_course(COURSE_FILE)
PAGES = [f"/voila/render/{name}" for name in APP_NOTEBOOKS] + [
    f"/voila/render/{p.id}/{p.id}.ipynb" for p in COURSE.paths
]


def visit(browser: Any, url: str) -> ConsoleLog:
    console = ConsoleLog()
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    console.attach(page)
    page.goto(url)
    page.wait_for_selector(".jupyter-widgets", timeout=60_000)
    page.wait_for_timeout(1500)  # late messages: widget views, the kernel's status
    close_tab(page)
    return console


def test_every_learner_page_keeps_a_clean_console(browser: Any, served: Served) -> None:
    noisy: dict[str, ConsoleLog] = {}
    for path in PAGES:
        console = visit(browser, served.url + path)
        if console.errors or len(console.warnings) > MAX_WARNINGS:
            noisy[path] = console
    assert not noisy, "\n".join(f"{p}: errors {c.errors}, warnings {c.warnings}" for p, c in noisy.items())
    log = "".join(served.log)
    assert "is not trusted" not in log  # the served notebooks are signed for the serving user
    assert "susceptible to eavesdropping" not in log  # kernels get CurveZMQ keys


def test_activities_are_in_the_first_paint_and_shown_once(browser: Any, served: Served) -> None:
    path = "what-is-peer-learning"
    url = f"{served.url}/voila/render/{path}/{path}.ipynb"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - localhost
        first = response.read().decode()
    assert first.count('<div class="peerkit-placeholder">') >= 3  # HTML in the page, not JSON for a script
    assert "Your moment: what happened, and what made it work?</p>" in first

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(url)
    page.locator("textarea").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "document.querySelectorAll('.peerkit-answer-widget').length >= 3"
        " && [...document.querySelectorAll('.peerkit-placeholder')].every(e => e.offsetParent === null)",
        timeout=10_000,
    )  # once the widgets render, their placeholders are gone for eyes and screen readers alike
    label = "Your moment: what happened, and what made it work?"
    shown = page.evaluate(
        "label => [...document.querySelectorAll('label, p')]"
        ".filter(e => e.textContent.trim() === label && e.offsetParent !== null).length",
        label,
    )
    assert shown == 1
    close_tab(page)
