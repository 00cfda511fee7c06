"""Input bounds (schema/bounds.py, api/bounds.py): lengths, control characters, dates, years, decimals.

The nine inputs that raised unhandled exceptions each get a clear error, against a real server
whose log must show no traceback.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx

from api.demo.data import DEMO_PASSWORD
from api.settings import Settings
from schema import schema
from schema.bounds import LENGTHS, LONG, undeclared_strings

from ..conftest import GraphQLClient
from ..live import live_server

GRAPHQL_RESPONSE = "application/graphql-response+json"
SUBMIT = """mutation($i: InfoRequestInput!) { submitInfoRequest(input: $i) {
  trackingCode errors { field code message } } }"""
COUNTY = "513425000000"
LINES = "第一行\r\n第二行\t"


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def request_input(org_id: str, **extra: Any) -> dict[str, Any]:
    base = {
        "organizationId": org_id,
        "channel": "ONLINE",
        "applicantType": "NATURAL_PERSON",
        "applicantName": "张三",
        "description": "2026年低保资金发放明细",
        "deliveryForm": "EMAIL",
        "address": "四川省会理县城关镇",
        "email": "zhang@example.cn",
        "purpose": "",
    }
    return {**base, **extra}


def bad_input(body: dict[str, Any]) -> list[tuple[str, str]]:
    assert "data" not in body, body  # refused before execution
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in body["errors"]), body
    return [(e["extensions"]["field"], e["extensions"]["reason"]) for e in body["errors"]]


def test_every_string_input_has_a_declared_bound() -> None:
    assert undeclared_strings(schema._schema) == []


async def first_org(gql: GraphQLClient) -> str:
    query = "query($u: String!) { organizations(unitCode: $u, first: 1) { edges { node { id } } } }"
    data = await gql.data(query, {"u": COUNTY})
    return str(data["organizations"]["edges"][0]["node"]["id"])


async def test_strings_over_their_bound_or_with_control_characters_are_refused(
    demo: None, gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    org = await first_org(gql)
    long_name = "张" * (LENGTHS["InfoRequestInput.applicantName"] + 1)
    body = await gql(SUBMIT, {"i": request_input(org, applicantName=long_name, description="正文\x00注入")})
    assert bad_input(body) == [("input.applicantName", "TOO_LONG"), ("input.description", "CONTROL_CHARACTER")]
    assert "最多200个字" in body["errors"][0]["message"] and "张张" not in body["errors"][0]["message"]
    for value in ("张\t三", "张\n三", "张\u0085三", "张\ud800三", "\x7f"):
        payload = {"query": SUBMIT, "variables": {"i": request_input(org, applicantName=value)}}
        # json.dumps escapes a lone surrogate (\\ud800), as a hostile client may send it
        response = await client.post(
            "/graphql", content=json.dumps(payload), headers={"content-type": "application/json"}
        )
        assert bad_input(response.json()) == [("input.applicantName", "CONTROL_CHARACTER")], repr(value)
    # long texts may hold line breaks and tabs; everything at its bound is stored (the column fits it)
    at_bounds = request_input(
        org,
        applicantName="张" * LENGTHS["InfoRequestInput.applicantName"],
        address="路" * LENGTHS["InfoRequestInput.address"],
        email="e" * LENGTHS["InfoRequestInput.email"],
        phone="1" * LENGTHS["InfoRequestInput.phone"],
        idNumber="5" * LENGTHS["InfoRequestInput.idNumber"],
        description=LINES + "字" * (LONG["InfoRequestInput.description"] - len(LINES)),
    )
    data = await gql.data(SUBMIT, {"i": at_bounds})
    assert data["submitInfoRequest"]["trackingCode"], data
    # a literal in the document is bounded like a variable; under graphql-response+json the refusal is 400
    literal = '{ search(query: "' + "查" * 201 + '") { totalCount } }'
    response = await client.post("/graphql", json={"query": literal}, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert bad_input(response.json()) == [("query", "TOO_LONG")]


async def test_lists_dates_years_and_decimals_are_bounded(gql: GraphQLClient, make_user: Any) -> None:
    from api.models import Role

    token = await make_user("office", Role.DISTRICT_OFFICE)
    days = [{"day": "2030-01-01", "working": False, "note": ""}] * 1001
    body = await gql(
        "mutation($d: [CalendarDayInput!]!) { setCalendarDays(days: $d) { errors { code } } }", {"d": days}, token
    )
    assert bad_input(body) == [("days", "TOO_MANY_ITEMS")]
    body = await gql('{ documents(filter: { publishedFrom: "1948-12-31", publishedTo: "2101-01-01" }) { totalCount } }')
    assert bad_input(body) == [("filter.publishedFrom", "OUT_OF_RANGE"), ("filter.publishedTo", "OUT_OF_RANGE")]
    assert "1949-01-01至2100-12-31" in body["errors"][0]["message"]
    ok = await gql('{ documents(filter: { publishedFrom: "1949-01-01", publishedTo: "2100-12-31" }) { totalCount } }')
    assert ok["data"]["documents"]["totalCount"] == 0
    for year in (0, 1948, 2101, 10000):
        body = await gql(
            "query($u: String!, $y: Int!) { assessment(unitCode: $u, year: $y) { score } }",
            {"u": COUNTY, "y": year},
            token,
        )
        assert bad_input(body) == [("year", "OUT_OF_RANGE")]
    for points in ("NaN", "-Infinity", "1e999999", "sNaN"):
        body = await gql(
            'mutation($p: Decimal!) { setAssessmentFactor(organizationId: "T3JnYW5pemF0aW9uOjE=", year: 2026, '
            'factor: "TIMELINESS", points: $p) { errors { code } } }',
            {"p": points},
            token,
        )
        assert bad_input(body) == [("points", "OUT_OF_RANGE")], points


def the_nine(org: str, admin: str, foi: str) -> list[tuple[str, dict[str, Any], str | None, Any]]:
    """(query, variables, token, what the answer must carry) for each input that used to raise."""
    county = {"u": COUNTY}
    assessment = "query($u: String!, $y: Int!) { assessment(unitCode: $u, year: $y) { score } }"
    node = "query($id: ID!) { node(id: $id) { id } }"
    return [
        (  # a missing argument bound before the permission check
            "mutation($u: String) { setAnnualReportFigure(year: 2025, key: RULES_ISSUED, unitCode: $u) "
            "{ errors { field code } } }",
            county,
            None,
            {"data": {"setAnnualReportFigure": {"errors": [{"field": "value", "code": "REQUIRED"}]}}},
        ),
        (assessment, {**county, "y": 0}, admin, ("year", "OUT_OF_RANGE")),
        (assessment, {**county, "y": 10000}, admin, ("year", "OUT_OF_RANGE")),
        (
            'query($u: String!) { monthlyCircular(unitCode: $u, month: "9999-12") { month } }',
            county,
            admin,
            ("month", "INVALID_MONTH"),
        ),
        (
            'mutation($o: ID!) { setAssessmentFactor(organizationId: $o, year: 2026, factor: "TIMELINESS", '
            'points: "NaN") { errors { code } } }',
            {"o": org},
            admin,
            ("points", "OUT_OF_RANGE"),
        ),
        (
            '{ documents(filter: { publishedFrom: "0001-01-01" }) { totalCount } }',
            {},
            None,
            ("filter.publishedFrom", "OUT_OF_RANGE"),
        ),
        (node, {"id": ""}, None, ("id", "INVALID_ID")),
        (node, {"id": gid("Unit", "abc")}, None, ("id", "INVALID_ID")),
        (node, {"id": gid("Unit", "99999999999")}, None, ("id", "INVALID_ID")),
        (
            "query($id: ID!) { infoRequest(id: $id) { id } }",
            {"id": gid("InfoRequest", "99999999999")},
            admin,
            ("id", "INVALID_ID"),
        ),
        (
            "query($u: String!) { unitDirectory(unitCode: $u) { id } }",
            {"u": "0" * 300},
            None,
            ("unitCode", "TOO_LONG"),
        ),
        (SUBMIT, {"i": request_input(org, applicantName="张" * 5000)}, None, ("input.applicantName", "TOO_LONG")),
        (SUBMIT, {"i": request_input(org, address="路\x00")}, None, ("input.address", "CONTROL_CHARACTER")),
        (
            SUBMIT,
            {"i": request_input(org, receivedOn="0001-01-01", channel="LETTER")},
            foi,
            ("input.receivedOn", "OUT_OF_RANGE"),
        ),
    ]


def field_and_reason(body: dict[str, Any]) -> tuple[str, str]:
    error = body["errors"][0]
    extensions = error["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT", body
    return extensions["field"], extensions["reason"]


async def test_the_nine_inputs_that_raised_are_clear_errors_with_no_traceback(
    demo: None, gql: GraphQLClient, migrated: Settings, tmp_path: Path
) -> None:
    org = await first_org(gql)
    admin = await gql.login("admin", DEMO_PASSWORD)
    foi = await gql.login("foi_officer", DEMO_PASSWORD)
    with live_server(migrated, tmp_path) as server, httpx.Client(base_url=server.base_url, timeout=30) as http:
        for query, variables, token, expected in the_nine(org, admin, foi):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
            assert response.status_code == 200, response.text
            body = response.json()
            if isinstance(expected, tuple):
                assert field_and_reason(body) == expected, (query, body)
                assert body["errors"][0]["message"], body
            else:
                assert body == expected, body
        # the far-past receipt date is refused, so the list of requests stays quick
        started = time.perf_counter()
        rows = http.post(
            "/graphql",
            json={"query": "{ infoRequests(first: 100) { edges { node { daysLeft dueOn } } } }"},
            headers={"Authorization": f"Bearer {foi}", "X-Request-Id": "the-last-one"},
        ).json()
        assert "errors" not in rows, rows
        assert time.perf_counter() - started < 2
        log = server.log_with('"request_id": "the-last-one"')
    assert "the-last-one" in log  # the log is complete
    assert "Traceback" not in log
    assert '"level": "error"' not in log


async def test_service_side_years_hold_for_the_exports(
    demo: None, gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    """The exports take their parameters from the URL, past the schema: the services bound the years."""
    admin = await gql.login("admin", DEMO_PASSWORD)
    headers = {"Authorization": f"Bearer {admin}"}
    org = base64.b64decode(await first_org(gql)).decode().split(":")[1]
    cases = [
        (f"/exports/assessment?unitCode={COUNTY}&year=10000", "year", "INVALID_YEAR"),
        (f"/exports/assessment?unitCode={COUNTY}&year=abc", "year", "INVALID_YEAR"),
        (f"/exports/monthly-circular?unitCode={COUNTY}&month=9999-12", "month", "INVALID_MONTH"),
        (f"/exports/monthly-report?organizationId={org}&month=0000-01", "month", "INVALID_MONTH"),
    ]
    for path, field, reason in cases:
        response = await client.get(path, headers=headers)
        assert response.status_code == 400, (path, response.text)
        error = response.json()["errors"][0]
        assert (error["extensions"]["field"], error["extensions"]["code"]) == (field, reason)
