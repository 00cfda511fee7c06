"""Every operation document a front end sends is valid against the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from schema import schema

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
DOCUMENTS = sorted(p for folder in ("kiosk", "miniprogram", "web") for p in (CLIENTS / folder).glob("*.graphql"))


def test_each_front_end_has_operations() -> None:
    folders = {p.parent.name for p in DOCUMENTS}
    assert {"kiosk", "miniprogram", "web"} <= folders


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_operation_document_is_valid(path: Path) -> None:
    errors = validate(schema._schema, parse(path.read_text(encoding="utf-8")))
    assert errors == [], [e.message for e in errors]
