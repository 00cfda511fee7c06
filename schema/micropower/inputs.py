from __future__ import annotations

import strawberry

from api.services.micropower import PowerFields


@strawberry.input
class PowerItemInput:
    category: str
    name: str
    basis: str = ""
    steps: list[str] = strawberry.field(default_factory=list)
    responsible: str = ""
    disclosed: str = ""
    timing: str = ""
    channel: str = ""

    def to_service(self) -> PowerFields:
        return PowerFields(
            self.category,
            self.name,
            self.basis,
            list(self.steps),
            self.responsible,
            self.disclosed,
            self.timing,
            self.channel,
        )
