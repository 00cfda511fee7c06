"""Subscriptions over graphql-transport-ws on /graphql: what changed, re-read with the subscriber's actor.

The socket signs in by the connection_init payload ``{"Authorization": "Bearer <token>"}``, checked
like a request's header (``load_actor``: a staff token needs its open sign-in session, a kiosk
device's token none); without it the subscriber is anonymous. Events come from ``api.events.HUB``
(every worker's, through PostgreSQL NOTIFY). Each event is re-read through the same service reads
and DataLoaders as the queries, in a session of its own, with the actor re-read first: what a
subscriber could not query it never receives.

Close codes: 4401 when the token no longer names an active sign-in (revoked kiosk, deactivated
user, ended session), found at connection_init, at an event, at the re-check every
``GONGKAI_SUBSCRIPTION_RECHECK_SECONDS`` or when the user's account or grants change; 4400 for a
malformed Authorization value; 1009 for a client message over ``GONGKAI_WS_MAX_MESSAGE_KB``;
4408 when no connection_init arrives within ``GONGKAI_WS_INIT_TIMEOUT_SECONDS`` (strawberry's).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from json import JSONDecodeError
from typing import NoReturn

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived, WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage, SubscribeMessage

from api.auth.actor import Actor, load_actor
from api.auth.tokens import Credential, TokenError, read_token
from api.changes import ACCOUNTS, read_versions
from api.codes import RequestCode
from api.errors import Unauthenticated, is_unavailable
from api.events import DOCUMENT, HUB, INFO_REQUEST, USER
from api.services import search as search_service

from .context import AppState, Context, Loaders
from .documents.types import DocumentType
from .relay import decode_id
from .requests.types import InfoRequestType

PROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL,)  # the older graphql-ws protocol is not offered
UNAUTHENTICATED = 4401
BAD_REQUEST = 4400
MESSAGE_TOO_BIG = 1009
SIGNED_OUT = "登录已失效，请重新登录"

log = logging.getLogger("gongkai.subscriptions")


@dataclass
class EventScope:
    session: AsyncSession
    actor: Actor
    loaders: Loaders


# The event being resolved, per operation task: the connection's context is shared by its
# operations, so its session, actor and loaders are those of the event its task resolves.
CURRENT: ContextVar[EventScope | None] = ContextVar("gongkai_subscription_event", default=None)


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class SocketContext(Context):
    """One WebSocket connection's context: who signed in, and the event being resolved."""

    def __init__(self, websocket: WebSocket, state: AppState) -> None:
        self.websocket = websocket
        self.request = websocket  # type: ignore[assignment]
        self.response = websocket
        self.settings = state.settings
        self.storage = state.storage
        self.vault = state.vault
        self.state = state
        self.connection_params: dict[str, object] = {}
        self.credential: Credential | None = None
        self.user_id: int | None = None
        self.watcher: asyncio.Task[None] | None = None
        self.closing = False

    def _scope(self) -> EventScope:
        scope = CURRENT.get()
        if scope is None:
            raise RuntimeError("no subscription event is being resolved")
        return scope

    @property
    def session(self) -> AsyncSession:  # type: ignore[override]
        return self._scope().session

    @property
    def actor(self) -> Actor:  # type: ignore[override]
        return self._scope().actor

    @property
    def loaders(self) -> Loaders:  # type: ignore[override]
        return self._scope().loaders

    @property
    def client_addr(self) -> str | None:
        client = self.websocket.client
        return client.host if client else None

    async def load(self, session: AsyncSession) -> Actor:
        """The actor as a request with this token would have it now (from the cache while the
        accounts version is unchanged)."""
        versions = await read_versions(session) if self.credential is not None else {}
        return await load_actor(
            session,
            self.state.authorizer,
            self.credential,
            self.client_addr,
            idle=timedelta(minutes=self.settings.session_idle_minutes),
            actors=self.state.actors,
            accounts_version=versions.get(ACCOUNTS),
        )

    async def sign_in(self) -> None:
        """connection_init: the payload's Authorization, checked like the HTTP header."""
        header = self.connection_params.get("Authorization") or self.connection_params.get("authorization")
        if header is None:
            return
        scheme, _, token = str(header).partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused(BAD_REQUEST, "Authorization 应为 Bearer <token>")
        try:
            self.credential = read_token(self.settings.secret_key, token.strip())
        except TokenError as exc:
            raise Refused(UNAUTHENTICATED, SIGNED_OUT) from exc
        async with self.state.sessionmaker() as session:
            try:
                actor = await self.load(session)
            except Unauthenticated as exc:
                raise Refused(UNAUTHENTICATED, SIGNED_OUT) from exc
        self.user_id = actor.user_id
        self.watcher = asyncio.create_task(self.watch(), name="gongkai-subscriber-watch")

    async def watch(self) -> None:
        """Re-check the actor periodically and whenever the user's account or grants change."""
        async with HUB.listen(USER) as inbox:
            while True:
                try:
                    changes = await asyncio.wait_for(inbox.next(), self.settings.subscription_recheck_seconds)
                except TimeoutError:
                    pass
                else:
                    if self.user_id not in changes.get(USER, set()):
                        continue
                try:
                    async with self.state.sessionmaker() as session:
                        await self.load(session)
                except Unauthenticated:
                    await self.close(UNAUTHENTICATED, SIGNED_OUT)
                    return
                except Exception as exc:
                    if not is_unavailable(exc):
                        raise
                    log.warning("subscriber re-check: database unavailable (%s)", type(exc).__name__)

    async def close(self, code: int, reason: str) -> None:
        if self.closing:
            return
        self.closing = True
        with suppress(RuntimeError, WebSocketDisconnect):
            await self.websocket.close(code=code, reason=reason)

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            with suppress(asyncio.CancelledError):
                await self.watcher

    @asynccontextmanager
    async def event(self) -> AsyncIterator[None]:
        """A session and the actor re-read for one event; the block resolves it (its payload
        included, when the block yields it). A subscriber no longer signed in is disconnected."""
        async with self.state.sessionmaker() as session:
            try:
                actor = await self.load(session)
            except Unauthenticated:
                await self.close(UNAUTHENTICATED, SIGNED_OUT)
                await self.closed()
            CURRENT.set(EventScope(session, actor, Loaders(session, actor)))
            try:
                yield
            finally:
                CURRENT.set(None)

    async def closed(self) -> NoReturn:
        # Nothing more is sent on a closed socket: the operation waits for the handler to cancel it.
        await asyncio.Future()
        raise AssertionError("unreachable")


