"""A rolling-reviewed path held in a real store, without nbgrader: for the steward's steps one at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.models import Course, LearningPath
from peerkit.core.rubric import Criterion, Level, ReviewSettings, Rubric
from peerkit.review.rolling_state import PathState, load_state, record_given, settle
from peerkit.storage.sql import SqlStore

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
RUBRIC = Rubric(id="r", title="R", criteria=(Criterion("clear", "Clear", (Level(0, "No"), Level(1, "Yes"))),))


@dataclass
class RollingPath:
    """One rolling path (two reviews per submission, a lease of one hour) and its state in *store*."""

    store: SqlStore
    course: Course
    path: LearningPath
    root: Path

    def submit(self, *learners: str, at: datetime = T0) -> None:
        for learner in learners:
            sheet = AnswerSheet(path=self.path.id).with_answer(
                "story", Answer.make("text", f"{learner}'s story", updated="2026-11-22T09:00:00Z")
            )
            self.store.record_submission(learner, self.path.id, submitted_at=at, sheet=sheet)

    def state(self, *, now: datetime = T0, give: bool = True) -> PathState:
        """The path's state read from the store; with *give*, every waiting learner given their reviews."""
        state = load_state(
            self.store,
            self.course,
            self.path,
            needs_key=False,
            course_root=self.root,
            entries=dict,
            now=now,
        )
        if give:
            record_given(self.store, self.path.id, state, settle(state), now=now)
        return state


@pytest.fixture
def rolling_path(store: SqlStore, tmp_path: Path) -> RollingPath:
    review = ReviewSettings(rubric=RUBRIC.id, per_submission=2, mode="rolling", lease_hours=1)
    path = LearningPath(id="essay", title="An essay", notebook=Path("essay.ipynb"), peer_review=True, review=review)
    course = Course(id="c", title="C", paths=(path,), rubrics={RUBRIC.id: RUBRIC})
    return RollingPath(store, course, path, tmp_path)
