"""The baseline of the county benchmark: Starlette + asyncpg (+ orjson when installed), answering
the benchmark's six requests with the same JSON as Gongkai, by hand-written SQL.

It runs the statements Gongkai runs for each request (``bench.county.explain`` shows them): the
page, one row more than it shows (for ``hasNextPage``), by keyset cursors on the lists of documents
, the kiosk's ``localItems`` and the search (``api.services.pages.encode_keys``, so the cursors are
the same bytes); the bounded count (at most ``COUNT_LIMIT`` + 1 rows, the search's
``SEARCH_COUNT_LIMIT`` + 1) only when
``totalCount`` is asked for; the kiosk's documents and micro-power entries read separately, each in
its own order, and merged here; the search's page of ids tier by tier, then its documents and
versions by id; then one batch per relation. It selects only the columns it shows, binds arrays
(``= ANY($1)``) instead of one parameter per id, and has no ORM, no GraphQL executor, no session
transaction and no pool pre-ping. The body is the GraphQL request Gongkai gets;
the raw app only looks at ``operationName`` and ``variables``. A signed-in request is checked as
Gongkai checks it: the token (``api.auth.tokens.read_token``), the user, the grants and the sign-in
session (three statements), and the grants become the same scope filter. Snippets are made by
Gongkai's own pure function (``api.services.search.snippet``), so they are the same text.

    .venv/bin/python bench/raw_app.py --dsn postgresql://… --port 8123
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from api.auth.tokens import TokenError, read_token  # noqa: E402
from api.errors import UserInputError  # noqa: E402
from api.models import BodyFormat  # noqa: E402
from api.services.pages import COUNT_LIMIT, decode_keys, encode_keys  # noqa: E402
from api.services.search import SEARCH_COUNT_LIMIT, _fields, query_tokens, snippet  # noqa: E402

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

    JSON_LIBRARY = "orjson"
except ImportError:  # the standard library, non-ASCII kept
    import json

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    JSON_LIBRARY = "json"

MAX_PAGE, DEFAULT_PAGE = 100, 20
IDLE = timedelta(minutes=int(os.environ.get("GONGKAI_SESSION_IDLE_MINUTES", "30")))


def _staff_roles() -> set[str]:
    """Roles that may read staff documents (``p, role, document, read_staff`` in the policy)."""
    with (ROOT / "policies" / "policy.csv").open(encoding="utf-8") as f:
        rows = [[c.strip() for c in r] for r in csv.reader(f) if r and not r[0].startswith("#")]
    return {r[1] for r in rows if r[0] == "p" and r[2:4] == ["document", "read_staff"]}


STAFF_ROLES = _staff_roles()


class Fail(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        self.status, self.message, self.code = status, message, code


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def page_size(first: int | None) -> int:
    return DEFAULT_PAGE if first is None else max(0, min(first, MAX_PAGE))


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def connection(
    edges: list[dict[str, Any]],
    cursors: list[str],
    has_next: bool,
    total: int | None = None,
    exact: bool = False,
    limit: int = COUNT_LIMIT,
) -> dict[str, Any]:
    """A Relay connection; ``totalCount`` when ``total`` is given (it was asked for), and then
    ``totalCountExact`` when ``exact`` is (the portal's PublicDocuments and the kiosk's search ask
    for both)."""
    out: dict[str, Any] = {} if total is None else {"totalCount": min(total, limit)}
    if total is not None and exact:
        out["totalCountExact"] = total <= limit
    out["pageInfo"] = {"hasNextPage": has_next, "endCursor": cursors[-1] if cursors else None}
    out["edges"] = edges
    return out


async def bounded_count(conn: asyncpg.Connection, source: str, *params: Any, limit: int = COUNT_LIMIT) -> int:
    """``api.services.pages.counter``: the rows of ``FROM …`` up to ``limit`` + 1, counted;
    totalCount is at most ``limit``."""
    n = len(params) + 1
    value = await conn.fetchval(f"SELECT count(*) FROM (SELECT 1 {source} LIMIT ${n}) c", *params, limit + 1)
    return int(value)


# --- who is asking ---


async def staff_paths(conn: asyncpg.Connection, request: Request) -> list[str] | None:
    """The grant paths that let the caller read staff documents; None for the public."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    try:
        credential = read_token(request.app.state.secret, token.strip())
    except TokenError:
        raise Fail(401, "登录已失效，请重新登录", "UNAUTHENTICATED") from None
    user = await conn.fetchrow("SELECT id, active FROM users WHERE id = $1", credential.user_id)
    if user is None or not user["active"]:
        raise Fail(401, "账号不存在或已停用，请重新登录", "UNAUTHENTICATED")
    grants = await conn.fetch(
        "SELECT v1, v2 FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND revoked IS false",
        f"user:{credential.user_id}",
    )
    if credential.session_key is None:
        raise Fail(401, "登录已失效，请重新登录", "UNAUTHENTICATED")
    row = await conn.fetchrow(
        "SELECT user_id, ended_at, expires_at, last_seen_at FROM user_sessions WHERE key_hash = $1",
        hashlib.sha256(credential.session_key.encode()).hexdigest(),
    )
    now = datetime.now(UTC)
    if (
        row is None
        or row["user_id"] != credential.user_id
        or row["ended_at"] is not None
        or row["expires_at"] <= now
        or row["last_seen_at"] <= now - IDLE
    ):
        raise Fail(401, "登录已失效，请重新登录", "UNAUTHENTICATED")
    return [path for role, path in grants if role in STAFF_ROLES]


