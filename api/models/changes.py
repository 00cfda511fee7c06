"""Change counters: one row per topic, its version bumped in the transaction of every change that
can alter a cached answer (api/changes.py), so that every worker can tell whether what it cached is
still current with one cheap statement."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ChangeCounter(Base):
    __tablename__ = "change_counters"

    topic: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
