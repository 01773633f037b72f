"""Whether each submission is complete: every required answer given, some left blank, or none at all.

Submissions stored before this revision are judged from what the store holds: one without any
answer is ``no-answers``, any other ``complete`` until the next ingest of its path checks it
against the path's required answers (ingest updates the status of an unchanged submission).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("status", sa.String(12), nullable=False, server_default="complete"))
        batch.add_column(sa.Column("blank", sa.Integer(), nullable=False, server_default="0"))
    submission = sa.table("submission", sa.column("id", sa.Integer()), sa.column("status", sa.String(12)))
    answer = sa.table("answer", sa.column("submission_id", sa.Integer()))
    op.execute(
        submission.update()
        .where(~sa.exists().where(answer.c.submission_id == submission.c.id))
        .values(status="no-answers")
    )


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("blank")
        batch.drop_column("status")