def _within(paths: list[str], first_param: int) -> tuple[list[str], list[Any]]:
    """``api.auth.scope.within``: at or below one of the paths, as SQL terms and parameters."""
    terms, params = [], []
    for p in paths:
        n = first_param + len(params)
        terms.append(f"d.scope_path = ${n} OR d.scope_path LIKE ${n + 1}")
        params += [p, p + "/%"]
    return terms, params


def scope_sql(paths: list[str] | None, first_param: int) -> tuple[str, list[Any]]:
    """Documents the caller sees (``visible_clause``): public, or within the staff grant paths."""
    if paths is not None and "*" in paths:
        return "true", []
    terms, params = _within(paths or [], first_param)
    return "(" + " OR ".join(["d.public IS true", *terms]) + ")", params


def readable_sql(paths: list[str] | None, first_param: int) -> tuple[str, list[Any]]:
    """Versions the caller reads (``_readable_versions``): staff of the scope every version, else
    only the current version of a public document."""
    if paths is not None and "*" in paths:
        return "true", []
    terms, params = _within(paths or [], first_param)
    return "(" + " OR ".join([*terms, "(d.public IS true AND d.current_version_id = v.id)"]) + ")", params


# --- documents and what hangs off them ---


async def document_nodes(
    conn: asyncpg.Connection,
    docs: Sequence[asyncpg.Record],
    paths: list[str] | None,
    *,
    status: bool = False,
    summary: bool = False,
    typename: bool = False,
) -> list[dict[str, Any]]:
    """The nodes of a page of documents: their versions, publishers, attachments and domains, one
    statement per relation (as Gongkai's DataLoaders batch them); none for an empty page."""
    if not docs:
        return []
    version_ids = [d["current_version_id"] for d in docs]
    readable, params = readable_sql(paths, 2)
    versions = {
        r["id"]: r
        for r in await conn.fetch(
            "SELECT v.id, v.title, v.summary, v.domain_id FROM document_versions v "
            f"JOIN documents d ON d.id = v.document_id WHERE v.id = ANY($1::int[]) AND {readable}",
            version_ids,
            *params,
        )
    }
    orgs = {
        r["id"]: r["name"]
        for r in await conn.fetch(
            "SELECT id, name FROM organizations WHERE id = ANY($1::int[])", list({d["publisher_id"] for d in docs})
        )
    }
    files: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in await conn.fetch(
        "SELECT a.id, a.version_id, a.filename, a.content_type, a.size FROM attachments a "
        "JOIN document_versions v ON v.id = a.version_id JOIN documents d ON d.id = v.document_id "
        f"WHERE a.version_id = ANY($1::int[]) AND {readable} ORDER BY a.position",
        version_ids,
        *params,
    ):
        files[a["version_id"]].append(
            {"filename": a["filename"], "contentType": a["content_type"], "size": a["size"], "url": f"/files/{a['id']}"}
        )
    domain_ids = list({v["domain_id"] for v in versions.values() if v["domain_id"] is not None})
    domains = {
        r["id"]: r["name"]
        for r in await conn.fetch("SELECT id, name FROM domains WHERE id = ANY($1::int[])", domain_ids)
    }
    nodes = []
    for d in docs:
        v = versions[d["current_version_id"]]
        node: dict[str, Any] = {"__typename": "Document"} if typename else {}
        node.update(id=gid("Document", d["id"]), indexNo=d["index_no"], kind=d["kind"])
        if status:
            node["status"] = d["status"] if paths is not None or not d["public"] else "PUBLISHED"
        node.update(title=v["title"], publishedAt=iso(d["published_at"]), publisher={"name": orgs[d["publisher_id"]]})
        domain = {"name": domains[v["domain_id"]]} if v["domain_id"] is not None else None
        node["current"] = {"summary": v["summary"], "domain": domain} if summary else {"domain": domain}
        node["attachments"] = files.get(v["id"], [])
        nodes.append(node)
    return nodes


