"""The permission matrix (issue 10), generated from the schema: every type implementing ``Node`` and
every root ``Query`` field returning a list or a connection, read by each demo role at its own
scope, by another county's office and anonymously, on the demo data through GraphQL.

The expectations below are the committed table: one row per representative object (or root list)
and one column per caller. They follow ``policies/policy.csv`` and the read rules of
``policies/README.md``: a grant holds at its path and below; an account lies at its organization's
path (no organization: ``*``), a grant at its path, an appeal with its request; everyone signed in
reads their own account and grants; the hierarchy, domains, catalog, micro-power lists and published
public documents are everybody's; staff (``document read_staff``) read the unpublished documents
under their grant. A ``Node`` type or a root list with no row here fails ("new type without a read
rule"): add its row, derived from the policy, with the type.

``Y`` visible: ``node(id)`` returns the object, the list contains it. ``-`` not visible: ``node``
is null or FORBIDDEN/UNAUTHENTICATED, the list lacks it or is FORBIDDEN/UNAUTHENTICATED.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLOutputType
from sqlalchemy import Select, String, cast, literal, select

from api.demo.data import DEMO_PASSWORD, HUILI_CODE, YINTAI_CODE
from api.models import (
    AdminUnit,
    Appeal,
    AuditEntry,
    CasbinRule,
    CatalogItem,
    Commitment,
    Document,
    DocumentStatus,
    Domain,
    DomainAssignment,
    InfoRequest,
    Organization,
    PowerItem,
    User,
    VillagePowerItem,
)
from schema import schema

from ..conftest import GraphQLClient
from ..documents_fixtures import gid

# The callers, in the order of the table's columns. ``anonymous`` has no token; ``yintai_office``
# (印台区's office) is the other county on 会理县's objects, ``huili_office`` on 印台区's.
CALLERS = {
    "ano": "anonymous",
    "adm": "admin",  # district_office at *
    "hui": "huili_office",  # district_office at 会理县
    "yin": "yintai_office",  # district_office at 印台区
    "edi": "editor",  # editor at 会理县/县民政局
    "rev": "reviewer",  # reviewer at 会理县/县民政局
    "app": "approver",  # approver at 会理县/县民政局
    "foi": "foi_officer",  # foi_officer at 会理县
    "vil": "village_poster",  # village_poster at 会理县/鹿厂镇/铜矿村
    "aud": "auditor",  # auditor at 会理县
    "kio": "kiosk_luchang",  # kiosk at 会理县/鹿厂镇
    "twn": "town_approver",  # approver at 会理县/鹿厂镇
}
HEADER = "ano adm hui yin edi rev app foi vil aud kio twn"
EVERYBODY = " Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y"

HUILI = "513425"
CIVIL = "县民政局"  # the editor's, reviewer's and approver's organization (org:17)
VILLAGE = "铜矿村"
LUCHANG = "513425102000"


def _unit(code: str) -> Any:
    return select(AdminUnit.id).where(AdminUnit.code == code).scalar_subquery()


def _org(name: str) -> Any:
    return select(Organization.id).where(Organization.name == name).scalar_subquery()


def _grant(username: str) -> Select[Any]:
    user = select(User.id).where(User.username == username).scalar_subquery()
    return select(CasbinRule.id).where(
        CasbinRule.ptype == "g", CasbinRule.v0 == literal("user:").concat(cast(user, String))
    )


# Node type -> representative object -> (how to find its id, who sees it).
NODES: dict[str, dict[str, tuple[Select[Any], str]]] = {
    "Unit": {
        "会理县": (select(AdminUnit.id).where(AdminUnit.code == HUILI_CODE), EVERYBODY),
        "印台区": (select(AdminUnit.id).where(AdminUnit.code == YINTAI_CODE), EVERYBODY),
    },
    "Organization": {
        "县民政局": (select(Organization.id).where(Organization.name == CIVIL), EVERYBODY),
        "区政府办": (select(Organization.id).where(Organization.name == "区政府办"), EVERYBODY),
    },
    "Domain": {
        "first": (select(Domain.id), EVERYBODY),
    },
    "DomainAssignment": {
        "会理县": (select(DomainAssignment.id).where(DomainAssignment.county_id == _unit(HUILI_CODE)), EVERYBODY),
        "印台区": (select(DomainAssignment.id).where(DomainAssignment.county_id == _unit(YINTAI_CODE)), EVERYBODY),
    },
    "Document": {
        "published": (
            select(Document.id).where(Document.status == DocumentStatus.PUBLISHED, Document.public.is_(True)),
            EVERYBODY,
        ),
        # A draft of 县民政局: staff with read_staff at or above 513425/org:17.
        "draft": (
            select(Document.id).where(Document.status == DocumentStatus.DRAFT, Document.publisher_id == _org(CIVIL)),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   Y   Y   Y   Y   -   Y   -   -",
        ),
        # Published but not public (县政府办, org:1): staff at the county only.
        "not public": (
            select(Document.id).where(Document.status == DocumentStatus.PUBLISHED, Document.public.is_(False)),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   -   -   -   Y   -   Y   -   -",
        ),
    },
    "CatalogItem": {
        "会理县": (select(CatalogItem.id).where(CatalogItem.county_id == _unit(HUILI_CODE)), EVERYBODY),
    },
    "PowerItem": {
        "会理县": (select(PowerItem.id).where(PowerItem.county_id == _unit(HUILI_CODE)), EVERYBODY),
    },
    "VillagePowerItem": {
        VILLAGE: (
            select(VillagePowerItem.id).where(
                VillagePowerItem.village_id == select(AdminUnit.id).where(AdminUnit.name == VILLAGE).scalar_subquery()
            ),
            EVERYBODY,
        ),
    },
    "User": {
        # At 513425/org:17: user read there, and the editor itself.
        "editor": (
            select(User.id).where(User.username == "editor"),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   Y   -   -   -   -   Y   -   -",
        ),
        "yintai_office": (
            select(User.id).where(User.username == "yintai_office"),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   -   Y   -   -   -   -   -   -   -   -",
        ),
        # No organization: it lies at *.
        "kiosk_luchang": (
            select(User.id).where(User.username == "kiosk_luchang"),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   -   -   -   -   -   -   -   -   Y   -",
        ),
    },
    "RoleGrant": {
        "editor's": (
            _grant("editor"),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   Y   -   -   -   -   Y   -   -",
        ),
        "yintai_office's": (
            _grant("yintai_office"),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   -   Y   -   -   -   -   -   -   -   -",
        ),
        "admin's at *": (
            _grant("admin"),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   -   -   -   -   -   -   -   -   -   -",
        ),
    },
    "InfoRequest": {
        # Handled by 县民政局: request read at or above 513425/org:17.
        "县民政局": (
            select(InfoRequest.id).where(InfoRequest.handling_org_id == _org(CIVIL)),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   Y   Y   Y   Y   -   Y   -   -",
        ),
        "县政府办": (
            select(InfoRequest.id).where(InfoRequest.handling_org_id == _org("县政府办")),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   -   -   -   Y   -   Y   -   -",
        ),
    },
    # Public at once: everybody reads every commitment (policy: anonymous commitment read).
    "Commitment": {
        "会理县": (select(Commitment.id).where(Commitment.unit_id == _unit(HUILI_CODE)), EVERYBODY),
    },
    "Appeal": {
        # With its request (县民政局's).
        "县民政局": (
            select(Appeal.id).where(
                Appeal.request_id.in_(select(InfoRequest.id).where(InfoRequest.handling_org_id == _org(CIVIL)))
            ),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   Y   Y   Y   Y   -   Y   -   -",
        ),
    },
}

# Root list -> (query, the representative it should contain: a NODES case, a query for its id, or
# None for "any item at all"; who sees it), for 会理县's objects, or one such triple per county.
# The whole answer is searched for the representative's id.
ListCase = tuple[str, tuple[str, str] | Select[Any] | None, str]
LISTS: dict[str, ListCase | dict[str, ListCase]] = {
    "units": (
        f'{{ units(parentCode: "{HUILI_CODE}", first: 100) {{ edges {{ node {{ id }} }} }} }}',
        select(AdminUnit.id).where(AdminUnit.code == LUCHANG),
        EVERYBODY,
    ),
    "organizations": (
        f'{{ organizations(unitCode: "{HUILI_CODE}", first: 100) {{ edges {{ node {{ id }} }} }} }}',
        ("Organization", "县民政局"),
        EVERYBODY,
    ),
    "unitDirectory": (
        f'{{ unitDirectory(unitCode: "{HUILI_CODE}") {{ id }} }}',
        ("Organization", "县民政局"),
        # A kiosk asks about its own place or one below it (鹿厂镇), not the county: FORBIDDEN.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   -   Y",
    ),
    "domains": ("{ domains { id } }", ("Domain", "first"), EVERYBODY),
    "documents": (
        "{ documents(filter: {status: DRAFT}, first: 100) { edges { node { id } } } }",
        ("Document", "draft"),
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   Y   Y   -   Y   Y   Y   Y   -   Y   -   -",
    ),
    "reviewQueue": (
        "{ reviewQueue(first: 100) { edges { node { id } } } }",
        select(Document.id).where(Document.status == DocumentStatus.FIRST_REVIEW),
        # 初审 is the editor's step.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   -   -   -   Y   -   -   -   -   -   -   -",
    ),
    "infoRequestRegister": (
        f'{{ infoRequestRegister(unitCode: "{HUILI_CODE}", from: "2026-01-01", to: "2026-12-31") {{ id }} }}',
        None,
        # request read at the county: the district office, the FOI officer (at 会理县) and the auditor.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   Y   Y   -   -   -   -   Y   -   Y   -   -",
    ),
    "feeStandards": (
        "{ feeStandards { id: method } }",
        None,
        # the fee standard is published (国办函〔2020〕109号): everybody.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y",
    ),
    "enumLabels": (
        '{ enumLabels(enum: "RequestStatus") { id: value } }',
        None,
        # the enums' Chinese labels: static, everybody's.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y",
    ),
    "noticeTemplates": (
        "{ noticeTemplates { id: kind } }",
        None,
        # the notices' texts: those who read requests somewhere (request read), as policy.csv gives it.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   Y   Y   Y   Y   Y   Y   Y   -   Y   -   Y",
    ),
    "webhooks": (
        f'{{ webhooks(unitCode: "{HUILI_CODE}") {{ id }} }}',
        None,
        # webhook read (channels, issue 15): the district office at the county (or above) only.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   Y   Y   -   -   -   -   -   -   -   -   -",
    ),
    "webhookDeliveries": (
        f'{{ webhookDeliveries(unitCode: "{HUILI_CODE}", first: 100) {{ id: eventId }} }}',
        None,
        # the delivery log: webhook read, as the webhooks.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   Y   Y   -   -   -   -   -   -   -   -   -",
    ),
    "overdueInterpretations": (
        f'{{ overdueInterpretations(unitCode: "{HUILI_CODE}", first: 100) {{ edges {{ node {{ id }} }} }} }}',
        None,
        # report read at the county: the district office, the FOI officer and the auditor.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   Y   Y   -   -   -   -   Y   -   Y   -   -",
    ),
    "auditLog": {
        "会理县": (
            "{ auditLog(first: 1000) { edges { node { id } } } }",
            select(AuditEntry.id).where(AuditEntry.scope_path.startswith(HUILI + "/")).order_by(AuditEntry.id.desc()),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   -   -   -   -   -   Y   -   -",
        ),
        "印台区": (
            "{ auditLog(first: 1000) { edges { node { id } } } }",
            select(AuditEntry.id)
            .where(AuditEntry.scope_path.startswith(YINTAI_CODE[:6]))
            .order_by(AuditEntry.id.desc()),
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   -   Y   -   -   -   -   -   -   -   -",
        ),
    },
    "search": (
        '{ search(query: "城乡低保", first: 100) { edges { node { document { id } } } } }',
        ("Document", "published"),
        EVERYBODY,
    ),
    "platformColumns": {
        "published": (
            f'{{ platformColumns(unitCode: "{HUILI_CODE}") {{ documents(first: 50) {{ edges {{ node {{ id }} }} }} }} }}',
            select(Document.id).where(Document.kind == "DISCLOSURE_GUIDE", Document.public.is_(True)),
            EVERYBODY,
        ),
        "draft": (
            f'{{ platformColumns(unitCode: "{HUILI_CODE}") {{ documents(first: 50) {{ edges {{ node {{ id }} }} }} }} }}',
            select(Document.id).where(Document.status == DocumentStatus.DRAFT),
            # the columns list what the documents list shows each caller: staff (read_staff) see drafts.
            # ano adm hui yin edi rev app foi vil aud kio twn
            " -   Y   Y   -   Y   Y   Y   Y   -   Y   -   -",
        ),
    },
    "catalogItems": (
        f'{{ catalogItems(unitCode: "{HUILI_CODE}", first: 100) {{ edges {{ node {{ id }} }} }} }}',
        ("CatalogItem", "会理县"),
        EVERYBODY,
    ),
    "staleCatalogItems": (
        f'{{ staleCatalogItems(unitCode: "{HUILI_CODE}") {{ item {{ id }} }} }}',
        None,
        EVERYBODY,
    ),
    "powerTemplate": (
        f'{{ powerTemplate(unitCode: "{HUILI_CODE}") {{ id }} }}',
        ("PowerItem", "会理县"),
        EVERYBODY,
    ),
    "villagePowerList": (
        '{ villagePowerList(villageCode: "{village}") { id } }',
        ("VillagePowerItem", VILLAGE),
        EVERYBODY,
    ),
    "localItems": (
        '{ localItems(unitCode: "{village}", first: 100) { edges { node { ... on Document { id } } } } }',
        select(Document.id).where(Document.kind == "VILLAGE_AFFAIRS"),
        EVERYBODY,
    ),
    "infoRequests": (
        "{ infoRequests(first: 100) { edges { node { id } } } }",
        ("InfoRequest", "县民政局"),
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   Y   Y   -   Y   Y   Y   Y   -   Y   -   -",
    ),
    "commitments": (
        f'{{ commitments(unitCode: "{HUILI_CODE}", first: 100) {{ edges {{ node {{ id }} }} }} }}',
        ("Commitment", "会理县"),
        # Public; a kiosk asks about its own place or one below it (鹿厂镇), not the county: FORBIDDEN.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   -   Y",
    ),
    "assessment": (
        f'{{ assessment(unitCode: "{HUILI_CODE}", year: 2026) {{ organization {{ id }} }} }}',
        ("Organization", "县民政局"),
        # report read at the county.
        # ano adm hui yin edi rev app foi vil aud kio twn
        " -   Y   Y   -   -   -   -   Y   -   Y   -   -",
    ),
}

NOT_VISIBLE = {"FORBIDDEN", "UNAUTHENTICATED"}
NODE = "query($id: ID!) { node(id: $id) { id } }"


def unwrap(type_: GraphQLOutputType) -> GraphQLOutputType:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def node_types() -> list[str]:
    graphql = schema._schema
    return sorted(t.name for t in graphql.get_possible_types(graphql.get_type("Node")))  # type: ignore[arg-type]


def root_lists() -> list[str]:
    """Root Query fields returning a list, or a connection (an object type with ``edges``)."""
    found = []
    for name, field in schema._schema.query_type.fields.items():  # type: ignore[union-attr]
        type_ = unwrap(field.type)
        if isinstance(type_, GraphQLList) or (isinstance(type_, GraphQLObjectType) and "edges" in type_.fields):
            found.append(name)
    return sorted(found)


def row(cells: str) -> dict[str, bool]:
    """One row of the table: the callers' usernames -> visible."""
    marks = cells.split()
    assert len(marks) == len(CALLERS) and set(marks) <= {"Y", "-"}, f"a row has one Y or - per column: {HEADER}"
    return {username: mark == "Y" for username, mark in zip(CALLERS.values(), marks, strict=True)}


