"""Errors raised by services. The GraphQL layer turns them into payload errors or GraphQL errors."""

from __future__ import annotations

from api.codes import CommonCode


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
        super().__init__("version", CommonCode.CONFLICT, message)


class Unauthenticated(Exception):
    def __init__(self, message: str = "请先登录") -> None:
        super().__init__(message)
        self.message = message


class Forbidden(Exception):
    """Refused by a permission check; ``obj``/``act``/``path`` say which (for the audit row)."""

    def __init__(
        self,
        message: str = "没有执行此操作的权限",
        *,
        obj: str | None = None,
        act: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.obj, self.act, self.path = obj, act, path


class ServiceUnavailable(Exception):
    """A backing service (the database) cannot be reached; the same request may succeed later."""

    code = "SERVICE_UNAVAILABLE"

    def __init__(self, message: str = "系统暂时无法连接数据库，请稍后重试") -> None:
        super().__init__(message)
        self.message = message


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means the database could not be reached or was lost."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ServiceUnavailable | PoolTimeout | InterfaceError | ConnectionError | TimeoutError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, OperationalError) and "locked" not in str(current.orig):
            return True
        if isinstance(current, OSError) and current.errno is not None:
            return True
        if type(current).__module__.startswith("asyncpg") and "Connection" in type(current).__name__:
            return True
        current = current.__cause__ or current.__context__
    return False
