"""Review rounds: rounds, assignments with packet tokens, reviews; the submission's channel key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("channel_key", sa.String(64), nullable=True))
    op.create_table(
        "review_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("path_id", sa.String(48), nullable=False, unique=True),
        sa.Column("rubric_id", sa.String(48), nullable=False),
        sa.Column("per_submission", sa.Integer(), nullable=False),
        sa.Column("anonymity", sa.String(20), nullable=False),
        sa.Column("self_assessment", sa.Boolean(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "review_assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("review_round.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token", sa.String(32), nullable=False, unique=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_assignment_round_reviewer", "review_assignment", ["round_id", "reviewer_id"])
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("review_round.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "assignment_id", sa.Integer(), sa.ForeignKey("review_assignment.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("scores", JSONType, nullable=False),
        sa.Column("comments", JSONType, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
    )
    op.create_index("ix_review_round_author", "review", ["round_id", "author_id"])


def downgrade() -> None:
    op.drop_index("ix_review_round_author", table_name="review")
    op.drop_table("review")
    op.drop_index("ix_assignment_round_reviewer", table_name="review_assignment")
    op.drop_table("review_assignment")
    op.drop_table("review_round")
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("channel_key")
