"""Another county's district office (印台区's ``yintai_office`` on the demo data): settings that
serve every county are changed only at ``*``, and grants go only to accounts inside one's scope."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from sqlalchemy import select, update

from api.demo.data import DEMO_PASSWORD
from api.models import AuditEntry, CalendarDay, InfoRequest, User

from ..conftest import GraphQLClient
from ..documents_fixtures import create, gid, make_desk
from ..schema.test_requests import make_office, staff_view, submit

CALENDAR = """mutation($days: [CalendarDayInput!]!) { setCalendarDays(days: $days) { recomputed errors { code } } }"""
TEMPLATE = """mutation($b: String!) { saveReplyTemplate(replyType: DISCLOSED, body: $b) { body errors { code } } }"""
GRANT = """mutation($u: ID!, $r: Role!, $c: String) { grantRole(input: {userId: $u, role: $r, unitCode: $c}) {
  grant { scopePath } errors { field code } } }"""


async def test_calendar_and_templates_are_changed_only_at_star(gql: GraphQLClient, demo: None, session: Any) -> None:
    days = {"days": [{"day": "2026-12-28", "working": False, "note": "演示"}]}
    for username in ("yintai_office", "huili_office"):
        token = await gql.login(username, DEMO_PASSWORD)
        for query, variables in ((CALENDAR, days), (TEMPLATE, {"b": "{applicant_name}：予以公开。"})):
            body = await gql(query, variables, token)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (username, body)
    assert await session.get(CalendarDay, date(2026, 12, 28)) is None

    admin = await gql.login("admin", DEMO_PASSWORD)
    assert (await gql.data(CALENDAR, days, admin))["setCalendarDays"]["errors"] == []
    saved = await gql.data(TEMPLATE, {"b": "{applicant_name}：予以公开。"}, admin)
    assert saved["saveReplyTemplate"]["errors"] == []
    rows = await session.execute(select(AuditEntry).where(AuditEntry.action.in_(["calendar.set", "request.template"])))
    assert {(r.action, r.scope_path) for r in rows.scalars()} == {("calendar.set", "*"), ("request.template", "*")}


async def test_a_role_is_granted_only_to_an_account_in_scope(gql: GraphQLClient, demo: None, session: Any) -> None:
    users = {u.username: u for u in (await session.execute(select(User))).scalars()}
    yintai = await gql.login("yintai_office", DEMO_PASSWORD)
    # 会理县's editor, and the kiosk (no organization: it lies at *), are outside 印台区.
    for name in ("editor", "kiosk_luchang"):
        body = await gql(GRANT, {"u": gid("User", users[name].id), "r": "AUDITOR", "c": "610203000000"}, yintai)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (name, body)
    # Inside 印台区 it works.
    own = await gql.data(
        GRANT, {"u": gid("User", users["yintai_office"].id), "r": "AUDITOR", "c": "610203000000"}, yintai
    )
    assert own["grantRole"]["errors"] == [] and own["grantRole"]["grant"]["scopePath"] == "610203"
    # 会理县's office grants in its county to its county's editor, not to the 印台区 office.
    huili = await gql.login("huili_office", DEMO_PASSWORD)
    ok = await gql.data(GRANT, {"u": gid("User", users["editor"].id), "r": "AUDITOR", "c": "513425000000"}, huili)
    assert ok["grantRole"]["errors"] == []
    refused = await gql(
        GRANT, {"u": gid("User", users["yintai_office"].id), "r": "AUDITOR", "c": "513425000000"}, huili
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_proactive_document_goes_through_the_document_read_check(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    other_desk = await make_desk(session, system, make_user, name="县财政局", seed=2)
    draft = await create(gql, other_desk)  # a draft of another organization: the FOI officer may not read it
    submitted = await submit(gql, o)
    request_id = (await staff_view(gql, o, submitted["trackingCode"]))["id"]
    draft_pk = int(base64.b64decode(draft["id"]).decode().split(":")[1])
    await session.execute(
        update(InfoRequest)
        .where(InfoRequest.tracking_code == submitted["trackingCode"])
        .values(proactive_document_id=draft_pk)
    )
    await session.commit()
    query = "query($id: ID!) { infoRequest(id: $id) { proactiveDocument { id status } } }"
    assert (await gql.data(query, {"id": request_id}, o.foi))["infoRequest"]["proactiveDocument"] is None
    assert (await gql.data(query, {"id": request_id}, o.district))["infoRequest"]["proactiveDocument"] == {
        "id": draft["id"],
        "status": "DRAFT",
    }
