"""The strawberry ASGI view: the context comes from what the endpoint opened for the request.

Trusted documents (schema/trusted.py): ``documentId`` in the GET parameters or the JSON body stands
for the document's text; GET runs trusted queries only (a GET with a free ``query`` stays 405,
as a mutation by GET is); with GONGKAI_ANONYMOUS_TRUSTED_ONLY an anonymous caller runs nothing else.
HTTP caching and the response cache: schema/caching.py. JSON: orjson, non-ASCII kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, FormData, HTTPException, StarletteRequestAdapter
from graphql import GraphQLError
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET, UnsetType

from api.bodies import parse_upload
from api.codes import RequestCode
from api.response_cache import Answer, etag_matches, etag_of
from api.settings import Settings

from . import http, ide
from .caching import NO_STORE, OPERATION_KEY, VARY, audience, cache_control, canonical
from .compiled import CompiledDocuments
from .context import SCOPE_KEY, AppState, Context, RequestScope
from .errors import is_request_error
from .subscriptions import SizeLimitedSocket, SocketContext, SocketHandler
from .trusted import TrustedDocument

INCOMING_KEY = "gongkai.graphql.incoming"  # the scope: what the endpoint read of the request (Incoming)


class Refusal(HTTPException):
    """A request refused before it runs, with its own ``extensions.code``."""

    def __init__(self, status_code: int, reason: str, code: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


@dataclass
class Incoming:
    """A GET's parameters or a JSON body, read once by the endpoint (``GongkaiGraphQL.read``)."""

    data: dict[str, Any]
    document: TrustedDocument | None = None  # the trusted document it names (documentId, or its query's text)
    cacheable: bool = False  # a trusted public query: its answer may come from the response cache

    @property
    def operation_name(self) -> Any:
        return self.data.get("operationName")

    def key(self, media_type: str, who: str) -> tuple[Any, ...] | None:
        """The response cache's key; None when the request is not one to cache."""
        if not self.cacheable or self.document is None or self.data.get("extensions"):
            return None
        name = self.operation_name
        variables = self.data.get("variables")
        if not isinstance(name, str | None) or not isinstance(variables, dict | None):
            return None
        try:
            return (self.document.id, canonical(variables), name or "", media_type, who)
        except TypeError:  # orjson refuses it (an integer past 64 bits, a lone surrogate): not cached
            return None


