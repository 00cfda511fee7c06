"""Publishing the annual report: the report as it stands becomes a document of its own kind
(ANNUAL_REPORT), published under the 年度报告 column of the publisher's platform; publishing it
again makes a new version of the same document."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import covers
from api.codes import ReportsCode
from api.db import commit
from api.errors import UserInputError
from api.localtime import today
from api.models import DisclosureAttribute, Document, DocumentKind
from api.services import audit, documents, units

from .render import to_markdown
from .report import annual_report

GENRE = "年度报告"


async def publish_annual_report(
    session: AsyncSession,
    actor: Actor,
    *,
    year: int,
    organization_id: int | None = None,
    unit_code: str | None = None,
    publisher_id: int | None = None,
    confidentiality_checked: bool = False,
) -> Document:
    """The report of an organization is published by it; a unit's report by the organization
    named as publisher (the 政府办 of a county), which lies in the report's scope."""
    report = await annual_report(session, actor, year=year, organization_id=organization_id, unit_code=unit_code)
    publisher = publisher_id if publisher_id is not None else organization_id
    if publisher is None:
        raise UserInputError("publisherId", ReportsCode.REQUIRED, "区划的年度报告须指定发布单位（如政府办）")
    _org, _unit, path = await units.locate_organization(session, publisher, "publisherId")
    if not covers(report.scope.path, path):
        raise UserInputError("publisherId", ReportsCode.PUBLISHER_OUTSIDE_SCOPE, f"发布单位须属于“{report.scope.name}”")
    actor.require("report", "publish", path)
    if not confidentiality_checked:
        raise UserInputError(
            "confidentialityChecked", ReportsCode.CONFIDENTIALITY_CHECK_REQUIRED, "发布前须完成保密审查"
        )
    fields_ = documents.DocumentFields(
        title=report.title, summary=report.title, body=to_markdown(report), genre=GENRE,
        attribute=DisclosureAttribute.PROACTIVE, written_on=today(), channels=["政府网站"],
    )  # fmt: skip
    doc = await documents.publish_generated(
        session, actor, kind=DocumentKind.ANNUAL_REPORT, publisher_id=publisher, fields_=fields_,
        comment=f"发布{year}年度政府信息公开工作年度报告",
    )  # fmt: skip
    audit.record(
        session, actor, "report.publish_annual", "Document", doc.id, doc.scope_path,
        f"发布年度报告：{report.title}，索引号 {doc.index_no}",
    )  # fmt: skip
    await commit(session)
    return doc
