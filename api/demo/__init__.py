"""The demo data: 会理县 and 印台区 from the seed documents, one user per role."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.models import AdminUnit, ContactRole, Organization, OrganizationKind, Role, UnitKind
from api.privacy import Vault
from api.services import accounts, domains, screening, search, units
from api.services.channels import webhooks
from api.services.reports import assessment
from api.services.units import CREDIT_CHARS, ContactInput, ProfileInput, credit_check_char
from api.storage import Storage

from . import data
from .catalog import load_catalog, load_micropower
from .commitments import load_commitments
from .documents import load_documents, load_posting
from .platform import load_platform
from .requests import load_requests


def demo_credit_code(county: str, serial: int) -> str:
    """A well-formed (check digit right) but invented 统一社会信用代码: 11 = 机构编制/机关."""
    body = "".join(CREDIT_CHARS[(serial // 31**i) % 31] for i in range(5))[::-1]
    first17 = f"11{county[:6]}MB{body}{(serial * 7) % 10}0"[:17]
    return first17 + credit_check_char(first17)


async def is_empty(session: AsyncSession) -> bool:
    return (await session.execute(select(func.count()).select_from(AdminUnit))).scalar_one() == 0


class _Builder:
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.serial = 0

    async def unit(self, code: str, name: str, kind: str, demo: bool = True) -> AdminUnit:
        return await units.create_unit(self.session, self.actor, code=code, name=name, kind=UnitKind[kind], demo=demo)

    async def org(self, unit: AdminUnit, name: str, kind: OrganizationKind, head: str = "") -> Organization:
        self.serial += 1
        return await units.create_organization(
            self.session,
            self.actor,
            unit_code=unit.code,
            name=name,
            kind=kind,
            credit_code=demo_credit_code(unit.code, self.serial),
            demo=True,
            profile=ProfileInput(
                functions=f"{name}依法履行的职能（演示数据）",
                address=f"{name}办公地址（演示数据）",
                office_hours="工作日 9:00-12:00, 14:30-18:00",
                phone="0000-0000000",
                head=head,
            ),
            contacts=[
                ContactInput(ContactRole.LEADER, "分管领导（演示）", "副职", "13800000000"),
                ContactInput(ContactRole.STAFF, "信息公开工作人员（演示）", "科员", "13900000000"),
            ],
        )


async def load_demo(
    session: AsyncSession, actor: Actor, storage: Storage, tmp_dir: Path, vault: Vault | None = None
) -> dict[str, int]:
    b = _Builder(session, actor)
    huili = await b.unit(data.HUILI_CODE, data.HUILI_NAME, "XIAN", demo=False)
    huili_orgs: dict[str, Organization] = {}
    for name, _target in data.HUILI_DEPARTMENTS:
        if name == "县政府办":
            kind = OrganizationKind.GOVERNMENT_OFFICE
        elif name in data.HUILI_PUBLIC_INSTITUTIONS:
            kind = OrganizationKind.PUBLIC_INSTITUTION
        else:
            kind = OrganizationKind.DEPARTMENT
        huili_orgs[name] = await b.org(huili, name, kind)

    towns: dict[str, AdminUnit] = {}
    groups = [
        (data.HUILI_SUBDISTRICTS, 1, "JIEDAO", "街道", "街道办事处", OrganizationKind.TOWN_GOVERNMENT),
        (data.HUILI_TOWNS, 100, "ZHEN", "镇", "镇政府", OrganizationKind.TOWN_GOVERNMENT),
        (data.HUILI_TOWNSHIPS, 200, "XIANG", "乡", "乡政府", OrganizationKind.TOWN_GOVERNMENT),
        (data.HUILI_PARKS, 400, "YUANQU", "", "管委会", OrganizationKind.PARK_COMMITTEE),
    ]
    for names, start, unit_kind, unit_suffix, org_suffix, org_kind in groups:
        for i, name in enumerate(names):
            code = f"{data.HUILI_CODE[:6]}{start + i:03d}000"
            unit = await b.unit(code, name + unit_suffix, unit_kind)
            towns[name] = unit
            await b.org(unit, name + org_suffix, org_kind)
    villages: dict[str, AdminUnit] = {}
    for town_name, village_list in data.HUILI_VILLAGES.items():
        town = towns[town_name]
        for i, (vname, vkind) in enumerate(village_list, start=1):
            unit = await b.unit(f"{town.code[:9]}{i:03d}", vname, vkind)
            villages[vname] = unit
            suffix = "居委会" if vkind == "SHEQU" else "委会"
            await b.org(unit, vname + suffix, OrganizationKind.VILLAGE_COMMITTEE)

    yintai = await b.unit(data.YINTAI_CODE, data.YINTAI_NAME, "QU", demo=False)
    yintai_orgs = {data.YINTAI_OFFICE: await b.org(yintai, data.YINTAI_OFFICE, OrganizationKind.GOVERNMENT_OFFICE)}
    for dept, _domains in data.YINTAI_ANNEX1:
        yintai_orgs[dept] = await b.org(yintai, dept, OrganizationKind.DEPARTMENT)
    for code, name, town_kind in data.YINTAI_TOWNS:
        unit = await b.unit(code, name, town_kind)
        await b.org(unit, name + ("办事处" if town_kind == "JIEDAO" else "政府"), OrganizationKind.TOWN_GOVERNMENT)

    assigned = 0
    for dept, domain_names in data.YINTAI_ANNEX1:
        for domain_name in domain_names:
            await domains.assign_domain(
                session, actor, domain_code=domain_name, unit_code=yintai.code, organization_id=yintai_orgs[dept].id
            )
            await domains.assign_domain(
                session,
                actor,
                domain_code=domain_name,
                unit_code=huili.code,
                organization_id=huili_orgs[data.HUILI_MATCH[dept]].id,
            )
            assigned += 2

    office = huili_orgs["县政府办"]
    civil = huili_orgs["县民政局"]
    village_committee = (
        await session.execute(select(Organization).where(Organization.name == "铜矿村委会"))
    ).scalar_one()
    users = [
        ("admin", "系统管理员（演示）", None, Role.DISTRICT_OFFICE, None, None),
        ("huili_office", "会理县政府办（演示）", office.id, Role.DISTRICT_OFFICE, huili.code, None),
        (
            "yintai_office",
            "印台区政府办（演示）",
            yintai_orgs[data.YINTAI_OFFICE].id,
            Role.DISTRICT_OFFICE,
            yintai.code,
            None,
        ),
        ("editor", "民政局承办人员（演示）", civil.id, Role.EDITOR, None, civil.id),
        ("reviewer", "民政局科室负责人（演示）", civil.id, Role.REVIEWER, None, civil.id),
        ("approver", "民政局单位负责人（演示）", civil.id, Role.APPROVER, None, civil.id),
        ("foi_officer", "政府办依申请公开专员（演示）", office.id, Role.FOI_OFFICER, huili.code, None),
        (
            "village_poster",
            "铜矿村村务公开员（演示）",
            village_committee.id,
            Role.VILLAGE_POSTER,
            villages["铜矿村"].code,
            None,
        ),
        ("auditor", "会理县审计员（演示）", office.id, Role.AUDITOR, huili.code, None),
        ("kiosk_luchang", "鹿厂镇便民服务中心终端（演示）", None, Role.KIOSK, towns["鹿厂"].code, None),
        ("town_approver", "鹿厂镇分管领导（演示）", None, Role.APPROVER, towns["鹿厂"].code, None),
    ]
    for username, display, org_id, role, unit_code, grant_org in users:
        user = await accounts.create_user(
            session,
            actor,
            username=username,
            display_name=display,
            password=data.DEMO_PASSWORD,
            organization_id=org_id,
            demo=True,
        )
        await accounts.grant_role(
            session, actor, user_id=user.id, role=role, unit_code=unit_code, organization_id=grant_org
        )
    items = await load_catalog(session, actor, huili.code)
    powers = await load_micropower(session, actor, huili.code, [v.code for v in villages.values()])
    await screening.save_words(session, actor, unit_code=huili.code, version=0, words=data.SENSITIVE_WORDS)
    # The provincial catalog system's receiver (issue 15): the demo's publications are in its
    # delivery log; switched off afterwards, so a demo server never calls out.
    hook = await webhooks.register_webhook(
        session, actor, unit_code=huili.code, url="https://catalog.example.org/gongkai/webhook",
        events=["document.published", "document.updated", "document.retracted"],
        secret="demo-webhook-secret-not-for-production", vault=vault or Vault("demo"), description="省政府信息公开目录管理系统（演示，未启用）",
    )  # fmt: skip
    docs = await load_documents(session, actor, storage, tmp_dir)
    docs += await load_posting(session, actor, storage, tmp_dir, villages["铜矿村"].code)
    await webhooks.update_webhook(session, actor, webhook_id=hook.id, version=hook.version, active=False)
    docs += await load_platform(session, actor, storage, tmp_dir)
    requests = await load_requests(session, actor, vault or Vault("demo"))
    await search.set_synonyms(session, actor, [list(g) for g in data.SEARCH_SYNONYMS], 0)
    commitments = await load_commitments(session, actor)
    targets = {name: count for name, count in data.HUILI_DEPARTMENTS} | data.HUILI_TOWN_TARGETS
    by_name = {o.name: o for o in (await session.execute(select(Organization))).scalars()}
    for name, count in targets.items():
        await assessment.set_target(
            session, actor, organization_id=by_name[name].id, year=data.TARGET_YEAR, count=count
        )
    return {
        "assignments": assigned, "users": len(users), "documents": docs, "catalog": items, "micropower": powers,
        "requests": requests, "targets": len(targets), "commitments": commitments,
    }  # fmt: skip
