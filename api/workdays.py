"""Chinese working days, in one place.

The district office's own calendar (``calendar_days``: holidays and 调休 working days) comes
first; then chinesecalendar, which knows 2004-2026 and raises NotImplementedError for other
years; for a year neither knows, weekdays are working days and the answer is provisional.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import chinese_calendar

Overrides = Mapping[date, bool]
NO_OVERRIDES: Overrides = {}


def is_working_day(day: date, overrides: Overrides = NO_OVERRIDES) -> tuple[bool, bool]:
    """(whether ``day`` is a working day, whether the answer is provisional)."""
    if day in overrides:
        return overrides[day], False
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        # A year the package does not know: provisional unless the office entered that year.
        known = any(d.year == day.year for d in overrides)
        return day.weekday() < 5, not known


def add_working_days(start: date, count: int, overrides: Overrides = NO_OVERRIDES) -> tuple[date, bool]:
    """The ``count``-th working day after ``start`` (``start`` itself is day zero)."""
    day = start
    provisional = False
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        working, unsure = is_working_day(day, overrides)
        provisional = provisional or unsure
        if working:
            remaining -= 1
    return day, provisional


def working_days_between(first: date, last: date, overrides: Overrides = NO_OVERRIDES) -> int:
    """Working days in ``first`` .. ``last``, both included."""
    count = 0
    day = first
    while day <= last:
        if is_working_day(day, overrides)[0]:
            count += 1
        day += timedelta(days=1)
    return count
