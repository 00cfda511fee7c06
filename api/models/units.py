"""Administrative units (统计用区划代码) and the organizations (单位) that belong to them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class UnitLevel(enum.Enum):
    COUNTY = "COUNTY"
    TOWN = "TOWN"
    VILLAGE = "VILLAGE"


class UnitKind(enum.Enum):
    """The kind label of a unit; the value is the Chinese label shown to users."""

    XIAN = "县"
    QU = "区"
    ZHEN = "镇"
    XIANG = "乡"
    JIEDAO = "街道"
    YUANQU = "园区"
    CUN = "村"
    SHEQU = "社区"


KINDS_BY_LEVEL: dict[UnitLevel, tuple[UnitKind, ...]] = {
    UnitLevel.COUNTY: (UnitKind.XIAN, UnitKind.QU),
    UnitLevel.TOWN: (UnitKind.ZHEN, UnitKind.XIANG, UnitKind.JIEDAO, UnitKind.YUANQU),
    UnitLevel.VILLAGE: (UnitKind.CUN, UnitKind.SHEQU),
}

# Significant digits of a 12-digit code at each level: county 6, town 9, village 12.
SIGNIFICANT_DIGITS = {UnitLevel.COUNTY: 6, UnitLevel.TOWN: 9, UnitLevel.VILLAGE: 12}


class OrganizationKind(enum.Enum):
    GOVERNMENT_OFFICE = "GOVERNMENT_OFFICE"
    DEPARTMENT = "DEPARTMENT"
    TOWN_GOVERNMENT = "TOWN_GOVERNMENT"
    PARK_COMMITTEE = "PARK_COMMITTEE"
    VILLAGE_COMMITTEE = "VILLAGE_COMMITTEE"
    PUBLIC_INSTITUTION = "PUBLIC_INSTITUTION"


class ContactRole(enum.Enum):
    LEADER = "LEADER"  # 分管领导
    STAFF = "STAFF"  # 工作人员


class AdminUnit(Base):
    __tablename__ = "admin_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[UnitLevel] = mapped_column(Enum(UnitLevel, native_enum=False, length=16))
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, native_enum=False, length=16))
    urban_rural_code: Mapped[str | None] = mapped_column(String(3))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(64), index=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[OrganizationKind] = mapped_column(Enum(OrganizationKind, native_enum=False, length=32))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    # Public profile, Regulations Art. 20(2): 职能, 地址, 办公时间, 电话, 负责人.
    functions: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    office_hours: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    head: Mapped[str] = mapped_column(String(50), default="")
    # 索引号 scheme; placeholders {credit_code}, {org_id}, {year}, {serial}. Default when empty.
    index_scheme: Mapped[str | None] = mapped_column(String(100))
    # The 文号 of its request notices; placeholders {org} (short name), {kind}, {year}, {serial}.
    notice_scheme: Mapped[str | None] = mapped_column(String(60))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[AdminUnit] = relationship(lazy="raise")
    contacts: Mapped[list[OrganizationContact]] = relationship(
        lazy="raise", order_by="OrganizationContact.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class OrganizationContact(Base):
    """分管领导 / 工作人员 of an organization; the phone is shown to staff only."""

    __tablename__ = "organization_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[ContactRole] = mapped_column(Enum(ContactRole, native_enum=False, length=16))
    name: Mapped[str] = mapped_column(String(50))
    post: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
