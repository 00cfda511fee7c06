"""Search at county scale (issue 12): hits ranked by their title and summary, and scanned cheaply

Revision ID: 0011
Revises: 0010

``document_search`` gains ``head`` (the tokens of the title and summary), and the document's
``published_at`` and ``scope_path`` (copied at each indexing), so that a search reads this table
alone: the order (rank, then newest) and a kiosk's unit filter need no row of ``documents``.

On PostgreSQL: ``head_tsv`` (generated, ``to_tsvector('simple', head)``), which ``ts_rank`` reads
instead of the whole text's tsvector; and ``toast_tuple_target = 128``, which keeps the long
``tokens`` and ``tsv`` out of line (``head`` and ``head_tsv`` stay in the row: STORAGE MAIN), so that
the scan of every hit that matching, ranking and counting make reads rows of a few hundred bytes
and no TOAST: at 100,000 documents ``search("低保")`` ranked 7,120 hits in 100 ms, and in 30 ms
after this (bench/RESULTS.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    op.add_column("document_search", sa.Column("head", sa.Text(), nullable=False, server_default=""))
    op.add_column("document_search", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("document_search", sa.Column("scope_path", sa.String(length=64), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE document_search SET (toast_tuple_target = 128)")
        op.execute(
            "ALTER TABLE document_search ADD COLUMN head_tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, head)) STORED"
        )
        # What ranking reads stays in the row (compressed), the rest goes out of line.
        op.execute("ALTER TABLE document_search ALTER COLUMN head SET STORAGE MAIN")
        op.execute("ALTER TABLE document_search ALTER COLUMN head_tsv SET STORAGE MAIN")
    _fill()


def _fill() -> None:
    """The new columns of the rows indexed before (every row is rewritten: on PostgreSQL in the
    new, narrow layout)."""
    from api.models import BodyFormat
    from api.services.search import text_tokens

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT s.document_id, v.title, v.summary, v.body_format, d.published_at, d.scope_path "
            "FROM document_search s JOIN documents d ON d.id = s.document_id "
            "JOIN document_versions v ON v.id = d.current_version_id ORDER BY s.document_id"
        )
    ).all()
    update = sa.text(
        "UPDATE document_search SET head = :head, published_at = :published_at, scope_path = :scope_path "
        "WHERE document_id = :id"
    ).bindparams(sa.bindparam("published_at", type_=sa.DateTime(timezone=True)))
    for start in range(0, len(rows), BATCH):
        bind.execute(
            update,
            [
                {"id": id_, "head": text_tokens(title, summary or "", "", BodyFormat(fmt)),
                 "published_at": published_at, "scope_path": scope_path}
                for id_, title, summary, fmt, published_at, scope_path in rows[start : start + BATCH]
            ],
        )  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE document_search DROP COLUMN head_tsv")
        op.execute("ALTER TABLE document_search RESET (toast_tuple_target)")
    with op.batch_alter_table("document_search") as batch:
        batch.drop_column("scope_path")
        batch.drop_column("published_at")
        batch.drop_column("head")
