"""The annual report (政府信息公开工作年度报告, 2021 format): its types, the query and the two
mutations. Every rule is in api/services/reports/annual/; these only shape its result."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from api.codes import ReportsCode
from api.models import Document
from api.services.reports import annual as service

from ..documents.types import DocumentType
from ..errors import UserError, attempt
from ..relay import decode_id
from ..requests.types import AppealKind, ReplyReason, ReplyType

SectionKey = strawberry.enum(
    service.TextSection,
    name="AnnualReportSectionKey",
    description="The written sections: OVERVIEW 一、总体情况, PROBLEMS 五、存在的主要问题及改进情况, OTHER 六、其他需要报告的事项",
)
FigureKey = strawberry.enum(
    service.FigureKey,
    name="AnnualReportFigureKey",
    description="The figures of table 2: 规章 (RULES_*) and 行政规范性文件 (NORMATIVE_*) issued, repealed, in force; "
    "行政许可, 行政处罚, 行政强制 decisions; 行政事业性收费 in 万元 (FEE_AMOUNT)",
)
FigureSource = strawberry.enum(
    service.FigureSource,
    name="AnnualReportFigureSource",
    description="COMPUTED from the published documents; ENTERED for this report; SUMMED from the figures entered "
    "for the organizations and units below; MISSING: neither",
)


@strawberry.type(name="AnnualReportSection", description="A section the office writes.")
class SectionType:
    section: SectionKey
    title: str
    text: str
    version: int = strawberry.field(description="Send it back when saving; 0 until first saved.")
    updated_at: datetime | None

    @classmethod
    def of(cls, s: service.Section) -> SectionType:
        return cls(section=s.section, title=s.title, text=s.text, version=s.version, updated_at=s.updated_at)


@strawberry.type(name="AnnualReportCell")
class CellType:
    key: FigureKey
    label: str = strawberry.field(description="The column it stands under, e.g. 本年制发件数.")
    value: Decimal | None = strawberry.field(description="Null when MISSING.")
    source: FigureSource


@strawberry.type(name="AnnualReportTable2Row")
class Table2RowType:
    label: str
    cells: list[CellType]


@strawberry.type(name="AnnualReportTable2Block", description="One ruled block of table 2, e.g. 第二十条第（一）项.")
class Table2BlockType:
    heading: str
    columns: list[str] = strawberry.field(description="信息内容, then one label per cell.")
    rows: list[Table2RowType]


@strawberry.type(name="AnnualReportTable2", description="二、主动公开政府信息情况")
class Table2Type:
    title: str
    blocks: list[Table2BlockType]

    @classmethod
    def of(cls, t: service.Table2) -> Table2Type:
        return cls(
            title=t.title,
            blocks=[
                Table2BlockType(
                    heading=b.heading,
                    columns=b.columns,
                    rows=[
                        Table2RowType(
                            label=r.label,
                            cells=[CellType(key=c.key, label=c.label, value=c.value, source=c.source) for c in r.cells],
                        )
                        for r in b.rows
                    ],
                )
                for b in t.blocks
            ],
        )


@strawberry.type(name="AnnualReportColumnGroup", description="A header over one or more columns of table 3.")
class ColumnGroupType:
    label: str
    columns: list[str] = strawberry.field(description="Just the label itself when the header spans both header rows.")


@strawberry.type(name="AnnualReportTable3Row")
class Table3RowType:
    key: str = strawberry.field(
        description="Stable: new, carried, results, a ReplyType, ReplyType.ReplyReason name, total, forward."
    )
    label: str
    level: int = strawberry.field(description="0: 一 to 四; 1: （一） to （七）; 2: the numbered reasons.")
    values: list[int] = strawberry.field(
        description="One per column, 总计 last; empty for the heading 三、本年度办理结果."
    )
    subtotal: bool = strawberry.field(
        description="A reply type whose reasons follow: the values are their sum; the paper form prints no figures here."
    )
    reply_type: ReplyType | None
    reply_reason: ReplyReason | None


@strawberry.type(name="AnnualReportTable3", description="三、收到和处理政府信息公开申请情况")
class Table3Type:
    title: str
    note: str = strawberry.field(description="The form's note on the identity 一 + 二 = 三 + 四.")
    column_groups: list[ColumnGroupType]
    columns: list[str]
    rows: list[Table3RowType]
    reconciles: bool = strawberry.field(
        description="一 + 二 = 三（七）+ 四 in every column, and each type's reasons add up."
    )
    mismatches: list[str] = strawberry.field(description="The failing cells, e.g. 自然人：一+二=12，三+四=11.")

    @classmethod
    def of(cls, t: service.Table3) -> Table3Type:
        return cls(
            title=t.title, note=t.note, columns=t.columns, reconciles=t.reconciles, mismatches=t.mismatches,
            column_groups=[ColumnGroupType(label=g.label, columns=g.columns) for g in t.column_groups],
            rows=[
                Table3RowType(key=r.key, label=r.label, level=r.level, values=r.values, subtotal=r.subtotal,
                              reply_type=r.reply_type, reply_reason=r.reply_reason)
                for r in t.rows
            ],
        )  # fmt: skip


@strawberry.type(name="AnnualReportAppealGroup")
class AppealGroupType:
    kind: AppealKind
    label: str
    parent_label: str | None = strawberry.field(description="行政诉讼 over its two groups; null for 行政复议.")
    values: list[int] = strawberry.field(description="结果维持, 结果纠正, 其他结果, 尚未审结, 总计.")


@strawberry.type(name="AnnualReportTable4", description="四、政府信息公开行政复议、行政诉讼情况")
class Table4Type:
    title: str
    columns: list[str]
    groups: list[AppealGroupType]

    @classmethod
    def of(cls, t: service.Table4) -> Table4Type:
        return cls(
            title=t.title,
            columns=t.columns,
            groups=[
                AppealGroupType(kind=g.kind, label=g.label, parent_label=g.parent_label, values=g.values)
                for g in t.groups
            ],
        )


@strawberry.type(name="AnnualReport", description="政府信息公开工作年度报告 (国办公开办函〔2021〕30号 format).")
class AnnualReportType:
    year: int
    title: str
    scope_name: str
    organization_id: strawberry.ID | None
    unit_code: str | None
    headings: list[str] = strawberry.field(description="The six section headings, in order.")
    overview: SectionType
    problems: SectionType
    other: SectionType
    table2: Table2Type
    table3: Table3Type
    table4: Table4Type

    @classmethod
    def of(cls, r: service.AnnualReport) -> AnnualReportType:
        org_id = r.scope.organization_id
        return cls(
            year=r.year, title=r.title, scope_name=r.scope.name, unit_code=r.scope.unit_code,
            organization_id=None if org_id is None else strawberry.ID(str(relay.GlobalID("Organization", str(org_id)))),
            headings=list(service.HEADINGS), overview=SectionType.of(r.overview), problems=SectionType.of(r.problems),
            other=SectionType.of(r.other), table2=Table2Type.of(r.table2), table3=Table3Type.of(r.table3),
            table4=Table4Type.of(r.table4),
        )  # fmt: skip


def _organization(value: strawberry.ID | None) -> int | None:
    return None if value is None else decode_id(value, "Organization", "organizationId")


@strawberry.type
class AnnualReportQuery:
    @strawberry.field(
        description="The annual report of an organization, or of every organization at or below a unit: give exactly "
        "one of organizationId and unitCode (else BAD_USER_INPUT)."
    )
    async def annual_report(
        self,
        info: strawberry.Info,
        year: int,
        organization_id: strawberry.ID | None = None,
        unit_code: str | None = None,
    ) -> AnnualReportType | None:
        ctx = info.context
        report = await service.annual_report(
            ctx.session, ctx.actor, year=year, organization_id=_organization(organization_id), unit_code=unit_code
        )
        return AnnualReportType.of(report)


@strawberry.type
class SaveAnnualReportTextPayload:
    section: SectionType | None
    errors: list[UserError]


@strawberry.type
class SetAnnualReportFigurePayload:
    table2: Table2Type | None = strawberry.field(description="Table 2 as it now reads.")
    errors: list[UserError]


@strawberry.type
class PublishAnnualReportPayload:
    document: DocumentType | None = strawberry.field(
        description="The report as a document (kind ANNUAL_REPORT), published under the platform's 年度报告 column."
    )
    errors: list[UserError]


@strawberry.type
class AnnualReportMutation:
    @strawberry.mutation(
        description="Publish the annual report as it stands: it becomes a document of kind ANNUAL_REPORT with a 索引号, "
        "listed under 政府信息公开工作年度报告 in platformColumns. An organization's report is published by it; a unit's "
        "by publisherId (an organization of the unit, e.g. its 政府办). Publishing again makes a new version. "
        "confidentialityChecked confirms the 保密审查."
    )
    async def publish_annual_report(
        self, info: strawberry.Info, year: int, confidentiality_checked: bool,
        organization_id: strawberry.ID | None = None, unit_code: str | None = None,
        publisher_id: strawberry.ID | None = None,
    ) -> PublishAnnualReportPayload:  # fmt: skip
        ctx = info.context
        publisher = None if publisher_id is None else decode_id(publisher_id, "Organization", "publisherId")

        async def run() -> Document:
            return await service.publish_annual_report(
                ctx.session, ctx.actor, year=year, organization_id=_organization(organization_id), unit_code=unit_code,
                publisher_id=publisher, confidentiality_checked=confidentiality_checked,
            )  # fmt: skip

        doc, errors = await attempt(info, run())
        return PublishAnnualReportPayload(document=DocumentType.of(doc) if doc else None, errors=errors)

    @strawberry.mutation(description="Save 一、总体情况, 五、存在的主要问题及改进情况 or 六、其他需要报告的事项.")
    async def save_annual_report_text(
        self, info: strawberry.Info, year: int, section: SectionKey, text: str, version: int,
        organization_id: strawberry.ID | None = None, unit_code: str | None = None,
    ) -> SaveAnnualReportTextPayload:  # fmt: skip
        ctx = info.context

        async def run() -> service.Section:
            return await service.save_text(
                ctx.session, ctx.actor, year=year, organization_id=_organization(organization_id), unit_code=unit_code,
                section=section, text=text, version=version,
            )  # fmt: skip

        saved, errors = await attempt(info, run())
        return SaveAnnualReportTextPayload(section=SectionType.of(saved) if saved else None, errors=errors)

    @strawberry.mutation(
        description="Enter a figure of table 2; an entered 规章 or 行政规范性文件 figure replaces the computed one. "
        "A null value removes the entry."
    )
    async def set_annual_report_figure(
        self, info: strawberry.Info, year: int, key: FigureKey, value: Decimal | None = strawberry.UNSET,
        organization_id: strawberry.ID | None = None, unit_code: str | None = None,
    ) -> SetAnnualReportFigurePayload:  # fmt: skip
        ctx = info.context
        if value is strawberry.UNSET:  # omitted, not null: removing an entry takes an explicit null
            message = "请填写数值；要删除该项，请传 null"
            error = UserError(field="value", code=ReportsCode.REQUIRED, message=message)
            return SetAnnualReportFigurePayload(table2=None, errors=[error])

        async def run() -> service.Table2:
            return await service.set_figure(
                ctx.session, ctx.actor, year=year, organization_id=_organization(organization_id), unit_code=unit_code,
                key=key, value=value,
            )  # fmt: skip

        table, errors = await attempt(info, run())
        return SetAnnualReportFigurePayload(table2=Table2Type.of(table) if table else None, errors=errors)