def socket_context(info: strawberry.Info) -> SocketContext:
    ctx = info.context
    if not isinstance(ctx, SocketContext):
        raise RuntimeError("subscriptions run over WebSocket only")
    return ctx


class SizeLimitedSocket(ASGIWebSocketAdapter):
    """strawberry's adapter, closing with 1009 on a client message over the size limit."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        limit = self.view.state.settings.ws_max_message_bytes  # type: ignore[attr-defined]
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if len(text) > limit:  # characters: at most 4 bytes each in UTF-8, never fewer than 1
                    await self.close(MESSAGE_TOO_BIG, f"消息过长（上限 {limit // 1024} KB）")
                    return
                try:
                    yield self.view.decode_json(text)
                except JSONDecodeError as exc:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass

    async def close(self, code: int, reason: str) -> None:
        with suppress(RuntimeError):  # already closed (by a re-check that found the token revoked)
            await self.ws.close(code=code, reason=reason)

    async def send_json(self, message: Mapping[str, object]) -> None:
        # graphql-transport-ws messages are text frames; the view's orjson encoder gives bytes,
        # which strawberry would send as binary frames (a browser's message.data is then a Blob).
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class SocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Refused as exc:
            await self.websocket.close(exc.code, exc.reason)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """An anonymous socket runs the trusted documents only, as over HTTP (trusted_only)."""
        context = self.context
        if isinstance(context, SocketContext) and context.credential is None and context.settings.trusted_only:
            query = message["payload"].get("query")
            if not isinstance(query, str) or context.state.trusted.of_text(query) is None:
                error = GraphQLError(
                    "未登录的订阅只能使用受信任的文档（见 clients/trusted-documents.json），或先登录",
                    extensions={"code": RequestCode.TRUSTED_DOCUMENT_REQUIRED.value},
                )
                await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
                return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        if isinstance(self.context, SocketContext):
            await self.context.stop()
        await super().shutdown()


MAX_CHANGED = 100  # documents in one LocalItemsChange (schema/cost.py LIST_BOUNDS)


@strawberry.type(description="Documents of a change that a place's localItems shows.")
class LocalItemsChange:
    unit_code: str
    documents: list[DocumentType] = strawberry.field(
        description="The changed documents as localItems(unitCode) shows them now, newest first (never empty; "
        "at most 100 per event)."
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="For kiosks and the public: after each committed change of documents that "
        "localItems(unitCode) shows (a publication, a new version or attachment), those documents. "
        "Nothing for changes elsewhere or of documents the caller may not read; a document that "
        "leaves the place (a retraction) announces nothing: refresh localItems for it. FORBIDDEN "
        "where localItems is (a kiosk outside its place)."
    )
    async def local_items_changed(
        self, info: strawberry.Info, unit_code: str
    ) -> AsyncGenerator[LocalItemsChange, None]:
        ctx = socket_context(info)
        async with HUB.listen(DOCUMENT) as inbox:
            async with ctx.event():
                await search_service.local_unit(ctx.session, ctx.actor, unit_code)
            while True:
                ids = (await inbox.next()).get(DOCUMENT)
                if not ids:
                    continue
                async with ctx.event():
                    shown = await search_service.local_documents_among(ctx.session, ctx.actor, unit_code, ids)
                    docs = [d for d in await ctx.loaders.documents.document.load_many(shown) if d]
                    docs = docs[:MAX_CHANGED]  # a bulk change: the page reads localItems again anyway
                    if docs:
                        yield LocalItemsChange(
                            unit_code=unit_code, documents=await DocumentType.many(info, docs, "documents")
                        )

    @strawberry.subscription(
        description="For staff: the document as node(id) reads it now, after each committed change "
        "of it (its workflow, versions, attachments). Nothing while the caller may not read it."
    )
    async def document_changed(self, info: strawberry.Info, id: strawberry.ID) -> AsyncGenerator[DocumentType, None]:
        ctx = socket_context(info)
        pk = decode_id(id, "Document", "id")
        async with HUB.listen(DOCUMENT) as inbox:
            while True:
                if pk not in (await inbox.next()).get(DOCUMENT, set()):
                    continue
                async with ctx.event():
                    found = await DocumentType.read(info, [pk])
                    if found[0] is not None:
                        yield found[0]

    @strawberry.subscription(
        description="For staff: the information request as node(id) reads it now, after each "
        "committed change of it (its steps, clock, reply, appeals). Nothing while the caller may not read it."
    )
    async def info_request_changed(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> AsyncGenerator[InfoRequestType, None]:
        ctx = socket_context(info)
        pk = decode_id(id, "InfoRequest", "id")
        async with HUB.listen(INFO_REQUEST) as inbox:
            while True:
                if pk not in (await inbox.next()).get(INFO_REQUEST, set()):
                    continue
                async with ctx.event():
                    found = await InfoRequestType.read(info, [pk])
                    if found[0] is not None:
                        yield found[0]


__all__ = ["SizeLimitedSocket", "SocketContext", "SocketHandler", "Subscription"]
