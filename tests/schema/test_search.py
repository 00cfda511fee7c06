"""Search over HTTP: jieba words, ranking, snippets, what is searchable, unitCode, kiosks, statements."""

from __future__ import annotations

import io
from typing import Any

import pytest

from api.auth.actor import SystemActor
from api.errors import UserInputError
from api.models import BodyFormat, Decision, DisclosureAttribute, DocumentKind, OrganizationKind, Role, UnitKind
from api.services import documents, search, units
from api.services.search import plain_text, snippet, tokenize

from ..conftest import GraphQLClient
from ..documents_fixtures import PDF, SUBMIT, Desk, create, credit, gid, make_desk, publish, step

COUNTY, TOWN, SIBLING, VILLAGE = "513425000000", "513425101000", "513425102000", "513425101001"

SEARCH = """query($q: String!, $u: String, $n: Int, $a: String) {
  search(query: $q, unitCode: $u, first: $n, after: $a) {
    totalCount totalCountExact pageInfo { hasNextPage endCursor }
    edges { cursor node { snippet rank document { id title indexNo status } } }
  } }"""


async def titles(gql: GraphQLClient, q: str, unit: str | None = None, token: str | None = None) -> list[str]:
    data = await gql.data(SEARCH, {"q": q, "u": unit}, token)
    return [e["node"]["document"]["title"] for e in data["search"]["edges"]]


async def make_place_desk(session: Any, system: Any, make_user: Any, code: str, name: str, seed: int) -> Desk:
    """An organization at ``code`` (county, town or village) with its editor, reviewer and approver."""
    for unit_code, unit_name, kind in (
        (COUNTY, "会理县", UnitKind.XIAN), (TOWN, "城关镇", UnitKind.ZHEN), (SIBLING, "鹿厂镇", UnitKind.ZHEN),
        (VILLAGE, "城北村", UnitKind.CUN),
    ):  # fmt: skip
        if await units.find_unit(session, unit_code) is None:
            await units.create_unit(session, system, code=unit_code, name=unit_name, kind=kind)
    org = await units.create_organization(
        session, system, unit_code=code, name=name, kind=OrganizationKind.TOWN_GOVERNMENT, credit_code=credit(seed)
    )
    tokens = [
        await make_user(f"{role.value}-{seed}", role, organization_id=org.id)
        for role in (Role.EDITOR, Role.REVIEWER, Role.APPROVER)
    ]
    return Desk(org.id, str(org.credit_code), gid("Organization", org.id), *tokens)


async def test_whole_words_match_and_abbreviations_do_not(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="关于做好城乡低保工作的通知", body="各乡镇要认真做好低保对象认定。")
    await publish(gql, desk, title="最低生活保障标准调整", body="城乡最低生活保障金按月发放。")
    await publish(gql, desk, title="临时救助办法", body="对遭遇突发困难的家庭实施临时救助。")

    assert await titles(gql, "低保") == ["关于做好城乡低保工作的通知"]
    assert await titles(gql, "救助") == ["临时救助办法"]
    assert await titles(gql, "最低生活保障") == ["最低生活保障标准调整"]
    # Every word of the query must match.
    assert await titles(gql, "低保 救助") == []
    assert await titles(gql, "低保，认定") == ["关于做好城乡低保工作的通知"]
    assert await titles(gql, "通知 HELLO") == []


