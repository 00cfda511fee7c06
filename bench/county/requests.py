"""The six requests of the benchmark, as each system is asked them.

Gongkai and the hand-written app get the same bytes (the raw app dispatches on ``operationName``);
the LocalItems and KioskSearch operations are the kiosk's own documents from ``clients/kiosk/``.
PostGraphile gets the equivalent query over its generated schema (``allDocuments`` and the
relations it names after the foreign keys, plus the three SQL functions in
``bench/postgraphile/functions.sql`` for the kiosk view and the search, which it has no notion of).

The cached pass (``cached_requests``): three front-end documents sent to Gongkai by GET with their
``documentId`` (trusted documents, answered from its response cache when repeated); the raw app and
PostGraphile get their twins among the six (the same data, POST, nothing cached).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import asyncpg

ROOT = Path(__file__).resolve().parents[2]
PAGE = 50
DEEP_OFFSET = 2500  # page 51
SEARCH_WORD = "低保"
SEARCH_PAGE = 20

_PG_NODE = """
      node {
        id
        indexNo
        kind
        publishedAt
        %(status)sorganizationByPublisherId { name }
        documentVersionByCurrentVersionId {
          title
          domainByDomainId { name }
          attachmentsByVersionId(orderBy: POSITION_ASC) { nodes { id filename contentType size } }
        }
      }"""

_PG_DOCUMENTS = """query %(name)s($first: Int!, $after: Cursor) {
  allDocuments(first: $first, after: $after, orderBy: [PUBLISHED_AT_DESC, ID_DESC]%(condition)s) {
    %(count)spageInfo { hasNextPage endCursor }
    edges {%(node)s
    }
  }
}
"""

PG_LOCAL_ITEMS = """query LocalItems($unitCode: String!, $first: Int!) {
  localDocuments(unitCode: $unitCode, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        __typename
        id
        indexNo
        kind
        publishedAt
        organizationByPublisherId { name }
        documentVersionByCurrentVersionId {
          title
          summary
          domainByDomainId { name }
          attachmentsByVersionId(orderBy: POSITION_ASC) { nodes { id filename contentType size } }
        }
      }
    }
  }
}
"""

PG_SEARCH = """query KioskSearch($query: String!, $first: Int!) {
  searchDocuments(query: $query, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        searchSnippet(query: $query)
        id
        indexNo
        publishedAt
        organizationByPublisherId { name }
        documentVersionByCurrentVersionId { title }
      }
    }
  }
}
"""

def kiosk_operation(name: str) -> str:
    return client_operation("kiosk", name)


def client_operation(front_end: str, name: str) -> str:
    return (ROOT / "clients" / front_end / name).read_text(encoding="utf-8")


# Row ``offset`` of the public list in its order (``_PUBLIC_ORDER`` of api.services.documents.queries),
# or the last row when the list is shorter (then page 51 is empty, for all three systems).
_ROW_AT = """SELECT published_at, id FROM documents WHERE public IS true AND published_at IS NOT NULL
ORDER BY published_at DESC NULLS LAST, id DESC OFFSET $1 LIMIT 1"""
_LAST_ROW = """SELECT published_at, id FROM documents WHERE public IS true AND published_at IS NOT NULL
ORDER BY published_at ASC NULLS FIRST, id ASC LIMIT 1"""


async def keyset_cursor(conn: asyncpg.Connection, offset: int) -> str | None:
    """Gongkai's keyset cursor (``api.services.pages.encode_keys``) of the public list's row at
    ``offset``, found by SQL; the last row's when there are fewer rows, None for an empty list."""
    from api.services.pages import decode_keys, encode_keys

    row = await conn.fetchrow(_ROW_AT, offset) or await conn.fetchrow(_LAST_ROW)
    if row is None:
        return None
    cursor = encode_keys("documents", [row["published_at"], row["id"]])
    assert decode_keys("documents", cursor, 2) == [row["published_at"], row["id"]]
    assert base64.urlsafe_b64decode(cursor).decode().startswith("keys:")
    return cursor


async def deep_cursor(dsn: str) -> str | None:
    """The cursor after which the deep page starts: row 2,500's (``keyset_cursor``)."""
    conn = await asyncpg.connect(dsn)
    try:
        return await keyset_cursor(conn, DEEP_OFFSET - 1)
    finally:
        await conn.close()


@dataclass
class Request:
    key: str
    label: str
    gongkai: dict[str, Any]
    postgraphile: dict[str, Any]
    signed_in: bool = False


