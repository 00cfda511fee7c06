"""The accounts' DataLoaders."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import accounts as service

from ..loaders import AreaLoaders


class AccountsLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        # Who did something (assignedBy): display names for staff, not accounts.
        self.display_name = self.with_actor(service.display_names)
        # Accounts and grants: only what the actor may read (the service filters in SQL).
        self.readable_user = self.with_actor(service.users_by_ids)
        self.readable_grant = self.with_actor(service.grants_by_ids)
        self.grants_of_user = self.with_actor(service.grants_of_users)
