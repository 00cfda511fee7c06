"""Public commitments (issue 15): the derived status, who may change them, evidence, the circular."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from api.demo.data import DEMO_PASSWORD, HUILI_CODE, TARGET_YEAR
from api.localtime import today
from api.models import AuditEntry, OrganizationKind, Role, UnitKind
from api.services import units

from ..conftest import GraphQLClient
from ..documents_fixtures import credit, gid, make_desk, publish

FIELDS = """id version status statusLabel kind kindLabel title year organization { name } unit { code }
  milestones { number title dueOn doneOn overdue } progress { reportedOn text evidence { id } }
  events { kind version summary actorName }"""
CREATE = f"""mutation($o: ID!, $u: String!, $i: CommitmentInput!, $m: [CommitmentMilestoneInput!]) {{
  createCommitment(organizationId: $o, unitCode: $u, input: $i, milestones: $m) {{
    commitment {{ {FIELDS} }} errors {{ field code message }} }} }}"""
COMPLETE = f"""mutation($id: ID!, $v: Int!, $n: Int!, $d: Date!) {{
  completeCommitmentMilestone(id: $id, version: $v, milestone: $n, doneOn: $d) {{
    commitment {{ {FIELDS} }} errors {{ field code message }} }} }}"""
PROGRESS = f"""mutation($id: ID!, $v: Int!, $i: CommitmentProgressInput!) {{
  addCommitmentProgress(id: $id, version: $v, input: $i) {{ commitment {{ {FIELDS} }} errors {{ field code message }} }} }}"""
ADD_MILESTONE = f"""mutation($id: ID!, $v: Int!, $i: CommitmentMilestoneInput!) {{
  addCommitmentMilestone(id: $id, version: $v, input: $i) {{ commitment {{ {FIELDS} }} errors {{ field code }} }} }}"""
UPDATE = f"""mutation($id: ID!, $v: Int!, $i: CommitmentInput!) {{
  updateCommitment(id: $id, version: $v, input: $i) {{ commitment {{ {FIELDS} }} errors {{ field code }} }} }}"""
LIST = f"""query($u: String!, $y: Int, $s: CommitmentStatus, $first: Int) {{
  commitments(unitCode: $u, year: $y, status: $s, first: $first) {{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}"""
STATUSES = """query($u: String!, $s: CommitmentStatus) {
  commitments(unitCode: $u, status: $s, first: 100) { edges { node { id status } } } }"""
CIRCULAR = """query($u: String!, $m: String!) { monthlyCircular(unitCode: $u, month: $m) {
  rows { organization { name } } overdueMilestones { commitmentId commitmentTitle commitmentKind organization { name }
  milestoneNumber milestoneTitle dueOn daysOverdue } } }"""
COUNTY = "513425000000"


def ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def ahead(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


async def create(
    gql: GraphQLClient, token: str | None, org_id: str, milestones: list[dict[str, str]], **kw: Any
) -> Any:
    unit = kw.pop("unit", COUNTY)
    item = {"kind": "LIVELIHOOD", "title": "改造弃管小区20个", "year": today().year, "target": "完成20个弃管小区改造"}
    item.update(kw)
    return await gql(CREATE, {"o": org_id, "u": unit, "i": item, "m": milestones}, token)


async def statuses(gql: GraphQLClient, status: str) -> set[str]:
    data = await gql.data(STATUSES, {"u": COUNTY, "s": status})
    found = {e["node"]["id"] for e in data["commitments"]["edges"]}
    assert all(e["node"]["status"] == status for e in data["commitments"]["edges"])
    return found


async def test_status_follows_milestones_and_progress_and_the_filter_agrees(
    gql: GraphQLClient, session: Any, system: Any, make_user: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    body = await create(gql, desk.editor, desk.org_id, [{"title": "完成方案", "dueOn": ago(10)},
                                                        {"title": "全部竣工", "dueOn": ahead(60)}])  # fmt: skip
    c = body["data"]["createCommitment"]["commitment"]
    assert body["data"]["createCommitment"]["errors"] == []
    assert (c["status"], c["statusLabel"], c["kindLabel"]) == ("OVERDUE", "逾期", "民生实事")
    assert [m["overdue"] for m in c["milestones"]] == [True, False]
    fresh = (await create(gql, desk.editor, desk.org_id, [], title="新建农村公路10公里"))["data"]["createCommitment"]
    assert fresh["commitment"]["status"] == "NOT_STARTED"
    # Anonymous callers read them; the filter and the field agree for every status.
    assert await statuses(gql, "OVERDUE") == {c["id"]} and await statuses(gql, "NOT_STARTED") == {
        fresh["commitment"]["id"]
    }
    assert await statuses(gql, "IN_PROGRESS") == set() == await statuses(gql, "COMPLETED")

    stale = await gql.data(COMPLETE, {"id": c["id"], "v": c["version"] - 1, "n": 1, "d": ago(1)}, desk.editor)
    assert stale["completeCommitmentMilestone"]["errors"][0]["code"] == "CONFLICT"
    future = await gql.data(COMPLETE, {"id": c["id"], "v": c["version"], "n": 1, "d": ahead(1)}, desk.editor)
    assert future["completeCommitmentMilestone"]["errors"][0]["code"] == "IN_FUTURE"
    done = await gql.data(COMPLETE, {"id": c["id"], "v": c["version"], "n": 1, "d": ago(1)}, desk.approver)
    c = done["completeCommitmentMilestone"]["commitment"]
    assert c["status"] == "IN_PROGRESS" and c["milestones"][0]["doneOn"] == ago(1) and c["version"] == 2
    assert await statuses(gql, "IN_PROGRESS") == {c["id"]} and await statuses(gql, "OVERDUE") == set()
    again = await gql.data(COMPLETE, {"id": c["id"], "v": c["version"], "n": 1, "d": ago(1)}, desk.editor)
    assert again["completeCommitmentMilestone"]["errors"][0]["code"] == "ALREADY_DONE"

    # Progress with evidence: published documents only.
    doc = await publish(gql, desk)
    no_doc = gid("Document", 999999)
    refused = await gql.data(PROGRESS, {"id": c["id"], "v": c["version"], "i": {
        "reportedOn": ago(0), "text": "已完成12个小区改造", "evidenceIds": [doc["id"], no_doc]}}, desk.editor)  # fmt: skip
    assert refused["addCommitmentProgress"]["errors"][0]["code"] == "EVIDENCE_NOT_PUBLISHED"
    reported = await gql.data(PROGRESS, {"id": c["id"], "v": c["version"], "i": {
        "reportedOn": ago(0), "text": "已完成12个小区改造", "evidenceIds": [doc["id"]]}}, desk.editor)  # fmt: skip
    c = reported["addCommitmentProgress"]["commitment"]
    assert c["progress"] == [{"reportedOn": ago(0), "text": "已完成12个小区改造", "evidence": [{"id": doc["id"]}]}]

    last = await gql.data(COMPLETE, {"id": c["id"], "v": c["version"], "n": 2, "d": ago(0)}, desk.editor)
    c = last["completeCommitmentMilestone"]["commitment"]
    assert c["status"] == "COMPLETED" and await statuses(gql, "COMPLETED") == {c["id"]}
    added = await gql.data(ADD_MILESTONE, {"id": c["id"], "v": c["version"], "i": {"title": "回访", "dueOn": ago(2)}},
                           desk.editor)  # fmt: skip
    c = added["addCommitmentMilestone"]["commitment"]
    assert c["status"] == "OVERDUE" and c["milestones"][2] == {"number": 3, "title": "回访", "dueOn": ago(2),
                                                              "doneOn": None, "overdue": True}  # fmt: skip
    # The history: one event per change, each at the version it made; an audit row for each.
    assert [(e["kind"], e["version"]) for e in c["events"]] == [
        ("CREATED", 1), ("MILESTONE_COMPLETED", 2), ("PROGRESS_ADDED", 3), ("MILESTONE_COMPLETED", 4),
        ("MILESTONE_ADDED", 5),
    ]  # fmt: skip
    actions = (await session.execute(select(AuditEntry.action).where(AuditEntry.target_type == "Commitment"))).scalars()
    assert sorted(actions) == sorted(["commitment.created"] * 2 + ["commitment.milestone_completed"] * 2 +
                                     ["commitment.progress_added", "commitment.milestone_added"])  # fmt: skip


async def test_only_the_owner_organization_and_the_office_change_a_commitment(
    gql: GraphQLClient, session: Any, system: Any, make_user: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    other = await make_desk(session, system, make_user, name="县教育局", seed=2)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code=COUNTY)
    anonymous = await create(gql, None, desk.org_id, [])
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    foreign = await create(gql, other.editor, desk.org_id, [])
    assert foreign["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    reviewer = await create(gql, desk.reviewer, desk.org_id, [])
    assert reviewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    made = (await create(gql, office, desk.org_id, [], kind="PLEDGE", title="承诺办结时限压缩一半"))["data"]
    c = made["createCommitment"]["commitment"]
    assert c["kindLabel"] == "承诺事项" and c["organization"]["name"] == "县民政局"
    changed = await gql(UPDATE, {"id": c["id"], "v": c["version"], "i": {"kind": "PLEDGE", "title": "改", "year": 2026}},
                        other.editor)  # fmt: skip
    assert changed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    renamed = await gql.data(UPDATE, {"id": c["id"], "v": c["version"], "i": {
        "kind": "PLEDGE", "title": "承诺办结时限压缩三分之一", "year": 2026}}, desk.editor)  # fmt: skip
    assert renamed["updateCommitment"]["commitment"]["title"] == "承诺办结时限压缩三分之一"
    empty = await gql.data(UPDATE, {"id": c["id"], "v": 2, "i": {"kind": "PLEDGE", "title": " ", "year": 2026}},
                           desk.editor)  # fmt: skip
    assert empty["updateCommitment"]["errors"] == [{"field": "title", "code": "REQUIRED"}]
    # A town's people: a county department may commit to them; a town may not commit to the county.
    await units.create_unit(session, system, code="513425101000", name="鹿厂镇", kind=UnitKind.ZHEN)
    town = await units.create_organization(session, system, unit_code="513425101000", name="鹿厂镇政府",
                                           kind=OrganizationKind.TOWN_GOVERNMENT, credit_code=credit(9))  # fmt: skip
    down = (await create(gql, office, desk.org_id, [], unit="513425101000"))["data"]["createCommitment"]
    assert down["errors"] == [] and down["commitment"]["unit"]["code"] == "513425101000"
    up = (await create(gql, office, gid("Organization", town.id), []))["data"]["createCommitment"]
    assert up["errors"][0]["code"] == "OUTSIDE_UNIT"
    # The town's list holds the town's commitment, not the county's.
    listed = await gql.data(LIST, {"u": "513425101000"})
    assert [e["node"]["id"] for e in listed["commitments"]["edges"]] == [down["commitment"]["id"]]


async def test_an_overdue_milestone_appears_in_the_circular_and_its_export(
    client: httpx.AsyncClient, gql: GraphQLClient, session: Any, system: Any, make_user: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code=COUNTY)
    milestones = [{"title": "完成选址", "dueOn": ago(3)}, {"title": "开工建设", "dueOn": ahead(400)}]
    c = (await create(gql, desk.editor, desk.org_id, milestones))["data"]["createCommitment"]["commitment"]
    done = await create(gql, desk.editor, desk.org_id, [{"title": "已按期完成", "dueOn": ago(5)}], title="另一项")
    other = done["data"]["createCommitment"]["commitment"]
    await gql.data(COMPLETE, {"id": other["id"], "v": other["version"], "n": 1, "d": ago(6)}, desk.editor)
    month = f"{today():%Y-%m}"
    circular = (await gql.data(CIRCULAR, {"u": COUNTY, "m": month}, office))["monthlyCircular"]
    assert circular["overdueMilestones"] == [{
        "commitmentId": c["id"], "commitmentTitle": "改造弃管小区20个", "commitmentKind": "LIVELIHOOD",
        "organization": {"name": "县民政局"}, "milestoneNumber": 1, "milestoneTitle": "完成选址", "dueOn": ago(3),
        "daysOverdue": 3,
    }]  # fmt: skip
    # A month before the due day lists nothing.
    earlier = (today() - timedelta(days=40)).strftime("%Y-%m")
    assert (await gql.data(CIRCULAR, {"u": COUNTY, "m": earlier}, office))["monthlyCircular"]["overdueMilestones"] == []

    auth = {"Authorization": f"Bearer {office}"}
    xlsx = await client.get("/exports/monthly-circular", params={"unitCode": COUNTY, "month": month}, headers=auth)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["逾期承诺节点"]
    assert [c.value for c in sheet[3]] == [1, "县民政局", "民生实事", "改造弃管小区20个", "1. 完成选址", ago(3), 3]
    assert sheet.max_row == 3
    md = await client.get("/exports/monthly-circular", params={"unitCode": COUNTY, "month": month, "format": "md"},
                          headers=auth)  # fmt: skip
    assert "| 1 | 县民政局 | 民生实事 | 改造弃管小区20个 | 1. 完成选址 |" in md.text and "已按期完成" not in md.text


async def test_the_list_runs_constant_statements(
    gql: GraphQLClient, session: Any, system: Any, make_user: Any, statement_counter: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    doc = await publish(gql, desk)

    async def add(n: int) -> None:
        for i in range(n):
            c = await create(gql, desk.editor, desk.org_id, [{"title": "节点", "dueOn": ago(i)}], title=f"事项{i}")
            made = c["data"]["createCommitment"]["commitment"]
            await gql.data(PROGRESS, {"id": made["id"], "v": made["version"], "i": {
                "reportedOn": ago(0), "text": "进展", "evidenceIds": [doc["id"]]}}, desk.editor)  # fmt: skip

    async def count() -> tuple[int, int]:
        statement_counter.start()
        data = await gql.data(LIST, {"u": COUNTY, "first": 20})
        return statement_counter.stop(), len(data["commitments"]["edges"])

    await add(2)
    small, shown = await count()
    await add(10)
    large, more = await count()
    assert (shown, more) == (2, 12) and small == large, statement_counter.statements


async def test_the_demo_circular_lists_the_demo_overdue_milestone(gql: GraphQLClient, demo: None) -> None:
    office = await gql.login("huili_office", DEMO_PASSWORD)
    circular = (await gql.data(CIRCULAR, {"u": HUILI_CODE, "m": f"{TARGET_YEAR}-11"}, office))["monthlyCircular"]
    late = [(m["commitmentTitle"], m["milestoneTitle"], m["daysOverdue"]) for m in circular["overdueMilestones"]]
    assert late == [("弃管小区改造（演示）", "竣工验收", 61)]
    listed = await gql.data(STATUSES, {"u": HUILI_CODE, "s": "OVERDUE"})
    assert len(listed["commitments"]["edges"]) == 1
