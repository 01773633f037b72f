"""The facilitator dashboard and the learner's progress and gallery pages in a real browser, against a
real `peerkit serve` with the demo cohort: everything renders with no console error; notes drafted
and released, and an example approved, in the dashboard reach the learner's pages; axe-core finds
no violation of any impact on any of the dashboard's tabs."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.axe import axe_violations
from tests.browser import WIDGETS_TIMEOUT_MS, ConsoleLog
from tests.ports import free_port
from tests.ui.conftest import Served, signed, start_serve, stop_serve
from tests.ui.test_course_ui import close_tab, open_page

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    port = free_port()
    served = start_serve(tmp_path_factory.mktemp("dashboard-ui") / "work", "--dashboard-port", str(port))
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(signed(url + "/"), timeout=5) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    break
        except OSError:
            assert time.monotonic() < deadline, "the dashboard server did not answer:\n" + "".join(served.log[-30:])
            time.sleep(0.3)
    yield served, url
    stop_serve(served)


def images_loaded(page: Any) -> bool:
    """Every plot on screen is drawn: an inline SVG with a size, an accessible name and its summary."""
    return bool(
        page.evaluate(
            """[...document.querySelectorAll('svg.peerkit-plot')].filter(s => s.getClientRects().length)
               .every(s => s.getBBox().width > 0 && s.getAttribute('role') === 'img' && s.getAttribute('aria-label')
                           && s.closest('figure').querySelector('figcaption').textContent.length > 10)"""
        )
    )


def test_dashboard_renders_and_releases_to_learners(browser: Any, board: tuple[Served, str]) -> None:
    served, url = board
    console = ConsoleLog()
    page = open_page(browser, url + "/", console, width=1280)
    page.locator(".peerkit-dashboard").wait_for(timeout=WIDGETS_TIMEOUT_MS)
    assert "Facilitator dashboard" in page.inner_text("body")
    assert "activity:" in page.locator(".peerkit-status").first.inner_text()
    page.locator(".peerkit-dash-progress svg.peerkit-plot").first.wait_for(timeout=30_000)
    assert images_loaded(page)
    for tab in ("Participation", "Review health", "Grades", "Gallery", "Exports", "Summary notes"):
        page.get_by_role("tab", name=tab).click()
    page.locator(".peerkit-dashboard select").first.select_option(label="Running peer learning groups")
    page.locator(".peerkit-notes-editor button", has_text="Draft from reflections").click()
    page.wait_for_function(
        "document.querySelector('.peerkit-notes-text textarea').value.startsWith('## Summary notes')", timeout=60_000
    )
    page.locator(".peerkit-notes-editor button", has_text="Release to learners").click()
    page.locator(".peerkit-ok", has_text="released").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Gallery").click()
    page.locator(".peerkit-gallery-curator button", has_text="Approve").click()
    page.locator(".peerkit-ok", has_text="gallery published").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Participation").click()
    assert images_loaded(page)
    close_tab(page)
    assert console.errors == [], "\n".join(console.errors)

    learner = ConsoleLog()
    mine = open_page(browser, served.url + "/voila/render/progress.ipynb", learner)
    mine.locator(".peerkit-progress-page").wait_for(timeout=60_000)
    mine.locator(".peerkit-notes").first.wait_for(timeout=30_000)
    text = mine.inner_text("body")
    assert "Summary notes: Running peer learning groups" in text and "Browse the gallery (1 example)" in text
    for name in ("amara", "tomas", "ines", "priya", "jonah"):
        assert name not in text.lower().split("summary notes")[-1]
    mine.click("a.peerkit-gallery-link")
    mine.locator(".peerkit-example").first.wait_for(timeout=60_000)
    assert mine.locator(".peerkit-example").count() == 1 and "1 of 1 examples" in mine.inner_text("body")
    close_tab(mine)
    assert learner.errors == [], "\n".join(learner.errors)


SECTIONS = ("Progress", "Participation", "Review health", "Grades", "Summary notes", "Gallery", "Exports")


def test_every_dashboard_tab_passes_axe(browser: Any, board: tuple[Served, str]) -> None:
    """axe-core (WCAG 2.0-2.2 A and AA, and its best practices) over the whole page with each tab shown,
    for every path and for one: no violation of any impact."""
    _served, url = board
    console = ConsoleLog()
    page = open_page(browser, url + "/", console, width=1280)
    page.locator(".peerkit-dash-progress svg.peerkit-plot").first.wait_for(timeout=180_000)
    page.locator("#loading").wait_for(state="detached", timeout=30_000)
    found: dict[str, list[str]] = {}
    for path in ("All paths", "Running peer learning groups"):
        page.locator(".peerkit-dashboard select").first.select_option(label=path)
        for tab in SECTIONS:
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(300)  # the tab's content is drawn on first show
            css = f".peerkit-dash-{tab.lower().replace(' ', '-')}"
            if tab in SECTIONS[:4]:
                page.locator(css).first.wait_for(timeout=60_000)
            if violations := axe_violations(page):
                found[f"{path} / {tab}"] = violations
    close_tab(page)
    assert found == {}, "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in found.items())
    assert console.errors == [], "\n".join(console.errors)


def test_the_dashboard_opens_from_the_printed_address_only(browser: Any, board: tuple[Served, str]) -> None:
    """What the facilitator does: open the address `peerkit serve` printed (it carries the run's token). The
    browser stays signed in for the dashboard's own requests and websockets, and on the bare address
    afterwards; a browser without it (another user of the host, another site) gets only the sign-in page."""
    served, url = board
    printed = served.printed["Facilitator dashboard"]
    assert printed.startswith(f"{url}/?token=") and len(printed) > len(url) + 40
    console = ConsoleLog()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console.attach(page)
    page.goto(printed)
    page.locator(".peerkit-dash-progress svg.peerkit-plot").first.wait_for(timeout=180_000)  # its kernel answered
    page.goto(url + "/")  # the bare address, later in the same browser
    page.locator(".peerkit-dash-progress svg.peerkit-plot").first.wait_for(timeout=180_000)
    since = len(served.log)
    close_tab(page)  # the unload beacon, with XSRF checks on, shuts the page's kernel down
    served.wait_for_log("Kernel shutdown", timeout=30, since=since)
    assert not any("403 POST" in line for line in served.log[since:]), "".join(served.log[since:])
    assert console.errors == [], "\n".join(console.errors)

    stranger = browser.new_page()
    response = stranger.goto(url + "/")
    assert response is not None and response.status == 401
    assert "peerkit serve" in stranger.inner_text("body") and stranger.locator(".peerkit-dashboard").count() == 0
    learner = served.printed["Course home"]
    stranger.goto(url + "/?token=" + learner.rsplit("token=", 1)[1])  # the learner's address does not open it
    assert stranger.locator(".peerkit-dashboard").count() == 0 and "peerkit serve" in stranger.inner_text("body")
    stranger.close()
