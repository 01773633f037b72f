"""Review rounds in the SQL store: the round, its assignments (with packet tokens) and the reviews."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, aliased

from peerkit.core.errors import Conflict, NotFound
from peerkit.core.review import Assignment, NewReview, Review, Round
from peerkit.core.rubric import Anonymity, ReviewContent
from peerkit.core.store import Outcome
from peerkit.storage.engine import SqlBase, _utc
from peerkit.storage.schema import AssignmentRecord, LearnerRow, ReviewRecord, RoundRecord, SubmissionRecord


def _round(record: RoundRecord) -> Round:
    anonymity: Anonymity = record.anonymity  # type: ignore[assignment]  # written by open_round only
    return Round(
        path_id=record.path_id,
        rubric_id=record.rubric_id,
        per_submission=record.per_submission,
        anonymity=anonymity,
        self_assessment=record.self_assessment,
        seed=record.seed,
        opened_at=_utc(record.opened_at),
        closed_at=_utc(record.closed_at) if record.closed_at else None,
        secret=record.secret or "",
    )


@dataclass(slots=True)
class _Version:
    """A stored (or just added: *row*) version of one review, as :meth:`record_reviews` weighs it."""

    id: int | None
    when: datetime
    checksum: str
    current: bool = True
    row: dict[str, Any] | None = None


def _checksum(content: ReviewContent) -> str:
    text = json.dumps({"scores": dict(content.scores), "comments": dict(content.comments)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class RoundMethods(SqlBase):
    def _round_record(self, session: Session, path_id: str) -> RoundRecord:
        record = session.scalars(select(RoundRecord).where(RoundRecord.path_id == path_id)).one_or_none()
        if record is None:
            raise NotFound(f"no review round is open for {path_id!r} (peerkit review open {path_id})")
        return record

    def open_round(
        self,
        path_id: str,
        *,
        rubric_id: str,
        per_submission: int,
        anonymity: Anonymity,
        self_assessment: bool,
        seed: int,
        now: datetime | None = None,
    ) -> Round:
        """The round of *path_id*, created with these settings if it does not exist yet."""
        with self.transaction() as session:
            record = session.scalars(select(RoundRecord).where(RoundRecord.path_id == path_id)).one_or_none()
            if record is None:
                record = RoundRecord(
                    path_id=path_id,
                    rubric_id=rubric_id,
                    per_submission=per_submission,
                    anonymity=anonymity,
                    self_assessment=self_assessment,
                    seed=seed,
                    opened_at=now or datetime.now(UTC),
                    closed_at=None,
                    secret=secrets.token_hex(32),
                )
                session.add(record)
                session.flush()
            return _round(record)

    def review_round(self, path_id: str) -> Round | None:
        with self.transaction() as session:
            record = session.scalars(select(RoundRecord).where(RoundRecord.path_id == path_id)).one_or_none()
            return None if record is None else _round(record)

    def close_round(self, path_id: str, *, now: datetime | None = None) -> None:
        with self.transaction() as session:
            self._round_record(session, path_id).closed_at = now or datetime.now(UTC)

    def reopen_round(self, path_id: str) -> datetime | None:
        """Open *path_id*'s closed round again (``peerkit review open`` after a close); returns when it
        had closed (None: it was open, and stays so)."""
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            closed = _utc(record.closed_at) if record.closed_at else None
            record.closed_at = None
            return closed

    def channel_keys(self, path_id: str) -> dict[str, str]:
        """Each submitter's review channel key, from their current submission of *path_id*."""
        with self.transaction() as session:
            rows = session.execute(
                select(LearnerRow.name, SubmissionRecord.channel_key)
                .join(LearnerRow, LearnerRow.id == SubmissionRecord.learner_id)
                .where(SubmissionRecord.path_id == path_id, SubmissionRecord.current)
            ).all()
            return {name: key for name, key in rows if key}

    def add_assignments(
        self,
        path_id: str,
        pairs: Sequence[tuple[str, str, str]],
        *,
        now: datetime | None = None,
        replaced: Sequence[str] = (),
    ) -> None:
        """Record ``(reviewer, author, token)`` assignments; each author's current submission is the one
        reviewed. The open assignments *replaced* (tokens) are marked replaced in the same transaction:
        a step killed in between never leaves a review both handed over and still open."""
        if not pairs:
            self.replace_assignments(replaced)
            return
        when = now or datetime.now(UTC)
        with self.transaction() as session:
            self._mark_replaced(session, replaced)
            record = self._round_record(session, path_id)
            ids = self._learner_ids(session, {name for pair in pairs for name in pair[:2]}, when)
            current = dict(
                session.execute(
                    select(SubmissionRecord.learner_id, SubmissionRecord.id).where(
                        SubmissionRecord.path_id == path_id,
                        SubmissionRecord.current,
                        # a few authors (rolling review adds a handful at a time): only theirs
                        *(
                            [SubmissionRecord.learner_id.in_([ids[a] for _, a, _ in pairs])]
                            if len(pairs) <= 500
                            else []
                        ),
                    )
                ).all()
            )
            rows = []
            for reviewer, author, token in pairs:
                if reviewer == author:
                    raise Conflict(f"{reviewer!r} cannot review their own submission")
                if ids[author] not in current:
                    raise NotFound(f"{author!r} has no submission of {path_id!r} to review")
                rows.append(
                    {
                        "round_id": record.id,
                        "reviewer_id": ids[reviewer],
                        "author_id": ids[author],
                        "submission_id": current[ids[author]],
                        "token": token,
                        "status": "open",
                        "assigned_at": when,
                        "done_at": None,
                    }
                )
            session.execute(insert(AssignmentRecord), rows)  # in bulk: a round opens tens of thousands

    def assignments(
        self, path_id: str, *, reviewers: Collection[str] | None = None, tokens: Collection[str] | None = None
    ) -> list[Assignment]:
        """The round's assignments (only *reviewers*' or those of *tokens*, if given: rolling review
        reads a few at a time)."""
        reviewer, author = aliased(LearnerRow), aliased(LearnerRow)
        # Columns, not ORM objects: a round of ten thousand learners has tens of thousands of these.
        with self.connection() as connection:
            query = (
                select(
                    AssignmentRecord.token,
                    reviewer.name,
                    author.name,
                    AssignmentRecord.status,
                    AssignmentRecord.assigned_at,
                    AssignmentRecord.done_at,
                )
                .join(RoundRecord, RoundRecord.id == AssignmentRecord.round_id)
                .join(reviewer, reviewer.id == AssignmentRecord.reviewer_id)
                .join(author, author.id == AssignmentRecord.author_id)
                .where(RoundRecord.path_id == path_id)
                .order_by(reviewer.name, author.name, AssignmentRecord.id)
            )
            if reviewers is not None:
                query = query.where(reviewer.name.in_(list(reviewers)))
            if tokens is not None:
                query = query.where(AssignmentRecord.token.in_(list(tokens)))
            rows = connection.execute(query).all()
        return [
            Assignment(
                token=token,
                reviewer=r,
                author=au,
                status=status,  # type: ignore[arg-type]  # written by this module only
                assigned_at=_utc(assigned),
                done_at=_utc(done) if done else None,
            )
            for token, r, au, status, assigned, done in rows
        ]

    def replace_assignments(self, tokens: Sequence[str]) -> None:
        """Mark open assignments as replaced (their reviewer dropped out; others took them over)."""
        if not tokens:
            return
        with self.transaction() as session:
            self._mark_replaced(session, tokens)

    def _mark_replaced(self, session: Session, tokens: Sequence[str]) -> None:
        if tokens:
            session.execute(
                update(AssignmentRecord)
                .where(AssignmentRecord.token.in_(list(tokens)), AssignmentRecord.status == "open")
                .values(status="replaced")
            )

    def record_reviews(self, path_id: str, items: Sequence[NewReview]) -> list[Outcome]:
        """Record reviews in order. A peer review must come through an assignment of its reviewer in
        this round (else :class:`Conflict`); a review with no token is the reviewer's self-assessment.
        The newest version of each review is current; its assignment is marked done.

        The round's assignments and the versions already stored are read once, and the new rows
        written in bulk, in one transaction: a round of ten thousand learners is a few statements."""
        now = datetime.now(UTC)
        outcomes: list[Outcome] = []
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            ids = self._learner_ids(session, {item.reviewer for item in items}, now)
            tokens = {item.token for item in items if item.token is not None}
            assignments = {
                row.token: row
                for row in session.execute(
                    select(
                        AssignmentRecord.id,
                        AssignmentRecord.token,
                        AssignmentRecord.reviewer_id,
                        AssignmentRecord.author_id,
                        AssignmentRecord.status,
                    ).where(AssignmentRecord.round_id == record.id)
                )
                if row.token in tokens
            }
            # Each review's versions, by its assignment (peer) or its reviewer (self): [id, when, checksum].
            versions: dict[tuple[str, int], list[_Version]] = {}
            for row in session.execute(
                select(
                    ReviewRecord.id,
                    ReviewRecord.assignment_id,
                    ReviewRecord.reviewer_id,
                    ReviewRecord.kind,
                    ReviewRecord.submitted_at,
                    ReviewRecord.checksum,
                ).where(ReviewRecord.round_id == record.id)
            ):
                key = ("peer", row.assignment_id) if row.assignment_id is not None else ("self", row.reviewer_id)
                if key[0] == "peer" or row.kind == "self":
                    versions.setdefault(key, []).append(_Version(row.id, _utc(row.submitted_at), row.checksum))
            done: dict[int, datetime] = {}
            added: list[dict[str, Any]] = []
            for item in items:
                reviewer_id = ids[item.reviewer]
                assignment = assignments.get(item.token) if item.token is not None else None
                if item.token is not None and (assignment is None or assignment.reviewer_id != reviewer_id):
                    raise Conflict(f"{item.reviewer!r} has no review assignment with that packet in {path_id!r}")
                key = ("peer", assignment.id) if assignment is not None else ("self", reviewer_id)
                known = versions.setdefault(key, [])
                checksum = _checksum(item.content)
                when = _utc(item.submitted_at)
                if any(v.when == when and v.checksum == checksum for v in known):
                    outcomes.append("unchanged")
                    continue
                newest = max((v.when for v in known), default=None)
                is_current = newest is None or when >= newest
                if is_current:
                    for version in known:
                        version.current = False
                fresh: dict[str, Any] = {
                    "round_id": record.id,
                    "assignment_id": assignment.id if assignment else None,
                    "reviewer_id": reviewer_id,
                    "author_id": assignment.author_id if assignment else reviewer_id,
                    "kind": "peer" if assignment else "self",
                    "scores": dict(item.content.scores),
                    "comments": dict(item.content.comments),
                    "submitted_at": when,
                    "ingested_at": now,
                    "current": is_current,
                    "checksum": checksum,
                    "excluded": False,
                }
                added.append(fresh)
                known.append(_Version(None, when, checksum, row=fresh))
                if assignment is not None and assignment.status != "done" and assignment.id not in done:
                    done[assignment.id] = when
                outcomes.append("older" if not is_current else ("replaced" if len(known) > 1 else "added"))
            stale = [v.id for vs in versions.values() for v in vs if v.id is not None and not v.current]
            for chunk in range(0, len(stale), 5000):
                session.execute(
                    update(ReviewRecord).where(ReviewRecord.id.in_(stale[chunk : chunk + 5000])).values(current=False)
                )
            for vs in versions.values():
                for v in vs:
                    if v.row is not None:
                        v.row["current"] = v.current
            if added:
                session.execute(insert(ReviewRecord), added)
            if done:
                session.execute(
                    update(AssignmentRecord),
                    [{"id": aid, "status": "done", "done_at": when} for aid, when in done.items()],
                )
            return outcomes

    def reviews(
        self, path_id: str, *, current_only: bool = True, authors: Collection[str] | None = None
    ) -> list[Review]:
        reviewer, author = aliased(LearnerRow), aliased(LearnerRow)
        # Columns, not ORM objects (as for assignments): a big round has tens of thousands of reviews.
        query = (
            select(
                reviewer.name,
                author.name,
                ReviewRecord.kind,
                ReviewRecord.scores,
                ReviewRecord.comments,
                ReviewRecord.submitted_at,
                AssignmentRecord.token,
                ReviewRecord.current,
                ReviewRecord.excluded,
                ReviewRecord.excluded_reason,
            )
            .join(RoundRecord, RoundRecord.id == ReviewRecord.round_id)
            .join(reviewer, reviewer.id == ReviewRecord.reviewer_id)
            .join(author, author.id == ReviewRecord.author_id)
            .outerjoin(AssignmentRecord, AssignmentRecord.id == ReviewRecord.assignment_id)
            .where(RoundRecord.path_id == path_id)
            .order_by(author.name, reviewer.name, ReviewRecord.submitted_at)
        )
        if current_only:
            query = query.where(ReviewRecord.current)
        if authors is not None:
            query = query.where(author.name.in_(list(authors)))
        with self.connection() as connection:
            rows = connection.execute(query).all()
        return [
            Review(
                reviewer=r,
                author=au,
                kind=kind,
                content=ReviewContent(scores=dict(scores), comments=dict(comments)),
                submitted_at=_utc(at),
                token=token,
                current=current,
                excluded=excluded,
                excluded_reason=reason,
            )
            for r, au, kind, scores, comments, at, token, current, excluded, reason in rows
        ]
