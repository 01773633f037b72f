"""Which review drafts a learner may keep on a path: the rule, read from the documents delivered to them."""

from __future__ import annotations

from typing import Any

import pytest

from peerkit.exchange.base import feedback_file, round_file
from peerkit.review.drafts import allowed_drafts, draft_documents


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
