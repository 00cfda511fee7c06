"""UserError payloads, and the shaping of every other error into ``extensions.code``."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Iterator
from typing import TypeVar

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension
from strawberry.relay import GlobalIDValueError
from strawberry.types import ExecutionResult

from api.errors import Forbidden, ServiceUnavailable, Unauthenticated, UserInputError, is_unavailable
from api.telemetry import USER_ERRORS_KEY

from .http import FACTS_KEY

T = TypeVar("T")


@strawberry.type(description="Something in the input the user can correct.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault (camelCase), if any.")
    code: str = strawberry.field(
        description="A stable code: a value of the mutation's area enum (`DocumentsErrorCode`, `RequestsErrorCode`, ...) or of `CommonErrorCode`."
    )
    message: str = strawberry.field(description="A message a clerk can act on, in Chinese.")

    @classmethod
    def of(cls, exc: UserInputError) -> UserError:
        return cls(field=exc.field, code=exc.code, message=exc.message)


async def attempt(info: strawberry.Info, action: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a service call; a UserInputError rolls back and becomes payload errors."""
    try:
        return await action, []
    except UserInputError as exc:
        await info.context.session.rollback()
        info.context.request.scope.setdefault(USER_ERRORS_KEY, []).append(exc.code)
        return None, [UserError.of(exc)]


CODES: dict[type[Exception], str] = {Unauthenticated: "UNAUTHENTICATED", Forbidden: "FORBIDDEN"}
INTERNAL_MESSAGE = "服务器内部错误，请稍后重试"
INVALID_ID_MESSAGE = "编号无效：不是本系统签发的对象编号（全局 ID）"

# Messages of strawberry's limiters and graphql-core's parser limits (checked by tests/test_http.py).
TOO_MANY_TOKENS = re.compile(r"^(Syntax Error: )?Document contains more than \d+ tokens\. Parsing aborted\.$")
NESTED_TOO_DEEPLY = re.compile(r"^(Syntax Error: )?Document is nested too deeply\. Parsing aborted\.$")
TOO_DEEP = re.compile(r"exceeds maximum operation depth of \d+$")
TOO_MANY_ALIASES = re.compile(r"^\d+ aliases found\. Allowed: \d+$")
# graphql-core's variable coercion: "Variable '$v' has invalid value.path: <reason>".
INVALID_VARIABLE = re.compile(r"^(Variable '\$([_A-Za-z][_0-9A-Za-z]*)' has invalid value[^:]*): (.*)$", re.S)
QUOTED = re.compile(r"(['\"])(.*?)\1", re.S)
GRAPHQL_NAME = re.compile(r"^\[*[_A-Za-z][_0-9A-Za-z]*[!\]]*$")


def without_values(reason: str) -> str:
    """A coercion reason without the value the client sent (it may be personal data, and is logged).

    graphql-core and strawberry put the value after a colon (``Int cannot represent non-integer
    value: 'abc'``) or in quotes (``Value 'X' does not exist in 'Decision' enum.``); type and
    field names in quotes are kept.
    """
    reason = reason.split(": ", 1)[0].rstrip(".")
    return QUOTED.sub(lambda m: m.group(0) if GRAPHQL_NAME.match(m.group(2)) else f"{m.group(1)}…{m.group(1)}", reason)


