"""Fees (信息处理费) and the office's own rules for requests.

Art. 42: 行政机关依申请提供政府信息，不收取费用。但是，申请人申请公开政府信息的数量、频次明显超过合理范围的，
行政机关可以收取信息处理费。

国办函〔2020〕109号 (政府信息公开信息处理费管理办法), as this module applies it: an agency charges by
the piece (the applicant's requests in one calendar month) or by the volume (the pages of one
request), one of the two, at the thresholds and prices of ``FeeStandard`` (the measure's own are
the defaults of migration 0012); it sends a 收费通知 within the reply period; the days from the
notice to the payment do not count in the reply period; the applicant pays within 20 working days
of the notice, or the request is treated as abandoned (其他处理: 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.codes import RequestsCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.models import EventKind, FeeMethod, FeeStandard, InfoRequest, NoticeKind, ReplyReason, ReplyType, RequestRules
from api.workdays import add_working_days

from .. import audit
from . import notices
from .common import _dated, _event, _load, _recompute, _save, chinese_date, overrides
from .workflow import _last_event, _require, _target

PAYMENT_WORKING_DAYS = 20  # 国办函〔2020〕109号: from the notice
MAX_UNITS = 100_000  # pieces in a month or pages of a request a notice may charge for
MAX_TIERS = 10
MAX_PRICE = 100_000  # yuan per unit
METHOD_NAMES = {FeeMethod.BY_PIECE: "按件计收", FeeMethod.BY_VOLUME: "按量计收"}
UNIT_NAMES = {FeeMethod.BY_PIECE: "件", FeeMethod.BY_VOLUME: "页"}


def _sum_prices(standard: FeeStandard, first: int, last: int) -> int:
    """The prices of units ``first`` .. ``last`` (1-based) under the standard, by segments: tier i
    prices the units past its ``above`` up to the next tier's; past the last tier, each block of
    ``step_units`` costs ``step_yuan`` more per unit than the block before."""
    total = 0
    tiers = standard.tiers
    for i, (above, yuan) in enumerate(tiers):
        upper = tiers[i + 1][0] if i + 1 < len(tiers) else None
        if upper is not None or not standard.step_units:
            lo, hi = max(first, above + 1), min(last, upper if upper is not None else last)
            total += max(0, hi - lo + 1) * yuan
            continue
        block = 0
        while above + block * standard.step_units < last:
            b_lo = above + block * standard.step_units + 1
            lo, hi = max(first, b_lo), min(last, b_lo + standard.step_units - 1)
            total += max(0, hi - lo + 1) * (yuan + block * standard.step_yuan)
            block += 1
    return total


def fee_for(standard: FeeStandard, units: int) -> int:
    """By the piece: the price of this request, the ``units``-th of the applicant's month. By the
    volume: the prices of the request's ``units`` pages."""
    if standard.method is FeeMethod.BY_PIECE:
        return _sum_prices(standard, units, units)
    return _sum_prices(standard, 1, units)


# The measure's own standard, until the office sets its own (version 0: never saved): by the
# piece, the 11th to 30th request of a month 100 yuan each, from the 31st 200 yuan and 100 more for
# every 10 further; by the volume, pages 31 to 100 10 yuan each, 101 to 200 20 yuan, from 201 40 yuan.
DEFAULT_STANDARDS = {
    FeeMethod.BY_PIECE: ([[10, 100], [30, 200]], 10, 100),
    FeeMethod.BY_VOLUME: ([[30, 10], [100, 20], [200, 40]], None, 0),
}


def _default(method: FeeMethod) -> FeeStandard:
    tiers, step_units, step_yuan = DEFAULT_STANDARDS[method]
    return FeeStandard(method=method, tiers=tiers, step_units=step_units, step_yuan=step_yuan, version=0)


async def fee_standard(session: AsyncSession, method: FeeMethod) -> FeeStandard:
    return await session.get(FeeStandard, method) or _default(method)