class GongkaiGraphQL(GraphQL[Context, None]):
    def __init__(self, state: AppState, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = state
        settings = state.settings
        self.compiled = CompiledDocuments(
            self.schema._schema,  # type: ignore[attr-defined]  # strawberry.Schema's graphql-core schema
            state.trusted,
            settings.max_query_cost,
            settings.compiled_documents,
        )
        self.request_adapter_class = upload_limited(state.settings)  # type: ignore[misc]

    def should_render_graphql_ide(self, request: Any) -> bool:
        return "documentId" not in request.query_params and super().should_render_graphql_ide(request)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page, from locally installed assets (schema/ide.py), not strawberry's CDN one."""
        return ide.page_response(request.url.path)

    # graphql-transport-ws only (schema/subscriptions.py): the older graphql-ws protocol is not offered.
    graphql_transport_ws_handler_class = SocketHandler
    websocket_adapter_class = SizeLimitedSocket  # type: ignore[assignment]

    async def on_ws_connect(self, context: Context) -> UnsetType:
        if isinstance(context, SocketContext):
            await context.sign_in()
        return UNSET  # a connection_ack without payload

    async def get_context(self, request: Any, response: Any) -> Context:
        if isinstance(request, WebSocket):
            return SocketContext(request, self.state)
        scoped: RequestScope = request.scope[SCOPE_KEY]
        return Context(
            request=request,
            response=response,
            session=scoped.session,
            actor=scoped.actor,
            settings=self.state.settings,
            storage=self.state.storage,
            vault=self.state.vault,
        )

    # GraphQL over HTTP (schema/http.py): the media type the client asks for, the spec's status
    # codes, an ``extensions.code`` on the view's own refusals, and the facts for the request log.

    def encode_json(self, data: object) -> bytes:
        """orjson, non-ASCII kept (strawberry passes the answer: data, errors' ``formatted`` dicts,
        extensions). What orjson refuses (an integer past 64 bits, a lone surrogate) goes through
        json, escaped to ASCII."""
        try:
            return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:
            return json.dumps(data, separators=(",", ":")).encode()

    async def prepare(self, request: Request) -> Response | None:
        """Read the request before the endpoint loads the actor (``read``); a refusal is the answer."""
        try:
            incoming = await self.read(request)
        except HTTPException as exc:
            return self.refusal(request.scope, exc, http.negotiate(request.headers.get("accept")))
        if incoming is not None:
            request.scope[INCOMING_KEY] = incoming
        return None

    @staticmethod
    def cacheable(request: Request) -> bool:
        """Whether the request may be answered from the response cache (a trusted public query)."""
        incoming: Incoming | None = request.scope.get(INCOMING_KEY)
        return incoming is not None and incoming.cacheable

    async def read(self, request: Request) -> Incoming | None:
        """A GET's parameters or a JSON body, with the trusted document it names (the endpoint calls
        this before it loads the actor); None when strawberry is to read the request itself.
        Refused here: an unknown ``documentId``, or one beside a ``query``."""
        if request.method == "GET":
            data: Any = dict(request.query_params)
            if "documentId" not in data:
                return None
            if data.get("variables"):
                data["variables"] = self.parse_json(data["variables"])
            if data.get("extensions"):
                data["extensions"] = self.parse_json(data["extensions"])
        elif (
            request.method == "POST"
            and "application/json" in parse_content_type(request.headers.get("content-type") or "")[0]
        ):
            try:
                data = self.decode_json(await request.body())
            except ValueError:
                return None  # strawberry answers a body that is not JSON
            if not isinstance(data, dict):
                return None
        else:
            return None
        incoming = Incoming(data=data)
        key = data.get("documentId")
        if key is not None:
            if data.get("query") is not None:
                raise Refusal(400, "请求不能同时带 documentId 和 query：只给其中一个", "BAD_REQUEST")
            document = self.state.trusted.get(key) if isinstance(key, str) else None
            if document is None:
                raise Refusal(
                    400,
                    "找不到该 documentId 对应的受信任文档（clients/trusted-documents.json）：请更新前端或改用 query",
                    RequestCode.UNKNOWN_DOCUMENT_ID,
                )
            incoming.document = document
        elif isinstance(data.get("query"), str):
            incoming.document = self.state.trusted.of_text(data["query"])
        if incoming.document is not None and isinstance(incoming.operation_name, str | None):
            facts = incoming.document.operation(incoming.operation_name)
            incoming.cacheable = facts is not None and facts[1]
        return incoming

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        await self.handle(Request(scope=scope, receive=receive), send)

    async def handle(self, request: Request, send: Send) -> None:
        """Answer one HTTP request (``request`` as the endpoint read it): from the response cache when
        it holds the answer at the current version, else by running it."""
        scope = request.scope
        media_type = http.negotiate(request.headers.get("accept"))
        scoped: RequestScope | None = scope.get(SCOPE_KEY)
        incoming: Incoming | None = scope.get(INCOMING_KEY)
        who = audience(scoped.actor) if scoped is not None else None
        key = incoming.key(media_type, who) if incoming is not None and who is not None else None
        version = scoped.version if scoped is not None else None
        if key is not None and version is not None and incoming is not None:
            hit = self.state.responses.get(key, version)
            if hit is not None:
                name = incoming.operation_name
                scope[http.FACTS_KEY] = {"operation_name": name if isinstance(name, str) else None, "error_codes": []}
                await self.cached(request, hit, who or "")(scope, request.receive, send)
                return
        compiled = await self.compiled_answer(request, incoming, scoped, media_type)
        if compiled is not None:
            response = self.caching(request, compiled, media_type, who, key, version)
            await response(scope, request.receive, send)
            return
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = self.refusal(scope, exc, media_type)
        else:
            if http.NO_DATA_KEY in scope and not isinstance(response, StreamingResponse):
                response.headers["content-type"] = http.content_type(media_type)
                response.headers["vary"] = VARY
                if response.status_code == 200:
                    codes = scope[http.FACTS_KEY]["error_codes"]
                    response.status_code = http.status_for(media_type, scope[http.NO_DATA_KEY], codes)
                response = self.caching(request, response, media_type, who, key, version)
        await response(scope, request.receive, send)

    async def compiled_answer(
        self, request: Request, incoming: Incoming | None, scoped: RequestScope | None, media_type: str
    ) -> Response | None:
        """The answer of a trusted document's plan (schema/compiled.py); None: the executor answers."""
        if incoming is None or incoming.document is None or scoped is None or incoming.data.get("extensions"):
            return None
        plan = self.compiled.get(incoming.document.id, incoming.operation_name)
        if plan is None:
            return None
        answer = await plan.answer(scoped.session, scoped.actor, incoming.data.get("variables"))
        if answer is None:
            return None
        name = incoming.operation_name
        scope = request.scope
        scope[http.FACTS_KEY] = {"operation_name": name, "error_codes": []}
        scope[http.NO_DATA_KEY] = False
        scope[OPERATION_KEY] = True  # a query of the public documents list
        headers = {"content-type": http.content_type(media_type), "vary": VARY}
        return Response(self.encode_json(answer), 200, headers=headers)

    def caching(
        self,
        request: Request,
        response: Response,
        media_type: str,
        who: str | None,
        key: tuple[Any, ...] | None,
        version: tuple[int, str] | None,
    ) -> Response:
        """The answer's Cache-Control and ETag; a trusted public query's answer goes into the cache."""
        scope = request.scope
        cacheable = (
            who is not None
            and response.status_code == 200
            and scope.get(OPERATION_KEY) is True
            and not scope[http.NO_DATA_KEY]
            and not scope[http.FACTS_KEY]["error_codes"]
        )
        if not cacheable or who is None:
            response.headers["cache-control"] = NO_STORE
            return response
        if key is not None and version is not None:
            answer = self.state.responses.put(key, version, bytes(response.body), media_type)
        else:
            answer = Answer(bytes(response.body), media_type, etag_of(bytes(response.body), media_type), None)
        if request.method == "GET" and etag_matches(request.headers.get("if-none-match"), answer.etag):
            return self.not_modified(answer, who)
        response.headers["cache-control"] = cache_control(who, self.state.settings.public_max_age)
        response.headers["etag"] = answer.etag
        return response

    def cached(self, request: Request, answer: Answer, who: str) -> Response:
        """An answer from the response cache (or 304 when the GET's If-None-Match holds its tag)."""
        if request.method == "GET" and etag_matches(request.headers.get("if-none-match"), answer.etag):
            return self.not_modified(answer, who)
        headers = {
            "vary": VARY,
            "etag": answer.etag,
            "cache-control": cache_control(who, self.state.settings.public_max_age),
        }
        return Response(answer.body, 200, headers=headers, media_type=http.content_type(answer.media_type))

    def not_modified(self, answer: Answer, who: str) -> Response:
        headers = {
            "vary": VARY,
            "etag": answer.etag,
            "cache-control": cache_control(who, self.state.settings.public_max_age),
        }
        return Response(status_code=304, headers=headers)

    def refusal(self, scope: Scope, exc: HTTPException, media_type: str) -> Response:
        """A request the view cannot run (not JSON, no query, GET of an operation, ...): no ``data``."""
        status = exc.status_code
        headers = {"vary": VARY, "cache-control": NO_STORE}
        if isinstance(exc.__cause__, InvalidOperationTypeError) or status == 405:
            status, headers["allow"] = 405, "POST"
        code = exc.code if isinstance(exc, Refusal) else REFUSAL_CODES.get(status, "BAD_REQUEST")
        facts = scope.setdefault(http.FACTS_KEY, {"operation_name": None, "error_codes": []})
        facts["error_codes"] = [code]
        body = {"errors": [{"message": exc.reason, "extensions": {"code": code}}]}
        return Response(self.encode_json(body), status, headers=headers, media_type=http.content_type(media_type))

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The request as the endpoint read it (a trusted document's text for its documentId), else
        strawberry's reading; then the rules of GET and of anonymous callers."""
        starlette_request: Request = request._request  # type: ignore[attr-defined]
        scope = starlette_request.scope
        incoming: Incoming | None = scope.get(INCOMING_KEY)
        if incoming is not None:
            data = self.request_data(incoming)
        elif request.method == "GET":
            if request.query_params.get("query") is not None:
                raise Refusal(
                    405,
                    "GET 只能执行受信任的文档（documentId）；其他查询请用 POST",
                    "METHOD_NOT_ALLOWED",
                )
            return await super().parse_http_body(request)
        else:
            data = await super().parse_http_body(request)  # type: ignore[assignment]
        scoped: RequestScope | None = scope.get(SCOPE_KEY)
        trusted = incoming is not None and incoming.document is not None
        if self.state.settings.trusted_only and not trusted and scoped is not None and scoped.actor.user is None:
            raise Refusal(
                400,
                "未登录的请求只能执行受信任的文档：请发送 documentId（见 clients/trusted-documents.json），或先登录",
                RequestCode.TRUSTED_DOCUMENT_REQUIRED,
            )
        return data

    @staticmethod
    def request_data(incoming: Incoming) -> GraphQLRequestData:
        """strawberry's checks of a request's members, on what the endpoint read."""
        data = incoming.data
        query = incoming.document.text if incoming.document is not None else data.get("query")
        if not isinstance(query, str | None):
            raise HTTPException(400, "The GraphQL operation's `query` must be a string or null, if provided.")
        variables = data.get("variables")
        if not isinstance(variables, dict | None):
            raise HTTPException(400, "The GraphQL operation's `variables` must be an object or null, if provided.")
        extensions = data.get("extensions")
        if not isinstance(extensions, dict | None):
            raise HTTPException(400, "The GraphQL operation's `extensions` must be an object or null, if provided.")
        return GraphQLRequestData(
            query=query, variables=variables, operation_name=data.get("operationName"), extensions=extensions
        )

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, str]:
        """A multipart upload may name its trusted document by ``documentId`` too."""
        operations: Any = await super().parse_multipart(request)
        if isinstance(operations, dict) and operations.get("documentId") is not None:
            key = operations.pop("documentId")
            document = self.state.trusted.get(key) if isinstance(key, str) else None
            if operations.get("query") is not None:
                raise Refusal(400, "请求不能同时带 documentId 和 query：只给其中一个", "BAD_REQUEST")
            if document is None:
                raise Refusal(400, "找不到该 documentId 对应的受信任文档", RequestCode.UNKNOWN_DOCUMENT_ID)
            operations["query"] = document.text
        return operations  # type: ignore[no-any-return]

    async def execute_single(  # noqa: PLR0917
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        name = request_data.operation_name
        request.scope[http.FACTS_KEY] = {"operation_name": name if isinstance(name, str) else None, "error_codes": []}
        if not isinstance(name, str | None):  # strawberry checks query, variables, extensions; not this
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        try:
            return await super().execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )
        except HTTPException as exc:
            if not isinstance(exc.__cause__, CannotGetOperationTypeError):
                raise
            # operationName names no operation of the document (or it has none): a request error
            error = GraphQLError(exc.reason, extensions={"code": "OPERATION_NOT_FOUND"})
            return PreExecutionError(data=None, errors=[error])

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        body = await super().process_result(request, result)
        no_data = is_request_error(result)
        if no_data:
            body.pop("data", None)  # a request error has no data entry (GraphQL spec 7.1.2)
        facts = request.scope.setdefault(http.FACTS_KEY, {"operation_name": None, "error_codes": []})
        facts["error_codes"] = http.error_codes(body)  # type: ignore[arg-type]
        request.scope[http.NO_DATA_KEY] = no_data
        return body


REFUSAL_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


def upload_limited(settings: Settings) -> type[StarletteRequestAdapter]:
    """strawberry's request adapter, parsing multipart uploads with our limits (api/bodies.py)."""

    class UploadLimitedRequest(StarletteRequestAdapter):
        async def get_form_data(self) -> FormData:
            request: Request = self._request
            try:
                form = await parse_upload(
                    request.headers,
                    request.stream(),
                    max_files=settings.max_files_per_request,
                    max_file_bytes=settings.max_upload_bytes,
                    max_field_bytes=settings.max_body_bytes,
                )
            except MultiPartException as exc:
                raise HTTPException(400, f"上传请求格式不正确：{exc.message}") from exc
            return FormData(files=form, form=form)

    return UploadLimitedRequest