async def test_better_match_first_ties_newest_first_with_snippets(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    long_body = "为进一步规范社会救助工作，现就有关事项通知如下。" * 20 + "其中涉及低保的事项另行通知。"
    await publish(gql, desk, title="社会救助工作通知", body=long_body)
    await publish(gql, desk, title="低保资金发放公示", body="本月低保资金已发放，低保对象名单如下：张三<李四>。")
    await publish(gql, desk, title="农村低保复核", body="开展低保复核工作。")
    await publish(gql, desk, title="农村低保复核 ", body="开展低保复核工作。")

    data = await gql.data(SEARCH, {"q": "低保"})
    hits = [e["node"] for e in data["search"]["edges"]]
    assert data["search"]["totalCount"] == 4
    ranks = [h["rank"] for h in hits]
    assert ranks == sorted(ranks, reverse=True)
    assert hits[-1]["document"]["title"] == "社会救助工作通知"
    # The two identical documents tie: the newer one comes first.
    twins = [h for h in hits if h["document"]["title"].startswith("农村低保复核")]
    assert twins[0]["rank"] == twins[1]["rank"]
    assert hits.index(twins[0]) < hits.index(twins[1])
    assert twins[0]["document"]["indexNo"] > twins[1]["document"]["indexNo"]

    fund = next(h for h in hits if h["document"]["title"] == "低保资金发放公示")
    assert fund["snippet"] == "本月<mark>低保</mark>资金已发放，<mark>低保</mark>对象名单如下：张三&lt;李四&gt;。"
    far = hits[-1]["snippet"]
    assert far.startswith("…") and "<mark>低保</mark>" in far and far.endswith("另行通知。")
    assert len(far.replace("<mark>", "").replace("</mark>", "")) <= 61


async def test_html_body_is_searched_and_snipped_as_text(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    body = '<p>关于<strong>低保</strong>资金的<a href="https://example.org/strong">说明</a></p><p>第二段</p>'
    await publish(gql, desk, title="说明", body=body, bodyFormat="HTML")
    data = await gql.data(SEARCH, {"q": "低保"})
    assert [e["node"]["snippet"] for e in data["search"]["edges"]] == ["关于<mark>低保</mark>资金的说明 第二段"]
    assert await titles(gql, "strong") == []
    assert await titles(gql, "example") == []


async def test_only_public_documents_are_found(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    desk = await make_desk(session, system, make_user)
    await create(gql, desk, title="低保草稿")
    await publish(gql, desk, title="低保主动公开")
    await publish(gql, desk, title="低保部分公开", attribute="PARTIAL", attributeReason="涉及个人隐私的部分不公开")
    await publish(gql, desk, title="低保依申请公开", attribute="ON_REQUEST", attributeReason="仅涉及特定对象")
    await publish(gql, desk, title="低保不予公开", attribute="NOT_DISCLOSED", attributeReason="涉及国家秘密")
    retract_me = await publish(gql, desk, title="低保将撤回")
    retracted = await gql.data(
        """mutation($id: ID!, $v: Int!) { retractDocument(id: $id, version: $v, reason: "内容有误") { errors { code } } }""",
        {"id": retract_me["id"], "v": retract_me["version"]},
        desk.approver,
    )
    assert retracted["retractDocument"]["errors"] == []

    expected = {"低保主动公开", "低保部分公开"}
    assert set(await titles(gql, "低保")) == expected
    assert set(await titles(gql, "低保", token=desk.approver)) == expected


async def test_republishing_replaces_the_words(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    desk = await make_desk(session, system, make_user)
    doc = await publish(gql, desk, title="城乡低保工作通知")
    edit = """mutation($id: ID!, $v: Int!) { updateDocument(id: $id, version: $v, input: {title: "特困人员供养通知"}) {
      document { id version } errors { code } } }"""
    draft = (await gql.data(edit, {"id": doc["id"], "v": doc["version"]}, desk.editor))["updateDocument"]["document"]
    # The draft is not public: the published version is still what is found.
    assert await titles(gql, "低保") == ["城乡低保工作通知"]
    assert await titles(gql, "特困") == []
    d = (await gql.data(SUBMIT, {"id": draft["id"], "v": draft["version"]}, desk.editor))["submitDocument"]["document"]
    d = (await step(gql, desk.editor, d))["document"]
    d = (await step(gql, desk.reviewer, d))["document"]
    published = await step(gql, desk.approver, d, checked=True)
    assert published["errors"] == []
    assert await titles(gql, "低保") == []
    assert await titles(gql, "特困") == ["特困人员供养通知"]

    # A new version that is no longer public leaves the index.
    hide = """mutation($id: ID!, $v: Int!) { updateDocument(id: $id, version: $v,
      input: {attribute: ON_REQUEST, attributeReason: "涉及个人信息"}) { document { id version } errors { code } } }"""
    d = published["document"]
    d = (await gql.data(hide, {"id": d["id"], "v": d["version"]}, desk.editor))["updateDocument"]["document"]
    d = (await gql.data(SUBMIT, {"id": d["id"], "v": d["version"]}, desk.editor))["submitDocument"]["document"]
    d = (await step(gql, desk.editor, d))["document"]
    d = (await step(gql, desk.reviewer, d))["document"]
    assert (await step(gql, desk.approver, d, checked=True))["errors"] == []
    assert await titles(gql, "特困") == []


async def test_unit_code_takes_ancestors_and_descendants(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    county = await make_place_desk(session, system, make_user, COUNTY, "县民政局", 11)
    town = await make_place_desk(session, system, make_user, TOWN, "城关镇人民政府", 12)
    sibling = await make_place_desk(session, system, make_user, SIBLING, "鹿厂镇人民政府", 13)
    village = await make_place_desk(session, system, make_user, VILLAGE, "城北村民委员会", 14)
    for desk, title in ((county, "县低保"), (town, "城关镇低保"), (sibling, "鹿厂镇低保"), (village, "城北村低保")):
        await publish(gql, desk, title=title)

    assert set(await titles(gql, "低保")) == {"县低保", "城关镇低保", "鹿厂镇低保", "城北村低保"}
    assert set(await titles(gql, "低保", COUNTY)) == {"县低保", "城关镇低保", "鹿厂镇低保", "城北村低保"}
    assert set(await titles(gql, "低保", TOWN)) == {"县低保", "城关镇低保", "城北村低保"}
    assert set(await titles(gql, "低保", VILLAGE)) == {"县低保", "城关镇低保", "城北村低保"}
    assert set(await titles(gql, "低保", SIBLING)) == {"县低保", "鹿厂镇低保"}
    bad = await gql(SEARCH, {"q": "低保", "u": "5134"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad["errors"][0]["extensions"]["field"] == "unitCode"


async def test_kiosk_searches_its_own_place(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    county = await make_place_desk(session, system, make_user, COUNTY, "县民政局", 21)
    town = await make_place_desk(session, system, make_user, TOWN, "城关镇人民政府", 22)
    sibling = await make_place_desk(session, system, make_user, SIBLING, "鹿厂镇人民政府", 23)
    for desk, title in ((county, "县低保"), (town, "城关镇低保"), (sibling, "鹿厂镇低保")):
        await publish(gql, desk, title=title)
    await publish(gql, town, title="城关镇低保名单", attribute="ON_REQUEST", attributeReason="涉及个人信息")
    kiosk = await make_user("kiosk1", Role.KIOSK, unit_code=TOWN)

    for elsewhere in (SIBLING, COUNTY):
        body = await gql(SEARCH, {"q": "低保", "u": elsewhere}, kiosk)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["errors"][0]["message"] == "本终端只能查询所在地及下级的信息"
    assert set(await titles(gql, "低保", token=kiosk)) == {"县低保", "城关镇低保"}
    assert set(await titles(gql, "低保", TOWN, kiosk)) == {"县低保", "城关镇低保"}
    assert set(await titles(gql, "低保", VILLAGE, kiosk)) == {"县低保", "城关镇低保"}


async def test_empty_query_gives_an_empty_page(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="低保通知")
    for q in ("", "   ", "，。！"):
        data = await gql.data(SEARCH, {"q": q})
        assert data["search"] == {
            "totalCount": 0,
            "totalCountExact": True,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }


async def test_search_page_runs_constant_statements(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any, app: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    storage = app.state.gongkai.storage
    for i in range(35):
        doc = await documents.create_document(
            session, system, storage, publisher_id=desk.org_pk, kind=DocumentKind.GOVERNMENT_INFO,
            fields_=documents.DocumentFields(
                title=f"低保文件{i}", body="低保" * (i % 7 + 1) + "资金发放。", attribute=DisclosureAttribute.PROACTIVE,
                domain_code="SOCIAL_ASSISTANCE", body_format=BodyFormat.TEXT,
            ),
            files=[documents.Upload(f"附件{i}.pdf", io.BytesIO(PDF + str(i).encode()))],
            tmp_dir=app.state.gongkai.settings.files_dir / "tmp", max_bytes=1 << 20,
        )  # fmt: skip
        doc = await documents.submit_document(session, system, document_id=doc.id, version=doc.version)
        for _ in range(3):
            doc = await documents.review_document(
                session, SystemActor(authorizer=system.authorizer), document_id=doc.id, version=doc.version,
                decision=Decision.APPROVE, confidentiality_checked=True,
            )  # fmt: skip
    query = """query($n: Int!, $a: String) { search(query: "低保 资金", first: $n, after: $a) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { snippet rank document {
        indexNo title publisher { name unit { code } } current { title domain { name } attachments { filename } }
        attachments { size } } } } } }"""

    async def count(n: int) -> tuple[int, dict[str, Any]]:
        statement_counter.start()
        data = await gql.data(query, {"n": n})
        used = statement_counter.stop()
        edges = data["search"]["edges"]
        assert len(edges) == n and data["search"]["totalCount"] == 35
        assert all(len(e["node"]["document"]["attachments"]) == 1 for e in edges)
        assert all("<mark>低保</mark>" in e["node"]["snippet"] for e in edges)
        assert edges[0]["node"]["document"]["current"]["domain"]["name"] == "社会救助"
        return used, data

    (small, _), (large, page) = await count(5), await count(30)
    assert small == large, statement_counter.statements
    # the synonym groups, count, the ids of each tier (资金 is in the bodies only: the title-and-summary
    # tier is empty, the page is the text tier's), their documents and versions, publishers, units,
    # domains, attachments
    assert large <= 9, statement_counter.statements
    rest = await gql.data(query, {"n": 30, "a": page["search"]["pageInfo"]["endCursor"]})
    assert len(rest["search"]["edges"]) == 5 and rest["search"]["pageInfo"]["hasNextPage"] is False
    capped = await gql.data(query, {"n": 500})
    assert len(capped["search"]["edges"]) == 35


def test_tokens_and_snippets() -> None:
    assert "低保" in tokenize("关于做好城乡低保工作的通知")
    assert "低保" not in tokenize("城乡最低生活保障")
    assert tokenize("Hello， World！\n") == ["hello", "world"]
    assert plain_text("<p>第一段</p><p>第<b>二</b>段 a&amp;b</p>", BodyFormat.HTML) == "第一段 第二段 a&b"
    assert snippet(["低保", "", ""], ["低保"]) == "<mark>低保</mark>"
    assert snippet(["标题", "摘要<>", "正文"], ["低保"]) == "摘要&lt;&gt;"
    text = "甲" * 100 + "低保" + "乙" * 100
    cut = snippet(["", "", text], ["低保"])
    assert cut == "…" + "甲" * 20 + "<mark>低保</mark>" + "乙" * 38 + "…"


async def test_a_query_longer_than_a_search_box_is_refused_before_jieba_cuts_it(session: Any, system: Any) -> None:
    # The schema bounds the argument too; the service refuses on its own for every other caller.
    assert search.query_tokens("低保" * 100)
    with pytest.raises(UserInputError) as refused:
        search.query_tokens("低" * 201)
    assert (refused.value.field, refused.value.code) == ("query", "TOO_LONG")
    with pytest.raises(UserInputError) as refused:
        await search.prepare_search(session, system, "低" * 201)
    assert (refused.value.field, refused.value.code) == ("query", "TOO_LONG")


async def test_a_search_pages_by_tier_and_stays_right_while_documents_are_published(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Title-or-summary hits first, then text-only hits, newest first in each; the cursors carry
    the tier, so a page that starts in one tier and ends in the next neither skips nor repeats a
    hit, and a document published between two pages does not shift the later ones."""
    desk = await make_desk(session, system, make_user)
    for i in range(3):
        await publish(gql, desk, title=f"低保公示{i}", body="名单如下。")
    for i in range(2):
        await publish(gql, desk, title=f"救助通知{i}", body="其中涉及低保的事项另行通知。")
    seen: list[tuple[str, float]] = []
    after = None
    while True:
        data = (await gql.data(SEARCH, {"q": "低保", "n": 2, "a": after}))["search"]
        seen += [(e["node"]["document"]["title"], e["node"]["rank"]) for e in data["edges"]]
        if not seen[2:]:
            await publish(gql, desk, title="低保公示新", body="新名单。")  # newer than every cursor
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == [("低保公示2", 1.0), ("低保公示1", 1.0), ("低保公示0", 1.0), ("救助通知1", 0.0), ("救助通知0", 0.0)]
    assert data["totalCount"] == 6 and data["totalCountExact"] is True  # counted after the sixth
    fresh = (await gql.data(SEARCH, {"q": "低保", "n": 1}))["search"]["edges"]
    assert fresh[0]["node"]["document"]["title"] == "低保公示新"
    # a tier there is none of, and an offset cursor (search paged by offset before migration 0020)
    for forged in ("a2V5czpbInNlYXJjaCIsWzcseyJ0IjoiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCJ9LDFdXQ==", "b2Zmc2V0OjQ="):
        error = (await gql(SEARCH, {"q": "低保", "a": forged}))["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after", "reason": "INVALID_CURSOR"}


async def test_the_search_count_is_bounded(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    desk = await make_desk(session, system, make_user)
    for i in range(4):
        await publish(gql, desk, title=f"低保公示{i}", body="名单如下。")
    exact = await search.search(session, SystemActor(authorizer=system.authorizer), "低保", first=1, count_limit=4)
    bounded = await search.search(session, SystemActor(authorizer=system.authorizer), "低保", first=1, count_limit=3)
    assert exact is not None and bounded is not None
    assert (await exact.count()).value == 4 and (await exact.count()).exact is True
    assert (await bounded.count()).value == 3 and (await bounded.count()).exact is False


async def test_postgresql_search_pages_read_their_index_in_order(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, app: Any, migrated: Any
) -> None:
    """A search page reads document_search alone (no row of documents per hit), in the order of
    ix_document_search_order (migration 0020): no sort of the hits, whatever their number. The
    long columns live out of line and the head's in the row (migration 0011)."""
    if not migrated.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL: .ci/run runs the suite against it as well")
    from sqlalchemy import event, text

    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="低保资金发放公示", body="本月低保资金已发放。" * 200)
    await publish(gql, desk, title="救助通知", body="其中涉及低保的事项另行通知。")
    recorded: list[tuple[str, Any]] = []
    engine = app.state.engine.sync_engine
    listener = lambda *a: recorded.append((a[2], a[3]))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert await titles(gql, "低保") == ["低保资金发放公示", "救助通知"]
        page = (await gql.data(SEARCH, {"q": "低保 资金", "n": 1}))["search"]
        await gql.data(SEARCH, {"q": "低保 资金", "n": 1, "a": page["pageInfo"]["endCursor"]})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    pages = [(s, p) for s, p in recorded if "ORDER BY document_search.published_at DESC NULLS LAST" in s]
    # each page reads the title-and-summary tier, then the text tier: its first page is not full
    assert len(pages) == 6 and not any(" documents" in s for s, _ in pages), [s for s, _ in recorded]
    async with app.state.engine.connect() as conn:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            await conn.execute(text(f"SET {setting} = off"))
        for statement, parameters in pages:
            explained = await conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
            nodes = _plan_nodes(explained.scalar_one()[0]["Plan"])
            kinds = [n["Node Type"] for n in nodes]
            assert "Sort" not in kinds and "Incremental Sort" not in kinds, (statement, kinds)
            assert any(n.get("Index Name") == "ix_document_search_order" for n in nodes), (statement, kinds)
        await conn.rollback()
        options = (
            await conn.execute(text("SELECT reloptions FROM pg_class WHERE oid = 'document_search'::regclass"))
        ).scalar()
        storage = dict(
            (await conn.execute(text(
                "SELECT attname, attstorage::text FROM pg_attribute WHERE attrelid = 'document_search'::regclass "
                "AND attname IN ('head', 'head_tsv', 'tsv', 'tokens')"
            ))).all()
        )  # fmt: skip
    assert "toast_tuple_target=128" in options
    assert storage == {"head": "m", "head_tsv": "m", "tsv": "x", "tokens": "x"}


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _plan_nodes(child))]


SYNONYMS_SET = """mutation($g: [[String!]!]!, $v: Int!) { setSearchSynonyms(groups: $g, version: $v) {
  synonyms { groups version } errors { field code message } } }"""


async def test_synonyms_are_the_offices_and_widen_a_query(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="关于做好城乡低保工作的通知", body="各乡镇要认真做好低保对象认定。")
    await publish(gql, desk, title="最低生活保障标准调整", body="城乡最低生活保障金按月发放。")
    await publish(gql, desk, title="最低工资标准", body="本省最低工资标准调整。")
    assert await titles(gql, "最低生活保障") == ["最低生活保障标准调整"]
    assert (await gql(SYNONYMS_SET, {"g": [["低保", "最低生活保障"]], "v": 0}, desk.editor))["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    bad = (await gql.data(SYNONYMS_SET, {"g": [["低保"]], "v": 0}, admin))["setSearchSynonyms"]
    assert bad["errors"][0]["code"] == "INVALID_GROUP"
    twice = await gql.data(SYNONYMS_SET, {"g": [["低保", "最低生活保障"], ["低保", "低保金"]], "v": 0}, admin)
    assert twice["setSearchSynonyms"]["errors"][0]["code"] == "INVALID_GROUP"
    saved = (await gql.data(SYNONYMS_SET, {"g": [["低保", "最低生活保障"]], "v": 0}, admin))["setSearchSynonyms"]
    assert saved["synonyms"] == {"groups": [["低保", "最低生活保障"]], "version": 1}
    assert (await gql.data("{ searchSynonyms { groups version } }"))["searchSynonyms"]["version"] == 1
    both = {"关于做好城乡低保工作的通知", "最低生活保障标准调整"}
    assert set(await titles(gql, "最低生活保障")) == both
    assert set(await titles(gql, "低保")) == both
    assert await titles(gql, "低保 认定") == ["关于做好城乡低保工作的通知"]  # the other words still all match
    hit = (await gql.data(SEARCH, {"q": "最低生活保障", "u": None}))["search"]["edges"]
    assert any("<mark>低保</mark>" in e["node"]["snippet"] for e in hit)
    stale = (await gql.data(SYNONYMS_SET, {"g": [], "v": 0}, admin))["setSearchSynonyms"]
    assert stale["errors"][0]["code"] == "CONFLICT"


async def test_one_character_finds_the_words_that_hold_it(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="关于做好城乡低保工作的通知", body="各乡镇要认真做好低保对象认定。")
    await publish(gql, desk, title="医疗救助", body="对困难群众实施医疗救助。")
    assert await titles(gql, "保") == ["关于做好城乡低保工作的通知"]
    assert set(await titles(gql, "疗")) == {"医疗救助"}
    assert await titles(gql, "保 救") == []


async def test_recall_and_precision_on_the_labelled_set(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """30 labelled queries (tests/search_labelled.py): recall and precision over all of them,
    without the synonyms and with them (the figures the README quotes)."""
    from ..search_labelled import DOCS, QUERIES, SYNONYMS, relevant

    desk = await make_desk(session, system, make_user)
    by_title = {}
    for key, (title, body) in DOCS.items():
        await publish(gql, desk, title=title, body=body)
        by_title[title] = key
    query = """query($q: String!) { search(query: $q, first: 100) { edges { node { document { title } } } } }"""

    async def measure() -> tuple[float, float]:
        found = wanted = right = 0
        for q in QUERIES:
            edges = (await gql.data(query, {"q": q}))["search"]["edges"]
            hits = {by_title[e["node"]["document"]["title"]] for e in edges}
            expected = relevant(q)
            found, wanted, right = found + len(hits), wanted + len(expected), right + len(hits & expected)
        return right / wanted, right / found

    plain_recall, plain_precision = await measure()
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    assert (await gql.data(SYNONYMS_SET, {"g": SYNONYMS, "v": 0}, admin))["setSearchSynonyms"]["errors"] == []
    recall, precision = await measure()
    print(
        f"labelled set: recall {plain_recall:.2f} -> {recall:.2f}, precision {plain_precision:.2f} -> {precision:.2f}"
    )
    assert recall > plain_recall and recall >= 0.95 and precision >= 0.95, (plain_recall, recall, precision)
