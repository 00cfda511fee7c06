"""Change events for subscriptions: what a committed transaction changed, as (topic, ids), on every worker.

Topics and what their ids are:

- ``document``: documents whose row, versions, attachments or events changed;
- ``info_request``: information requests whose row, events or appeals changed;
- ``user``: users whose row or grants changed (a deactivation, a revoked kiosk): their open
  subscriptions re-check the actor at once.

How: the session class of ``api.db.make_sessionmaker`` (``api.changes.TrackedSession``) collects
the ids of every flushed object of those tables. On PostgreSQL, just before the transaction
commits, ``SELECT pg_notify('gongkai_events', payload)`` runs on the transaction's connection:
PostgreSQL delivers it only when the transaction commits, so a rolled-back change announces
nothing. Each worker LISTENs on one dedicated asyncpg connection (``Listener``, started in the
app's lifespan, reconnecting when it drops) and hands what arrives to its process's ``HUB``. On
SQLite (one machine, and the embedded default of one worker), the event goes to ``HUB`` after the
commit, in process. A payload carries topics and ids only, never content (NOTIFY payloads are
limited to 8000 bytes; a longer one is split). Subscribers re-read what an event names through
the service reads, with their actor.

Not seen: changes made by bulk statements (``session.execute(update(Document)...)``) and writers
that bypass the ORM session; they announce nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy import event, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, SessionTransaction

from api.changes import TrackedSession

CHANNEL = "gongkai_events"
DOCUMENT = "document"
INFO_REQUEST = "info_request"
USER = "user"
TOPICS = (DOCUMENT, INFO_REQUEST, USER)
MAX_PAYLOAD = 7900  # bytes; PostgreSQL refuses a NOTIFY payload of 8000 or more
PENDING_KEY = "gongkai.events.pending"  # Session.info: topic -> ids the open transaction changed

# table -> (topic, the column holding the id that topic names)
ANNOUNCED: dict[str, tuple[str, str]] = {
    "documents": (DOCUMENT, "id"),
    "document_versions": (DOCUMENT, "document_id"),
    "attachments": (DOCUMENT, "document_id"),
    "document_events": (DOCUMENT, "document_id"),
    "info_requests": (INFO_REQUEST, "id"),
    "info_request_events": (INFO_REQUEST, "request_id"),
    "info_request_appeals": (INFO_REQUEST, "request_id"),
    "users": (USER, "id"),
}

Changes = dict[str, set[int]]
log = logging.getLogger("gongkai.events")


class Inbox:
    """What one subscriber has been announced and not yet taken, merged (a burst is one wake-up)."""

    def __init__(self, topics: Iterable[str]) -> None:
        self.topics = frozenset(topics)
        self.pending: Changes = {}
        self.ready = asyncio.Event()

    def put(self, changes: Changes) -> None:
        for topic, ids in changes.items():
            if topic in self.topics:
                self.pending.setdefault(topic, set()).update(ids)
                self.ready.set()

    async def next(self) -> Changes:
        await self.ready.wait()
        self.ready.clear()
        taken, self.pending = self.pending, {}
        return taken


class Hub:
    """A process's subscribers, by topic. Used on the event loop only."""

    def __init__(self) -> None:
        self.inboxes: set[Inbox] = set()

    @asynccontextmanager
    async def listen(self, *topics: str) -> AsyncIterator[Inbox]:
        inbox = Inbox(topics)
        self.inboxes.add(inbox)
        try:
            yield inbox
        finally:
            self.inboxes.discard(inbox)

    def dispatch(self, changes: Changes) -> None:
        for inbox in list(self.inboxes):
            inbox.put(changes)

    def __len__(self) -> int:
        return len(self.inboxes)


HUB = Hub()


