from __future__ import annotations

import strawberry

from api.services.units import ContactInput, ProfileInput

from .types import ContactRole, OrganizationKind, UnitKind


@strawberry.input
class CreateUnitInput:
    code: str = strawberry.field(description="12-digit 统计用区划代码")
    name: str
    kind: UnitKind
    parent_code: str | None = strawberry.field(default=None, description="Checked against the code's prefix.")
    urban_rural_code: str | None = None


@strawberry.input
class UpdateUnitInput:
    code: str
    version: int = strawberry.field(description="The version the client read; a stale one is a CONFLICT.")
    name: str | None = None
    kind: UnitKind | None = None


@strawberry.input
class OrganizationProfileInput:
    functions: str | None = None
    address: str | None = None
    office_hours: str | None = None
    phone: str | None = None
    head: str | None = None

    def to_service(self) -> ProfileInput:
        return ProfileInput(self.functions, self.address, self.office_hours, self.phone, self.head)


@strawberry.input
class OrganizationContactInput:
    role: ContactRole
    name: str
    post: str = ""
    phone: str = ""

    def to_service(self) -> ContactInput:
        return ContactInput(self.role, self.name, self.post, self.phone)


@strawberry.input
class CreateOrganizationInput:
    unit_code: str
    name: str
    kind: OrganizationKind
    credit_code: str | None = strawberry.field(default=None, description="统一社会信用代码 (GB 32100-2015)")
    short_name: str | None = None
    profile: OrganizationProfileInput | None = None
    contacts: list[OrganizationContactInput] | None = None


@strawberry.input
class UpdateOrganizationInput:
    id: strawberry.ID
    version: int
    name: str | None = None
    kind: OrganizationKind | None = None
    credit_code: str | None = None
    short_name: str | None = None
    profile: OrganizationProfileInput | None = None
    contacts: list[OrganizationContactInput] | None = strawberry.field(
        default=None, description="When given, replaces the whole list."
    )
    index_scheme: str | None = strawberry.field(
        default=None,
        description="索引号 scheme with {credit_code} {org_id} {year} {serial}, e.g. {credit_code}/{year}-{serial:05d}; empty for the default.",
    )
    notice_scheme: str | None = strawberry.field(
        default=None,
        description="文号 scheme of its request notices with {org} (short name) {kind} {year} {serial}; empty for the default.",
    )
