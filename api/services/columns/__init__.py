"""The standard columns of a 政府信息公开 platform (国办公开办函〔2019〕61号): the tree of one
unit's organizations (or of one of them), each column's documents as a page of the documents list
(the actor's ``visible_clause`` and keyset order in the same statement) and the catalog items that
fill it. What fills a column is data: ``standard.COLUMNS``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.auth.actor import Actor
from api.codes import ColumnsCode
from api.errors import UserInputError
from api.models import CatalogItem, CatalogResponsibility, Document, DocumentKind, DocumentVersion, Domain, Organization

from ..documents.queries import DocumentFilter, list_documents
from ..pages import Page
from ..units import get_unit
from .standard import BY_CODE, COLUMNS, ColumnSpec, leaves, sibling_genres

__all__ = [
    "BY_CODE",
    "COLUMNS",
    "ColumnScope",
    "ColumnSpec",
    "catalog_items_of_columns",
    "column_documents",
    "get_column",
    "resolve_scope",
]


@dataclass(frozen=True)
class ColumnScope:
    """Whose platform: the organizations of a unit, or one of them."""

    unit_code: str
    unit_id: int
    organization_id: int | None = None


async def resolve_scope(
    session: AsyncSession, actor: Actor, unit_code: str, organization_id: int | None
) -> ColumnScope:
    """The platform's owner; the tree itself is public (its documents are filtered per reader)."""
    unit = await get_unit(session, unit_code, "unitCode")
    if organization_id is not None:
        org = await session.get(Organization, organization_id)
        if org is None or org.unit_id != unit.id:
            raise UserInputError(
                "organizationId", ColumnsCode.NOT_IN_UNIT, f"该单位不属于“{unit.name}”，请核对区划代码和单位"
            )
    return ColumnScope(unit.code, unit.id, organization_id)


def get_column(code: str) -> ColumnSpec:
    spec = BY_CODE.get(code)
    if spec is None:
        raise UserInputError("code", ColumnsCode.UNKNOWN_COLUMN, f"没有代码为“{code}”的栏目")
    return spec


def _domain_ids(codes: Sequence[str]) -> Select[int]:
    return select(Domain.id).where(Domain.code.in_(codes))


def _item_clause(spec: ColumnSpec) -> ColumnElement[bool]:
    """The catalog items of a leaf column: of its domains, or naming one of its words."""
    parts: list[ColumnElement[bool]] = []
    if spec.domains:
        parts.append(CatalogItem.domain_id.in_(_domain_ids(spec.domains)))
    for word in spec.words:
        parts.append(
            or_(CatalogItem.level1.contains(word, autoescape=True), CatalogItem.level2.contains(word, autoescape=True))
        )
    return or_(*parts) if parts else false()


def _leaf_clause(spec: ColumnSpec) -> ColumnElement[bool]:
    """SQL: a document whose kind, current version (genre, domain), policy flag or catalog item
    puts it in the leaf column ``spec``."""
    version = aliased(DocumentVersion)
    current = version.id == Document.current_version_id
    parts: list[ColumnElement[bool]] = []
    if spec.kinds:
        parts.append(Document.kind.in_(spec.kinds))
    on_version: list[ColumnElement[bool]] = []
    if spec.genres:
        on_version.append(version.genre.in_(spec.genres))
    if spec.domains:
        on_version.append(version.domain_id.in_(_domain_ids(spec.domains)))
    if on_version:
        parts.append(select(version.id).where(current, or_(*on_version)).exists())
    if spec.policy:
        claimed = aliased(DocumentVersion)
        parts.append(
            and_(
                Document.is_policy.is_(True),
                Document.kind != DocumentKind.POLICY_INTERPRETATION,
                ~select(claimed.id)
                .where(claimed.id == Document.current_version_id, claimed.genre.in_(sibling_genres(spec)))
                .exists(),
            )
        )
    if spec.domains or spec.words:
        parts.append(Document.catalog_item_id.in_(select(CatalogItem.id).where(_item_clause(spec))))
    return or_(*parts) if parts else false()


def document_clause(spec: ColumnSpec) -> ColumnElement[bool]:
    """SQL: a document of the column ``spec`` (a parent column: of any of its children)."""
    return or_(*[_leaf_clause(leaf) for leaf in leaves(spec)])


async def column_documents(
    session: AsyncSession,
    actor: Actor,
    scope: ColumnScope,
    code: str,
    first: int | None = None,
    after: str | None = None,
) -> Page[Document]:
    """The column's documents, newest first, as the documents list shows them to the actor."""
    spec = get_column(code)
    f = DocumentFilter(unit_code=scope.unit_code, organization_id=scope.organization_id, extra=[document_clause(spec)])
    return await list_documents(session, actor, f, first, after)


async def catalog_items_of_columns(
    session: AsyncSession, actor: Actor, keys: Sequence[tuple[ColumnScope, str]]
) -> list[list[CatalogItem]]:
    """For each (scope, column code), the catalog items that fill the column and that one of the
    scope's organizations is responsible for, by catalog position; one statement for all keys.
    The catalog is public."""
    if not keys:
        return []
    parts = []
    for index, (scope, code) in enumerate(keys):
        responsible = select(CatalogResponsibility.item_id).join(
            Organization, Organization.id == CatalogResponsibility.organization_id
        )
        responsible = responsible.where(Organization.unit_id == scope.unit_id)
        if scope.organization_id is not None:
            responsible = responsible.where(Organization.id == scope.organization_id)
        matches = or_(*[_item_clause(leaf) for leaf in leaves(get_column(code))])
        parts.append(
            select(literal(index).label("key"), CatalogItem.id.label("item_id")).where(
                matches, CatalogItem.id.in_(responsible)
            )
        )
    found = union_all(*parts).subquery()
    stmt = (
        select(found.c.key, CatalogItem)
        .join(CatalogItem, CatalogItem.id == found.c.item_id)
        .order_by(found.c.key, CatalogItem.position, CatalogItem.id)
    )
    groups: list[list[CatalogItem]] = [[] for _ in keys]
    for key, item in (await session.execute(stmt)).all():
        groups[key].append(item)
    return groups
