"""The audit log (安全审计, 等保 2.0 8.1.4.3): every mutation records one entry in its own transaction.

``record`` keeps the entry with the session; when the session commits, the entries are chained and
written last (``_seal``): the transaction's other changes are flushed first, then the chain's head
(``audit_chain``) is locked, so concurrent writers queue for the head instead of forking the chain
and no writer waits for another lock while it holds the head. A rollback drops the entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, delete, event, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.db import insert_for
from api.errors import Forbidden
from api.models import AuditArchive, AuditChain, AuditEntry
from api.models.audit import GENESIS, HASHED, canonical_value, chain_hash
from api.models.base import utcnow
from api.services.pages import Page, fetch_page

PENDING = "gongkai.audit.pending"


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object | None,
    scope_path: str | None,
    summary: str,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:64],
        scope_path=scope_path or ROOT,
        summary=summary,
        client_addr=actor.client_addr,
        created_at=utcnow(),
    )
    session.info.setdefault(PENDING, []).append(entry)
    return entry


def content(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED}


@event.listens_for(Session, "before_commit")
def _seal(session: Session) -> None:
    pending: list[AuditEntry] | None = session.info.pop(PENDING, None)
    if not pending:
        return
    session.flush()  # everything else first: the head's lock is the last one this transaction takes
    last_id, prev = _lock_head(session)
    for entry in pending:
        last_id += 1
        entry.id, entry.prev_hash = last_id, prev
        entry.row_hash = prev = chain_hash(prev, content(entry))
        session.add(entry)
    session.flush()
    session.execute(update(AuditChain).where(AuditChain.id == 1).values(last_id=last_id, last_hash=prev))


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(PENDING, None)


def _lock_head(session: Session) -> tuple[int, str]:
    """The head, locked until commit (PostgreSQL: the row; SQLite: the database's write lock)."""
    take = (
        update(AuditChain)
        .where(AuditChain.id == 1)
        .values(last_id=AuditChain.last_id)
        .returning(AuditChain.last_id, AuditChain.last_hash)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(take).first()
    if row is None:  # a new or emptied log: the head starts at the tail
        last_id, last_hash = _tail(session)
        upsert = insert_for(session.get_bind().dialect.name)
        session.execute(upsert(AuditChain).values(id=1, last_id=last_id, last_hash=last_hash).on_conflict_do_nothing())
        row = session.execute(take).one()
    return int(row[0]), str(row[1])


def _tail(session: Session) -> tuple[int, str]:
    last = session.execute(select(AuditEntry.id, AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    if last is not None:
        return int(last[0]), str(last[1])
    anchor = session.execute(
        select(AuditArchive.last_id, AuditArchive.last_hash).order_by(AuditArchive.last_id.desc()).limit(1)
    ).first()
    return (int(anchor[0]), str(anchor[1])) if anchor is not None else (0, GENESIS)


# --- refused attempts ---


async def record_refusals(session: AsyncSession, actor: Actor, refusals: Sequence[tuple[str, Forbidden]]) -> None:
    """FORBIDDEN answers to a signed-in actor's mutations, each a row, in a transaction of their own:
    whatever the refused mutation left in the session is rolled back first."""
    from api.db import commit

    if actor.user is None or not refusals:
        return
    await session.rollback()
    await session.refresh(actor.user)  # the rollback expired it
    for operation, exc in refusals:
        where = f"（{exc.obj} {exc.act} @ {exc.path}）" if exc.obj else ""
        record(
            session,
            actor,
            "access.forbidden",
            "Operation",
            operation,
            exc.path,
            f"拒绝 {operation}：{exc.message}{where}",
        )
    await commit(session)


# --- reading ---


def _visible_entries(actor: Actor) -> Select[AuditEntry]:
    actor.require_user()
    if not actor.authorizer.granting_paths(actor.grants, "audit", "read"):
        actor.require("audit", "read", ROOT)
    return (
        select(AuditEntry).where(actor.visible(AuditEntry.scope_path, "audit", "read")).order_by(AuditEntry.id.desc())
    )


async def list_entries(
    session: AsyncSession, actor: Actor, first: int | None = None, after: str | None = None
) -> Page[AuditEntry]:
    """Newest first: the entries under the actor's ``audit read`` grants."""
    return await fetch_page(session, _visible_entries(actor), first, after)


# --- verifying the chain ---


@dataclass(frozen=True)
class Verification:
    rows: int
    first_id: int | None
    last_id: int | None
    broken_at: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


BATCH = 2000


async def verify(session: AsyncSession) -> Verification:
    """Walk the chain from its anchor (the last archive's hash, or the genesis hash) to the head;
    the first row whose hash or link does not hold is named."""
    archives = list((await session.execute(select(AuditArchive).order_by(AuditArchive.last_id))).scalars())
    prev, expected_id = GENESIS, None
    for archive in archives:
        if archive.prev_hash != prev or (expected_id is not None and archive.first_id != expected_id):
            return Verification(0, None, None, archive.first_id, f"归档 #{archive.id} 与前一次归档接不上")
        prev, expected_id = archive.last_hash, archive.last_id + 1
    rows, first_id, last_id = 0, None, None
    async for entry in _entries(session):
        if expected_id is not None and entry.id != expected_id:
            missing = f"#{expected_id}" if entry.id == expected_id + 1 else f"#{expected_id}–#{entry.id - 1}"
            return Verification(rows, first_id, last_id, entry.id, f"{missing} 缺失（被删除）")
        if entry.prev_hash != prev:
            before = f"前一行 #{last_id}" if last_id is not None else "起点（创世哈希或归档锚点）"
            return Verification(
                rows, first_id, last_id, entry.id, f"记录的前一行哈希与{before}不符：其间的行被删除或改动"
            )
        if chain_hash(entry.prev_hash, content(entry)) != entry.row_hash:
            return Verification(rows, first_id, last_id, entry.id, "该行内容与其哈希不符：该行被改动")
        rows, prev, expected_id, last_id = rows + 1, entry.row_hash, entry.id + 1, entry.id
        first_id = entry.id if first_id is None else first_id
    head = await session.get(AuditChain, 1)
    if head is not None and (head.last_id, head.last_hash) != ((last_id or 0), prev) and head.last_id > (last_id or 0):
        return Verification(
            rows, first_id, last_id, head.last_id, f"最后的 #{(last_id or 0) + 1}–#{head.last_id} 缺失（被删除）"
        )
    return Verification(rows, first_id, last_id)


async def _entries(session: AsyncSession, after: int = 0) -> AsyncIterator[AuditEntry]:
    """Every entry in id order, a batch at a time (the session forgets each batch)."""
    while True:
        stmt = select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(BATCH)
        batch = list((await session.execute(stmt)).scalars())
        for entry in batch:
            yield entry
        if len(batch) < BATCH:
            return
        after = batch[-1].id
        session.expunge_all()


# --- retention: export, then delete (网络安全法 第二十一条: 留存相关的网络日志不少于六个月) ---


class ArchiveRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Archived:
    rows: int
    first_id: int
    last_id: int
    path: Path
    sha256: str


def exported(entry: AuditEntry) -> dict[str, Any]:
    """One line of an archive file: every column, times in UTC ISO 8601 (as the hash covers them)."""
    row = {name: canonical_value(getattr(entry, name)) for name in HASHED}
    return {**row, "prev_hash": entry.prev_hash, "row_hash": entry.row_hash}


async def archive(session: AsyncSession, actor: Actor, *, before: datetime, directory: Path) -> Archived | None:
    """Export the chain's oldest rows, those created before ``before``, to a JSON-lines file (written
    and synced first), then record the archive (its last hash is the anchor the chain continues
    from) and delete the rows, in one transaction. Nothing is deleted that was not exported; a
    broken chain is refused (find out why with ``gongkai audit verify`` first)."""
    from api.db import commit

    anchor = (
        await session.execute(select(AuditArchive).order_by(AuditArchive.last_id.desc()).limit(1))
    ).scalar_one_or_none()
    start = anchor.last_hash if anchor is not None else GENESIS
    prev, expected_id = start, (anchor.last_id + 1 if anchor is not None else None)
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".audit-{uuid.uuid4().hex}.jsonl.part"
    digest, rows, first_id, last_id = hashlib.sha256(), 0, 0, 0
    try:
        with partial.open("wb") as out:
            async for entry in _entries(session):
                if entry.created_at >= before:
                    break
                intact = (expected_id is None or entry.id == expected_id) and entry.prev_hash == prev
                if not intact or chain_hash(entry.prev_hash, content(entry)) != entry.row_hash:
                    raise ArchiveRefused(
                        f"审计日志在 #{entry.id} 处断开，未归档；请先运行 gongkai audit verify 查明原因"
                    )
                line = (json.dumps(exported(entry), ensure_ascii=False, sort_keys=True) + "\n").encode()
                out.write(line)
                digest.update(line)
                rows, prev, expected_id, last_id = rows + 1, entry.row_hash, entry.id + 1, entry.id
                first_id = first_id or entry.id
            out.flush()
            os.fsync(out.fileno())
        if rows == 0:
            partial.unlink()
            return None
        path = directory / f"audit-{first_id:010d}-{last_id:010d}.jsonl"
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    await session.rollback()  # the reads' transaction; the deletion gets one of its own
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # The trigger lets an archived row go only in a transaction that says so (migration 0007).
        await session.execute(text("SELECT set_config('gongkai.audit_archive', 'on', true)"))
    record_row = AuditArchive(
        first_id=first_id, last_id=last_id, rows=rows, prev_hash=start, last_hash=prev,
        filename=path.name, file_sha256=digest.hexdigest(), before=before, archived_at=utcnow(),
    )  # fmt: skip
    session.add(record_row)
    await session.flush()
    await session.execute(
        delete(AuditEntry)
        .where(AuditEntry.id >= first_id, AuditEntry.id <= last_id)
        .execution_options(synchronize_session=False)
    )
    summary = f"归档审计记录 #{first_id}–#{last_id}（{rows} 行，早于 {before.isoformat()}）至 {path.name}，SHA-256 {digest.hexdigest()}"
    record(session, actor, "audit.archive", "AuditArchive", record_row.id, ROOT, summary)
    await commit(session)
    return Archived(rows, first_id, last_id, path, digest.hexdigest())


async def verify_file(session: AsyncSession, path: Path) -> Verification:
    """An archive file against itself (each line's hash and link) and against its archive record."""
    found = (await session.execute(select(AuditArchive).where(AuditArchive.filename == path.name))).scalar_one_or_none()
    if found is None:
        return Verification(0, None, None, 0, f"没有名为 {path.name} 的归档记录")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != found.file_sha256:
        return Verification(0, None, None, found.first_id, "文件的 SHA-256 与归档记录不符：文件被改动")
    prev, rows, last_id = found.prev_hash, 0, None
    for line in data.decode().splitlines():
        row = json.loads(line)
        if row["prev_hash"] != prev or chain_hash(prev, row) != row["row_hash"]:
            return Verification(rows, found.first_id, last_id, row["id"], "该行内容或链接与哈希不符")
        prev, rows, last_id = row["row_hash"], rows + 1, row["id"]
    if (rows, last_id, prev) != (found.rows, found.last_id, found.last_hash):
        return Verification(rows, found.first_id, last_id, found.last_id, "文件的行数或末行与归档记录不符")
    return Verification(rows, found.first_id, last_id)
