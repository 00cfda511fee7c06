"""The privacy and sensitive-word scan before 审发 (issue 15): findings, refusal, fix, waiver, word list."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
from sqlalchemy import select

from api.models import AuditEntry, Role
from api.services.screening.extract import MAX_PAGES

from ..conftest import GraphQLClient
from ..documents_fixtures import PNG, SUBMIT, Desk, content, create, make_desk, publish, step
from ..text_pdf import text_pdf
from ..village_fixtures import VILLAGE, make_villages, power_item
from .test_attachments import PREFLIGHT, multipart

ID_NUMBER = "110101199003074514"  # a valid check digit (GB 11643)
WRONG_CHECK = "110101199003074515"  # the same with a wrong one: neither an ID nor a Luhn-valid card
MOBILE = "13812345678"
CARD = "6222021234567890128"  # passes Luhn
COUNTY = "513425000000"

FINDINGS = """query($id: ID!) { node(id: $id) { ... on Document { version status
  workingVersion { screeningFindings { id kind field attachmentName page place excerpt occurrences status
    waiverReason waivedByName } } } } }"""
WAIVE = """mutation($id: ID!, $v: Int!, $r: String!) { waiveScreeningFinding(id: $id, version: $v, reason: $r) {
  document { id version status } finding { status waiverReason } errors { field code message } } }"""
EVENTS = """query($id: ID!) { node(id: $id) { ... on Document { events { stage actorName comment } } } }"""
UPDATE = """mutation($id: ID!, $v: Int!, $input: DocumentContentInput!) { updateDocument(id: $id, version: $v, input: $input) {
  document { id version status } errors { code } } }"""
WORDS = """query($u: String!) { sensitiveWords(unitCode: $u) { unitCode words version } }"""
SAVE_WORDS = """mutation($u: String!, $v: Int!, $w: [String!]!) { saveSensitiveWords(unitCode: $u, version: $v, words: $w) {
  wordList { words version } errors { field code message } } }"""


async def to_sign_off(gql: GraphQLClient, desk: Desk, doc: dict[str, Any]) -> dict[str, Any]:
    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, desk.editor))["submitDocument"]["document"]
    doc = (await step(gql, desk.editor, doc))["document"]
    doc = (await step(gql, desk.reviewer, doc))["document"]
    assert doc["status"] == "SIGN_OFF"
    return doc


async def findings(gql: GraphQLClient, token: str, doc_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    node = (await gql.data(FINDINGS, {"id": doc_id}, token))["node"]
    return node, node["workingVersion"]["screeningFindings"]


async def test_valid_id_number_blocks_sign_off_until_waived_and_the_waiver_is_an_event(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    doc = await create(gql, desk, body=f"低保对象张三，身份证号{ID_NUMBER}，已审核。")
    doc = await to_sign_off(gql, desk, doc)

    node, found = await findings(gql, desk.approver, doc["id"])
    assert [(f["kind"], f["field"], f["place"], f["status"]) for f in found] == [("ID_NUMBER", "BODY", "正文", "OPEN")]
    assert "110***********4514" in found[0]["excerpt"] and ID_NUMBER not in str(node)

    refused = await step(gql, desk.approver, doc, checked=True)
    assert refused["document"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("id", "OPEN_FINDINGS")]
    assert "身份证号码" in refused["errors"][0]["message"] and ID_NUMBER not in refused["errors"][0]["message"]
    node, found = await findings(gql, desk.approver, doc["id"])
    assert node["status"] == "SIGN_OFF" and found[0]["status"] == "OPEN"

    # the reviewer may not let it pass; the approver must give a reason
    by_reviewer = await gql(WAIVE, {"id": found[0]["id"], "v": node["version"], "r": "已同意"}, desk.reviewer)
    assert by_reviewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    blank = await gql.data(WAIVE, {"id": found[0]["id"], "v": node["version"], "r": "  "}, desk.approver)
    assert [e["code"] for e in blank["waiveScreeningFinding"]["errors"]] == ["REASON_REQUIRED"]

    reason = "本人书面同意公开（附同意书）"
    waived = (await gql.data(WAIVE, {"id": found[0]["id"], "v": node["version"], "r": reason}, desk.approver))[
        "waiveScreeningFinding"
    ]
    assert waived["errors"] == [] and waived["finding"] == {"status": "WAIVED", "waiverReason": reason}
    assert waived["document"]["version"] > node["version"]
    again = (await gql.data(WAIVE, {"id": found[0]["id"], "v": waived["document"]["version"], "r": reason},
                            desk.approver))["waiveScreeningFinding"]  # fmt: skip
    assert [e["code"] for e in again["errors"]] == ["NOT_OPEN"]

    events = (await gql.data(EVENTS, {"id": doc["id"]}, desk.approver))["node"]["events"]
    waiver = [e for e in events if e["stage"] == "WAIVE"]
    assert len(waiver) == 1 and reason in waiver[0]["comment"] and "110***********4514" in waiver[0]["comment"]
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "screening.waive"))).scalars().all()
    assert len(audit) == 1 and reason in audit[0].summary

    published = await step(gql, desk.approver, waived["document"], checked=True)
    assert published["errors"] == [] and published["document"]["status"] == "PUBLISHED"
    # the published version keeps its findings for staff; the public reads none of them
    current = """query($id: ID!) { node(id: $id) { ... on Document { current { screeningFindings { status } } } } }"""
    assert (await gql.data(current, {"id": doc["id"]}, desk.approver))["node"]["current"] == {
        "screeningFindings": [{"status": "WAIVED"}]
    }
    assert (await gql.data(current, {"id": doc["id"]}))["node"]["current"] == {"screeningFindings": []}


async def test_an_invalid_check_digit_is_not_a_finding(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    doc = await create(gql, desk, body=f"编号{WRONG_CHECK}")
    doc = await to_sign_off(gql, desk, doc)
    assert (await findings(gql, desk.approver, doc["id"]))[1] == []
    published = await step(gql, desk.approver, doc, checked=True)
    assert published["errors"] == [] and published["document"]["status"] == "PUBLISHED"


async def test_mobile_and_card_numbers_are_found_masked_and_fixed_by_an_edit(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    doc = await create(
        gql, desk, title=f"联系人电话{MOBILE}", summary="补贴发放",
        body=f"补贴打入卡号 6222 0212 3456 7890 128，咨询电话 {MOBILE}。",
    )  # fmt: skip
    doc = await to_sign_off(gql, desk, doc)
    node, found = await findings(gql, desk.approver, doc["id"])
    shown = {(f["kind"], f["field"]): f["excerpt"] for f in found}
    assert set(shown) == {("MOBILE", "TITLE"), ("BANK_CARD", "BODY"), ("MOBILE", "BODY")}
    assert "138****5678" in shown[("MOBILE", "TITLE")] and "138****5678" in shown[("MOBILE", "BODY")]
    assert "6222 **** **** ***0 128" in shown[("BANK_CARD", "BODY")]
    assert MOBILE not in str(found) and "3456" not in str(found)

    # returned, edited: the next scan (on reaching 审发 again) no longer finds them
    returned = await step(gql, desk.approver, doc, "RETURN", comment="请删去卡号和手机号")
    fixed = content(title="补贴发放情况", summary="补贴发放", body="补贴已发放，咨询电话 0834-1234567。")
    edited = (await gql.data(UPDATE, {"id": doc["id"], "v": returned["document"]["version"], "input": fixed},
                             desk.editor))["updateDocument"]  # fmt: skip
    assert edited["errors"] == []
    doc = await to_sign_off(gql, desk, edited["document"])
    node, found = await findings(gql, desk.approver, doc["id"])
    assert sorted(f["status"] for f in found) == ["FIXED", "FIXED", "FIXED"]
    published = await step(gql, desk.approver, doc, checked=True)
    assert published["errors"] == [] and published["document"]["status"] == "PUBLISHED"


async def test_a_sensitive_word_in_an_attached_pdf_is_found_with_its_page(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code=COUNTY)
    saved = await gql.data(SAVE_WORDS, {"u": COUNTY, "v": 0, "w": ["内部资料", "不得外传", "内部资料", " "]}, office)
    assert saved["saveSensitiveWords"] == {"wordList": {"words": ["内部资料", "不得外传"], "version": 1}, "errors": []}

    pdf = text_pdf([["2026年低保名单（公示）", "第一组"], ["说明：本表为内部资料", "请勿转发"], [f"联系人 {MOBILE}"]])
    query = """mutation($input: CreateDocumentInput!, $files: [Upload!]) { createDocument(input: $input, files: $files) {
      document { id version } errors { code message } } }"""
    body = multipart(query, {"input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()}},
                     [("低保名单.pdf", pdf)])  # fmt: skip
    response = await client.post("/graphql", **body, headers={"Authorization": f"Bearer {desk.editor}", **PREFLIGHT})
    created = response.json()["data"]["createDocument"]
    assert created["errors"] == [], created
    doc = await to_sign_off(gql, desk, created["document"])

    _, found = await findings(gql, desk.approver, doc["id"])
    places = {(f["kind"], f["attachmentName"], f["page"], f["place"]) for f in found}
    assert places == {
        ("SENSITIVE_WORD", "低保名单.pdf", 2, "附件“低保名单.pdf”第2页"),
        ("MOBILE", "低保名单.pdf", 3, "附件“低保名单.pdf”第3页"),
    }
    word = next(f for f in found if f["kind"] == "SENSITIVE_WORD")
    assert "内部资料" in word["excerpt"]
    refused = await step(gql, desk.approver, doc, checked=True)
    assert [e["code"] for e in refused["errors"]] == ["OPEN_FINDINGS"]


async def test_the_word_list_is_the_district_offices(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code=COUNTY)
    assert (await gql.data(WORDS, {"u": COUNTY}, desk.editor))["sensitiveWords"] == {
        "unitCode": COUNTY, "words": [], "version": 0
    }  # fmt: skip
    anonymous = await gql(WORDS, {"u": COUNTY})
    assert anonymous["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "FORBIDDEN")
    by_editor = await gql(SAVE_WORDS, {"u": COUNTY, "v": 0, "w": ["绝密"]}, desk.editor)
    assert by_editor["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    saved = (await gql.data(SAVE_WORDS, {"u": COUNTY, "v": 0, "w": ["绝密"]}, office))["saveSensitiveWords"]
    assert saved["errors"] == [] and saved["wordList"] == {"words": ["绝密"], "version": 1}
    stale = (await gql.data(SAVE_WORDS, {"u": COUNTY, "v": 0, "w": ["机密"]}, office))["saveSensitiveWords"]
    assert [e["code"] for e in stale["errors"]] == ["CONFLICT"]
    too_many = await gql(SAVE_WORDS, {"u": COUNTY, "v": 1, "w": [f"词{i}" for i in range(5001)]}, office)
    assert "errors" in too_many or too_many["data"]["saveSensitiveWords"]["errors"][0]["code"] == "TOO_MANY_WORDS"
    assert (await gql.data(WORDS, {"u": COUNTY}, desk.approver))["sensitiveWords"]["words"] == ["绝密"]

    # a listed word in the title is found like the numbers
    doc = await to_sign_off(gql, desk, await create(gql, desk, title="绝密文件目录"))
    _, found = await findings(gql, desk.approver, doc["id"])
    assert [(f["kind"], f["place"], f["excerpt"]) for f in found] == [("SENSITIVE_WORD", "标题", "绝密文件目录")]


async def test_a_village_posting_waits_for_the_towns_waiver(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    from .test_micropower import op, post

    v = await make_villages(session, system, make_user)
    item = await power_item(gql, VILLAGE)
    base = {"publisherId": v.committee, "villageItemId": item["id"], "title": "低保户名单",
            "body": f"低保户李四，身份证{ID_NUMBER}"}  # fmt: skip
    doc = (await post(client, v.poster, base, [("照片.png", PNG)]))["data"]["createDocument"]["document"]
    doc = (await gql.data(op("SubmitPosting"), {"id": doc["id"], "version": doc["version"]}, v.poster))[
        "submitDocument"
    ]["document"]
    node, found = await findings(gql, v.town_approver, doc["id"])
    assert [f["kind"] for f in found] == ["ID_NUMBER"]
    refused = await step(gql, v.town_approver, doc, checked=True)
    assert [e["code"] for e in refused["errors"]] == ["OPEN_FINDINGS"]
    by_poster = await gql(WAIVE, {"id": found[0]["id"], "v": node["version"], "r": "同意"}, v.poster)
    assert by_poster["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    waived = (await gql.data(WAIVE, {"id": found[0]["id"], "v": node["version"], "r": "经村民代表会议同意"},
                             v.town_approver))["waiveScreeningFinding"]  # fmt: skip
    assert waived["errors"] == []
    approved = await step(gql, v.town_approver, waived["document"], checked=True)
    assert approved["errors"] == [] and approved["document"]["status"] == "PUBLISHED"


async def test_findings_of_a_page_of_documents_take_one_statement(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    for i in range(6):
        await to_sign_off(gql, desk, await create(gql, desk, title=f"名单{i}", body=f"电话{MOBILE}"))
    query = """query($n: Int!) { documents(first: $n) { edges { node { workingVersion {
      screeningFindings { kind excerpt } } } } } }"""

    async def count(n: int) -> int:
        statement_counter.start()
        data = await gql.data(query, {"n": n}, desk.approver)
        used = statement_counter.stop()
        edges = data["documents"]["edges"]
        assert len(edges) == n and all(e["node"]["workingVersion"]["screeningFindings"] for e in edges)
        return used

    await count(2)  # the actor read and cached (api.auth.actor.ActorCache): later requests have it
    assert await count(2) == await count(6), statement_counter.statements
    # the public reads no findings (and no working version)
    public = await publish(gql, desk, title="公开文件")
    assert public["status"] == "PUBLISHED"


async def test_what_the_scan_cannot_read_waits_for_a_person(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    ofd = io.BytesIO()
    with zipfile.ZipFile(ofd, "w") as z:
        z.writestr(
            "OFD.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'
        )
    long_pdf = text_pdf([[f"第{i}页"] for i in range(1, MAX_PAGES + 2)])  # one page past the bound
    query = """mutation($input: CreateDocumentInput!, $files: [Upload!]) { createDocument(input: $input, files: $files) {
      document { id version } errors { code message } } }"""
    body = multipart(query, {"input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()}},
                     [("公告.ofd", ofd.getvalue()), ("汇编.pdf", long_pdf)])  # fmt: skip
    response = await client.post("/graphql", **body, headers={"Authorization": f"Bearer {desk.editor}", **PREFLIGHT})
    created = response.json()["data"]["createDocument"]
    assert created["errors"] == [], created
    doc = await to_sign_off(gql, desk, created["document"])

    node, found = await findings(gql, desk.approver, doc["id"])
    assert sorted((f["kind"], f["place"], f["status"]) for f in found) == [
        ("UNSCANNED", "附件“公告.ofd”", "OPEN"),
        ("UNSCANNED", "附件“汇编.pdf”", "OPEN"),
    ]
    assert any(f"前{MAX_PAGES}页" in f["excerpt"] for f in found)
    version = node["version"]
    for f in found:
        waived = (await gql.data(WAIVE, {"id": f["id"], "v": version, "r": "已人工逐页检查"}, desk.approver))[
            "waiveScreeningFinding"
        ]
        assert waived["errors"] == []
        version = waived["document"]["version"]
    published = await step(gql, desk.approver, waived["document"], checked=True)
    assert published["errors"] == [] and published["document"]["status"] == "PUBLISHED"