def encode(changes: Changes) -> Iterator[str]:
    """JSON payloads of at most MAX_PAYLOAD bytes that together announce ``changes``."""
    chunk: dict[str, list[int]] = {}
    size = 2
    for topic in sorted(changes):
        for pk in sorted(changes[topic]):
            extra = len(str(pk)) + 1 + (0 if topic in chunk else len(topic) + 6)
            if size + extra > MAX_PAYLOAD and chunk:
                yield json.dumps(chunk, separators=(",", ":"))
                chunk, size = {}, 2
                extra = len(str(pk)) + 1 + len(topic) + 6
            chunk.setdefault(topic, []).append(pk)
            size += extra
    if chunk:
        yield json.dumps(chunk, separators=(",", ":"))


def decode(payload: str) -> Changes:
    """A payload's changes; what is not one of ours is nothing."""
    try:
        data = json.loads(payload)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(topic): {int(i) for i in ids if isinstance(i, int)}
        for topic, ids in data.items()
        if topic in TOPICS and isinstance(ids, list)
    }


def user_of(subject: object) -> int | None:
    """The user id of a Casbin subject ``user:17``; None for anything else."""
    if isinstance(subject, str) and subject.startswith("user:") and subject[5:].isdigit():
        return int(subject[5:])
    return None


def _pending(session: Session) -> Changes:
    found: Changes | None = session.info.get(PENDING_KEY)
    if found is None:
        found = session.info[PENDING_KEY] = {}
    return found


@event.listens_for(TrackedSession, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        for table in sa_inspect(obj).mapper.tables:
            name = getattr(table, "name", "")
            if name == "casbin_rule":  # a grant given or revoked: its subject's user
                user_id = user_of(getattr(obj, "v0", None))
                if user_id is not None:
                    _pending(session).setdefault(USER, set()).add(user_id)
                continue
            announced = ANNOUNCED.get(name)
            if announced is None:
                continue
            topic, column = announced
            pk = getattr(obj, "id" if column == "id" else column, None)
            if isinstance(pk, int):
                _pending(session).setdefault(topic, set()).add(pk)


@event.listens_for(TrackedSession, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    changes = session.info.get(PENDING_KEY)
    if not changes:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        session.info.pop(PENDING_KEY, None)
        for payload in encode(changes):
            connection.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})


@event.listens_for(TrackedSession, "after_commit")
def _after_commit(session: Session) -> None:
    changes = session.info.pop(PENDING_KEY, None)
    if changes:  # SQLite: in process (PostgreSQL's went out by NOTIFY and come back through Listener)
        HUB.dispatch(changes)


@event.listens_for(TrackedSession, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def asyncpg_dsn(database_url: str) -> str:
    """The libpq form of a ``postgresql+asyncpg://`` URL, for asyncpg itself."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """One dedicated connection per worker that LISTENs on CHANNEL and hands what arrives to ``hub``.

    It reconnects when the connection drops (checked every ``ping_seconds``), waiting up to
    ``retry_seconds`` between attempts. Changes committed while it was away are not announced:
    subscribers see them at the next event that concerns them."""

    def __init__(self, database_url: str, hub: Hub = HUB, *, ping_seconds: float = 30, retry_seconds: float = 5):
        self.dsn = asyncpg_dsn(database_url)
        self.hub = hub
        self.ping_seconds = ping_seconds
        self.retry_seconds = retry_seconds
        self.task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name="gongkai-events-listener")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    def _received(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        changes = decode(payload)
        if changes:
            self.hub.dispatch(changes)

    async def run(self) -> None:
        import asyncpg

        delay = 0.2
        while True:
            try:
                conn = await asyncpg.connect(self.dsn, timeout=10)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("events: cannot connect to LISTEN (%s); retrying in %.1f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_seconds)
                continue
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _c, done=lost: done.set())
            try:
                await conn.add_listener(CHANNEL, self._received)
                self.listening.set()
                delay = 0.2
                while not lost.is_set():
                    with suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), self.ping_seconds)
                        break
                    await conn.fetchval("SELECT 1", timeout=10)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning("events: LISTEN connection lost (%s); reconnecting", type(exc).__name__)
            finally:
                self.listening.clear()
                with suppress(Exception):
                    await asyncio.wait_for(conn.close(), 5)
