"""UserError payloads, and the shaping of every other error into ``extensions.code``."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.errors import Forbidden, Unauthenticated, UserInputError

T = TypeVar("T")


@strawberry.type(description="Something in the input the user can correct.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault (camelCase), if any.")
    code: str = strawberry.field(description="A stable code: INVALID_CODE, NOT_FOUND, CONFLICT, ...")
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
        return None, [UserError.of(exc)]


CODES: dict[type[Exception], str] = {Unauthenticated: "UNAUTHENTICATED", Forbidden: "FORBIDDEN"}


class ErrorShaping(SchemaExtension):
    """Known errors get ``extensions.code``; in production anything unexpected is masked."""

    mask_unexpected = False

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._shape(e) for e in result.errors]

    def _shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error
        for kind, code in CODES.items():
            if isinstance(original, kind):
                return GraphQLError(
                    getattr(original, "message", str(original)),
                    nodes=error.nodes,
                    path=error.path,
                    original_error=original,
                    extensions={"code": code},
                )
        if isinstance(original, UserInputError):
            return GraphQLError(
                original.message,
                nodes=error.nodes,
                path=error.path,
                original_error=original,
                extensions={"code": "BAD_USER_INPUT", "field": original.field, "reason": original.code},
            )
        if self.mask_unexpected:
            return GraphQLError(
                "服务器内部错误，请稍后重试",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "INTERNAL_SERVER_ERROR"},
            )
        return error


class ProductionErrorShaping(ErrorShaping):
    mask_unexpected = True
