"""Public commitments (公开承诺): 民生实事 and 承诺事项, their milestones and progress entries.

A commitment's status is never stored: ``api.services.commitments.status_expression`` derives
it from the milestones and the progress entries, for the list filter and the field alike.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


def _enum(cls: type[enum.Enum], length: int = 16) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class CommitmentKind(enum.Enum):
    LIVELIHOOD = "LIVELIHOOD"  # 民生实事 (tiexi-2016: the 20 件民生实事 of the year)
    PLEDGE = "PLEDGE"  # 承诺事项 (wangyi-2018 item 16: 向社会承诺事项)


KIND_LABELS = {CommitmentKind.LIVELIHOOD: "民生实事", CommitmentKind.PLEDGE: "承诺事项"}


class CommitmentStatus(enum.Enum):
    """Derived, never stored (see the module docstring)."""

    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    OVERDUE = "OVERDUE"


STATUS_LABELS = {
    CommitmentStatus.NOT_STARTED: "未开始",
    CommitmentStatus.IN_PROGRESS: "进行中",
    CommitmentStatus.COMPLETED: "已完成",
    CommitmentStatus.OVERDUE: "逾期",
}


class CommitmentEventKind(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    MILESTONE_ADDED = "MILESTONE_ADDED"
    MILESTONE_COMPLETED = "MILESTONE_COMPLETED"
    PROGRESS_ADDED = "PROGRESS_ADDED"


class Commitment(Base):
    """A commitment an organization makes to the people of a unit, for a year."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[CommitmentKind] = mapped_column(_enum(CommitmentKind))
    title: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int] = mapped_column(Integer, index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    # The owner organization's path (who may change it) and the unit's path (where it is listed).
    scope_path: Mapped[str] = mapped_column(String(64), index=True)
    unit_path: Mapped[str] = mapped_column(String(64), index=True)
    demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CommitmentMilestone(Base):
    """An important point (重要节点) of a commitment, numbered from 1 within it."""

    __tablename__ = "commitment_milestones"
    __table_args__ = (UniqueConstraint("commitment_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done_on: Mapped[date | None] = mapped_column(Date, default=None)


class CommitmentProgress(Base):
    """A progress entry: what was done by a day, with published documents as evidence."""

    __tablename__ = "commitment_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommitmentEvidence(Base):
    """A published document a progress entry points to."""

    __tablename__ = "commitment_evidence"
    __table_args__ = (UniqueConstraint("progress_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("commitment_progress.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)


class CommitmentEvent(Base):
    """The commitment's history: each change, by whom, at which version."""

    __tablename__ = "commitment_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    kind: Mapped[CommitmentEventKind] = mapped_column(_enum(CommitmentEventKind, 24))
    version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
