from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from api.models import CasbinRule, User
from api.models import Role as RoleModel

from ..relay import Node
from ..units.types import OrganizationType

Role = strawberry.enum(RoleModel)


@strawberry.type(name="RoleGrant", description="A role held at a scope path and everything below it.")
class RoleGrantType(Node):
    pk: relay.NodeID[int]
    role: Role
    scope_path: str
    granted_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, g: CasbinRule) -> RoleGrantType:
        return cls(
            pk=g.id, role=RoleModel(g.v1), scope_path=str(g.v2), granted_at=g.granted_at, revoked_at=g.revoked_at
        )

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.accounts.readable_grant.load_many(ids)
        return [cls.of(g) if g else None for g in rows]


@strawberry.type(name="User")
class UserType(Node):
    pk: relay.NodeID[int]
    username: str
    display_name: str
    active: bool
    _model: strawberry.Private[User]

    @classmethod
    def of(cls, user: User) -> UserType:
        return cls(pk=user.id, username=user.username, display_name=user.display_name, active=user.active, _model=user)

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.accounts.readable_user.load_many(ids)
        return [cls.of(u) if u else None for u in rows]

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> OrganizationType | None:
        if self._model.organization_id is None:
            return None
        return OrganizationType.of(await info.context.loaders.units.organization.load(self._model.organization_id))

    @strawberry.field(description="The roles this user holds now.")
    async def grants(self, info: strawberry.Info) -> list[RoleGrantType]:
        return [RoleGrantType.of(g) for g in await info.context.loaders.accounts.grants_of_user.load(self.pk)]
