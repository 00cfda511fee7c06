"""Change counters (issue 12): the versions that tell every worker its cached answers are current

Revision ID: 0010
Revises: 0009

One row per topic: ``content`` (everything a public or kiosk answer can show) and ``accounts``
(users and grants: what a cached kiosk device actor is made of). A change bumps its topic's
version in its own transaction (api/changes.py); a worker serves a cached answer only while the
version it was computed at is still the current one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOPICS = ("content", "accounts")


def upgrade() -> None:
    counters = op.create_table(
        "change_counters",
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_change_counters")),
    )
    op.bulk_insert(counters, [{"topic": topic, "version": 0} for topic in TOPICS])


def downgrade() -> None:
    op.drop_table("change_counters")
