"""Search (全文检索) over public documents: jieba tokens stored at write time, matched per word.

A published version's title, summary and body are cut with ``jieba.cut_for_search``, lower-cased,
stripped of punctuation and whitespace, and stored space-separated in ``document_search``; a query
is cut the same way and every one of its tokens must match (AND): SQLite with FTS5, PostgreSQL
with ``to_tsvector('simple', tokens)``. Hits whose title or summary (``head``) holds the query come
first, then those that hold it in the text only; newest first within each (``prepare_search``).

Matching is by whole jieba word, not by substring: 低保 finds a document that says 低保, but not one
that says only 最低生活保障 (jieba cuts that into 最低 / 生活 / 保障 / 最低生活保障; none of them is
低保). Abbreviations and full names are different words until a synonym list joins them.

Only public documents (published, 主动公开 or 部分公开, not retracted) are in the index: publication
indexes or replaces a document's tokens, retraction and a non-public attribute remove them.

The local view of a place (a kiosk's 政务公开专区) lives here too: what applies to a unit (its own
and its ancestors' public documents, a village's micro-power list) and who serves it.
"""

from __future__ import annotations

import asyncio
import gc
import html
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import jieba
from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from api.auth.actor import Actor
from api.auth.scope import ROOT, below, owned_by_organizations_of, prefixes, unit_path
from api.codes import SearchCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.models import (
    AdminUnit,
    BodyFormat,
    Document,
    DocumentKind,
    DocumentSearch,
    DocumentVersion,
    Organization,
    SearchSynonyms,
    UnitLevel,
    VillagePowerItem,
)

from . import audit
from .micropower import entry_rows
from .pages import (
    Key,
    Order,
    Page,
    Prepared,
    among,
    bad_cursor,
    count_of_parts,
    counter,
    counter_of_parts,
    decode_keys,
    encode_keys,
    kept,
    page_size,
    read,
)
from .units import get_unit, level_of

if TYPE_CHECKING:
    from .documents.queries import RowColumns

jieba.setLogLevel(logging.WARNING)  # its dictionary loading talks on stderr at DEBUG
_TOKENIZER = jieba.Tokenizer()
_SEPARATORS = re.compile(r"[\W_]+")
SNIPPET_WIDTH = 60
SNIPPET_BEFORE = 20
FTS_TABLE = "document_search_fts"
# A search box holds a few words or a title; longer input is refused before jieba sees it
# (cutting 1 MiB of text took 17 s of the event loop).
MAX_QUERY_LENGTH = 200


# --- tokens ---


def tokenize(text: str) -> list[str]:
    """jieba search-mode words, lower-cased, punctuation and whitespace dropped."""
    words: list[str] = []
    for word in _TOKENIZER.cut_for_search(text):
        words.extend(part for part in _SEPARATORS.split(word.lower()) if part)
    return words


def check_query(query: str) -> str:
    if len(query) > MAX_QUERY_LENGTH:
        raise UserInputError("query", SearchCode.TOO_LONG, f"检索词不能超过{MAX_QUERY_LENGTH}个字，请缩短后再检索")
    return query


def query_tokens(query: str) -> list[str]:
    """The distinct tokens of a query, in order; a query over ``MAX_QUERY_LENGTH`` is refused."""
    return list(dict.fromkeys(tokenize(check_query(query))))


async def _ready() -> None:
    # The first use loads jieba's dictionary (about half a second): not on the event loop.
    if not _TOKENIZER.initialized:
        await asyncio.to_thread(_TOKENIZER.initialize)
        # It stays for the life of the process: left out of the collector's full collections,
        # which would otherwise walk its 350,000 entries (tens of ms with the GIL held) each time.
        gc.freeze()


# Inline tags sit inside a sentence; any other tag separates text (a paragraph, a cell, a line break).
_INLINE_TAGS = frozenset({"a", "b", "em", "i", "span", "strong", "sub", "sup", "u"})


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in _INLINE_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE_TAGS:
            self.parts.append(" ")


