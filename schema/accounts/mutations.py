from __future__ import annotations

import strawberry

from api.models import CasbinRule, User
from api.services import accounts as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .inputs import CreateUserInput, GrantRoleInput
from .types import RoleGrantType, UserType


@strawberry.type
class LoginPayload:
    token: str | None = strawberry.field(description="Send as Authorization: Bearer <token>.")
    user: UserType | None
    errors: list[UserError]


@strawberry.type
class UserPayload:
    user: UserType | None
    errors: list[UserError]


@strawberry.type
class RoleGrantPayload:
    grant: RoleGrantType | None
    errors: list[UserError]


@strawberry.type
class KioskPayload:
    token: str | None = strawberry.field(description="Long-lived device token; shown once, keep it on the device.")
    device: UserType | None
    errors: list[UserError]


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(
        description="Register a service-hall kiosk bound to a unit; it sees only public data there and below."
    )
    async def create_kiosk(self, info: strawberry.Info, unit_code: str, name: str) -> KioskPayload:
        ctx = info.context
        result, errors = await attempt(
            info,
            service.create_kiosk(
                ctx.session, ctx.actor, unit_code=unit_code, name=name, secret=ctx.settings.secret_key
            ),
        )
        if result is None:
            return KioskPayload(token=None, device=None, errors=errors)
        token, user = result
        return KioskPayload(token=token, device=UserType.of(user), errors=[])

    @strawberry.mutation(description="Stop a kiosk: its token stops working at once.")
    async def revoke_kiosk(self, info: strawberry.Info, id: strawberry.ID) -> KioskPayload:
        ctx = info.context

        async def run() -> User:
            return await service.revoke_kiosk(ctx.session, ctx.actor, user_id=decode_id(id, "User", "id"))

        user, errors = await attempt(info, run())
        return KioskPayload(token=None, device=UserType.of(user) if user else None, errors=errors)

    @strawberry.mutation
    async def login(self, info: strawberry.Info, username: str, password: str) -> LoginPayload:
        ctx = info.context
        result, errors = await attempt(
            info,
            service.login(
                ctx.session,
                ctx.actor,
                username=username,
                password=password,
                secret=ctx.settings.secret_key,
                hours=ctx.settings.token_hours,
            ),
        )
        if result is None:
            return LoginPayload(token=None, user=None, errors=errors)
        token, user = result
        return LoginPayload(token=token, user=UserType.of(user), errors=[])

    @strawberry.mutation
    async def create_user(self, info: strawberry.Info, input: CreateUserInput) -> UserPayload:
        ctx = info.context

        async def run() -> User:
            org_id = (
                None
                if input.organization_id is None
                else decode_id(input.organization_id, "Organization", "organizationId")
            )
            return await service.create_user(
                ctx.session,
                ctx.actor,
                username=input.username,
                display_name=input.display_name,
                password=input.password,
                organization_id=org_id,
            )

        user, errors = await attempt(info, run())
        return UserPayload(user=UserType.of(user) if user else None, errors=errors)

    @strawberry.mutation(description="Grant a role at a unit or an organization; it holds below it too.")
    async def grant_role(self, info: strawberry.Info, input: GrantRoleInput) -> RoleGrantPayload:
        ctx = info.context

        async def run() -> CasbinRule:
            org_id = (
                None
                if input.organization_id is None
                else decode_id(input.organization_id, "Organization", "organizationId")
            )
            return await service.grant_role(
                ctx.session,
                ctx.actor,
                user_id=decode_id(input.user_id, "User", "userId"),
                role=input.role,
                unit_code=input.unit_code,
                organization_id=org_id,
            )

        grant, errors = await attempt(info, run())
        return RoleGrantPayload(grant=RoleGrantType.of(grant) if grant else None, errors=errors)

    @strawberry.mutation(description="Revoke a grant; the row is kept with who revoked it and when.")
    async def revoke_role(self, info: strawberry.Info, grant_id: strawberry.ID) -> RoleGrantPayload:
        ctx = info.context

        async def run() -> CasbinRule:
            return await service.revoke_role(
                ctx.session, ctx.actor, grant_id=decode_id(grant_id, "RoleGrant", "grantId")
            )

        grant, errors = await attempt(info, run())
        return RoleGrantPayload(grant=RoleGrantType.of(grant) if grant else None, errors=errors)
