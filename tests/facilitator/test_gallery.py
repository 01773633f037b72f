"""The example gallery: approve and hide, publish without authors, hostile text stays text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.errors import NotFound
from peerkit.core.redaction import REMOVED
from peerkit.exchange.base import GALLERY_FILE, GALLERY_FORMAT
from peerkit.exchange.files.public import public_root, read_public
from peerkit.facilitator.gallery import decide, gallery_items
from peerkit.widgets.public_view import render_example
from tests.facilitator.conftest import PATH, Seeded

HOSTILE = '<img src=x onerror="alert(1)"><script>alert("gallery")</script>'


def contribute(seeded: Seeded, learner: str, title: str, story: str, when: str = "2026-11-03 09:00") -> None:
    sheet = AnswerSheet(
        PATH, {"share": Answer.make("example", {"title": title, "story": story, "tags": ["desk", "Mentoring"]})}
    )
    seeded.store.record_submission(
        learner, PATH, submitted_at=datetime.fromisoformat(when).replace(tzinfo=UTC), sheet=sheet
    )


def test_approve_hide_publish_without_authors(seeded: Seeded) -> None:
    contribute(seeded, "ana", "The Friday huddle", f"ana and cy fix tech questions together. {HOSTILE}")
    contribute(seeded, "bo", "Book club", "We read and talk.")
    items = {i.learner: i for i in gallery_items(seeded.store, seeded.course)}
    assert {i.state for i in items.values()} == {"waiting"}
    approved = decide(seeded.store, seeded.course, seeded.course_exchange, items["ana"].id[:6], "approved", by="fac")
    decide(seeded.store, seeded.course, seeded.course_exchange, items["bo"].id, "hidden", by="fac")
    assert approved.state == "approved"
    doc = read_public(public_root(seeded.exchange, seeded.course.id), GALLERY_FILE, GALLERY_FORMAT)
    assert doc is not None and [i["title"] for i in doc["items"]] == ["The Friday huddle"]
    text = str(doc)
    assert "ana" not in text and "cy " not in text and "bo" not in text.replace("Book", "")  # no author, no names
    assert doc["items"][0]["story"].startswith(f"{REMOVED} and {REMOVED} fix")
    page = render_example(doc["items"][0])
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page

    contribute(seeded, "ana", "The Friday huddle", "Now with something else entirely.", when="2026-11-04 09:00")
    changed = {i.learner: i for i in gallery_items(seeded.store, seeded.course)}["ana"]
    assert changed.state == "changed"  # the gallery keeps the approved version until decided again
    again = read_public(public_root(seeded.exchange, seeded.course.id), GALLERY_FILE, GALLERY_FORMAT)
    assert again is not None and "fix tech questions" in again["items"][0]["story"]


def test_an_unknown_or_ambiguous_id_is_refused(seeded: Seeded) -> None:
    with pytest.raises(NotFound):
        decide(seeded.store, seeded.course, seeded.course_exchange, "abc", "approved", by="fac")