def plain_text(body: str, body_format: BodyFormat) -> str:
    """The body as text: tags dropped from HTML, whitespace runs collapsed."""
    if body_format is BodyFormat.HTML:
        parser = _TextOf()
        parser.feed(body)
        parser.close()
        body = "".join(parser.parts)
    return " ".join(body.split())


def _fields(title: str, summary: str, body: str, body_format: BodyFormat) -> list[str]:
    return [" ".join(title.split()), " ".join(summary.split()), plain_text(body, body_format)]


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def with_characters(tokens: str) -> str:
    """The tokens, then each Chinese character they hold that is not a token of its own, once:
    a one-character query (保) finds the documents whose words hold it (低保, 保障)."""
    words = tokens.split()
    single = {w for w in words if len(w) == 1}
    extra = [c for c in dict.fromkeys(_HAN.findall(tokens)) if c not in single]
    return " ".join(words + extra)


def text_tokens(title: str, summary: str, body: str, body_format: BodyFormat) -> str:
    """The stored token string of a version's content: its words, then its characters."""
    return with_characters(" ".join(tokenize("\n".join(_fields(title, summary, body, body_format)))))


def version_tokens(version: DocumentVersion) -> str:
    return text_tokens(version.title, version.summary or "", version.body or "", version.body_format)


async def version_tokens_off_loop(version: DocumentVersion) -> tuple[str, str]:
    """``version_tokens``, and those of the title and summary alone (``DocumentSearch.head``), in a
    worker thread: a long body takes jieba seconds."""
    await _ready()
    title, summary, body, body_format = version.title, version.summary or "", version.body or "", version.body_format
    return await anyio.to_thread.run_sync(
        lambda: (text_tokens(title, summary, body, body_format), text_tokens(title, summary, "", body_format))
    )


# --- index ---


async def index_document(session: AsyncSession, doc: Document, version: DocumentVersion) -> None:
    """Store the tokens of ``version`` for ``doc``, replacing older ones; a non-public doc is removed.

    Part of the caller's transaction; nothing is flushed here, so the document's row is written
    once, at the caller's commit."""
    if not doc.public:
        await remove_document(session, doc)
        return
    tokens, head = await version_tokens_off_loop(version)
    facts = {"tokens": tokens, "head": head, "published_at": doc.published_at, "scope_path": doc.scope_path}
    with session.no_autoflush:
        row = await session.get(DocumentSearch, doc.id)
        if row is None:
            session.add(DocumentSearch(document_id=doc.id, **facts))
        else:
            for name, value in facts.items():
                setattr(row, name, value)


async def remove_document(session: AsyncSession, doc: Document) -> None:
    with session.no_autoflush:
        row = await session.get(DocumentSearch, doc.id)
        if row is not None:
            await session.delete(row)


# --- query ---


def unit_clause(path: str, scope_path: Any = Document.scope_path) -> ColumnElement[bool]:
    """Documents of the unit's organizations and those below it, and of its ancestors' own
    organizations (a county department's notice applies to every town and village); of the
    documents' ``scope_path`` column, or another holding the same (``DocumentSearch.scope_path``)."""
    if path == ROOT:
        return true()
    ancestors = [p for p in prefixes(path) if p not in (ROOT, path)]
    return or_(
        below(scope_path, path),
        *[owned_by_organizations_of(scope_path, p) for p in ancestors],
    )


def search_path(actor: Actor, unit_code: str | None) -> str:
    """The scope path to search under: the unit asked for, a kiosk's own unit, or everywhere."""
    if unit_code is not None:
        level_of(unit_code.strip(), "unitCode")
        path = unit_path(unit_code.strip())
        actor.require_local(path)
        return path
    bound = actor.kiosk_paths
    return bound[0] if bound else ROOT


@dataclass(frozen=True)
class PreparedSearch:
    tokens: list[str]  # every word that may match (the snippet highlights them)
    matching: Select[int, datetime | None]  # (id, published_at) of every hit, unordered
    tiers: tuple[Select[int, datetime | None], ...]  # the same of each tier (``TIERS``), unordered