def requests(village_code: str, deep_cursor: str | None) -> list[Request]:
    """The six requests; ``deep_cursor`` is ``keyset_cursor(conn, DEEP_OFFSET - 1)``, the cursor of
    row 2,500 of the public list, after which Gongkai and the raw app read page 51."""
    # The portal's own documents (trusted, so Gongkai answers them by their compiled plans): the
    # newest documents without a count, and its list page with totalCount and totalCountExact.
    latest, public = client_operation("web", "LatestDocuments.graphql"), client_operation("web", "PublicDocuments.graphql")
    staff = client_operation("web", "OfficeDocuments.graphql")  # the back office's list, with the status
    pg = _PG_DOCUMENTS % {
        "name": "PublicDocuments", "count": "", "condition": ", condition: { public: true }",
        "node": _PG_NODE % {"status": ""},
    }  # fmt: skip
    pg_counted = _PG_DOCUMENTS % {
        "name": "PublicDocumentsCounted", "count": "totalCount\n    ", "condition": ", condition: { public: true }",
        "node": _PG_NODE % {"status": ""},
    }  # fmt: skip
    # Staff of the county see every document of it: all of them here (no condition).
    pg_staff = _PG_DOCUMENTS % {
        "name": "OfficeDocuments", "count": "", "condition": "", "node": _PG_NODE % {"status": "status\n        "},
    }  # fmt: skip
    first = {"first": PAGE}
    return [
        Request(
            "documents", "public documents, page of 50 with publisher, domain, attachments",
            {"query": latest, "operationName": "LatestDocuments", "variables": first},
            {"query": pg, "operationName": "PublicDocuments", "variables": first},
        ),
        Request(
            "counted", "the same with totalCount",
            {"query": public, "operationName": "PublicDocuments", "variables": first},
            {"query": pg_counted, "operationName": "PublicDocumentsCounted", "variables": first},
        ),
        Request(
            "local", "kiosk localItems for a village, page of 50",
            {"query": kiosk_operation("LocalItems.graphql"), "operationName": "LocalItems",
             "variables": {"unitCode": village_code, "first": PAGE}},
            {"query": PG_LOCAL_ITEMS, "operationName": "LocalItems", "variables": {"unitCode": village_code, "first": PAGE}},
        ),
        Request(
            "search", f"search(\"{SEARCH_WORD}\"), 20 hits with snippets",
            {"query": kiosk_operation("Search.graphql"), "operationName": "KioskSearch",
             "variables": {"query": SEARCH_WORD, "first": SEARCH_PAGE}},
            {"query": PG_SEARCH, "operationName": "KioskSearch", "variables": {"query": SEARCH_WORD, "first": SEARCH_PAGE}},
        ),
        Request(
            "office", "a district office's documents page (signed in)",
            {"query": staff, "operationName": "OfficeDocuments", "variables": first},
            {"query": pg_staff, "operationName": "OfficeDocuments", "variables": first},
            signed_in=True,
        ),
        Request(
            "deep", "page 51 (after 2,500 rows)",
            {"query": latest, "operationName": "LatestDocuments",
             "variables": {"first": PAGE, "after": deep_cursor}},
            {"query": pg, "operationName": "PublicDocuments", "variables": {"first": PAGE, "after": None}},
        ),
    ]  # fmt: skip


LOGIN = """mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) { token errors { code message } }
}"""


# --- the cached pass: trusted documents by GET, repeated ---

TRUSTED_MANIFEST = ROOT / "clients" / "trusted-documents.json"


@dataclass
class CachedRequest:
    """A trusted document that Gongkai's cached server is sent by GET (``path``), and its twin among
    the six requests (``twin``), whose payloads the raw app and PostGraphile are sent."""

    key: str
    label: str
    document: str  # the file, relative to the repository
    document_id: str
    path: str  # GET /graphql?documentId=…&variables=…&operationName=…
    twin: Request


def trusted_get(relative: str, operation: str, variables: dict[str, Any]) -> tuple[str, str]:
    """The documentId of a front end's document ("sha256:" + the hash of its UTF-8 text; it must be in
    clients/trusted-documents.json) and the GET path that runs it."""
    text = (ROOT / relative).read_text(encoding="utf-8")
    document_id = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    manifest = json.loads(TRUSTED_MANIFEST.read_text(encoding="utf-8"))
    if manifest.get(document_id) != text:
        raise SystemExit(f"{relative}: {document_id} is not in {TRUSTED_MANIFEST} (run `make trusted-documents`)")
    query = urlencode(
        {
            "documentId": document_id,
            "variables": json.dumps(variables, ensure_ascii=False, separators=(",", ":")),
            "operationName": operation,
        },
        quote_via=quote,
    )
    return document_id, "/graphql?" + query


def cached_requests(village_code: str) -> list[CachedRequest]:
    """The three trusted documents of the cached pass; the twins are the six requests' counted page
    (PublicDocuments selects totalCount, and totalCountExact besides, which the others lack), the
    kiosk view and the search, the same variables."""
    twins = {r.key: r for r in requests(village_code, None)}
    specs = [
        ("cached-public", "web PublicDocuments, page of 50 with totalCount", "clients/web/PublicDocuments.graphql",
         "PublicDocuments", {"first": PAGE}, "counted"),
        ("cached-local", "kiosk LocalItems for a village, page of 50", "clients/kiosk/LocalItems.graphql",
         "LocalItems", {"unitCode": village_code, "first": PAGE}, "local"),
        ("cached-search", f"kiosk KioskSearch(\"{SEARCH_WORD}\"), 20 hits", "clients/kiosk/Search.graphql",
         "KioskSearch", {"query": SEARCH_WORD, "first": SEARCH_PAGE}, "search"),
    ]  # fmt: skip
    out = []
    for key, label, relative, operation, variables, twin in specs:
        assert twins[twin].gongkai["variables"] == variables, (key, twin)
        document_id, path = trusted_get(relative, operation, variables)
        out.append(CachedRequest(key, label, relative, document_id, path, twins[twin]))
    return out
