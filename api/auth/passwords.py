"""Password hashing (argon2id) and the password rule; both run in a worker thread, never on the loop.

``default`` is argon2-cffi's own parameters (RFC 9106, low memory) and the only profile allowed in
production; ``fast`` is the cheapest argon2id that argon2 accepts, for the tests. The hasher of an
app travels with its sessions (``make_sessionmaker`` puts it in ``session.info``), so services hash
with ``await hash_password(session, …)`` and no module-level setting decides it; a session made
elsewhere hashes with the default profile. Verifying reads the parameters from the hash itself,
so a hash made under either profile verifies under both.

One argon2 hash costs ~0.25 s of CPU and 64 MiB. Hashing, verifying and the strength check run in
a pool of ``CONCURRENT_HASHES`` threads per process at the lowest CPU priority (the others queue
without holding the event loop), so a flood of logins neither blocks the loop nor starves its
thread of CPU.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, cached_property
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.codes import AccountsCode
from api.errors import UserInputError

PROFILES: dict[str, dict[str, int]] = {
    "default": {},
    "fast": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
}
SESSION_KEY = "gongkai.passwords"
CONCURRENT_HASHES = 2
NICE = 10  # CFS weight 110 against 1024 for the loop's thread
T = TypeVar("T")

# 等保 2.0 (GB/T 22239-2019) 8.1.4.1 a): 身份鉴别信息具有复杂度要求并定期更换.
MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_CLASSES = 3  # of: upper case, lower case, digits, other characters
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable" (at least 10^8 guesses)
RATED_LENGTH = 64


class Passwords:
    def __init__(self, profile: str = "default") -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown password hash profile {profile!r}; one of {', '.join(PROFILES)}")
        self.profile = profile
        self._hasher = PasswordHasher(**PROFILES[profile])  # type: ignore[arg-type]

    @cached_property
    def _dummy_hash(self) -> str:
        # Verified against when the user does not exist, so both paths cost the same time.
        return self._hasher.hash("gongkai-dummy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


@cache
def passwords_for(profile: str) -> Passwords:
    return Passwords(profile)


def of(session: AsyncSession) -> Passwords:
    """The hasher of the app (or command) that made ``session``."""
    found = session.info.get(SESSION_KEY)
    return found if isinstance(found, Passwords) else passwords_for("default")


def _lower_priority() -> None:
    # Linux keeps a nice value per thread, and argon2's lane threads inherit it: the hashing gives
    # way to the event loop's thread whenever that has work.
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        pass


# Its threads start at the first hash, so a server that forks its workers after import is safe.
_pool = ThreadPoolExecutor(CONCURRENT_HASHES, thread_name_prefix="gongkai-argon2", initializer=_lower_priority)


async def _off_loop(work: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool, work, *args)


async def hash_password(session: AsyncSession, password: str) -> str:
    return await _off_loop(of(session).hash, password)


async def verify_password(session: AsyncSession, password_hash: str | None, password: str) -> bool:
    return await _off_loop(of(session).verify, password_hash, password)


def classes(password: str) -> int:
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def check_password(password: str, field: str = "password", user_inputs: tuple[str, ...] = ()) -> None:
    """The password rule, or a UserInputError naming ``field``; CPU-heavy (zxcvbn): call it in a thread."""
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise UserInputError(field, AccountsCode.INVALID_CHARACTERS, "密码不能包含控制字符（如换行、制表符）")
    if len(password) < MIN_LENGTH:
        raise UserInputError(field, AccountsCode.PASSWORD_TOO_SHORT, f"密码至少{MIN_LENGTH}位")
    if len(password) > MAX_LENGTH:
        raise UserInputError(field, AccountsCode.PASSWORD_TOO_LONG, f"密码不能超过{MAX_LENGTH}位")
    if classes(password) < MIN_CLASSES:
        raise UserInputError(
            field, AccountsCode.PASSWORD_TOO_SIMPLE, "密码须包含大写字母、小写字母、数字、其他符号这四类中的至少三类"
        )
    from zxcvbn import zxcvbn

    # zxcvbn is pure Python and grows faster than linearly with the length: the first 64 characters
    # decide (a long password weak in its first 64 is weak), which keeps one rating under ~60 ms.
    found = zxcvbn(password[:RATED_LENGTH], user_inputs=[u[:64] for u in user_inputs if u], max_length=RATED_LENGTH)
    sequence = found.get("sequence") or []
    if len(sequence) == 1 and sequence[0].get("dictionary_name") == "passwords":
        raise UserInputError(field, AccountsCode.PASSWORD_COMMON, "这是常见密码，很容易被猜中，请换一个")
    if found["score"] < MIN_SCORE:
        raise UserInputError(
            field,
            AccountsCode.PASSWORD_GUESSABLE,
            "密码太容易被猜中（如常见单词、键盘或数字序列、重复字符、与用户名或姓名相近），请换一个更长、更少见的密码",
        )


async def new_password_hash(
    session: AsyncSession, password: str, field: str = "password", user_inputs: tuple[str, ...] = ()
) -> str:
    """Check ``password`` against the rule and hash it, both in a worker thread."""

    def work() -> str:
        check_password(password or "", field, user_inputs)
        return of(session).hash(password)

    return await _off_loop(work)