DOC_COLUMNS = "d.id, d.kind, d.status, d.public, d.publisher_id, d.current_version_id, d.index_no, d.published_at"
ORDER = "ORDER BY d.published_at DESC NULLS LAST, d.id DESC"  # ix_documents_public_order, ix_documents_order


def after_keys(paths: list[str] | None, after: str | None, first_param: int) -> tuple[str, list[Any]]:
    """``Order.after``: the rows after the cursor's (published_at, id). The public list has no
    NULL published_at (a row comparison, which the index serves); staff lists put drafts last."""
    if after is None:
        return "", []
    at, last_id = decode_keys("documents", after, 2)
    p, i = f"${first_param}", f"${first_param + 1}"
    if paths is None and at is not None:
        return f" AND (d.published_at, d.id) < ({p}::timestamptz, {i}::int)", [at, last_id]
    if at is None:  # only drafts are left
        return f" AND d.published_at IS NULL AND d.id < {p}::int", [last_id]
    return (
        f" AND ((d.published_at < {p}::timestamptz OR d.published_at IS NULL)"
        f" OR (d.published_at = {p}::timestamptz AND d.id < {i}::int))",
        [at, last_id],
    )


async def documents(conn: asyncpg.Connection, request: Request, variables: dict[str, Any], op: str) -> dict[str, Any]:
    paths = await staff_paths(conn, request)
    size = page_size(variables.get("first"))
    where, params = scope_sql(paths, 2)
    if paths is None:
        where += " AND d.published_at IS NOT NULL"  # the public list's keyset relies on it
    keyset, keys = after_keys(paths, variables.get("after"), 2 + len(params))
    docs = await conn.fetch(
        f"SELECT {DOC_COLUMNS} FROM documents d WHERE {where}{keyset} {ORDER} LIMIT $1", size + 1, *params, *keys
    )
    shown = docs[:size]
    total = None
    if op in ("PublicDocuments", "PublicDocumentsCounted"):
        where, params = scope_sql(paths, 1)
        if paths is None:
            where += " AND d.published_at IS NOT NULL"
        total = await bounded_count(conn, f"FROM documents d WHERE {where}", *params)
    nodes = await document_nodes(conn, shown, paths, status=op == "OfficeDocuments")
    cursors = [encode_keys("documents", [d["published_at"], d["id"]]) for d in shown]
    edges = [{"node": n} for n in nodes]
    return {"documents": connection(edges, cursors, len(docs) > size, total, exact=op == "PublicDocuments")}


DOCUMENT, POWER_ITEM = "D", "P"


