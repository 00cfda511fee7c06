"""Requests as a clerk works them (issue 14): fees, the correction's lapse day, complete calendar years

Revision ID: 0012
Revises: 0011

- ``info_requests`` gains ``fee_yuan`` and ``payment_due_on`` (a 收费通知's amount and lapse day).
- ``fee_standards``: the office's fee standard per method, once it sets one (until then the
  measure's own, ``api.services.requests.fees.DEFAULT_STANDARDS``).
- ``request_rules``: the office's correction period, once it sets one (until then 15 working days).
- ``calendar_years``: the years the district office marked complete.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("info_requests") as batch_op:
        batch_op.add_column(sa.Column("fee_yuan", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("payment_due_on", sa.Date(), nullable=True))
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["marked_by_id"], ["users.id"], name=op.f("fk_calendar_years_marked_by_id_users")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    op.create_table(
        "fee_standards",
        sa.Column("method", sa.Enum("BY_PIECE", "BY_VOLUME", name="feemethod", native_enum=False, length=16), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("step_units", sa.Integer(), nullable=True),
        sa.Column("step_yuan", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("method", name=op.f("pk_fee_standards")),
    )
    op.create_table(
        "request_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("correction_working_days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_rules")),
    )


def downgrade() -> None:
    op.drop_table("request_rules")
    op.drop_table("fee_standards")
    op.drop_table("calendar_years")
    with op.batch_alter_table("info_requests") as batch_op:
        batch_op.drop_column("payment_due_on")
        batch_op.drop_column("fee_yuan")
