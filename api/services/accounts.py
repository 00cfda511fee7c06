"""Users, role grants and kiosk devices (signing in and out: api/services/signin.py)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import sessions
from api.auth.actor import Actor
from api.auth.passwords import hash_password, new_password_hash
from api.auth.scope import ROOT
from api.auth.tokens import issue_token
from api.codes import AccountsCode
from api.db import commit
from api.errors import Forbidden, UserInputError
from api.models import AdminUnit, CasbinRule, Organization, Role, User
from api.models.accounts import subject_of
from api.models.base import utcnow

from . import audit
from .units import get_unit, locate_organization

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")


async def user_scope(session: AsyncSession, user: User) -> str:
    """Where an account lies: its organization's path; ``*`` for an account with no organization."""
    if user.organization_id is None:
        return ROOT
    return (await locate_organization(session, user.organization_id))[2]


async def create_user(
    session: AsyncSession,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    password: str,
    organization_id: int | None = None,
    demo: bool = False,
) -> User:
    username = (username or "").strip()
    path = ROOT
    if organization_id is not None:
        path = (await locate_organization(session, organization_id))[2]
    actor.require("user", "create", path)
    if not USERNAME_RE.match(username):
        raise UserInputError(
            "username", AccountsCode.INVALID_USERNAME, "用户名应为3至64位字母、数字、下划线、点或连字符"
        )
    if not (display_name or "").strip():
        raise UserInputError("displayName", AccountsCode.REQUIRED, "姓名不能为空")
    if (await session.execute(select(User.id).where(User.username == username))).scalar_one_or_none():
        raise UserInputError("username", AccountsCode.DUPLICATE, f"用户名“{username}”已被使用")
    user = User(
        username=username,
        display_name=display_name.strip(),
        password_hash=await new_password_hash(session, password, "password", (username, display_name)),
        organization_id=organization_id,
        demo=demo,
    )
    session.add(user)
    await session.flush()
    audit.record(session, actor, "account.create_user", "User", user.id, path, f"新建用户 {username}")
    await commit(session)
    return user


async def grant_path(session: AsyncSession, unit_code: str | None, organization_id: int | None) -> str:
    if organization_id is not None:
        org, unit, path = await locate_organization(session, organization_id)
        if unit_code is not None and unit.code != unit_code:
            raise UserInputError(
                "organizationId", AccountsCode.OUTSIDE_UNIT, f"“{org.name}”不属于区划代码为“{unit_code}”的单位"
            )
        return path
    if unit_code is not None:
        return (await get_unit(session, unit_code, "unitCode")).scope_path
    return ROOT


async def grant_role(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int,
    role: Role,
    unit_code: str | None = None,
    organization_id: int | None = None,
) -> CasbinRule:
    path = await grant_path(session, unit_code, organization_id)
    actor.require("role", "grant", path)
    user = await session.get(User, user_id)
    if user is None:
        raise UserInputError("userId", AccountsCode.NOT_FOUND, "找不到该用户")
    # Only to an account inside the granter's own scope (one with no organization: only from ``*``).
    if not actor.can("role", "grant", await user_scope(session, user)):
        raise Forbidden("只能向本辖区内单位的用户授予角色")
    stmt = select(CasbinRule).where(
        CasbinRule.ptype == "g",
        CasbinRule.v0 == subject_of(user.id),
        CasbinRule.v1 == role.value,
        CasbinRule.v2 == path,
        CasbinRule.revoked.is_(False),
    )
    if (await session.execute(stmt)).scalar_one_or_none() is not None:
        raise UserInputError("role", AccountsCode.DUPLICATE, "该用户在此范围已有这个角色")
    grant = CasbinRule(ptype="g", v0=subject_of(user.id), v1=role.value, v2=path, granted_by_id=actor.user_id)
    session.add(grant)
    await session.flush()
    audit.record(
        session,
        actor,
        "account.grant_role",
        "RoleGrant",
        grant.id,
        path,
        f"授予 {user.username} 角色 {role.value} @ {path}",
    )
    await commit(session)
    return grant


async def revoke_role(session: AsyncSession, actor: Actor, *, grant_id: int) -> CasbinRule:
    grant = await session.get(CasbinRule, grant_id)
    if grant is None or grant.ptype != "g":
        raise UserInputError("grantId", AccountsCode.NOT_FOUND, "找不到该授权")
    actor.require("role", "grant", str(grant.v2))
    if grant.revoked:
        raise UserInputError("grantId", AccountsCode.ALREADY_REVOKED, "该授权已撤销")
    grant.revoked = True
    grant.revoked_at = utcnow()
    grant.revoked_by_id = actor.user_id
    audit.record(
        session,
        actor,
        "account.revoke_role",
        "RoleGrant",
        grant.id,
        str(grant.v2),
        f"撤销 {grant.v0} 角色 {grant.v1} @ {grant.v2}",
    )
    await commit(session)
    return grant


async def deactivate_user(session: AsyncSession, actor: Actor, *, user_id: int) -> User:
    """Stop an account (district office, at the account's scope): its sessions end, its tokens stop
    working at once on every worker (the account is read on every request), and it cannot sign in.
    Its grants and its audit trail are kept."""
    user = await session.get(User, user_id)
    if user is None:
        raise UserInputError("id", AccountsCode.NOT_FOUND, "找不到该用户")
    actor.require("user", "deactivate", await user_scope(session, user))
    if user.id == actor.user_id:
        raise UserInputError("id", AccountsCode.SELF, "不能停用自己的账号")
    if not user.active:
        raise UserInputError("id", AccountsCode.ALREADY_INACTIVE, "该账号已停用")
    user.active = False
    await sessions.end_sessions(session, user.id, "deactivated")
    audit.record(
        session,
        actor,
        "account.deactivate",
        "User",
        user.id,
        await user_scope(session, user),
        f"停用账号 {user.username}",
    )
    await commit(session)
    return user


