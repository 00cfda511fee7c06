"""Scope paths, and the one SQL filter for "visible to actor".

A scope path lists the significant admin-unit codes from the county down, then the owning
organization: ``513425/513425101/org:17``. ``*`` is above every county. A grant at a path holds
for every path below it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

ROOT = "*"

# A scope path in SQL: a column, or an expression such as an organization's path built by a join.
PathColumn = InstrumentedAttribute[str] | InstrumentedAttribute[str | None] | ColumnElement[str]


def unit_path(code: str) -> str:
    parts = [code[:6]]
    if code[6:9] != "000" or code[9:] != "000":
        parts.append(code[:9])
    if code[9:] != "000":
        parts.append(code)
    return "/".join(parts)


def county_code(code: str) -> str:
    """The 12-digit code of the county that a unit code lies in."""
    return code[:6] + "000000"


def county_path(path: str) -> str:
    """The county's segment of a scope path (``*`` stays ``*``)."""
    return path.split("/", 1)[0]


def organization_path(unit_scope_path: str, organization_id: int) -> str:
    return f"{unit_scope_path}/org:{organization_id}"


def prefixes(path: str) -> list[str]:
    """The root and every ancestor path of ``path``, ending with ``path`` itself."""
    if path == ROOT:
        return [ROOT]
    parts = path.split("/")
    return [ROOT] + ["/".join(parts[: i + 1]) for i in range(len(parts))]


def covers(grant_path: str, path: str) -> bool:
    return grant_path == ROOT or path == grant_path or path.startswith(grant_path + "/")


def at_or_below(column: PathColumn, path: str) -> ColumnElement[bool]:
    """SQL: the row's scope path is ``path`` or lies below it."""
    return within(column, [path])


def below(column: PathColumn, path: str) -> ColumnElement[bool]:
    """SQL: the row's scope path lies strictly below ``path``."""
    return true() if path == ROOT else column.like(path + "/%")


def owned_by_organizations_of(column: PathColumn, path: str) -> ColumnElement[bool]:
    """SQL: the row belongs to an organization of the unit at ``path`` itself (not of a unit below)."""
    return column.like(path + "/org:%")


def within(column: PathColumn, paths: list[str]) -> ColumnElement[bool]:
    """SQL: the row's scope path is at or below one of ``paths``."""
    if ROOT in paths:
        return true()
    if not paths:
        return false()
    return or_(*[or_(column == p, column.like(p + "/%")) for p in paths])
