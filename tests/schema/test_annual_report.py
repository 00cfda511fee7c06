"""The annual report (2021 format) over HTTP: table 3 reconciles on the demo data, every reply type
lands in its row, carried-over requests, appeals, table 2 computed and entered, the written
sections, exports, permissions, and a statement count that does not grow with the requests."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from api.auth.scope import organization_path
from api.models import (
    AdminUnit,
    ApplicantType,
    AuditEntry,
    Channel,
    DeliveryForm,
    DisclosureAttribute,
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    InfoRequest,
    Organization,
    ReplyReason,
    ReplyType,
    RequestStatus,
    Role,
    Validity,
    VersionStatus,
)
from api.models.requests import OPEN_STATUSES

from ..conftest import GraphQLClient
from .test_requests import make_office

COUNTY = "513425000000"
HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
REPORT = """query($year: Int!, $org: ID, $unit: String) {
  annualReport(year: $year, organizationId: $org, unitCode: $unit) {
    title scopeName headings
    overview { section text version } problems { version } other { version }
    table2 { blocks { heading columns rows { label cells { key label value source } } } }
    table3 { columns columnGroups { label columns } rows { key label level values subtotal replyType replyReason }
             reconciles mismatches }
    table4 { columns groups { kind label parentLabel values } } } }"""
SAVE = """mutation($year: Int!, $org: ID, $unit: String, $section: AnnualReportSectionKey!, $text: String!, $version: Int!) {
  saveAnnualReportText(year: $year, organizationId: $org, unitCode: $unit, section: $section, text: $text,
                       version: $version) { section { section title text version } errors { field code message } } }"""
FIGURE = """mutation($year: Int!, $org: ID, $unit: String, $key: AnnualReportFigureKey!, $value: Decimal) {
  setAnnualReportFigure(year: $year, organizationId: $org, unitCode: $unit, key: $key, value: $value) {
    table2 { blocks { rows { label cells { key value source } } } } errors { field code message } } }"""


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def rows_by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in report["table3"]["rows"]}


def cells(table2: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for b in table2["blocks"] for r in b["rows"] for c in r["cells"]}


async def org_path(session: Any, name: str) -> tuple[Organization, str]:
    org = (await session.execute(select(Organization).where(Organization.name == name))).scalar_one()
    unit = await session.get(AdminUnit, org.unit_id)
    return org, organization_path(unit.scope_path, org.id)


def request_row(org_id: int, path: str, n: int, received: date, **extra: Any) -> dict[str, Any]:
    row = {
        "tracking_code": f"YT{n:010d}", "password_hash": "x", "channel": Channel.LETTER,
        "applicant_type": ApplicantType.NATURAL_PERSON, "applicant_name": f"批量申请人{n}", "description": "测试",
        "delivery_form": DeliveryForm.PAPER, "receiving_org_id": org_id, "handling_org_id": org_id, "scope_path": path,
        "status": RequestStatus.REGISTERED, "received_on": received, "clock_start": received, "due_on": received,
    }  # fmt: skip
    return {**row, **extra}


async def test_demo_report_reconciles_counts_every_reply_and_exports(
    gql: GraphQLClient, client: Any, make_user: Any, session: Any, demo: None
) -> None:
    civil, path = await org_path(session, "县民政局")
    # Received in 2025 and not answered: carried into 2026 (二) and on into 2027 (四).
    await session.execute(insert(InfoRequest), [request_row(civil.id, path, 1, date(2025, 12, 15))])
    await session.commit()
    token = await make_user("office", Role.DISTRICT_OFFICE, unit_code=COUNTY)

    report = (await gql.data(REPORT, {"year": 2026, "unit": COUNTY}, token))["annualReport"]
    assert report["headings"] == HEADINGS and report["scopeName"] == "会理县"
    t3 = report["table3"]
    assert t3["columns"] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert t3["columnGroups"][1] == {"label": "法人或其他组织", "columns": t3["columns"][1:6]}
    assert t3["reconciles"] is True and t3["mismatches"] == []
    rows = rows_by_key(report)
    for i in range(7):
        assert rows["new"]["values"][i] + rows["carried"]["values"][i] == (
            rows["total"]["values"][i] + rows["forward"]["values"][i]
        )

    # An independent count from the rows: replies (and withdrawals) in 2026 by type and reason.
    requests = (
        (await session.execute(select(InfoRequest).where(InfoRequest.scope_path.like("513425/%")))).scalars().all()
    )
    demo_requests = [r for r in requests if r.demo]
    assert rows["new"]["values"][-1] == len(demo_requests) == sum(r.received_on.year == 2026 for r in requests)
    assert rows["carried"]["values"] == [1, 0, 0, 0, 0, 0, 1]
    still_open = [r for r in requests if r.status in OPEN_STATUSES]
    assert rows["forward"]["values"][-1] == len(still_open) and rows["forward"]["values"][0] >= 1
    ended = Counter(
        (r.reply_type or ReplyType.OTHER, r.reply_reason or (ReplyReason.OTHER if r.reply_type is None else None))
        for r in requests
        if r.status not in OPEN_STATUSES and (r.replied_on is None or r.replied_on.year == 2026)
    )
    by_type = Counter[ReplyType]()
    for (reply_type, reason), n in ended.items():
        by_type[reply_type] += n
        if reason is not None:
            assert rows[f"{reply_type.value}.{reason.name}"]["values"][-1] == n, (reply_type, reason)
    assert {t for t, _ in ended} == set(ReplyType), "the demo has every reply type"
    for reply_type in ReplyType:
        assert rows[reply_type.value]["values"][-1] == by_type[reply_type], reply_type
    assert rows["total"]["values"][-1] == sum(ended.values())
    assert rows["NOT_DISCLOSED.THIRD_PARTY_RIGHTS"]["label"] == "4.保护第三方合法权益"
    # The 2021 form's labels in full.
    assert rows["NOT_DISCLOSED.STATE_SECRET"]["label"] == "1.属于国家秘密"
    assert (
        rows["OTHER.FEE_UNPAID"]["label"] == "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    )
    assert rows["OTHER.FEE_UNPAID"]["values"][-1] >= 1  # the demo's unpaid fee
    assert rows["OTHER.OTHER"]["values"][-1] >= 1  # the withdrawn request

    last_year = (await gql.data(REPORT, {"year": 2025, "unit": COUNTY}, token))["annualReport"]
    old = rows_by_key(last_year)
    assert old["new"]["values"][-1] == 1 and old["forward"]["values"][-1] == 1 and old["total"]["values"][-1] == 0

    groups = {g["kind"]: g for g in report["table4"]["groups"]}
    assert report["table4"]["columns"] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert groups["ADMINISTRATIVE_REVIEW"]["values"] == [1, 0, 0, 0, 1]
    assert groups["LITIGATION_DIRECT"]["values"] == [0, 0, 0, 1, 1]
    assert groups["LITIGATION_AFTER_REVIEW"]["values"] == [0, 0, 0, 0, 0]
    assert groups["LITIGATION_DIRECT"]["parentLabel"] == "行政诉讼"

    params = {"year": "2026", "unitCode": COUNTY, "format": "xlsx"}
    response = await client.get("/exports/annual-report", params=params, headers=auth(token))
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["年度报告", "二、主动公开", "三、依申请公开", "四、复议诉讼"]
    sheet = book["三、依申请公开"]
    assert sheet["A1"].value == HEADINGS[2] and sheet["E3"].value == "法人或其他组织"
    assert "E3:I3" in {str(m) for m in sheet.merged_cells.ranges}
    totals = {}
    for line in sheet.iter_rows(min_row=5, values_only=True):
        label = next(v for v in reversed(line[:3]) if v)
        totals[label] = line[-1]
    expected = {r["label"]: r["values"][-1] for r in t3["rows"] if r["values"] and not r["subtotal"]}
    assert totals == expected
    appeals = list(book["四、复议诉讼"].iter_rows(min_row=5, max_row=5, values_only=True))[0]
    assert list(appeals) == [v for g in report["table4"]["groups"] for v in g["values"]]
    words = [str(c) for ws in book.worksheets for line in ws.iter_rows(values_only=True) for c in line if c]

    markdown = await client.get("/exports/annual-report", params={**params, "format": "md"}, headers=auth(token))
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    text = markdown.text
    for heading in HEADINGS:
        assert f"## {heading}" in text
    assert (
        f"| 　　4.保护第三方合法权益 | {' | '.join(map(str, rows['NOT_DISCLOSED.THIRD_PARTY_RIGHTS']['values']))} |"
        in text
    )
    for r in requests:  # applicants never appear in an export
        assert r.applicant_name not in text and all(r.applicant_name not in w for w in words)
    assert "513425199001011234" not in text and not any("513425199001011234" in w for w in words)


async def test_sections_figures_table_2_and_permissions(
    gql: GraphQLClient, client: Any, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    path = organization_path("513425", o.org_pk)

    def when(year: int, month: int = 6) -> datetime:
        return datetime(year, month, 1, tzinfo=UTC)

    # (genre, first published, updated, validity, status)
    documents = [
        ("行政规范性文件", when(2026), when(2026), Validity.VALID, DocumentStatus.PUBLISHED),
        ("行政规范性文件", when(2025), when(2025), Validity.VALID, DocumentStatus.PUBLISHED),
        ("行政规范性文件", when(2024), when(2026, 3), Validity.REPEALED, DocumentStatus.PUBLISHED),
        # 2025-12-31 20:00 UTC is 1 January 2026 in China: issued in 2026.
        (
            "行政规范性文件",
            datetime(2025, 12, 31, 20, tzinfo=UTC),
            when(2026),
            Validity.VALID,
            DocumentStatus.PUBLISHED,
        ),
        ("规章", when(2026), when(2026, 9), Validity.VALID, DocumentStatus.RETRACTED),
        ("通知", when(2026), when(2026), Validity.VALID, DocumentStatus.PUBLISHED),
    ]
    for genre, first, updated, validity, status in documents:
        doc = Document(kind=DocumentKind.GOVERNMENT_INFO, publisher_id=o.org_pk, scope_path=path, status=status,
                       first_published_at=first, published_at=first, updated_at=updated,
                       retracted_at=updated if status is DocumentStatus.RETRACTED else None)  # fmt: skip
        session.add(doc)
        await session.flush()
        version = DocumentVersion(document_id=doc.id, number=1, status=VersionStatus.PUBLISHED, title=genre,
                                  genre=genre, validity=validity, attribute=DisclosureAttribute.PROACTIVE)  # fmt: skip
        session.add(version)
        await session.flush()
        await session.execute(
            update(Document).where(Document.id == doc.id).values(current_version_id=version.id, updated_at=updated)
        )
    await session.commit()

    office = o.district
    scope = {"year": 2026, "org": o.org_id}
    report = (await gql.data(REPORT, scope, office))["annualReport"]
    assert report["title"] == "县民政局2026年政府信息公开工作年度报告"
    got = cells(report["table2"])
    assert {k: (got[k]["value"], got[k]["source"]) for k in got} == {
        "RULES_ISSUED": ("1", "COMPUTED"), "RULES_REPEALED": ("0", "COMPUTED"), "RULES_IN_FORCE": ("0", "COMPUTED"),
        "NORMATIVE_ISSUED": ("2", "COMPUTED"), "NORMATIVE_REPEALED": ("1", "COMPUTED"),
        "NORMATIVE_IN_FORCE": ("3", "COMPUTED"), "PERMIT_DECISIONS": (None, "MISSING"),
        "PENALTY_DECISIONS": (None, "MISSING"), "COERCION_DECISIONS": (None, "MISSING"), "FEE_AMOUNT": (None, "MISSING"),
    }  # fmt: skip
    assert report["table2"]["blocks"][0]["columns"] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]

    async def figure(key: str, value: str | None, token: str = office, **where: Any) -> dict[str, Any]:
        variables = {**scope, **where, "key": key, "value": value}
        return (await gql.data(FIGURE, variables, token))["setAnnualReportFigure"]

    entered = await figure("NORMATIVE_ISSUED", "5")
    assert entered["errors"] == [] and cells(entered["table2"])["NORMATIVE_ISSUED"] == {
        "key": "NORMATIVE_ISSUED", "value": "5", "source": "ENTERED"}  # fmt: skip
    assert cells((await figure("FEE_AMOUNT", "3.5"))["table2"])["FEE_AMOUNT"]["value"] == "3.50"
    assert (await figure("FEE_AMOUNT", "3.555"))["errors"][0]["code"] == "INVALID_VALUE"
    assert (await figure("PERMIT_DECISIONS", "1.5"))["errors"][0]["code"] == "INVALID_VALUE"
    assert (await figure("PERMIT_DECISIONS", "-1"))["errors"][0]["code"] == "INVALID_VALUE"
    assert (await figure("PERMIT_DECISIONS", "12"))["errors"] == []
    back = cells((await figure("NORMATIVE_ISSUED", None))["table2"])["NORMATIVE_ISSUED"]
    assert (back["value"], back["source"]) == ("2", "COMPUTED")
    county = cells((await gql.data(REPORT, {"year": 2026, "unit": COUNTY}, office))["annualReport"]["table2"])
    assert (county["PERMIT_DECISIONS"]["value"], county["PERMIT_DECISIONS"]["source"]) == ("12", "SUMMED")
    assert (county["NORMATIVE_IN_FORCE"]["value"], county["NORMATIVE_IN_FORCE"]["source"]) == ("3", "COMPUTED")
    own = cells((await figure("PERMIT_DECISIONS", "20", org=None, unit=COUNTY))["table2"])["PERMIT_DECISIONS"]
    assert (own["value"], own["source"]) == ("20", "ENTERED")

    async def save(text: str, version: int, token: str = office) -> dict[str, Any]:
        variables = {**scope, "section": "OVERVIEW", "text": text, "version": version}
        return (await gql.data(SAVE, variables, token))["saveAnnualReportText"]

    saved = await save("本年度，县民政局认真贯彻《条例》。", 0)
    assert saved["errors"] == [] and saved["section"] == {
        "section": "OVERVIEW", "title": "一、总体情况", "text": "本年度，县民政局认真贯彻《条例》。", "version": 1}  # fmt: skip
    stale = await save("覆盖", 0)
    assert stale["errors"][0]["code"] == "CONFLICT" and stale["section"] is None
    assert (await save("第二稿", 1))["section"]["version"] == 2
    report = (await gql.data(REPORT, scope, office))["annualReport"]
    assert report["overview"] == {"section": "OVERVIEW", "text": "第二稿", "version": 2}
    assert report["problems"]["version"] == 0
    actions = (await session.execute(select(AuditEntry.action).where(AuditEntry.scope_path == path))).scalars().all()
    assert actions.count("report.annual_text") == 2 and "report.annual_figure" in actions
    md = await client.get("/exports/annual-report", params={"year": "2026", "organizationId": str(o.org_pk), "format": "md"},
                          headers=auth(office))  # fmt: skip
    assert md.status_code == 200 and "第二稿" in md.text and "| 行政规范性文件 | 2 | 1 | 3 |" in md.text

    # The FOI officer reads the report but does not write it; a kiosk and the anonymous do neither.
    assert (await gql.data(REPORT, scope, o.foi))["annualReport"]["title"]
    refused = await gql(SAVE, {**scope, "section": "OTHER", "text": "x", "version": 0}, o.foi)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    kiosk = await make_user("kiosk", Role.KIOSK, unit_code=COUNTY)
    for token, code in ((kiosk, "FORBIDDEN"), (None, "UNAUTHENTICATED")):
        body = await gql(REPORT, {"year": 2026, "unit": COUNTY}, token)
        assert body["data"]["annualReport"] is None and body["errors"][0]["extensions"]["code"] == code
    url = "/exports/annual-report"
    params = {"year": "2026", "unitCode": COUNTY, "format": "xlsx"}
    assert (await client.get(url, params=params, headers=auth(kiosk))).status_code == 403
    assert (await client.get(url, params=params)).status_code == 401
    assert (await client.get(url, params={**params, "format": "pdf"}, headers=auth(office))).status_code == 400

    for bad in ({"year": 2026}, {"year": 2026, "org": o.org_id, "unit": COUNTY}, {"year": 1999, "unit": COUNTY}):
        body = await gql(REPORT, bad, office)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", bad


async def test_statements_do_not_grow_with_the_requests(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any
) -> None:
    o = await make_office(session, system, make_user)
    path = organization_path("513425", o.org_pk)
    applicants = list(ApplicantType)
    outcomes: list[dict[str, Any]] = [
        {},
        {"status": RequestStatus.REPLIED, "reply_type": ReplyType.DISCLOSED},
        {
            "status": RequestStatus.ARCHIVED,
            "reply_type": ReplyType.NOT_DISCLOSED,
            "reply_reason": ReplyReason.STATE_SECRET,
        },
        {"status": RequestStatus.CLOSED, "reply_type": ReplyType.OTHER, "reply_reason": ReplyReason.CORRECTION_LAPSED},
        {"status": RequestStatus.CLOSED, "reply_type": ReplyType.OTHER, "reply_reason": ReplyReason.FEE_UNPAID},
        {"status": RequestStatus.AWAITING_PAYMENT},
        {"status": RequestStatus.WITHDRAWN},
    ]

    async def add(start: int, count: int) -> None:
        values = []
        for n in range(start, start + count):
            received = date(2025, 6, 1) + timedelta(days=n % 520)
            outcome = outcomes[n % len(outcomes)]
            replied = {"replied_on": received + timedelta(days=25)} if "reply_type" in outcome else {}
            values.append(
                request_row(o.org_pk, path, n, received, applicant_type=applicants[n % 6], **outcome, **replied)
            )
        await session.execute(insert(InfoRequest), values)
        await session.commit()

    async def measure() -> tuple[int, dict[str, Any]]:
        statement_counter.start()
        report = (await gql.data(REPORT, {"year": 2026, "unit": COUNTY}, o.district))["annualReport"]
        return statement_counter.stop(), report

    await add(0, 200)
    await measure()  # warm: policies and grants loaded
    small, report = await measure()
    assert report["table3"]["reconciles"] is True
    await add(200, 5000)
    large, report = await measure()
    assert large == small, (small, large)
    rows = rows_by_key(report)
    received = [date(2025, 6, 1) + timedelta(days=n % 520) for n in range(5200)]
    assert rows["new"]["values"][-1] == sum(d.year == 2026 for d in received)
    assert report["table3"]["reconciles"] is True and report["table3"]["mismatches"] == []
    assert sum(rows["total"]["values"][:-1]) == rows["total"]["values"][-1] > 0
    # The fee and correction closings each count in their row of 其他处理 (table 3).
    lapsed = [n for n in range(5200) if n % len(outcomes) == 3 and received[n].year == 2026]
    unpaid = [n for n in range(5200) if n % len(outcomes) == 4 and (received[n] + timedelta(days=25)).year == 2026]
    assert rows["OTHER.CORRECTION_LAPSED"]["values"][-1] > 0 and rows["OTHER.FEE_UNPAID"]["values"][-1] == len(unpaid)
    assert lapsed
