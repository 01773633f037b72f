"""Every command prints through one door (:func:`peerkit.cli.common.echo`): what learners wrote reaches
the facilitator's terminal with its escape sequences and bidi controls shown, never obeyed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from peerkit.config.workspace import Workspace
from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.review import NewRating, NewReview
from peerkit.core.rubric import ReviewContent
from peerkit.core.store import NewSubmission
from peerkit.storage.sql import SqlStore
from tests.cli.conftest import Desk
from tests.facilitator.conftest import token

#: Clears the screen, turns the text red, plants a disguised hyperlink (OSC 8), turns the line around.
HOSTILE = "\x1b[2J\x1b[31mPWNED\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\ \u202eevil\u202c\x9b1m\x07"
ACTIVE = ("\x1b", "\x9b", "\x07", "\u202e", "\u202c")
AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def hostile(desk: Desk) -> Desk:
    """The seeded cohort, with the payload in a response to feedback, a flag's reason, a review's
    comment, an example's title and the notes (as a draft quoting a reflection would)."""
    store = SqlStore.open(Workspace.at(desk.workdir).store_url)
    try:
        response = {"changed": HOSTILE, "kept": "-2+3", "revised": {"question": "story", "text": HOSTILE}}
        example = {"title": HOSTILE, "story": "a story", "tags": []}
        store.record_submissions(
            [
                NewSubmission(
                    "ana",
                    "essay-review",
                    AT,
                    AnswerSheet("essay-review", {"respond": Answer.make("response", response)}),
                    channel_key="a" * 64,
                ),
                NewSubmission(
                    "eli",
                    "essay",
                    AT,
                    AnswerSheet("essay", {"story": Answer.make("text", "x"), "best": Answer.make("example", example)}),
                    channel_key="e" * 64,
                ),
            ]
        )
        store.record_reviews(
            "essay",
            [
                NewReview(
                    "bo",
                    token("bo", "ana"),
                    ReviewContent(scores={"clear": 1, "grounded": 2}, comments={"strengths": HOSTILE}),
                    AT,
                )
            ],
        )
        store.record_ratings(
            "essay", [NewRating("cy", token("dee", "cy"), 1, flagged=True, flag_reason=f"{HOSTILE}\n  packet forged")]
        )
        store.save_note_draft("essay", f"“{HOSTILE}”", sources=1)
    finally:
        store.close()
    return desk


@pytest.mark.parametrize(
    ("command", "shows"),
    [
        (["review", "responses", "essay"], "␛[2J␛[31mPWNED␛]8;;http://evil.example/␛\\click"),
        (["review", "flags", "essay"], "\\u202eevil\\u202c"),
        (["dashboard", "health", "essay"], "␊  packet forged"),  # a reason cannot make a line of its own
        (["gallery", "list"], "␛[2J"),
        (["notes", "show", "essay"], "“␛[2J"),
        (["export", "reviews", "essay"], "PWNED"),
        (["export", "round", "essay"], "PWNED"),
    ],
)
def test_learners_text_is_shown_not_obeyed(hostile: Desk, command: list[str], shows: str) -> None:
    result = hostile.run(*command)
    assert result.exit_code == 0, result.output
    assert shows in result.output
    assert not [c for c in ACTIVE if c in result.output]
