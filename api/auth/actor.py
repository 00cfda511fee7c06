"""Who is acting: the user (or nobody), their grants, and where the request came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Forbidden, Unauthenticated
from api.models import CasbinRule, User
from api.models.accounts import subject_of

from .enforcer import ANONYMOUS, Authorizer
from .scope import ROOT, PathColumn, covers, within
from .sessions import DEFAULT_IDLE, check_session
from .tokens import Credential


@dataclass
class Actor:
    authorizer: Authorizer
    user: User | None = None
    grants: list[tuple[str, str]] = field(default_factory=list)
    client_addr: str | None = None
    session_id: int | None = None  # the staff sign-in session the request's token names
    password_checked: bool = False  # one password check (login, change of password) per request

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
        return self.authorizer.can(self.subject, obj, act, path)

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
        if self.authorizer.role_allows(ANONYMOUS, obj, act):
            return within(column, [ROOT])
        return within(column, self.authorizer.granting_paths(self.grants, obj, act))


async def load_grants(session: AsyncSession, user_id: int) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(CasbinRule.v1, CasbinRule.v2).where(
            CasbinRule.ptype == "g",
            CasbinRule.v0 == subject_of(user_id),
            CasbinRule.revoked.is_(False),
        )
    )
    return [(str(role), str(path)) for role, path in rows.all()]


def is_device(grants: list[tuple[str, str]]) -> bool:
    """A kiosk device account: it holds the kiosk role and nothing else."""
    return bool(grants) and all(role == "kiosk" for role, _ in grants)


async def load_actor(
    session: AsyncSession,
    authorizer: Authorizer,
    credential: Credential | None,
    client_addr: str | None,
    *,
    idle: timedelta = DEFAULT_IDLE,
) -> Actor:
    """The request's actor, read from the database on every request (so a deactivation, a logout
    or a grant made through another worker holds at once). A staff token's sign-in session must be
    open (api/auth/sessions.py); a token without one is accepted only for a kiosk device."""
    await authorizer.ensure_loaded()
    actor = Actor(authorizer=authorizer, client_addr=client_addr)
    if credential is None:
        return actor
    user = await session.get(User, credential.user_id)
    if user is None or not user.active:
        raise Unauthenticated("账号不存在或已停用，请重新登录")
    grants = await load_grants(session, credential.user_id)
    if credential.session_key is not None:
        actor.session_id = (await check_session(session, credential, idle)).id
    elif not is_device(grants):
        raise Unauthenticated("登录已失效，请重新登录")
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
