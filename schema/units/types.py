from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from api.auth.scope import organization_path
from api.models import AdminUnit, Organization, OrganizationContact
from api.models import ContactRole as ContactRoleModel
from api.models import OrganizationKind as OrganizationKindModel
from api.models import UnitKind as UnitKindModel
from api.models import UnitLevel as UnitLevelModel
from api.services import units as service

from ..relay import Connection, Node, connection

if TYPE_CHECKING:
    from ..domains.types import DomainAssignmentType

UnitLevel = strawberry.enum(UnitLevelModel, description="COUNTY 县级, TOWN 乡级, VILLAGE 村级")
UnitKind = strawberry.enum(
    UnitKindModel, description="县 XIAN, 区 QU, 镇 ZHEN, 乡 XIANG, 街道 JIEDAO, 园区 YUANQU, 村 CUN, 社区 SHEQU"
)
OrganizationKind = strawberry.enum(OrganizationKindModel)
ContactRole = strawberry.enum(ContactRoleModel, description="LEADER 分管领导, STAFF 工作人员")


@strawberry.type(name="Unit", description="An administrative unit identified by its 12-digit 统计用区划代码.")
class UnitType(Node):
    pk: relay.NodeID[int]
    code: str
    name: str
    level: UnitLevel
    kind: UnitKind
    urban_rural_code: str | None
    version: int
    demo: bool
    _model: strawberry.Private[AdminUnit]

    @classmethod
    def of(cls, unit: AdminUnit) -> UnitType:
        return cls(
            pk=unit.id,
            code=unit.code,
            name=unit.name,
            level=unit.level,
            kind=unit.kind,
            urban_rural_code=unit.urban_rural_code,
            version=unit.version,
            demo=unit.demo,
            _model=unit,
        )

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        units = await info.context.loaders.units.unit.load_many(ids)
        return [cls.of(u) if u else None for u in units]

    @strawberry.field(description="The Chinese kind label: 县, 区, 镇, 乡, 街道, 园区, 村 or 社区.")
    def kind_label(self) -> str:
        return self.kind.value  # type: ignore[attr-defined]  # mypy takes the strawberry.enum alias for a value

    @strawberry.field
    async def parent(self, info: strawberry.Info) -> UnitType | None:
        if self._model.parent_id is None:
            return None
        return UnitType.of(await info.context.loaders.units.unit.load(self._model.parent_id))

    @strawberry.field(description="From the county down to the parent.")
    async def ancestors(self, info: strawberry.Info) -> list[UnitType]:
        units = await info.context.loaders.units.unit_by_code.load_many(service.ancestor_codes(self._model))
        return [UnitType.of(u) for u in units if u is not None]

    @strawberry.field
    async def children(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[UnitType]:
        page = await service.list_units(info.context.session, first=first, after=after, parent_id=self._model.id)
        return connection(page, UnitType.of)

    @strawberry.field
    async def organizations(self, info: strawberry.Info) -> list[OrganizationType]:
        orgs = await info.context.loaders.units.organizations_of_unit.load(self._model.id)
        return [OrganizationType.of(o, self._model) for o in orgs]

    @strawberry.field(description="The current domain assignments of a county (empty below county level).")
    async def domain_assignments(
        self, info: strawberry.Info
    ) -> list[Annotated[DomainAssignmentType, strawberry.lazy("schema.domains.types")]]:
        from ..domains.types import DomainAssignmentType

        rows = await info.context.loaders.domains.assignments_of_county.load(self._model.id)
        return [DomainAssignmentType.of(a) for a in rows]


@strawberry.type(name="OrganizationProfile", description="The public profile of Regulations Art. 20(2).")
class OrganizationProfile:
    functions: str = strawberry.field(description="职能")
    address: str = strawberry.field(description="地址")
    office_hours: str = strawberry.field(description="办公时间")
    phone: str = strawberry.field(description="电话")
    head: str = strawberry.field(description="负责人")


@strawberry.type(name="OrganizationContact", description="分管领导 or 工作人员.")
class OrganizationContactType:
    role: ContactRole
    name: str
    post: str
    phone: strawberry.Private[str]
    _scope: strawberry.Private[str]

    @strawberry.field(description="Shown to staff of the organization's scope only; null for others.")
    def phone_number(self, info: strawberry.Info) -> str | None:
        if info.context.actor.user is None:
            return None
        return self.phone if info.context.actor.can("organization", "read_contacts", self._scope) else None


@strawberry.type(name="Organization", description="A 单位: department, office, town government, committee...")
class OrganizationType(Node):
    pk: relay.NodeID[int]
    name: str
    short_name: str | None
    kind: OrganizationKind
    credit_code: str | None
    index_scheme: str | None = strawberry.field(description="索引号 scheme; null for the default.")
    notice_scheme: str | None = strawberry.field(
        description="文号 scheme of its request notices; null for the default {org}依申{kind}〔{year}〕{serial}号."
    )
    version: int
    demo: bool
    _model: strawberry.Private[Organization]
    _unit: strawberry.Private[AdminUnit | None]

    @classmethod
    def of(cls, org: Organization, unit: AdminUnit | None = None) -> OrganizationType:
        return cls(
            pk=org.id,
            name=org.name,
            short_name=org.short_name,
            kind=org.kind,
            credit_code=org.credit_code,
            index_scheme=org.index_scheme,
            notice_scheme=org.notice_scheme,
            version=org.version,
            demo=org.demo,
            _model=org,
            _unit=unit,
        )

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        orgs = await info.context.loaders.units.organization.load_many(ids)
        return [cls.of(o) if o else None for o in orgs]

    async def _get_unit(self, info: strawberry.Info) -> AdminUnit:
        if self._unit is None:
            self._unit = await info.context.loaders.units.unit.load(self._model.unit_id)
        assert self._unit is not None
        return self._unit

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> UnitType:
        return UnitType.of(await self._get_unit(info))

    @strawberry.field
    def profile(self) -> OrganizationProfile:
        m = self._model
        return OrganizationProfile(
            functions=m.functions, address=m.address, office_hours=m.office_hours, phone=m.phone, head=m.head
        )

    @strawberry.field(description="分管领导 and 工作人员; phone numbers only for staff.")
    async def contacts(self, info: strawberry.Info) -> list[OrganizationContactType]:
        rows: list[OrganizationContact] = await info.context.loaders.units.contacts_of_organization.load(self._model.id)
        scope = organization_path((await self._get_unit(info)).scope_path, self._model.id)
        return [
            OrganizationContactType(role=c.role, name=c.name, post=c.post, phone=c.phone, _scope=scope) for c in rows
        ]