# The order within a tier, as ix_document_search_order is written (migration 0020). Indexed rows
# are public documents, which all have a publication time.
SEARCH_ORDER = Order(
    "search",
    (
        Key(DocumentSearch.published_at, "published_at", nulls_last=True),
        Key(DocumentSearch.document_id, "id"),
    ),
)
# The tiers of a search, best first: every word in the title or summary (rank 1), in the text only (0).
TIERS = (1, 0)
# A search's totalCount counts this many hits at most (totalCountExact false beyond).
SEARCH_COUNT_LIMIT = 1_000


# A query as clauses that must all match; a clause holds alternatives (a synonym group's terms,
# or one word), any one of which matches; an alternative holds the words that must all be there.
Alternative = list[str]
Clause = list[Alternative]


def query_clauses(query: str, groups: Sequence[Sequence[str]] = ()) -> list[Clause]:
    """The query's clauses: a term of a synonym group found in it (longest first) stands for the
    whole group (低保 for 低保 or 最低生活保障, each as its words), every other word for itself."""
    text = check_query(query).lower()
    group_of = {t.lower(): g for g in groups for t in g if t.strip()}
    clauses: list[Clause] = []
    for term in sorted(group_of, key=len, reverse=True):
        if term in text:
            text = text.replace(term, " ")
            alternatives = [words for words in (query_tokens(t) for t in group_of[term]) if words]
            if alternatives and alternatives not in clauses:
                clauses.append(alternatives)
    clauses += [[[word]] for word in query_tokens(text) if [[word]] not in clauses]
    return clauses


def _fts5_match(clauses: list[Clause]) -> str:
    def alternative(words: Alternative) -> str:
        return "(" + " AND ".join(f'"{w}"' for w in words) + ")"

    return " AND ".join("(" + " OR ".join(alternative(a) for a in c) + ")" for c in clauses)


def _tsquery(clauses: list[Clause]) -> ColumnElement[Any]:
    def plain(words: Alternative) -> ColumnElement[Any]:
        return func.plainto_tsquery(literal_column("'simple'"), " ".join(words))

    if all(len(c) == 1 for c in clauses):  # no synonym: the words, all of them (the plain form)
        return plain([w for c in clauses for w in c[0]])
    anded: ColumnElement[Any] | None = None
    for clause in clauses:
        ored = plain(clause[0])
        for alt in clause[1:]:
            ored = ored.op("||")(plain(alt))
        anded = ored if anded is None else anded.op("&&")(ored)
    assert anded is not None
    return anded


_SYNONYM_GROUPS = Prepared(select(SearchSynonyms.groups).where(SearchSynonyms.id == 1))


async def synonym_groups(session: AsyncSession) -> list[list[str]]:
    """The office's synonym groups (public: they only widen what a query finds)."""
    found = await _SYNONYM_GROUPS.rows(session)
    return list(found[0].groups) if found else []


async def synonyms(session: AsyncSession, actor: Actor) -> tuple[list[list[str]], int]:
    """The groups and their version (0: none set), for everyone."""
    row = await session.get(SearchSynonyms, 1)
    return (row.groups, row.version) if row else ([], 0)


