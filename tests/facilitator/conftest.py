"""A seeded cohort with known answers, recorded straight into the store (no nbgrader, so it is fast
and runs on SQLite and PostgreSQL alike).

Course: the review course's one path "essay" (rubric: clear 0/1/2, grounded 0/2), two reviews per
submission. Learners and circles: ana, bo (north); cy, dee (south); eli, fay (east).

* submissions: ana (40 words), bo (10), cy (10), dee (nothing written); eli only opened the page;
  fay did nothing at all;
* review assignments, reviewer -> author: ana -> bo, ana -> cy, cy -> dee, dee -> cy (done);
  bo -> ana, bo -> dee, dee -> ana (open). Each done review's comments hold exactly 10 words;
* so: to do bo 2, dee 1 (the list to nudge); waiting: ana 0 of 2, bo 1 of 2, dee 1 of 2;
* cy's reviewers disagree on "Clear" (0 from ana, 2 from dee): the only disagreement flag;
* south (cy, dee) reviews only itself; north does not;
* words in all: ana 60, cy 20, bo 10, dee 10, eli 0, fay 0: a Gini coefficient of exactly 0.6;
* cy rated ana's review 1 and flagged it ("Unkind"); dee rated cy's review 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from peerkit.config.course import load_course
from peerkit.core.activity import new_event
from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.models import Course
from peerkit.core.review import NewRating, NewReview
from peerkit.core.rubric import ReviewContent
from peerkit.core.store import NewSubmission
from peerkit.exchange.files import FilesCourseExchange
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course

PATH = "essay"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CIRCLES = {"ana": "north", "bo": "north", "cy": "south", "dee": "south", "eli": "east", "fay": "east"}
WORDS = {"ana": (30, 10), "bo": (10, 0), "cy": (10, 0), "dee": (0, 0)}
DONE = [("ana", "bo", 0), ("ana", "cy", 0), ("cy", "dee", 1), ("dee", "cy", 2)]  # (reviewer, author, clear)
OPEN = [("bo", "ana"), ("bo", "dee"), ("dee", "ana")]
COMMENT = {"strengths": "one two three four five", "suggestion": "six seven eight nine ten"}


def words(n: int, word: str = "learning") -> str:
    return " ".join([word] * n)


def token(reviewer: str, author: str) -> str:
    return f"{reviewer:x<4}{author:x<4}".encode().hex()[:32].ljust(32, "0")


@dataclass(frozen=True)
class Seeded:
    store: SqlStore
    course: Course
    exchange: Path

    @property
    def course_exchange(self) -> FilesCourseExchange:
        """The course's side of the files exchange at :attr:`exchange`."""
        return FilesCourseExchange(self.course.id, self.exchange, self.store)


def seed(store: SqlStore, course: Course) -> None:
    for name, circle in CIRCLES.items():
        store.add_learner(name, circle=circle)
    items = []
    for n, (name, (story, lesson)) in enumerate(WORDS.items()):
        answers = {
            "story": Answer.make("text", words(story, "story"), updated="2026-11-02T09:00:00Z"),
            "lesson": Answer.make("text", words(lesson, "lesson"), updated="2026-11-02T09:00:00Z"),
        }
        sheet = AnswerSheet(path=PATH, answers=answers)
        items.append(NewSubmission(name, PATH, T0 + timedelta(minutes=n), sheet, channel_key=f"{n:064x}"))
    store.record_submissions(items)
    store.open_round(
        PATH, rubric_id="default", per_submission=2, anonymity="double-blind", self_assessment=False, seed=7, now=T0
    )
    pairs = [(r, a, token(r, a)) for r, a, _ in DONE] + [(r, a, token(r, a)) for r, a in OPEN]
    store.add_assignments(PATH, pairs, now=T0 + timedelta(hours=1))
    store.record_reviews(
        PATH,
        [
            NewReview(
                r,
                token(r, a),
                ReviewContent(scores={"clear": clear, "grounded": 2}, comments=COMMENT),
                T0 + timedelta(hours=2),
            )
            for r, a, clear in DONE
        ],
    )
    store.record_ratings(
        PATH,
        [
            NewRating("cy", token("ana", "cy"), 1, flagged=True, flag_reason="Unkind"),
            NewRating("dee", token("cy", "dee"), 5),
        ],
    )
    store.record_activity(
        [
            new_event("eli", "opened", PATH, at=T0 + timedelta(hours=3)),
            new_event("ana", "answered", PATH, "story", at=T0),
        ]
    )


@pytest.fixture
def review_definition(tmp_path: Path) -> Course:
    """The review course's definition, not built (its notebook is there for task points)."""
    return load_course(write_review_course(tmp_path / "src"))


@pytest.fixture
def seeded(store: SqlStore, review_definition: Course, tmp_path: Path) -> Seeded:
    seed(store, review_definition)
    return Seeded(store=store, course=review_definition, exchange=tmp_path / "exchange")
