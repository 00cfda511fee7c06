from __future__ import annotations

from datetime import datetime

import strawberry

from api.models import CasbinRule, User
from api.services import accounts as service
from api.services import signin

from ..errors import UserError, attempt
from ..relay import decode_id
from .inputs import CreateUserInput, GrantRoleInput
from .types import RoleGrantType, UserType


@strawberry.type
class LoginPayload:
    token: str | None = strawberry.field(description="Send as Authorization: Bearer <token>.")
    user: UserType | None
    errors: list[UserError]
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the sign-in ends however active it is (GONGKAI_TOKEN_HOURS)."
    )
    idle_minutes: float | None = strawberry.field(
        default=None, description="The sign-in ends after this many minutes without a request."
    )


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

    @strawberry.mutation(
        description="Sign in. Five failures of one account, or from one address, lock it for 15 minutes; "
        "one login per request. The sign-in ends after 30 minutes without a request, at logout, "
        "or at `expiresAt`."
    )
    async def login(self, info: strawberry.Info, username: str, password: str) -> LoginPayload:
        ctx = info.context
        result, errors = await attempt(
            info,
            signin.login(
                ctx.session,
                ctx.actor,
                username=username,
                password=password,
                policy=signin.SignInPolicy.of(ctx.settings),
            ),
        )
        if result is None:
            return LoginPayload(token=None, user=None, errors=errors)
        return LoginPayload(
            token=result.token,
            user=UserType.of(result.user),
            errors=[],
            expires_at=result.expires_at,
            idle_minutes=result.idle.total_seconds() / 60,
        )

    @strawberry.mutation(description="End this sign-in: the token stops working at once, on every server.")
    async def logout(self, info: strawberry.Info) -> UserPayload:
        ctx = info.context
        user, errors = await attempt(info, signin.logout(ctx.session, ctx.actor))
        return UserPayload(user=UserType.of(user) if user else None, errors=errors)

    @strawberry.mutation(
        description="Change one's own password (checked like a login); the account's other sign-ins end."
    )
    async def change_password(self, info: strawberry.Info, current_password: str, new_password: str) -> UserPayload:
        ctx = info.context
        user, errors = await attempt(
            info,
            signin.change_password(
                ctx.session,
                ctx.actor,
                current_password=current_password,
                new_password=new_password,
                policy=signin.SignInPolicy.of(ctx.settings),
            ),
        )
        return UserPayload(user=UserType.of(user) if user else None, errors=errors)

    @strawberry.mutation(
        description="Stop a staff account (district office): its sign-ins end at once and it cannot sign in."
    )
    async def deactivate_user(self, info: strawberry.Info, id: strawberry.ID) -> UserPayload:
        ctx = info.context

        async def run() -> User:
            return await service.deactivate_user(ctx.session, ctx.actor, user_id=decode_id(id, "User", "id"))

        user, errors = await attempt(info, run())
        return UserPayload(user=UserType.of(user) if user else None, errors=errors)

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
