"""The standard columns of a 政府信息公开 platform (国办公开办函〔2019〕61号, named in the
urumqi-district-2021 plan) and what fills each one, as data.

A document belongs to a column when one of the column's rules matches it: its kind, its 体裁分类
(genre), the domain of its current version, its policy flag, or a catalog item the column holds.
A catalog item belongs to a column when it lies in one of the column's domains or its 一级/二级事项
names one of the column's words. A parent column holds what its children hold. Changing what
fills a column is a change to this table, never to the code that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.models import DocumentKind


@dataclass(frozen=True)
class ColumnSpec:
    code: str
    name: str
    basis: str = ""  # where the column comes from, e.g. 条例第二十条第（七）项
    kinds: tuple[DocumentKind, ...] = ()
    genres: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # domain codes (migration 0001)
    words: tuple[str, ...] = ()  # words of a catalog item's 一级/二级事项
    policy: bool = False  # a policy document (isPolicy) whose genre is in no sibling column
    organization_profile: bool = False  # the organizations' own profile (职能, 地址, 办公时间, 电话, 负责人)
    children: tuple[ColumnSpec, ...] = ()

    def walk(self) -> list[ColumnSpec]:
        return [self, *[c for child in self.children for c in child.walk()]]


RULES_GENRES = ("规章",)
NORMATIVE_GENRES = ("行政规范性文件", "规范性文件")
_ART20 = "《政府信息公开条例》第二十条"

COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "POLICY", "政策", "国办公开办函〔2019〕61号",
        children=(
            ColumnSpec("POLICY_RULES", "规章", genres=RULES_GENRES),
            ColumnSpec("POLICY_NORMATIVE", "行政规范性文件", genres=NORMATIVE_GENRES),
            ColumnSpec("POLICY_OTHER", "其他文件", policy=True),
            ColumnSpec("POLICY_INTERPRETATION", "政策解读", kinds=(DocumentKind.POLICY_INTERPRETATION,)),
        ),
    ),
    ColumnSpec("GUIDE", "政府信息公开指南", "《政府信息公开条例》第十二条", kinds=(DocumentKind.DISCLOSURE_GUIDE,)),
    ColumnSpec("SYSTEM", "政府信息公开制度", "国办公开办函〔2019〕61号", kinds=(DocumentKind.DISCLOSURE_RULES,)),
    ColumnSpec(
        "STATUTORY", "法定主动公开内容", _ART20,
        children=(
            ColumnSpec("ART20_1", "法规文件", f"{_ART20}第（一）项", genres=(*RULES_GENRES, *NORMATIVE_GENRES),
                       words=("规范性文件",)),
            ColumnSpec("ART20_2", "机构职能", f"{_ART20}第（二）项", genres=("机构职能", "机构设置"),
                       words=("机构职能", "机构设置"), organization_profile=True),
            ColumnSpec("ART20_3", "规划信息", f"{_ART20}第（三）项", genres=("规划",), domains=("SPATIAL_PLANNING",),
                       words=("规划",)),
            ColumnSpec("ART20_4", "统计信息", f"{_ART20}第（四）项", genres=("统计信息",), words=("统计",)),
            ColumnSpec("ART20_5", "行政许可", f"{_ART20}第（五）项", genres=("行政许可",), words=("许可",)),
            ColumnSpec("ART20_6", "行政处罚和行政强制", f"{_ART20}第（六）项", genres=("行政处罚", "行政强制"),
                       words=("处罚", "强制")),
            ColumnSpec("ART20_7", "财政预决算", f"{_ART20}第（七）项", genres=("财政预决算",), domains=("BUDGET",),
                       words=("预算", "决算")),
            ColumnSpec("ART20_8", "行政事业性收费", f"{_ART20}第（八）项", genres=("行政事业性收费",), words=("收费",)),
            ColumnSpec("ART20_9", "政府集中采购", f"{_ART20}第（九）项", genres=("政府采购",), words=("采购",)),
            ColumnSpec("ART20_10", "重大建设项目", f"{_ART20}第（十）项", domains=("MAJOR_PROJECTS",),
                       words=("建设项目",)),
            ColumnSpec("ART20_11", "民生保障", f"{_ART20}第（十一）项",
                       domains=("POVERTY_ALLEVIATION", "COMPULSORY_EDUCATION", "HEALTH", "SOCIAL_INSURANCE",
                                "EMPLOYMENT", "SOCIAL_ASSISTANCE", "ELDERLY_CARE", "AGRICULTURAL_SUBSIDIES"),
                       words=("扶贫", "社会保障", "就业")),
            ColumnSpec("ART20_12", "突发公共事件", f"{_ART20}第（十二）项", genres=("应急预案",),
                       domains=("DISASTER_RELIEF",), words=("突发公共事件", "应急")),
            ColumnSpec("ART20_13", "监督检查", f"{_ART20}第（十三）项",
                       domains=("ECO_ENVIRONMENT", "WORK_SAFETY", "FOOD_AND_DRUG"), words=("监督检查",)),
            ColumnSpec("ART20_14", "公务员招考", f"{_ART20}第（十四）项", genres=("公务员招考",),
                       words=("录用", "招考")),
            ColumnSpec("ART20_15", "其他法定主动公开信息", f"{_ART20}第（十五）项",
                       domains=("RURAL_LAND_EXPROPRIATION", "PUBLIC_RESOURCE_TRADING", "TAXATION", "AFFORDABLE_HOUSING",
                                "URBAN_HOUSING_EXPROPRIATION", "MUNICIPAL_SERVICES", "RURAL_HOUSING_RENOVATION",
                                "URBAN_ENFORCEMENT", "PUBLIC_CULTURE", "PUBLIC_LEGAL_SERVICES",
                                "HOUSEHOLD_REGISTRATION")),
        ),
    ),
    ColumnSpec("ANNUAL_REPORT", "政府信息公开工作年度报告", "《政府信息公开条例》第四十九条",
               kinds=(DocumentKind.ANNUAL_REPORT,)),
)  # fmt: skip

BY_CODE: dict[str, ColumnSpec] = {c.code: c for top in COLUMNS for c in top.walk()}
PARENT: dict[str, ColumnSpec] = {child.code: c for c in BY_CODE.values() for child in c.children}


def leaves(spec: ColumnSpec) -> list[ColumnSpec]:
    return [c for c in spec.walk() if not c.children]


def sibling_genres(spec: ColumnSpec) -> tuple[str, ...]:
    """The genres the other children of ``spec``'s parent claim (what 其他文件 leaves to them)."""
    parent = PARENT.get(spec.code)
    if parent is None:
        return ()
    return tuple(g for c in parent.children if c is not spec for g in c.genres)
