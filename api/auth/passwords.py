"""Password hashing (argon2id): the parameters come from ``Settings.password_hash``.

``default`` is argon2-cffi's own parameters (RFC 9106, low memory) and the only profile allowed in
production; ``fast`` is the cheapest argon2id that argon2 accepts, for the tests. The hasher of an
app travels with its sessions (``make_sessionmaker`` puts it in ``session.info``), so services hash
with ``hash_password(session, …)`` and no module-level setting decides it; a session made
elsewhere hashes with the default profile. Verifying reads the parameters from the hash itself,
so a hash made under either profile verifies under both.
"""

from __future__ import annotations

from functools import cache, cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

PROFILES: dict[str, dict[str, int]] = {
    "default": {},
    "fast": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
}
SESSION_KEY = "gongkai.passwords"


class Passwords:
    def __init__(self, profile: str = "default") -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown password hash profile {profile!r}; one of {', '.join(PROFILES)}")
        self.profile = profile
        self._hasher = PasswordHasher(**PROFILES[profile])

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


def hash_password(session: AsyncSession, password: str) -> str:
    return of(session).hash(password)


def verify_password(session: AsyncSession, password_hash: str | None, password: str) -> bool:
    return of(session).verify(password_hash, password)
