"""The standard columns of the 政府信息公开 platform (国办公开办函〔2019〕61号), on the demo data
through GraphQL: a demo department's Art. 20 items, a published 指南, the published annual report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.demo.data import DEMO_PASSWORD, HUILI_CODE
from api.models import Organization

from ..conftest import GraphQLClient
from ..documents_fixtures import CREATE, REVIEW, SUBMIT, gid

TREE = """
query($unit: String!, $org: ID, $first: Int = 20) {
  platformColumns(unitCode: $unit, organizationId: $org) {
    ...C
    children { ...C showsOrganizationProfile catalogItems { id level1 } }
  }
}
fragment C on PlatformColumn {
  code name basis
  documents(first: $first) { totalCount edges { node { id kind title publisher { name } } } }
}"""

COLUMN = """
query($unit: String!, $code: String!, $org: ID, $first: Int, $after: String) {
  platformColumn(unitCode: $unit, code: $code, organizationId: $org) {
    code documents(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id title } } }
  }
}"""

PUBLISH_REPORT = """
mutation($year: Int!, $org: ID, $unit: String, $publisher: ID, $checked: Boolean!) {
  publishAnnualReport(year: $year, organizationId: $org, unitCode: $unit, publisherId: $publisher,
                      confidentialityChecked: $checked) {
    document { id kind title indexNo status versions { number status } }
    errors { field code message }
  }
}"""


async def _org(session: Any, name: str) -> str:
    pk = (await session.execute(select(Organization.id).where(Organization.name == name))).scalar_one()
    return gid("Organization", pk)


def _columns(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for top in data["platformColumns"]:
        found[top["code"]] = top
        for child in top["children"]:
            found[child["code"]] = child
    return found


def _titles(column: dict[str, Any]) -> list[str]:
    return [e["node"]["title"] for e in column["documents"]["edges"]]


async def test_the_columns_of_a_demo_department_hold_its_art20_items(
    gql: GraphQLClient, demo: None, session: Any
) -> None:
    finance = await _org(session, "县财政局")
    data = await gql.data(TREE, {"unit": HUILI_CODE, "org": finance})  # anonymous
    columns = _columns(data)
    tops = [(c["code"], c["name"]) for c in data["platformColumns"]]
    assert tops == [
        ("POLICY", "政策"), ("GUIDE", "政府信息公开指南"), ("SYSTEM", "政府信息公开制度"),
        ("STATUTORY", "法定主动公开内容"), ("ANNUAL_REPORT", "政府信息公开工作年度报告"),
    ]  # fmt: skip
    assert [c["name"] for c in columns["POLICY"]["children"]] == ["规章", "行政规范性文件", "其他文件", "政策解读"]
    assert [c["code"] for c in columns["STATUTORY"]["children"]] == [f"ART20_{i}" for i in range(1, 16)]
    assert columns["ART20_7"]["basis"] == "《政府信息公开条例》第二十条第（七）项"
    # 财政预决算, 行政事业性收费, 政府集中采购: the department's documents and the catalog rows it answers for.
    assert set(_titles(columns["ART20_7"])) == {
        "2026年县级部门预算公开说明（演示）",
        "2025年县级财政决算公开说明（演示）",
    }
    assert [i["level1"] for i in columns["ART20_7"]["catalogItems"]] == ["财政预算、决算情况"]
    assert _titles(columns["ART20_8"]) == ["县级行政事业性收费项目目录清单（演示）"]
    assert [i["level1"] for i in columns["ART20_8"]["catalogItems"]] == ["行政事业性收费的项目、依据、标准"]
    assert _titles(columns["ART20_9"]) == ["2026年度政府集中采购目录及采购限额标准（演示）"]
    assert [i["level1"] for i in columns["ART20_9"]["catalogItems"]] == ["政府集中采购情况"]
    assert columns["ART20_2"]["showsOrganizationProfile"] is True
    # its 指南 and 制度 under their own columns; its policy without a genre under 其他文件.
    assert _titles(columns["GUIDE"]) == ["县财政局政府信息公开指南（演示）"]
    assert _titles(columns["SYSTEM"]) == ["县财政局政府信息公开保密审查办法（演示）"]
    assert _titles(columns["POLICY_OTHER"]) == ["会理县惠民惠农财政补贴资金管理办法（演示）"]
    # a parent holds its children's documents; nothing of another department.
    statutory = set(_titles(columns["STATUTORY"]))
    assert {*_titles(columns["ART20_7"]), *_titles(columns["ART20_8"]), *_titles(columns["ART20_9"])} <= statutory
    publishers = {e["node"]["publisher"]["name"] for c in columns.values() for e in c["documents"]["edges"]}
    assert publishers == {"县财政局"}
    assert columns["ANNUAL_REPORT"]["documents"]["edges"] == []
    # one column alone, as a department page asks for it.
    one = 'query($u: String!, $o: ID) { platformColumn(unitCode: $u, code: "ART20_8", organizationId: $o) { catalogItems { level1 } } }'
    alone = await gql.data(one, {"u": HUILI_CODE, "o": finance})
    assert alone["platformColumn"]["catalogItems"] == [{"level1": "行政事业性收费的项目、依据、标准"}]


async def test_anonymous_callers_see_published_public_documents_only(
    gql: GraphQLClient, demo: None, session: Any
) -> None:
    civil = await _org(session, "县民政局")
    public = _columns(await gql.data(TREE, {"unit": HUILI_CODE, "org": civil}))
    editor = await gql.login("editor", DEMO_PASSWORD)
    staff = _columns(await gql.data(TREE, {"unit": HUILI_CODE, "org": civil}, editor))
    drafts = {t for t in _titles(staff["ART20_11"]) if t.startswith("低保复核工作安排")}
    assert len(drafts) == 4  # the demo's draft and the three waiting for a step: staff see them
    assert not drafts & set(_titles(public["ART20_11"]))
    assert "特困人员供养名单（演示）" in _titles(public["ART20_11"])  # 部分公开: public
    assert "《会理县城乡低保审核确认办法》解读（演示）" in _titles(public["POLICY_INTERPRETATION"])


async def test_a_published_guide_appears_under_its_column(gql: GraphQLClient, demo: None, session: Any) -> None:
    civil = await _org(session, "县民政局")
    editor, reviewer, approver = [await gql.login(u, DEMO_PASSWORD) for u in ("editor", "reviewer", "approver")]
    content = {
        "title": "县民政局政府信息公开指南（2026年版）",
        "body": "申请渠道、受理机构、办理流程",
        "attribute": "PROACTIVE",
    }
    created = await gql.data(
        CREATE, {"input": {"publisherId": civil, "kind": "DISCLOSURE_GUIDE", "content": content}}, editor
    )
    doc = created["createDocument"]["document"]
    assert created["createDocument"]["errors"] == []

    async def guide_titles(token: str | None = None) -> list[str]:
        data = await gql.data(COLUMN, {"unit": HUILI_CODE, "code": "GUIDE", "org": civil}, token)
        return [e["node"]["title"] for e in data["platformColumn"]["documents"]["edges"]]

    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, editor))["submitDocument"]["document"]
    for token, checked in ((editor, None), (reviewer, None)):
        doc = (await gql.data(REVIEW, {"id": doc["id"], "v": doc["version"], "d": "APPROVE", "k": checked}, token))[
            "reviewDocument"
        ]["document"]
    assert await guide_titles() == []  # waiting for 审发: not public yet
    assert await guide_titles(editor) == [content["title"]]
    signed = await gql.data(REVIEW, {"id": doc["id"], "v": doc["version"], "d": "APPROVE", "k": True}, approver)
    assert signed["reviewDocument"]["errors"] == [] and signed["reviewDocument"]["document"]["indexNo"]
    assert await guide_titles() == [content["title"]]


async def test_publishing_the_annual_report_puts_it_under_its_column(
    gql: GraphQLClient, demo: None, session: Any
) -> None:
    office = await gql.login("huili_office", DEMO_PASSWORD)
    publisher = await _org(session, "县政府办")
    variables = {"year": 2026, "unit": HUILI_CODE, "publisher": publisher, "checked": False}
    refused = (await gql.data(PUBLISH_REPORT, variables, office))["publishAnnualReport"]
    assert refused["document"] is None and [e["code"] for e in refused["errors"]] == ["CONFIDENTIALITY_CHECK_REQUIRED"]
    editor = await gql.login("editor", DEMO_PASSWORD)
    body = await gql(PUBLISH_REPORT, {**variables, "checked": True}, editor)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gql(PUBLISH_REPORT, {**variables, "checked": True}))["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )
    # the report's kind is made by publishing it, never drafted by hand.
    by_hand = {"publisherId": await _org(session, "县民政局"), "kind": "ANNUAL_REPORT",
               "content": {"title": "会理县2026年政府信息公开工作年度报告", "attribute": "PROACTIVE"}}  # fmt: skip
    refused = (await gql.data(CREATE, {"input": by_hand}, editor))["createDocument"]
    assert [e["code"] for e in refused["errors"]] == ["GENERATED_KIND"]

    published = (await gql.data(PUBLISH_REPORT, {**variables, "checked": True}, office))["publishAnnualReport"]
    assert published["errors"] == []
    doc = published["document"]
    assert doc["kind"] == "ANNUAL_REPORT" and doc["status"] == "PUBLISHED" and doc["indexNo"]
    assert doc["title"] == "会理县2026年政府信息公开工作年度报告"

    async def reports() -> list[dict[str, Any]]:
        data = await gql.data(COLUMN, {"unit": HUILI_CODE, "code": "ANNUAL_REPORT"})  # anonymous
        return [e["node"] for e in data["platformColumn"]["documents"]["edges"]]

    assert await reports() == [{"id": doc["id"], "title": doc["title"]}]
    # publishing again revises the same document: a second version, one entry in the column.
    again = (await gql.data(PUBLISH_REPORT, {**variables, "checked": True}, office))["publishAnnualReport"]
    assert again["document"]["id"] == doc["id"] and again["document"]["indexNo"] == doc["indexNo"]
    assert [(v["number"], v["status"]) for v in again["document"]["versions"]] == [(1, "SUPERSEDED"), (2, "PUBLISHED")]
    assert await reports() == [{"id": doc["id"], "title": doc["title"]}]


async def test_a_column_pages_by_keyset_cursor(gql: GraphQLClient, demo: None) -> None:
    seen: list[str] = []
    after = None
    while True:
        variables = {"unit": HUILI_CODE, "code": "ART20_11", "first": 2, "after": after}
        page = (await gql.data(COLUMN, variables))["platformColumn"]["documents"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    whole = (await gql.data(COLUMN, {"unit": HUILI_CODE, "code": "ART20_11", "first": 100}))["platformColumn"]
    assert seen == [e["node"]["id"] for e in whole["documents"]["edges"]] and len(seen) > 4


async def test_unknown_column_and_foreign_organization_are_user_errors(
    gql: GraphQLClient, demo: None, session: Any
) -> None:
    body = await gql(COLUMN, {"unit": HUILI_CODE, "code": "NOPE"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    town_org = await _org(session, "鹿厂镇政府")
    body = await gql(TREE, {"unit": HUILI_CODE, "org": town_org})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_statement_count_does_not_grow_with_the_documents(
    gql: GraphQLClient, demo: None, statement_counter: Any
) -> None:
    """Per column one page statement and one count, whatever the page holds; publishers,
    attachments and domains are read in batches, the catalog rows of every column in one
    statement. (The publishers' batches follow the order in which the columns' pages arrive, so
    their number varies by one or two; it never follows the documents.)"""
    query = TREE.replace(
        "publisher { name }", "publisher { name } attachments { filename } current { domain { name } }"
    )
    columns = 5 + 19  # the five columns and their children
    sizes = []
    for first in (1, 4, 10):
        statement_counter.start()
        data = await gql.data(query, {"unit": HUILI_CODE, "first": first})
        used = statement_counter.stop()
        shown = sum(len(c["documents"]["edges"]) for c in _columns(data).values())
        pages = [s for s in statement_counter.statements if s.startswith("SELECT documents.id")]
        counts = [s for s in statement_counter.statements if s.startswith("SELECT count(*)")]
        on_documents = pages + counts
        assert (len(pages), len(counts)) == (columns, columns), statement_counter.statements
        # at most one batch per column and relation (publisher, attachments, domain), plus the
        # unit and the catalog rows: bounded by the tree, not by the documents shown.
        assert used - len(on_documents) <= 3 * columns + 2, statement_counter.statements
        sizes.append((first, shown, used))
    assert sizes[0][1] < sizes[2][1], sizes  # the larger pages do show more documents


async def test_each_column_has_its_atom_feed(client: Any, demo: None) -> None:
    """A portal's column as a feed another system follows (RFC 4287, parsed by feedparser)."""
    import feedparser

    from api.demo.platform import PLATFORM

    guide = next(title for kind, title, *_ in PLATFORM if kind.name == "DISCLOSURE_GUIDE")
    response = await client.get(f"/feeds/columns/{HUILI_CODE}/GUIDE.atom")
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0 and feed.version == "atom10"
    assert "政府信息公开指南" in feed.feed.title
    assert [e.title for e in feed.entries] == [guide]
    statutory = feedparser.parse((await client.get(f"/feeds/columns/{HUILI_CODE}/ART20_8.atom")).content)
    assert statutory.bozo == 0 and guide not in [e.title for e in statutory.entries]
    assert (await client.get(f"/feeds/columns/{HUILI_CODE}/NOPE.atom")).status_code == 404
    assert (await client.get("/feeds/columns/513425999000/GUIDE.atom")).status_code == 404
