"""Notices as documents (issue 14): 补正告知书, 延期答复告知书, 征求第三方意见函, 收费通知 and the 答复书

Revision ID: 0013
Revises: 0012

Each notice is kept as issued (``info_request_notices``) with a 文号 from its organization's
scheme (``organizations.notice_scheme``, or the default) and a serial per organization and year
(``notice_counters``); the district office's texts per kind live in ``notice_templates``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("CORRECTION", "EXTENSION", "THIRD_PARTY", "FEE", "REPLY")


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.add_column(sa.Column("notice_scheme", sa.String(length=60), nullable=True))
    op.create_table(
        "info_request_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="noticekind", native_enum=False, length=16), nullable=False),
        sa.Column("doc_no", sa.String(length=80), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("addressee", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_info_request_notices_issued_by_id_users")),
        sa.ForeignKeyConstraint(["request_id"], ["info_requests.id"], name=op.f("fk_info_request_notices_request_id_info_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_request_notices")),
        sa.UniqueConstraint("doc_no", name=op.f("uq_info_request_notices_doc_no")),
    )
    op.create_index("ix_info_request_notices_request_id", "info_request_notices", ["request_id"])
    op.create_table(
        "notice_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="noticekind", native_enum=False, length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_templates")),
        sa.UniqueConstraint("kind", name=op.f("uq_notice_templates_kind")),
    )
    op.create_table(
        "notice_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name=op.f("fk_notice_counters_organization_id_organizations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_counters")),
        sa.UniqueConstraint("organization_id", "year", name=op.f("uq_notice_counters_organization_id")),
    )


def downgrade() -> None:
    op.drop_table("notice_counters")
    op.drop_table("notice_templates")
    op.drop_index("ix_info_request_notices_request_id", table_name="info_request_notices")
    op.drop_table("info_request_notices")
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_column("notice_scheme")
