"""Users and their role grants. Grants are Casbin ``g`` lines in ``casbin_rule``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Role(enum.Enum):
    DISTRICT_OFFICE = "district_office"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    FOI_OFFICER = "foi_officer"
    VILLAGE_POSTER = "village_poster"
    AUDITOR = "auditor"
    KIOSK = "kiosk"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    @property
    def subject(self) -> str:
        return subject_of(self.id)


def subject_of(user_id: int) -> str:
    return f"user:{user_id}"


class CasbinRule(Base):
    """A Casbin policy line, read by casbin-async-sqlalchemy-adapter.

    Only ``g`` lines live here: ``g, user:ID, role, scope_path``. Role permissions (``p``
    lines) live in ``policies/policy.csv``. A revoked grant is kept with ``revoked`` set.
    """

    __tablename__ = "casbin_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ptype: Mapped[str] = mapped_column(String(255))
    v0: Mapped[str | None] = mapped_column(String(255), index=True)
    v1: Mapped[str | None] = mapped_column(String(255))
    v2: Mapped[str | None] = mapped_column(String(255))
    v3: Mapped[str | None] = mapped_column(String(255))
    v4: Mapped[str | None] = mapped_column(String(255))
    v5: Mapped[str | None] = mapped_column(String(255))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    def __str__(self) -> str:
        values = [self.ptype]
        for value in (self.v0, self.v1, self.v2, self.v3, self.v4, self.v5):
            if value is None:
                break
            values.append(value)
        return ", ".join(values)


class UserSession(Base):
    """A staff sign-in (等保 2.0 8.1.4.1 b: 登录连接超时自动退出): open until logout, deactivation,
    ``GONGKAI_SESSION_IDLE_MINUTES`` without a request, or the token's end. The token carries a random
    key; only its SHA-256 is kept."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(16))  # logout, idle, deactivated, password


class LoginThrottle(Base):
    """Failed sign-ins counted per account (``account:NAME``) and per client address (``address:IP``),
    in the database so that every worker sees the same count (等保 2.0 8.1.4.1 b: 登录失败处理)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
