"""Starlette authentication backend: a bearer JWT names the user; no header is anonymous.

The token's signature and expiry are checked here, without the database; whether its sign-in
session is still open (logout, 30 minutes idle, deactivation) is checked by ``load_actor`` on
every request (from its cache while the ``accounts`` version is unchanged), so it holds at once
on every worker.
"""

from __future__ import annotations

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from .tokens import Credential, TokenError, read_token


class TokenUser(BaseUser):
    def __init__(self, credential: Credential | None) -> None:
        self.credential = credential

    @property
    def user_id(self) -> int | None:
        return self.credential.user_id if self.credential else None

    @property
    def is_authenticated(self) -> bool:
        return self.credential is not None

    @property
    def display_name(self) -> str:
        return f"user:{self.user_id}" if self.credential else "anonymous"


def credential_of(conn: HTTPConnection) -> Credential | None:
    """The request's credential (None: anonymous), once the backend has run."""
    user = conn.scope.get("user")
    return user.credential if isinstance(user, TokenUser) else None


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
            credential = read_token(self.secret, token.strip())
        except TokenError as exc:
            raise AuthenticationError("登录已失效，请重新登录") from exc
        return AuthCredentials(["authenticated"]), TokenUser(credential)


def on_auth_error(_conn: HTTPConnection, exc: Exception) -> Response:
    body = {"errors": [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}]}
    return JSONResponse(body, status_code=401)
