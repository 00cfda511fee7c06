"""Error codes are declared once per area (``api/codes.py``) and published by the schema."""

from __future__ import annotations

import ast
from pathlib import Path

from api.codes import AREAS, MEANINGS
from api.settings import Settings
from schema import build_schema

API = Path(__file__).resolve().parents[1] / "api"


def _literal_codes() -> list[str]:
    found = []
    for path in sorted(API.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name != "UserInputError":
                continue
            code = (
                node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "code"), None)
            )
            if isinstance(code, ast.Constant):
                found.append(f"{path.relative_to(API.parent)}:{node.lineno} {code.value!r}")
    return found


def test_every_user_error_code_comes_from_an_area_enum() -> None:
    assert _literal_codes() == [], "declare the code in api/codes.py and raise it as <Area>Code.X"


def test_every_code_has_a_meaning_and_is_in_the_schema(settings: Settings) -> None:
    sdl = build_schema(settings).as_str()
    for area, codes in AREAS.items():
        assert f"enum {area}ErrorCode" in sdl
        for code in codes:
            assert MEANINGS.get(code.value), f"{area}Code.{code.name} has no meaning"
            assert f"  {code.value}\n" in sdl
