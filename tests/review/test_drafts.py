"""Which review drafts a learner may keep on a path: the rule, read from the documents delivered to them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from peerkit.core.answers import Answer
from peerkit.core.errors import Conflict
from peerkit.exchange.base import SavedDraft, feedback_file, review_state_file, round_file
from peerkit.review.closing import closed_document
from peerkit.review.drafts import DraftMirror, allowed_drafts, closed_message, closed_to_drafts, draft_documents


def test_the_rule_reads_the_learners_round_manifest_and_feedback() -> None:
    assert draft_documents("essay") == (round_file("essay"), feedback_file("essay"))


def test_a_review_of_each_packet_the_self_assessment_and_a_rating_of_each_review_received() -> None:
    manifest = {"path": "essay", "packets": ["ta", "tb"], "self": "own"}
    feedback = {"reviews": [{"token": "rv1"}, {"token": "rv2"}]}
    assert allowed_drafts(manifest, feedback) == {"r-ta", "r-tb", "self", "h-rv1", "h-rv2"}


def test_nothing_delivered_grants_nothing() -> None:
    assert allowed_drafts({}, {}) == frozenset()
    assert allowed_drafts({"packets": [], "self": None}, {"reviews": []}) == frozenset()  # a round without own work


@pytest.mark.parametrize(
    ("manifest", "feedback"),
    [
        ({"packets": "tatb"}, {}),  # not a list: no draft per character
        ({"packets": [1, None, {"t": "x"}]}, {}),
        ({}, {"reviews": "rv1"}),
        ({}, {"reviews": [{"token": 7}, {"no": "token"}, "rv1", None]}),
    ],
)
def test_anything_malformed_grants_nothing(manifest: dict[str, Any], feedback: dict[str, Any]) -> None:
    assert allowed_drafts(manifest, feedback) == frozenset()


class ClosedService:
    """The course service once the path's peer review closed: reviews refused (409), ratings kept."""

    keeps_drafts = True

    def __init__(self) -> None:
        self.saved: list[str] = []
        self.refused = 0

    def drafts(self, path_id: str) -> dict[str, SavedDraft]:
        return {}

    def save_draft(self, path_id: str, answer_id: str, answer: dict[str, Any], *, base: int | None) -> SavedDraft:
        if closed_to_drafts(answer_id):
            self.refused += 1
            raise Conflict(f"the course service refused (409): {closed_message(CLOSED_AT)}")
        self.saved.append(answer_id)
        return SavedDraft(answer_id, answer, 1, "2026-03-02T17:00:00Z")

    def public(self, name: str, fmt: str) -> dict[str, Any] | None:
        return closed_document("essay", CLOSED_AT) if name == review_state_file("essay") else None


CLOSED_AT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
REVIEW = "r-" + "a" * 32


def test_a_review_refused_because_the_review_closed_is_said_once_and_not_sent_again() -> None:
    """Not the endless "not yet kept with the course, trying again" of a service that is away: the page is
    told when the review closed, the review stays in the answers file, and ratings still go."""
    service = ClosedService()
    told: list[datetime] = []
    status: list[tuple[str, bool]] = []
    mirror = DraftMirror(service, "essay", on_closed=told.append, on_status=lambda m, ok: status.append((m, ok)))  # type: ignore[arg-type]
    mirror.push(REVIEW, Answer("review", {"packet": "a" * 32}, "2026-03-02T17:00:00Z"))
    assert mirror.flush(5)
    assert told == [CLOSED_AT] and mirror.closed_at == CLOSED_AT and status == [] and not mirror.failing
    mirror.push(REVIEW, Answer("review", {"packet": "a" * 32, "x": 1}, "2026-03-02T17:01:00Z"))
    mirror.push("h-" + "c" * 32, Answer("rating", {"review": "c" * 32, "helpful": 4}, "2026-03-02T17:02:00Z"))
    assert mirror.flush(5)
    mirror.stop()
    assert service.refused == 2 and service.saved == ["h-" + "c" * 32]  # the first try and its one retry


def test_the_service_says_when_it_closed_and_what_becomes_of_the_review() -> None:
    assert [closed_to_drafts(d) for d in (REVIEW, "self", "h-" + "c" * 32)] == [True, True, False]
    said = closed_message(CLOSED_AT)
    assert "closed on 2 Mar 2026, 16:00 UTC" in said and "not sent to the author" in said
