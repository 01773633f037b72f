"""The facilitator dashboard: learners' activity, summary notes, the example gallery.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.String(32), nullable=False, unique=True),
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("path_id", sa.String(64), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_activity_path_event", "activity", ["path_id", "event"])
    op.create_index("ix_activity_learner", "activity", ["learner_id"])
    op.create_table(
        "summary_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("path_id", sa.String(48), nullable=False, unique=True),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("edited_by", sa.String(100), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_text", sa.Text(), nullable=True),
        sa.Column("released_by", sa.String(100), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "gallery_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("path_id", sa.String(48), nullable=False),
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("content", JSONType, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("learner_id", "path_id", "answer_id", name="uq_gallery_item"),
    )


def downgrade() -> None:
    op.drop_table("gallery_item")
    op.drop_table("summary_note")
    op.drop_index("ix_activity_learner", table_name="activity")
    op.drop_index("ix_activity_path_event", table_name="activity")
    op.drop_table("activity")
