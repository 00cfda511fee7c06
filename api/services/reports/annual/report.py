"""The annual report, assembled from its sections and tables."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor

from .access import check_year, resolve_scope, signed_in
from .counts import table3, table4
from .entries import read_texts, table2
from .form import (
    AnnualReport,
    TextSection,
)


async def annual_report(
    session: AsyncSession, actor: Actor, *, year: int, organization_id: int | None = None, unit_code: str | None = None
) -> AnnualReport:
    signed_in(actor)
    check_year(year)
    scope = await resolve_scope(session, organization_id=organization_id, unit_code=unit_code)
    actor.require("report", "read", scope.path)
    texts = await read_texts(session, scope.path, year)
    return AnnualReport(
        year=year, scope=scope, overview=texts[TextSection.OVERVIEW], problems=texts[TextSection.PROBLEMS],
        other=texts[TextSection.OTHER], table2=await table2(session, scope.path, year),
        table3=await table3(session, scope.path, year), table4=await table4(session, scope.path, year),
    )  # fmt: skip
