"""api/workdays.py: Chinese working days (the package's calendar, the office's days, weekdays)."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

import chinese_calendar

from api.workdays import OfficeCalendar, add_working_days, is_working_day, working_days_between

# A year no release of chinesecalendar will know (it raises NotImplementedError for it).
UNKNOWN_YEAR = 2099


def test_national_day_2026_holidays_and_the_saturday_worked_in_their_place() -> None:
    assert is_working_day(date(2026, 9, 30)) == (True, False)  # Wednesday
    for day in range(1, 8):  # 国庆节 and 中秋节: 10-01 .. 10-07, a Thursday to a Wednesday
        assert is_working_day(date(2026, 10, day)) == (False, False)
    assert is_working_day(date(2026, 10, 10)) == (True, False)  # Saturday, 调休 working day
    assert is_working_day(date(2026, 10, 11)) == (False, False)  # Sunday


def test_spring_festival_2026_and_its_saturdays() -> None:
    assert is_working_day(date(2026, 2, 14)) == (True, False)  # Saturday before 春节, worked
    assert is_working_day(date(2026, 2, 17)) == (False, False)  # 春节 (a Tuesday)
    assert is_working_day(date(2026, 2, 23)) == (False, False)  # Monday, still the holiday
    assert is_working_day(date(2026, 2, 28)) == (True, False)  # Saturday after, worked


def test_the_offices_days_come_before_the_package() -> None:
    overrides = {date(2026, 10, 8): False, date(2026, 10, 11): True}
    assert is_working_day(date(2026, 10, 8), overrides) == (False, False)
    assert is_working_day(date(2026, 10, 11), overrides) == (True, False)
    assert is_working_day(date(2026, 10, 9), overrides) == (True, False)  # not entered: the package


def test_a_year_nobody_knows_is_weekdays_and_provisional_until_the_office_marks_it_complete() -> None:
    monday, saturday = date(UNKNOWN_YEAR, 3, 2), date(UNKNOWN_YEAR, 3, 7)
    assert is_working_day(monday) == (True, True)
    assert is_working_day(saturday) == (False, True)
    entered = OfficeCalendar({date(UNKNOWN_YEAR, 10, 1): False})
    assert is_working_day(monday, entered) == (True, True)  # one day entered: the year is not known
    complete = OfficeCalendar({date(UNKNOWN_YEAR, 10, 1): False}, frozenset({UNKNOWN_YEAR}))
    assert is_working_day(monday, complete) == (True, False)
    assert is_working_day(saturday, complete) == (False, False)
    assert is_working_day(date(UNKNOWN_YEAR, 10, 1), complete) == (False, False)
    other_year = OfficeCalendar({}, frozenset({UNKNOWN_YEAR + 1}))
    assert is_working_day(monday, other_year) == (True, True)


def test_start_is_day_zero() -> None:
    assert add_working_days(date(2026, 9, 30), 0) == (date(2026, 9, 30), False)
    assert add_working_days(date(2026, 9, 30), 1) == (date(2026, 10, 8), False)
    assert add_working_days(date(2026, 9, 25), 1) == (date(2026, 9, 28), False)  # Friday -> Monday


def test_twenty_working_days_across_national_day_2026() -> None:
    # From Wednesday 09-30: 10-08, 10-09, 10-10 (Saturday, worked), then four weeks less two days.
    assert add_working_days(date(2026, 9, 30), 3) == (date(2026, 10, 10), False)
    assert add_working_days(date(2026, 9, 30), 20) == (date(2026, 11, 3), False)
    # A Saturday entered as a holiday by the office moves the result one working day on.
    assert add_working_days(date(2026, 9, 30), 3, {date(2026, 10, 10): False}) == (date(2026, 10, 12), False)


def test_spring_festival_2026_saturday_counts() -> None:
    assert add_working_days(date(2026, 2, 13), 1) == (date(2026, 2, 14), False)  # Friday -> the worked Saturday
    assert add_working_days(date(2026, 2, 14), 1) == (date(2026, 2, 24), False)  # over the whole holiday


def test_counting_through_a_year_nobody_knows_is_provisional() -> None:
    assert add_working_days(date(UNKNOWN_YEAR, 3, 2), 3) == (date(UNKNOWN_YEAR, 3, 5), True)
    assert add_working_days(date(UNKNOWN_YEAR, 3, 6), 1) == (date(UNKNOWN_YEAR, 3, 9), True)  # Friday -> Monday
    entered = {date(UNKNOWN_YEAR, 3, 9): False}  # the office made that Monday a holiday
    assert add_working_days(date(UNKNOWN_YEAR, 3, 6), 1, entered) == (date(UNKNOWN_YEAR, 3, 10), True)
    complete = OfficeCalendar(entered, frozenset({UNKNOWN_YEAR}))  # and marked the year complete
    assert add_working_days(date(UNKNOWN_YEAR, 3, 6), 1, complete) == (date(UNKNOWN_YEAR, 3, 10), False)


def test_working_days_between_includes_both_ends() -> None:
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 10, 8), date(2026, 10, 11)) == 3  # Thu, Fri, the worked Saturday
    assert working_days_between(date(2026, 9, 30), date(2026, 9, 30)) == 1
    assert working_days_between(date(2026, 10, 2), date(2026, 10, 1)) == 0  # empty range
    assert working_days_between(date(2026, 10, 8), date(2026, 10, 11), {date(2026, 10, 9): False}) == 2


def _reference_is_working(day: date, overrides: OfficeCalendar) -> tuple[bool, bool]:
    # The rule day by day, straight from chinese_calendar (what api/workdays.py computes by arithmetic).
    if day in overrides:
        return overrides[day], False
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, day.year not in overrides.complete_years


def _reference_add(start: date, count: int, overrides: OfficeCalendar) -> tuple[date, bool]:
    day, provisional = start, False
    while count > 0:
        day += timedelta(days=1)
        working, unsure = _reference_is_working(day, overrides)
        provisional = provisional or unsure
        count -= working
    return day, provisional


def test_arithmetic_agrees_with_counting_day_by_day() -> None:
    rng = random.Random(11)
    first_known, last_known = date(2004, 1, 1), date(2026, 12, 31)
    for _ in range(250):
        start = rng.choice(
            [
                first_known + timedelta(days=rng.randrange((last_known - first_known).days)),
                date(rng.choice([2002, 2003, 2026, 2027, 2099]), rng.randint(1, 12), rng.randint(1, 28)),
            ]
        )
        overrides = OfficeCalendar(
            {start + timedelta(days=rng.randrange(-30, 200)): rng.random() < 0.5 for _ in range(rng.randrange(6))},
            frozenset(y for y in (2002, 2003, 2027, 2028, 2099, 2100) if rng.random() < 0.3),
        )
        count = rng.randrange(0, 80)
        assert add_working_days(start, count, overrides) == _reference_add(start, count, overrides), (start, count)
        last = start + timedelta(days=rng.randrange(-3, 400))
        expected = sum(
            _reference_is_working(start + timedelta(days=i), overrides)[0] for i in range((last - start).days + 1)
        )
        assert working_days_between(start, last, overrides) == expected, (start, last)


def test_a_date_two_thousand_years_ago_costs_no_more_than_next_week() -> None:
    started = time.perf_counter()
    assert working_days_between(date(1, 1, 1), date(2026, 11, 30)) > 500_000
    assert add_working_days(date(1, 1, 1), 20) == (date(1, 1, 29), True)
    assert time.perf_counter() - started < 0.05
