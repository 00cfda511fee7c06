"""What changed: each transaction that changes a table bumps its topic's version in ``change_counters``.

Two topics:

- ``content``: everything a public or kiosk answer can show (documents, versions, attachments,
  units, organizations and their profiles, domains and assignments, the catalog, the micro-power
  lists, information requests, whose status the public looks up, reports, the calendar). Every
  table is content unless it is named below: a spurious bump costs a recomputed answer, a missed
  one a stale answer.
- ``accounts``: users, grants (``casbin_rule``) and the ending of a staff sign-in session: what a
  cached actor is made of (``api.auth.actor.ActorCache``). A user's row is content as well (names
  may be shown).

Tables whose changes alter no cached answer bump nothing: the audit trail (``audit_log``,
``audit_chain``, ``audit_archives``), the sign-in throttle and staff sign-in sessions (opened or
touched: staff answers are never cached; ending one bumps ``accounts`` by ``note``).

How: the session class of ``api.db.make_sessionmaker`` collects the tables of every flushed
object and of every ORM-executed INSERT/UPDATE/DELETE (``session.execute(update(...))``), and just
before the transaction commits it issues ``UPDATE change_counters SET version = version + 1`` for
each topic touched, on the transaction's connection: the change and the bump commit together or not
at all. The bump comes last (after the final flush), so the counter row's lock is held only while
the transaction commits, and never while it waits for another row: writers cannot deadlock on it.

A writer that bypasses the ORM session (raw SQL on a connection, COPY) must bump by itself:
``bump(connection, topic)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, event, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from api.models import ChangeCounter
from api.services.pages import Prepared

CONTENT = "content"
ACCOUNTS = "accounts"
TOPICS = (CONTENT, ACCOUNTS)

QUIET = frozenset({
    "audit_log", "audit_chain", "audit_archives", "login_throttle", "user_sessions", "change_counters",
    # the channels' outbox and delivery log (issue 15): staff reads, never a cached public answer
    "webhooks", "outbox_events", "webhook_deliveries", "webhook_attempts",
})  # fmt: skip
NAMED: dict[str, tuple[str, ...]] = {
    "users": (ACCOUNTS, CONTENT),
    "casbin_rule": (ACCOUNTS,),
}

PENDING_KEY = "gongkai.changes.pending"  # Session.info: the topics the open transaction has touched


def topics_of(table: str) -> tuple[str, ...]:
    """The topics a change of ``table`` bumps."""
    if table in QUIET:
        return ()
    return NAMED.get(table, (CONTENT,))


_VERSIONS = Prepared(select(ChangeCounter.topic, ChangeCounter.version))


async def read_versions(session: AsyncSession) -> dict[str, int]:
    """Every topic's current version: one statement of its own (on PostgreSQL prepared, with no
    BEGIN and ROLLBACK around it: pages.Prepared), so a request answered from the caches costs one
    round trip. The latest committed versions: a change committed after this read shows at the next
    request."""
    return {str(topic): int(version) for topic, version in await _VERSIONS.rows(session)}


def bump(connection: Connection, topics: Iterable[str]) -> None:
    """Bump each topic (in a fixed order) on ``connection``, in its transaction."""
    for topic in sorted(set(topics)):
        connection.execute(
            update(ChangeCounter).where(ChangeCounter.topic == topic).values(version=ChangeCounter.version + 1)
        )


class TrackedSession(Session):
    """The synchronous session under ``api.db.SerialSession``: its changes bump their topics."""


def _pending(session: Session) -> set[str]:
    found: set[str] | None = session.info.get(PENDING_KEY)
    if found is None:
        found = session.info[PENDING_KEY] = set()
    return found


def note(session: Session, *topics: str) -> None:
    """Bump ``topics`` when the session's transaction commits, whatever it changed (a quiet table's
    change that must still reach a cache: an ended sign-in session)."""
    _pending(session).update(topics)


def _note_tables(session: Session, tables: Iterable[Any]) -> None:
    topics = {topic for table in tables for topic in topics_of(getattr(table, "name", ""))}
    if topics:
        _pending(session).update(topics)


@event.listens_for(TrackedSession, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # After a flush the new, dirty and deleted collections still show what was flushed.
    tables = [
        table for obj in (*session.new, *session.dirty, *session.deleted) for table in sa_inspect(obj).mapper.tables
    ]
    _note_tables(session, tables)


@event.listens_for(TrackedSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _note_tables(state.session, [getattr(state.statement, "table", None)])


@event.listens_for(TrackedSession, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction bumps when it commits
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush would come after this hook
    topics = session.info.pop(PENDING_KEY, None)
    if topics:
        bump(session.connection(), topics)


@event.listens_for(TrackedSession, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed or rolled back: nothing is pending any more
        session.info.pop(PENDING_KEY, None)
