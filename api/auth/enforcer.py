"""The Casbin enforcer: role permissions from policies/policy.csv, grants from the database.

Grants are loaded through casbin-async-sqlalchemy-adapter at first use; on every request the
acting user's grants (read from the database anyway for the SQL scope filter) replace that
user's ``g`` lines in memory, so a grant made on another worker is seen at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import casbin
from casbin import persist
from casbin_async_sqlalchemy_adapter import Adapter
from sqlalchemy.ext.asyncio import AsyncEngine

from api.models import CasbinRule

from .scope import covers, prefixes

ANONYMOUS = "anonymous"


class PolicyAdapter(Adapter):
    """Grants from ``casbin_rule`` (revoked ones left out), role permissions from the CSV."""

    def __init__(self, engine: AsyncEngine, policy_csv: Path) -> None:
        super().__init__(engine, db_class=CasbinRule, db_class_softdelete_attribute=CasbinRule.revoked)
        self.policy_csv = policy_csv

    async def load_policy(self, model: casbin.Model) -> None:
        await super().load_policy(model)
        for line in self.policy_csv.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                persist.load_policy_line(line.strip(), model)


class Authorizer:
    def __init__(self, engine: AsyncEngine, policy_dir: Path) -> None:
        self.enforcer = casbin.Enforcer(str(policy_dir / "model.conf"))
        self.adapter = PolicyAdapter(engine, policy_dir / "policy.csv")
        self._loaded = False
        self._lock = asyncio.Lock()

    async def ensure_loaded(self) -> None:
        if self._loaded:
            return
        async with self._lock:
            if not self._loaded:
                model = self.enforcer.get_model()
                model.clear_policy()
                await self.adapter.load_policy(model)
                self.enforcer.build_role_links()
                self._loaded = True

    def sync_subject(self, subject: str, grants: list[tuple[str, str]]) -> None:
        """Make ``subject``'s ``g`` lines equal to ``grants`` (role, path)."""
        current = {(r[1], r[2]) for r in self.enforcer.get_filtered_grouping_policy(0, subject)}
        wanted = set(grants)
        for role, path in current - wanted:
            self.enforcer.remove_grouping_policy(subject, role, path)
        for role, path in wanted - current:
            self.enforcer.add_grouping_policy(subject, role, path)

    def can(self, subject: str, obj: str, act: str, path: str) -> bool:
        """Whether ``subject`` may ``act`` on ``obj`` at ``path``: enforce at each prefix."""
        return any(self.enforcer.enforce(subject, p, obj, act) for p in prefixes(path))

    def role_allows(self, role: str, obj: str, act: str) -> bool:
        return self.enforcer.has_policy(role, obj, act) or self.enforcer.has_policy(ANONYMOUS, obj, act)

    def granting_paths(self, grants: list[tuple[str, str]], obj: str, act: str) -> list[str]:
        """The grant paths under which ``obj``/``act`` is allowed: feeds the SQL scope filter."""
        return sorted({path for role, path in grants if self.role_allows(role, obj, act)})


__all__ = ["ANONYMOUS", "Authorizer", "covers"]
