"""Information requests over HTTP: the walk to the archive, the statutory clock, privacy."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update
from strawberry import relay

from api.models import AuditEntry, EventKind, InfoRequest, OrganizationKind, ReplyReason, RequestEvent, Role, UnitKind
from api.models.requests import REASONS_BY_TYPE
from api.services import units
from api.services.requests.replies import DEFAULT_TEMPLATES, LETTER_REASONS

from ..conftest import GraphQLClient
from ..documents_fixtures import credit, gid

SUBMIT = """mutation($input: InfoRequestInput!) { submitInfoRequest(input: $input) {
  trackingCode password status { status dueOn } errors { field code message } } }"""
REQUEST = """query($id: ID!) { infoRequest(id: $id) { id version status receivedOn clockStart dueOn provisional
  extensionDays idNumber phone archiveNo replyType replyLetter events { kind onDate comment } } }"""
STATUS = """query($c: String!, $p: String!) { infoRequestStatus(trackingCode: $c, password: $p) {
  status dueOn replyType replyLetter } }"""


@dataclass
class Office:
    org_id: str
    org_pk: int
    foi: str
    district: str


async def make_office(session: Any, system: Any, make_user: Any) -> Office:
    await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    org = await units.create_organization(session, system, unit_code="513425000000", name="县民政局",
                                          kind=OrganizationKind.DEPARTMENT, credit_code=credit(7), short_name="HLMZ")  # fmt: skip
    return Office(
        org_id=gid("Organization", org.id), org_pk=org.id,
        foi=await make_user("foi", Role.FOI_OFFICER, organization_id=org.id),
        district=await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000"),
    )  # fmt: skip


def applicant(o: Office, **extra: Any) -> dict[str, Any]:
    base = {"organizationId": o.org_id, "channel": "ONLINE", "applicantType": "NATURAL_PERSON", "applicantName": "张三",
            "idNumber": "513425199001011234", "phone": "13800001234", "description": "2026年低保资金发放明细"}  # fmt: skip
    return {**base, **extra}


async def submit(gql: GraphQLClient, o: Office, token: str | None = None, **extra: Any) -> dict[str, Any]:
    data = (await gql.data(SUBMIT, {"input": applicant(o, **extra)}, token))["submitInfoRequest"]
    assert data["errors"] == [], data
    return data


async def staff_view(gql: GraphQLClient, o: Office, tracking: str) -> dict[str, Any]:
    rows = await gql.data("{ infoRequests(first: 100) { edges { node { id trackingCode } } } }", token=o.foi)
    rid = next(e["node"]["id"] for e in rows["infoRequests"]["edges"] if e["node"]["trackingCode"] == tracking)
    return (await gql.data(REQUEST, {"id": rid}, o.foi))["infoRequest"]


async def step(
    gql: GraphQLClient, token: str, mutation: str, r: dict[str, Any], args: str = "", **variables: Any
) -> dict[str, Any]:
    decl = "".join(f", ${k}: {t}" for k, (t, _v) in variables.items())
    call = "".join(f", {k}: ${k}" for k in variables)
    query = f"""mutation($id: ID!, $version: Int!{decl}) {{ {mutation}(id: $id, version: $version{call}{args}) {{
      request {{ id version status dueOn provisional archiveNo replyType replyLetter }} errors {{ field code message }} }} }}"""
    values = {"id": r["id"], "version": r["version"], **{k: v for k, (_t, v) in variables.items()}}
    return (await gql.data(query, values, token))[mutation]


async def test_walk_from_receipt_to_archive(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    o = await make_office(session, system, make_user)
    submitted = await submit(gql, o)
    assert submitted["status"]["status"] == "RECEIVED"
    r = await staff_view(gql, o, submitted["trackingCode"])
    for mutation, extra in (("registerInfoRequest", {}), ("assignInfoRequest", {"organizationId": ("ID!", o.org_id)}),
                            ("sendInfoRequestForReview", {})):  # fmt: skip
        result = await step(gql, o.foi, mutation, r, **extra)
        assert result["errors"] == [], (mutation, result)
        r = result["request"]
    assert r["status"] == "IN_REVIEW"
    replied = await step(gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "DISCLOSED"}))
    assert replied["errors"] == [] and "张三" in replied["request"]["replyLetter"]
    archived = await step(gql, o.foi, "archiveInfoRequest", replied["request"])
    assert archived["request"]["status"] == "ARCHIVED"
    assert archived["request"]["archiveNo"] == f"HLMZ-{date.today().year}-0001"
    full = await staff_view(gql, o, submitted["trackingCode"])
    assert [e["kind"] for e in full["events"]] == [
        "RECEIVED",
        "REGISTERED",
        "ASSIGNED",
        "IN_REVIEW",
        "REPLIED",
        "ARCHIVED",
    ]

    own = (await gql.data(STATUS, {"c": submitted["trackingCode"], "p": submitted["password"]}))["infoRequestStatus"]
    assert own["status"] == "ARCHIVED" and own["replyType"] == "DISCLOSED" and "张三" in own["replyLetter"]
    assert (await gql.data(STATUS, {"c": submitted["trackingCode"], "p": "wrong-password"}))[
        "infoRequestStatus"
    ] is None
    assert (await gql.data(STATUS, {"c": "YSAAAAAAAAAA", "p": submitted["password"]}))["infoRequestStatus"] is None
    other = await submit(gql, o, applicantName="李四")
    assert (await gql.data(STATUS, {"c": other["trackingCode"], "p": submitted["password"]}))[
        "infoRequestStatus"
    ] is None
    # The applicant's view has no personal data at all.
    body = await gql('query($c: String!, $p: String!) { infoRequestStatus(trackingCode: $c, password: $p) { idNumber } }',
                     {"c": submitted["trackingCode"], "p": submitted["password"]})  # fmt: skip
    assert "errors" in body


async def letter(gql: GraphQLClient, o: Office, received_on: str) -> dict[str, Any]:
    submitted = await submit(gql, o, o.foi, channel="LETTER", receivedOn=received_on)
    return await staff_view(gql, o, submitted["trackingCode"])


async def registered(gql: GraphQLClient, o: Office, received_on: str) -> dict[str, Any]:
    """A letter received on ``received_on`` and registered the same day."""
    r = await letter(gql, o, received_on)
    return (await step(gql, o.foi, "registerInfoRequest", r, onDate=("Date", received_on)))["request"]


async def test_due_dates_follow_chinese_working_days(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    national_day = await letter(gql, o, "2026-09-25")
    assert (national_day["dueOn"], national_day["provisional"]) == ("2026-10-29", False)
    spring = await letter(gql, o, "2026-02-10")
    assert spring["dueOn"] == "2026-03-16"


async def test_due_date_into_an_unknown_year_is_provisional_until_the_office_marks_the_year_complete(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    submitted = await submit(gql, o)
    # Day zero on Sunday 2099-12-20, the due date in 2100: years no release of chinesecalendar will know.
    await session.execute(update(InfoRequest).where(InfoRequest.tracking_code == submitted["trackingCode"])
                          .values(received_on=date(2099, 12, 20), clock_start=date(2099, 12, 20)))  # fmt: skip
    await session.commit()
    calendar = (
        """mutation($days: [CalendarDayInput!]!) { setCalendarDays(days: $days) { recomputed errors { code } } }"""
    )
    # One calendar for every county: a county's office may not change it, a grant at * may.
    county = await gql(calendar, {"days": [{"day": "2099-12-31", "working": None}]}, o.district)
    assert county["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    # The office has entered 2099 (here one holiday of it), not yet 2100.
    year = await gql.data(calendar, {"days": [{"day": "2099-10-01", "working": False, "note": "国庆节"}]}, admin)
    assert year["setCalendarDays"]["recomputed"] >= 1
    r = await staff_view(gql, o, submitted["trackingCode"])
    assert (r["dueOn"], r["provisional"]) == ("2100-01-15", True)  # weekdays only: 1 January counted
    entered = await gql.data(calendar, {"days": [{"day": "2100-01-01", "working": False, "note": "元旦"}]}, admin)
    assert entered["setCalendarDays"]["errors"] == []
    r = await staff_view(gql, o, submitted["trackingCode"])
    # One day entered is not the year entered: a forgotten Spring Festival would go unflagged.
    assert (r["dueOn"], r["provisional"]) == ("2100-01-18", True)
    mark = """mutation($year: Int!, $complete: Boolean!) { markCalendarYear(year: $year, complete: $complete) {
      recomputed errors { field code message } } }"""
    county_mark = await gql(mark, {"year": 2100, "complete": True}, o.district)
    assert county_mark["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    wrong = await gql(mark, {"year": 99999, "complete": True}, admin)
    assert wrong["errors"][0]["extensions"]["reason"] == "OUT_OF_RANGE"
    assert (await gql.data(mark, {"year": 2100, "complete": True}, admin))["markCalendarYear"]["recomputed"] >= 1
    r = await staff_view(gql, o, submitted["trackingCode"])
    assert (r["dueOn"], r["provisional"]) == ("2100-01-18", True)  # the count starts in 2099, not complete
    await gql.data(mark, {"year": 2099, "complete": True}, admin)
    r = await staff_view(gql, o, submitted["trackingCode"])
    assert (r["dueOn"], r["provisional"]) == ("2100-01-18", False)
    await gql.data(mark, {"year": 2100, "complete": False}, admin)  # taken back: provisional again
    assert (await staff_view(gql, o, submitted["trackingCode"]))["provisional"] is True
    refused = await gql(calendar, {"days": [{"day": "2100-01-02", "working": False}]}, o.foi)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_extension_adds_twenty_working_days_once(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-09-25")
    too_long = await step(
        gql,
        o.foi,
        "extendInfoRequest",
        r,
        days=("Int!", 21),
        reason=("String!", "需调取档案"),
        approver=("String!", "王主任"),
    )
    assert too_long["errors"][0]["code"] == "TOO_LONG"
    extended = await step(
        gql,
        o.foi,
        "extendInfoRequest",
        r,
        days=("Int!", 20),
        reason=("String!", "需调取档案"),
        approver=("String!", "王主任"),
        onDate=("Date", "2026-10-20"),
    )
    assert extended["errors"] == [] and extended["request"]["dueOn"] == "2026-11-26"
    again = await step(
        gql,
        o.foi,
        "extendInfoRequest",
        extended["request"],
        days=("Int!", 5),
        reason=("String!", "x"),
        approver=("String!", "y"),
    )
    assert again["errors"][0]["code"] == "ALREADY_EXTENDED"


async def test_correction_restarts_the_clock(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    o = await make_office(session, system, make_user)
    r = await letter(gql, o, "2026-09-25")
    late = await step(
        gql, o.foi, "requestCorrection", r, note=("String!", "请写明文件名称"), onDate=("Date", "2026-10-20")
    )
    assert late["errors"][0]["code"] == "CORRECTION_TOO_LATE"
    asked = await step(
        gql, o.foi, "requestCorrection", r, note=("String!", "请写明文件名称"), onDate=("Date", "2026-09-28")
    )
    assert asked["errors"] == [] and asked["request"]["status"] == "AWAITING_CORRECTION"
    corrected = await step(gql, o.foi, "recordCorrection", asked["request"], onDate=("Date", "2026-10-12"))
    assert corrected["errors"] == []
    assert corrected["request"]["status"] == "RECEIVED" and corrected["request"]["dueOn"] == "2026-11-09"


async def test_third_party_pause_moves_the_due_date(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-09-25")
    assert r["dueOn"] == "2026-10-29"
    paused = await step(
        gql,
        o.foi,
        "startConsultation",
        r,
        thirdParty=("Boolean!", True),
        thirdPartyName=("String!", "某建设公司"),
        onDate=("Date", "2026-10-09"),
    )
    assert paused["request"]["status"] == "THIRD_PARTY"
    resumed = await step(gql, o.foi, "endConsultation", paused["request"], onDate=("Date", "2026-10-19"))
    assert resumed["errors"] == [] and resumed["request"]["status"] == "REGISTERED"
    assert resumed["request"]["dueOn"] == "2026-11-09"  # 7 working days (10-10 is a 调休 working day) later


async def test_personal_data_is_masked_except_for_handlers(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    submitted = await submit(gql, o)
    before = (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one()
    handler = await staff_view(gql, o, submitted["trackingCode"])
    assert handler["idNumber"] == "513425199001011234" and handler["phone"] == "13800001234"
    session.expire_all()
    reveals = (await session.execute(select(AuditEntry).where(AuditEntry.action == "request.reveal"))).scalars().all()
    assert (
        len(reveals) == 2
        and (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one() == before + 2
    )
    auditor = await make_user("auditor", Role.AUDITOR, unit_code="513425000000")
    masked = (await gql.data(REQUEST, {"id": handler["id"]}, auditor))["infoRequest"]
    assert masked["idNumber"] == "5134**********1234" and masked["phone"] == "138****1234"
    kiosk = await make_user("kiosk", Role.KIOSK, unit_code="513425000000")
    assert (await gql.data(REQUEST, {"id": handler["id"]}, kiosk))["infoRequest"] is None
    other_org = await units.create_organization(session, system, unit_code="513425000000", name="县财政局",
                                                kind=OrganizationKind.DEPARTMENT)  # fmt: skip
    other = await make_user("foi2", Role.FOI_OFFICER, organization_id=other_org.id)
    assert (await gql.data(REQUEST, {"id": handler["id"]}, other))["infoRequest"] is None
    stored = (await session.execute(select(InfoRequest.id_number_enc))).scalars().first()
    assert stored and "513425199001011234" not in stored


async def test_refusal_needs_a_reason_and_a_legal_basis(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    submitted = await submit(gql, o)
    r = (await step(gql, o.foi, "registerInfoRequest", await staff_view(gql, o, submitted["trackingCode"])))["request"]
    r = (await step(gql, o.foi, "sendInfoRequestForReview", r))["request"]
    no_reason = await step(
        gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "NOT_DISCLOSED"})
    )
    assert [(e["field"], e["code"]) for e in no_reason["errors"]] == [("reason", "REASON_REQUIRED")]
    wrong_reason = await step(
        gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "UNABLE", "reason": "STATE_SECRET"})
    )
    assert wrong_reason["errors"][0]["code"] == "REASON_REQUIRED"
    no_basis = await step(
        gql,
        o.district,
        "replyInfoRequest",
        r,
        input=("ReplyInput!", {"replyType": "NOT_DISCLOSED", "reason": "THIRD_PARTY_RIGHTS"}),
    )
    assert no_basis["errors"][0]["field"] == "legalBasis"
    ok = await step(gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {
        "replyType": "NOT_DISCLOSED", "reason": "THIRD_PARTY_RIGHTS", "legalBasis": "《政府信息公开条例》第十五条"}))  # fmt: skip
    letter_text = ok["request"]["replyLetter"]
    assert "第十五条" in letter_text and "60日" in letter_text and "6个月" in letter_text


async def test_requests_list_runs_constant_statements(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any
) -> None:
    o = await make_office(session, system, make_user)
    for i in range(12):
        await submit(gql, o, applicantName=f"申请人{i}")
    query = """query($n: Int!) { infoRequests(first: $n) { totalCount edges { node { trackingCode status dueOn daysLeft
      overdue provisional handlingOrganization { name } events { kind } appeals { kind } } } } }"""

    async def count(n: int) -> int:
        statement_counter.start()
        data = await gql.data(query, {"n": n}, o.foi)
        used = statement_counter.stop()
        assert len(data["infoRequests"]["edges"]) == n
        return used

    await count(3)  # the actor read and cached (api.auth.actor.ActorCache): later requests have it
    assert await count(3) == await count(12), statement_counter.statements


async def test_anonymous_cannot_record_a_letter(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    o = await make_office(session, system, make_user)
    body = await gql(SUBMIT, {"input": applicant(o, channel="LETTER", receivedOn="2026-11-01")})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    missing = (await gql.data(SUBMIT, {"input": applicant(o, idNumber=None)}))["submitInfoRequest"]
    assert [(e["field"], e["code"]) for e in missing["errors"]] == [("idNumber", "REQUIRED")]


async def test_appeals_are_recorded_and_updated(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    o = await make_office(session, system, make_user)
    r = await letter(gql, o, "2026-09-25")
    record = """mutation($input: AppealInput!) { recordAppeal(input: $input) { appeal { id version kind outcome } errors { code } } }"""
    made = (await gql.data(record, {"input": {"requestId": r["id"], "kind": "ADMINISTRATIVE_REVIEW", "filedOn": "2026-10-30"}},
                           o.foi))["recordAppeal"]  # fmt: skip
    assert made["appeal"]["outcome"] == "PENDING"
    update_ = """mutation($id: ID!, $v: Int!) { updateAppeal(id: $id, version: $v, outcome: CORRECTED) {
      appeal { outcome version } errors { code } } }"""
    done = (await gql.data(update_, {"id": made["appeal"]["id"], "v": made["appeal"]["version"]}, o.foi))[
        "updateAppeal"
    ]
    assert done["appeal"]["outcome"] == "CORRECTED"
    stale = (await gql.data(update_, {"id": made["appeal"]["id"], "v": made["appeal"]["version"]}, o.foi))[
        "updateAppeal"
    ]
    assert stale["errors"] == [{"code": "CONFLICT"}]
    view = await gql.data(
        "query($id: ID!) { infoRequest(id: $id) { appeals { kind outcome } events { kind } } }", {"id": r["id"]}, o.foi
    )
    assert view["infoRequest"]["appeals"] == [{"kind": "ADMINISTRATIVE_REVIEW", "outcome": "CORRECTED"}]
    assert view["infoRequest"]["events"][-1]["kind"] == "APPEAL_RECORDED"


async def test_reply_templates_are_edited_by_the_district_office_at_star(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    save = (
        "mutation($b: String!) { saveReplyTemplate(replyType: NOT_DISCLOSED, body: $b) { body errors { field code } } }"
    )
    admin = await make_user("admin", Role.DISTRICT_OFFICE)  # the templates serve every county: at * only
    missing = await gql.data(save, {"b": "{applicant_name}：不予公开。"}, admin)
    assert missing["saveReplyTemplate"]["errors"] == [{"field": "body", "code": "REMEDIES_REQUIRED"}]
    for refused in (o.foi, o.district):
        assert (await gql(save, {"b": "x {remedies}"}, refused))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ok = await gql.data(save, {"b": "{applicant_name}同志：依据{legal_basis}，{reason}，不予公开。{remedies}"}, admin)
    assert ok["saveReplyTemplate"]["errors"] == []
    submitted = await submit(gql, o)
    r = (await step(gql, o.foi, "registerInfoRequest", await staff_view(gql, o, submitted["trackingCode"])))["request"]
    r = (await step(gql, o.foi, "sendInfoRequestForReview", r))["request"]
    replied = await step(gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {
        "replyType": "NOT_DISCLOSED", "reason": "STATE_SECRET", "legalBasis": "《政府信息公开条例》第十四条"}))  # fmt: skip
    assert replied["request"]["replyLetter"].startswith(
        f"HLMZ依申答〔{date.today().year}〕1号\n张三同志：依据《政府信息公开条例》第十四条，属于国家秘密，不予公开。"
    )


async def test_a_reply_can_start_a_proactive_document(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    submitted = await submit(gql, o)
    r = (await step(gql, o.foi, "registerInfoRequest", await staff_view(gql, o, submitted["trackingCode"])))["request"]
    r = (await step(gql, o.foi, "sendInfoRequestForReview", r))["request"]
    replied = await step(
        gql,
        o.district,
        "replyInfoRequest",
        r,
        input=("ReplyInput!", {"replyType": "DISCLOSED", "publishProactively": True}),
    )
    assert replied["errors"] == []
    view = await gql.data(
        "query($id: ID!) { infoRequest(id: $id) { proactiveDocument { status title } } }", {"id": r["id"]}, o.foi
    )
    assert view["infoRequest"]["proactiveDocument"] == {
        "status": "DRAFT",
        "title": "依申请公开转主动公开：2026年低保资金发放明细",
    }
    assert (await gql.data("{ documents { totalCount } }"))["documents"]["totalCount"] == 0  # a draft: not public


EVENTS = """query($id: ID!) { infoRequest(id: $id) { status dueOn daysLeft overdue
  events { kind onDate createdAt } } }"""


async def test_steps_take_the_date_they_were_done(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Yesterday's paper work entered today keeps its own date, checked against what it follows."""
    o = await make_office(session, system, make_user)
    r = await letter(gql, o, "2026-10-09")
    early = await step(gql, o.foi, "registerInfoRequest", r, onDate=("Date", "2026-10-08"))
    assert early["errors"][0]["field"] == "onDate" and early["errors"][0]["code"] == "BEFORE_START"
    assert "收到申请之日（2026年10月9日）" in early["errors"][0]["message"]
    future = await step(gql, o.foi, "registerInfoRequest", r, onDate=("Date", "2099-01-01"))
    assert future["errors"][0]["code"] == "IN_FUTURE"
    r = (await step(gql, o.foi, "registerInfoRequest", r, onDate=("Date", "2026-10-10")))["request"]
    consult = await step(
        gql, o.foi, "startConsultation", r, thirdParty=("Boolean!", False), onDate=("Date", "2026-10-09")
    )
    assert consult["errors"][0]["code"] == "BEFORE_START" and "上一步骤" in consult["errors"][0]["message"]
    assigned = await step(gql, o.foi, "assignInfoRequest", r, organizationId=("ID!", o.org_id),
                          onDate=("Date", "2026-10-12"))  # fmt: skip
    assert assigned["errors"] == [], assigned
    r = assigned["request"]
    r = (await step(gql, o.foi, "sendInfoRequestForReview", r, onDate=("Date", "2026-10-20")))["request"]
    replied = await step(gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "DISCLOSED"}),
                         onDate=("Date", "2026-10-21"))  # fmt: skip
    assert replied["errors"] == []
    letter_text = replied["request"]["replyLetter"]
    assert "2026年10月9日收到" in letter_text and letter_text.endswith("2026年10月21日")
    assert "第三十六条第二项" in letter_text
    archived = await step(gql, o.foi, "archiveInfoRequest", replied["request"], onDate=("Date", "2026-10-30"))
    assert archived["request"]["archiveNo"] == "HLMZ-2026-0001"
    events = (await gql.data(EVENTS, {"id": r["id"]}, o.foi))["infoRequest"]["events"]
    assert [(e["kind"], e["onDate"]) for e in events] == [
        ("RECEIVED", "2026-10-09"), ("REGISTERED", "2026-10-10"), ("ASSIGNED", "2026-10-12"),
        ("IN_REVIEW", "2026-10-20"), ("REPLIED", "2026-10-21"), ("ARCHIVED", "2026-10-30"),
    ]  # fmt: skip
    entered = str(date.today() - timedelta(days=1))
    assert all(e["createdAt"][:10] >= entered for e in events[1:])  # entered today, dated as done


