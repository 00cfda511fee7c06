"""api/clock.py: the statutory clock of information requests (Regulations 2019, Arts. 30-33)."""

from __future__ import annotations

import time
from datetime import date

from api.clock import (
    CORRECTION_NOTICE_WORKING_DAYS,
    MAX_EXTENSION,
    REPLY_WORKING_DAYS,
    Due,
    Pause,
    correction_notice_due,
    paused_working_days,
    reply_due,
    working_days_left,
)
from api.workdays import OfficeCalendar

NONE: dict[date, bool] = {}
TODAY = date(2026, 11, 30)
UNKNOWN_YEAR = 2099  # no release of chinesecalendar will know it


def test_the_statutes_numbers() -> None:
    assert (REPLY_WORKING_DAYS, MAX_EXTENSION, CORRECTION_NOTICE_WORKING_DAYS) == (20, 20, 7)


def test_twenty_working_days_across_national_day_2026() -> None:
    # Received on Friday 2026-09-25 (中秋节): 09-28..30, 10-08..10 (Saturday worked), then 14 more.
    assert reply_due(date(2026, 9, 25), 0, [], TODAY, NONE) == Due(date(2026, 10, 29), False)


def test_twenty_working_days_across_spring_festival_2026() -> None:
    # Received on Tuesday 2026-02-10: 02-11..14 (Saturday worked), 02-24..28 (Saturday worked), ...
    assert reply_due(date(2026, 2, 10), 0, [], TODAY, NONE) == Due(date(2026, 3, 16), False)


def test_an_extension_adds_its_working_days() -> None:
    due = reply_due(date(2026, 9, 25), MAX_EXTENSION, [], TODAY, NONE)
    assert due == Due(date(2026, 11, 26), False)  # 20 working days after 10-29


def test_a_consultation_does_not_count() -> None:
    # Sent out on Monday 10-12, answered on Friday 10-16: 10-13..16 are four working days not counted.
    closed = Pause(date(2026, 10, 12), date(2026, 10, 16))
    assert paused_working_days([closed], TODAY, NONE) == 4
    assert reply_due(date(2026, 9, 25), 0, [closed], TODAY, NONE) == Due(date(2026, 11, 4), False)
    # Still open: counted up to today.
    open_ = Pause(date(2026, 10, 12), None)
    assert paused_working_days([open_], date(2026, 10, 14), NONE) == 2
    assert reply_due(date(2026, 9, 25), 0, [open_], date(2026, 10, 14), NONE).on == date(2026, 11, 2)
    # Answered on the day it was sent, or over a holiday: nothing to add.
    assert paused_working_days([Pause(date(2026, 10, 12), date(2026, 10, 12))], TODAY, NONE) == 0
    assert paused_working_days([Pause(date(2026, 9, 30), date(2026, 10, 7))], TODAY, NONE) == 0
    assert paused_working_days([closed, Pause(date(2026, 10, 19), date(2026, 10, 20))], TODAY, NONE) == 5


def test_the_correction_notice_is_due_seven_working_days_after_receipt() -> None:
    # Received on Wednesday 09-30: 10-08, 10-09, 10-10 (Saturday worked), 10-12 .. 10-15.
    assert correction_notice_due(date(2026, 9, 30), NONE) == date(2026, 10, 15)
    assert correction_notice_due(date(2026, 9, 30), {date(2026, 10, 10): False}) == date(2026, 10, 16)


def test_a_due_date_in_a_year_nobody_knows_is_provisional_until_that_year_is_marked_complete() -> None:
    received = date(UNKNOWN_YEAR, 3, 2)  # a Monday
    assert reply_due(received, 0, [], TODAY, NONE) == Due(date(UNKNOWN_YEAR, 3, 30), True)  # weekdays only
    entered = {date(UNKNOWN_YEAR, 3, 20): False}  # the office entered one holiday of that year
    assert reply_due(received, 0, [], TODAY, entered) == Due(date(UNKNOWN_YEAR, 3, 31), True)
    complete = OfficeCalendar(entered, frozenset({UNKNOWN_YEAR}))
    assert reply_due(received, 0, [], TODAY, complete) == Due(date(UNKNOWN_YEAR, 3, 31), False)


def test_working_days_left() -> None:
    due = date(2026, 10, 29)
    assert working_days_left(due, due, NONE) == 0
    assert working_days_left(date(2026, 10, 27), due, NONE) == 2
    assert working_days_left(date(2026, 11, 2), due, NONE) == -2  # 10-30 and 11-02 late
    assert working_days_left(date(2026, 9, 30), date(2026, 10, 8), NONE) == 1  # the holiday does not count


def test_a_request_received_two_thousand_years_ago_is_counted_at_once() -> None:
    # receivedOn "0001-01-01" once made infoRequests { daysLeft } count 740,000 days one by one (55 s).
    started = time.perf_counter()
    due = reply_due(date(1, 1, 1), MAX_EXTENSION, [Pause(date(1, 1, 5), None)], TODAY, NONE)
    assert due.provisional and due.on > TODAY  # the open consultation paused it until today
    assert working_days_left(TODAY, date(1, 1, 29), NONE) < -500_000
    assert time.perf_counter() - started < 0.05
