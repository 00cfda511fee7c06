"""What a query selects below a field (look-ahead), fragments included: the lists use it to read
the relations a page shows in bulk, once per page, instead of one DataLoader round per item."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def _fields(selections: Iterable[Selection]) -> list[SelectedField]:
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.append(selection)
        elif isinstance(selection, InlineFragment | FragmentSpread):
            found += _fields(selection.selections)
    return found


def selected(info: strawberry.Info, *path: str) -> set[str]:
    """The names of the fields selected at ``path`` below the resolver's field (every alias of
    each name together), e.g. ``selected(info, "edges", "node")`` for a connection's items."""
    level = _fields(info.selected_fields)
    level = _fields(s for field in level for s in field.selections)  # below the resolver's own field
    for name in path:
        level = _fields(s for field in level if field.name == name for s in field.selections)
    return {field.name for field in level}


__all__ = ["selected"]
