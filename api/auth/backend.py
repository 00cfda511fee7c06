"""Starlette authentication backend: a bearer JWT names the user; no header is anonymous."""

from __future__ import annotations

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from .tokens import TokenError, read_token


class TokenUser(BaseUser):
    def __init__(self, user_id: int | None) -> None:
        self.user_id = user_id

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def display_name(self) -> str:
        return f"user:{self.user_id}" if self.user_id else "anonymous"


class BearerTokenBackend(AuthenticationBackend):
    def __init__(self, secret: str) -> None:
        self.secret = secret

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if not header:
            return AuthCredentials([]), TokenUser(None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("Authorization 头格式应为 Bearer <token>")
        try:
            user_id = read_token(self.secret, token.strip())
        except TokenError as exc:
            raise AuthenticationError("登录已失效，请重新登录") from exc
        return AuthCredentials(["authenticated"]), TokenUser(user_id)


def on_auth_error(_conn: HTTPConnection, exc: Exception) -> Response:
    body = {"errors": [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}]}
    return JSONResponse(body, status_code=401)
