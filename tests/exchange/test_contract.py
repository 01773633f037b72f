"""One contract for every exchange backend: the same cases, run against each one (like tests/storage).

A new backend passes when it is registered in :data:`peerkit.exchange.registry.BACKENDS` and a setup
for it is added to :func:`setup` below (see tests/exchange/backends.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerkit.config.course import load_course
from peerkit.core import documents
from peerkit.core.answers import AnswerSheet
from peerkit.core.errors import Conflict, PeerkitError, ValidationError, WorkflowError
from peerkit.core.models import Course
from peerkit.core.packets import build_packet, build_round
from peerkit.exchange.base import (
    GALLERY_FILE,
    GALLERY_FORMAT,
    NOTES_FORMAT,
    Parcel,
    feedback_file,
    notes_file,
    packet_file,
    round_file,
)
from peerkit.exchange.registry import BACKENDS, backend
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course
from tests.exchange.backends import PATH, FilesSetup, HubSetup, Setup, StubHubAuth, running_service

TOKEN_A, TOKEN_B, TOKEN_C = "a" * 32, "b" * 32, "c" * 32


@pytest.fixture
def definition(tmp_path: Path) -> Course:
    return load_course(write_review_course(tmp_path / "src"))


@pytest.fixture(params=["files", "hub"])
def setup(request: pytest.FixtureRequest, tmp_path: Path, store: SqlStore, definition: Course) -> Iterator[Setup]:
    if request.param == "files":
        yield FilesSetup(tmp_path, definition.id, store)
        return
    auth = StubHubAuth()
    service = running_service(definition, store, auth)
    url = next(service)
    course = backend("hub").course(course_id=definition.id, exchange_root=tmp_path / "exchange", store=store)
    course.prepare()
    try:
        yield HubSetup(tmp_path, course, store, definition, url, auth)
    finally:
        service.close()


def manifest(definition: Course, *tokens: str) -> dict[str, Any]:
    rubric = definition.rubric_for(PATH)
    return build_round(
        path_id=PATH, path_title="An essay", rubric=rubric, anonymity="double-blind", packets=tokens, own=None
    )


def packet(token: str, author: str) -> dict[str, Any]:
    sheet = AnswerSheet(path=PATH)
    return build_packet(
        token=token, path_id=PATH, path_title="An essay", kind="peer", sheet=sheet, questions={}, author=author
    )


def deliver(setup: Setup, definition: Course, learner: str, *tokens: str, extra: dict[str, Any] | None = None) -> None:
    docs = {round_file(PATH): manifest(definition, *tokens)}
    docs |= {packet_file(t): packet(t, "someone") for t in tokens}
    docs |= extra or {}
    setup.course.deliver([Parcel(learner, docs, setup.key(learner))])


def feedback(points: float) -> dict[str, Any]:
    return documents.dump(
        documents.FEEDBACK, {"path": PATH, "path_title": "An essay", "grade": {"points": points}, "reviews": []}
    )


def test_every_registered_backend_is_under_contract() -> None:
    assert set(BACKENDS) == {"files", "hub"}  # a new backend: add its setup above, then here
    with pytest.raises(PeerkitError, match="no exchange backend"):
        backend("carrier-pigeon")


def test_a_learner_reads_what_was_delivered_to_them(setup: Setup, definition: Course) -> None:
    deliver(setup, definition, "ana", TOKEN_A)
    deliver(setup, definition, "bo", TOKEN_B)
    ana = setup.learner("ana")
    delivered = ana.round(PATH)
    assert delivered is not None and delivered.tokens == (TOKEN_A,)
    assert delivered.manifest["path_title"] == "An essay" and delivered.rubric.id == definition.rubric_for(PATH).id
    found = ana.packet(PATH, TOKEN_A)
    assert found is not None and found["token"] == TOKEN_A


def test_another_learner_cannot_read_it(setup: Setup, definition: Course) -> None:
    deliver(setup, definition, "ana", TOKEN_A, extra={feedback_file(PATH): feedback(4)})
    deliver(setup, definition, "bo", TOKEN_B)
    bo = setup.learner("bo")
    assert bo.packet(PATH, TOKEN_A) is None
    assert bo.feedback(PATH) is None
    delivered = bo.round(PATH)
    assert delivered is not None and delivered.tokens == (TOKEN_B,)
    cy = setup.learner("cy")  # nothing delivered to her
    assert cy.round(PATH) is None and cy.feedback(PATH) is None and cy.packet(PATH, TOKEN_A) is None


def test_feedback_and_a_new_delivery_replace_the_old_one(setup: Setup, definition: Course) -> None:
    deliver(setup, definition, "ana", TOKEN_A)
    ana = setup.learner("ana")
    assert ana.feedback(PATH) is None
    deliver(setup, definition, "ana", TOKEN_A, TOKEN_C, extra={feedback_file(PATH): feedback(4)})
    delivered = ana.round(PATH)
    assert delivered is not None and delivered.tokens == (TOKEN_A, TOKEN_C)
    got = ana.feedback(PATH)
    assert got is not None and got["grade"] == {"points": 4}


def test_public_documents_are_published_read_and_withdrawn(setup: Setup) -> None:
    note = documents.dump(documents.NOTES, {"path": PATH, "path_title": "An essay", "text": "We learned."})
    gallery = documents.dump(documents.GALLERY, {"items": [{"title": "Desk huddle"}]})
    setup.course.publish(notes_file(PATH), note)
    setup.course.publish(GALLERY_FILE, gallery)
    ana = setup.learner("ana")
    assert ana.public(notes_file(PATH), NOTES_FORMAT) == note
    assert ana.public(GALLERY_FILE, GALLERY_FORMAT) == gallery
    assert ana.public(GALLERY_FILE, NOTES_FORMAT) is None  # another format: not taken for it
    assert ana.notes() == [note]
    setup.course.withdraw(notes_file(PATH))
    setup.course.withdraw(notes_file(PATH))  # withdrawing what is gone is fine
    assert ana.public(notes_file(PATH), NOTES_FORMAT) is None and ana.notes() == []


def test_activity_reaches_the_course_once(setup: Setup) -> None:
    ana = setup.learner("ana")
    ana.activity.record("opened", PATH)
    ana.activity.record("answered", PATH, "story")
    deadline = time.monotonic() + 20  # a remote backend may send on a background thread
    while True:
        setup.course.collect_activity(setup.store)
        events = [(e.learner, e.event, e.detail) for e in setup.store.activity()]
        if len(events) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert events == [("ana", "opened", ""), ("ana", "answered", "story")]
    again = setup.course.collect_activity(setup.store)
    assert again.added == 0 and len(setup.store.activity()) == 2


def review(text: str) -> dict[str, Any]:
    return {
        "kind": "review",
        "value": {"scores": {}, "comments": {"strengths": text}},
        "updated": "2026-11-22T10:00:00Z",
    }


def test_drafts_are_kept_with_versions_or_refused_clearly(setup: Setup, definition: Course) -> None:
    deliver(setup, definition, "ana", TOKEN_A)
    ana = setup.learner("ana")
    draft_id = f"r-{TOKEN_A}"
    if not ana.keeps_drafts:
        assert ana.drafts(PATH) == {}
        with pytest.raises(WorkflowError, match="keeps no review drafts"):
            ana.save_draft(PATH, draft_id, review("first"), base=0)
        return
    first = ana.save_draft(PATH, draft_id, review("first"), base=0)
    assert first.version == 1
    with pytest.raises(Conflict):  # another tab saw no draft either, but one is there now
        ana.save_draft(PATH, draft_id, review("other tab"), base=0)
    second = ana.save_draft(PATH, draft_id, review("second"), base=1)
    assert second.version == 2
    with pytest.raises(Conflict):
        ana.save_draft(PATH, draft_id, review("stale"), base=1)
    loaded = ana.drafts(PATH)
    assert set(loaded) == {draft_id} and loaded[draft_id].version == 2
    assert loaded[draft_id].answer["value"]["comments"]["strengths"] == "second"
    assert [(d.answer_id, d.version) for d in setup.course.drafts("ana", PATH)] == [(draft_id, 2)]
    assert setup.learner("bo").drafts(PATH) == {}  # nobody else's


def test_malformed_names_are_refused(setup: Setup, definition: Course) -> None:
    with pytest.raises(ValidationError):
        setup.course.publish("../escape.json", {})
    with pytest.raises(ValidationError):
        setup.course.withdraw("Notes.JSON")
    with pytest.raises(ValidationError):
        Parcel("ana", {"../round.json": {}})
    with pytest.raises(PeerkitError):
        Parcel("../ana", {round_file(PATH): {}})
    deliver(setup, definition, "ana", TOKEN_A)
    with pytest.raises(ValidationError):
        setup.learner("ana").packet(PATH, "../../etc/passwd")
    assert setup.learner("ana").public("../../etc/passwd", NOTES_FORMAT) is None
