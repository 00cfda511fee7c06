"""The annual report's form (国办公开办函〔2021〕30号): headings, keys, the layout of tables 2–4, and
the report's parts as dataclasses."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from api.models import (
    AppealKind,
    AppealOutcome,
    ApplicantType,
    ReplyReason,
    ReplyType,
)
from api.models.requests import REASONS_BY_TYPE

FIRST_YEAR = 2008  # the Regulations took effect on 1 May 2008
MAX_TEXT = 20000

HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


class TextSection(enum.Enum):
    OVERVIEW = "overview"  # 一、总体情况
    PROBLEMS = "problems"  # 五、存在的主要问题及改进情况
    OTHER = "other"  # 六、其他需要报告的事项


SECTION_TITLES = {TextSection.OVERVIEW: HEADINGS[0], TextSection.PROBLEMS: HEADINGS[4], TextSection.OTHER: HEADINGS[5]}


class FigureKey(enum.Enum):
    RULES_ISSUED = "rules_issued"
    RULES_REPEALED = "rules_repealed"
    RULES_IN_FORCE = "rules_in_force"
    NORMATIVE_ISSUED = "normative_issued"
    NORMATIVE_REPEALED = "normative_repealed"
    NORMATIVE_IN_FORCE = "normative_in_force"
    PERMIT_DECISIONS = "permit_decisions"
    PENALTY_DECISIONS = "penalty_decisions"
    COERCION_DECISIONS = "coercion_decisions"
    FEE_AMOUNT = "fee_amount"  # 万元


class FigureSource(enum.Enum):
    COMPUTED = "COMPUTED"  # counted from the documents
    ENTERED = "ENTERED"  # entered for the report's own scope
    SUMMED = "SUMMED"  # the sum of figures entered for the organizations and units below
    MISSING = "MISSING"  # neither


GENRES = {"规章": "RULES", "行政规范性文件": "NORMATIVE"}
MONEY = (FigureKey.FEE_AMOUNT,)

# Table 2 as printed: (heading, column labels, [(row label, [keys])]).
TABLE2_LAYOUT: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, tuple[FigureKey, ...]], ...]], ...] = (
    ("第二十条第（一）项", ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"), (
        ("规章", (FigureKey.RULES_ISSUED, FigureKey.RULES_REPEALED, FigureKey.RULES_IN_FORCE)),
        ("行政规范性文件", (FigureKey.NORMATIVE_ISSUED, FigureKey.NORMATIVE_REPEALED, FigureKey.NORMATIVE_IN_FORCE)),
    )),
    ("第二十条第（五）项", ("信息内容", "本年处理决定数量"), (("行政许可", (FigureKey.PERMIT_DECISIONS,)),)),
    ("第二十条第（六）项", ("信息内容", "本年处理决定数量"), (
        ("行政处罚", (FigureKey.PENALTY_DECISIONS,)), ("行政强制", (FigureKey.COERCION_DECISIONS,)),
    )),
    ("第二十条第（八）项", ("信息内容", "本年收费金额（单位：万元）"), (("行政事业性收费", (FigureKey.FEE_AMOUNT,)),)),
)  # fmt: skip
FIGURE_LABELS = {
    key: f"{row}：{columns[i + 1]}"
    for _heading, columns, table_rows in TABLE2_LAYOUT
    for row, keys in table_rows
    for i, key in enumerate(keys)
}

APPLICANT_LABELS = {
    ApplicantType.NATURAL_PERSON: "自然人", ApplicantType.COMMERCIAL_ENTERPRISE: "商业企业",
    ApplicantType.RESEARCH_INSTITUTION: "科研机构", ApplicantType.SOCIAL_WELFARE_ORG: "社会公益组织",
    ApplicantType.LEGAL_SERVICE_ORG: "法律服务机构", ApplicantType.OTHER_ORG: "其他",
}  # fmt: skip
APPLICANTS = tuple(ApplicantType)
COLUMNS = (*(APPLICANT_LABELS[a] for a in APPLICANTS), "总计")
LEGAL_PERSONS = "法人或其他组织"
TYPE_LABELS = {
    ReplyType.DISCLOSED: "（一）予以公开",
    ReplyType.PARTIALLY_DISCLOSED: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    ReplyType.NOT_DISCLOSED: "（三）不予公开",
    ReplyType.UNABLE: "（四）无法提供",
    ReplyType.NOT_PROCESSED: "（五）不予处理",
    ReplyType.OTHER: "（六）其他处理",
}
# The reasons under each reply type in the form's order: the form lists 逾期不补正 before 逾期未缴费.
FORM_REASONS: dict[ReplyType, tuple[ReplyReason, ...]] = {
    **REASONS_BY_TYPE,
    ReplyType.OTHER: (ReplyReason.CORRECTION_LAPSED, ReplyReason.FEE_UNPAID, ReplyReason.OTHER),
}
assert all(set(FORM_REASONS[t]) == set(REASONS_BY_TYPE[t]) for t in ReplyType)
ROW_NEW = "一、本年新收政府信息公开申请数量"
ROW_CARRIED = "二、上年结转政府信息公开申请数量"
ROW_RESULTS = "三、本年度办理结果"
ROW_TOTAL = "（七）总计"
ROW_FORWARD = "四、结转下年度继续办理"
TABLE3_NOTE = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"

OUTCOMES = (AppealOutcome.UPHELD, AppealOutcome.CORRECTED, AppealOutcome.OTHER, AppealOutcome.PENDING)
TABLE4_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
APPEAL_GROUPS = (
    (AppealKind.ADMINISTRATIVE_REVIEW, "行政复议", None),
    (AppealKind.LITIGATION_DIRECT, "未经复议直接起诉", "行政诉讼"),
    (AppealKind.LITIGATION_AFTER_REVIEW, "复议后起诉", "行政诉讼"),
)


@dataclass
class Scope:
    path: str
    name: str
    organization_id: int | None
    unit_code: str | None


@dataclass
class Section:
    section: TextSection
    title: str
    text: str
    version: int  # 0 until first saved
    updated_at: datetime | None


@dataclass
class Cell:
    key: FigureKey
    label: str
    value: Decimal | None
    source: FigureSource


@dataclass
class Table2Row:
    label: str
    cells: list[Cell]


@dataclass
class Table2Block:
    heading: str
    columns: list[str]
    rows: list[Table2Row]


@dataclass
class Table2:
    title: str
    blocks: list[Table2Block]

    def cell(self, key: FigureKey) -> Cell:
        return next(c for b in self.blocks for r in b.rows for c in r.cells if c.key is key)


@dataclass
class Table3Row:
    key: str
    label: str
    level: int  # 0: 一 … 四; 1: （一）…（七）; 2: the numbered reasons
    values: list[int]  # one per column, 总计 last; empty for a heading without figures
    subtotal: bool = False  # a reply type with reasons: the form prints no figures on this line
    reply_type: ReplyType | None = None
    reply_reason: ReplyReason | None = None


@dataclass
class ColumnGroup:
    label: str
    columns: list[str]  # one column named like the group: it spans both header rows


@dataclass
class Table3:
    title: str
    note: str
    column_groups: list[ColumnGroup]
    columns: list[str]
    rows: list[Table3Row]
    mismatches: list[str]

    @property
    def reconciles(self) -> bool:
        return not self.mismatches

    def row(self, key: str) -> Table3Row:
        return next(r for r in self.rows if r.key == key)


@dataclass
class AppealGroup:
    kind: AppealKind
    label: str
    parent_label: str | None
    values: list[int]  # 维持, 纠正, 其他, 尚未审结, 总计


@dataclass
class Table4:
    title: str
    columns: list[str]
    groups: list[AppealGroup]


@dataclass
class AnnualReport:
    year: int
    scope: Scope
    overview: Section
    problems: Section
    other: Section
    table2: Table2
    table3: Table3
    table4: Table4

    @property
    def title(self) -> str:
        return f"{self.scope.name}{self.year}年政府信息公开工作年度报告"