def is_request_error(result: ExecutionResult | GraphQLExecutionResult) -> bool:
    """No ``data``: the request failed before execution (parse, validation, variables, a crash there)."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or [])


def coded(error: GraphQLError, code: str, message: str | None = None, **extensions: object) -> GraphQLError:
    """``error`` with ``extensions.code`` (a new error: parse and validation errors are cached)."""
    return GraphQLError(
        error.message if message is None else message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={"code": code, **(error.extensions or {}), **extensions},
    )


class ErrorShaping(SchemaExtension):
    """Every error gets ``extensions.code``; in production anything unexpected is masked.

    Also records the executed operation's name in the request's scope (see schema/http.py).
    """

    mask_unexpected = False

    def on_operation(self) -> Iterator[None]:
        self._validation_errors: set[int] = set()
        yield
        self._record_operation_name()
        # graphql-core's result after execution, strawberry's after a parse or validation failure
        result = self.execution_context.result
        if not isinstance(result, ExecutionResult | GraphQLExecutionResult) or not result.errors:
            return
        request_error = is_request_error(result)
        result.errors = [self._shape(e, request_error) for e in result.errors]

    def on_stream_result(self, result: object) -> Iterator[None]:  # type: ignore[override]
        """Each event of a subscription (schema/subscriptions.py): its errors shaped like a request's."""
        if isinstance(result, ExecutionResult | GraphQLExecutionResult) and result.errors:
            result.errors = [self._shape(e, False) for e in result.errors]
        yield

    def on_validate(self) -> Iterator[None]:
        yield
        self._validation_errors = {id(e) for e in self.execution_context.pre_execution_errors or []}

    def _record_operation_name(self) -> None:
        scope = getattr(getattr(self.execution_context.context, "request", None), "scope", None)
        if isinstance(scope, dict):
            facts = scope.setdefault(FACTS_KEY, {"operation_name": None, "error_codes": []})
            name = self.execution_context.operation_name
            if name is not None:
                facts["operation_name"] = name

    def _shape(self, error: GraphQLError, request_error: bool) -> GraphQLError:
        if (error.extensions or {}).get("code"):
            return error
        original = error.original_error
        if request_error and (variable := INVALID_VARIABLE.match(error.message)):
            message = f"{variable.group(1)}: {without_values(variable.group(3))}."
            return coded(error, "BAD_USER_INPUT", message, variable=variable.group(2))
        if isinstance(original, GlobalIDValueError):
            return coded(error, "BAD_USER_INPUT", INVALID_ID_MESSAGE, field=None, reason="INVALID_ID")
        if isinstance(original, StrawberryInputCoercionError):
            return coded(error, "BAD_USER_INPUT")
        for kind, code in CODES.items():
            if isinstance(original, kind):
                return coded(error, code, getattr(original, "message", str(original)))
        if isinstance(original, UserInputError):
            return coded(error, "BAD_USER_INPUT", original.message, field=original.field, reason=original.code)
        if original is not None and is_unavailable(original):  # after the refusals: they may chain an OSError
            return GraphQLError(
                ServiceUnavailable().message,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": ServiceUnavailable.code},
            )
        if original is None or isinstance(original, GraphQLError):
            return coded(error, self._graphql_code(error, request_error))
        if self.mask_unexpected:
            return GraphQLError(
                INTERNAL_MESSAGE, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR"}
            )
        return coded(error, "INTERNAL_SERVER_ERROR")

    def _graphql_code(self, error: GraphQLError, request_error: bool) -> str:
        """The code of an error graphql-core or strawberry raised itself."""
        message = error.message
        if isinstance(error, GraphQLSyntaxError) or isinstance(error.original_error, GraphQLSyntaxError):
            if TOO_MANY_TOKENS.match(message):
                return "TOO_MANY_TOKENS"
            if NESTED_TOO_DEEPLY.match(message):
                return "QUERY_TOO_DEEP"
            return "GRAPHQL_PARSE_FAILED"
        if id(error) in self._validation_errors:
            if TOO_DEEP.search(message):
                return "QUERY_TOO_DEEP"
            if TOO_MANY_ALIASES.match(message):
                return "TOO_MANY_ALIASES"
            return "GRAPHQL_VALIDATION_FAILED"
        if request_error:
            return "BAD_USER_INPUT"  # the rest of variable coercion: too many errors, nested too deeply
        return "INTERNAL_SERVER_ERROR"  # e.g. null for a non-null field: a fault of ours, not of the request


class ProductionErrorShaping(ErrorShaping):
    mask_unexpected = True
