"""The kiosk's local view: what applies to a place, for kiosk devices bound to a unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.models import Role

from ..conftest import GraphQLClient
from ..documents_fixtures import make_desk, publish, step
from ..village_fixtures import OTHER_TOWN, SIBLING, TOWN, VILLAGE, make_villages, power_item

KIOSK = Path(__file__).resolve().parent.parent.parent / "clients" / "kiosk"
LOCAL = (KIOSK / "LocalItems.graphql").read_text(encoding="utf-8")
DIRECTORY = (KIOSK / "UnitDirectory.graphql").read_text(encoding="utf-8")


async def publish_posting(gql: GraphQLClient, v: Any, title: str) -> dict[str, Any]:
    item = await power_item(gql, VILLAGE)
    create = """mutation($p: ID!, $i: ID!, $t: String!) { createDocument(input: {publisherId: $p, kind: VILLAGE_AFFAIRS,
      content: {title: $t, attribute: PROACTIVE, villageItemId: $i}}) { document { id version } errors { code } } }"""
    doc = (await gql.data(create, {"p": v.committee, "i": item["id"], "t": title}, v.poster))["createDocument"][
        "document"
    ]
    doc = (await gql.data("mutation($id: ID!, $v: Int!) { submitDocument(id: $id, version: $v) { document { id version } } }",
                          {"id": doc["id"], "v": doc["version"]}, v.poster))["submitDocument"]["document"]  # fmt: skip
    return (await step(gql, v.town_approver, doc, checked=True))["document"]


def titles(data: dict[str, Any]) -> list[str]:
    return [e["node"].get("title") or e["node"].get("name") for e in data["localItems"]["edges"]]


async def test_local_items_for_village_and_town_kiosks(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    v = await make_villages(session, system, make_user)
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="县级通知")
    await publish(gql, desk, title="县级依申请", attribute="ON_REQUEST", attributeReason="内部事项")
    await publish_posting(gql, v, "铜矿村财务公开")
    village_kiosk = await make_user("kiosk_v", Role.KIOSK, unit_code=VILLAGE)
    town_kiosk = await make_user("kiosk_t", Role.KIOSK, unit_code=TOWN)

    for token in (village_kiosk, town_kiosk):
        local = await gql.data(LOCAL, {"unitCode": VILLAGE}, token)
        assert titles(local)[:2] == ["铜矿村财务公开", "县级通知"]
        assert "县级依申请" not in titles(local)
        kinds = {e["node"]["__typename"] for e in local["localItems"]["edges"]}
        assert kinds == {"Document", "VillagePowerItem"}
        assert "村级财务收支公开" in titles(local)

    sibling = await gql.data(LOCAL, {"unitCode": SIBLING}, town_kiosk)
    assert "铜矿村财务公开" not in titles(sibling) and "县级通知" in titles(sibling)

    for unit in (OTHER_TOWN, "513425000000"):
        refused = await gql(LOCAL, {"unitCode": unit}, town_kiosk)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", unit
    refused = await gql(LOCAL, {"unitCode": TOWN}, village_kiosk)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    only_docs = await gql.data(LOCAL, {"unitCode": VILLAGE, "filter": {"includePowerList": False}}, village_kiosk)
    assert titles(only_docs) == ["铜矿村财务公开", "县级通知"]


async def test_kiosk_sees_only_public_documents(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="公开的")
    from ..documents_fixtures import create

    await create(gql, desk, title="草稿")
    kiosk = await make_user("kiosk_c", Role.KIOSK, unit_code="513425000000")
    docs = await gql.data("{ documents { edges { node { title } } } }", token=kiosk)
    assert [e["node"]["title"] for e in docs["documents"]["edges"]] == ["公开的"]
    local = await gql.data(LOCAL, {"unitCode": "513425000000"}, kiosk)
    assert titles(local) == ["公开的"]


async def test_kiosk_devices_are_created_and_revoked_by_the_district_office(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    await make_villages(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    create = (KIOSK.parent / "web" / "CreateKiosk.graphql").read_text(encoding="utf-8")
    made = (await gql.data(create, {"unitCode": TOWN, "name": "鹿厂镇便民服务中心1号机"}, office))["createKiosk"]
    assert made["errors"] == [] and made["token"]
    token = made["token"]
    assert (await gql.data(LOCAL, {"unitCode": VILLAGE}, token))["localItems"]["totalCount"] >= 1
    assert (await gql(LOCAL, {"unitCode": OTHER_TOWN}, token))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    poster_refused = await gql(
        create, {"unitCode": TOWN, "name": "x"}, await make_user("poster9", Role.VILLAGE_POSTER, unit_code=VILLAGE)
    )
    assert poster_refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    revoked = await gql.data("mutation($id: ID!) { revokeKiosk(id: $id) { device { active } errors { code } } }",
                             {"id": made["device"]["id"]}, office)  # fmt: skip
    assert revoked["revokeKiosk"] == {"device": {"active": False}, "errors": []}
    response = await gql.raw(LOCAL, {"unitCode": VILLAGE}, token)
    assert response.status_code == 401


async def test_unit_directory(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    await make_villages(session, system, make_user)
    kiosk = await make_user("kiosk_v", Role.KIOSK, unit_code=VILLAGE)
    names = [o["name"] for o in (await gql.data(DIRECTORY, {"unitCode": VILLAGE}, kiosk))["unitDirectory"]]
    assert names == ["铜矿村委会", "鹿厂镇政府"]


async def test_local_items_run_constant_statements(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any
) -> None:
    v = await make_villages(session, system, make_user)
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="县级通知")
    await publish_posting(gql, v, "铜矿村财务公开")

    async def count(n: int) -> int:
        statement_counter.start()
        data = await gql.data(LOCAL, {"unitCode": VILLAGE, "first": n})
        used = statement_counter.stop()
        edges = data["localItems"]["edges"]
        assert len(edges) == n and {e["node"]["__typename"] for e in edges} == {"Document", "VillagePowerItem"}
        return used

    small = await count(4)  # 2 documents, 2 list entries
    for i in range(12):
        await publish(gql, desk, title=f"县级通知{i}")
    large = await count(16)
    assert small == large, statement_counter.statements
