"""Applicants' personal data (PIPL Arts. 34-35, 51): encrypted at rest, masked when shown."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class Vault:
    """Fernet (AES-128-CBC + HMAC) with a key derived from the data key setting."""

    def __init__(self, key_material: str) -> None:
        digest = hashlib.sha256(("gongkai-personal-data:" + key_material).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, value: str | None) -> str | None:
        if not value:
            return None
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None


def mask(value: str | None, keep_start: int = 4, keep_end: int = 4) -> str | None:
    """5134**********1234: the ends kept, everything between starred."""
    if not value:
        return None
    if len(value) <= keep_start + keep_end:
        return value[:1] + "*" * (len(value) - 1)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_phone(value: str | None) -> str | None:
    return mask(value, 3, 4)


def mask_address(value: str | None) -> str | None:
    """四川省凉山州**** : the first half (at most six characters, the province to the county), then stars."""
    if not value:
        return None
    return value[: min(6, len(value) // 2)] + "****"


def mask_email(value: str | None) -> str | None:
    """zh***@example.com: two characters of the name (one of a short name), the domain kept."""
    if not value:
        return None
    name, at, domain = value.rpartition("@")
    if not at or not name:
        return value[:1] + "*" * (len(value) - 1)
    return name[: 2 if len(name) > 2 else 1] + "***@" + domain
