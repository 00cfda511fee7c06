from __future__ import annotations

import strawberry

from .types import Role


@strawberry.input
class CreateUserInput:
    username: str
    display_name: str
    password: str
    organization_id: strawberry.ID | None = None


@strawberry.input
class GrantRoleInput:
    user_id: strawberry.ID
    role: Role
    unit_code: str | None = strawberry.field(default=None, description="Grant at this unit (and below).")
    organization_id: strawberry.ID | None = strawberry.field(default=None, description="Grant at one organization.")
