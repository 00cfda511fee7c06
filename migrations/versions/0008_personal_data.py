"""Personal data (issue 11): applicants' address and e-mail sealed

Revision ID: 0008
Revises: 0007

``info_requests.address`` and ``email`` become ``address_enc``/``address_hint`` and
``email_enc``/``email_hint``, like the ID number and the phone: sealed with the vault
(``api.privacy.Vault``) under the data key the server uses, ``GONGKAI_DATA_KEY`` or else
``GONGKAI_SECRET_KEY``, read from the environment (run ``gongkai migrate`` with the server's
settings). The clear values are blanked in the same UPDATE that writes the sealed ones, then their
columns are dropped; on SQLite with secure_delete, so that freed pages are zeroed. PostgreSQL keeps
the old row versions in its files until they are rewritten: run ``VACUUM FULL info_requests`` once
after the upgrade to remove them from disk.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.privacy import Vault, mask_address, mask_email
from api.settings import Settings

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLEAR = sa.table(
    "info_requests",
    sa.column("id", sa.Integer),
    sa.column("address", sa.String),
    sa.column("email", sa.String),
    sa.column("address_enc", sa.Text),
    sa.column("address_hint", sa.String),
    sa.column("email_enc", sa.Text),
    sa.column("email_hint", sa.String),
)


def _vault() -> Vault:
    settings = Settings.from_env()
    return Vault(settings.data_key or settings.secret_key)


def _secure_delete() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")


def upgrade() -> None:
    _secure_delete()
    op.add_column("info_requests", sa.Column("address_enc", sa.Text(), nullable=True))
    op.add_column("info_requests", sa.Column("address_hint", sa.String(length=40), nullable=True))
    op.add_column("info_requests", sa.Column("email_enc", sa.Text(), nullable=True))
    op.add_column("info_requests", sa.Column("email_hint", sa.String(length=220), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(CLEAR.c.id, CLEAR.c.address, CLEAR.c.email).where((CLEAR.c.address != "") | (CLEAR.c.email != ""))
    ).all()
    if rows:
        vault = _vault()
        for id_, address, email in rows:
            address, email = (address or "").strip() or None, (email or "").strip() or None
            bind.execute(
                CLEAR.update()
                .where(CLEAR.c.id == id_)
                .values(
                    address="", email="", address_enc=vault.seal(address), address_hint=mask_address(address),
                    email_enc=vault.seal(email), email_hint=mask_email(email),
                )  # fmt: skip
            )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild would drop the table that
    # the events and appeals point to, which foreign_keys=ON refuses.
    op.drop_column("info_requests", "address")
    op.drop_column("info_requests", "email")


def downgrade() -> None:
    _secure_delete()
    op.add_column("info_requests", sa.Column("address", sa.String(length=300), nullable=False, server_default=""))
    op.add_column("info_requests", sa.Column("email", sa.String(length=200), nullable=False, server_default=""))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(CLEAR.c.id, CLEAR.c.address_enc, CLEAR.c.email_enc).where(
            CLEAR.c.address_enc.is_not(None) | CLEAR.c.email_enc.is_not(None)
        )
    ).all()
    if rows:
        vault = _vault()
        for id_, address_enc, email_enc in rows:
            address, email = vault.open(address_enc), vault.open(email_enc)
            if (address_enc and address is None) or (email_enc and email is None):
                raise RuntimeError(f"info_requests {id_}: cannot open its sealed address or e-mail with this data key")
            bind.execute(CLEAR.update().where(CLEAR.c.id == id_).values(address=address or "", email=email or ""))
    for column in ("address_enc", "address_hint", "email_enc", "email_hint"):
        op.drop_column("info_requests", column)
