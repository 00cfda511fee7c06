"""The dates and years any input is held to: the schema checks every Date and ``year`` it is sent
(schema/bounds.py), and the services check the years they compute with.

1949 is the earliest year a record of the People's Republic's county governments can carry;
2100 is far enough ahead for any deadline; both keep date arithmetic away from ``date.min`` and
``date.max`` (``date(1, 1, 1)`` once made a request's clock walk 2,000 years day by day).
"""

from __future__ import annotations

from datetime import date

YEAR_MIN = 1949
YEAR_MAX = 2100
DATE_MIN = date(YEAR_MIN, 1, 1)
DATE_MAX = date(YEAR_MAX, 12, 31)
YEAR_MESSAGE = f"年份应在{YEAR_MIN}年至{YEAR_MAX}年之间"
DATE_MESSAGE = f"日期应在{DATE_MIN.isoformat()}至{DATE_MAX.isoformat()}之间"


def year_in_range(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX


def date_in_range(day: date) -> bool:
    return DATE_MIN <= day <= DATE_MAX
