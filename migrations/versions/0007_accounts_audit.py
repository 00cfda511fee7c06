"""Accounts and audit trail (issue 11): sign-in attempts, sessions, append-only audit

Revision ID: 0007
Revises: 0006

The audit log becomes a hash chain (existing rows are chained here, in id order) and append-only in
the database: triggers refuse UPDATE (and, on PostgreSQL, TRUNCATE) of audit_log and audit_archives,
and DELETE of any audit_log row except one that ``gongkai audit archive`` has exported (its id is
covered by an audit_archives row) and that is older than six months (网络安全法 第二十一条: 留存相关的
网络日志不少于六个月; 184 days is six months at their longest). On PostgreSQL that DELETE also needs
the session setting ``gongkai.audit_archive = on``, which only the archive command sets.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLOOR_DAYS = 184

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: a row cannot be changed'); END""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.id > coalesce((SELECT max(last_id) FROM audit_archives), 0)
  OR OLD.created_at >= datetime('now', '-{FLOOR_DAYS} days')
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: only archived rows past the retention can be deleted'); END""",
    """CREATE TRIGGER audit_archives_no_update BEFORE UPDATE ON audit_archives
BEGIN SELECT RAISE(ABORT, 'audit_archives is append-only'); END""",
    """CREATE TRIGGER audit_archives_no_delete BEFORE DELETE ON audit_archives
BEGIN SELECT RAISE(ABORT, 'audit_archives is append-only'); END""",
]

POSTGRESQL_FUNCTIONS = [
    f"""CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('gongkai.audit_archive', true) = 'on'
     AND OLD.id <= coalesce((SELECT max(last_id) FROM audit_archives), 0)
     AND OLD.created_at < now() - interval '{FLOOR_DAYS} days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$""",
    """CREATE FUNCTION audit_archives_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_archives is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$""",
]
POSTGRESQL_TRIGGERS = [
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_guard()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()",
    "CREATE TRIGGER audit_archives_append_only BEFORE UPDATE OR DELETE ON audit_archives "
    "FOR EACH ROW EXECUTE FUNCTION audit_archives_guard()",
    "CREATE TRIGGER audit_archives_no_truncate BEFORE TRUNCATE ON audit_archives "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_archives_guard()",
]


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('client_addr', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_window_started_at'), ['window_started_at'], unique=False)

    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain'))
    )
    op.create_table('audit_archives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_archives'))
    )

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    _chain_existing_rows()
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)

    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRESQL_FUNCTIONS + POSTGRESQL_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def _chain_existing_rows() -> None:
    """Rows written before this migration are chained now, in id order, and the head recorded."""
    from api.models.audit import GENESIS, HASHED, AuditEntry, chain_hash

    bind = op.get_bind()
    table = AuditEntry.__table__
    columns = [table.c[name] for name in HASHED]
    prev, last_id = GENESIS, 0
    for row in bind.execute(sa.select(*columns).order_by(table.c.id)).mappings().all():
        digest = chain_hash(prev, row)
        bind.execute(
            sa.update(table).where(table.c.id == row['id']).values(prev_hash=prev, row_hash=digest)
        )
        prev, last_id = digest, row['id']
    if last_id:
        bind.execute(sa.text('INSERT INTO audit_chain (id, last_id, last_hash) VALUES (1, :i, :h)'), {'i': last_id, 'h': prev})


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name, table in (
            ('audit_log_append_only', 'audit_log'),
            ('audit_log_no_truncate', 'audit_log'),
            ('audit_archives_append_only', 'audit_archives'),
            ('audit_archives_no_truncate', 'audit_archives'),
        ):
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}')
        op.execute('DROP FUNCTION IF EXISTS audit_log_guard()')
        op.execute('DROP FUNCTION IF EXISTS audit_archives_guard()')
    else:
        for name in ('audit_log_no_update', 'audit_log_no_delete', 'audit_archives_no_update', 'audit_archives_no_delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
    op.drop_table('audit_archives')
    op.drop_table('audit_chain')
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_window_started_at'))
    op.drop_table('login_throttle')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
