"""The six requests of the benchmark, as each system is asked them.

Gongkai and the hand-written app get the same bytes (the raw app dispatches on ``operationName``);
the LocalItems and KioskSearch operations are the kiosk's own documents from ``clients/kiosk/``.
PostGraphile gets the equivalent query over its generated schema (``allDocuments`` and the
relations it names after the foreign keys, plus the three SQL functions in
``bench/postgraphile/functions.sql`` for the kiosk view and the search, which it has no notion of).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PAGE = 50
DEEP_OFFSET = 2500  # page 51
SEARCH_WORD = "低保"
SEARCH_PAGE = 20

_NODE = """
      node {
        id
        indexNo
        kind
        title
        publishedAt
        publisher { name }
        current { domain { name } }
        attachments { filename contentType size url }
      }"""

_DOCUMENTS = """query %(name)s($first: Int!, $after: String) {
  documents(first: $first, after: $after) {
    %(count)spageInfo { hasNextPage endCursor }
    edges {%(node)s
    }
  }
}
"""

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

# A staff page shows where each document is in the review as well.
_STAFF_NODE = _NODE.replace("        kind\n", "        kind\n        status\n")


def kiosk_operation(name: str) -> str:
    return (ROOT / "clients" / "kiosk" / name).read_text(encoding="utf-8")


def offset_cursor(offset: int) -> str:
    """Gongkai's cursor of the row at ``offset`` (``api.services.pages.encode_cursor``)."""
    from api.services.pages import encode_cursor

    cursor = encode_cursor(offset)
    assert base64.b64decode(cursor).decode() == f"offset:{offset}"
    return cursor


@dataclass
class Request:
    key: str
    label: str
    gongkai: dict[str, Any]
    postgraphile: dict[str, Any]
    signed_in: bool = False


def requests(village_code: str) -> list[Request]:
    public_doc = _DOCUMENTS % {"name": "PublicDocuments", "count": "", "node": _NODE}
    counted = _DOCUMENTS % {"name": "PublicDocumentsCounted", "count": "totalCount\n    ", "node": _NODE}
    staff = _DOCUMENTS % {"name": "OfficeDocuments", "count": "", "node": _STAFF_NODE}
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
            {"query": public_doc, "operationName": "PublicDocuments", "variables": first},
            {"query": pg, "operationName": "PublicDocuments", "variables": first},
        ),
        Request(
            "counted", "the same with totalCount",
            {"query": counted, "operationName": "PublicDocumentsCounted", "variables": first},
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
            {"query": public_doc, "operationName": "PublicDocuments",
             "variables": {"first": PAGE, "after": offset_cursor(DEEP_OFFSET - 1)}},
            {"query": pg, "operationName": "PublicDocuments", "variables": {"first": PAGE, "after": None}},
        ),
    ]  # fmt: skip


LOGIN = """mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) { token errors { code message } }
}"""
