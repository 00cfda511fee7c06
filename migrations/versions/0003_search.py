"""search

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000

document_search holds the jieba tokens of every public document. The full-text index over them is
per dialect: SQLite an external-content FTS5 table kept in sync by triggers (so deleting a
document_search row also empties its FTS entry), PostgreSQL a generated tsvector column with a GIN
index. Documents already public are indexed on upgrade.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE document_search_fts USING fts5(tokens, content='document_search', content_rowid='document_id')",
    """CREATE TRIGGER document_search_ai AFTER INSERT ON document_search BEGIN
  INSERT INTO document_search_fts(rowid, tokens) VALUES (new.document_id, new.tokens);
END""",
    """CREATE TRIGGER document_search_ad AFTER DELETE ON document_search BEGIN
  INSERT INTO document_search_fts(document_search_fts, rowid, tokens) VALUES ('delete', old.document_id, old.tokens);
END""",
    """CREATE TRIGGER document_search_au AFTER UPDATE ON document_search BEGIN
  INSERT INTO document_search_fts(document_search_fts, rowid, tokens) VALUES ('delete', old.document_id, old.tokens);
  INSERT INTO document_search_fts(rowid, tokens) VALUES (new.document_id, new.tokens);
END""",
]


def upgrade() -> None:
    op.create_table('document_search',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('tokens', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_search_document_id_documents')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_search'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == 'postgresql':
        op.execute(
            "ALTER TABLE document_search ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, tokens)) STORED"
        )
        op.create_index('ix_document_search_tsv', 'document_search', ['tsv'], unique=False, postgresql_using='gin')
    _index_public_documents()


def _index_public_documents() -> None:
    from api.models import BodyFormat
    from api.services.search import text_tokens

    rows = op.get_bind().execute(sa.text(
        "SELECT d.id, v.title, v.summary, v.body, v.body_format FROM documents d "
        "JOIN document_versions v ON v.id = d.current_version_id WHERE d.public = :yes"
    ).bindparams(sa.bindparam('yes', True, sa.Boolean()))).all()
    if not rows:
        return
    search = sa.table('document_search', sa.column('document_id', sa.Integer()), sa.column('tokens', sa.Text()),
                      sa.column('updated_at', sa.DateTime(timezone=True)))
    now = datetime.now(UTC)
    op.bulk_insert(search, [
        {'document_id': id_, 'tokens': text_tokens(title, summary or '', body or '', BodyFormat(fmt)), 'updated_at': now}
        for id_, title, summary, body, fmt in rows
    ])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('document_search_au', 'document_search_ad', 'document_search_ai'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS document_search_fts')
    elif dialect == 'postgresql':
        op.drop_index('ix_document_search_tsv', table_name='document_search', postgresql_using='gin')
    op.drop_table('document_search')
