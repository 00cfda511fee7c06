"""Who is acting: the user (or nobody), their grants, and where the request came from."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from api.errors import Forbidden, Unauthenticated
from api.models import CasbinRule, User
from api.models.accounts import subject_of
from api.models.base import utcnow

from .enforcer import ANONYMOUS, Authorizer
from .scope import ROOT, PathColumn, covers, within
from .sessions import DEFAULT_IDLE, check_session, key_hash, touch_every
from .tokens import Credential


@dataclass
class Actor:
    authorizer: Authorizer
    user: User | None = None
    grants: list[tuple[str, str]] = field(default_factory=list)
    client_addr: str | None = None
    session_id: int | None = None  # the staff sign-in session the request's token names
    password_checked: bool = False  # one password check (login, change of password) per request
    _paths: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def subject(self) -> str:
        return subject_of(self.user.id) if self.user else ANONYMOUS

    @property
    def name(self) -> str:
        return self.user.username if self.user else ANONYMOUS

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    def can(self, obj: str, act: str, path: str) -> bool:
        """Whether the actor may ``act`` on ``obj`` at ``path``: a granting path covers it.

        The same rule as the Casbin enforcement at each prefix of ``path`` (``Authorizer.can``;
        tests/auth/test_actor.py holds them equal for every policy line), decided from the grant
        paths that the SQL filter uses, which are computed once per request and action: a page of
        50 documents asked 100 enforcements of the matcher before."""
        return any(covers(granted, path) for granted in self.visible_paths(obj, act))

    def require(self, obj: str, act: str, path: str) -> None:
        if self.can(obj, act, path):
            return
        if self.user is None:
            raise Unauthenticated()
        raise Forbidden(obj=obj, act=act, path=path)

    def require_user(self) -> User:
        if self.user is None:
            raise Unauthenticated()
        return self.user

    @property
    def kiosk_paths(self) -> list[str]:
        """Where a kiosk device is bound (role kiosk grants); empty for everybody else."""
        return [path for role, path in self.grants if role == "kiosk"]

    def require_local(self, path: str) -> None:
        """A kiosk may ask for its own unit or a unit below it, never elsewhere; others anywhere."""
        bound = self.kiosk_paths
        if bound and not any(covers(b, path) for b in bound):
            raise Forbidden("本终端只能查询所在地及下级的信息")

    def visible(self, column: PathColumn, obj: str, act: str) -> ColumnElement[bool]:
        """The one SQL filter for lists: rows whose scope path lies under a granting path."""
        return within(column, self.visible_paths(obj, act))

    def visible_paths(self, obj: str, act: str) -> list[str]:
        """The paths under which the actor may ``act`` on ``obj`` (``visible``'s paths; none: nowhere)."""
        key = (obj, act, tuple(self.grants))
        found = self._paths.get(key)
        if found is None:
            if self.authorizer.role_allows(ANONYMOUS, obj, act):
                found = [ROOT]
            else:
                found = self.authorizer.granting_paths(self.grants, obj, act)
            self._paths[key] = found
        return found


async def load_grants(session: AsyncSession, user_id: int) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(CasbinRule.v1, CasbinRule.v2).where(
            CasbinRule.ptype == "g",
            CasbinRule.v0 == subject_of(user_id),
            CasbinRule.revoked.is_(False),
        )
    )
    return [(str(role), str(path)) for role, path in rows.all()]


async def load_user_and_grants(session: AsyncSession, user_id: int) -> tuple[User | None, list[tuple[str, str]]]:
    """The user and their grants (``load_grants``) in one statement: the user's row once per grant."""
    subject = subject_of(user_id)
    granted = and_(CasbinRule.ptype == "g", CasbinRule.v0 == subject, CasbinRule.revoked.is_(False))
    stmt = select(User, CasbinRule.v1, CasbinRule.v2).outerjoin(CasbinRule, granted).where(User.id == user_id)
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None, []
    return rows[0][0], [(str(role), str(path)) for _, role, path in rows if role is not None]


def is_device(grants: list[tuple[str, str]]) -> bool:
    """A kiosk device account: it holds the kiosk role and nothing else."""
    return bool(grants) and all(role == "kiosk" for role, _ in grants)


