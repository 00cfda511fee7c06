"""Publishing over HTTP: the three-step review, 索引号, visibility, versions, retraction."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, update

from api.models import AuditEntry, Document, Role
from api.services.documents import interpretation_overdue, parse_doc_number

from ..conftest import GraphQLClient
from ..documents_fixtures import SUBMIT, Desk, create, make_desk, publish, step

DOC = """query($id: ID!) { node(id: $id) { ... on Document {
  id indexNo status version title retractReason
  current { number title docNumber attribute domain { code } }
  workingVersion { number title status }
  versions { number status title }
  events { stage decision actorName comment confidentialityChecked versionNumber }
} } }"""


async def audit_count(session: Any) -> int:
    session.expire_all()
    return (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one()


async def test_three_step_review_publishes_with_index_number(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    before = await audit_count(session)
    doc = await create(gql, desk)
    assert doc["status"] == "DRAFT" and doc["indexNo"] is None
    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, desk.editor))["submitDocument"]["document"]
    assert doc["status"] == "FIRST_REVIEW"
    doc = (await step(gql, desk.editor, doc))["document"]
    assert doc["status"] == "REVIEW"
    doc = (await step(gql, desk.reviewer, doc))["document"]
    assert doc["status"] == "SIGN_OFF"
    unchecked = await step(gql, desk.approver, doc, checked=False)
    assert [(e["field"], e["code"]) for e in unchecked["errors"]] == [
        ("confidentialityChecked", "CONFIDENTIALITY_CHECK_REQUIRED")
    ]
    published = await step(gql, desk.approver, doc, checked=True)
    assert published["errors"] == []
    year = datetime.now(UTC).astimezone().year
    assert published["document"]["status"] == "PUBLISHED"
    assert re.fullmatch(rf"{desk.credit_code}/{year}-00001", published["document"]["indexNo"])
    assert await audit_count(session) == before + 5  # create, submit, 初审, 审核, 审发

    public = await gql.data(DOC, {"id": doc["id"]})
    node = public["node"]
    assert node["status"] == "PUBLISHED" and node["current"]["docNumber"] == "会理民发〔2026〕3号"
    assert node["events"] == [] and node["workingVersion"] is None
    staff = (await gql.data(DOC, {"id": doc["id"]}, desk.editor))["node"]
    assert [(e["stage"], e["decision"]) for e in staff["events"]] == [
        ("CREATE", None), ("SUBMIT", None), ("FIRST_REVIEW", "APPROVE"), ("REVIEW", "APPROVE"), ("SIGN_OFF", "APPROVE"),
    ]  # fmt: skip
    assert staff["events"][-1]["confidentialityChecked"] is True
    by_index = await gql.data("query($i: String!) { document(indexNo: $i) { title } }", {"i": node["indexNo"]})
    assert by_index["document"]["title"] == "关于做好2026年城乡低保工作的通知"
    second = await publish(gql, desk, title="第二篇")
    assert second["indexNo"].endswith(f"/{year}-00002")


async def test_return_sends_back_to_draft_with_comment(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    doc = await create(gql, desk)
    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, desk.editor))["submitDocument"]["document"]
    doc = (await step(gql, desk.editor, doc))["document"]
    silent = await step(gql, desk.reviewer, doc, "RETURN")
    assert [(e["field"], e["code"]) for e in silent["errors"]] == [("comment", "COMMENT_REQUIRED")]
    returned = await step(gql, desk.reviewer, doc, "RETURN", comment="请补充政策依据")
    assert returned["errors"] == [] and returned["document"]["status"] == "DRAFT"
    staff = (await gql.data(DOC, {"id": doc["id"]}, desk.editor))["node"]
    assert staff["events"][-1] == {
        "stage": "REVIEW", "decision": "RETURN", "actorName": "reviewer1", "comment": "请补充政策依据",
        "confidentialityChecked": None, "versionNumber": 1,
    }  # fmt: skip
    stale = await step(gql, desk.reviewer, doc)
    assert stale["errors"][0]["code"] == "CONFLICT"
    again = await step(gql, desk.reviewer, returned["document"])
    assert again["errors"][0]["code"] == "ILLEGAL_TRANSITION"


async def test_same_person_may_not_take_two_steps(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    from api.services import accounts

    desk = await make_desk(session, system, make_user)
    me = (await gql.data("{ me { id } }", token=desk.editor))["me"]["id"]
    from ..documents_fixtures import gid

    assert me
    user_id = int(__import__("base64").b64decode(me).decode().split(":")[1])
    await accounts.grant_role(session, system, user_id=user_id, role=Role.REVIEWER, organization_id=desk.org_pk)
    doc = await create(gql, desk)
    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, desk.editor))["submitDocument"]["document"]
    doc = (await step(gql, desk.editor, doc))["document"]
    refused = await step(gql, desk.editor, doc)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("id", "SAME_REVIEWER")]
    assert "初审" in refused["errors"][0]["message"]
    ok = await step(gql, desk.reviewer, doc)
    assert ok["errors"] == []
    assert gid("Document", 1)


async def test_reviewer_of_another_department_is_forbidden(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    other = await make_desk(session, system, make_user, name="县财政局", seed=2)
    doc = await create(gql, desk)
    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, desk.editor))["submitDocument"]["document"]
    body = await gql(
        "mutation($id: ID!, $v: Int!) { reviewDocument(id: $id, version: $v, decision: APPROVE) { errors { code } } }",
        {"id": doc["id"], "v": doc["version"]},
        other.editor,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


LIST = "{ documents(first: 50) { totalCount edges { node { title status } } } }"


async def test_public_sees_only_published_disclosable_documents(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await create(gql, desk, title="草稿")
    await publish(gql, desk, title="主动公开")
    await publish(gql, desk, title="部分公开", attribute="PARTIAL", attributeReason="涉及个人隐私的部分不公开")
    await publish(gql, desk, title="依申请公开", attribute="ON_REQUEST", attributeReason="仅涉及特定对象")
    retract_me = await publish(gql, desk, title="将撤回")
    retracted = await gql.data(
        """mutation($id: ID!, $v: Int!) { retractDocument(id: $id, version: $v, reason: "内容有误") {
             document { status retractReason } errors { code } } }""",
        {"id": retract_me["id"], "v": retract_me["version"]},
        desk.approver,
    )
    assert retracted["retractDocument"]["document"] == {"status": "RETRACTED", "retractReason": "内容有误"}

    public = {e["node"]["title"] for e in (await gql.data(LIST))["documents"]["edges"]}
    assert public == {"主动公开", "部分公开"}
    staff = {e["node"]["title"] for e in (await gql.data(LIST, token=desk.reviewer))["documents"]["edges"]}
    assert staff == {"草稿", "主动公开", "部分公开", "依申请公开", "将撤回"}
    gone = await gql.data("query($i: String!) { document(indexNo: $i) { title } }", {"i": retract_me["indexNo"]})
    assert gone["document"] is None
    assert (await gql.data(DOC, {"id": retract_me["id"]}))["node"] is None
    session.expire_all()
    assert (await session.execute(select(func.count()).select_from(Document))).scalar_one() == 5


async def test_reason_required_unless_proactive(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    from ..documents_fixtures import CREATE, content

    desk = await make_desk(session, system, make_user)
    data = await gql.data(
        CREATE,
        {"input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content(attribute="NOT_DISCLOSED")}},
        desk.editor,
    )
    assert [(e["field"], e["code"]) for e in data["createDocument"]["errors"]] == [
        ("attributeReason", "REASON_REQUIRED")
    ]
    bad_number = await gql.data(
        CREATE,
        {"input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content(docNumber="会理民发2026年3号")}},
        desk.editor,
    )
    assert [(e["field"], e["code"]) for e in bad_number["createDocument"]["errors"]] == [
        ("docNumber", "INVALID_DOC_NUMBER")
    ]


def test_doc_numbers_are_parsed_tolerantly() -> None:
    for raw in ("会理府办发〔2016〕107号", "会理府办发[2016]107号", "会理府办发(2016)107号", "会理府办发（2016）第107号",
                "会理府办发 〔2016〕 107 号"):  # fmt: skip
        number = parse_doc_number(raw)
        assert (number.text, number.agency, number.year, number.serial) == (
            "会理府办发〔2016〕107号", "会理府办发", 2016, 107
        )  # fmt: skip


async def test_editing_published_makes_a_new_version(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    doc = await publish(gql, desk, title="原标题")
    edit = """mutation($id: ID!, $v: Int!) { updateDocument(id: $id, version: $v, input: {title: "新标题"}) {
      document { id version status indexNo title } errors { code } } }"""
    edited = (await gql.data(edit, {"id": doc["id"], "v": doc["version"]}, desk.editor))["updateDocument"]
    assert edited["errors"] == []
    assert edited["document"]["status"] == "DRAFT" and edited["document"]["title"] == "原标题"
    stale = await gql.data(edit, {"id": doc["id"], "v": doc["version"]}, desk.editor)
    assert stale["updateDocument"]["errors"] == [{"code": "CONFLICT"}]
    public = (await gql.data(DOC, {"id": doc["id"]}))["node"]
    assert public["title"] == "原标题" and public["workingVersion"] is None
    staff = (await gql.data(DOC, {"id": doc["id"]}, desk.editor))["node"]
    assert staff["workingVersion"] == {"number": 2, "title": "新标题", "status": "DRAFT"}

    d = edited["document"]
    d = (await gql.data(SUBMIT, {"id": d["id"], "v": d["version"]}, desk.editor))["submitDocument"]["document"]
    d = (await step(gql, desk.editor, d))["document"]
    d = (await step(gql, desk.reviewer, d))["document"]
    d = (await step(gql, desk.approver, d, checked=True))["document"]
    assert d["indexNo"] == doc["indexNo"]
    after = (await gql.data(DOC, {"id": doc["id"]}, desk.editor))["node"]
    assert after["title"] == "新标题"
    assert [(v["number"], v["status"]) for v in after["versions"]] == [(1, "SUPERSEDED"), (2, "PUBLISHED")]
    assert [v["number"] for v in (await gql.data(DOC, {"id": doc["id"]}))["node"]["versions"]] == [2]


async def test_fifty_concurrent_publications_get_fifty_serials_without_gap(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    from api.auth.actor import SystemActor
    from api.models import Decision, DisclosureAttribute, DocumentKind
    from api.services import documents

    desk = await make_desk(session, system, make_user)
    tmp = system.authorizer  # noqa: F841 - the same authorizer the app uses
    ids = []
    for i in range(50):
        doc = await documents.create_document(
            session, system, _NoStorage(), publisher_id=desk.org_pk, kind=DocumentKind.NOTICE,
            fields_=documents.DocumentFields(title=f"通知{i}", attribute=DisclosureAttribute.PROACTIVE),
            tmp_dir=_tmp(), max_bytes=1,
        )  # fmt: skip
        for _ in range(2):
            doc = await documents.review_document(
                session, SystemActor(authorizer=system.authorizer), document_id=doc.id, version=doc.version,
                decision=Decision.APPROVE,
            ) if doc.status.value != "DRAFT" else await documents.submit_document(
                session, system, document_id=doc.id, version=doc.version
            )  # fmt: skip
        doc = await documents.review_document(
            session, system, document_id=doc.id, version=doc.version, decision=Decision.APPROVE
        )
        assert doc.status.value == "SIGN_OFF"
        ids.append((doc.id, doc.version))

    from ..documents_fixtures import REVIEW, gid

    async def sign(doc_id: int, version: int) -> dict[str, Any]:
        variables = {"id": gid("Document", doc_id), "v": version, "d": "APPROVE", "k": True}
        return (await gql.data(REVIEW, variables, desk.approver))["reviewDocument"]

    results = await asyncio.gather(*(sign(i, v) for i, v in ids))
    assert all(r["errors"] == [] for r in results), [r["errors"] for r in results if r["errors"]]
    serials = sorted(int(r["document"]["indexNo"].rsplit("-", 1)[1]) for r in results)
    assert serials == list(range(1, 51))


class _NoStorage:
    def put(self, sha256: str, source: Any) -> bool:
        raise AssertionError("no files expected")

    def delete(self, sha256: str) -> None:
        pass


def _tmp() -> Any:
    import tempfile
    from pathlib import Path

    return Path(tempfile.gettempdir()) / "gongkai-test-uploads"


async def test_documents_page_runs_constant_statements(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any, app: Any
) -> None:
    from api.auth.actor import SystemActor
    from api.models import Decision, DisclosureAttribute, DocumentKind
    from api.services import documents

    desk = await make_desk(session, system, make_user)
    storage = app.state.gongkai.storage
    pdf = __import__("tests.documents_fixtures", fromlist=["PDF"]).PDF
    for i in range(50):
        doc = await documents.create_document(
            session, system, storage, publisher_id=desk.org_pk, kind=DocumentKind.GOVERNMENT_INFO,
            fields_=documents.DocumentFields(title=f"文件{i}", attribute=DisclosureAttribute.PROACTIVE,
                                             domain_code="SOCIAL_ASSISTANCE"),
            files=[documents.Upload(f"附件{i}.pdf", __import__("io").BytesIO(pdf + str(i).encode()))],
            tmp_dir=app.state.gongkai.settings.files_dir / "tmp", max_bytes=1 << 20,
        )  # fmt: skip
        doc = await documents.submit_document(session, system, document_id=doc.id, version=doc.version)
        for _ in range(3):
            doc = await documents.review_document(
                session, SystemActor(authorizer=system.authorizer), document_id=doc.id, version=doc.version,
                decision=Decision.APPROVE, confidentiality_checked=True,
            )  # fmt: skip
    query = """query($n: Int!) { documents(first: $n) { totalCount edges { node {
      indexNo title publisher { name unit { code } } current { domain { name } attachments { filename url } }
      attachments { size } } } } }"""

    async def count(n: int) -> int:
        statement_counter.start()
        data = await gql.data(query, {"n": n})
        used = statement_counter.stop()
        edges = data["documents"]["edges"]
        assert len(edges) == n and all(len(e["node"]["attachments"]) == 1 for e in edges)
        assert edges[0]["node"]["current"]["domain"]["name"] == "社会救助"
        return used

    small, large = await count(5), await count(50)
    assert small == large, statement_counter.statements
    assert large <= 8, statement_counter.statements


async def test_interpretation_overdue_flag(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    desk = await make_desk(session, system, make_user)
    policy = await publish(gql, desk, title="政策文件", isPolicy=True)
    query = """query($id: ID!) { node(id: $id) { ... on Document { interpretationDue interpretationOverdue
      interpretations { title } } } }"""
    fresh = (await gql.data(query, {"id": policy["id"]}))["node"]
    assert fresh["interpretationOverdue"] is False
    assert date.fromisoformat(fresh["interpretationDue"]) > date.today()
    # The policy was published long ago: move its due date into the past.
    pk = int(__import__("base64").b64decode(policy["id"]).decode().split(":")[1])
    await session.execute(update(Document).where(Document.id == pk).values(interpretation_due=date(2026, 1, 8)))
    await session.commit()
    assert (await gql.data(query, {"id": policy["id"]}))["node"]["interpretationOverdue"] is True
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    overdue = (
        "query($u: String!) { overdueInterpretations(unitCode: $u) { edges { node { title interpretationDue } } } }"
    )
    listed = (await gql.data(overdue, {"u": "513425000000"}, office))["overdueInterpretations"]["edges"]
    assert [e["node"] for e in listed] == [{"title": "政策文件", "interpretationDue": "2026-01-08"}]
    anonymous = await gql(overdue, {"u": "513425000000"})
    assert anonymous["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")

    from ..documents_fixtures import CREATE, content

    interp = await gql.data(
        CREATE,
        {"input": {"publisherId": desk.org_id, "kind": "POLICY_INTERPRETATION", "content": content(title="解读")}},
        desk.editor,
    )
    interp_doc = interp["createDocument"]["document"]
    linked = await gql.data(
        """mutation($i: ID!, $p: ID!) { linkInterpretation(interpretationId: $i, policyId: $p) {
             document { id version } errors { code } } }""",
        {"i": interp_doc["id"], "p": policy["id"]},
        desk.editor,
    )
    assert linked["linkInterpretation"]["errors"] == []
    d = linked["linkInterpretation"]["document"]
    d = (await gql.data(SUBMIT, {"id": d["id"], "v": d["version"]}, desk.editor))["submitDocument"]["document"]
    d = (await step(gql, desk.editor, d))["document"]
    d = (await step(gql, desk.reviewer, d))["document"]
    await step(gql, desk.approver, d, checked=True)
    after = (await gql.data(query, {"id": policy["id"]}))["node"]
    assert after["interpretationOverdue"] is False and after["interpretations"] == [{"title": "解读"}]
    assert (await gql.data(overdue, {"u": "513425000000"}, office))["overdueInterpretations"]["edges"] == []


async def test_an_interpretation_links_to_a_policy_only(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    from ..documents_fixtures import CREATE, content

    desk = await make_desk(session, system, make_user)
    notice = await publish(gql, desk, title="普通通知")
    interp = await gql.data(
        CREATE,
        {"input": {"publisherId": desk.org_id, "kind": "POLICY_INTERPRETATION", "content": content(title="解读")}},
        desk.editor,
    )
    linked = await gql.data(
        """mutation($i: ID!, $p: ID!) { linkInterpretation(interpretationId: $i, policyId: $p) {
             document { id } errors { field code message } } }""",
        {"i": interp["createDocument"]["document"]["id"], "p": notice["id"]},
        desk.editor,
    )
    error = linked["linkInterpretation"]["errors"][0]
    assert (error["field"], error["code"]) == ("policyId", "NOT_POLICY") and "政策文件" in error["message"]
    again = await gql.data("query($id: ID!) { node(id: $id) { ... on Document { isPolicy } } }", {"id": notice["id"]})
    assert again["node"]["isPolicy"] is False


def test_working_days_skip_holidays() -> None:
    from api.workdays import add_working_days

    # 2026-09-30 (Wed) + 3 working days: the National Day holiday runs to 10-07; 10-10 (Sat) is a 调休 workday.
    due, provisional = add_working_days(date(2026, 9, 30), 3)
    assert not provisional and due > date(2026, 10, 7)
    # A year no release of chinesecalendar will know: weekdays only, provisional (Monday + 3 = Thursday).
    later, provisional = add_working_days(date(2099, 3, 2), 3)
    assert provisional and later == date(2099, 3, 5)
    assert interpretation_overdue.__doc__


async def test_review_queue_shows_what_waits_for_me(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk: Desk = await make_desk(session, system, make_user)
    doc = await create(gql, desk, title="待审")
    await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, desk.editor)
    queue = "{ reviewQueue { totalCount edges { node { title status } } } }"
    assert (await gql.data(queue, token=desk.editor))["reviewQueue"]["totalCount"] == 1
    assert (await gql.data(queue, token=desk.reviewer))["reviewQueue"]["totalCount"] == 0
    assert (await gql(queue))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_html_body_is_sanitised_on_write(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    desk = await make_desk(session, system, make_user)
    html = (
        '<p onclick="steal()">低保<script>alert(1)</script><a href="javascript:x()">链接</a><strong>标准</strong></p>'
    )
    doc = await create(gql, desk, body=html, bodyFormat="HTML")
    body = (await gql.data('query($id: ID!) { node(id: $id) { ... on Document { current { body } } } }',
                           {"id": doc["id"]}, desk.editor))["node"]["current"]["body"]  # fmt: skip
    assert "<script" not in body and "onclick" not in body and "javascript:" not in body
    assert "<strong>标准</strong>" in body and "低保" in body


async def test_documents_filters(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    from api.models import OrganizationKind, UnitKind
    from api.services import units

    desk = await make_desk(session, system, make_user)
    await units.create_unit(session, system, code="513425101000", name="鹿厂镇", kind=UnitKind.ZHEN)
    town = await units.create_organization(
        session, system, unit_code="513425101000", name="鹿厂镇政府", kind=OrganizationKind.TOWN_GOVERNMENT,
        credit_code=__import__("tests.documents_fixtures", fromlist=["credit"]).credit(9),
    )  # fmt: skip
    town_pk = town.id
    tokens = [
        await make_user(f"t{r.value}", r, organization_id=town_pk) for r in (Role.EDITOR, Role.REVIEWER, Role.APPROVER)
    ]
    town_desk = Desk(
        town_pk, "", __import__("tests.documents_fixtures", fromlist=["gid"]).gid("Organization", town_pk), *tokens
    )
    await publish(gql, desk, title="县级低保", domainCode="社会救助")
    await publish(gql, desk, title="县级养老", domainCode="养老服务")
    await publish(gql, town_desk, title="镇级补贴", domainCode="涉农补贴")
    query = "query($f: DocumentFilterInput) { documents(filter: $f) { totalCount edges { node { title } } } }"

    async def titles(f: dict[str, Any]) -> set[str]:
        return {e["node"]["title"] for e in (await gql.data(query, {"f": f}))["documents"]["edges"]}

    assert await titles({"unitCode": "513425000000"}) == {"县级低保", "县级养老"}
    assert await titles({"unitCode": "513425000000", "includeDescendants": True}) == {
        "县级低保",
        "县级养老",
        "镇级补贴",
    }
    assert await titles({"unitCode": "513425101000"}) == {"镇级补贴"}
    assert await titles({"domainCode": "SOCIAL_ASSISTANCE"}) == {"县级低保"}
    assert await titles({"organizationId": town_desk.org_id}) == {"镇级补贴"}
    assert await titles({"publishedFrom": "2000-01-01", "publishedTo": "2000-12-31"}) == set()
    assert await titles({"kind": "NOTICE"}) == set()


async def test_index_scheme_is_configurable_per_organization(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    org = (
        await gql.data("query($id: ID!) { node(id: $id) { ... on Organization { version } } }", {"id": desk.org_id})
    )["node"]
    update_ = """mutation($id: ID!, $v: Int!, $s: String!) { updateOrganization(input: {id: $id, version: $v, indexScheme: $s}) {
      organization { indexScheme version } errors { field code } } }"""
    bad = await gql.data(update_, {"id": desk.org_id, "v": org["version"], "s": "HLMZ-{year}"}, office)
    assert bad["updateOrganization"]["errors"] == [{"field": "indexScheme", "code": "INVALID_INDEX_SCHEME"}]
    ok = await gql.data(update_, {"id": desk.org_id, "v": org["version"], "s": "HLMZ/{year}/{serial:04d}"}, office)
    assert ok["updateOrganization"]["organization"]["indexScheme"] == "HLMZ/{year}/{serial:04d}"
    doc = await publish(gql, desk)
    assert re.fullmatch(r"HLMZ/\d{4}/0001", doc["indexNo"])
