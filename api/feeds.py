"""Public feeds (issue 15): Atom per organization, unit, domain and platform column, and the provincial catalog's
JSON pull feed. Read as the anonymous public reads (whatever credential comes along); answers
carry Cache-Control and an ETag, and a GET whose If-None-Match holds it gets 304."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth.actor import load_actor
from api.errors import UserInputError
from api.response_cache import etag_matches, etag_of
from api.services.channels import catalog, feeds

ATOM_TYPE = "application/atom+xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def _cached(request: Request, body: bytes, media_type: str, max_age: int) -> Response:
    etag = etag_of(body, media_type)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={max_age}, must-revalidate",
        "X-Content-Type-Options": "nosniff",
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _refusal(exc: UserInputError) -> JSONResponse:
    status = 404 if exc.code == "NOT_FOUND" else 400
    body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code, "field": exc.field}}]}
    return JSONResponse(body, status, headers={"Cache-Control": "no-store"})


def feed_routes(state: Any) -> list[Route]:
    settings = state.settings

    def anonymous(fn: Callable[[Request, Any, Any], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            async with state.sessionmaker() as session:
                actor = await load_actor(session, state.authorizer, None, request.client.host if request.client else "")
                try:
                    return await fn(request, session, actor)
                except UserInputError as exc:
                    return _refusal(exc)

        return endpoint

    def atom(kind: str) -> Callable[[Request, Any, Any], Awaitable[Response]]:
        async def answer(request: Request, session: Any, actor: Any) -> Response:
            key = str(request.path_params["key"])
            feed = await feeds.document_feed(session, actor, kind, key, settings.feed_entries)
            portal = settings.portal_url or str(request.base_url)
            body = feeds.render_atom(feed, self_url=str(request.url.replace(query="")), portal=portal)
            return _cached(request, body, ATOM_TYPE, settings.public_max_age)

        return answer

    async def catalog_feed(request: Request, session: Any, actor: Any) -> Response:
        limit = request.query_params.get("limit", "")
        unit = request.query_params.get("unitCode") or None
        page = await catalog.catalog_changes(
            session,
            actor,
            since=request.query_params.get("since"),
            limit=int(limit) if limit.isdigit() and len(limit) < 6 else catalog.FEED_PAGE,
            unit_code=unit,
        )
        body = {"events": page.events, "cursor": page.cursor, "hasMore": page.has_more}
        return _cached(request, json.dumps(body, ensure_ascii=False).encode(), JSON_TYPE, settings.public_max_age)

    return [
        Route("/feeds/organizations/{key}.atom", anonymous(atom("organizations")), methods=["GET"]),
        Route("/feeds/units/{key}.atom", anonymous(atom("units")), methods=["GET"]),
        Route("/feeds/domains/{key}.atom", anonymous(atom("domains")), methods=["GET"]),
        Route("/feeds/columns/{key:path}.atom", anonymous(atom("columns")), methods=["GET"]),
        Route("/feeds/catalog.json", anonymous(catalog_feed), methods=["GET"]),
    ]
