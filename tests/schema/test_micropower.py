"""Micro-power lists and village postings: posted by the village, approved by the town."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from ..conftest import GraphQLClient
from ..documents_fixtures import PDF, PNG, SUBMIT, step
from ..village_fixtures import SIBLING, VILLAGE, make_villages, power_item

CLIENTS = Path(__file__).resolve().parent.parent.parent / "clients" / "miniprogram"


def op(name: str) -> str:
    return (CLIENTS / f"{name}.graphql").read_text(encoding="utf-8")


async def post(
    client: httpx.AsyncClient, token: str, variables: dict[str, Any], photos: list[tuple[str, bytes]]
) -> dict[str, Any]:
    variables = {**variables, "photos": [None] * len(photos)}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps({"query": op("CreatePosting"), "variables": variables}),
              "map": json.dumps({str(i): [f"variables.photos.{i}"] for i in range(len(photos))})},
        files={str(i): (n, d, "image/png") for i, (n, d) in enumerate(photos)},
        headers={"Authorization": f"Bearer {token}", "Apollo-Require-Preflight": "true"},
    )  # fmt: skip
    return response.json()


async def test_village_posting_flow(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    v = await make_villages(session, system, make_user)
    item = await power_item(gql, VILLAGE)
    base = {"publisherId": v.committee, "villageItemId": item["id"], "title": "第三季度财务收支", "body": "见照片"}

    elsewhere = await post(client, v.poster, {**base, "publisherId": v.sibling_committee}, [("照片.png", PNG)])
    assert elsewhere["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    sibling_item = await power_item(gql, SIBLING)
    wrong_item = await post(client, v.poster, {**base, "villageItemId": sibling_item["id"]}, [("照片.png", PNG)])
    assert [(e["field"], e["code"]) for e in wrong_item["data"]["createDocument"]["errors"]] == [
        ("villageItemId", "NOT_IN_VILLAGE")
    ]
    not_photo = await post(client, v.poster, base, [("账目.pdf", PDF)])
    assert not_photo["data"]["createDocument"]["errors"][0]["code"] == "PHOTOS_ONLY"

    created = await post(client, v.poster, base, [("照片.png", PNG)])
    doc = created["data"]["createDocument"]["document"]
    assert created["data"]["createDocument"]["errors"] == [] and doc["status"] == "DRAFT"
    assert doc["current"]["attachments"][0]["filename"] == "照片.png"
    doc = (await gql.data(op("SubmitPosting"), {"id": doc["id"], "version": doc["version"]}, v.poster))[
        "submitDocument"
    ]["document"]
    assert doc["status"] == "SIGN_OFF"
    queue = await gql.data("{ reviewQueue { edges { node { title kind } } } }", token=v.town_approver)
    assert queue["reviewQueue"]["edges"] == [{"node": {"title": "第三季度财务收支", "kind": "VILLAGE_AFFAIRS"}}]

    returned = await step(gql, v.town_approver, doc, "RETURN", comment="请补充支出明细照片")
    assert returned["errors"] == [] and returned["document"]["status"] == "DRAFT"
    mine = await gql.data(op("MyPostings"), {"villageCode": VILLAGE}, v.poster)
    events = mine["documents"]["edges"][0]["node"]["events"]
    assert events[-1]["decision"] == "RETURN" and events[-1]["comment"] == "请补充支出明细照片"

    doc = returned["document"]
    edited = await gql.data(
        op("EditPosting"), {"id": doc["id"], "version": doc["version"], "body": "见照片（含支出明细）"}, v.poster
    )
    doc = edited["updateDocument"]["document"]
    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, v.poster))["submitDocument"]["document"]
    sibling_refused = await gql(
        "mutation($id: ID!, $v: Int!) { reviewDocument(id: $id, version: $v, decision: APPROVE) { errors { code } } }",
        {"id": doc["id"], "v": doc["version"]}, v.sibling_poster,
    )  # fmt: skip
    assert sibling_refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    approved = await step(gql, v.town_approver, doc, checked=True)
    assert approved["errors"] == [] and approved["document"]["status"] == "PUBLISHED"
    assert approved["document"]["indexNo"].endswith("-00001")


async def test_applicability_needs_a_reason_and_local_items(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    v = await make_villages(session, system, make_user)
    item = await power_item(gql, VILLAGE, "村级重大事项决策（四议两公开）")
    mutation = """mutation($id: ID!, $v: Int!, $a: Boolean!, $r: String) {
      setVillagePowerItemApplicable(id: $id, version: $v, applicable: $a, reason: $r) {
        item { applicable notApplicableReason version } errors { field code } } }"""
    no_reason = await gql.data(mutation, {"id": item["id"], "v": item["version"], "a": False}, v.poster)
    assert no_reason["setVillagePowerItemApplicable"]["errors"] == [{"field": "reason", "code": "REASON_REQUIRED"}]
    ok = await gql.data(
        mutation, {"id": item["id"], "v": item["version"], "a": False, "r": "本村无集体经营项目"}, v.poster
    )
    assert ok["setVillagePowerItemApplicable"]["item"]["notApplicableReason"] == "本村无集体经营项目"
    stale = await gql.data(mutation, {"id": item["id"], "v": item["version"], "a": True}, v.poster)
    assert stale["setVillagePowerItemApplicable"]["errors"][0]["code"] == "CONFLICT"
    other = await gql(mutation, {"id": item["id"], "v": 2, "a": True}, v.sibling_poster)
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    local = await gql.data(
        """mutation { addVillagePowerItem(villageCode: "513425101001", input: {category: "特色事项", name: "村集体茶园收益分配",
             steps: ["提出方案", "村民代表会议表决", "公开"]}) { item { name local steps } errors { code } } }""",
        token=v.poster,
    )  # fmt: skip
    assert local["addVillagePowerItem"]["item"] == {"name": "村集体茶园收益分配", "local": True,
                                                    "steps": ["提出方案", "村民代表会议表决", "公开"]}  # fmt: skip
    names = {r["name"]: r["applicable"] for r in (await gql.data(
        '{ villagePowerList(villageCode: "513425101001") { name applicable } }'))["villagePowerList"]}  # fmt: skip
    assert names == {"村级财务收支公开": True, "村级重大事项决策（四议两公开）": False, "村集体茶园收益分配": True}
