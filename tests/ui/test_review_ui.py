"""The review app in a real browser: hostile author text renders inert; the rubric is filled,
survives a reload, and the reviews are submitted through nbgrader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.browser import ConsoleLog
from tests.conftest import CourseLayout, _copy_built
from tests.ui.conftest import Served, start_serve, stop_serve
from tests.ui.test_course_ui import close_tab, open_page

pytestmark = pytest.mark.ui

URL = "/voila/render/essay-review/essay-review.ipynb"
HOSTILE = {
    "ana": ('<script>window.__xss = "script"</script>Ana\'s story', "<b>bold?</b> & more"),
    "bo": ("<img src=x onerror=\"window.__xss = 'img'\">Bo's story", "javascript:alert(1)"),
    "cy": ("Cy's plain story", "Cy's lesson"),
}


@pytest.fixture(scope="module")
def review_served(
    tmp_path_factory: pytest.TempPathFactory, _review_course_template: tuple[Path, Path]
) -> Iterator[Served]:
    template, course_file = _review_course_template
    root = tmp_path_factory.mktemp("review-ui")
    course: CourseLayout = _copy_built(template, root, course_file)
    for learner, (story, lesson) in {**HOSTILE, "tester": ("The tester's story", "The tester's lesson")}.items():
        course.enroll(learner)
        session = open_path("essay", folder=course.folder(learner, "essay"), config=course.learner_config(learner))
        session.save("story", "text", story)
        session.save("lesson", "text", lesson)
        session.submit()
    store = SqlStore.open(course.workspace.store_url)
    collect_and_ingest(course.course_config(), store, "essay")
    open_round(store, course.course, "essay", exchange_root=course.workspace.exchange, seed=11)
    store.close()
    served = start_serve(course.workspace.root, course_file=root / course_file.relative_to(template))
    yield served
    stop_serve(served)


def test_hostile_text_is_inert_and_reviews_are_submitted(browser: Any, review_served: Served) -> None:
    console = ConsoleLog()
    dialogs: list[str] = []
    page = open_page(browser, review_served.url + URL, console)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator(".peerkit-packet").first.wait_for(timeout=60_000)
    assert page.locator(".peerkit-packet-picker button").count() == 4  # three peers and one's own

    seen = ""
    for index in range(3):  # look at every packet (the app shows one at a time)
        page.locator(".peerkit-packet-picker button").nth(index).click()
        packet = page.locator(".peerkit-packet:visible")
        page.wait_for_selector(f".peerkit-packet:visible >> text=Submission {index + 1} of 3")
        assert packet.locator("img, script, a").count() == 0
        seen += packet.inner_text()
    assert "<script>" in seen and "<img src=x" in seen  # shown literally, never run
    assert "javascript:alert(1)" in seen and "<b>bold?</b> & more" in seen
    assert page.evaluate("window.__xss === undefined") and dialogs == []

    page.locator(".peerkit-packet-picker button").first.click()
    form = page.locator(".peerkit-review:visible")
    form.locator(".peerkit-level").nth(0).get_by_label("Clearly (2)").check()  # criterion "Clear"
    form.locator(".peerkit-level").nth(1).get_by_label("Clearly (2)").check()  # criterion "Grounded"
    form.locator(".peerkit-prompt-strengths textarea").fill("The second sentence shows exactly who helped and how.")
    form.locator(".peerkit-prompt-suggestion textarea").fill("Add the date of the conversation so readers can follow.")
    page.wait_for_selector("text=/complete \\(\\d+ words of feedback\\)/", timeout=15_000)

    page.reload()
    page.locator(".peerkit-packet").first.wait_for(timeout=60_000)
    form = page.locator(".peerkit-review:visible")
    assert form.locator(".peerkit-prompt-strengths textarea").input_value().startswith("The second sentence")
    assert form.locator(".peerkit-level").nth(0).get_by_label("Clearly (2)").is_checked()
    assert form.locator(".peerkit-level").nth(1).get_by_label("Clearly (2)").is_checked()

    page.click("button.peerkit-submit")
    page.locator(".peerkit-ok", has_text="Submitted").wait_for(timeout=10_000)
    inbound = review_served.workdir / "exchange" / "review-course" / "inbound"
    (folder,) = [p for p in inbound.iterdir() if p.name.startswith("tester+essay-review+")]
    sheet = parse_sheet((folder / FILENAME).read_bytes(), expected_path="essay-review")
    reviews = [a for key, a in sheet.answers.items() if key.startswith("r-")]
    assert len(reviews) == 1 and reviews[0].value["scores"] == {"clear": 2, "grounded": 2}
    close_tab(page)
    assert console.errors == [], "\n".join(console.errors)
