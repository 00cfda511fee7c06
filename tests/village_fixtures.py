"""A town with two villages, their committees, a micro-power template, posters and the town's approver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.models import OrganizationKind, Role, UnitKind
from api.services import micropower, units
from api.services.micropower import PowerFields

from .conftest import GraphQLClient
from .documents_fixtures import credit, gid

TOWN = "513425101000"
VILLAGE = "513425101001"
SIBLING = "513425101002"
OTHER_TOWN = "513425102000"


@dataclass
class Villages:
    committee: str
    sibling_committee: str
    poster: str
    sibling_poster: str
    town_approver: str


async def make_villages(session: Any, system: Any, make_user: Any) -> Villages:
    await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    await units.create_unit(session, system, code=TOWN, name="鹿厂镇", kind=UnitKind.ZHEN)
    await units.create_unit(session, system, code=OTHER_TOWN, name="黎溪镇", kind=UnitKind.ZHEN)
    await units.create_unit(session, system, code=VILLAGE, name="铜矿村", kind=UnitKind.CUN)
    await units.create_unit(session, system, code=SIBLING, name="大村村", kind=UnitKind.CUN)
    committees = []
    for seed, code, name in ((31, VILLAGE, "铜矿村委会"), (32, SIBLING, "大村村委会")):
        org = await units.create_organization(
            session,
            system,
            unit_code=code,
            name=name,
            kind=OrganizationKind.VILLAGE_COMMITTEE,
            credit_code=credit(seed),
        )
        committees.append(org.id)
    await units.create_organization(
        session, system, unit_code=TOWN, name="鹿厂镇政府", kind=OrganizationKind.TOWN_GOVERNMENT
    )
    for category, name in (("财务收支", "村级财务收支公开"), ("重大事项决策", "村级重大事项决策（四议两公开）")):
        await micropower.create_template_item(
            session, system, unit_code="513425000000",
            fields_=PowerFields(category, name, steps=["提出", "商议", "公开"], timing="每季度首月20日前"),
        )  # fmt: skip
    for code in (VILLAGE, SIBLING):
        await micropower.adopt_template(session, system, village_code=code)
    return Villages(
        committee=gid("Organization", committees[0]),
        sibling_committee=gid("Organization", committees[1]),
        poster=await make_user("poster", Role.VILLAGE_POSTER, unit_code=VILLAGE),
        sibling_poster=await make_user("poster2", Role.VILLAGE_POSTER, unit_code=SIBLING),
        town_approver=await make_user("town_approver", Role.APPROVER, unit_code=TOWN),
    )


async def power_item(gql: GraphQLClient, village_code: str, name: str = "村级财务收支公开") -> dict[str, Any]:
    rows = (await gql.data("query($v: String!) { villagePowerList(villageCode: $v) { id name version applicable } }",
                           {"v": village_code}))["villagePowerList"]  # fmt: skip
    return next(r for r in rows if r["name"] == name)
