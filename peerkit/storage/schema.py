"""The store's tables (SQLAlchemy 2 declarative). Changes here need an alembic migration in
``peerkit/storage/migrations/versions``; ``tests/storage/test_migrations.py`` checks they agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class LearnerRow(Base):
    __tablename__ = "learner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    circle: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SubmissionRecord(Base):
    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("learner_id", "path_id", "submitted_at", name="uq_submission_version"),
        Index("ix_submission_path_current", "path_id", "current"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    path_id: Mapped[str] = mapped_column(String(48))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(200), default="")
    checksum: Mapped[str] = mapped_column(String(64))
    sheet: Mapped[str] = mapped_column(Text)  # the answer sheet's JSON, exactly as validated
    # Names the learner's review channel; derived from this version's nbgrader submission secret.
    channel_key: Mapped[str | None] = mapped_column(String(64))
    # complete, incomplete (``blank`` required answers left blank) or no-answers (peerkit.core.completeness)
    status: Mapped[str] = mapped_column(String(12), default="complete", server_default="complete")
    blank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    learner: Mapped[LearnerRow] = relationship(lazy="joined")
    answers: Mapped[list[AnswerRecord]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", lazy="selectin"
    )


class AnswerRecord(Base):
    """One answer of a submission, for queries across a cohort (word counts, tags, who is silent)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("submission_id", "answer_id", name="uq_answer_per_submission"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    answer_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    submission: Mapped[SubmissionRecord] = relationship(back_populates="answers")


class RoundRecord(Base):
    """A peer-review round of one path (one round per path)."""

    __tablename__ = "review_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path_id: Mapped[str] = mapped_column(String(48), unique=True)
    rubric_id: Mapped[str] = mapped_column(String(48))
    per_submission: Mapped[int] = mapped_column(Integer)
    anonymity: Mapped[str] = mapped_column(String(20))
    self_assessment: Mapped[bool] = mapped_column(Boolean)
    seed: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    secret: Mapped[str | None] = mapped_column(String(64))  # see peerkit.core.review.Round.secret


class AssignmentRecord(Base):
    """Reviewer X reviews author Y's submission in a round, through the packet named by ``token``."""

    __tablename__ = "review_assignment"
    __table_args__ = (Index("ix_assignment_round_reviewer", "round_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(10))  # open, done, replaced
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewRecord(Base):
    """A review as ingested: a peer's review through an assignment, or an author's self-assessment."""

    __tablename__ = "review"
    __table_args__ = (Index("ix_review_round_author", "round_id", "author_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("review_assignment.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # peer, self
    scores: Mapped[Any] = mapped_column(JSONType)
    comments: Mapped[Any] = mapped_column(JSONType)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    current: Mapped[bool] = mapped_column(Boolean)
    checksum: Mapped[str] = mapped_column(String(64))
    # A facilitator may leave a review out of the grade (careless, unkind, flagged by its author).
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    excluded_reason: Mapped[str | None] = mapped_column(Text)


class RatingRecord(Base):
    """An author's rating of a review they received: how helpful (1-5), a note, a flag."""

    __tablename__ = "review_rating"
    __table_args__ = (UniqueConstraint("review_token", "rater_id", name="uq_rating_per_review"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    review_token: Mapped[str] = mapped_column(String(32))  # the assignment token of the rated review
    rater_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    helpful: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnchorRecord(Base):
    """A facilitator's own grading of one submission: an example that anchors reviewers' biases."""

    __tablename__ = "review_anchor"
    __table_args__ = (UniqueConstraint("round_id", "author_id", name="uq_anchor_per_author"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    scores: Mapped[Any] = mapped_column(JSONType)
    graded_by: Mapped[str] = mapped_column(String(100))
    graded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GradeRecord(Base):
    """The grade of one submission in a round, as last computed, and any override."""

    __tablename__ = "review_grade"
    __table_args__ = (UniqueConstraint("round_id", "author_id", name="uq_grade_per_author"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(20))
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    uncertainty: Mapped[float | None] = mapped_column(Float)
    criteria: Mapped[Any] = mapped_column(JSONType)  # criterion -> {estimate, uncertainty, reviews, spread}
    reviews: Mapped[int] = mapped_column(Integer)
    flags: Mapped[Any] = mapped_column(JSONType)  # reasons for a facilitator to look (disagreement, uncertainty)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    override_points: Mapped[float | None] = mapped_column(Float)
    override_by: Mapped[str | None] = mapped_column(String(100))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RollingFeedbackRecord(Base):
    """Rolling review: how many finished reviews the feedback last released to an author held, so
    that each new review re-releases it once (and a restarted steward knows what went out)."""

    __tablename__ = "rolling_feedback"
    __table_args__ = (UniqueConstraint("round_id", "author_id", name="uq_rolling_feedback_per_author"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    reviews: Mapped[int] = mapped_column(Integer)
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DocumentRecord(Base):
    """A document delivered to one learner: their round manifest, a packet, their feedback.

    The same documents the local review channel holds as files; the hub service serves a learner
    only the rows of their own ``learner_id``.
    """

    __tablename__ = "delivered_document"
    __table_args__ = (UniqueConstraint("learner_id", "name", name="uq_document_per_learner"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))  # round-<path>.json, packet-<token>.json, feedback-<path>.json
    doc: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DraftRecord(Base):
    """A learner's unsubmitted review answer, saved through the hub service as they type."""

    __tablename__ = "review_draft"
    __table_args__ = (UniqueConstraint("learner_id", "path_id", "answer_id", name="uq_draft_per_answer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    path_id: Mapped[str] = mapped_column(String(48))  # the reviewed path
    answer_id: Mapped[str] = mapped_column(String(64))  # r-<token>, h-<token> or self
    answer: Mapped[Any] = mapped_column(JSONType)  # the answer as peerkit-answers.json holds it
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActivityRecord(Base):
    """One event a learner's page recorded (opened, answered, submitted, feedback read), once ingested."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_path_event", "path_id", "event"),
        Index("ix_activity_learner", "learner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)  # the page's random id: ingest is idempotent
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    path_id: Mapped[str] = mapped_column(String(64))  # a path, or its "<path>-review" assignment
    event: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoteRecord(Base):
    """A path's summary notes: the machine draft, the facilitator's working text, the released text."""

    __tablename__ = "summary_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path_id: Mapped[str] = mapped_column(String(48), unique=True)
    draft: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    sources: Mapped[int] = mapped_column(Integer)  # reflections the draft was made from
    drafted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    edited_by: Mapped[str | None] = mapped_column(String(100))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_text: Mapped[str | None] = mapped_column(Text)
    released_by: Mapped[str | None] = mapped_column(String(100))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GalleryRecord(Base):
    """A facilitator's decision on a learner's contributed example: approved (with the content as
    approved, names redacted) or hidden."""

    __tablename__ = "gallery_item"
    __table_args__ = (UniqueConstraint("learner_id", "path_id", "answer_id", name="uq_gallery_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    path_id: Mapped[str] = mapped_column(String(48))
    answer_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))  # approved, hidden
    content: Mapped[Any] = mapped_column(JSONType)
    checksum: Mapped[str] = mapped_column(String(64))  # of the example as the learner wrote it
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
