"""Who may read or write the annual report, its year and its scope."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.codes import ReportsCode
from api.errors import Unauthenticated, UserInputError
from api.localtime import midnight
from api.services import units
from api.services.requests import today

from .form import (
    FIRST_YEAR,
    Scope,
)


def signed_in(actor: Actor) -> None:
    """Anonymous callers learn nothing, not even whether a unit exists; the command line's
    system actor, signed in as nobody, may read everything."""
    if actor.user is None and not actor.can("report", "read", ROOT):
        raise Unauthenticated()


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= today().year:
        raise UserInputError("year", ReportsCode.INVALID_YEAR, f"年度应在{FIRST_YEAR}年至{today().year}年之间")


async def resolve_scope(session: AsyncSession, *, organization_id: int | None, unit_code: str | None) -> Scope:
    code = (unit_code or "").strip() or None
    if (organization_id is None) == (code is None):
        raise UserInputError(
            "organizationId",
            ReportsCode.SCOPE_REQUIRED,
            "请指定单位（organizationId）或区划（unitCode），二者只能选其一",
        )
    if organization_id is not None:
        org = await units.get_organization(session, organization_id, "organizationId")
        return Scope(await units.organization_scope(session, org), org.name, org.id, None)
    assert code is not None
    unit = await units.get_unit(session, code, "unitCode")
    return Scope(unit.scope_path, unit.name, None, unit.code)


# Midnight China time, in UTC: SQLite stores UTC wall-clock time and ignores the offset.
instant = midnight
