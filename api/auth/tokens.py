"""Bearer tokens (JWT, HS256): who is signed in, and the server-side sign-in session (``sid``).

A staff token names a row of ``user_sessions`` (api/auth/sessions.py), held by every request: the
token alone never outlives a logout, 30 minutes idle or a deactivation. A kiosk device token has no
``sid``; it is accepted only for a device account (api/auth/actor.py) and ends when it is revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"


class TokenError(Exception):
    pass


@dataclass(frozen=True)
class Credential:
    """What a valid token says: the user and, for a staff sign-in, the session's key."""

    user_id: int
    session_key: str | None = None


def issue_token(secret: str, user_id: int, hours: float, session_key: str | None = None) -> str:
    now = datetime.now(UTC)
    claims: dict[str, object] = {"sub": str(user_id), "iat": now, "exp": now + timedelta(hours=hours), "typ": "user"}
    if session_key is not None:
        claims["sid"] = session_key
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> Credential:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    if claims.get("typ") != "user":
        raise TokenError("wrong token type")
    sid = claims.get("sid")
    if sid is not None and not (isinstance(sid, str) and 16 <= len(sid) <= 128):
        raise TokenError("bad session")
    try:
        return Credential(int(claims["sub"]), sid)
    except (TypeError, ValueError) as exc:
        raise TokenError("bad subject") from exc