async def test_one_correction_notice_and_the_corrected_request_after_it(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Art. 30: 一次性告知; the period runs from the corrected request, which follows the notice."""
    o = await make_office(session, system, make_user)
    r = await letter(gql, o, "2026-09-25")
    asked = await step(
        gql, o.foi, "requestCorrection", r, note=("String!", "请写明文件名称"), onDate=("Date", "2026-09-29")
    )
    r = asked["request"]
    early = await step(gql, o.foi, "recordCorrection", r, onDate=("Date", "2026-09-28"))
    assert early["errors"][0]["code"] == "BEFORE_START"
    r = (await step(gql, o.foi, "recordCorrection", r, onDate=("Date", "2026-10-12")))["request"]
    again = await step(gql, o.foi, "requestCorrection", r, note=("String!", "再补充"), onDate=("Date", "2026-10-13"))
    assert again["errors"][0]["code"] == "ALREADY_NOTIFIED"


async def test_an_extension_is_decided_before_the_due_day(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-09-25")
    late = await step(gql, o.foi, "extendInfoRequest", r, days=("Int!", 10), reason=("String!", "需调取档案"),
                      approver=("String!", "王主任"), onDate=("Date", "2026-10-30"))  # fmt: skip
    assert late["errors"][0]["code"] == "TOO_LATE" and "2026年10月29日" in late["errors"][0]["message"]


async def test_a_third_party_is_waited_for_15_working_days_at_most(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Art. 32: the third party answers within 15 working days; the clock does not wait longer."""
    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-09-25")
    paused = (await step(gql, o.foi, "startConsultation", r, thirdParty=("Boolean!", True), thirdPartyName=("String!", "某建设公司"),
                         onDate=("Date", "2026-10-09")))["request"]  # fmt: skip
    # While it lasts, the due day holds the whole 15 working days: 2026-10-29 + 15.
    assert paused["dueOn"] == "2026-11-19"
    ended = await step(gql, o.foi, "endConsultation", paused, onDate=("Date", "2026-11-30"))
    assert ended["request"]["dueOn"] == "2026-11-19"  # 36 working days waited, 15 counted


async def test_overdue_has_one_definition_for_the_filter_and_the_field(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Waiting for the applicant (待补正) or another agency (会商) is never overdue; a third party
    past its 15 days and a request simply left are."""
    o = await make_office(session, system, make_user)
    left = await registered(gql, o, "2026-09-25")
    waiting = await step(gql, o.foi, "requestCorrection", await letter(gql, o, "2026-09-28"),
                         note=("String!", "请写明文件名称"), onDate=("Date", "2026-09-29"))  # fmt: skip
    consulting = await registered(gql, o, "2026-09-25")
    consulting = (await step(gql, o.foi, "startConsultation", consulting, thirdParty=("Boolean!", False),
                             onDate=("Date", "2026-10-09")))["request"]  # fmt: skip
    third = await registered(gql, o, "2026-09-25")
    third = (await step(gql, o.foi, "startConsultation", third, thirdParty=("Boolean!", True), thirdPartyName=("String!", "某建设公司"),
                        onDate=("Date", "2026-10-09")))["request"]  # fmt: skip
    fresh = await letter(gql, o, str(date.today() - timedelta(days=1)))
    listed = await gql.data(
        "query($o: Boolean!) { infoRequests(first: 50, filter: { overdue: $o }) { edges { node { id overdue } } } }",
        {"o": True}, o.foi,
    )  # fmt: skip
    flagged = {e["node"]["id"] for e in listed["infoRequests"]["edges"]}
    assert all(e["node"]["overdue"] for e in listed["infoRequests"]["edges"])
    assert flagged == {left["id"], third["id"]}
    views = {key: (await gql.data(EVENTS, {"id": r["id"]}, o.foi))["infoRequest"]
             for key, r in (("left", left), ("waiting", waiting["request"]), ("consulting", consulting),
                            ("third", third), ("fresh", fresh))}  # fmt: skip
    assert {k: v["overdue"] for k, v in views.items()} == {
        "left": True, "waiting": False, "consulting": False, "third": True, "fresh": False,
    }  # fmt: skip
    assert views["waiting"]["daysLeft"] is None and views["consulting"]["daysLeft"] is None
    assert views["left"]["daysLeft"] < 0 and views["fresh"]["daysLeft"] > 0
    # A 会商 moves the due day each working day it lasts: as of today, not as of its first day.
    assert views["consulting"]["dueOn"] > "2026-11-30"


async def test_a_reply_is_signed_off_by_somebody_else_after_review(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """审核: no reply straight from the desk, and the officer who drafted it may not sign it off."""
    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-11-02")
    skipped = await step(gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "DISCLOSED"}))
    assert skipped["errors"][0]["code"] == "ILLEGAL_TRANSITION"
    r = (await step(gql, o.foi, "sendInfoRequestForReview", r))["request"]
    own = await step(gql, o.foi, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "DISCLOSED"}))
    assert own["errors"][0]["code"] == "SAME_REVIEWER" and "拟稿人" in own["errors"][0]["message"]
    signed = await step(gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "DISCLOSED"}))
    assert signed["errors"] == [] and signed["request"]["status"] == "REPLIED"
    stored = (await session.execute(select(RequestEvent).where(RequestEvent.kind == EventKind.REPLIED))).scalars().one()
    assert stored.data["signed_off_by"] != stored.data["drafted_by"] and stored.data["drafted_by"]


async def test_only_a_kiosk_submits_by_the_kiosk_channel(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    body = (await gql.data(SUBMIT, {"input": applicant(o, channel="KIOSK")}))["submitInfoRequest"]
    assert body["errors"][0]["field"] == "channel" and body["errors"][0]["code"] == "INVALID_CHANNEL"
    staff = (await gql.data(SUBMIT, {"input": applicant(o, channel="KIOSK")}, o.foi))["submitInfoRequest"]
    assert staff["errors"][0]["code"] == "INVALID_CHANNEL"
    kiosk = await make_user("kiosk1", Role.KIOSK, unit_code="513425000000")
    assert (await gql.data(SUBMIT, {"input": applicant(o, channel="KIOSK")}, kiosk))["submitInfoRequest"][
        "errors"
    ] == []
    ancient = await gql.data(SUBMIT, {"input": applicant(o, channel="LETTER", receivedOn="2008-04-30")}, o.foi)
    assert ancient["submitInfoRequest"]["errors"][0]["code"] == "BEFORE_START"


REGISTER = """query($u: String!, $f: Date!, $t: Date!) { infoRequestRegister(unitCode: $u, from: $f, to: $t) {
  trackingCode channel applicantType receivedOn steps { kind onDate } dueOn repliedOn daysTaken replyType appeals } }"""


async def test_the_register_lists_each_request_without_the_applicant(
    gql: GraphQLClient, client: Any, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-10-09")
    r = (await step(gql, o.foi, "sendInfoRequestForReview", r, onDate=("Date", "2026-10-15")))["request"]
    replied = await step(gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "DISCLOSED"}),
                         onDate=("Date", "2026-10-16"))  # fmt: skip
    assert replied["errors"] == []
    waiting = await registered(gql, o, "2026-11-02")
    waiting = (await step(gql, o.foi, "startConsultation", waiting, thirdParty=("Boolean!", False),
                          onDate=("Date", "2026-11-10")))["request"]  # fmt: skip
    # The stored due day is as of the consultation's last step (days ago, here); the register
    # shows it as of today, as the request's dueOn does.
    await session.execute(update(InfoRequest).where(InfoRequest.received_on == date(2026, 11, 2))
                          .values(due_on=date(2026, 11, 30)))  # fmt: skip
    await session.commit()
    rows = (await gql.data(REGISTER, {"u": "513425000000", "f": "2026-10-01", "t": "2026-11-30"}, o.district))[
        "infoRequestRegister"
    ]
    assert [row["receivedOn"] for row in rows] == ["2026-10-09", "2026-11-02"]
    done = rows[0]
    assert (done["channel"], done["applicantType"], done["replyType"], done["repliedOn"]) == (
        "LETTER", "NATURAL_PERSON", "DISCLOSED", "2026-10-16",
    )  # fmt: skip
    assert [s["kind"] for s in done["steps"]] == ["RECEIVED", "REGISTERED", "IN_REVIEW", "REPLIED"]
    assert done["daysTaken"] == 6  # 10-10 (a 调休 working Saturday) and 10-12 … 10-16; 10-09 is day zero
    assert rows[1]["repliedOn"] is None and rows[1]["daysTaken"] is None
    # a 会商 moves the due day as it lasts: the register shows it as the request does
    shown = (await gql.data(EVENTS, {"id": waiting["id"]}, o.foi))["infoRequest"]["dueOn"]
    assert rows[1]["dueOn"] == shown and shown > "2026-11-30"
    long = await gql(REGISTER, {"u": "513425000000", "f": "2025-01-01", "t": "2026-11-30"}, o.district)
    assert long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and "366" in long["errors"][0]["message"]
    # The officer of one organization keeps its own register, not the county's.
    assert (await gql(REGISTER, {"u": "513425000000", "f": "2026-10-01", "t": "2026-11-30"}, o.foi))["errors"][0][
        "extensions"
    ]["code"] == "FORBIDDEN"

    params = {"unitCode": "513425000000", "from": "2026-10-01", "to": "2026-11-30"}
    response = await client.get(
        "/exports/request-register", params=params, headers={"Authorization": f"Bearer {o.district}"}
    )
    assert response.status_code == 200, response.text
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert done["trackingCode"] in cells and "受理编号" in cells
    text = "".join(cells)
    assert "张三" not in text and "513425199001011234" not in text and "13800001234" not in text
    md = await client.get("/exports/request-register", params={**params, "format": "md"},
                          headers={"Authorization": f"Bearer {o.district}"})  # fmt: skip
    assert md.status_code == 200 and done["trackingCode"] in md.text and "张三" not in md.text


async def test_due_day_days_left_and_overdue_agree_at_every_point_of_a_request(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Arts. 30, 33, 42: one request corrected, paused (会商), resumed, extended and paused for a
    fee; at each point its dueOn, daysLeft and overdue agree with each other and with the
    infoRequests overdue filter."""
    o = await make_office(session, system, make_user)
    listed = "{ infoRequests(first: 50, filter: { overdue: true }) { edges { node { id } } } }"

    async def check(r: dict[str, Any], due: str | None, stopped: bool) -> dict[str, Any]:
        view = (await gql.data(EVENTS, {"id": r["id"]}, o.foi))["infoRequest"]
        flagged = {e["node"]["id"] for e in (await gql.data(listed, token=o.foi))["infoRequests"]["edges"]}
        assert view["overdue"] == (r["id"] in flagged), view
        if stopped:
            assert view["daysLeft"] is None and view["overdue"] is False, view
        else:
            assert view["daysLeft"] is not None and (view["daysLeft"] < 0) == view["overdue"], view
            assert view["overdue"] == (view["dueOn"] < str(date.today())), view
        if due is not None:
            assert view["dueOn"] == due, view
        return view

    r = await registered(gql, o, "2026-09-25")
    await check(r, "2026-10-29", stopped=False)
    r = (await step(gql, o.foi, "requestCorrection", r, note=("String!", "请写明文件名称"),
                    onDate=("Date", "2026-09-28")))["request"]  # fmt: skip
    await check(r, None, stopped=True)  # 待补正: the applicant's turn
    r = (await step(gql, o.foi, "recordCorrection", r, onDate=("Date", "2026-10-12")))["request"]
    await check(r, "2026-11-09", stopped=False)  # 20 working days from the corrected request
    r = (await step(gql, o.foi, "startConsultation", r, thirdParty=("Boolean!", False),
                    onDate=("Date", "2026-10-20")))["request"]  # fmt: skip
    paused = await check(r, None, stopped=True)  # 会商: the due day moves while it lasts
    assert paused["dueOn"] > "2026-11-09"
    r = (await step(gql, o.foi, "endConsultation", r, onDate=("Date", "2026-10-27")))["request"]
    await check(r, "2026-11-16", stopped=False)  # + 5 working days (10-21 … 10-27)
    r = (await step(gql, o.foi, "extendInfoRequest", r, days=("Int!", 20), reason=("String!", "需调取档案"),
                    approver=("String!", "王主任"), onDate=("Date", "2026-10-28")))["request"]  # fmt: skip
    await check(r, "2026-12-14", stopped=False)  # + 20 working days (Art. 33)
    r = (await fee(gql, o, r, "BY_PIECE", 11, "2026-10-29"))["request"]
    waiting = await check(r, None, stopped=True)  # 待缴费 (国办函〔2020〕109号): the clock stands still
    assert waiting["dueOn"] > "2026-12-14"
    r = (await step(gql, o.foi, "recordInfoRequestPayment", r, onDate=("Date", "2026-11-05")))["request"]
    await check(r, "2026-12-21", stopped=False)  # + 5 working days (10-30 … 11-05)


FEE = """mutation($id: ID!, $version: Int!, $method: FeeMethod!, $units: Int!, $on: Date) {
  notifyInfoRequestFee(id: $id, version: $version, method: $method, units: $units, onDate: $on) {
    request { id version status dueOn feeYuan paymentDueOn replyType } errors { field code message } } }"""


async def fee(gql: GraphQLClient, o: Office, r: dict[str, Any], method: str, units: int, on: str) -> dict[str, Any]:
    values = {"id": r["id"], "version": r["version"], "method": method, "units": units, "on": on}
    return (await gql.data(FEE, values, o.foi))["notifyInfoRequestFee"]


async def test_a_fee_notice_stops_the_clock_until_the_payment(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Art. 42 and 国办函〔2020〕109号: charged above the thresholds by the office's standard; from the
    notice to the payment the clock stands still (待缴费, never overdue); once only; within the period."""
    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-09-25")  # due 2026-10-29
    free = await fee(gql, o, r, "BY_PIECE", 10, "2026-10-09")
    assert free["errors"][0]["code"] == "NO_FEE" and "不收费" in free["errors"][0]["message"]
    late = await fee(gql, o, r, "BY_PIECE", 31, "2026-10-30")
    assert late["errors"][0]["code"] == "TOO_LATE"
    noticed = await fee(gql, o, r, "BY_PIECE", 31, "2026-10-09")
    assert noticed["errors"] == []
    r = noticed["request"]
    # Pay within 20 working days: 10-10 (a Saturday worked), 10-12 … 11-05.
    assert (r["status"], r["feeYuan"], r["paymentDueOn"]) == ("AWAITING_PAYMENT", 200, "2026-11-05")
    view = (await gql.data(EVENTS, {"id": r["id"]}, o.foi))["infoRequest"]
    assert view["daysLeft"] is None and view["overdue"] is False
    assert view["dueOn"] > "2026-11-30"  # as of today: the wait moves it each working day
    listed = await gql.data("{ infoRequests(first: 50, filter: { overdue: true }) { edges { node { id } } } }",
                            token=o.foi)  # fmt: skip
    assert r["id"] not in {e["node"]["id"] for e in listed["infoRequests"]["edges"]}
    again = await fee(gql, o, r, "BY_VOLUME", 200, "2026-10-12")
    assert again["errors"][0]["code"] == "ILLEGAL_TRANSITION"
    paid = await step(gql, o.foi, "recordInfoRequestPayment", r, onDate=("Date", "2026-10-16"))
    assert paid["errors"] == []
    # 10-10 and 10-12 … 10-16 waited (6 working days): 2026-10-29 + 6.
    assert (paid["request"]["status"], paid["request"]["dueOn"]) == ("REGISTERED", "2026-11-06")
    r = paid["request"]
    second = await fee(gql, o, r, "BY_VOLUME", 200, "2026-10-19")
    assert second["errors"][0]["code"] == "ALREADY_NOTIFIED"
    status = (await gql.data(EVENTS, {"id": r["id"]}, o.foi))["infoRequest"]
    assert [e["kind"] for e in status["events"]][-2:] == ["FEE_NOTIFIED", "FEE_PAID"]


async def test_an_unpaid_fee_closes_the_request_after_20_working_days(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """国办函〔2020〕109号: not paid within 20 working days of the notice, the request is treated as
    abandoned: 其他处理, 申请人逾期未按收费通知要求缴纳费用."""
    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-09-25")
    noticed = await fee(gql, o, r, "BY_VOLUME", 120, "2026-10-09")
    assert noticed["errors"] == [], noticed
    r = noticed["request"]
    assert r["feeYuan"] == 700 + 20 * 20  # pages 31-100 at 10 yuan, 101-120 at 20
    early = await step(gql, o.foi, "closeForUnpaidFee", r, onDate=("Date", "2026-11-05"))
    assert early["errors"][0]["code"] == "TOO_EARLY" and "2026年11月5日" in early["errors"][0]["message"]
    closed = await step(gql, o.foi, "closeForUnpaidFee", r, onDate=("Date", "2026-11-06"))
    assert (closed["request"]["status"], closed["request"]["replyType"]) == ("CLOSED", "OTHER")
    row = (
        await session.execute(select(InfoRequest).where(InfoRequest.id == int(relay.from_base64(r["id"])[1])))
    ).scalar_one()
    assert row.reply_reason.value == "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"


async def test_the_fee_standard_is_the_district_offices_and_public(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    read = "{ feeStandards { method tiers { above yuan } stepUnits stepYuan version } requestRules { correctionWorkingDays version } }"
    public = await gql.data(read)
    piece = next(f for f in public["feeStandards"] if f["method"] == "BY_PIECE")
    assert piece["tiers"] == [{"above": 10, "yuan": 100}, {"above": 30, "yuan": 200}] and piece["stepYuan"] == 100
    assert public["requestRules"]["correctionWorkingDays"] == 15
    change = """mutation($input: FeeStandardInput!) { setFeeStandard(input: $input) {
      standard { tiers { above yuan } version } errors { field code message } } }"""
    cheaper = {"method": "BY_PIECE", "tiers": [{"above": 20, "yuan": 50}], "version": piece["version"]}
    county = await gql(change, {"input": cheaper}, o.district)
    assert county["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    unsorted = {**cheaper, "tiers": [{"above": 30, "yuan": 50}, {"above": 20, "yuan": 60}]}
    assert (await gql.data(change, {"input": unsorted}, admin))["setFeeStandard"]["errors"][0]["code"] == "OUT_OF_RANGE"
    saved = (await gql.data(change, {"input": cheaper}, admin))["setFeeStandard"]
    assert saved["errors"] == [] and saved["standard"]["tiers"] == [{"above": 20, "yuan": 50}]
    stale = (await gql.data(change, {"input": cheaper}, admin))["setFeeStandard"]
    assert stale["errors"][0]["code"] == "CONFLICT"
    r = await registered(gql, o, "2026-09-25")
    assert (await fee(gql, o, r, "BY_PIECE", 15, "2026-10-09"))["errors"][0]["code"] == "NO_FEE"
    assert (await fee(gql, o, r, "BY_PIECE", 21, "2026-10-09"))["request"]["feeYuan"] == 50
    audited = (await session.execute(select(func.count()).where(AuditEntry.action == "request.fee_standard"))).scalar()
    assert audited == 1


async def test_a_correction_lapses_after_the_offices_period(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Art. 30: 合理的补正期限 (the office's rule: 15 working days from the notice, a setting it
    changes); 逾期不补正 closes the request only once that period has passed."""
    o = await make_office(session, system, make_user)
    r = await letter(gql, o, "2026-09-25")
    asked = await step(
        gql, o.foi, "requestCorrection", r, note=("String!", "请写明文件名称"), onDate=("Date", "2026-09-29")
    )
    view = await gql.data("query($id: ID!) { infoRequest(id: $id) { correctionDueOn } }", {"id": r["id"]}, o.foi)
    assert view["infoRequest"]["correctionDueOn"] == "2026-10-26"  # 15 working days over National Day
    early = await step(gql, o.foi, "closeForLapsedCorrection", asked["request"], onDate=("Date", "2026-10-26"))
    assert early["errors"][0]["code"] == "TOO_EARLY"
    closed = await step(gql, o.foi, "closeForLapsedCorrection", asked["request"], onDate=("Date", "2026-10-27"))
    assert (closed["request"]["status"], closed["request"]["replyType"]) == ("CLOSED", "OTHER")

    rules = """mutation($d: Int!, $v: Int!) { setRequestRules(correctionWorkingDays: $d, version: $v) {
      rules { correctionWorkingDays version } errors { field code message } } }"""
    assert (await gql(rules, {"d": 10, "v": 0}, o.foi))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    assert (await gql.data(rules, {"d": 0, "v": 0}, admin))["setRequestRules"]["errors"][0]["code"] == "OUT_OF_RANGE"
    saved = (await gql.data(rules, {"d": 10, "v": 0}, admin))["setRequestRules"]["rules"]
    assert saved == {"correctionWorkingDays": 10, "version": 1}
    assert (await gql.data(rules, {"d": 12, "v": 0}, admin))["setRequestRules"]["errors"][0]["code"] == "CONFLICT"
    r = await letter(gql, o, "2026-09-25")
    await step(gql, o.foi, "requestCorrection", r, note=("String!", "请写明文件名称"), onDate=("Date", "2026-09-29"))
    view = await gql.data("query($id: ID!) { infoRequest(id: $id) { correctionDueOn } }", {"id": r["id"]}, o.foi)
    assert view["infoRequest"]["correctionDueOn"] == "2026-10-19"


NOTICES = (
    """query($id: ID!) { infoRequest(id: $id) { notices { id kind title docNo issuedOn addressee text download } } }"""
)


async def notices_of(gql: GraphQLClient, o: Office, r: dict[str, Any]) -> list[dict[str, Any]]:
    return (await gql.data(NOTICES, {"id": r["id"]}, o.foi))["infoRequest"]["notices"]


async def test_each_step_that_informs_somebody_issues_a_numbered_notice(
    gql: GraphQLClient, client: Any, make_user: Any, session: Any, system: Any
) -> None:
    """Arts. 30, 32, 33, 36, 42: the 补正告知书, 征求第三方意见函, 延期答复告知书, 收费通知 and 答复书,
    each with a 文号 of the organization's scheme, Chinese dates, its article, and the remedies
    where it decides; downloaded as a Word file that python-docx reads back."""
    from docx import Document as Docx

    o = await make_office(session, system, make_user)
    r = await registered(gql, o, "2026-09-25")
    r = (await step(gql, o.foi, "requestCorrection", r, note=("String!", "请写明所需文件的名称或文号"),
                    onDate=("Date", "2026-09-29")))["request"]  # fmt: skip
    r = (await step(gql, o.foi, "recordCorrection", r, onDate=("Date", "2026-10-12")))["request"]
    r = (await step(gql, o.foi, "startConsultation", r, thirdParty=("Boolean!", True),
                    thirdPartyName=("String!", "会理某建设有限公司"), onDate=("Date", "2026-10-13")))["request"]  # fmt: skip
    r = (await step(gql, o.foi, "endConsultation", r, onDate=("Date", "2026-10-20")))["request"]
    r = (await step(gql, o.foi, "extendInfoRequest", r, days=("Int!", 10), reason=("String!", "需调取历年档案"),
                    approver=("String!", "王主任"), onDate=("Date", "2026-10-21")))["request"]  # fmt: skip
    r = (await fee(gql, o, r, "BY_VOLUME", 120, "2026-10-22"))["request"]
    r = (await step(gql, o.foi, "recordInfoRequestPayment", r, onDate=("Date", "2026-10-23")))["request"]
    r = (await step(gql, o.foi, "sendInfoRequestForReview", r, onDate=("Date", "2026-10-26")))["request"]
    r = (await step(gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "DISCLOSED"}),
                    onDate=("Date", "2026-10-27")))["request"]  # fmt: skip
    notices = await notices_of(gql, o, r)
    assert [(n["kind"], n["docNo"]) for n in notices] == [
        ("CORRECTION", "HLMZ依申补〔2026〕1号"), ("THIRD_PARTY", "HLMZ依申征〔2026〕2号"),
        ("EXTENSION", "HLMZ依申延〔2026〕3号"), ("FEE", "HLMZ依申费〔2026〕4号"), ("REPLY", "HLMZ依申答〔2026〕5号"),
    ]  # fmt: skip
    by = {n["kind"]: n for n in notices}
    correction = by["CORRECTION"]["text"]
    assert correction.startswith("政府信息公开申请补正告知书\nHLMZ依申补〔2026〕1号\n\n张三：")
    assert "请写明所需文件的名称或文号" in correction and "2026年10月26日前" in correction and "第三十条" in correction
    assert "2026-" not in correction and "2026年9月29日" in correction
    third = by["THIRD_PARTY"]
    assert third["addressee"] == "会理某建设有限公司" and "第三十二条" in third["text"]
    assert "2026年11月3日前" in third["text"]  # 15 working days from the letter
    assert "第三十三条第二款" in by["EXTENSION"]["text"] and "延长10个工作日" in by["EXTENSION"]["text"]
    fee_text = by["FEE"]["text"]
    assert "第四十二条" in fee_text and "国办函〔2020〕109号" in fee_text and "共计1100元" in fee_text
    assert "行政复议" in fee_text and "第31至100页每页10元" in fee_text
    assert "第三十六条第二项" in by["REPLY"]["text"] and "行政复议" not in by["EXTENSION"]["text"]
    assert (await staff_view(gql, o, r["trackingCode"] if "trackingCode" in r else (await gql.data(
        "query($id: ID!) { infoRequest(id: $id) { trackingCode } }", {"id": r["id"]}, o.foi))["infoRequest"]["trackingCode"]
    ))["replyLetter"].startswith("HLMZ依申答〔2026〕5号\n")  # fmt: skip

    headers = {"Authorization": f"Bearer {o.foi}"}
    response = await client.get(by["FEE"]["download"], headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    paragraphs = [p.text for p in Docx(io.BytesIO(response.content)).paragraphs]
    assert paragraphs[:3] == ["政府信息公开信息处理费收费通知", "HLMZ依申费〔2026〕4号", "张三："]
    assert paragraphs[-1] == "2026年10月22日" and paragraphs[-2] == "县民政局"
    markdown = await client.get(by["FEE"]["download"] + "&format=md", headers=headers)
    assert markdown.status_code == 200 and markdown.text.startswith("# 政府信息公开信息处理费收费通知")
    pdf = await client.get(by["FEE"]["download"] + "&format=pdf", headers=headers)
    assert pdf.status_code == 400 and "UNKNOWN_FORMAT" in pdf.text
    other = await units.create_organization(session, system, unit_code="513425000000", name="县财政局",
                                            kind=OrganizationKind.DEPARTMENT, credit_code=credit(8))  # fmt: skip
    stranger = await make_user("stranger", Role.FOI_OFFICER, organization_id=other.id)
    hidden = await client.get(by["FEE"]["download"], headers={"Authorization": f"Bearer {stranger}"})
    assert hidden.status_code == 400 and "NOT_FOUND" in hidden.text and "张三" not in hidden.text
    anonymous = await client.get(by["FEE"]["download"])
    assert anonymous.status_code in (400, 401, 403) and "张三" not in anonymous.text


async def test_the_applicant_sees_the_notices_sent_to_the_applicant(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    submitted = await submit(gql, o)
    r = await staff_view(gql, o, submitted["trackingCode"])
    r = (await step(gql, o.foi, "registerInfoRequest", r))["request"]
    r = (await step(gql, o.foi, "startConsultation", r, thirdParty=("Boolean!", True),
                    thirdPartyName=("String!", "会理某建设有限公司")))["request"]  # fmt: skip
    r = (await step(gql, o.foi, "endConsultation", r))["request"]
    await step(gql, o.foi, "requestCorrection", r, note=("String!", "请写明文件名称"))
    own = await gql.data("""query($c: String!, $p: String!) { infoRequestStatus(trackingCode: $c, password: $p) {
      status correctionDueOn notices { kind docNo text } } }""", {"c": submitted["trackingCode"], "p": submitted["password"]})  # fmt: skip
    status = own["infoRequestStatus"]
    assert status["status"] == "AWAITING_CORRECTION" and status["correctionDueOn"]
    assert [n["kind"] for n in status["notices"]] == ["CORRECTION"]  # the third party's letter is not the applicant's


async def test_notice_templates_and_numbering_are_the_offices(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    listed = (await gql.data("{ noticeTemplates { kind body placeholders version } }", token=o.foi))["noticeTemplates"]
    assert {t["kind"] for t in listed} == {"CORRECTION", "EXTENSION", "THIRD_PARTY", "FEE", "REPLY"}
    assert all(t["version"] == 0 for t in listed)
    assert (await gql("{ noticeTemplates { kind } }"))["errors"][0]["extensions"]["code"] in (
        "UNAUTHENTICATED",
        "FORBIDDEN",
    )
    save = """mutation($k: NoticeKind!, $b: String!, $v: Int!) { saveNoticeTemplate(kind: $k, body: $b, version: $v) {
      template { kind version } errors { field code message } } }"""
    body = "{applicant_name}：请于{correct_by}前补正：{items}。依据条例第三十条。\n{organization}\n{issued_on}"
    county = await gql(save, {"k": "CORRECTION", "b": body, "v": 0}, o.district)
    assert county["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    unknown = (await gql.data(save, {"k": "CORRECTION", "b": body + "{amount}", "v": 0}, admin))["saveNoticeTemplate"]
    assert unknown["errors"][0]["code"] == "INVALID_TEMPLATE" and "{amount}" in unknown["errors"][0]["message"]
    no_remedies = await gql.data(
        save, {"k": "FEE", "b": "{applicant_name}：应缴{amount}元，{pay_by}前。", "v": 0}, admin
    )
    assert no_remedies["saveNoticeTemplate"]["errors"][0]["code"] == "REMEDIES_REQUIRED"
    saved = (await gql.data(save, {"k": "CORRECTION", "b": body, "v": 0}, admin))["saveNoticeTemplate"]
    assert saved["errors"] == [] and saved["template"]["version"] == 1
    assert (await gql.data(save, {"k": "CORRECTION", "b": body, "v": 0}, admin))["saveNoticeTemplate"]["errors"][0][
        "code"
    ] == "CONFLICT"

    org = (
        await gql.data(
            "query($id: ID!) { node(id: $id) { ... on Organization { version } } }", {"id": o.org_id}, o.district
        )
    )["node"]
    scheme = """mutation($id: ID!, $v: Int!, $s: String!) { updateOrganization(input: {id: $id, version: $v, noticeScheme: $s}) {
      organization { noticeScheme version } errors { field code } } }"""
    bad = (await gql.data(scheme, {"id": o.org_id, "v": org["version"], "s": "会民政〔{year}〕号"}, o.district))[
        "updateOrganization"
    ]
    assert bad["errors"] == [{"field": "noticeScheme", "code": "INVALID_TEMPLATE"}]
    good = await gql.data(
        scheme, {"id": o.org_id, "v": org["version"], "s": "会民政依申告〔{year}〕{serial}号"}, o.district
    )
    assert good["updateOrganization"]["organization"]["noticeScheme"] == "会民政依申告〔{year}〕{serial}号"
    r = await letter(gql, o, "2026-09-25")
    await step(gql, o.foi, "requestCorrection", r, note=("String!", "请写明文件名称"), onDate=("Date", "2026-09-29"))
    [notice] = await notices_of(gql, o, r)
    assert notice["docNo"] == "会民政依申告〔2026〕1号"
    assert notice["text"].endswith(
        "张三：请于2026年10月26日前补正：请写明文件名称。依据条例第三十条。\n县民政局\n2026年9月29日"
    )


def test_every_reason_reads_as_a_clause_of_its_letter() -> None:
    """Art. 36: the letter states the reason in words (属于国家秘密), each as a clause of its
    template's sentence; the form's label is the table's, not the letter's."""
    assert set(LETTER_REASONS) == set(ReplyReason)
    for reply_type, reasons in REASONS_BY_TYPE.items():
        for reason in reasons:
            text = DEFAULT_TEMPLATES[reply_type].format_map(defaultdict(str, reason=LETTER_REASONS[reason]))
            assert LETTER_REASONS[reason] in text, (reply_type, reason)
            assert "属于属于" not in text and "信息国家秘密" not in text and "申请属于属于" not in text, text
            assert "、行政机关不再处理" not in text  # the form's label is not a letter's sentence
