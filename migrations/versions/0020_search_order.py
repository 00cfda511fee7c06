"""Search pages read an index in their order (issue 12): hits by tier, then newest first

Revision ID: 0020
Revises: 0019

A search lists the hits whose title or summary holds the query first, then those that hold it in
the text only, newest first within each (``api.services.search.prepare_search``), instead of
ranking every hit by relevance: a page then walks ``ix_document_search_order`` from its cursor and
stops at its end, whatever the number of hits. On PostgreSQL ``ix_document_search_head_tsv`` (GIN)
serves the title-and-summary tier of a rare word, which the planner reads by bitmap and sorts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    # SQLite sorts NULL first ascending, so DESC already puts them last (and refuses NULLS LAST here).
    nulls = " NULLS LAST" if postgresql else ""
    op.create_index(
        "ix_document_search_order", "document_search", [sa.text(f"published_at DESC{nulls}"), sa.text("document_id DESC")]
    )
    if postgresql:
        op.create_index("ix_document_search_head_tsv", "document_search", ["head_tsv"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_document_search_head_tsv", table_name="document_search")
    op.drop_index("ix_document_search_order", table_name="document_search")
