"""The 26 disclosure domains (基层政务公开标准化规范化) and their assignment to organizations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .units import AdminUnit, Organization


class Domain(Base):
    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(Integer)


class DomainAlias(Base):
    """Another name of a domain used in some documents (医疗卫生 for 卫生健康, ...)."""

    __tablename__ = "domain_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"), index=True)
    alias: Mapped[str] = mapped_column(String(50), unique=True)


class DomainAssignment(Base):
    """A domain given to an organization within a county. Reassigning ends the row (ended_at)."""

    __tablename__ = "domain_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(default=None)

    domain: Mapped[Domain] = relationship(lazy="raise")
    county: Mapped[AdminUnit] = relationship(lazy="raise")
    organization: Mapped[Organization] = relationship(lazy="raise")
