from __future__ import annotations

import strawberry

from .types import UserType


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The signed-in user, or null.")
    def me(self, info: strawberry.Info) -> UserType | None:
        user = info.context.actor.user
        return UserType.of(user) if user else None