def ids_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                yield item
            else:
                yield from ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from ids_in(item)


class Callers:
    """Each demo user signed in once for the test (anonymous: no token)."""

    def __init__(self, gql: GraphQLClient) -> None:
        self.gql = gql
        self.tokens: dict[str, str | None] = {"anonymous": None}

    async def token(self, username: str) -> str | None:
        if username not in self.tokens:
            self.tokens[username] = await self.gql.login(username, DEMO_PASSWORD)
        return self.tokens[username]

    async def sees(self, username: str, query: str, variables: dict[str, Any], target: str | None) -> bool:
        """Whether ``username``'s answer holds ``target`` (None: any item at all)."""
        body = await self.gql(query, variables, await self.token(username))
        if body.get("errors"):
            codes = {e.get("extensions", {}).get("code") for e in body["errors"]}
            assert codes <= NOT_VISIBLE, (username, body["errors"])
            return False
        found = list(ids_in(body["data"]))
        return bool(found) if target is None else target in found


async def first_id(session: Any, query: Select[Any]) -> int:
    """The first id ``query`` finds (by its own order, then the lowest)."""
    pk = (await session.execute(query.order_by(query.selected_columns[0]).limit(1))).scalar()
    assert pk is not None, f"the demo data has no row for {query}"
    return int(pk)