async def prepare_search(
    session: AsyncSession, actor: Actor, query: str, unit_code: str | None = None
) -> PreparedSearch | None:
    """The hits of a query, as a whole (for the count) and by tier; None when the query holds no word.

    The order is by tier, then newest first (``TIERS``, ``SEARCH_ORDER``): a page reads the index
    in that order from its cursor, tier by tier, and stops at the page's end, so that its cost
    does not grow with the number of hits (ranking every hit by relevance did: 24 ms for the 7,120
    hits of 低保 at 100,000 documents, bench/RESULTS.md). Both databases order alike."""
    path = search_path(actor, unit_code)
    query = check_query(query or "")
    await _ready()
    clauses = query_clauses(query, await synonym_groups(session))
    if not clauses:
        return None
    tokens = list(dict.fromkeys(w for c in clauses for a in c for w in a))
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    found: ColumnElement[bool]
    in_head: ColumnElement[bool]
    head_tier: ColumnElement[bool]
    if dialect == "postgresql":
        tsquery = _tsquery(clauses)
        found = literal_column("document_search.tsv").op("@@")(tsquery)
        # The head's words are among the text's, so a head match is a hit: the tier's statement
        # names head_tsv alone, which is in the row, and the planner walks the order index
        # filtering by it (with ``tsv`` as well, it combined both GIN indexes and sorted every hit).
        in_head = literal_column("document_search.head_tsv").op("@@")(tsquery)
        head_tier = in_head
    else:
        fts = table(FTS_TABLE, column("rowid", Integer))
        itself: ColumnElement[Any] = literal_column(FTS_TABLE)  # FTS5's hidden column named after the table
        found = DocumentSearch.document_id.in_(select(fts.c.rowid).where(itself.op("MATCH")(_fts5_match(clauses))))
        in_head = _in_head(clauses)
        head_tier = and_(found, in_head)
    # The index holds public documents only (publication and retraction keep it so).
    hits = select(DocumentSearch.document_id.label("id"), DocumentSearch.published_at).where(
        unit_clause(path, DocumentSearch.scope_path)
    )
    tiers = (hits.where(head_tier), hits.where(found, not_(in_head)))
    return PreparedSearch(tokens, hits.where(found), tiers)


def _in_head(clauses: list[Clause]) -> ColumnElement[bool]:
    """SQLite: every clause has an alternative whose words are all among the head's tokens (which
    are joined by single spaces); PostgreSQL matches ``head_tsv`` instead."""
    padded = literal(" ") + DocumentSearch.head + literal(" ")

    def has(word: str) -> ColumnElement[bool]:
        return func.instr(padded, literal(f" {word} ")) > 0

    return and_(*[or_(*[and_(*[has(w) for w in alt]) for alt in clause]) for clause in clauses])


MAX_GROUPS = 500
MAX_TERMS = 10
MAX_TERM = 20


async def set_synonyms(session: AsyncSession, actor: Actor, groups: list[list[str]], version: int) -> SearchSynonyms:
    """The district office's synonym groups, replacing the list (one list serves every county: a
    grant at ``*``); each group two to ten terms, a term one to twenty characters, in one group only."""
    actor.require("search_synonyms", "manage", ROOT)
    if len(groups) > MAX_GROUPS:
        raise UserInputError("groups", SearchCode.TOO_MANY, f"同义词最多{MAX_GROUPS}组")
    cleaned: list[list[str]] = []
    seen: set[str] = set()
    for i, group in enumerate(groups):
        terms = list(dict.fromkeys(t.strip() for t in group if t.strip()))
        if not 2 <= len(terms) <= MAX_TERMS:
            raise UserInputError(f"groups.{i}", SearchCode.INVALID_GROUP, f"第{i + 1}组应有2至{MAX_TERMS}个不同的词")
        for term in terms:
            if len(term) > MAX_TERM or not tokenize(term):
                raise UserInputError(
                    f"groups.{i}", SearchCode.INVALID_GROUP, f"“{term[:MAX_TERM]}”不是1至{MAX_TERM}字的检索词"
                )
            if term.lower() in seen:
                raise UserInputError(f"groups.{i}", SearchCode.INVALID_GROUP, f"“{term}”已在另一组同义词中")
            seen.add(term.lower())
        cleaned.append(terms)
    row = await session.get(SearchSynonyms, 1)
    if (row.version if row else 0) != version:
        raise Conflict()
    if row is None:
        row = SearchSynonyms(id=1, groups=cleaned)
        session.add(row)
    row.groups = cleaned
    audit.record(session, actor, "search.synonyms", "SearchSynonyms", 1, ROOT, f"设置同义词{len(cleaned)}组")
    await commit(session)
    return row


