"""China's time: the zone every date shown or counted in is taken in, today's date, midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    """The calendar day in China of an aware moment."""
    return moment.astimezone(CHINA).date()


def today() -> date:
    return local_date(now())


def midnight(day: date) -> datetime:
    """The first moment of ``day`` in China, as an aware datetime in UTC."""
    return datetime.combine(day, time.min, tzinfo=CHINA).astimezone(UTC)
