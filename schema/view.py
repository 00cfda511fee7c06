"""The strawberry ASGI view: the context comes from what the endpoint opened for the request."""

from __future__ import annotations

from typing import Any

from cross_web import AsyncHTTPRequestAdapter, FormData, HTTPException, StarletteRequestAdapter
from graphql import GraphQLError
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from api.bodies import parse_upload
from api.settings import Settings

from . import http, ide
from .context import SCOPE_KEY, AppState, Context, RequestScope
from .errors import is_request_error


class GongkaiGraphQL(GraphQL[Context, None]):
    def __init__(self, state: AppState, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = state
        self.request_adapter_class = upload_limited(state.settings)  # type: ignore[misc]

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page, from locally installed assets (schema/ide.py), not strawberry's CDN one."""
        return ide.page_response(request.url.path)

    async def get_context(self, request: Any, response: Any) -> Context:
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        media_type = http.negotiate(request.headers.get("accept"))
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = self.refusal(scope, exc, media_type)
        else:
            if http.NO_DATA_KEY in scope and not isinstance(response, StreamingResponse):
                response.headers["content-type"] = http.content_type(media_type)
                response.headers["vary"] = "Accept"
                if response.status_code == 200:
                    codes = scope[http.FACTS_KEY]["error_codes"]
                    response.status_code = http.status_for(media_type, scope[http.NO_DATA_KEY], codes)
        await response(scope, receive, send)

    def refusal(self, scope: Scope, exc: HTTPException, media_type: str) -> Response:
        """A request the view cannot run (not JSON, no query, GET of an operation, ...): no ``data``."""
        status = exc.status_code
        headers = {"vary": "Accept"}
        if isinstance(exc.__cause__, InvalidOperationTypeError):
            status, headers["allow"] = 405, "POST"
        code = REFUSAL_CODES.get(status, "BAD_REQUEST")
        facts = scope.setdefault(http.FACTS_KEY, {"operation_name": None, "error_codes": []})
        facts["error_codes"] = [code]
        body = {"errors": [{"message": exc.reason, "extensions": {"code": code}}]}
        return Response(self.encode_json(body), status, headers=headers, media_type=http.content_type(media_type))

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
