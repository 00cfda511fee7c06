"""Chinese working days, in one place: chinesecalendar for the years it knows.

chinesecalendar 1.11 knows 2004-2026 and raises NotImplementedError for other years; for those
the weekend rule is used and the answer is marked provisional. The district office's own calendar
table (holidays and 调休 days) arrives with the information-requests issue and goes in here.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> tuple[bool, bool]:
    """(whether ``day`` is a working day, whether the answer is provisional)."""
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, True


def add_working_days(start: date, count: int) -> tuple[date, bool]:
    """The ``count``-th working day after ``start`` (``start`` itself is day zero)."""
    day = start
    provisional = False
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        working, unsure = is_working_day(day)
        provisional = provisional or unsure
        if working:
            remaining -= 1
    return day, provisional
