"""The response cache (api/response_cache.py, schema/view.py): anonymous and kiosk answers of trusted
queries, served at one statement while the content version holds, dropped on every worker by a change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from api.response_cache import ResponseCache, etag_matches
from api.services import accounts
from api.settings import Settings
from schema.trusted import CLIENTS, document_id

from .conftest import GraphQLClient
from .documents_fixtures import make_desk, publish
from .live import live_server

LOCAL = (CLIENTS / "kiosk" / "LocalItems.graphql").read_text(encoding="utf-8")
LOCAL_ID = document_id(LOCAL)
COUNTY = "513425000000"
PARAMS = {"documentId": LOCAL_ID, "variables": json.dumps({"unitCode": COUNTY, "first": 10})}


def titles(response: httpx.Response) -> list[str]:
    return [e["node"]["title"] for e in response.json()["data"]["localItems"]["edges"]]


def test_bounds_by_entries_and_bytes_oldest_out() -> None:
    cache = ResponseCache(max_entries=2, max_bytes=10)
    cache.put("a", 1, b"aaaa", "application/json")
    cache.put("b", 1, b"bbbb", "application/json")
    assert cache.get("a", 1) is not None  # now the newest
    cache.put("c", 1, b"cc", "application/json")
    assert cache.get("b", 1) is None and cache.get("a", 1) is not None and cache.get("c", 1) is not None
    cache.put("d", 1, b"dddddddd", "application/json")  # 4 + 2 + 8 bytes: the oldest (a) goes
    assert list(cache.entries) == ["c", "d"] and cache.size == 10
    cache.put("e", 1, b"e" * 11, "application/json")  # larger than the whole budget: not kept
    assert "e" not in cache.entries


def test_an_entry_serves_its_own_version_only() -> None:
    cache = ResponseCache(max_entries=10, max_bytes=100)
    answer = cache.put("k", (5, "2026-12-01"), b"{}", "application/json")
    assert cache.get("k", (5, "2026-12-01")) == answer
    assert cache.get("k", (6, "2026-12-01")) is None
    assert "k" not in cache.entries  # a moved version drops it
    cache.put("k", (6, "2026-12-01"), b"{}", "application/json")
    assert cache.get("k", (6, "2026-12-02")) is None  # a new day too


def test_if_none_match() -> None:
    assert etag_matches('"x"', '"x"') and etag_matches('W/"x"', '"x"') and etag_matches('"y", "x"', '"x"')
    assert etag_matches("*", '"x"')
    assert not etag_matches('"y"', '"x"') and not etag_matches(None, '"x"') and not etag_matches("", '"x"')


async def test_repeat_get_is_304_until_a_publication_changes_the_answer(
    client: httpx.AsyncClient, gql: GraphQLClient, session: Any, system: Any, make_user: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="第一份通知")
    first = await client.get("/graphql", params=PARAMS)
    assert first.status_code == 200 and titles(first) == ["第一份通知"]
    etag = first.headers["etag"]

    again = await client.get("/graphql", params=PARAMS, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=0, must-revalidate"

    await publish(gql, desk, title="第二份通知")
    after = await client.get("/graphql", params=PARAMS, headers={"if-none-match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert titles(after) == ["第二份通知", "第一份通知"]


async def test_a_cache_hit_costs_the_counters_statement_only(
    app: Any, client: httpx.AsyncClient, gql: GraphQLClient, session: Any, system: Any, make_user: Any,
    statement_counter: Any,
) -> None:  # fmt: skip
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="县级通知")
    statement_counter.start()
    warm = await client.get("/graphql", params=PARAMS)
    computed = statement_counter.stop()
    assert warm.status_code == 200 and titles(warm) == ["县级通知"]
    assert computed > 1

    statement_counter.start()
    hit = await client.get("/graphql", params=PARAMS)
    statements = statement_counter.statements[:]
    statement_counter.stop()
    assert hit.status_code == 200 and hit.content == warm.content and hit.headers["etag"] == warm.headers["etag"]
    assert len(statements) == 1 and "change_counters" in statements[0], statements

    # the same request by POST (same media type) is the same entry
    statement_counter.start()
    posted = await client.post(
        "/graphql", json={"documentId": LOCAL_ID, "variables": {"first": 10, "unitCode": COUNTY}}
    )
    assert statement_counter.stop() == 1
    assert posted.content == warm.content

    # another media type is another entry
    statement_counter.start()
    other = await client.get("/graphql", params=PARAMS, headers={"accept": "application/graphql-response+json"})
    assert statement_counter.stop() > 1
    assert other.headers["content-type"].startswith("application/graphql-response+json")
    assert other.headers["etag"] != warm.headers["etag"]


async def test_answers_with_errors_are_not_cached(app: Any, client: httpx.AsyncClient, statement_counter: Any) -> None:
    params = {"documentId": LOCAL_ID, "variables": json.dumps({"unitCode": "513425999000"})}
    first = await client.get("/graphql", params=params)
    assert first.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # no such unit
    assert first.headers["cache-control"] == "no-store"
    statement_counter.start()
    await client.get("/graphql", params=params)
    assert statement_counter.stop() > 1


async def test_a_kiosk_answer_is_private_and_cached_with_its_device_until_revoked(
    app: Any, client: httpx.AsyncClient, gql: GraphQLClient, session: Any, system: Any, make_user: Any,
    statement_counter: Any,
) -> None:  # fmt: skip
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="县级通知")
    token, device = await accounts.create_kiosk(
        session, system, unit_code=COUNTY, name="县政务服务中心1号机", secret=app.state.gongkai.settings.secret_key
    )
    headers = {"authorization": f"Bearer {token}"}
    anonymous = await client.get("/graphql", params=PARAMS)
    first = await client.get("/graphql", params=PARAMS, headers=headers)
    assert first.status_code == 200 and titles(first) == ["县级通知"]
    assert first.headers["cache-control"] == "private, max-age=0, must-revalidate"
    assert "etag" in first.headers

    statement_counter.start()
    hit = await client.get("/graphql", params=PARAMS, headers=headers)
    statements = statement_counter.statements[:]
    statement_counter.stop()
    assert hit.content == first.content
    assert len(statements) == 1 and "change_counters" in statements[0], statements
    assert anonymous.status_code == 200  # the anonymous entry is another one (another audience)
    cached = app.state.gongkai.responses.entries
    assert {key[-1] for key in cached} >= {"anonymous", "kiosk:513425"}

    await accounts.revoke_kiosk(session, system, user_id=device.id)
    refused = await client.get("/graphql", params=PARAMS, headers=headers)
    assert refused.status_code == 401


async def test_a_publication_is_seen_on_the_other_workers_next_request(
    migrated: Settings, tmp_path: Path, gql: GraphQLClient, session: Any, system: Any, make_user: Any
) -> None:
    """Two `gongkai serve` processes on one database: both warm, publish through A, B (and A) show it."""
    desk = await make_desk(session, system, make_user)
    await publish(gql, desk, title="第一份通知")
    with live_server(migrated, tmp_path / "a") as a, live_server(migrated, tmp_path / "b") as b:
        async with httpx.AsyncClient(base_url=a.base_url) as http_a, httpx.AsyncClient(base_url=b.base_url) as http_b:
            pids = {(await c.get("/healthz")).json()["pid"] for c in (http_a, http_b)}
            assert len(pids) == 2
            for http in (http_a, http_b):
                for _ in range(2):  # computed, then served from the cache
                    warm = await http.get("/graphql", params=PARAMS)
                    assert warm.status_code == 200 and titles(warm) == ["第一份通知"], warm.text
            etag = warm.headers["etag"]
            assert (await http_b.get("/graphql", params=PARAMS, headers={"if-none-match": etag})).status_code == 304

            await publish(GraphQLClient(http_a), desk, title="第二份通知")

            for http in (http_b, http_a):
                after = await http.get("/graphql", params=PARAMS, headers={"if-none-match": etag})
                assert after.status_code == 200, after.text
                assert titles(after) == ["第二份通知", "第一份通知"]
                assert after.headers["etag"] != etag
