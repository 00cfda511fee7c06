"""Codes, pure: the 12-digit 统计用区划代码 (level, parent), the checks on a unit's kind and name, the
统一社会信用代码 (GB 32100-2015), and the kind a unit's name suggests."""

from __future__ import annotations

import re

from api.auth.scope import ROOT, county_code, unit_path
from api.codes import UnitsCode
from api.errors import UserInputError
from api.models import (
    UnitKind,
    UnitLevel,
)
from api.models.units import KINDS_BY_LEVEL

CODE_RE = re.compile(r"^\d{12}$")


LEVEL_NAMES = {UnitLevel.COUNTY: "县级", UnitLevel.TOWN: "乡级", UnitLevel.VILLAGE: "村级"}


def level_of(code: str, field: str = "code") -> UnitLevel:
    """The level a 统计用区划代码 denotes: county 6, town 9, village 12 significant digits."""
    if not CODE_RE.match(code or ""):
        raise UserInputError(field, UnitsCode.INVALID_CODE, f"区划代码应为12位数字，收到“{code}”")
    if code[:6].endswith("00") or code[:6] == "000000":
        raise UserInputError(field, UnitsCode.INVALID_CODE, f"区划代码“{code}”的前6位不是县级代码")
    if code[6:] == "000000":
        return UnitLevel.COUNTY
    if code[9:] == "000":
        return UnitLevel.TOWN
    if code[6:9] == "000":
        raise UserInputError(field, UnitsCode.INVALID_CODE, f"区划代码“{code}”缺少乡级部分（第7至9位）")
    return UnitLevel.VILLAGE


def parent_code_of(code: str, level: UnitLevel) -> str | None:
    if level is UnitLevel.COUNTY:
        return None
    if level is UnitLevel.TOWN:
        return county_code(code)
    return code[:9] + "000"


def _check_kind(level: UnitLevel, kind: UnitKind) -> None:
    allowed = KINDS_BY_LEVEL[level]
    if kind not in allowed:
        labels = "、".join(k.value for k in allowed)
        raise UserInputError(
            "kind", UnitsCode.INVALID_KIND, f"{LEVEL_NAMES[level]}单位的类别只能是{labels}，不能是“{kind.value}”"
        )


def _check_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise UserInputError(field, UnitsCode.REQUIRED, "名称不能为空")
    if len(name) > 100:
        raise UserInputError(field, UnitsCode.TOO_LONG, "名称不能超过100个字")
    return name


def _parent_path(code: str, level: UnitLevel) -> str:
    parent = parent_code_of(code, level)
    return unit_path(parent) if parent else ROOT


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def check_credit_code(code: str, field: str = "creditCode") -> str:
    code = (code or "").strip().upper()
    if len(code) != 18:
        raise UserInputError(field, UnitsCode.INVALID_CREDIT_CODE, f"统一社会信用代码应为18位，收到{len(code)}位")
    bad = [c for c in code if c not in CREDIT_CHARS]
    if bad:
        raise UserInputError(
            field, UnitsCode.INVALID_CREDIT_CODE, f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用I、O、Z、S、V）"
        )
    if credit_check_char(code[:17]) != code[17]:
        raise UserInputError(field, UnitsCode.INVALID_CREDIT_CODE, "统一社会信用代码校验位不正确，请核对后重新输入")
    return code


KIND_BY_SUFFIX: tuple[tuple[str, UnitKind], ...] = (
    ("街道办事处", UnitKind.JIEDAO),
    ("街道", UnitKind.JIEDAO),
    ("社区居委会", UnitKind.SHEQU),
    ("社区居民委员会", UnitKind.SHEQU),
    ("社区", UnitKind.SHEQU),
    ("居委会", UnitKind.SHEQU),
    ("村委会", UnitKind.CUN),
    ("村民委员会", UnitKind.CUN),
    ("村", UnitKind.CUN),
    ("镇", UnitKind.ZHEN),
    ("乡", UnitKind.XIANG),
    ("区", UnitKind.QU),
    ("县", UnitKind.XIAN),
)


def guess_kind(name: str, level: UnitLevel) -> UnitKind:
    for suffix, kind in KIND_BY_SUFFIX:
        if name.endswith(suffix) and kind in KINDS_BY_LEVEL[level]:
            return kind
    # Development zones, farms and the like at town level: 园区; villages default to 村.
    return {UnitLevel.COUNTY: UnitKind.XIAN, UnitLevel.TOWN: UnitKind.YUANQU, UnitLevel.VILLAGE: UnitKind.CUN}[level]
