"""The disclosure catalog (标准目录 / 公开目录): items per domain and who is responsible for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class UpdateFrequency(enum.Enum):
    """实时, 日, 旬 (10 days), 月, 季, 年."""

    REALTIME = "实时"
    DAILY = "日"
    XUN = "旬"
    MONTHLY = "月"
    QUARTERLY = "季"
    YEARLY = "年"


class Audience(enum.Enum):
    PUBLIC = "全社会"
    SPECIFIC_GROUPS = "特定群体"


class DisclosureMethod(enum.Enum):
    PROACTIVE = "主动"
    ON_REQUEST = "依申请"


CHANNELS = (
    "政府网站", "政府公报", "两微一端", "发布会/听证会", "广播电视", "纸质媒体", "公开查阅点", "政务服务中心",
    "便民服务站", "入户/现场", "公示栏/电子屏", "精准推送", "其他",
)  # fmt: skip


class CatalogItem(Base):
    __tablename__ = "catalog_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), index=True)
    level1: Mapped[str] = mapped_column(String(200))  # 一级事项
    level2: Mapped[str] = mapped_column(String(200), default="")  # 二级事项
    content: Mapped[str] = mapped_column(Text, default="")  # 公开内容（要素）
    basis: Mapped[str] = mapped_column(Text, default="")  # 公开依据
    deadline: Mapped[str] = mapped_column(String(200), default="")  # 公开时限, as written
    deadline_working_days: Mapped[int | None] = mapped_column(Integer)  # its structured form, if any
    subject: Mapped[str] = mapped_column(String(200), default="")  # 公开主体
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience: Mapped[Audience] = mapped_column(Enum(Audience, native_enum=False, length=16), default=Audience.PUBLIC)
    method: Mapped[DisclosureMethod] = mapped_column(
        Enum(DisclosureMethod, native_enum=False, length=16), default=DisclosureMethod.PROACTIVE
    )
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)  # UnitLevel names
    frequency: Mapped[UpdateFrequency] = mapped_column(Enum(UpdateFrequency, native_enum=False, length=16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CatalogResponsibility(Base):
    """An organization responsible for publishing under a catalog item."""

    __tablename__ = "catalog_responsibilities"
    __table_args__ = (UniqueConstraint("item_id", "organization_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
