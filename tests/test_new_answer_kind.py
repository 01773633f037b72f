"""A new answer kind is one module plus one registration: the test-local "link" kind
(tests/link_kind.py), registered by one line, is validated, saved by its widget on a path page,
found in the path notebook, ingested, shown escaped to a peer and counted for the facilitator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerkit.apps.packet_view import render_packet, render_value
from peerkit.core import kinds
from peerkit.core.answers import FILENAME, Answer, is_answered, parse_sheet
from peerkit.core.errors import ValidationError
from peerkit.core.packets import build_packet
from peerkit.facilitator.figures import answer_words
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.nbgrader.tasks import answer_kinds
from peerkit.storage.sql import SqlStore
from peerkit.widgets import PathPage
from tests import link_kind
from tests.conftest import CourseLayout


@pytest.fixture
def link() -> Iterator[kinds.AnswerKind]:
    kind = kinds.register(link_kind.KIND)  # the one registration line
    yield kind
    kinds.unregister(kind.name)


def test_the_kind_is_unknown_until_registered() -> None:
    with pytest.raises(ValidationError, match="unknown answer kind 'link'"):
        Answer.make("link", {"url": "https://example.org"})


def test_it_validates_and_names_the_bad_field(link: kinds.AnswerKind) -> None:
    answer = Answer.make("link", {"url": "https://example.org/a", "why": "Short and clear."}, answer_id="res")
    assert is_answered(answer) and not is_answered(Answer.make("link", {"url": ""}))
    with pytest.raises(ValidationError) as caught:
        Answer.make("link", {"url": "javascript:alert(1)"}, answer_id="res")
    assert caught.value.field == "res.url"
    with pytest.raises(ValidationError, match="unexpected field"):
        Answer.make("link", {"href": "https://example.org"}, answer_id="res")


def test_a_peer_sees_it_escaped_even_from_a_forged_packet(link: kinds.AnswerKind) -> None:
    shown = render_value("link", {"url": 'https://example.org/?q="><script>', "why": "<b>bold</b>"})
    assert "<script>" not in shown and "<b>" not in shown and "&lt;b&gt;bold&lt;/b&gt;" in shown
    assert 'href="https://example.org/?q=&quot;&gt;&lt;script&gt;"' in shown
    forged = render_value("link", {"url": "javascript:alert(1)"})  # never validated: a file anyone could write
    assert "href" not in forged and "javascript:alert(1)" in forged


def test_the_path_notebook_names_it(link: kinds.AnswerKind, tmp_path: Path) -> None:
    cell = {"cell_type": "code", "metadata": {}, "source": ['page.answer("link", "resource")\n', 'page.plan("next")']}
    notebook = tmp_path / "path.ipynb"
    notebook.write_text(json.dumps({"cells": [cell]}))
    assert answer_kinds(notebook) == {"resource": "link", "next": "plan"}
    kinds.unregister("link")
    assert answer_kinds(notebook) == {"next": "plan"}  # an unknown kind is no activity


def test_saved_by_its_widget_ingested_shown_and_counted(
    link: kinds.AnswerKind, course: CourseLayout, store: SqlStore
) -> None:
    course.enroll("ren")
    folder = course.folder("ren", "alpha")
    page = PathPage("alpha", folder=folder, config=course.learner_config("ren"))
    try:
        box = page.answer("link", "resource")
        assert isinstance(box, link_kind.LinkBox)
        box.url.value = "https://example.org/<b>"
        box.why.value = "Ren found <b>this</b> useful for mentoring."
        assert "saved" in box.status.value
        saved = parse_sheet((folder / FILENAME).read_bytes()).get("resource")
        assert saved is not None and saved.kind == "link" and saved.value["url"] == "https://example.org/<b>"
        page.session.submit()
    finally:
        page.close()

    report = collect_and_ingest(course.course_config(), store, "alpha")
    assert report.counts == {"added": 1} and not report.problems
    stored = store.submission("ren", "alpha")
    assert stored is not None
    answer = stored.sheet.get("resource")
    assert answer is not None and answer.kind == "link"

    packet = build_packet(
        token="t1",
        path_id="alpha",
        path_title="Alpha",
        kind="peer",
        sheet=stored.sheet,
        questions={"resource": ("A resource", "Share one link.")},
        author="ren",
    )
    shown = render_packet(packet, heading="Someone's answers")
    assert "[name removed] found &lt;b&gt;this&lt;/b&gt; useful" in shown and "<b>" not in shown

    assert answer_words(answer) == 6  # the "why", not the address
    assert link.facilitator_text(answer.value).startswith("https://example.org/<b>\n")
