"""Each review round keeps a secret that keys its learners' own-packet tokens and its exports' pseudonyms.

Hashed from the round's 31-bit seed alone, a learner's own-packet token could be searched back to the
seed, and with it the allocation (who reviews whom) recomputed. Rounds opened before this revision keep
no secret (NULL) and their tokens as delivered; every round opened after it gets one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_round") as batch:
        batch.add_column(sa.Column("secret", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_round") as batch:
        batch.drop_column("secret")
