"""Responses to feedback reach the facilitator: ``Facilitator.responses``, ``peerkit review responses``
and the round export (pseudonymous unless names are asked for)."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from peerkit.cli import cli
from peerkit.facilitator.api import Facilitator
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.review.test_practice import practised
from tests.review.test_round_flow import PATH

__all__ = ["practised"]

ANA = (
    "What I changed: I added a date.\nWhat I decided not to change, and why: My lesson stays short.\n"
    "Revised answer (story): x"
)


def desk_for(course: CourseLayout, store: SqlStore, definition: Any) -> Facilitator:
    return Facilitator(
        store=store,
        workspace=course.workspace,
        course=definition,
        exchange=course.build.exchange_root,
        build=course.build,
    )


def test_the_facilitator_reads_each_response(review_course: CourseLayout, practised: Any, store: SqlStore) -> None:
    course, _report = practised
    found = desk_for(review_course, store, course).responses(path_id=PATH)
    assert found.responses == (("ana", ANA),)
    text = found.summary()
    assert text.startswith(f"{PATH}: 1 responses to feedback")
    assert "\nana:\n  What I changed: I added a date.\n" in text and "  Revised answer (story): x" in text


def test_the_round_export_holds_the_responses(review_course: CourseLayout, practised: Any, store: SqlStore) -> None:
    course, _report = practised
    desk = desk_for(review_course, store, course)
    named = json.loads(desk.export(kind="round", path_ids=[PATH], names=True).text)
    assert named["responses"] == [{"learner": "ana", "response": ANA}]
    hidden = json.loads(desk.export(kind="round", path_ids=[PATH]).text)
    (entry,) = hidden["responses"]
    assert entry["learner"] != "ana" and entry["response"] == ANA
    reviewers = {a["reviewer"] for a in hidden["assignments"]}
    assert entry["learner"] in reviewers  # the same pseudonym as elsewhere in the export


def test_review_responses_command(review_course: CourseLayout, practised: Any, store: SqlStore) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    common = ["--workdir", str(review_course.workspace.root), "--course", str(review_course.course.source)]
    result = CliRunner().invoke(cli, ["review", "responses", PATH, *common, "--db", url])
    assert result.exit_code == 0, result.output
    assert "ana:" in result.output and "What I decided not to change, and why: My lesson stays short." in result.output
