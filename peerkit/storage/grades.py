"""Grades in the SQL store: computed grades and overrides, excluded reviews, ratings, anchors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from peerkit.core.errors import NotFound
from peerkit.core.review import CriterionGrade, Grade, NewRating
from peerkit.storage.engine import _utc
from peerkit.storage.rounds import RoundMethods
from peerkit.storage.schema import (
    AnchorRecord,
    AssignmentRecord,
    GradeRecord,
    LearnerRow,
    RatingRecord,
    ReviewRecord,
)


class GradeMethods(RoundMethods):
    # -- excluding reviews -------------------------------------------------------------------------

    def exclude_review(self, path_id: str, token: str, *, reason: str, exclude: bool = True) -> None:
        """Leave the review made through packet *token* out of the grade (or take it back in)."""
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            assignment = session.scalars(
                select(AssignmentRecord).where(AssignmentRecord.token == token, AssignmentRecord.round_id == record.id)
            ).one_or_none()
            if assignment is None:
                raise NotFound(f"no review with packet {token!r} in {path_id!r}")
            session.execute(
                update(ReviewRecord)
                .where(ReviewRecord.assignment_id == assignment.id)
                .values(excluded=exclude, excluded_reason=reason if exclude else None)
            )

    # -- ratings ----------------------------------------------------------------------------------

    def record_ratings(self, path_id: str, items: Sequence[NewRating]) -> int:
        """Keep each author's latest rating of each review they received; return how many changed."""
        changed = 0
        now = datetime.now(UTC)
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            ids = self._learner_ids(session, {i.rater for i in items}, now)
            for item in items:
                author_of = session.scalars(
                    select(AssignmentRecord.author_id).where(
                        AssignmentRecord.token == item.token, AssignmentRecord.round_id == record.id
                    )
                ).one_or_none()
                if author_of != ids[item.rater]:
                    raise NotFound(f"{item.rater!r} received no review with that packet in {path_id!r}")
                row = session.scalars(
                    select(RatingRecord).where(
                        RatingRecord.review_token == item.token, RatingRecord.rater_id == ids[item.rater]
                    )
                ).one_or_none()
                values = {
                    "helpful": item.helpful,
                    "note": item.note[:2000],
                    "flagged": item.flagged,
                    "flag_reason": item.flag_reason[:2000],
                    "rated_at": item.rated_at or now,
                }
                if row is None:
                    session.add(
                        RatingRecord(round_id=record.id, review_token=item.token, rater_id=ids[item.rater], **values)
                    )
                    changed += 1
                elif any(getattr(row, k) != v for k, v in values.items() if k != "rated_at"):
                    for key, value in values.items():
                        setattr(row, key, value)
                    changed += 1
        return changed

    def ratings(self, path_id: str) -> list[NewRating]:
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            # Columns, not ORM objects: a big round has tens of thousands of ratings.
            rows = session.execute(
                select(
                    LearnerRow.name,
                    RatingRecord.review_token,
                    RatingRecord.helpful,
                    RatingRecord.note,
                    RatingRecord.flagged,
                    RatingRecord.flag_reason,
                    RatingRecord.rated_at,
                )
                .join(LearnerRow, LearnerRow.id == RatingRecord.rater_id)
                .where(RatingRecord.round_id == record.id)
                .order_by(LearnerRow.name, RatingRecord.review_token)
            ).all()
            return [
                NewRating(
                    rater=name,
                    token=token,
                    helpful=helpful,
                    note=note,
                    flagged=flagged,
                    flag_reason=reason,
                    rated_at=_utc(rated_at),
                )
                for name, token, helpful, note, flagged, reason, rated_at in rows
            ]

    # -- anchors ----------------------------------------------------------------------------------

    def set_anchor(self, path_id: str, author: str, scores: Mapping[str, float], *, by: str) -> None:
        """The facilitator's own scores for *author*'s submission (an example that anchors reviewers)."""
        now = datetime.now(UTC)
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            author_id = self._learner_ids(session, {author}, now)[author]
            row = session.scalars(
                select(AnchorRecord).where(AnchorRecord.round_id == record.id, AnchorRecord.author_id == author_id)
            ).one_or_none()
            if row is None:
                session.add(
                    AnchorRecord(
                        round_id=record.id, author_id=author_id, scores=dict(scores), graded_by=by, graded_at=now
                    )
                )
            else:
                row.scores, row.graded_by, row.graded_at = dict(scores), by, now

    def anchors(self, path_id: str) -> dict[str, dict[str, float]]:
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            rows = session.execute(
                select(LearnerRow.name, AnchorRecord.scores)
                .join(LearnerRow, LearnerRow.id == AnchorRecord.author_id)
                .where(AnchorRecord.round_id == record.id)
            ).all()
            return {name: {str(k): float(v) for k, v in scores.items()} for name, scores in rows}

    # -- grades -----------------------------------------------------------------------------------

    def save_grades(self, path_id: str, grades: Sequence[Grade]) -> None:
        """Store freshly computed grades; overrides and release times already recorded are kept."""
        now = datetime.now(UTC)
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            ids = self._learner_ids(session, {g.author for g in grades}, now)
            existing = {
                row.author_id: row
                for row in session.scalars(select(GradeRecord).where(GradeRecord.round_id == record.id)).all()
            }
            for grade in grades:
                values = {
                    "method": grade.method,
                    "points": grade.points,
                    "max_points": grade.max_points,
                    "uncertainty": grade.uncertainty,
                    "criteria": {k: asdict(v) for k, v in grade.criteria.items()},
                    "reviews": grade.reviews,
                    "flags": list(grade.flags),
                    "computed_at": grade.computed_at or now,
                }
                row = existing.get(ids[grade.author])
                if row is None:
                    session.add(GradeRecord(round_id=record.id, author_id=ids[grade.author], **values))
                else:
                    for key, value in values.items():
                        setattr(row, key, value)

    def grades(self, path_id: str) -> list[Grade]:
        author = aliased(LearnerRow)
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            rows = session.execute(
                select(GradeRecord, author.name)
                .join(author, author.id == GradeRecord.author_id)
                .where(GradeRecord.round_id == record.id)
                .order_by(author.name)
            ).all()
            return [
                Grade(
                    author=name,
                    method=g.method,
                    points=g.points,
                    max_points=g.max_points,
                    uncertainty=g.uncertainty,
                    criteria={k: CriterionGrade(**v) for k, v in (g.criteria or {}).items()},
                    reviews=g.reviews,
                    flags=tuple(g.flags or ()),
                    computed_at=_utc(g.computed_at),
                    override_points=g.override_points,
                    override_by=g.override_by,
                    override_reason=g.override_reason,
                    override_at=_utc(g.override_at) if g.override_at else None,
                    released_at=_utc(g.released_at) if g.released_at else None,
                )
                for g, name in rows
            ]

    def override_grade(self, path_id: str, learner: str, points: float | None, *, by: str, reason: str) -> None:
        """Set (or, with None, clear) a grade by hand, recording who and why."""
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            row = session.scalars(
                select(GradeRecord)
                .join(LearnerRow, LearnerRow.id == GradeRecord.author_id)
                .where(GradeRecord.round_id == record.id, LearnerRow.name == learner)
            ).one_or_none()
            if row is None:
                raise NotFound(f"{learner!r} has no grade in {path_id!r} yet (peerkit review close {path_id})")
            row.override_points = points
            row.override_by = by if points is not None else None
            row.override_reason = reason if points is not None else None
            row.override_at = datetime.now(UTC) if points is not None else None

    def mark_released(self, path_id: str, learners: Sequence[str], *, at: datetime | None = None) -> None:
        when = at or datetime.now(UTC)
        with self.transaction() as session:
            record = self._round_record(session, path_id)
            ids = self._learner_ids(session, set(learners), when)
            session.execute(
                update(GradeRecord)
                .where(GradeRecord.round_id == record.id, GradeRecord.author_id.in_(list(ids.values())))
                .values(released_at=when)
            )
