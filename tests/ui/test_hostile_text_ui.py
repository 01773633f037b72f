"""Hostile text in a real browser: the suite's own payloads (tests/payloads.py) planted in every
answer kind, review comment, example, note and profile, then every view that shows one person's
text to another opened in the real Voilà server and Chromium.

Four learners (ana, bo, cy and the demo learner "tester") answer two peer-reviewed paths that hold
one activity of every kind, every text field full of payloads. Path "kinds" is reviewed (each review's
comments are payloads too), graded and closed, its examples approved into the gallery and its summary
notes (payloads again) released; path "again" stays open, so its packets wait to be reviewed. Then the
demo learner's review apps (packets, feedback), progress page (notes) and gallery, and the
facilitator's dashboard, are opened: no payload runs (``window.__pwned`` never set, no dialog, no
console error, no live link or handler made from learner text) and every payload shows as text.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
import pytest

from peerkit.core.review import NewReview
from peerkit.core.rubric import ReviewContent
from peerkit.facilitator.api import Facilitator
from peerkit.nbgrader.build import write_course_root_config
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.browser import WIDGETS_TIMEOUT_MS, ConsoleLog
from tests.conftest import COMMITTED_CONFIG, TEST_RUBRIC, CourseLayout, _built, every_kind_notebook
from tests.payloads import MARKERS, PAYLOADS, SENTINEL, short_payload
from tests.ports import free_port
from tests.ui.conftest import Served, signed, start_serve, stop_serve
from tests.ui.test_course_ui import close_tab, open_page

pytestmark = pytest.mark.ui

PATHS = ("kinds", "again")
LEARNERS = ("ana", "bo", "cy", "tester")
ALL = "\n\n".join(text for _, text in PAYLOADS)  # every payload, one paragraph each


def answers() -> dict[str, tuple[str, Any]]:
    """One answer of every kind, each text field holding payloads (short fields one each)."""
    return {
        "story": ("text", ALL),
        "often": ("scale", 3),
        "when": ("checklist", {"selected": [short_payload(0), short_payload(1)], "other": short_payload(2)}),
        "me": (
            "profile",
            {"know": [short_payload(i) for i in range(6)], "bring": [short_payload(7)], "want": [], "notes": ALL},
        ),
        "next": ("plan", {"step": ALL, "date": "2027-01-15", "checkin": short_payload(4), "support": ALL}),
        "share": ("example", {"title": short_payload(1), "story": ALL, "tags": [short_payload(3), short_payload(8)]}),
    }


def write_hostile_course(root: Path) -> Path:
    (root / "notebooks").mkdir(parents=True)
    (root / "course").mkdir()
    entries = []
    for path_id in PATHS:
        nbformat.write(every_kind_notebook(path_id), str(root / "notebooks" / f"{path_id}.ipynb"))
        entries.append(
            f"  - {{id: {path_id}, title: Path {path_id}, notebook: ../notebooks/{path_id}.ipynb, points: 6,"
            " peer_review: true, review: {per_submission: 3}}\n"
        )
    (root / "course" / "course.yml").write_text(
        "id: hostile-course\ntitle: Hostile text\ndemo: {learner: tester}\npaths:\n" + "".join(entries)
    )
    (root / "course" / "rubrics.yml").write_text(TEST_RUBRIC)
    (root / "course" / "nbgrader_config.py").write_text(COMMITTED_CONFIG.read_text())
    return root / "course" / "course.yml"


def plant(root: Path) -> CourseLayout:
    """Build the course, let every learner answer and submit, run both rounds; return the layout."""
    course = _built(write_hostile_course(root / "src"), root)
    write_course_root_config(course.build)
    for learner in LEARNERS:
        course.enroll(learner)
        for path_id in PATHS:
            session = open_path(path_id, folder=course.folder(learner, path_id), config=course.learner_config(learner))
            for answer_id, (kind, value) in answers().items():
                status = session.save(answer_id, kind, value)
                assert status.ok, (answer_id, status.message)
            session.submit()
    store = SqlStore.open(course.workspace.store_url)
    desk = Facilitator(store=store, workspace=course.workspace, course=course.course, build=course.build)
    for path_id in PATHS:
        desk.open_round(path_id=path_id, seed=5)
    comments = {"strengths": ALL, "suggestion": ALL, "question": short_payload(5)}
    store.record_reviews(
        "kinds",
        [
            NewReview(a.reviewer, a.token, ReviewContent({"clear": 1, "grounded": 2}, comments), datetime.now(UTC))
            for a in store.assignments("kinds")
        ],
    )
    desk.close_round(path_id="kinds", collect=False)
    for item in desk.gallery():
        desk.decide_example(item=item.id, status="approved", by="facilitator")
    desk.draft_notes(path_id="kinds")
    desk.edit_notes(path_id="kinds", text="## Summary notes\n\n" + ALL, by="facilitator")
    desk.release_notes(path_id="kinds", by="facilitator")
    desk.close()
    return course


@pytest.fixture(scope="module")
def hostile_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    root = tmp_path_factory.mktemp("hostile-ui")
    course = plant(root)
    port = free_port()
    served = start_serve(
        course.workspace.root, "--dashboard-port", str(port), course_file=root / "src" / "course" / "course.yml"
    )
    dashboard = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(signed(dashboard + "/"), timeout=5) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    break
        except OSError:
            assert time.monotonic() < deadline, "the dashboard did not answer:\n" + "".join(served.log[-30:])
            time.sleep(0.3)
    yield served, dashboard
    stop_serve(served)


#: Elements or attributes that learner text must never become: a handler, a live link, a frame.
LIVE_MARKUP = """() => {
  const found = [];
  for (const el of document.querySelectorAll('.jp-OutputArea *, .widget-html *, .widget-label *')) {
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith('on')) found.push(`${el.tagName} ${attr}`);
    }
    const url = el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('data') || '';
    if (/^\\s*javascript:/i.test(url)) found.push(`${el.tagName} ${url.slice(0, 40)}`);
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'STYLE'].includes(el.tagName.toUpperCase())) {
      if (el.closest('.peerkit-packet, .peerkit-feedback, .peerkit-example, .peerkit-notes, .peerkit-answer')) {
        found.push(el.tagName);
      }
    }
  }
  return found;
}"""


class Visit:
    """One page opened by one person: everything it shows must be inert and visible."""

    def __init__(self, browser: Any, url: str) -> None:
        self.console = ConsoleLog()
        self.dialogs: list[str] = []
        self.page = open_page(browser, url, self.console, width=1280)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def check(self, what: str, text: str, markers: tuple[str, ...] = MARKERS) -> None:
        assert self.page.evaluate(f"{SENTINEL} === undefined"), f"{what}: a payload ran"
        assert self.dialogs == [], f"{what}: a payload opened a dialog: {self.dialogs}"
        assert self.page.evaluate(LIVE_MARKUP) == [], f"{what}: learner text became live markup"
        missing = [m for m in markers if m not in text]
        assert not missing, f"{what}: payloads not shown as text: {missing}"

    def close(self, what: str) -> None:
        time.sleep(0.5)  # a late image error or handler would show by now
        assert self.page.evaluate(f"{SENTINEL} === undefined"), f"{what}: a payload ran"
        close_tab(self.page)
        assert self.console.errors == [], f"{what}:\n" + "\n".join(self.console.errors)


def test_learners_pages_show_payloads_as_text(browser: Any, hostile_served: tuple[Served, str]) -> None:
    served, _ = hostile_served

    packets = Visit(browser, served.url + "/voila/render/again-review/again-review.ipynb")
    packets.page.locator(".peerkit-packet").first.wait_for(timeout=WIDGETS_TIMEOUT_MS)
    buttons = packets.page.locator(".peerkit-packet-picker button")
    for index in range(buttons.count()):  # every packet of the open round, and one's own
        buttons.nth(index).click()
        packets.page.wait_for_timeout(300)
        shown = packets.page.locator(".peerkit-packet:visible").inner_text()
        packets.check(f"packet {index + 1}", shown)
    packets.close("the review app's packets")

    feedback = Visit(browser, served.url + "/voila/render/kinds-review/kinds-review.ipynb")
    feedback.page.get_by_text("PWN16").first.wait_for(timeout=WIDGETS_TIMEOUT_MS)
    feedback.check("feedback", feedback.page.inner_text("body"))
    feedback.close("the review app's feedback")

    progress = Visit(browser, served.url + "/voila/render/progress.ipynb")
    progress.page.locator(".peerkit-notes").first.wait_for(timeout=WIDGETS_TIMEOUT_MS)
    progress.check("summary notes", progress.page.locator(".peerkit-notes").first.inner_text())
    progress.close("the progress page")

    gallery = Visit(browser, served.url + "/voila/render/gallery.ipynb")
    gallery.page.locator(".peerkit-example").first.wait_for(timeout=WIDGETS_TIMEOUT_MS)
    assert gallery.page.locator(".peerkit-example").count() >= 4
    gallery.check("gallery", gallery.page.locator(".peerkit-example").first.inner_text())
    gallery.close("the gallery")


def test_the_facilitators_dashboard_shows_payloads_as_text(browser: Any, hostile_served: tuple[Served, str]) -> None:
    _, dashboard = hostile_served
    desk = Visit(browser, dashboard + "/")
    desk.page.locator(".peerkit-dashboard").wait_for(timeout=WIDGETS_TIMEOUT_MS)
    desk.check("dashboard", desk.page.inner_text("body"), markers=())
    for tab in ("Participation", "Review health", "Grades", "Gallery", "Exports", "Summary notes"):
        desk.page.get_by_role("tab", name=tab).click()
        desk.page.wait_for_timeout(300)
        desk.check(f"dashboard tab {tab}", desk.page.inner_text("body"), markers=())
    desk.page.get_by_role("tab", name="Gallery").click()
    desk.page.get_by_text("PWN16").first.wait_for(timeout=30_000)
    desk.check("dashboard gallery", desk.page.inner_text("body"))
    desk.close("the dashboard")


def test_the_checks_catch_payloads_rendered_as_markup(browser: Any) -> None:
    """The same checks on a page that pastes the payloads in as HTML: they must fail there."""
    visit = Visit(browser, "about:blank")
    raw = "".join(f"<p>{text}</p>" for _, text in PAYLOADS)
    visit.page.set_content(f'<div class="jp-OutputArea"><div class="peerkit-packet">{raw}</div></div>')
    visit.page.wait_for_timeout(500)
    assert visit.page.evaluate(f"{SENTINEL} === 1"), "an unescaped payload runs in this browser"
    assert len(visit.page.evaluate(LIVE_MARKUP)) >= 5
    with pytest.raises(AssertionError, match="a payload ran"):
        visit.check("raw HTML", visit.page.inner_text("body"))
    visit.page.close()
