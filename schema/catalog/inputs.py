from __future__ import annotations

import strawberry

from ..units.types import UnitLevel
from .types import Audience, DisclosureMethod, UpdateFrequency


@strawberry.input
class CatalogItemInput:
    unit_code: str = strawberry.field(description="The county whose catalog this is.")
    level1: str
    frequency: UpdateFrequency
    level2: str = ""
    domain_code: str | None = None
    content: str = ""
    basis: str = ""
    deadline: str = ""
    subject: str = ""
    channels: list[str] = strawberry.field(default_factory=list)
    audience: Audience = Audience.PUBLIC  # type: ignore[assignment]
    method: DisclosureMethod = DisclosureMethod.PROACTIVE  # type: ignore[assignment]
    levels: list[UnitLevel] = strawberry.field(default_factory=lambda: [UnitLevel.COUNTY])
    organization_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
