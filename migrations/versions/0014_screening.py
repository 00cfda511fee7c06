"""Screening (issue 15): the sensitive-word list per county and the scan's findings

Revision ID: 0014
Revises: 0013

``sensitive_word_lists`` holds one county's words (district office); ``screening_findings`` what
the scan before 审发 found in a version, with a fingerprint and a masked excerpt (never the value),
and whether it was fixed or waived. The waiver itself is a document event (stage WAIVE).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("ID_NUMBER", "MOBILE", "BANK_CARD", "SENSITIVE_WORD", "UNSCANNED")
FIELDS = ("TITLE", "SUMMARY", "BODY", "ATTACHMENT")
STATUSES = ("OPEN", "FIXED", "WAIVED")


def upgrade() -> None:
    op.create_table(
        "sensitive_word_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_path", sa.String(length=64), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_sensitive_word_lists_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensitive_word_lists")),
        sa.UniqueConstraint("scope_path", name=op.f("uq_sensitive_word_lists_scope_path")),
    )
    op.create_table(
        "screening_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="findingkind", native_enum=False, length=16), nullable=False),
        sa.Column("field", sa.Enum(*FIELDS, name="findingfield", native_enum=False, length=16), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("attachment_name", sa.String(length=255), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("excerpt", sa.String(length=200), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="findingstatus", native_enum=False, length=8), nullable=False),
        sa.Column("waiver_reason", sa.Text(), nullable=True),
        sa.Column("waived_by_id", sa.Integer(), nullable=True),
        sa.Column("waived_by_name", sa.String(length=100), nullable=True),
        sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"], name=op.f("fk_screening_findings_attachment_id_attachments")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_screening_findings_document_id_documents")),
        sa.ForeignKeyConstraint(["version_id"], ["document_versions.id"], name=op.f("fk_screening_findings_version_id_document_versions")),
        sa.ForeignKeyConstraint(["waived_by_id"], ["users.id"], name=op.f("fk_screening_findings_waived_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_findings")),
        sa.UniqueConstraint("version_id", "fingerprint", name=op.f("uq_screening_findings_version_id")),
    )
    op.create_index("ix_screening_findings_document_id", "screening_findings", ["document_id"])
    op.create_index("ix_screening_findings_version_id", "screening_findings", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_screening_findings_version_id", table_name="screening_findings")
    op.drop_index("ix_screening_findings_document_id", table_name="screening_findings")
    op.drop_table("screening_findings")
    op.drop_table("sensitive_word_lists")
