"""Atom feeds (RFC 4287) of the latest published public documents of an organization, a unit (its
own and those below, as the portal lists them), a domain, or a unit's platform column (政策,
指南, 制度, 法定主动公开内容 and its Art. 20 items, 年度报告: ``api.services.columns``), read as the anonymous
public reads them (``documents.list_documents`` with the caller's actor: the visible clause in SQL)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.codes import ChannelsCode
from api.errors import UserInputError
from api.models import Document, Domain, Organization

from .. import documents
from ..domains import find_domain
from ..units.divisions import find_unit
from .records import publisher_names

ATOM = "http://www.w3.org/2005/Atom"
SUMMARY_LENGTH = 500
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedEntry:
    document: Document
    publisher: str


@dataclass(frozen=True)
class Feed:
    key: str  # organizations/17, units/513425000000, domains/SOCIAL_ASSISTANCE
    title: str
    entries: list[FeedEntry]


async def document_feed(session: AsyncSession, actor: Actor, kind: str, key: str, limit: int) -> Feed:
    """The newest ``limit`` documents the actor may read; NOT_FOUND for an unknown owner. Three
    statements: the owner, the page with its current versions, the publishers."""
    f: documents.DocumentFilter
    if kind == "organizations":
        org = await session.get(Organization, int(key)) if key.isdigit() else None
        if org is None:
            raise UserInputError("id", ChannelsCode.NOT_FOUND, "找不到该单位")
        f, title = documents.DocumentFilter(organization_id=org.id), org.name
        key = str(org.id)
    elif kind == "columns":
        return await _column_feed(session, actor, key, limit)
    elif kind == "units":
        unit = await find_unit(session, key) if len(key) == 12 and key.isdigit() else None
        if unit is None:
            raise UserInputError("code", ChannelsCode.NOT_FOUND, "找不到该行政区划")
        f, title = documents.DocumentFilter(unit_code=unit.code, include_descendants=True), unit.name
    else:
        domain: Domain | None = await find_domain(session, key[:64])
        if domain is None:
            raise UserInputError("code", ChannelsCode.NOT_FOUND, "找不到该领域")
        f, title = documents.DocumentFilter(domain_id=domain.id), domain.name
        key = domain.code
    page = await documents.list_documents(session, actor, f, first=limit)
    names = await publisher_names(session, {d.publisher_id for d in page.items})
    return Feed(
        f"{kind}/{key}", f"{title} · 政府信息公开", [FeedEntry(d, names.get(d.publisher_id, "")) for d in page.items]
    )


async def _column_feed(session: AsyncSession, actor: Actor, key: str, limit: int) -> Feed:
    """A platform column of a unit (``513425000000/POLICY``, the codes of ``platformColumns``)."""
    from .. import columns

    unit_code, _, code = key.partition("/")
    unit = await find_unit(session, unit_code) if len(unit_code) == 12 and unit_code.isdigit() else None
    if unit is None:
        raise UserInputError("code", ChannelsCode.NOT_FOUND, "找不到该行政区划")
    spec = columns.BY_CODE.get(code)
    if spec is None:
        raise UserInputError("code", ChannelsCode.NOT_FOUND, "找不到该栏目")
    scope = columns.ColumnScope(unit.code, unit.id)
    page = await columns.column_documents(session, actor, scope, spec.code, first=limit)
    names = await publisher_names(session, {d.publisher_id for d in page.items})
    return Feed(
        f"columns/{unit.code}/{spec.code}", f"{unit.name} · {spec.name} · 政府信息公开",
        [FeedEntry(d, names.get(d.publisher_id, "")) for d in page.items],
    )  # fmt: skip


def _stamp(moment: datetime | None) -> str:
    return (moment or EPOCH).astimezone(UTC).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def document_link(portal: str, doc: Document) -> str:
    return f"{portal.rstrip('/')}/documents/{quote(doc.index_no or str(doc.id), safe='')}"


def render_atom(feed: Feed, *, self_url: str, portal: str, author: str = "政务公开") -> bytes:
    """The feed as Atom XML (ElementTree escapes every text and attribute). Its ``updated`` is the
    newest entry's, so an unchanged feed has the same bytes (and ETag)."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _sub(root, "id", f"urn:gongkai:feed:{feed.key.replace('/', ':')}")
    _sub(root, "title", feed.title)
    newest = max((e.document.published_at for e in feed.entries if e.document.published_at), default=None)
    _sub(root, "updated", _stamp(newest))
    _sub(_sub(root, "author"), "name", author)
    _sub(root, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(root, "link", rel="alternate", href=portal.rstrip("/") + "/", type="text/html")
    _sub(root, "generator", "Gongkai")
    for entry in feed.entries:
        doc = entry.document
        version = doc.current
        item = _sub(root, "entry")
        _sub(item, "id", f"urn:gongkai:document:{doc.index_no or doc.id}")
        _sub(item, "title", version.title if version else "")
        _sub(item, "updated", _stamp(doc.published_at))
        _sub(item, "published", _stamp(doc.first_published_at or doc.published_at))
        _sub(_sub(item, "author"), "name", entry.publisher or author)
        _sub(item, "link", rel="alternate", href=document_link(portal, doc), type="text/html")
        summary = (version.summary if version else "") or (version.title if version else "")
        _sub(item, "summary", summary[:SUMMARY_LENGTH], type="text")
        if version is not None and version.doc_number:
            _sub(item, "category", term=version.doc_number, label="文号")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