def describe(standard: FeeStandard, units: int) -> str:
    """The standard as the notice states it, with the units charged for."""
    unit = UNIT_NAMES[standard.method]
    parts = [f"{standard.tiers[0][0]}{unit}以下（含）不收费"] if standard.tiers else []
    for i, (above, yuan) in enumerate(standard.tiers):
        upper = standard.tiers[i + 1][0] if i + 1 < len(standard.tiers) else None
        span = f"第{above + 1}至{upper}{unit}" if upper is not None else f"第{above + 1}{unit}起"
        parts.append(f"{span}每{unit}{yuan}元")
    if standard.step_units and standard.step_yuan:
        parts.append(f"此后每{standard.step_units}{unit}为一档，每档每{unit}加收{standard.step_yuan}元")
    counted = f"本月第{units}件申请" if standard.method is FeeMethod.BY_PIECE else f"共{units}页"
    return f"{'，'.join(parts)}；{counted}"


async def fee_standards(session: AsyncSession, actor: Actor) -> list[FeeStandard]:
    """Public: the standard is published (国办函〔2020〕109号), so every actor reads it."""
    saved = {f.method: f for f in (await session.execute(select(FeeStandard))).scalars()}
    return [saved.get(m) or _default(m) for m in FeeMethod]


async def set_fee_standard(
    session: AsyncSession, actor: Actor, *, method: FeeMethod, tiers: list[tuple[int, int]], step_units: int | None,
    step_yuan: int, version: int | None,
) -> FeeStandard:  # fmt: skip
    """The district office's fee standard for a method (one standard serves every county, as the
    calendar and the letter templates: a grant at ``*``)."""
    actor.require("fee_standard", "manage", ROOT)
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise UserInputError("tiers", RequestsCode.OUT_OF_RANGE, f"收费档次应为1至{MAX_TIERS}档")
    aboves = [a for a, _ in tiers]
    if aboves != sorted(set(aboves)) or aboves[0] < 0 or aboves[-1] > MAX_UNITS:
        raise UserInputError("tiers", RequestsCode.OUT_OF_RANGE, "各档起点应从小到大排列、互不相同，且不小于0")
    if any(not 0 <= y <= MAX_PRICE for _, y in tiers) or not 0 <= step_yuan <= MAX_PRICE:
        raise UserInputError("tiers", RequestsCode.OUT_OF_RANGE, f"单价应在0至{MAX_PRICE}元之间")
    if step_units is not None and not 1 <= step_units <= MAX_UNITS:
        raise UserInputError("stepUnits", RequestsCode.OUT_OF_RANGE, "递增档的件（页）数应为正数")
    standard = await session.get(FeeStandard, method)
    if (standard.version if standard else 0) != (version or 0):
        raise Conflict()
    if standard is None:
        standard = FeeStandard(method=method, tiers=[], step_yuan=0)
        session.add(standard)
    standard.tiers = [[a, y] for a, y in tiers]
    standard.step_units, standard.step_yuan = step_units, step_yuan
    audit.record(
        session, actor, "request.fee_standard", "FeeStandard", method.value, ROOT, f"修改{METHOD_NAMES[method]}标准"
    )
    await commit(session)
    return standard


