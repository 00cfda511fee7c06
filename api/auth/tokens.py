from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"


class TokenError(Exception):
    pass


def issue_token(secret: str, user_id: int, hours: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(hours=hours), "typ": "user"}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> int:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    if claims.get("typ") != "user":
        raise TokenError("wrong token type")
    try:
        return int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise TokenError("bad subject") from exc
