"""Grades, ratings of reviews, excluded reviews, facilitator-graded examples, overrides.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("excluded", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("excluded_reason", sa.Text(), nullable=True))
    op.create_table(
        "review_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("review_round.id", ondelete="CASCADE"), nullable=False),
        sa.Column("review_token", sa.String(32), nullable=False),
        sa.Column("rater_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("helpful", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sa.Text(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("review_token", "rater_id", name="uq_rating_per_review"),
    )
    op.create_table(
        "review_anchor",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("review_round.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scores", JSONType, nullable=False),
        sa.Column("graded_by", sa.String(100), nullable=False),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("round_id", "author_id", name="uq_anchor_per_author"),
    )
    op.create_table(
        "review_grade",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("review_round.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("max_points", sa.Float(), nullable=False),
        sa.Column("uncertainty", sa.Float(), nullable=True),
        sa.Column("criteria", JSONType, nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("flags", JSONType, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("override_points", sa.Float(), nullable=True),
        sa.Column("override_by", sa.String(100), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("round_id", "author_id", name="uq_grade_per_author"),
    )


def downgrade() -> None:
    op.drop_table("review_grade")
    op.drop_table("review_anchor")
    op.drop_table("review_rating")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("excluded_reason")
        batch.drop_column("excluded")
