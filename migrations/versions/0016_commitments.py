"""Public commitments (issue 15): 民生实事 and 承诺事项, milestones, progress with evidence, events

Revision ID: 0016
Revises: 0015

A commitment (``commitments``) is made by an organization (``scope_path``: its path) to the people
of a unit (``unit_path``: where it is listed); its milestones (``commitment_milestones``, numbered
within it), progress entries (``commitment_progress``) with published documents as evidence
(``commitment_evidence``) and its history (``commitment_events``). The status is derived, not stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("LIVELIHOOD", "PLEDGE")
EVENTS = ("CREATED", "UPDATED", "MILESTONE_ADDED", "MILESTONE_COMPLETED", "PROGRESS_ADDED")


def upgrade() -> None:
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="commitmentkind", native_enum=False, length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("scope_path", sa.String(length=64), nullable=False),
        sa.Column("unit_path", sa.String(length=64), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["organizations.id"], name=op.f("fk_commitments_owner_id_organizations")),
        sa.ForeignKeyConstraint(["unit_id"], ["admin_units.id"], name=op.f("fk_commitments_unit_id_admin_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    for column in ("year", "owner_id", "unit_id", "scope_path", "unit_path"):
        op.create_index(op.f(f"ix_commitments_{column}"), "commitments", [column])
    op.create_table(
        "commitment_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitments.id"], name=op.f("fk_commitment_milestones_commitment_id_commitments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_milestones")),
        sa.UniqueConstraint("commitment_id", "number", name=op.f("uq_commitment_milestones_commitment_id")),
    )
    op.create_index(op.f("ix_commitment_milestones_commitment_id"), "commitment_milestones", ["commitment_id"])
    op.create_index(op.f("ix_commitment_milestones_due_on"), "commitment_milestones", ["due_on"])
    op.create_table(
        "commitment_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitments.id"], name=op.f("fk_commitment_progress_commitment_id_commitments")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_commitment_progress_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_progress")),
    )
    op.create_index(op.f("ix_commitment_progress_commitment_id"), "commitment_progress", ["commitment_id"])
    op.create_table(
        "commitment_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("progress_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_commitment_evidence_document_id_documents")),
        sa.ForeignKeyConstraint(["progress_id"], ["commitment_progress.id"], name=op.f("fk_commitment_evidence_progress_id_commitment_progress")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_evidence")),
        sa.UniqueConstraint("progress_id", "document_id", name=op.f("uq_commitment_evidence_progress_id")),
    )
    op.create_index(op.f("ix_commitment_evidence_progress_id"), "commitment_evidence", ["progress_id"])
    op.create_table(
        "commitment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*EVENTS, name="commitmenteventkind", native_enum=False, length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_commitment_events_actor_id_users")),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitments.id"], name=op.f("fk_commitment_events_commitment_id_commitments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_events")),
    )
    op.create_index(op.f("ix_commitment_events_commitment_id"), "commitment_events", ["commitment_id"])


def downgrade() -> None:
    for table in ("commitment_events", "commitment_evidence", "commitment_progress", "commitment_milestones"):
        op.drop_table(table)
    op.drop_table("commitments")
