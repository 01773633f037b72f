"""A learner's journey in a real browser: ratings of the feedback they received reach the
facilitator's export without a second Submit, and home → path → Submit → the next-step link →
the review page, through the pages' own links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerkit.config.settings import PeerkitConfig
from peerkit.facilitator.api import Facilitator
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.collect import collect_reviews
from peerkit.review.feedback import close_round
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.browser import ConsoleLog
from tests.conftest import CourseLayout, _copy_built
from tests.review.test_feedback_flow import review_all
from tests.ui.conftest import Served, start_serve, stop_serve
from tests.ui.test_course_ui import close_tab, open_page

pytestmark = pytest.mark.ui

REVIEW_URL = "/voila/render/essay-review/essay-review.ipynb"
LEARNERS = ("ana", "bo", "cy", "tester")


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory, _review_course_template: tuple[Path, Path]) -> Iterator[Served]:
    """A round closed with feedback released to the served learner ("tester"), who has not rated yet."""
    template, course_file = _review_course_template
    root = tmp_path_factory.mktemp("journey-ui")
    course: CourseLayout = _copy_built(template, root, course_file)
    for learner in LEARNERS:
        course.enroll(learner)
        session = open_path("essay", folder=course.folder(learner, "essay"), config=course.learner_config(learner))
        session.save("story", "text", f"{learner} learned from a colleague at the front desk.")
        session.save("lesson", "text", "Ask early; share what you find.")
        session.submit()
    store = SqlStore.open(course.workspace.store_url)
    collect_and_ingest(course.course_config(), store, "essay")
    open_round(store, course.course, "essay", exchange_root=course.workspace.exchange, seed=5)
    for learner in LEARNERS:
        review_all(course, learner)
    collect_reviews(course.course_config(), store, course.course, "essay")
    close_round(store, course.course, course.build, "essay")
    store.close()
    served = start_serve(course.workspace.root, course_file=root / course_file.relative_to(template))
    served.course_file = root / course_file.relative_to(template)  # type: ignore[attr-defined]
    yield served
    stop_serve(served)


def test_ratings_reach_the_facilitators_export_without_a_second_submit(browser: Any, journey: Served) -> None:
    console = ConsoleLog()
    page = open_page(browser, journey.url + REVIEW_URL, console)
    page.locator(".peerkit-packet-picker button", has_text="Your feedback").click(timeout=60_000)
    forms = page.locator(".peerkit-rating:visible")
    forms.first.wait_for(timeout=10_000)
    shown = page.locator(".peerkit-feedback:visible").inner_text()
    assert " points" in shown and "rubric points" not in shown and "course points" not in shown  # one scale
    count = forms.count()
    assert count >= 1
    for index in range(count):
        forms.nth(index).get_by_label("5 · very helpful").check()
    sent = page.locator(".peerkit-ratings-sent", has_text="Sent to your facilitator")
    sent.wait_for(timeout=30_000)
    assert sent.locator("time.peerkit-time").get_attribute("data-local") == "1"  # in the reader's zone
    close_tab(page)  # nothing pressed: no "Submit my reviews"

    config = PeerkitConfig.load(env={}, course_file=journey.course_file, workdir=journey.workdir)  # type: ignore[attr-defined]
    desk = Facilitator.open(config)
    try:
        # The demo's steward may have taken the ratings in already (its look runs every 2 s): the export
        # is what must hold them, whoever collected them.
        desk.collect_reviews(path_id="essay")
        export = json.loads(desk.export(kind="round", path_ids=["essay"], names=True).text)
    finally:
        desk.close()
    mine = [r for r in export["ratings"] if "tester" in json.dumps(r)]
    assert len(mine) == count and all(r["helpful"] == 5 for r in mine), export["ratings"]
    assert console.errors == [], "\n".join(console.errors)


def test_home_to_path_to_submit_to_the_next_step_to_the_review_page(browser: Any, journey: Served) -> None:
    console = ConsoleLog()
    page = open_page(browser, journey.url + "/", console, width=1280)
    card = page.locator('.peerkit-path-card[data-path="essay"]')
    card.wait_for(timeout=60_000)
    box = card.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280  # not clipped at 1280 px
    assert page.locator(".peerkit-continue a").count() == 1  # continue where you left off
    card.locator("h2 a").click()
    page.locator("button.peerkit-submit").wait_for(timeout=60_000)
    assert page.locator(".peerkit-frame-nav a.peerkit-nav-home").get_attribute("href") == "../home.ipynb"
    page.click("button.peerkit-submit")
    step = page.locator(".peerkit-next-step a")
    step.wait_for(timeout=15_000)
    assert "review" in page.locator(".peerkit-next-step").inner_text().lower()
    step.click()
    page.locator(".peerkit-review-app").wait_for(timeout=60_000)
    assert page.url.endswith(REVIEW_URL)
    close_tab(page)
    assert console.errors == [], "\n".join(console.errors)
