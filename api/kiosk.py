"""The reference kiosk page at /kiosk/: plain HTML, CSS and ES modules from clients/kiosk/page/.

No build step and no CDN. The page sends the kiosk's trusted documents (clients/kiosk/*.graphql)
by id; it learns the ids from /kiosk/documents.json (``{operationName: documentId}``), made from
the files that the manifest holds, so a stale manifest shows up as a missing operation rather than
as a refused request.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from graphql import OperationDefinitionNode, parse
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

KIOSK_DOCUMENTS = Path(__file__).resolve().parent.parent / "clients" / "kiosk"
KIOSK_PAGE = KIOSK_DOCUMENTS / "page"
PREFIX = "/kiosk"
# The page loads only its own files and talks only to this origin; attachments are shown from
# blob: URLs made after an authorized fetch.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "frame-src 'self' blob:; object-src 'self' blob:; connect-src 'self'{sockets}; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)


def csp(scope: Scope) -> str:
    """The page's policy; the subscription's WebSocket to this same host is named explicitly
    (chromium does not let 'self' of an http: page match its ws: origin)."""
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
    safe = host and all(c.isalnum() or c in ".-:[]" for c in host)
    return CSP.format(sockets=f" ws://{host} wss://{host}" if safe else "")


def operation_ids(manifest: Path, documents: Path = KIOSK_DOCUMENTS) -> dict[str, str]:
    """The kiosk's operations by name, with the trusted id of each file the manifest holds."""
    known = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    ids: dict[str, str] = {}
    for path in sorted(documents.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        document_id = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
        if document_id not in known:
            continue
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name is not None:
                ids[definition.name.value] = document_id
    return ids


class KioskFiles(StaticFiles):
    """The page's files, revalidated on every load (a kiosk runs for months between visits)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.media_type == "text/html" or path in ("", ".", "index.html"):
            response.headers["Content-Security-Policy"] = csp(scope)
        return response


def kiosk_routes(manifest: Path, page: Path = KIOSK_PAGE) -> list[BaseRoute]:
    """The page's routes; none (404) in an installation without the source tree's clients/ folder."""
    if not page.is_dir():
        return []
    ids = operation_ids(manifest)

    async def documents(_request: Request) -> JSONResponse:
        return JSONResponse(ids, headers={"Cache-Control": "no-cache"})

    async def to_page(_request: Request) -> RedirectResponse:
        return RedirectResponse(PREFIX + "/", status_code=308)

    return [
        Route(PREFIX, to_page, methods=["GET"]),
        Route(PREFIX + "/documents.json", documents, methods=["GET"]),
        Mount(PREFIX, app=KioskFiles(directory=page, html=True), name="kiosk"),
    ]
