from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay

from api.models import Audience as AudienceModel
from api.models import CatalogItem
from api.models import DisclosureMethod as DisclosureMethodModel
from api.models import UpdateFrequency as UpdateFrequencyModel

from ..domains.types import DomainType
from ..relay import Node
from ..units.types import OrganizationType, UnitLevel

UpdateFrequency = strawberry.enum(
    UpdateFrequencyModel, description="REALTIME 实时, DAILY 日, XUN 旬 (10 days), MONTHLY 月, QUARTERLY 季, YEARLY 年"
)
Audience = strawberry.enum(AudienceModel, description="PUBLIC 全社会, SPECIFIC_GROUPS 特定群体")
DisclosureMethod = strawberry.enum(DisclosureMethodModel, description="PROACTIVE 主动, ON_REQUEST 依申请")


@strawberry.type(
    name="CatalogItem", description="An item of the disclosure catalog (标准目录) with its eight elements."
)
class CatalogItemType(Node):
    pk: relay.NodeID[int]
    level1: str = strawberry.field(description="一级事项")
    level2: str = strawberry.field(description="二级事项")
    content: str = strawberry.field(description="公开内容（要素）")
    basis: str = strawberry.field(description="公开依据")
    deadline: str = strawberry.field(description="公开时限, as written")
    deadline_working_days: int | None = strawberry.field(
        description="公开时限 in working days, when the text has that form"
    )
    subject: str = strawberry.field(description="公开主体")
    channels: list[str] = strawberry.field(description="公开渠道")
    audience: Audience = strawberry.field(description="公开对象")
    method: DisclosureMethod = strawberry.field(description="公开方式")
    levels: list[UnitLevel] = strawberry.field(description="适用层级")
    frequency: UpdateFrequency = strawberry.field(description="更新频率")
    _model: strawberry.Private[CatalogItem]

    @classmethod
    def of(cls, item: CatalogItem) -> CatalogItemType:
        return cls(
            pk=item.id, level1=item.level1, level2=item.level2, content=item.content, basis=item.basis,
            deadline=item.deadline, deadline_working_days=item.deadline_working_days, subject=item.subject,
            channels=list(item.channels or []), audience=item.audience, method=item.method,
            levels=[UnitLevel[lv] for lv in item.levels or []], frequency=item.frequency, _model=item,
        )  # fmt: skip

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.catalog.item.load_many(ids)
        return [cls.of(r) if r else None for r in rows]

    @strawberry.field
    async def domain(self, info: strawberry.Info) -> DomainType | None:
        if self._model.domain_id is None:
            return None
        return DomainType.of(await info.context.loaders.domains.domain.load(self._model.domain_id))

    @strawberry.field(description="责任单位")
    async def organizations(self, info: strawberry.Info) -> list[OrganizationType]:
        rows = await info.context.loaders.catalog.responsibles_of_item.load(self._model.id)
        orgs = await info.context.loaders.units.organization.load_many([r.organization_id for r in rows])
        return [OrganizationType.of(o) for o in orgs if o]


@strawberry.type(description="A catalog item an organization has not kept current within its update frequency.")
class StaleCatalogItem:
    item: CatalogItemType
    organization: OrganizationType
    last_published_at: datetime | None = strawberry.field(
        description="The newest document filed under the item, if any."
    )
    due_since: date = strawberry.field(description="A document published on or after this day would be current.")
