"""Trusted documents (schema/trusted.py): the manifest, documentId by GET and POST, the rules of GET
and of anonymous callers in production, and the Cache-Control of each kind of answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.codes import MEANINGS, RequestCode
from api.settings import Settings
from schema.http import GRAPHQL_RESPONSE
from schema.trusted import (
    CLIENTS,
    TrustedDocuments,
    build_manifest,
    client_documents,
    document_id,
    render_manifest,
)

from ..conftest import GraphQLClient
from ..documents_fixtures import make_desk, publish

MANIFEST = CLIENTS / "trusted-documents.json"
LOCAL = (CLIENTS / "kiosk" / "LocalItems.graphql").read_text(encoding="utf-8")
LOCAL_ID = document_id(LOCAL)
LOGIN = (CLIENTS / "miniprogram" / "Login.graphql").read_text(encoding="utf-8")
STATUS = (CLIENTS / "kiosk" / "InfoRequestStatus.graphql").read_text(encoding="utf-8")
COUNTY = "513425000000"


def test_manifest_is_up_to_date() -> None:
    assert MANIFEST.read_text(encoding="utf-8") == render_manifest(build_manifest()), (
        "clients/trusted-documents.json is stale: run `make trusted-documents` "
        "(gongkai trusted-documents > clients/trusted-documents.json)"
    )


def test_manifest_holds_every_front_end_document_by_its_hash() -> None:
    trusted = TrustedDocuments.load(MANIFEST)
    texts = {p.read_text(encoding="utf-8") for p in client_documents()}
    assert len(trusted) == len(texts) >= 30
    for text in texts:
        found = trusted.get(document_id(text))
        assert found is not None and found.text == text
    assert trusted.get(LOCAL_ID).operation("LocalItems") == (True, True)  # type: ignore[union-attr]
    assert trusted.get(document_id(LOGIN)).operation(None) == (False, False)  # type: ignore[union-attr]
    # an applicant's status behind its password: a query, never cached
    assert trusted.get(document_id(STATUS)).operation(None) == (True, False)  # type: ignore[union-attr]


def test_request_codes_have_meanings() -> None:
    for code in RequestCode:
        assert MEANINGS.get(code.value), code


async def get(client: httpx.AsyncClient, key: str, variables: dict[str, Any] | None = None, **headers: str) -> Any:
    params = {"documentId": key, "variables": json.dumps(variables or {})}
    return await client.get("/graphql", params=params, headers=headers)


async def test_trusted_get_answers_what_the_same_post_answers(
    client: httpx.AsyncClient, gql: GraphQLClient, session: Any, system: Any, make_user: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="县级通知")
    variables = {"unitCode": COUNTY, "first": 5}
    by_post = await gql.data(LOCAL, variables)
    by_get = await get(client, LOCAL_ID, variables)
    assert by_get.status_code == 200, by_get.text
    assert by_get.json() == {"data": by_post}
    assert by_post["localItems"]["edges"][0]["node"]["title"] == "县级通知"
    assert "县级通知".encode() in by_get.content  # orjson: non-ASCII kept, not \\u escaped
    by_id_post = await client.post(
        "/graphql", json={"documentId": LOCAL_ID, "variables": variables, "operationName": "LocalItems"}
    )
    assert by_id_post.status_code == 200 and by_id_post.json() == {"data": by_post}
    named = await client.get(
        "/graphql", params={"documentId": LOCAL_ID, "variables": json.dumps(variables), "operationName": "LocalItems"}
    )
    assert named.json() == {"data": by_post}


@pytest.mark.parametrize("key", ["sha256:" + "0" * 64, "LocalItems", ""])
async def test_unknown_document_id_is_a_request_error(client: httpx.AsyncClient, key: str) -> None:
    for response in (
        await get(client, key, accept=GRAPHQL_RESPONSE),
        await client.post("/graphql", json={"documentId": key}, headers={"accept": GRAPHQL_RESPONSE}),
    ):
        assert response.status_code == 400
        body = response.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == RequestCode.UNKNOWN_DOCUMENT_ID
        assert "documentId" in body["errors"][0]["message"]
        assert response.headers["cache-control"] == "no-store"


async def test_document_id_beside_a_query_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"documentId": LOCAL_ID, "query": "{ __typename }"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_get_runs_trusted_queries_only(client: httpx.AsyncClient) -> None:
    mutation = await get(client, document_id(LOGIN), {"username": "a", "password": "b"})
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert mutation.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    free = await client.get("/graphql", params={"query": "{ domains { code } }"})
    assert free.status_code == 405 and free.headers["allow"] == "POST"
    assert free.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_trusted_only_is_on_by_default_in_production_only() -> None:
    production = {"GONGKAI_ENV": "production", "GONGKAI_SECRET_KEY": "s" * 40}
    assert Settings.from_env(production).trusted_only
    assert not Settings.from_env({**production, "GONGKAI_ANONYMOUS_TRUSTED_ONLY": "off"}).trusted_only
    assert not Settings.from_env({}).trusted_only
    assert Settings.from_env({"GONGKAI_ANONYMOUS_TRUSTED_ONLY": "1"}).trusted_only


@pytest.fixture
async def strict(migrated: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with GONGKAI_ANONYMOUS_TRUSTED_ONLY on, over the test database."""
    application = create_app(replace(migrated, anonymous_trusted_only=True))
    await application.state.gongkai.authorizer.ensure_loaded()
    transport = httpx.ASGITransport(app=application, client=("203.0.113.8", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    await application.state.engine.dispose()


async def test_anonymous_free_query_is_refused_when_trusted_only(
    strict: httpx.AsyncClient, session: Any, system: Any, make_user: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    refused = await strict.post("/graphql", json={"query": "{ domains { code } }"})
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == RequestCode.TRUSTED_DOCUMENT_REQUIRED
    assert "受信任" in error["message"]
    assert "data" not in refused.json()

    variables = {"unitCode": COUNTY}
    trusted = await get(strict, LOCAL_ID, variables)
    assert trusted.status_code == 200 and "errors" not in trusted.json()
    posted = await strict.post("/graphql", json={"documentId": LOCAL_ID, "variables": variables})
    assert posted.status_code == 200 and posted.json() == trusted.json()
    # the text of a trusted document counts as that document
    as_text = await strict.post("/graphql", json={"query": LOCAL, "variables": variables})
    assert as_text.status_code == 200 and as_text.json() == trusted.json()
    # anonymous sign-in is a trusted document too; staff may send any query
    login = await strict.post(
        "/graphql",
        json={"documentId": document_id(LOGIN), "variables": {"username": "editor1", "password": "test-password-1"}},
    )
    token = login.json()["data"]["login"]["token"]
    assert token and desk.editor
    staff = await strict.post(
        "/graphql", json={"query": "{ domains { code } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert staff.status_code == 200 and staff.json()["data"]["domains"]


async def test_cache_control_of_each_kind_of_answer(
    client: httpx.AsyncClient, gql: GraphQLClient, session: Any, system: Any, make_user: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    variables = {"unitCode": COUNTY}
    anonymous = await get(client, LOCAL_ID, variables)
    assert anonymous.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert anonymous.headers["etag"].startswith('"')
    vary = {v.strip().lower() for v in anonymous.headers["vary"].split(",")}
    assert {"accept", "authorization"} <= vary

    posted = await client.post("/graphql", json={"query": "{ domains { code } }"})
    assert posted.headers["cache-control"].startswith("public") and "etag" in posted.headers

    staff = await get(client, LOCAL_ID, variables, authorization=f"Bearer {desk.editor}")
    assert staff.status_code == 200 and "errors" not in staff.json()
    assert staff.headers["cache-control"] == "no-store"
    assert "etag" not in staff.headers
    assert {"accept", "authorization"} <= {v.strip().lower() for v in staff.headers["vary"].split(",")}

    mutation = await client.post("/graphql", json={"query": LOGIN, "variables": {"username": "x", "password": "y"}})
    assert mutation.headers["cache-control"] == "no-store" and "etag" not in mutation.headers

    errors = await client.post("/graphql", json={"query": '{ unit(code: "1") { name } reviewQueue { totalCount } }'})
    assert errors.json().get("errors")
    assert errors.headers["cache-control"] == "no-store" and "etag" not in errors.headers

    private = await client.post(
        "/graphql", json={"documentId": document_id(STATUS), "variables": {"trackingCode": "X", "password": "Y"}}
    )
    assert private.status_code == 200 and private.json() == {"data": {"infoRequestStatus": None}}
    assert private.headers["cache-control"] == "no-store" and "etag" not in private.headers
