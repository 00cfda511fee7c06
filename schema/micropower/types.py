from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from api.models import PowerItem, VillagePowerItem
from api.services import micropower as service

from ..relay import Node
from ..units.types import UnitType


@strawberry.type(name="PowerItem", description="An item of a county's micro-power template (村级小微权力清单模板).")
class PowerItemType(Node):
    pk: relay.NodeID[int]
    category: str = strawberry.field(description="权力类别, e.g. 重大事项决策")
    name: str
    basis: str = strawberry.field(description="法律依据")
    steps: list[str] = strawberry.field(description="运行流程, in order")
    responsible: str = strawberry.field(description="责任主体")
    disclosed: str = strawberry.field(description="公开内容")
    timing: str = strawberry.field(description="公开时限, e.g. 每季度首月20日前")
    channel: str = strawberry.field(description="公开渠道")

    @classmethod
    def of(cls, item: PowerItem) -> PowerItemType:
        return cls(pk=item.id, **service.resolved_template(item))

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.micropower.power_item.load_many(ids)
        return [cls.of(r) if r else None for r in rows]


@strawberry.type(name="VillagePowerItem", description="An entry of a village's micro-power list.")
class VillagePowerItemType(Node):
    pk: relay.NodeID[int]
    category: str
    name: str
    basis: str
    steps: list[str]
    responsible: str
    disclosed: str
    timing: str
    channel: str
    local: bool = strawberry.field(description="Added by the village itself, not from the county template.")
    applicable: bool
    not_applicable_reason: str | None
    adopted_at: datetime
    version: int
    _model: strawberry.Private[VillagePowerItem]

    @classmethod
    def of(cls, item: VillagePowerItem, template: PowerItem | None) -> VillagePowerItemType:
        return cls(
            pk=item.id, local=item.template_id is None, applicable=item.applicable,
            not_applicable_reason=item.not_applicable_reason, adopted_at=item.adopted_at, version=item.version,
            _model=item, **service.resolved(item, template),
        )  # fmt: skip

    @classmethod
    async def build(cls, info: strawberry.Info, items: list[VillagePowerItem]) -> list[VillagePowerItemType]:
        templates = await info.context.loaders.micropower.power_item.load_many([i.template_id or 0 for i in items])
        return [cls.of(i, t) for i, t in zip(items, templates, strict=True)]

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.micropower.village_item.load_many(ids)
        built = await cls.build(info, [r for r in rows if r])
        by_id = {b.pk: b for b in built}
        return [by_id.get(i) for i in ids]

    @strawberry.field
    async def village(self, info: strawberry.Info) -> UnitType:
        return UnitType.of(await info.context.loaders.units.unit.load(self._model.village_id))
