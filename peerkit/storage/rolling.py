"""What rolling review reads and writes beyond a round's own tables: narrow reads for the steward,
a stamp that tells it another process changed the round, whether reviews were started, and the
feedback released to each author before the path closes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select

from peerkit.storage.engine import SqlBase, _utc, insert_for
from peerkit.storage.schema import (
    ActivityRecord,
    AssignmentRecord,
    DraftRecord,
    LearnerRow,
    RollingFeedbackRecord,
    RoundRecord,
    SubmissionRecord,
)


@dataclass(frozen=True, slots=True)
class Submitter:
    """A learner's current submission of a path, without its answers: what the steward needs."""

    learner: str
    submitted_at: datetime
    source: str
    channel_key: str | None
    status: str


@dataclass(frozen=True, slots=True)
class Request:
    """A learner asked for one more classmate's work to review (activity id, learner, when)."""

    id: int
    learner: str
    at: datetime


class RollingMethods(SqlBase):
    def submitters(self, path_id: str, *, learners: Collection[str] | None = None) -> list[Submitter]:
        """Current submissions of *path_id* (of *learners* only, if given), oldest first; no answer sheets."""
        query = (
            select(
                LearnerRow.name,
                SubmissionRecord.submitted_at,
                SubmissionRecord.source,
                SubmissionRecord.channel_key,
                SubmissionRecord.status,
            )
            .join(LearnerRow, LearnerRow.id == SubmissionRecord.learner_id)
            .where(SubmissionRecord.path_id == path_id, SubmissionRecord.current)
            .order_by(SubmissionRecord.submitted_at, LearnerRow.name)
        )
        if learners is not None:
            query = query.where(LearnerRow.name.in_(list(learners)))
        with self.connection() as connection:
            rows = connection.execute(query).all()
        return [Submitter(name, _utc(at), source or "", key, status) for name, at, source, key, status in rows]

    def round_stamp(self, path_id: str) -> tuple[int, ...]:
        """Changes whenever the round's assignments, their states or the path's submissions change:
        a steward that holds the round in memory reloads when it is not what it last wrote."""
        with self.connection() as connection:
            assignments = connection.execute(
                select(
                    func.count(AssignmentRecord.id),
                    func.coalesce(func.max(AssignmentRecord.id), 0),
                    func.count(AssignmentRecord.done_at),
                    func.sum(func.length(AssignmentRecord.status)),
                )
                .join(RoundRecord, RoundRecord.id == AssignmentRecord.round_id)
                .where(RoundRecord.path_id == path_id)
            ).one()
            submissions = connection.execute(
                select(func.count(SubmissionRecord.id), func.coalesce(func.max(SubmissionRecord.id), 0)).where(
                    SubmissionRecord.path_id == path_id
                )
            ).one()
        return tuple(int(x or 0) for x in (*assignments, *submissions))

    def started_reviews(self, path_id: str, review_id: str, tokens: Collection[str]) -> set[str]:
        """Which of these packets' reviews were started: a draft saved (hub) or an answer recorded in
        the activity the learners' pages left (one host)."""
        if not tokens:
            return set()
        answer_ids = [f"r-{t}" for t in tokens]
        with self.connection() as connection:
            drafted = connection.execute(
                select(DraftRecord.answer_id).where(
                    DraftRecord.path_id == path_id, DraftRecord.answer_id.in_(answer_ids)
                )
            ).scalars()
            answered = connection.execute(
                select(ActivityRecord.detail).where(
                    or_(ActivityRecord.path_id == review_id, ActivityRecord.path_id == path_id),
                    ActivityRecord.event == "answered",
                    ActivityRecord.detail.in_(answer_ids),
                )
            ).scalars()
            return {a.removeprefix("r-") for a in [*drafted, *answered]}

    def active_since(self, review_id: str, path_id: str, learners: Collection[str], since: datetime) -> set[str]:
        """Which of *learners* did anything on their reviews of *path_id* after *since* (came back)."""
        if not learners:
            return set()
        with self.connection() as connection:
            events = connection.execute(
                select(LearnerRow.name)
                .join(ActivityRecord, ActivityRecord.learner_id == LearnerRow.id)
                .where(
                    LearnerRow.name.in_(list(learners)),
                    ActivityRecord.path_id.in_([review_id, path_id]),
                    ActivityRecord.at > since,
                )
            ).scalars()
            drafts = connection.execute(
                select(LearnerRow.name)
                .join(DraftRecord, DraftRecord.learner_id == LearnerRow.id)
                .where(
                    LearnerRow.name.in_(list(learners)), DraftRecord.path_id == path_id, DraftRecord.updated_at > since
                )
            ).scalars()
            return {*events, *drafts}

    def review_requests(
        self, path_ids: Collection[str], *, after: int = 0, since: datetime | None = None
    ) -> list[Request]:
        """ "Review another" asked on the review page of *path_ids* (a path and its review
        assignment): the requests recorded after activity id *after* (and at or after *since*),
        oldest first."""
        query = (
            select(ActivityRecord.id, LearnerRow.name, ActivityRecord.at)
            .join(LearnerRow, LearnerRow.id == ActivityRecord.learner_id)
            .where(
                ActivityRecord.path_id.in_(list(path_ids)),
                ActivityRecord.event == "review-another",
                ActivityRecord.id > after,
            )
            .order_by(ActivityRecord.id)
        )
        if since is not None:
            query = query.where(ActivityRecord.at >= since)
        with self.connection() as connection:
            rows = connection.execute(query).all()
        return [Request(int(i), name, _utc(at)) for i, name, at in rows]

    def feedback_released(self, path_id: str) -> dict[str, int]:
        """Each author's feedback released so far in rolling review: how many reviews it held."""
        with self.connection() as connection:
            rows = connection.execute(
                select(LearnerRow.name, RollingFeedbackRecord.reviews)
                .join(LearnerRow, LearnerRow.id == RollingFeedbackRecord.author_id)
                .join(RoundRecord, RoundRecord.id == RollingFeedbackRecord.round_id)
                .where(RoundRecord.path_id == path_id)
            ).all()
        return {name: int(n) for name, n in rows}

    def mark_feedback_released(self, path_id: str, counts: Mapping[str, int], *, now: datetime | None = None) -> None:
        """Record that each author's feedback now holds ``counts[author]`` reviews."""
        if not counts:
            return
        when = now or datetime.now(UTC)
        with self.transaction() as session:
            round_id = session.scalars(select(RoundRecord.id).where(RoundRecord.path_id == path_id)).one()
            ids = self._learner_ids(session, set(counts), when)
            statement = insert_for(self.engine.dialect.name)(RollingFeedbackRecord)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["round_id", "author_id"],
                    set_={"reviews": statement.excluded.reviews, "released_at": statement.excluded.released_at},
                ),
                [
                    {"round_id": round_id, "author_id": ids[a], "reviews": n, "released_at": when}
                    for a, n in counts.items()
                ],
            )