async def search(
    session: AsyncSession,
    actor: Actor,
    query: str,
    unit_code: str | None = None,
    first: int | None = None,
    after: str | None = None,
    count_limit: int = SEARCH_COUNT_LIMIT,
) -> Page[Hit] | None:
    """A page of hits over public documents, best first; None when the query holds no word."""
    prepared = await prepare_search(session, actor, query, unit_code)
    if prepared is None:
        return None
    tokens = prepared.tokens
    page = await _ranked_page(session, prepared, first, after, count_limit)
    ids = [row.id for row in page.items]
    # Public documents only, as the index holds (publication and retraction keep it so, in their
    # transaction): a hit that is not one would be left out of the page rather than shown.
    shown = select(Document).join(Document.current).options(contains_eager(Document.current))
    readable = shown.where(among(session, Document.id, ids), Document.public.is_(True))
    found = {d.id: d for d in (await session.execute(readable)).scalars()}
    page = _kept(page, found)
    rows = [(found[row.id], _shown_version(found[row.id]), float(row.rank)) for row in page.items]
    snippets = await _snippets([(v.title, v.summary, v.body, v.body_format) for _, v, _ in rows], tokens)
    return page.replace([Hit(d, v, r, s) for (d, v, r), s in zip(rows, snippets, strict=True)])


def _kept(page: Page[Any], found: Collection[int]) -> Page[Any]:
    """The page without the hits that are not ``found`` (not public any more)."""
    kept = [i for i, row in enumerate(page.items) if row.id in found]
    if len(kept) == len(page.items):
        return page
    return Page([page.items[i] for i in kept], [page.cursors[i] for i in kept], page.has_next,
                page.has_previous, page.counter)  # fmt: skip


async def _snippets(texts: list[tuple[str, str | None, str | None, BodyFormat]], tokens: list[str]) -> list[str]:
    # Snippets parse each hit's body (HTML, possibly long): in a worker thread, on plain values.
    fields = [_fields(title, summary or "", body or "", fmt) for title, summary, body, fmt in texts]
    return await anyio.to_thread.run_sync(lambda: [snippet(f, tokens) for f in fields])


# What a hit's snippet is made of (``_fields``), read with the row of every hit.
SNIPPET_COLUMNS = ("title", "summary", "body", "body_format")


async def search_rows(
    session: AsyncSession,
    actor: Actor,
    query: str,
    columns: RowColumns,
    unit_code: str | None = None,
    first: int | None = None,
    after: str | None = None,
    count_limit: int = SEARCH_COUNT_LIMIT,
) -> Page[tuple[Row[Any], float, str]] | None:
    """``search`` as (row, rank, snippet), the row of ``columns`` as ``documents.list_document_rows``
    makes them, read in one statement with the publisher and domain joined (the compiled plans
    of trusted documents, schema/compiled.py); ``columns.version`` must hold ``SNIPPET_COLUMNS``."""
    from .documents.queries import public_document_rows

    assert set(SNIPPET_COLUMNS) <= set(columns.version), columns
    prepared = await prepare_search(session, actor, query, unit_code)
    if prepared is None:
        return None
    page = await _ranked_page(session, prepared, first, after, count_limit)
    found = await public_document_rows(session, actor, columns, [row.id for row in page.items])
    page = _kept(page, found)
    rows = [found[row.id] for row in page.items]
    texts = [(r.v_title, r.v_summary, r.v_body, r.v_body_format) for r in rows]
    snippets = await _snippets(texts, prepared.tokens)
    hits = zip(rows, page.items, snippets, strict=True)
    return page.replace([(row, float(item.rank), text) for row, item, text in hits])


