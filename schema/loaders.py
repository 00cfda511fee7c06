"""Per-request DataLoaders: one statement per batch, whatever the page size."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.auth.actor import Actor
from api.models import (
    AdminUnit,
    Appeal,
    Attachment,
    CalendarDay,
    CasbinRule,
    CatalogItem,
    CatalogResponsibility,
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentVersion,
    Domain,
    DomainAssignment,
    InfoRequest,
    Organization,
    OrganizationContact,
    PowerItem,
    RequestEvent,
    User,
    VillagePowerItem,
)
from api.models.accounts import subject_of
from api.services import documents
from api.services.domains import assignments_query

M = TypeVar("M")


class Loaders:
    def __init__(self, session: AsyncSession, actor: Actor | None = None) -> None:
        self.session = session
        self.actor = actor
        self.document = DataLoader(self._by_id(Document))
        self.version = DataLoader(self._by_id(DocumentVersion))
        self.attachments_of_version = DataLoader(self._attachments_of_version)
        self.versions_of_document = DataLoader(self._versions_of_document)
        self.events_of_document = DataLoader(self._events_of_document)
        self.interpretations_of_policy = DataLoader(self._interpretations_of_policy)
        self.visible_interpretations_of_policy = DataLoader(self._visible_interpretations_of_policy)
        self.catalog_item = DataLoader(self._by_id(CatalogItem))
        self.power_item = DataLoader(self._by_id(PowerItem))
        self.village_item = DataLoader(self._by_id(VillagePowerItem))
        self.responsibles_of_item = DataLoader(self._responsibles_of_item)
        self.info_request = DataLoader(self._by_id(InfoRequest))
        self.events_of_request = DataLoader(self._events_of_request)
        self.appeals_of_request = DataLoader(self._appeals_of_request)
        self._calendar: asyncio.Future[dict[date, bool]] | None = None
        self.unit = DataLoader(self._by_id(AdminUnit))
        self.organization = DataLoader(self._by_id(Organization))
        self.domain = DataLoader(self._by_id(Domain))
        self.user = DataLoader(self._by_id(User))
        self.organizations_of_unit = DataLoader(self._organizations_of_unit)
        self.contacts_of_organization = DataLoader(self._contacts_of_organization)
        self.assignments_of_county = DataLoader(self._assignments_of_county)
        self.assignment = DataLoader(self._by_id(DomainAssignment))
        self.grant = DataLoader(self._by_id(CasbinRule))
        self.appeal = DataLoader(self._by_id(Appeal))
        self.unit_by_code = DataLoader(self._units_by_code)
        self.grants_of_user = DataLoader(self._grants_of_user)
        # Keyed by (domain id, county code or None, include ended).
        self.assignments_of_domain = DataLoader(self._assignments_of_domain)

    async def calendar(self) -> dict[date, bool]:
        """The district office's calendar days, read once per request (sibling resolvers share it)."""
        if self._calendar is None:
            self._calendar = asyncio.ensure_future(self._read_calendar())
        return await self._calendar

    async def _read_calendar(self) -> dict[date, bool]:
        rows = (await self.session.execute(select(CalendarDay))).scalars()
        return {d.day: d.working for d in rows}

    async def _events_of_request(self, ids: Sequence[int]) -> list[list[RequestEvent]]:
        stmt = select(RequestEvent).where(RequestEvent.request_id.in_(ids)).order_by(RequestEvent.id)
        return await self._grouped(stmt, "request_id", ids)

    async def _appeals_of_request(self, ids: Sequence[int]) -> list[list[Appeal]]:
        stmt = select(Appeal).where(Appeal.request_id.in_(ids)).order_by(Appeal.id)
        return await self._grouped(stmt, "request_id", ids)

    def _by_id(self, model: type[Any]) -> Any:
        async def load(ids: Sequence[int]) -> list[Any]:
            rows = (await self.session.execute(select(model).where(model.id.in_(ids)))).scalars()
            found = {row.id: row for row in rows}
            return [found.get(i) for i in ids]

        return load

    async def _grouped(self, stmt: Any, key: str, ids: Sequence[int]) -> list[list[Any]]:
        groups: dict[int, list[Any]] = defaultdict(list)
        for row in (await self.session.execute(stmt)).scalars():
            groups[getattr(row, key)].append(row)
        return [groups.get(i, []) for i in ids]

    async def _organizations_of_unit(self, unit_ids: Sequence[int]) -> list[list[Organization]]:
        stmt = select(Organization).where(Organization.unit_id.in_(unit_ids)).order_by(Organization.id)
        return await self._grouped(stmt, "unit_id", unit_ids)

    async def _contacts_of_organization(self, org_ids: Sequence[int]) -> list[list[OrganizationContact]]:
        stmt = (
            select(OrganizationContact)
            .where(OrganizationContact.organization_id.in_(org_ids))
            .order_by(OrganizationContact.position)
        )
        return await self._grouped(stmt, "organization_id", org_ids)

    async def _assignments_of_county(self, county_ids: Sequence[int]) -> list[list[DomainAssignment]]:
        stmt = (
            select(DomainAssignment)
            .where(DomainAssignment.county_id.in_(county_ids), DomainAssignment.ended_at.is_(None))
            .order_by(DomainAssignment.domain_id)
        )
        return await self._grouped(stmt, "county_id", county_ids)

    async def _attachments_of_version(self, version_ids: Sequence[int]) -> list[list[Attachment]]:
        stmt = select(Attachment).where(Attachment.version_id.in_(version_ids)).order_by(Attachment.position)
        return await self._grouped(stmt, "version_id", version_ids)

    async def _versions_of_document(self, doc_ids: Sequence[int]) -> list[list[DocumentVersion]]:
        stmt = select(DocumentVersion).where(DocumentVersion.document_id.in_(doc_ids)).order_by(DocumentVersion.number)
        return await self._grouped(stmt, "document_id", doc_ids)

    async def _events_of_document(self, doc_ids: Sequence[int]) -> list[list[DocumentEvent]]:
        stmt = select(DocumentEvent).where(DocumentEvent.document_id.in_(doc_ids)).order_by(DocumentEvent.id)
        return await self._grouped(stmt, "document_id", doc_ids)

    async def _interpretations_of_policy(self, doc_ids: Sequence[int]) -> list[list[Document]]:
        """Published, not retracted interpretations of each policy (whoever asks: for the flag)."""
        return await self._grouped(self._interpretations(doc_ids), "interprets_id", doc_ids)

    async def _visible_interpretations_of_policy(self, doc_ids: Sequence[int]) -> list[list[Document]]:
        """The same, as far as the actor may see them, filtered in the query."""
        stmt = self._interpretations(doc_ids)
        if self.actor is not None:
            stmt = stmt.where(documents.visible_clause(self.actor))
        return await self._grouped(stmt, "interprets_id", doc_ids)

    def _interpretations(self, doc_ids: Sequence[int]) -> Any:
        return (
            select(Document)
            .where(
                Document.interprets_id.in_(doc_ids),
                Document.kind == DocumentKind.POLICY_INTERPRETATION,
                Document.index_no.is_not(None),
                Document.retracted_at.is_(None),
            )
            .order_by(Document.id)
        )

    async def _responsibles_of_item(self, item_ids: Sequence[int]) -> list[list[CatalogResponsibility]]:
        stmt = (
            select(CatalogResponsibility)
            .where(CatalogResponsibility.item_id.in_(item_ids))
            .order_by(CatalogResponsibility.id)
        )
        return await self._grouped(stmt, "item_id", item_ids)

    async def _units_by_code(self, codes: Sequence[str]) -> list[AdminUnit | None]:
        rows = (await self.session.execute(select(AdminUnit).where(AdminUnit.code.in_(codes)))).scalars()
        found = {u.code: u for u in rows}
        return [found.get(c) for c in codes]

    async def _grants_of_user(self, user_ids: Sequence[int]) -> list[list[CasbinRule]]:
        subjects = {subject_of(u): u for u in user_ids}
        stmt = (
            select(CasbinRule)
            .where(CasbinRule.ptype == "g", CasbinRule.v0.in_(subjects), CasbinRule.revoked.is_(False))
            .order_by(CasbinRule.id)
        )
        groups: dict[int, list[CasbinRule]] = defaultdict(list)
        for rule in (await self.session.execute(stmt)).scalars():
            groups[subjects[str(rule.v0)]].append(rule)
        return [groups.get(u, []) for u in user_ids]

    async def _assignments_of_domain(
        self, keys: Sequence[tuple[int, str | None, bool]]
    ) -> list[list[DomainAssignment]]:
        """One statement per distinct (county, include ended) among the keys: in practice one."""
        found: dict[tuple[int, str | None, bool], list[DomainAssignment]] = defaultdict(list)
        for county_code, include_ended in {(k[1], k[2]) for k in keys}:
            domain_ids = [k[0] for k in keys if (k[1], k[2]) == (county_code, include_ended)]
            stmt = assignments_query(county_code=county_code, include_ended=include_ended).where(
                DomainAssignment.domain_id.in_(domain_ids)
            )
            for row in (await self.session.execute(stmt)).scalars():
                found[(row.domain_id, county_code, include_ended)].append(row)
        return [found.get(k, []) for k in keys]


__all__ = ["Loaders"]
