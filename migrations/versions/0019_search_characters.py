"""Search that finds what people type (issue 15): one-character queries, and the office's synonyms

Revision ID: 0019
Revises: 0017

- Every indexed row's ``tokens`` and ``head`` gain the Chinese characters their words hold (each
  once, after the words; ``api.services.search.with_characters``): a query of one character (保)
  finds the documents whose words hold it (低保). Derived from the stored tokens, no new cut.
  The full-text indexes follow: SQLite's FTS5 table by its triggers, PostgreSQL's generated columns.
- ``search_synonyms``: the district office's synonym groups, applied at query time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "search_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonyms")),
    )
    from api.services.search import with_characters

    bind = op.get_bind()
    last = 0
    update = sa.text("UPDATE document_search SET tokens = :tokens, head = :head WHERE document_id = :id")
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT document_id, tokens, head FROM document_search WHERE document_id > :last "
                "ORDER BY document_id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        bind.execute(
            update,
            [{"id": i, "tokens": with_characters(t), "head": with_characters(h)} for i, t, h in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("search_synonyms")
    # The characters stay in the tokens: they only make one-character queries match.
