"""create_app(settings) -> Starlette: /graphql, /files (and a photo's sizes), /exports, /feeds, /healthz, /readyz, /metrics, /kiosk."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from api.auth.actor import load_actor
from api.auth.backend import BearerTokenBackend, credential_of, on_auth_error
from api.auth.enforcer import Authorizer
from api.auth.passwords import passwords_for
from api.bodies import BodyLimit, body_message, is_multipart, upload_message
from api.changes import ACCOUNTS, read_versions
from api.db import make_engine, make_sessionmaker
from api.errors import Forbidden, ServiceUnavailable, Unauthenticated, UserInputError, is_unavailable
from api.events import Listener
from api.feeds import feed_routes
from api.kiosk import kiosk_routes
from api.localtime import today
from api.privacy import Vault
from api.response_cache import ResponseCache
from api.services import documents
from api.services.channels import delivery
from api.services.reports import export as reports_export
from api.settings import Settings
from api.storage import open_storage
from api.telemetry import ForwardedFor, Telemetry, metrics_text
from schema import build_schema
from schema.caching import cache_version
from schema.context import SCOPE_KEY, AppState, RequestScope, client_addr
from schema.ide import ide_routes
from schema.subscriptions import PROTOCOLS
from schema.trusted import TrustedDocuments
from schema.view import GongkaiGraphQL


class GraphQLEndpoint:
    """Opens the request's session and loads the actor around the GraphQL view; always closes it.

    The view reads the request first (a trusted document's id: schema/view.py). For a signed-in
    caller, and for an anonymous caller's trusted query while the response cache is on, the change
    counters are read before anything else (api/changes.py): the actor (api.auth.actor.ActorCache)
    and an anonymous or device answer (schema/caching.py) may then come from the caches."""

    def __init__(self, state: AppState, view: GongkaiGraphQL) -> None:
        self.state = state
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        refusal = self.refuse_upload(request) or await self.view.prepare(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        credential = credential_of(request)
        async with self.state.sessionmaker() as session:
            try:
                version, accounts = None, None
                cacheable = self.view.cacheable(request)
                if credential is not None or (cacheable and self.state.responses.enabled):
                    # The versions first: then the (cached) actor of a token, then for an anonymous
                    # or device caller's trusted query the (cached) answer: one statement when
                    # both are cached.
                    versions = await read_versions(session)
                    accounts = versions.get(ACCOUNTS)
                    if cacheable and (credential is None or credential.session_key is None):
                        version = cache_version(versions, today())
                actor = await load_actor(
                    session,
                    self.state.authorizer,
                    credential,
                    client_addr(request),
                    idle=idle(self.state),
                    actors=self.state.actors,
                    accounts_version=accounts,
                )
            except Unauthenticated as exc:
                await on_auth_error(request, exc)(scope, receive, send)
                return
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                unavailable = ServiceUnavailable()
                await graphql_error(503, unavailable.message, unavailable.code)(scope, receive, send)
                return
            scope[SCOPE_KEY] = RequestScope(session=session, actor=actor, version=version)
            await self.view.handle(request, send)

    def refuse_upload(self, request: Request) -> Response | None:
        """Multipart requests need a preflight header (CSRF) and a signed-in caller, before a byte is read.

        No operation the public may send takes an ``Upload`` (the mutations that do, createDocument,
        addAttachments and importCatalog, are staff work; tests/schema/test_budget.py keeps that
        list), so an anonymous upload is refused here. The size is capped by ``BodyLimit`` while
        the body streams, the file count and each file's size by the view's multipart parser.
        """
        if not is_multipart(request.scope):
            return None
        if not (request.headers.get("apollo-require-preflight") or request.headers.get("x-apollo-operation-name")):
            return graphql_error(
                400,
                "上传请求须带 Apollo-Require-Preflight 或 X-Apollo-Operation-Name 请求头（防跨站请求伪造）",
                "CSRF_PREFLIGHT_REQUIRED",
            )
        if getattr(request.scope.get("user"), "user_id", None) is None:
            return graphql_error(401, "上传文件须先登录", "UNAUTHENTICATED")
        return None


def idle(state: AppState) -> timedelta:
    return timedelta(minutes=state.settings.session_idle_minutes)


def graphql_error(status: int, message: str, code: str) -> JSONResponse:
    # A request refused before execution: no ``data`` entry (GraphQL over HTTP).
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


def file_endpoint(state: AppState) -> Any:
    async def download(request: Request) -> Response:
        try:
            attachment_id = int(request.path_params["id"])
            size = request.path_params.get("size")
            long_side = None if size is None else int(size)
        except ValueError:
            return graphql_error(404, "找不到该附件", "NOT_FOUND")
        async with state.sessionmaker() as session:
            try:
                actor = await load_actor(
                    session, state.authorizer, credential_of(request), client_addr(request), idle=idle(state)
                )
                attachment = await documents.file_for_download(session, actor, attachment_id, long_side)
            except Unauthenticated as exc:
                return graphql_error(401, exc.message, "UNAUTHENTICATED")
            except Forbidden as exc:
                return graphql_error(403, exc.message, "FORBIDDEN")
            except UserInputError as exc:
                return graphql_error(404, exc.message, exc.code)
        try:
            stored = await state.storage.read(attachment.sha256)
        except UserInputError as exc:
            return graphql_error(503, exc.message, exc.code)
        if stored is None:
            return graphql_error(404, "附件文件缺失，请联系管理员", "FILE_MISSING")
        # Streamed through the application from either backend: no bucket URL leaves the server.
        return StreamingResponse(
            stored.chunks,
            media_type=attachment.content_type,
            headers={
                "Content-Disposition": attachment_disposition(attachment.filename),
                "Content-Length": str(stored.size),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    return download


def attachment_disposition(filename: str) -> str:
    """As Starlette's FileResponse writes it: RFC 5987 for a name that is not plain ASCII."""
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'


def export_endpoint(state: AppState) -> Any:
    async def download(request: Request) -> Response:
        async with state.sessionmaker() as session:
            try:
                actor = await load_actor(
                    session, state.authorizer, credential_of(request), client_addr(request), idle=idle(state)
                )
                result = await reports_export.export(
                    session, actor, request.path_params["report"], dict(request.query_params)
                )
            except Unauthenticated as exc:
                return graphql_error(401, exc.message, "UNAUTHENTICATED")
            except Forbidden as exc:
                return graphql_error(403, exc.message, "FORBIDDEN")
            except UserInputError as exc:
                body = {
                    "errors": [{"message": exc.message, "extensions": {"code": exc.code, "field": exc.field}}],
                }
                return JSONResponse(body, 400)
        disposition = f"attachment; filename*=UTF-8''{quote(result.filename)}"
        return Response(
            result.content,
            media_type=result.media_type,
            headers={
                "Content-Disposition": disposition,
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )

    return download


def migration_heads() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


def pool_in_use(engine: AsyncEngine) -> int:
    checkedout = getattr(engine.sync_engine.pool, "checkedout", None)
    return int(checkedout()) if checkedout else 0


async def readiness(state: AppState, engine: AsyncEngine, heads: set[str]) -> dict[str, str]:
    """What /readyz checks: a database round trip, the migrations at head, the files directory."""
    checks: dict[str, str] = {}

    async def versions() -> set[str]:
        async with engine.connect() as conn:
            return set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())

    try:
        current = await asyncio.wait_for(versions(), READY_TIMEOUT)
    except Exception as exc:
        checks["database"] = "unreachable" if is_unavailable(exc) or isinstance(exc, TimeoutError) else "error"
        checks["migrations"] = "unknown"
    else:
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == heads else f"not at head ({', '.join(sorted(current)) or 'none'})"
    try:
        problem = await asyncio.wait_for(state.storage.check(), READY_TIMEOUT)
    except TimeoutError:
        problem = f"unreachable: no answer within {READY_TIMEOUT:g} s"
    checks["files"] = problem or "ok"
    return checks


READY_TIMEOUT = 3.0


def body_limits(settings: Settings) -> Any:
    """The body cap of a request: files and the operations for a multipart upload, else max_body_bytes."""
    upload = settings.max_upload_bytes * settings.max_files_per_request + settings.max_body_bytes
    upload_text = upload_message(settings.max_upload_bytes, settings.max_files_per_request)
    body_text = body_message(settings.max_body_bytes)

    def limit(scope: Scope) -> tuple[int, str]:
        return (upload, upload_text) if is_multipart(scope) else (settings.max_body_bytes, body_text)

    return limit


def cors_middleware(settings: Settings) -> list[Middleware]:
    """Browser front ends on the origins of GONGKAI_CORS_ORIGINS; none: same origin only, no CORS headers."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Apollo-Require-Preflight",
                "X-Apollo-Operation-Name",
                "X-Request-Id",
            ],
            expose_headers=["X-Request-Id"],
            allow_credentials=False,  # bearer tokens, never cookies
            max_age=600,
        )
    ]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    state = AppState(
        settings=settings,
        sessionmaker=make_sessionmaker(engine, passwords_for(settings.password_hash)),
        authorizer=Authorizer(engine, settings.policy_dir),
        storage=open_storage(settings),
        vault=Vault(settings.data_key or settings.secret_key),
        trusted=TrustedDocuments.load(settings.trusted_documents),
        responses=ResponseCache(settings.response_cache_entries, settings.response_cache_bytes),
    )
    view = GongkaiGraphQL(
        state,
        schema=build_schema(settings),
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=True,  # trusted documents only: schema/view.py refuses a GET with a free query
        multipart_uploads_enabled=True,
        subscription_protocols=PROTOCOLS,  # graphql-transport-ws (schema/subscriptions.py)
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
    )
    listener = Listener(settings.database_url) if engine.dialect.name == "postgresql" else None

    heads = migration_heads()

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "pid": os.getpid()})

    async def readyz(_request: Request) -> JSONResponse:
        checks = await readiness(state, engine, heads)
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)

    async def metrics(_request: Request) -> Response:
        body, content_type = await asyncio.to_thread(metrics_text)
        return Response(body, media_type=content_type)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            await state.authorizer.ensure_loaded()
        except Exception as exc:
            # A worker starting while the database is away still serves: the policy loads at the
            # first request that reaches the database (and /readyz says what is missing).
            if not is_unavailable(exc):
                raise
        # What startup made lives as long as the process: out of the collector's sight, a full
        # collection (which requests trigger by allocating) takes microseconds, not ~100 ms.
        gc.collect()
        gc.freeze()
        if listener is not None:
            listener.start()  # subscription events from every worker (api/events.py)
        sender = None
        if settings.webhook_interval_seconds > 0:  # the outbox's sender (api/services/channels/delivery.py)
            sender = asyncio.create_task(delivery.run_forever(state.sessionmaker, settings))
        yield
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        if listener is not None:
            await listener.stop()
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", GraphQLEndpoint(state, view), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),  # subscriptions: the socket signs in by connection_init
            Route("/files/{id}", file_endpoint(state), methods=["GET"]),
            Route("/files/{id}/{size}", file_endpoint(state), methods=["GET"]),  # a photo's size (api/photos.py)
            Route("/exports/{report}", export_endpoint(state), methods=["GET"]),
            *feed_routes(state),  # /feeds/...: Atom and the catalog pull feed (api/feeds.py)
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *kiosk_routes(settings.trusted_documents),
            *([] if settings.production else ide_routes()),
        ],
        middleware=[
            *cors_middleware(settings),  # outermost: preflights are answered before authentication
            Middleware(Telemetry, pool_in_use=lambda: pool_in_use(engine)),
            Middleware(ForwardedFor, trusted=settings.trusted_proxies),  # the client address: GONGKAI_TRUSTED_PROXIES
            Middleware(
                AuthenticationMiddleware, backend=BearerTokenBackend(settings.secret_key), on_error=on_auth_error
            ),
            Middleware(BodyLimit, limit=body_limits(settings)),  # innermost: a refusal is an answer, not a fault
        ],
        lifespan=lifespan,
    )
    app.state.gongkai = state
    app.state.engine = engine
    return app
