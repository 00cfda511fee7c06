"""Errors raised by services. The GraphQL layer turns them into payload errors or GraphQL errors."""

from __future__ import annotations


class UserInputError(Exception):
    """Something the user can correct: names the input field, a stable code and a message."""

    def __init__(self, field: str | None, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


class Conflict(UserInputError):
    """The object changed since the client read it (stale ``version``)."""

    def __init__(self, message: str = "该记录已被他人修改，请刷新后重试") -> None:
        super().__init__("version", "CONFLICT", message)


class Unauthenticated(Exception):
    def __init__(self, message: str = "请先登录") -> None:
        super().__init__(message)
        self.message = message


class Forbidden(Exception):
    def __init__(self, message: str = "没有执行此操作的权限") -> None:
        super().__init__(message)
        self.message = message
