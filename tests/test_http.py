"""GraphQL over HTTP: media types, status codes, ``extensions.code`` of every error, the facts left
for the request log, and the graphql-http audit suite against a real server."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from sqlalchemy.exc import OperationalError

from api.errors import ServiceUnavailable
from api.settings import Settings
from schema import GongkaiSchema
from schema.errors import ErrorShaping, ProductionErrorShaping
from schema.http import GRAPHQL_RESPONSE, JSON, negotiate

from .live import live_server

AUDIT_DIR = Path(__file__).resolve().parent / "http_audit"
SECRET = "110101199001011234"  # an ID number, as a client might send by mistake


async def post(client: httpx.AsyncClient, body: Any, accept: str | None = GRAPHQL_RESPONSE) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    content = body if isinstance(body, str | bytes) else json.dumps(body)
    return await client.post("/graphql", content=content, headers={"content-type": "application/json", **headers})


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def global_id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def nested(depth: int) -> str:
    inner = "code"
    for _ in range(depth - 1):
        inner = f"parent {{ {inner} }}"
    return f'{{ unit(code: "513425000000") {{ {inner} }} }}'


# --- media types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json;q=0.9, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", JSON),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0.5, */*;q=0.8", JSON),
        ("*/*;q=0.8, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json; charset=utf-8", GRAPHQL_RESPONSE),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0, application/json;q=0", JSON),
        ("text/html", JSON),
        ("application/xml, text/plain", JSON),
    ],
)
def test_negotiation_by_q_values_then_specificity_then_order(accept: str | None, expected: str) -> None:
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [(GRAPHQL_RESPONSE, GRAPHQL_RESPONSE), ("application/json", JSON), ("*/*", JSON), (None, JSON)],
)
async def test_answer_has_the_negotiated_media_type_in_utf8(
    client: httpx.AsyncClient, accept: str, expected: str
) -> None:
    response = await post(client, {"query": "{ __typename }"}, accept)
    assert response.status_code == 200
    assert media_type(response) == expected
    assert "charset=utf-8" in response.headers["content-type"].replace(" ", "").lower()
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_chinese_messages_survive_as_utf8(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "{ reviewQueue { totalCount } }"})
    assert response.content.decode("utf-8")  # valid UTF-8
    assert response.json()["errors"][0]["message"] == "请先登录"


# --- request errors: 400 without data under graphql-response+json, 200 under application/json ---


async def test_syntax_error(client: httpx.AsyncClient) -> None:
    strict = await post(client, {"query": "{ domains { code }"})
    assert strict.status_code == 400
    assert media_type(strict) == GRAPHQL_RESPONSE
    body = strict.json()
    assert "data" not in body
    assert codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert body["errors"][0]["message"].startswith("Syntax Error")

    legacy = await post(client, {"query": "{ domains { code }"}, "application/json")
    assert legacy.status_code == 200
    assert media_type(legacy) == JSON
    assert codes(legacy.json()) == ["GRAPHQL_PARSE_FAILED"]
    assert "data" not in legacy.json()


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED", "Cannot query field"),
        ("query Q($x: Int) { __typename }", "GRAPHQL_VALIDATION_FAILED", "never used"),
        (nested(11), "QUERY_TOO_DEEP", "exceeds maximum operation depth"),
        ("{ " + " ".join(f"a{i}: domains {{ code }}" for i in range(16)) + " }", "TOO_MANY_ALIASES", "aliases"),
        ("{ domains { " + " ".join(["code"] * 2100) + " } }", "TOO_MANY_TOKENS", "tokens"),
    ],
)
async def test_validation_and_limits_have_codes(client: httpx.AsyncClient, query: str, code: str, words: str) -> None:
    strict = await post(client, {"query": query})
    assert strict.status_code == 400, strict.text
    assert media_type(strict) == GRAPHQL_RESPONSE
    assert "data" not in strict.json()
    assert codes(strict.json()) == [code]
    assert words in strict.json()["errors"][0]["message"]
    legacy = await post(client, {"query": query}, "application/json")
    assert legacy.status_code == 200
    assert codes(legacy.json()) == [code]


async def test_limits_still_let_the_largest_allowed_query_through(client: httpx.AsyncClient) -> None:
    for query in (nested(10), "{ " + " ".join(f"a{i}: domains {{ code }}" for i in range(15)) + " }"):
        response = await post(client, {"query": query})
        assert response.status_code == 200 and "errors" not in response.json(), response.text


@pytest.mark.parametrize(
    ("variables", "phrase"),
    [
        ({"code": None}, "not to be None"),
        ({}, "to be provided"),
        ({"code": {"number": SECRET}}, "String cannot represent"),
        ({"code": [SECRET]}, "String cannot represent"),
        ({"code": int(SECRET)}, "String cannot represent"),
    ],
)
async def test_variable_coercion_is_bad_user_input_without_the_value(
    client: httpx.AsyncClient, variables: dict[str, Any], phrase: str
) -> None:
    query = "query Unit($code: String!) { unit(code: $code) { name } }"
    strict = await post(client, {"query": query, "variables": variables})
    assert strict.status_code == 400, strict.text
    body = strict.json()
    assert "data" not in body
    assert codes(body) == ["BAD_USER_INPUT"]
    error = body["errors"][0]
    assert error["extensions"]["variable"] == "code"
    assert error["message"].startswith("Variable '$code' has invalid value")
    assert phrase in error["message"]
    assert SECRET not in strict.text
    legacy = await post(client, {"query": query, "variables": variables}, "application/json")
    assert legacy.status_code == 200 and codes(legacy.json()) == ["BAD_USER_INPUT"]


async def test_enum_variable_keeps_type_names_but_not_the_value(client: httpx.AsyncClient) -> None:
    query = (
        "mutation($id: ID!, $d: Decision!) { reviewDocument(id: $id, version: 1, decision: $d) { errors { code } } }"
    )
    response = await post(client, {"query": query, "variables": {"id": "1", "d": "not-a-decision 13800138000"}})
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "13800138000" not in message and "'Decision'" in message, message


async def test_unknown_operation_name(client: httpx.AsyncClient) -> None:
    body = {"query": "query A { __typename }", "operationName": "B"}
    strict = await post(client, body)
    assert strict.status_code == 400
    assert "data" not in strict.json() and codes(strict.json()) == ["OPERATION_NOT_FOUND"]
    legacy = await post(client, body, "application/json")
    assert legacy.status_code == 200 and codes(legacy.json()) == ["OPERATION_NOT_FOUND"]
    no_operation = await post(client, {"query": "fragment F on Query { __typename }"})
    assert no_operation.status_code == 400 and codes(no_operation.json()) == ["OPERATION_NOT_FOUND"]


@pytest.mark.parametrize(
    "body",
    [
        '{ "not a JSON',
        {"qeury": "{ __typename }"},
        {"query": 7},
        {"query": "{ __typename }", "variables": "x"},
        {"query": "{ __typename }", "operationName": 0},
        {"query": "{ __typename }", "operationName": ["A"]},
    ],
)
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
async def test_malformed_requests_are_400_with_a_json_error(client: httpx.AsyncClient, body: Any, accept: str) -> None:
    response = await post(client, body, accept)
    assert response.status_code == 400
    assert media_type(response) == accept
    assert "data" not in response.json()
    assert codes(response.json()) == ["BAD_REQUEST"]


async def test_get_of_an_operation_is_405(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ __typename }"}, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response.json()) == ["METHOD_NOT_ALLOWED"]


# --- execution results: 200 with data, even null ------------------------------------------------


async def test_execution_errors_answer_200_with_data(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "{ reviewQueue { totalCount } }"})
    assert response.status_code == 200
    body = response.json()
    assert "data" in body and body["data"] is None
    assert codes(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "bad_id",
    [
        "x",
        "",
        "!!!",
        global_id("Unit", "abc"),
        global_id("Unit", "-1"),
        global_id("Unit", "1.5"),
        global_id("Unit", "9" * 30),
        global_id("Nope", "1"),
        global_id("PageInfo", "1"),
        base64.b64encode(b"no colon").decode(),
    ],
)
async def test_malformed_global_id_is_bad_user_input(client: httpx.AsyncClient, bad_id: str) -> None:
    inline = await post(client, {"query": f'{{ node(id: "{bad_id}") {{ id }} }}'})
    by_variable = await post(client, {"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": bad_id}})
    for response in (inline, by_variable):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["data"] == {"node": None}
        [error] = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id", "reason": "INVALID_ID"}
        assert error["path"] == ["node"]
        if bad_id:
            assert bad_id not in error["message"]


async def test_well_formed_global_id_of_nothing_is_null_without_error(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": f'{{ node(id: "{global_id("Unit", "999999")}") {{ id }} }}'})
    assert response.status_code == 200
    assert response.json() == {"data": {"node": None}}


# --- the facts the view leaves for the request log ------------------------------------------------


async def test_view_leaves_operation_name_and_error_codes_in_the_scope(app: Any) -> None:
    scopes: list[dict[str, Any]] = []

    async def capture(scope: Any, receive: Any, send: Any) -> None:
        scopes.append(scope)
        await app(scope, receive, send)

    transport = httpx.ASGITransport(app=capture)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await post(client, {"query": "query FromDocument { __typename }"})
        await post(
            client, {"query": "query A { __typename } query B { reviewQueue { totalCount } }", "operationName": "B"}
        )
        await post(client, {"query": "{ nope }"})
        await post(client, {"query": "query Broken {"})
        await post(client, '{ "not a JSON')
        await post(client, {"query": "query A { __typename }", "operationName": "Missing"})
    facts = [scope.get("gongkai.graphql") for scope in scopes]
    assert facts == [
        {"operation_name": "FromDocument", "error_codes": []},
        {"operation_name": "B", "error_codes": ["UNAUTHENTICATED"]},
        {"operation_name": None, "error_codes": ["GRAPHQL_VALIDATION_FAILED"]},
        {"operation_name": None, "error_codes": ["GRAPHQL_PARSE_FAILED"]},
        {"operation_name": None, "error_codes": ["BAD_REQUEST"]},
        {"operation_name": "Missing", "error_codes": ["OPERATION_NOT_FOUND"]},
    ]


# --- outages, faults, and what gets logged --------------------------------------------------------


@strawberry.type
class FaultyQuery:
    @strawberry.field
    def outage(self) -> str | None:
        raise ServiceUnavailable()

    @strawberry.field
    def lost_connection(self) -> str | None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "Connection refused"))

    @strawberry.field
    def bug(self, secret: str | None = None) -> str | None:
        raise RuntimeError("a bug")


def faulty_schema(production: bool = False) -> GongkaiSchema:
    return GongkaiSchema(query=FaultyQuery, extensions=[ProductionErrorShaping if production else ErrorShaping])


async def test_unavailable_database_is_service_unavailable_and_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    query = f'query Outage {{ outage lostConnection bug(secret: "{SECRET}") }}'
    result = await faulty_schema().execute(query)
    assert result.data == {"outage": None, "lostConnection": None, "bug": None}
    by_path = {e.path[0]: e for e in result.errors or [] if e.path}
    for field in ("outage", "lostConnection"):
        assert by_path[field].extensions == {"code": "SERVICE_UNAVAILABLE"}
        assert by_path[field].message == ServiceUnavailable().message
    assert by_path["bug"].extensions == {"code": "INTERNAL_SERVER_ERROR"}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "unavailable" in warnings[0].getMessage()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None  # the bug: with its traceback
    for record in caplog.records:
        assert SECRET not in record.getMessage() and "{ outage" not in record.getMessage()


async def test_production_masks_unexpected_errors() -> None:
    result = await faulty_schema(production=True).execute("{ bug outage }")
    by_path = {e.path[0]: e for e in result.errors or [] if e.path}
    assert by_path["bug"].message == "服务器内部错误，请稍后重试"
    assert by_path["bug"].extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert by_path["outage"].extensions == {"code": "SERVICE_UNAVAILABLE"}


async def test_client_errors_are_not_logged(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await post(client, {"query": f'{{ unit(code: "{SECRET}" }}'})
    await post(client, {"query": f'{{ nope(x: "{SECRET}") }}'})
    await post(client, {"query": "query($c: String!) { unit(code: $c) { name } }", "variables": {"c": [SECRET]}})
    await post(client, {"query": f'{{ node(id: "{SECRET}") {{ id }} }}'})
    logged = [r for r in caplog.records if r.name.startswith(("strawberry", "gongkai.graphql"))]
    assert logged == [], [r.getMessage() for r in logged]
    assert all(SECRET not in r.getMessage() for r in caplog.records)


# --- the graphql-http audit suite against a real server -----------------------------------------


def audit_tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        return node, npm
    reason = "the graphql-http audits need node and npm on PATH"
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI is set: they must run)")
    pytest.skip(reason)


def install_audit_suite(npm: str) -> None:
    if (AUDIT_DIR / "node_modules" / "graphql-http" / "package.json").is_file():
        return
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=AUDIT_DIR, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"


async def test_graphql_http_server_audits(migrated: Settings, tmp_path: Path) -> None:
    node, npm = audit_tools()
    install_audit_suite(npm)
    with live_server(migrated, tmp_path) as server:
        done = subprocess.run(
            [node, str(AUDIT_DIR / "audit.mjs"), f"{server.base_url}/graphql"],
            cwd=AUDIT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, f"audit script failed:\n{done.stderr}"
    results = json.loads(done.stdout)
    required = [r for r in results if r["name"].startswith(("MUST ", "SHOULD "))]
    assert len([r for r in required if r["name"].startswith("MUST ")]) >= 13
    assert len([r for r in required if r["name"].startswith("SHOULD ")]) >= 23
    failing = [r for r in required if r["status"] != "ok"]
    assert not failing, "graphql-http audits failing:\n" + "\n".join(
        f"{r['id']} {r['name']}: {r.get('reason')} (HTTP {r.get('responseStatus')}: {r.get('responseBody')})"
        for r in failing
    )