async def local_items(conn: asyncpg.Connection, request: Request, variables: dict[str, Any]) -> dict[str, Any]:
    unit = await conn.fetchrow("SELECT id, level, scope_path FROM admin_units WHERE code = $1", variables["unitCode"])
    if unit is None:
        raise Fail(200, "找不到该区划", "BAD_USER_INPUT")
    size = page_size(variables.get("first"))
    village = unit["level"] == "VILLAGE"
    parts = unit["scope_path"].split("/")
    likes = ["/".join(parts[: i + 1]) + "/org:%" for i in range(len(parts))]
    owned = " OR ".join(f"d.scope_path LIKE ${i + 1}" for i in range(len(likes)))
    docs_from = f"FROM documents d WHERE d.public IS true AND d.published_at IS NOT NULL AND ({owned})"
    power_from = "FROM village_power_items p WHERE p.village_id = $1 AND p.applicable IS true"
    # After a cursor (at, kind, id): its own kind after its row, the documents (which sort first at
    # one time) before its time when it is a power item, the power items from its time on.
    doc_after, power_after, doc_keys, power_keys = "", "", [], []
    if (after := variables.get("after")) is not None:
        at, kind, last_id = decode_keys("local_items", after, 3)
        if not isinstance(at, datetime) or kind not in (DOCUMENT, POWER_ITEM) or not isinstance(last_id, int):
            raise UserInputError("after", "INVALID_CURSOR", "分页游标无效，请从第一页重新开始")
        n = len(likes) + 1
        if kind == DOCUMENT:
            doc_after, doc_keys = f" AND (d.published_at, d.id) < (${n}::timestamptz, ${n + 1}::int)", [at, last_id]
            power_after, power_keys = " AND p.adopted_at <= $2::timestamptz", [at]
        else:
            doc_after, doc_keys = f" AND d.published_at < ${n}::timestamptz", [at]
            power_after, power_keys = " AND (p.adopted_at, p.id) < ($2::timestamptz, $3::int)", [at, last_id]
    limit = f"${len(likes) + len(doc_keys) + 1}"
    rows = [
        (DOCUMENT, r["id"], r["at"])
        for r in await conn.fetch(
            f"SELECT d.id, d.published_at AS at {docs_from}{doc_after} {ORDER} LIMIT {limit}",
            *likes,
            *doc_keys,
            size + 1,
        )
    ]
    if village:
        limit = f"${2 + len(power_keys)}"
        rows += [
            (POWER_ITEM, r["id"], r["at"])
            for r in await conn.fetch(
                f"SELECT p.id, p.adopted_at AS at {power_from}{power_after} "
                f"ORDER BY p.adopted_at DESC, p.id DESC LIMIT {limit}",
                unit["id"],
                *power_keys,
                size + 1,
            )
        ]
    rows.sort(key=lambda r: (r[0], -r[1]))
    rows.sort(key=lambda r: r[2], reverse=True)  # newest first, documents first, then id descending
    shown = rows[:size]
    if any(kind != DOCUMENT for kind, _, _ in shown):
        raise Fail(500, "the raw app does not render micro-power items", "INTERNAL_SERVER_ERROR")
    by_id = {
        d["id"]: d
        for d in await conn.fetch(
            f"SELECT {DOC_COLUMNS} FROM documents d WHERE d.id = ANY($1::int[]) AND d.public IS true",
            [i for _, i, _ in shown],
        )
    }
    total = await bounded_count(conn, docs_from, *likes)
    if village:
        total += await bounded_count(conn, power_from, unit["id"])
    docs = [by_id[i] for _, i, _ in shown]
    nodes = await document_nodes(conn, docs, None, summary=True, typename=True)
    cursors = [encode_keys("local_items", [at, kind, i]) for kind, i, at in shown]
    edges = [{"cursor": c, "node": node} for c, node in zip(cursors, nodes, strict=True)]
    return {"localItems": connection(edges, cursors, len(rows) > size, min(total, COUNT_LIMIT))}


