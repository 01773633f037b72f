"""The store's tables (SQLAlchemy 2 declarative). Changes here need an alembic migration in
``peerkit/storage/migrations/versions``; ``tests/storage/test_migrations.py`` checks they agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