def mismatches(seen: dict[str, bool], expected: dict[str, bool]) -> list[str]:
    return [
        f"{username} {'sees' if seen[username] else 'does not see'} it, the table says "
        f"{'visible' if expected[username] else 'not visible'}"
        for username in CALLERS.values()
        if seen[username] != expected[username]
    ]


def test_every_node_type_and_root_list_has_a_read_rule() -> None:
    assert sorted(set(node_types()) - set(NODES)) == [], "new Node type without a read rule in NODES"
    assert sorted(set(root_lists()) - set(LISTS)) == [], "new root list without a read rule in LISTS"
    assert sorted(set(NODES) - set(node_types())) == [] and sorted(set(LISTS) - set(root_lists())) == []


@pytest.mark.parametrize("type_name", node_types())
async def test_node(gql: GraphQLClient, demo: None, session: Any, type_name: str) -> None:
    assert type_name in NODES, f"new type without a read rule: add {type_name} to NODES in {__file__}"
    callers = Callers(gql)
    failures = []
    for case, (query, cells) in NODES[type_name].items():
        target = gid(type_name, await first_id(session, query))
        expected = row(cells)
        seen = {u: await callers.sees(u, NODE, {"id": target}, target) for u in CALLERS.values()}
        failures += [f"{type_name} {case}: {m}" for m in mismatches(seen, expected)]
    assert failures == [], "\n".join(failures)