async def search(conn: asyncpg.Connection, request: Request, variables: dict[str, Any]) -> dict[str, Any]:
    tokens = query_tokens(variables["query"])
    size = page_size(variables.get("first"))
    start, after = 1, None
    if variables.get("after"):
        start, *after = decode_keys("search", variables["after"], 3)
    words = " ".join(tokens)
    # Gongkai's search (api.services.search.prepare_search): document_search alone, the hits whose
    # title and summary hold the words (head_tsv) first, then the others, newest first in each; a
    # tier in the order of ix_document_search_order from the cursor, the next only to fill the page.
    matching = "FROM document_search s WHERE s.tsv @@ plainto_tsquery('simple', $1)"
    ranked: list[Any] = []
    for tier in (1, 0):
        if tier > start:
            continue
        head = "s.head_tsv @@ plainto_tsquery('simple', $1)"
        condition = head if tier else f"s.tsv @@ plainto_tsquery('simple', $1) AND NOT ({head})"
        params: list[Any] = [words, size + 1 - len(ranked)]
        if after is not None and tier == start:
            condition += " AND (s.published_at, s.document_id) < ($3, $4)"
            params += [after[0], after[1]]
        ranked += [
            (tier, r["published_at"], r["id"])
            for r in await conn.fetch(
                f"SELECT s.document_id AS id, s.published_at FROM document_search s WHERE {condition} "
                "ORDER BY s.published_at DESC NULLS LAST, s.document_id DESC LIMIT $2",
                *params,
            )
        ]
        if len(ranked) > size:
            break
    shown = [{"id": i} for _, _, i in ranked[:size]]
    found = {
        h["id"]: h
        for h in await conn.fetch(
            "SELECT d.id, d.index_no, d.published_at, d.publisher_id, v.title, v.summary, v.body, v.body_format "
            "FROM documents d JOIN document_versions v ON v.id = d.current_version_id "
            "WHERE d.id = ANY($1::int[]) AND d.public IS true",
            [r["id"] for r in shown],
        )
    }
    hits = [found[r["id"]] for r in shown]
    total = await bounded_count(conn, matching, words, limit=SEARCH_COUNT_LIMIT)
    orgs = {
        r["id"]: r["name"]
        for r in await conn.fetch(
            "SELECT id, name FROM organizations WHERE id = ANY($1::int[])", list({h["publisher_id"] for h in hits})
        )
    }
    edges = []
    for h in hits:
        fields = _fields(h["title"], h["summary"] or "", h["body"] or "", BodyFormat[h["body_format"]])
        edges.append(
            {
                "node": {
                    "snippet": snippet(fields, tokens),
                    "document": {
                        "id": gid("Document", h["id"]),
                        "title": h["title"],
                        "indexNo": h["index_no"],
                        "publishedAt": iso(h["published_at"]),
                        "publisher": {"name": orgs[h["publisher_id"]]},
                    },
                }
            }
        )
    cursors = [encode_keys("search", list(r)) for r in ranked[:size]]
    return {"search": connection(edges, cursors, len(ranked) > size, total, exact=True, limit=SEARCH_COUNT_LIMIT)}


# --- HTTP ---


async def graphql(request: Request) -> Response:
    body = await request.json()
    op, variables = body.get("operationName"), body.get("variables") or {}
    async with request.app.state.pool.acquire() as conn:
        try:
            if op in ("LatestDocuments", "PublicDocuments", "PublicDocumentsCounted", "OfficeDocuments"):
                data = await documents(conn, request, variables, op)
            elif op == "LocalItems":
                data = await local_items(conn, request, variables)
            elif op == "KioskSearch":
                data = await search(conn, request, variables)
            else:
                raise Fail(400, f"the raw app does not answer {op!r}", "OPERATION_NOT_FOUND")
        except Fail as fail:
            error = {"errors": [{"message": fail.message, "extensions": {"code": fail.code}}]}
            return Response(dumps(error), fail.status, media_type="application/json")
        except UserInputError as e:  # a bad cursor
            error = {"errors": [{"message": e.message, "extensions": {"code": e.code, "field": e.field}}]}
            return Response(dumps(error), 200, media_type="application/json")
    return Response(dumps({"data": data}), media_type="application/json")


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok", "pid": os.getpid(), "json": JSON_LIBRARY})


def create_app(dsn: str, secret: str, pool_size: int = 10) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        app.state.pool = await asyncpg.create_pool(dsn, min_size=2, max_size=pool_size)
        app.state.secret = secret
        yield
        await app.state.pool.close()

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)], lifespan=lifespan
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    secret = os.environ.get("GONGKAI_SECRET_KEY") or "gongkai-development-secret-not-for-production"
    # As api.server.Worker configures uvicorn: uvloop and httptools when installed, no access log.
    uvicorn.run(
        create_app(args.dsn, secret),
        host=args.host,
        port=args.port,
        loop="auto",
        http="auto",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
