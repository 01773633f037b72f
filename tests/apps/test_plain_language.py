"""Learner pages speak plainly: none of the course's internal words (the tools' names, how the
files travel) in anything a learner reads, on every learner page, before and during a review round."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from peerkit.apps.gallery import GalleryPage
from peerkit.apps.home import CourseHome
from peerkit.apps.progress import ProgressPage
from peerkit.apps.review import ReviewPage
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from peerkit.widgets.page import PathPage
from tests.conftest import CourseLayout
from tests.review.test_round_flow import write_and_submit

INTERNAL = re.compile(r"\b(nbgrader|packets?|exchanges?|ingest(ed|s)?)\b", re.IGNORECASE)


def texts(widget: Any) -> Iterator[str]:
    """Everything a learner can read in a widget tree: HTML, labels, descriptions, tooltips, options."""
    for name in ("value", "description", "tooltip", "placeholder"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            yield value
    for option in getattr(widget, "options", ()) or ():
        yield str(option[0] if isinstance(option, tuple) else option)
    for child in getattr(widget, "children", ()) or ():
        yield from texts(child)


def readable(html: str) -> str:
    """The text of *html* as a reader sees it (tags, and with them class names, removed)."""
    return re.sub(r"<[^>]+>", " ", html)


def internal_words(*widgets: Any) -> list[str]:
    return sorted({m.group(0).lower() for w in widgets for t in texts(w) for m in INTERNAL.finditer(readable(t))})


def test_the_scan_finds_an_internal_word() -> None:
    class Fake:
        value = '<p class="peerkit-packet">Your packets went through nbgrader</p>'

    assert internal_words(Fake()) == ["nbgrader", "packets"]
    Fake.value = '<section class="peerkit-packet">Your work</section>'
    assert internal_words(Fake()) == []  # a class name is not read


def test_every_learner_page_before_any_round(course: CourseLayout) -> None:
    folder = course.enroll("kim")
    config = course.learner_config("kim")
    path = PathPage("alpha", folder=course.folder("kim", "alpha"), config=config)
    widgets = [path.banner(), path.reflection("first", "Q?"), path.progress(), path.submit()]
    widgets[-1].button.click()  # blanks: the question asked first
    widgets[-1].button.click()  # sent anyway: the confirmation and the next step
    pages = [CourseHome(folder=folder, config=config), ProgressPage(folder=folder, config=config)]
    pages.append(GalleryPage(folder=folder, config=config))
    assert internal_words(*widgets, *pages) == []
    path.close()


def test_the_review_page_with_and_without_a_round(review_course: CourseLayout, store: SqlStore) -> None:
    for learner in ("amelia", "bartholomew", "cordelia", "desmond"):
        write_and_submit(review_course, learner)
    folder, config = review_course.folder("amelia", "essay-review"), review_course.learner_config("amelia")
    empty = ReviewPage("essay", folder=folder, config=config)
    panel = empty.submit(label="Submit my reviews")
    assert panel.button.layout.display == "none" and panel.button.disabled  # no button that can only fail
    assert "Nothing to submit yet" in panel.status.value
    assert internal_words(empty.banner(), empty.view, panel) == []
    empty.close()

    collect_and_ingest(review_course.course_config(), store, "essay")
    open_round(store, review_course.course, "essay", exchange_root=review_course.workspace.exchange, seed=3)
    page = ReviewPage("essay", folder=folder, config=config)
    panel = page.submit(label="Submit my reviews")
    assert page.forms and not panel.button.disabled and panel.button.layout.display != "none"
    home = CourseHome(folder=folder.parent, config=config)
    progress = ProgressPage(folder=folder.parent, config=config)
    assert internal_words(page.banner(), page.view, panel, home, progress) == []
    card = next(c.value for c in home.cards.children if 'data-path="essay"' in getattr(c, "value", ""))
    assert 'data-status="3 reviews to do"' in card or "reviews to do" in card, card
    page.close()


@pytest.mark.parametrize("word", ["Packet", "exchange", "ingested", "NBGRADER"])
def test_each_word_is_caught(word: str) -> None:
    assert INTERNAL.search(f"a {word} here")