async def representative(session: Any, ref: tuple[str, str] | Select[Any] | None, field: str) -> str | None:
    if ref is None:
        return None
    if isinstance(ref, tuple):
        type_name, case = ref
        return gid(type_name, await first_id(session, NODES[type_name][case][0]))
    pk = await first_id(session, ref)
    node_of = {"units": "Unit", "reviewQueue": "Document", "localItems": "Document", "platformColumns": "Document"}
    return gid(node_of[field], pk) if field in node_of else str(pk)


@pytest.mark.parametrize("field", root_lists())
async def test_root_list(gql: GraphQLClient, demo: None, session: Any, field: str) -> None:
    assert field in LISTS, f"new root list without a read rule: add {field} to LISTS in {__file__}"
    village = (await session.execute(select(AdminUnit.code).where(AdminUnit.name == VILLAGE))).scalar_one()
    entry = LISTS[field]
    cases = entry if isinstance(entry, dict) else {"会理县": entry}
    callers = Callers(gql)
    failures = []
    for case, (query, ref, cells) in cases.items():
        target = await representative(session, ref, field)
        text = query.replace("{village}", village)
        seen = {u: await callers.sees(u, text, {}, target) for u in CALLERS.values()}
        failures += [f"{field} {case}: {m}" for m in mismatches(seen, row(cells))]
    assert failures == [], "\n".join(failures)