@dataclass(frozen=True)
class Known:
    """An actor as read at ``version`` of ``accounts`` (api/changes.py): the user's column values
    (each request gets its own User of them, in its own session), the grants, and for a staff
    member the sign-in session as checked (its id, when it was last touched, when it expires)."""

    version: int
    user_id: int
    values: dict[str, Any]
    grants: tuple[tuple[str, str], ...]
    session_id: int | None = None
    last_seen: datetime | None = None
    expires_at: datetime | None = None

    def user_in(self, session: AsyncSession) -> User:
        """A User of the values, persistent in ``session`` as if loaded there, without a statement."""
        user = User(**self.values)
        make_transient_to_detached(user)
        session.add(user)
        return user


class ActorCache:
    """Actors by kiosk device (user id) and by staff sign-in session (the hash of its key), each
    valid at the ``accounts`` version read before it was loaded. A deactivation, a revoked grant or
    an ended sign-in session bumps that version (api/auth/sessions.py ends sessions with a bump),
    so it holds at the next request on every worker. A staff entry also lapses when its session
    is due to be touched (``touch_every``: then the database is read, the session touched and the
    entry renewed) or expires. Used on the event loop only."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, object], Known] = OrderedDict()

    def get(self, key: tuple[str, object], version: int) -> Known | None:
        found = self.entries.get(key)
        if found is None or found.version != version:
            return None
        self.entries.move_to_end(key)
        return found

    def put(self, key: tuple[str, object], known: Known) -> None:
        self.entries[key] = known
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def _cache_key(credential: Credential) -> tuple[str, object]:
    if credential.session_key is None:
        return ("device", credential.user_id)
    return ("session", key_hash(credential.session_key))


def _fresh(known: Known, credential: Credential, idle: timedelta) -> bool:
    if known.user_id != credential.user_id:
        return False
    if known.session_id is None:
        return credential.session_key is None
    assert known.last_seen is not None and known.expires_at is not None
    now = utcnow()
    return now < known.expires_at and now - known.last_seen < touch_every(idle)


async def load_actor(
    session: AsyncSession,
    authorizer: Authorizer,
    credential: Credential | None,
    client_addr: str | None,
    *,
    idle: timedelta = DEFAULT_IDLE,
    actors: ActorCache | None = None,
    accounts_version: int | None = None,
) -> Actor:
    """The request's actor. A staff token's sign-in session must be open (api/auth/sessions.py);
    a token without one is accepted only for a kiosk device.

    With ``actors`` and the ``accounts`` version just read, the actor comes from that cache while
    the version is unchanged (no statement), and is cached when it was read from the database;
    without them it is read on every request."""
    await authorizer.ensure_loaded()
    actor = Actor(authorizer=authorizer, client_addr=client_addr)
    if credential is None:
        return actor
    version = accounts_version if actors is not None else None
    key = _cache_key(credential)
    known = actors.get(key, version) if actors is not None and version is not None else None
    if known is not None and _fresh(known, credential, idle):
        actor.user, actor.grants, actor.session_id = known.user_in(session), list(known.grants), known.session_id
        authorizer.sync_subject(actor.subject, actor.grants)
        return actor
    user, grants = await load_user_and_grants(session, credential.user_id)
    if user is None or not user.active:
        raise Unauthenticated("账号不存在或已停用，请重新登录")
    values = {attr.key: getattr(user, attr.key) for attr in sa_inspect(User).column_attrs}
    known = Known(version or 0, user.id, values, tuple(grants))
    if credential.session_key is not None:
        checked = await check_session(session, credential, idle)
        actor.session_id = checked.id
        known = replace(known, session_id=checked.id, last_seen=checked.last_seen, expires_at=checked.expires_at)
    elif not is_device(grants):
        raise Unauthenticated("登录已失效，请重新登录")
    if actors is not None and version is not None:
        actors.put(key, known)
    actor.user = user
    actor.grants = grants
    authorizer.sync_subject(actor.subject, actor.grants)
    return actor


class SystemActor(Actor):
    """The command line (migrations, demo, imports): may do anything, audited as ``system``."""

    @property
    def name(self) -> str:
        return "system"

    def can(self, obj: str, act: str, path: str) -> bool:
        return True
