"""Village micro-power lists (村级小微权力清单): a county template, adopted by each village."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class PowerItem(Base):
    """An item of a county's template list."""

    __tablename__ = "power_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    category: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    disclosed: Mapped[str] = mapped_column(Text, default="")
    timing: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VillagePowerItem(Base):
    """A village's list entry: a template item it adopted, or a local item of its own."""

    __tablename__ = "village_power_items"
    __table_args__ = (UniqueConstraint("village_id", "template_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("power_items.id"))
    # Local items carry their own content; adopted ones read it from the template.
    category: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(200))
    basis: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list[str] | None] = mapped_column(JSON)
    responsible: Mapped[str | None] = mapped_column(String(200))
    disclosed: Mapped[str | None] = mapped_column(Text)
    timing: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(200))
    applicable: Mapped[bool] = mapped_column(Boolean, default=True)
    not_applicable_reason: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    adopted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
