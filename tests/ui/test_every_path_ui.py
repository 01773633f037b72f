"""A learner walks the whole course in a real browser: every path opens with no console error,
every activity is answered through the page, one path is reloaded and found intact, every path is
submitted; the peer-reviewed ones then bring the review app (demo cohort and autopilot) with it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from peerkit.config.course import load_course
from peerkit.core.answers import FILENAME, is_answered, parse_sheet
from tests.browser import WIDGETS_TIMEOUT_MS, ConsoleLog
from tests.conftest import COURSE_FILE
from tests.ui.conftest import Served, start_serve, stop_serve
from tests.ui.test_course_ui import close_tab, open_page, wait_until

pytestmark = pytest.mark.ui

COURSE = load_course(COURSE_FILE)
WORDS = "Our team swapped short notes after each session and the quieter colleagues wrote the most useful ones"


@pytest.fixture(scope="module")
def course_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = start_serve(tmp_path_factory.mktemp("every-path") / "work")
    yield served
    stop_serve(served)


def fill_everything(page: Any) -> int:
    """Answer every activity on the page the way a learner would; return how many there are."""
    count = 0
    for widget in page.locator(".peerkit-answer-widget.peerkit-text").all():
        widget.locator("textarea").fill(f"{WORDS}. " * 3)
        count += 1
    for widget in page.locator(".peerkit-answer-widget.peerkit-scale").all():
        widget.locator("input[type=radio]").nth(2).check()
        count += 1
    for widget in page.locator(".peerkit-answer-widget.peerkit-checklist").all():
        boxes = widget.locator("input[type=checkbox]")
        boxes.nth(0).check()
        boxes.nth(boxes.count() - 1).check()
        count += 1
    for widget in page.locator(".peerkit-answer-widget.peerkit-profile").all():
        for field in widget.locator("input[type=text]").all():
            field.fill("coaching, video calls")
        widget.locator("textarea").fill("A small branch with three staff.")
        count += 1
    for widget in page.locator(".peerkit-answer-widget.peerkit-plan").all():
        widget.locator("textarea").first.fill("Invite two colleagues to a thirty-minute swap of tips.")
        widget.locator("input[type=date]").fill("2027-01-15")
        widget.locator("select").select_option(index=1)
        widget.locator("textarea").last.fill("My manager, who already asked for this.")
        count += 1
    for widget in page.locator(
        ".peerkit-answer-widget:is(.peerkit-project, .peerkit-project_summary, .peerkit-peers)"
    ).all():
        widget.locator("textarea").first.fill(f"{WORDS}. " * 4)
        count += 1
    for widget in page.locator(
        ".peerkit-answer-widget.peerkit-check"
    ).all():  # saved only when checked, like a learner's
        radios = widget.locator("input[type=radio]")
        if radios.count():
            radios.first.check()
        for menu in widget.locator("select").all():
            if menu.get_attribute("size") is None:  # a term's drop-down (not the steps' list box)
                menu.select_option(index=1)
        widget.locator("button.peerkit-check-button").click()
        widget.locator(".peerkit-check-feedback", has_text="Why:").wait_for(timeout=15_000)
        count += 1
    for widget in page.locator(".peerkit-answer-widget.peerkit-example").all():
        widget.locator("input[type=text]").first.fill("Translating guides together")
        widget.locator("textarea").fill(f"{WORDS}. " * 2)
        widget.locator("input[type=text]").last.fill("libraries, translation")
        count += 1
    return count


def answers(served: Served, path_id: str) -> dict[str, Any]:
    folder = served.workdir / "learners" / "you" / COURSE.id / path_id
    try:
        sheet = parse_sheet((folder / FILENAME).read_bytes(), expected_path=path_id)
    except (OSError, ValueError):
        return {}
    return {key: a for key, a in sheet.answers.items() if is_answered(a)}


def test_a_learner_walks_every_path(browser: Any, course_served: Served) -> None:
    console = ConsoleLog()
    for number, path in enumerate(COURSE.paths):
        page = open_page(browser, f"{course_served.url}/voila/render/{path.id}/{path.notebook_name}", console)
        page.locator(".peerkit-submit-panel").wait_for(timeout=WIDGETS_TIMEOUT_MS)
        body = page.inner_text("body")
        assert "PathPage" not in body and "Traceback" not in body
        assert path.title in body
        activities = fill_everything(page)
        assert activities >= 3, path.id
        wait_until(lambda p=path, n=activities: len(answers(course_served, p.id)) == n, timeout=20)
        page.wait_for_selector(f"text={activities} of {activities} activities done", timeout=15_000)
        if number == 1:  # one path is reloaded: everything is still there
            page.reload()
            page.locator(".peerkit-submit-panel").wait_for(timeout=WIDGETS_TIMEOUT_MS)
            page.wait_for_selector(f"text={activities} of {activities} activities done", timeout=15_000)
            assert page.locator(".peerkit-text textarea").first.input_value().startswith(WORDS)
        page.click("button.peerkit-submit")
        page.locator(".peerkit-ok", has_text="Submitted").wait_for(timeout=15_000)
        close_tab(page)
    inbound = course_served.workdir / "exchange" / COURSE.id / "inbound"
    submitted = {p.name.split("+")[1] for p in inbound.iterdir() if p.name.startswith("you+")}
    assert submitted == {p.id for p in COURSE.paths}
    assert console.errors == [], "\n".join(console.errors)


def test_the_home_and_the_review_apps_render_after_submitting(browser: Any, course_served: Served) -> None:
    console = ConsoleLog()
    home = open_page(browser, course_served.url + "/", console)
    home.locator(".peerkit-path-card").first.wait_for(timeout=60_000)
    count = len(COURSE.paths)
    assert f"{count} of {count} paths submitted" in home.inner_text("body")
    assert home.locator(".peerkit-path-card.peerkit-review-card").count() == len(COURSE.reviewed_paths())
    close_tab(home)
    for path in COURSE.reviewed_paths():  # the autopilot opened these rounds when the paths were submitted
        wait_until(lambda p=path: any(course_served.workdir.rglob(f"round-{p.id}.json")), timeout=60)
        page = open_page(browser, f"{course_served.url}/voila/render/{path.review_id}/{path.review_id}.ipynb", console)
        page.locator(".peerkit-packet-picker").first.wait_for(
            timeout=WIDGETS_TIMEOUT_MS
        )  # the page opens on the practice
        assert page.locator(".peerkit-packet-picker button").count() >= 4  # practice, peers and one's own
        close_tab(page)
    assert console.errors == [], "\n".join(console.errors)
