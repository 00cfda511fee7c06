"""List orders served by indexes (issue 12)

Revision ID: 0009
Revises: 0008

The document lists are ordered ``published_at DESC NULLS LAST, id DESC``; the old
``ix_documents_published_at`` gives that order only as ``DESC NULLS FIRST`` (a backward scan), so
every page was a scan of the whole table plus a sort. Two indexes in the list order: one for the
public lists, whose predicate is written as SQLAlchemy renders ``Document.public.is_(True)``
(``public IS true``; PostgreSQL does not use an index ``WHERE public`` for it), and one for the
staff lists, which also show drafts (``published_at`` NULL, last).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite sorts NULL first ascending, so DESC already puts drafts last (and refuses NULLS LAST here).
    nulls = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    order = [sa.text(f"published_at DESC{nulls}"), sa.text("id DESC")]
    op.create_index(
        "ix_documents_public_order",
        "documents",
        order,
        postgresql_where=sa.text("public IS true"),
        sqlite_where=sa.text("public IS 1"),
    )
    op.create_index("ix_documents_order", "documents", order)
    op.create_index("ix_documents_queue_order", "documents", ["updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_documents_queue_order", table_name="documents")
    op.drop_index("ix_documents_order", table_name="documents")
    op.drop_index("ix_documents_public_order", table_name="documents")
