"""The statutory clock of information requests (政府信息公开条例, 2019).

Art. 30: 政府信息公开申请内容不明确的，行政机关应当给予指导和释明，并自收到申请之日起7个工作日内
一次性告知申请人作出补正，说明需要补正的事项和合理的补正期限。答复期限自行政机关收到补正的申请之日起计算。
申请人无正当理由逾期不补正的，视为放弃申请，行政机关不再处理该政府信息公开申请。

Art. 31: 行政机关收到政府信息公开申请的时间：申请人当面提交的，以提交之日为收到申请之日；以邮寄方式提交的，
以行政机关签收之日为收到申请之日；通过互联网渠道或者传真提交的，以双方确认之日为收到申请之日。

Art. 32: 依申请公开的政府信息公开会损害第三方合法权益的，行政机关应当书面征求第三方的意见。
第三方应当自收到征求意见书之日起15个工作日内提出意见。第三方逾期未提出意见的，由行政机关依照本条例的规定
决定是否公开。

Art. 33: 行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复；需要延长答复期限的，应当经
政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过20个工作日。
行政机关征求第三方和其他机关意见所需时间不计算在前款规定的期限内。

Art. 34: 申请公开的政府信息由两个以上行政机关共同制作的，牵头制作的行政机关收到政府信息公开申请后可以
征求相关行政机关的意见。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from api.workdays import Overrides, add_working_days, working_days_between

REPLY_WORKING_DAYS = 20  # Art. 33
MAX_EXTENSION = 20  # Art. 33
CORRECTION_NOTICE_WORKING_DAYS = 7  # Art. 30
THIRD_PARTY_WORKING_DAYS = 15  # Art. 32


@dataclass(frozen=True)
class Pause:
    """A consultation (Arts. 32, 34): the working days after ``start`` up to ``end`` do not count,
    at most ``limit`` of them (a third party's 15, Art. 32: then the clock runs again)."""

    start: date
    end: date | None  # None while it lasts
    limit: int | None = None


@dataclass(frozen=True)
class Due:
    on: date
    provisional: bool


def paused_working_days(pauses: Iterable[Pause], today: date, overrides: Overrides) -> int:
    """The working days the pauses stop the clock for. A pause with a limit that still lasts counts
    its whole limit (a third party's answer is due by then; the due date holds until it comes);
    one without a limit counts up to today (the due date moves while it lasts)."""
    total = 0
    for pause in pauses:
        if pause.end is None and pause.limit is not None:
            total += pause.limit
            continue
        last = pause.end or today
        if last > pause.start:
            days = working_days_between(pause.start + timedelta(days=1), last, overrides)
            total += days if pause.limit is None else min(days, pause.limit)
    return total


def reply_due(
    clock_start: date, extension_days: int, pauses: Iterable[Pause], today: date, overrides: Overrides
) -> Due:
    """Day zero is the day of receipt (or of the corrected request); 20 working days, plus an
    extension, plus the working days spent waiting for a third party or another agency."""
    days = REPLY_WORKING_DAYS + extension_days + paused_working_days(pauses, today, overrides)
    on, provisional = add_working_days(clock_start, days, overrides)
    return Due(on, provisional)


def correction_notice_due(received_on: date, overrides: Overrides) -> date:
    """Art. 30: the correction notice goes out within 7 working days of receipt."""
    return add_working_days(received_on, CORRECTION_NOTICE_WORKING_DAYS, overrides)[0]


def working_days_left(today: date, due: date, overrides: Overrides) -> int:
    """Working days from today to the due day (0 on the day; negative when overdue)."""
    if due >= today:
        return working_days_between(today + timedelta(days=1), due, overrides)
    return -working_days_between(due + timedelta(days=1), today, overrides)
