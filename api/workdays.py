"""Chinese working days, in one place.

The district office's own calendar (``calendar_days``: holidays and 调休 working days) comes
first; then chinesecalendar's tables, which know 2004-2026; for a year neither knows, weekdays are
working days and the answer is provisional until the office marks that year complete (entering
one day of a year does not: a forgotten Spring Festival would go unflagged).

Counting is arithmetic over weeks plus the days that break the Monday-to-Friday rule (the
package's holidays on weekdays and weekends worked, and the office's days), so it costs the same
for a day next week as for one in the year 1: no loop over days.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Iterator, Mapping
from datetime import date, timedelta

from chinese_calendar.constants import holidays as _holidays
from chinese_calendar.constants import workdays as _workdays

Overrides = Mapping[date, bool]
NO_OVERRIDES: Overrides = {}


class OfficeCalendar(dict[date, bool]):
    """The office's days (holidays false, 调休 working days true) and the years it marked complete."""

    def __init__(self, days: Mapping[date, bool] | None = None, complete_years: frozenset[int] = frozenset()) -> None:
        super().__init__(days or {})
        self.complete_years = complete_years


def _complete_years(overrides: Overrides) -> frozenset[int]:
    return overrides.complete_years if isinstance(overrides, OfficeCalendar) else frozenset()


# chinesecalendar answers for these years only (it raises NotImplementedError outside them).
KNOWN_YEARS = range(min(_holidays).year, max(_holidays).year + 1)
# The package's days that break the weekday rule, as chinese_calendar.is_workday decides them:
# a 调休 working day wins over a holiday; a holiday on a weekend changes nothing.
_PACKAGE: dict[date, bool] = {d: False for d in _holidays if d.weekday() < 5} | {d: True for d in _workdays}
_PACKAGE_DAYS: list[date] = sorted(_PACKAGE)
ONE_DAY = timedelta(days=1)


def _weekday(day: date) -> bool:
    return day.weekday() < 5


def is_working_day(day: date, overrides: Overrides = NO_OVERRIDES) -> tuple[bool, bool]:
    """(whether ``day`` is a working day, whether the answer is provisional)."""
    if day in overrides:
        return overrides[day], False
    if day.year in KNOWN_YEARS:
        return _PACKAGE.get(day, _weekday(day)), False
    # A year the package does not know: provisional unless the office marked that year complete.
    return _weekday(day), day.year not in _complete_years(overrides)


def _weekdays_between(first: date, last: date) -> int:
    """Mondays to Fridays in ``first`` .. ``last``, both included."""
    if last < first:
        return 0
    weeks, rest = divmod((last - first).days + 1, 7)
    start = first.weekday()
    return 5 * weeks + sum(1 for i in range(rest) if (start + i) % 7 < 5)


def _nth_weekday_after(day: date, n: int) -> date:
    """The ``n``-th Monday-to-Friday after ``day`` (n >= 1)."""
    day += ONE_DAY
    while not _weekday(day):
        day += ONE_DAY
    weeks, rest = divmod(n - 1, 5)
    day += timedelta(weeks=weeks)
    for _ in range(rest):
        day += ONE_DAY
        while not _weekday(day):
            day += ONE_DAY
    return day


def _exceptions_after(start: date, overrides: Overrides) -> Iterator[tuple[date, bool]]:
    """The days after ``start`` that may break the weekday rule, in order: the office's days, and
    the package's days the office did not set."""
    first = bisect.bisect_right(_PACKAGE_DAYS, start)
    package = ((d, _PACKAGE[d]) for d in itertools.islice(_PACKAGE_DAYS, first, None) if d not in overrides)
    office = sorted((d, w) for d, w in overrides.items() if d > start)
    return heapq.merge(package, office)


def _provisional(first: date, last: date, overrides: Overrides) -> bool:
    """Whether ``first`` .. ``last`` touches a year that neither the package nor the office knows."""
    if last < first:
        return False
    years = range(first.year, last.year + 1)
    unknown = len(years) - len(range(max(years.start, KNOWN_YEARS.start), min(years.stop, KNOWN_YEARS.stop)))
    complete = {y for y in _complete_years(overrides) if y in years and y not in KNOWN_YEARS}
    return unknown > len(complete)


def add_working_days(start: date, count: int, overrides: Overrides = NO_OVERRIDES) -> tuple[date, bool]:
    """The ``count``-th working day after ``start`` (``start`` itself is day zero)."""
    if count <= 0:
        return start, False
    at, remaining = start, count
    result: date | None = None
    for day, working in _exceptions_after(start, overrides):
        plain = _nth_weekday_after(at, remaining)
        if plain < day:  # reached before the next day that breaks the rule
            result = plain
            break
        remaining -= _weekdays_between(at + ONE_DAY, day - ONE_DAY)
        if working:
            remaining -= 1
            if remaining == 0:
                result = day
                break
        at = day
    if result is None:
        result = _nth_weekday_after(at, remaining)
    return result, _provisional(start + ONE_DAY, result, overrides)


def working_days_between(first: date, last: date, overrides: Overrides = NO_OVERRIDES) -> int:
    """Working days in ``first`` .. ``last``, both included."""
    if last < first:
        return 0
    count = _weekdays_between(first, last)
    lo, hi = bisect.bisect_left(_PACKAGE_DAYS, first), bisect.bisect_right(_PACKAGE_DAYS, last)
    for day in _PACKAGE_DAYS[lo:hi]:
        if day not in overrides:
            count += int(_PACKAGE[day]) - int(_weekday(day))
    for day, working in overrides.items():
        if first <= day <= last:
            count += int(working) - int(_weekday(day))
    return count
