"""Reports: annual targets, the district office's scoring factors, and the annual report's
written sections and entered figures."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AnnualTarget(Base):
    """目标任务数: how many items an organization is to publish in a year (huili-2016 annex 1)."""

    __tablename__ = "annual_targets"
    __table_args__ = (UniqueConstraint("organization_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssessmentFactor(Base):
    """Points (of the 10 % beyond the target) the district office awards for one factor:
    超任务数, 及时性, 准确性, 专题任务."""

    __tablename__ = "assessment_factors"
    __table_args__ = (UniqueConstraint("organization_id", "year", "factor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    factor: Mapped[str] = mapped_column(String(32))
    points: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnnualReportText(Base):
    """A written section of an annual report (总体情况, 存在的主要问题及改进情况, 其他需要报告的事项),
    for an organization or for a unit (a county's report)."""

    __tablename__ = "annual_report_texts"
    __table_args__ = (UniqueConstraint("scope_path", "year", "section"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_path: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class AnnualReportFigure(Base):
    """A figure of table 2 that the data does not hold (行政许可 decisions, fees, ...), entered by hand."""

    __tablename__ = "annual_report_figures"
    __table_args__ = (UniqueConstraint("scope_path", "year", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_path: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