async def notify_fee(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, method: FeeMethod, units: int,
    on_date: date | None = None,
) -> InfoRequest:  # fmt: skip
    """收费通知: the amount by the office's standard; the clock stops until the payment."""
    r = await _load(session, actor, request_id, version)
    _require(r, "notify_fee")
    if await _last_event(session, r, EventKind.FEE_NOTIFIED) is not None:
        raise UserInputError("id", RequestsCode.ALREADY_NOTIFIED, "本申请已发过收费通知，不能再次发出")
    if not 1 <= units <= MAX_UNITS:
        raise UserInputError("units", RequestsCode.OUT_OF_RANGE, f"件（页）数应在1至{MAX_UNITS}之间")
    on = await _dated(session, r, on_date)
    if on > r.due_on:
        raise UserInputError(
            "onDate", RequestsCode.TOO_LATE, f"收费通知应在答复期限（{chinese_date(r.due_on)}）内发出，已超过期限"
        )
    standard = await fee_standard(session, method)
    amount = fee_for(standard, units)
    if amount <= 0:
        raise UserInputError(
            "units",
            RequestsCode.NO_FEE,
            f"按{METHOD_NAMES[method]}标准，{units}{UNIT_NAMES[method]}不收费，无需发收费通知",
        )
    ovr = await overrides(session)
    previous = r.status
    r.status = _target(r, "notify_fee")
    r.fee_yuan = amount
    r.payment_due_on = add_working_days(on, PAYMENT_WORKING_DAYS, ovr)[0]
    notice = await notices.issue(
        session, actor, r, NoticeKind.FEE, on,
        {"method": METHOD_NAMES[method], "basis": describe(standard, units), "amount": str(amount),
         "pay_by": chinese_date(r.payment_due_on)},
    )  # fmt: skip
    _event(
        session, actor, r, EventKind.FEE_NOTIFIED, on, f"{METHOD_NAMES[method]}{units}{UNIT_NAMES[method]}，{amount}元",
        previous=previous.value, method=method.value, units=units, yuan=amount, pay_by=r.payment_due_on.isoformat(),
        notice=notice.doc_no,
    )  # fmt: skip
    await session.flush()
    await _recompute(session, r, ovr)
    return await _save(
        session, actor, r, "notify_fee", f"收费通知 {amount}元，缴费期限至{chinese_date(r.payment_due_on)}"
    )


async def record_payment(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, on_date: date | None = None
) -> InfoRequest:
    """The fee is paid: the clock runs again from the next working day."""
    r = await _load(session, actor, request_id, version)
    _require(r, "record_payment")
    on = await _dated(session, r, on_date)
    notified = await _last_event(session, r, EventKind.FEE_NOTIFIED)
    assert notified is not None
    r.status = type(r.status)(str(notified.data.get("previous")))
    _event(session, actor, r, EventKind.FEE_PAID, on, f"已缴纳{r.fee_yuan}元")
    await session.flush()
    await _recompute(session, r)
    return await _save(session, actor, r, "record_payment", f"已缴费，答复期限至{chinese_date(r.due_on)}")


async def fee_lapsed(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, on_date: date | None = None
) -> InfoRequest:
    """Not paid within 20 working days of the notice: closed as 逾期未缴费 (其他处理), counted in
    table 3 of the annual report under that reason."""
    r = await _load(session, actor, request_id, version)
    _require(r, "fee_lapsed")
    on = await _dated(session, r, on_date)
    assert r.payment_due_on is not None
    if on <= r.payment_due_on:
        raise UserInputError(
            "onDate", RequestsCode.TOO_EARLY, f"缴费期限至{chinese_date(r.payment_due_on)}，期满后方可按逾期未缴费处理"
        )
    r.status = _target(r, "fee_lapsed")
    r.reply_type, r.reply_reason, r.replied_on = ReplyType.OTHER, ReplyReason.FEE_UNPAID, on
    _event(session, actor, r, EventKind.FEE_LAPSED, on, "申请人逾期未缴纳信息处理费，视为放弃申请")
    return await _save(session, actor, r, "fee_lapsed", "逾期未缴费")


CORRECTION_DAYS = range(1, 61)


async def set_request_rules(
    session: AsyncSession, actor: Actor, *, correction_working_days: int, version: int
) -> RequestRules:
    """The office's correction period (Art. 30: 合理的补正期限), in working days from the notice."""
    actor.require("calendar", "manage", ROOT)
    if correction_working_days not in CORRECTION_DAYS:
        raise UserInputError(
            "correctionWorkingDays", RequestsCode.OUT_OF_RANGE,
            f"补正期限应在{CORRECTION_DAYS.start}至{CORRECTION_DAYS.stop - 1}个工作日之间",
        )  # fmt: skip
    rules = await session.get(RequestRules, 1)
    if (rules.version if rules else 0) != version:
        raise Conflict()
    if rules is None:
        rules = RequestRules(id=1, correction_working_days=correction_working_days)
        session.add(rules)
    rules.correction_working_days = correction_working_days
    audit.record(
        session, actor, "request.rules", "RequestRules", 1, ROOT, f"补正期限设为{correction_working_days}个工作日"
    )
    await commit(session)
    return rules