# --- kiosk devices ---

KIOSK_TOKEN_HOURS = 24 * 365 * 3


async def create_kiosk(
    session: AsyncSession, actor: Actor, *, unit_code: str, name: str, secret: str
) -> tuple[str, User]:
    """A service-hall device bound to a unit: a user holding role kiosk there, with a long-lived
    token. Revoking the device deactivates the user, which ends the token at once."""
    unit = await get_unit(session, unit_code, "unitCode")
    actor.require("kiosk", "manage", unit.scope_path)
    name = (name or "").strip()
    if not name:
        raise UserInputError("name", AccountsCode.REQUIRED, "请填写终端名称，如“鹿厂镇便民服务中心1号机”")
    count = (
        await session.execute(select(func.count()).select_from(User).where(User.username.like(f"kiosk-{unit.code}-%")))
    ).scalar_one()
    user = User(
        username=f"kiosk-{unit.code}-{count + 1}",
        display_name=name,
        password_hash=await hash_password(session, secrets.token_urlsafe(32)),
    )
    session.add(user)
    await session.flush()
    session.add(
        CasbinRule(
            ptype="g", v0=subject_of(user.id), v1=Role.KIOSK.value, v2=unit.scope_path, granted_by_id=actor.user_id
        )
    )
    audit.record(session, actor, "kiosk.create", "User", user.id, unit.scope_path, f"新建终端 {name}（{unit.name}）")
    await commit(session)
    return issue_token(secret, user.id, KIOSK_TOKEN_HOURS), user


async def revoke_kiosk(session: AsyncSession, actor: Actor, *, user_id: int) -> User:
    user = await session.get(User, user_id)
    grants = (
        (
            await session.execute(
                select(CasbinRule).where(
                    CasbinRule.ptype == "g", CasbinRule.v0 == subject_of(user_id), CasbinRule.v1 == Role.KIOSK.value
                )
            )
        )
        .scalars()
        .all()
    )
    if user is None or not grants:
        raise UserInputError("id", AccountsCode.NOT_FOUND, "找不到该终端")
    for grant in grants:
        actor.require("kiosk", "manage", str(grant.v2))
    if not user.active:
        raise UserInputError("id", AccountsCode.ALREADY_REVOKED, "该终端已停用")
    user.active = False
    now = utcnow()
    for grant in grants:
        if not grant.revoked:
            grant.revoked, grant.revoked_at, grant.revoked_by_id = True, now, actor.user_id
    audit.record(session, actor, "kiosk.revoke", "User", user.id, str(grants[0].v2), f"停用终端 {user.display_name}")
    await commit(session)
    return user


# --- reading ---
# Who reads what (policies/README.md): everyone signed in reads their own account and grants;
# ``user read`` reads the accounts whose organization lies in its scope, ``role read`` the grants
# whose path does. An account with no organization counts as ``*``.


def _organization_path() -> ColumnElement[str]:
    """SQL: an account's organization's scope path (as ``organization_path`` builds it); NULL without one."""
    return AdminUnit.scope_path + "/org:" + cast(Organization.id, String)


def _readable_user(actor: Actor) -> ColumnElement[bool]:
    return or_(User.id == actor.user_id, actor.visible(_organization_path(), "user", "read"))


def _readable_grant(actor: Actor) -> ColumnElement[bool]:
    return or_(CasbinRule.v0 == actor.subject, actor.visible(CasbinRule.v2, "role", "read"))


async def users_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[User | None]:
    """The accounts the actor may read, in the order of ``ids`` (None where not)."""
    actor.require_user()
    stmt = (
        select(User)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .outerjoin(AdminUnit, AdminUnit.id == Organization.unit_id)
        .where(User.id.in_(ids), _readable_user(actor))
    )
    found = {u.id: u for u in (await session.execute(stmt)).scalars()}
    return [found.get(i) for i in ids]


async def grants_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[CasbinRule | None]:
    """Role grants (revoked ones too) the actor may read, in the order of ``ids``."""
    actor.require_user()
    stmt = select(CasbinRule).where(CasbinRule.id.in_(ids), CasbinRule.ptype == "g", _readable_grant(actor))
    found = {g.id: g for g in (await session.execute(stmt)).scalars()}
    return [found.get(i) for i in ids]


async def grants_of_users(session: AsyncSession, actor: Actor, user_ids: Sequence[int]) -> list[list[CasbinRule]]:
    """Each user's grants in force, as far as the actor may read them."""
    subjects = {subject_of(u): u for u in user_ids}
    stmt = (
        select(CasbinRule)
        .where(
            CasbinRule.ptype == "g",
            CasbinRule.v0.in_(subjects),
            CasbinRule.revoked.is_(False),
            _readable_grant(actor),
        )
        .order_by(CasbinRule.id)
    )
    groups: dict[int, list[CasbinRule]] = {u: [] for u in user_ids}
    for rule in (await session.execute(stmt)).scalars():
        groups[subjects[str(rule.v0)]].append(rule)
    return [groups[u] for u in user_ids]


async def display_names(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[str | None]:
    """Who did something, by account id: the display name for signed-in staff (``assignedBy``),
    nothing for the public. No account is returned; reading accounts is ``users_by_ids``."""
    if actor.user is None:
        return [None] * len(ids)
    stmt = select(User.id, User.display_name).where(User.id.in_(ids))
    names = {row.id: row.display_name for row in await session.execute(stmt)}
    return [names.get(i) for i in ids]
