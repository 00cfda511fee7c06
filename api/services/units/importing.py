"""Import of the statistics bureau's code list (CSV)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT, unit_path
from api.codes import UnitsCode
from api.errors import UserInputError
from api.models import (
    AdminUnit,
)
from api.models.units import SIGNIFICANT_DIGITS

from .. import audit
from .codes import _check_name, guess_kind, level_of, parent_code_of


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


def parse_units_csv(text: str) -> list[tuple[int, str, str, str | None]]:
    """Rows (line number, code, name, urban-rural code); a header row is skipped."""
    rows = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not row or not "".join(row).strip():
            continue
        if lineno == 1 and not row[0].strip().isdigit():
            continue
        if len(row) < 2:
            raise UserInputError("file", UnitsCode.INVALID_ROW, f"第{lineno}行：应为“代码,名称[,城乡分类代码]”")
        urban = row[2].strip() if len(row) > 2 and row[2].strip() else None
        rows.append((lineno, row[0].strip(), row[1].strip(), urban))
    return rows


async def import_units(
    session: AsyncSession, actor: Actor, rows: Iterable[tuple[int, str, str, str | None]]
) -> ImportResult:
    """Create or rename units from the code list; all rows or none (the caller's transaction)."""
    created = updated = unchanged = 0
    ordered = []
    for lineno, code, name, urban in rows:
        try:
            level = level_of(code)
            _check_name(name)
        except UserInputError as exc:
            raise UserInputError("file", exc.code, f"第{lineno}行：{exc.message}") from exc
        if urban is not None and not re.fullmatch(r"\d{3}", urban):
            raise UserInputError("file", UnitsCode.INVALID_ROW, f"第{lineno}行：城乡分类代码应为3位数字，收到“{urban}”")
        ordered.append((SIGNIFICANT_DIGITS[level], lineno, code, name, urban, level))
    ordered.sort()
    existing = {u.code: u for u in (await session.execute(select(AdminUnit))).scalars()}
    for _digits, lineno, code, name, urban, level in ordered:
        unit = existing.get(code)
        if unit is not None:
            actor_path = unit.scope_path
            if unit.name == name and (urban is None or unit.urban_rural_code == urban):
                unchanged += 1
                continue
            actor.require("unit", "update", actor_path)
            unit.name = name
            if urban is not None:
                unit.urban_rural_code = urban
            updated += 1
            continue
        parent_code = parent_code_of(code, level)
        parent = existing.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            raise UserInputError(
                "file", UnitsCode.PARENT_NOT_FOUND, f"第{lineno}行：上级单位“{parent_code}”不在文件中，也尚未建立"
            )
        actor.require("unit", "create", parent.scope_path if parent else ROOT)
        unit = AdminUnit(
            code=code,
            name=name,
            level=level,
            kind=guess_kind(name, level),
            urban_rural_code=urban,
            parent_id=parent.id if parent else None,
            scope_path=unit_path(code),
        )
        session.add(unit)
        await session.flush()
        existing[code] = unit
        created += 1
    audit.record(
        session,
        actor,
        "unit.import",
        "AdminUnit",
        None,
        ROOT,
        f"导入区划代码：新建{created}，更新{updated}，未变{unchanged}",
    )
    return ImportResult(created, updated, unchanged)
