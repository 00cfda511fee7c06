"""The append-only audit log (安全审计): one row per mutation, written in the mutation's transaction.

Each row carries the hash of the one before it (``prev_hash``) and its own (``row_hash``: SHA-256
over ``prev_hash`` and the row's canonical content, api/services/audit.py), so a changed or removed
row breaks the chain at that row. Triggers (migration 0007) refuse UPDATE and DELETE in the
database; rows past the retention leave only through ``gongkai audit archive``, which exports them
first and records the anchor (``audit_archives``) the rest of the chain starts from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

GENESIS = "0" * 64  # the "previous hash" of the first row ever written
# The columns a row's hash covers, in this order (every column but the two hashes).
HASHED = (
    "id",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "scope_path",
    "summary",
    "client_addr",
    "created_at",
)


def canonical_value(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat(timespec="microseconds")
    return value


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the previous row's hash and this row's canonical JSON."""
    content = json.dumps(
        {name: canonical_value(row[name]) for name in HASHED},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    scope_path: Mapped[str] = mapped_column(String(64), index=True)
    summary: Mapped[str] = mapped_column(Text)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The chain's head (one row, id 1): the last row written and its hash. Every writer of the
    audit log takes this row's lock first, so concurrent transactions never fork the chain."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditArchive(Base):
    """One run of ``gongkai audit archive``: rows first_id..last_id went to ``filename`` and were
    deleted; ``last_hash`` is the anchor the remaining chain continues from."""

    __tablename__ = "audit_archives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_id: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    last_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    before: Mapped[datetime]  # the cutoff: every archived row is older
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)
