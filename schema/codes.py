"""Each area's error codes (``api/codes.py``) as a GraphQL enum ``<Area>ErrorCode``, with meanings.

``UserError.code`` stays a ``String`` (clients compare it as one); these enums document its values.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from api.codes import AREAS, MEANINGS


def _graphql_enum(area: str, codes: type[Enum]) -> Any:
    values = {m.name: strawberry.enum_value(m.value, description=MEANINGS[m.value]) for m in codes}
    copy = Enum(f"{area}ErrorCode", values)  # type: ignore[misc]
    doc = codes.__doc__ or ""
    return strawberry.enum(copy, name=f"{area}ErrorCode", description=f"UserError.code values: {doc}")


ERROR_CODE_ENUMS: list[Any] = [_graphql_enum(area, codes) for area, codes in AREAS.items()]