async def _ranked_page(
    session: AsyncSession, prepared: PreparedSearch, first: int | None, after: str | None, count_limit: int
) -> Page[Any]:
    """The page's (id, published_at, rank) rows: each tier in index order from the cursor, the
    next tier only when the page is not full yet (one statement, or two where the tiers meet)."""
    size = page_size(first)
    start, values = TIERS[0], None
    if after is not None:
        start, *values = decode_keys(SEARCH_ORDER.name, after, 1 + len(SEARCH_ORDER.keys))
        if start not in TIERS or not isinstance(values[1], int) or not isinstance(values[0], datetime):
            raise bad_cursor()
    rows: list[Any] = []
    for tier, hits in zip(TIERS, prepared.tiers, strict=True):
        if tier > start:
            continue
        stmt = hits.add_columns(literal(tier).label("rank"))
        if values is not None and tier == start:
            stmt = stmt.where(SEARCH_ORDER.after(values))
        stmt = stmt.order_by(*SEARCH_ORDER.order_by()).limit(size + 1 - len(rows))
        rows += (await read(session, stmt)).all()
        if len(rows) > size:
            break
    shown = rows[:size]
    cursors = [encode_keys(SEARCH_ORDER.name, [row.rank, *SEARCH_ORDER.values(row)]) for row in shown]
    return Page(shown, cursors, len(rows) > size, after is not None, counter(session, prepared.matching, count_limit))


def _shown_version(doc: Document) -> DocumentVersion:
    assert doc.current is not None  # joined on current_version_id
    return doc.current


# --- hits ---


@dataclass(frozen=True)
class Hit:
    document: Document
    version: DocumentVersion
    rank: float
    snippet: str


