"""Photos (issue 15): the pixels of a photo attachment and its smaller copies

Revision ID: 0017
Revises: 0016

``attachments.width``/``height`` hold a photo's size as stored (re-encoded without metadata,
api/photos.py); ``attachment_sizes`` its copies at 320 and 1280 pixels on the long side.
Attachments stored before stay as they were (no sizes, width and height NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("height", sa.Integer(), nullable=True))
    op.create_table(
        "attachment_sizes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("long_side", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"], ["attachments.id"], name=op.f("fk_attachment_sizes_attachment_id_attachments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_sizes")),
        sa.UniqueConstraint("attachment_id", "long_side", name=op.f("uq_attachment_sizes_attachment_id")),
    )
    op.create_index("ix_attachment_sizes_attachment_id", "attachment_sizes", ["attachment_id"])
    op.create_index("ix_attachment_sizes_sha256", "attachment_sizes", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachment_sizes_sha256", table_name="attachment_sizes")
    op.drop_index("ix_attachment_sizes_attachment_id", table_name="attachment_sizes")
    op.drop_table("attachment_sizes")
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.drop_column("height")
        batch_op.drop_column("width")