def snippet(fields: Sequence[str], tokens: Sequence[str], width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of the first field that holds a query token (summary and body
    before the title, which clients show anyway), around its first occurrence; every occurrence in
    the window is wrapped in <mark>, the rest is HTML-escaped. Occurrences are found as substrings,
    case-insensitively, so a token inside a longer word is highlighted too."""
    title, *content = fields
    pattern = re.compile("|".join(re.escape(t) for t in sorted(set(tokens), key=len, reverse=True)), re.IGNORECASE)
    text, first = next(
        ((f, m.start()) for f in (*content, title) if f and (m := pattern.search(f))),
        (next((f for f in (*content, title) if f), ""), 0),
    )
    start = max(0, min(first - SNIPPET_BEFORE, len(text) - width))
    end = min(len(text), start + width)
    window = text[start:end]
    out: list[str] = ["…" if start > 0 else ""]
    at = 0
    for m in pattern.finditer(window):
        out += [html.escape(window[at : m.start()]), "<mark>", html.escape(m.group()), "</mark>"]
        at = m.end()
    out += [html.escape(window[at:]), "…" if end < len(text) else ""]
    return "".join(out)


# --- the local view of a place (kiosk, 政务公开专区) ---

DOCUMENT = "D"
POWER_ITEM = "P"


@dataclass
class LocalFilter:
    kind: DocumentKind | None = None
    domain_id: int | None = None
    include_power_list: bool = True


@dataclass(frozen=True)
class Place:
    """What the local view reads of its unit."""

    id: int
    scope_path: str
    level: UnitLevel


_PLACE = Prepared(
    select(AdminUnit.id, AdminUnit.scope_path, AdminUnit.level).where(AdminUnit.code == bindparam("code"))
)


async def local_unit(session: AsyncSession, actor: Actor, unit_code: str) -> Place:
    """The place a local view is asked for, as plain values; a kiosk only its own and below."""
    found = await _PLACE.rows(session, code=unit_code)
    if not found:
        await get_unit(session, unit_code, "unitCode")  # refuses it, in its words
    row = found[0]
    place = Place(row.id, row.scope_path, row.level)
    actor.require_local(place.scope_path)
    return place


def _place_paths(unit: Place) -> list[str]:
    """The unit's path and its ancestors' (a village: county, town, village)."""
    return [p for p in prefixes(unit.scope_path) if p != "*"]


# The merged list's order: newest first, documents before micro-power entries of the same time.
_LOCAL_DOCUMENTS = Order("local_items", (Key(Document.published_at, "at", nulls_last=True), Key(Document.id, "id")))
_LOCAL_POWER_ITEMS = Order("local_items", (Key(VillagePowerItem.adopted_at, "at"), Key(VillagePowerItem.id, "id")))


@dataclass(frozen=True)
class LocalRow:
    kind: str  # DOCUMENT or POWER_ITEM
    id: int
    at: datetime
    row: Any = None  # a document's row of the columns asked for


def _local_documents(unit: Place, f: LocalFilter) -> Select[int, datetime | None]:
    """Public documents of organizations of the unit and of its ancestors."""
    docs = select(Document.id.label("id"), Document.published_at.label("at")).where(
        Document.public.is_(True),
        Document.published_at.is_not(None),
        or_(*[owned_by_organizations_of(Document.scope_path, p) for p in _place_paths(unit)]),
    )
    if f.kind is not None:
        docs = docs.where(Document.kind == f.kind)
    if f.domain_id is not None:
        docs = docs.join(DocumentVersion, DocumentVersion.id == Document.current_version_id).where(
            DocumentVersion.domain_id == f.domain_id
        )
    return docs


def _local_power_items(unit: Place, f: LocalFilter) -> Select[int, datetime | None] | None:
    """The applicable entries of a village's micro-power list (not when documents are filtered)."""
    if not (f.include_power_list and f.kind is None and f.domain_id is None and unit.level is UnitLevel.VILLAGE):
        return None
    return select(VillagePowerItem.id.label("id"), VillagePowerItem.adopted_at.label("at")).where(
        VillagePowerItem.village_id == unit.id, VillagePowerItem.applicable.is_(True)
    )


def _directory_query(unit: Place) -> Select[Organization]:
    """Organizations of the unit and of its ancestors, the nearest first."""
    paths = _place_paths(unit)
    return (
        select(Organization)
        .join(AdminUnit, AdminUnit.id == Organization.unit_id)
        .where(AdminUnit.scope_path.in_(paths))
        .order_by(AdminUnit.scope_path.desc(), Organization.id)
    )


@dataclass
class _Part:
    """One part of the local view (its documents, or a village's micro-power list): its rows'
    statement, and that statement's pages from the start or from a cursor, each made once."""

    kind: str  # DOCUMENT or POWER_ITEM
    order: Order
    stmt: Select[*tuple[Any, ...]]
    once: bool  # a filtered view's, built for one request
    pages: dict[str, Prepared] = field(default_factory=dict)

    def page(self, start: str) -> Prepared:
        """The page's statement, with the parameters ``size`` and (after a cursor) ``at`` and
        ``last_id``: from the ``start`` ("first"), after the cursor's row of this part ("same"),
        or, for a part sorting before ("before") or after ("later") the cursor's kind at the same
        time, after that time or from it."""
        found = self.pages.get(start)
        if found is None:
            stmt, column = self.stmt, self.order.keys[0].column
            at = bindparam("at", type_=column.type)
            if start == "same":
                stmt = stmt.where(self.order.after([at, bindparam("last_id", type_=Integer)]))
            elif start == "before":
                stmt = stmt.where(column < at)
            elif start == "later":
                stmt = stmt.where(column <= at)
            found = Prepared(stmt.order_by(*self.order.order_by()).limit(bindparam("size")), once=self.once)
            self.pages[start] = found
        return found


_LOCAL_PARTS: dict[tuple[Place, RowColumns | None], tuple[list[_Part], Prepared]] = {}
_LOCAL_PARTS_MAX = 4096  # places (a county's villages, towns and itself) whose statements are kept


def _local_parts(unit: Place, f: LocalFilter, columns: RowColumns | None) -> tuple[list[_Part], Prepared]:
    """The parts (the documents' and, for a village, the micro-power list's) and the statement of
    their counts; the unfiltered view's built once per place (a kiosk asks for the same on every
    refresh). With ``columns`` the documents' rows hold them (``row_statement``), and the
    entries' rows what ``micropower.entry_values`` reads."""
    if f == LocalFilter():
        return kept(_LOCAL_PARTS, (unit, columns), lambda: _build_local_parts(unit, f, columns), _LOCAL_PARTS_MAX)
    return _build_local_parts(unit, f, columns)


def _build_local_parts(unit: Place, f: LocalFilter, columns: RowColumns | None) -> tuple[list[_Part], Prepared]:
    from .documents.queries import row_statement

    unfiltered = f == LocalFilter()
    docs = _local_documents(unit, f)
    shown: Select[*tuple[Any, ...]] = docs
    if columns is not None:
        at = Document.published_at.label("at")
        shown = row_statement(docs, columns, at, version_joined=f.domain_id is not None)
    parts = [_Part(DOCUMENT, _LOCAL_DOCUMENTS, shown, once=not unfiltered)]
    counts: list[Select[*tuple[Any, ...]]] = [docs]
    items = _local_power_items(unit, f)
    if items is not None:
        entries = items if columns is None else entry_rows(items, VillagePowerItem.adopted_at.label("at"))
        parts.append(_Part(POWER_ITEM, _LOCAL_POWER_ITEMS, entries, once=not unfiltered))
        counts.append(items)
    return parts, count_of_parts(counts, once=not unfiltered)


async def list_local_items(
    session: AsyncSession,
    actor: Actor,
    unit_code: str,
    f: LocalFilter,
    first: int | None = None,
    after: str | None = None,
    columns: RowColumns | None = None,
) -> Page[LocalRow]:
    """What applies to a place, newest first (``_local_documents`` and ``_local_power_items``);
    a kiosk only its own place and the units below it. With ``columns``, each document's item
    holds its row of them (``documents.list_document_rows``'s) and each entry its row of
    ``micropower.entry_rows``, read with the page.

    Each part is read in its own index order from the cursor on, one page (and one row) at most,
    and the two are merged here: a UNION ALL sorted as a whole sorted every matching row."""
    unit = await local_unit(session, actor, unit_code)
    size = page_size(first)
    parts, counting = _local_parts(unit, f, columns)
    values: dict[str, Any] = {"size": size + 1}
    kind = None
    if after is not None:
        at, kind, last_id = decode_keys("local_items", after, 3)
        if not isinstance(at, datetime) or kind not in (DOCUMENT, POWER_ITEM) or not isinstance(last_id, int):
            raise bad_cursor()
        values.update(at=at, last_id=last_id)
    rows: list[LocalRow] = []
    for part in parts:
        if kind is None:
            start = "first"
        else:  # the cursor's own kind after its row; the other kind before or from its time
            start = "same" if part.kind == kind else "before" if part.kind < kind else "later"
        found = await part.page(start).rows(session, **values)
        rows += [LocalRow(part.kind, row.id, row.at, row if columns is not None else None) for row in found]
    rows.sort(key=lambda r: (r.kind, -r.id))
    rows.sort(key=lambda r: r.at, reverse=True)  # stable: newest first, then kind, then id descending
    shown = rows[:size]
    cursors = [encode_keys("local_items", [r.at, r.kind, r.id]) for r in shown]
    return Page(shown, cursors, len(rows) > size, after is not None, counter_of_parts(session, counting))


async def local_documents_among(session: AsyncSession, actor: Actor, unit_code: str, ids: Collection[int]) -> list[int]:
    """Which of ``ids`` ``list_local_items`` shows for the place now (newest first): what a
    subscription to the place may announce of a change of those documents."""
    unit = await local_unit(session, actor, unit_code)
    if not ids:
        return []
    stmt = _local_documents(unit, LocalFilter()).where(Document.id.in_(sorted(ids)))
    found = await session.execute(stmt.order_by(*_LOCAL_DOCUMENTS.order_by()))
    return [int(row.id) for row in found]


async def directory(session: AsyncSession, actor: Actor, unit_code: str) -> list[Organization]:
    """Organizations serving a place, its own first; a kiosk only its own place and below."""
    unit = await local_unit(session, actor, unit_code)
    return list((await session.execute(_directory_query(unit))).scalars())
