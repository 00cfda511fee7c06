"""Channels (issue 15): Atom feeds read back by feedparser, webhooks delivered to a real HTTP
receiver that fails twice, and the provincial catalog's fields as xlsx and as a pull feed."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import io
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import feedparser
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from api.models import OutboxEvent, Role, WebhookDelivery
from api.models.base import utcnow
from api.services.channels import catalog, delivery, outbox, webhooks
from api.services.channels.records import FIELDS

from ..conftest import GraphQLClient
from ..documents_fixtures import SUBMIT, Desk, make_desk, publish, step
from ..live import live_server, server_env

COUNTY = "513425000000"
SECRET = "a-receiver-secret-0123456789"
RETRACT = """mutation($id: ID!, $v: Int!) { retractDocument(id: $id, version: $v, reason: "内容有误") {
  document { status } errors { code } } }"""


@pytest.fixture
async def desk(session: Any, system: Any, make_user: Any) -> Desk:
    return await make_desk(session, system, make_user)


# --- Atom ---


async def test_atom_feeds_parse_and_hold_the_published_documents(
    gql: GraphQLClient, client: Any, desk: Desk, statement_counter: Any
) -> None:
    first = await publish(gql, desk, title="关于<城乡低保>标准 & 发放的通知")
    second = await publish(gql, desk, title="第二份通知", attribute="ON_REQUEST", attributeReason="涉及个人信息")
    third = await publish(gql, desk, title="第三份通知")

    for url in (
        f"/feeds/organizations/{desk.org_pk}.atom",
        f"/feeds/units/{COUNTY}.atom",
        "/feeds/domains/SOCIAL_ASSISTANCE.atom",
    ):
        statement_counter.start()
        response = await client.get(url)
        used = statement_counter.stop()
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/atom+xml")
        assert response.headers["cache-control"] == "public, max-age=0, must-revalidate"
        # the owner, the page with its versions, the publishers (anonymous: no actor to read): no N+1
        assert used == 3, statement_counter.statements
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0, feed.bozo_exception
        assert feed.version == "atom10"
        assert feed.feed.title and feed.feed.id and feed.feed.updated
        titles = [e.title for e in feed.entries]
        # newest first; the document published on request only is not in a public feed
        assert titles == ["第三份通知", "关于<城乡低保>标准 & 发放的通知"]
        entry = feed.entries[1]
        assert entry.id == f"urn:gongkai:document:{first['indexNo']}"
        assert entry.link.endswith("/documents/" + first["indexNo"].replace("/", "%2F"))
        assert entry.author == "县民政局"
        assert entry.updated and entry.summary
        etag = response.headers["etag"]
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
    assert second["indexNo"] and third["indexNo"]

    # a new publication changes the feed, and so its ETag
    before = (await client.get(f"/feeds/units/{COUNTY}.atom")).headers["etag"]
    await publish(gql, desk, title="第四份通知")
    after = await client.get(f"/feeds/units/{COUNTY}.atom", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before
    assert (await client.get("/feeds/units/513425999000.atom")).status_code == 404
    assert (await client.get("/feeds/organizations/abc.atom")).status_code == 404


# --- webhooks ---


class Receiver:
    """A real HTTP server on a free port: the first two attempts of every event get 503, then 204."""

    def __init__(self) -> None:
        self.tries: Counter[str] = Counter()
        self.accepted: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers["X-Gongkai-Event-Id"]
                receiver.tries[event_id] += 1
                if receiver.tries[event_id] <= 2:
                    self.send_response(503)
                else:
                    receiver.accepted.append((dict(self.headers.items()), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


async def test_webhook_gets_each_publication_once_signed_after_two_failures(
    gql: GraphQLClient,
    app: Any,
    session: Any,
    system: Any,
    make_user: Any,
    desk: Desk,
    receiver: Receiver,
    statement_counter: Any,
) -> None:
    state = app.state.gongkai
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code=COUNTY)
    # the test's receiver is on this machine: the sender may call it only with the setting on
    await webhooks.register_webhook(
        session, system, unit_code=COUNTY, url=receiver.url, events=["document.published", "document.retracted"],
        secret=SECRET, vault=app.state.gongkai.vault, allow_private=True,
    )  # fmt: skip
    one = await publish(gql, desk, title="第一份")
    two = await publish(gql, desk, title="第二份")
    retracted = await gql.data(RETRACT, {"id": one["id"], "v": one["version"]}, desk.approver)
    assert retracted["retractDocument"]["errors"] == []

    settings = dataclasses.replace(state.settings, webhook_allow_private=True, webhook_backoff_seconds=60)
    start = utcnow()
    # the two publications first; the retraction waits for the publication it follows
    assert await delivery.deliver_due(state.sessionmaker, settings, now=start) == 2
    # the backoff: the next attempt is due 60 s later, not before
    assert await delivery.deliver_due(state.sessionmaker, settings, now=start + timedelta(seconds=59)) == 0
    passes = [
        await delivery.deliver_due(state.sessionmaker, settings, now=start + timedelta(minutes=5 * i))
        for i in range(1, 7)
    ]
    assert passes == [2, 2, 1, 1, 1, 0]
    assert sum(receiver.tries.values()) == 9

    received = [json.loads(body) for _h, body in receiver.accepted]
    ids = [h["X-Gongkai-Event-Id"] for h, _b in receiver.accepted]
    assert len(ids) == len(set(ids)) == 3
    for headers, body in receiver.accepted:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Gongkai-Signature"], expected)
        assert json.loads(body)["eventId"] == headers["X-Gongkai-Event-Id"]
    order = [(r["event"], r["document"]["indexNo"]) for r in received]
    assert order.index(("document.published", one["indexNo"])) < order.index(("document.retracted", one["indexNo"]))
    by_kind = sorted(order)
    assert by_kind == sorted(
        [
            ("document.published", one["indexNo"]),
            ("document.published", two["indexNo"]),
            ("document.retracted", one["indexNo"]),
        ]
    )
    published = next(r for r in received if r["document"]["indexNo"] == two["indexNo"])
    assert published["document"]["record"]["信息名称"] == "第二份"

    query = """query($u: String!) { webhookDeliveries(unitCode: $u) {
             event eventId status attemptCount attempts { number statusCode error } } }"""
    await gql.data(query, {"u": COUNTY}, office)  # the actor read and cached (api.auth.actor.ActorCache)
    statement_counter.start()
    log = await gql.data(query, {"u": COUNTY}, office)
    used = statement_counter.stop()
    # the change counters (the actor cached), the deliveries with webhook and event, their attempts
    assert used == 3, statement_counter.statements
    rows = log["webhookDeliveries"]
    assert {r["eventId"] for r in rows} == set(ids)
    for row in rows:
        assert row["status"] == "DELIVERED" and row["attemptCount"] == 3
        assert [(a["number"], a["statusCode"]) for a in row["attempts"]] == [(1, 503), (2, 503), (3, 204)]
        assert row["attempts"][0]["error"] and row["attempts"][2]["error"] == ""
    # the delivery log is the office's: an editor of the department does not read it
    refused = await gql(
        "query($u: String!) { webhookDeliveries(unitCode: $u) { eventId } }", {"u": COUNTY}, desk.editor
    )
    assert refused["data"] is None or refused["data"]["webhookDeliveries"] == []


async def test_private_addresses_are_refused_unless_allowed(
    gql: GraphQLClient, app: Any, session: Any, system: Any, make_user: Any, desk: Desk, receiver: Receiver
) -> None:
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code=COUNTY)
    register = """mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) {
        webhook { id url events active } errors { field code } } }"""
    base = {"unitCode": COUNTY, "events": ["document.published"], "secret": SECRET}
    for url in (
        "ftp://example.org/x",
        "http://127.0.0.1:9/x",
        "http://[::1]/x",
        "http://10.0.0.7/",
        "file:///etc/passwd",
        "http://[::1",
        "http://a:99999/",
        "http://u:p@example.org/",
        "http://169.254.169.254/latest/meta-data/",
    ):
        data = await gql.data(register, {"i": {**base, "url": url}}, office)
        assert data["registerWebhook"]["errors"] == [{"field": "url", "code": "INVALID_URL"}], url
    weak = await gql.data(register, {"i": {**base, "url": "https://example.org/x", "secret": "short"}}, office)
    assert weak["registerWebhook"]["errors"] == [{"field": "secret", "code": "WEAK_SECRET"}]
    unknown = await gql.data(register, {"i": {**base, "url": "https://example.org/x", "events": ["x"]}}, office)
    assert unknown["registerWebhook"]["errors"] == [{"field": "events", "code": "UNKNOWN_EVENT"}]
    editor = await gql(register, {"i": {**base, "url": "https://example.org/x"}}, desk.editor)
    assert editor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ok = await gql.data(register, {"i": {**base, "url": "https://example.org/x"}}, office)
    assert ok["registerWebhook"]["errors"] == [] and ok["registerWebhook"]["webhook"]["active"] is True
    listed = await gql.data("query($u: String!) { webhooks(unitCode: $u) { url events } }", {"u": COUNTY}, office)
    assert listed["webhooks"] == [{"url": "https://example.org/x", "events": ["document.published"]}]
    hook = ok["registerWebhook"]["webhook"]
    off = await gql.data(
        "mutation($id: ID!) { updateWebhook(id: $id, version: 1, active: false) { webhook { active version } errors { code } } }",
        {"id": hook["id"]},
        office,
    )
    assert off["updateWebhook"] == {"webhook": {"active": False, "version": 2}, "errors": []}

    # a name that resolves to this machine is refused at each attempt with the default settings
    state = app.state.gongkai
    await webhooks.register_webhook(
        session, system, unit_code=COUNTY, url=receiver.url, events=["document.published"], secret=SECRET, vault=app.state.gongkai.vault,
        allow_private=True,
    )  # fmt: skip
    await publish(gql, desk, title="内网")
    assert await delivery.deliver_due(state.sessionmaker, state.settings) == 1
    assert sum(receiver.tries.values()) == 0
    log = await gql.data(
        "query($u: String!) { webhookDeliveries(unitCode: $u) { status attempts { statusCode error } } }",
        {"u": COUNTY},
        office,
    )
    [row] = log["webhookDeliveries"]  # the inactive webhook got no delivery
    assert row["status"] == "PENDING"
    assert row["attempts"][0]["statusCode"] is None and "内网" in row["attempts"][0]["error"]


async def test_an_event_is_enqueued_once(gql: GraphQLClient, app: Any, session: Any, system: Any, desk: Desk) -> None:
    hook = await webhooks.register_webhook(
        session,
        system,
        unit_code=COUNTY,
        url="https://example.org/x",
        events=["document.published"],
        secret=SECRET,
        vault=app.state.gongkai.vault,
    )
    assert SECRET not in hook.secret  # sealed at rest
    await publish(gql, desk, title="一次")
    [event] = (await session.execute(select(OutboxEvent))).scalars().all()
    assert event.kind == "document.published"
    assert (await session.scalar(select(func.count()).select_from(WebhookDelivery))) == 1
    # the same change recorded again (a retried transaction) breaks the unique key, not the receiver
    session.add(
        OutboxEvent(
            event_id="x" * 36, kind=event.kind, document_id=event.document_id,
            document_version=event.document_version, scope_path=event.scope_path, payload={},
        )
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
    assert outbox.covers("513425", "513425/org:1") and not outbox.covers("513425", "5134250/org:1")


async def test_the_lifespan_loop_delivers(
    gql: GraphQLClient,
    app: Any,
    settings: Any,
    session: Any,
    system: Any,
    desk: Desk,
    receiver: Receiver,
    tmp_path: Any,
) -> None:
    """A real `gongkai serve` with its sender loop on: the publication reaches the receiver after two failures."""
    await webhooks.register_webhook(
        session, system, unit_code=COUNTY, url=receiver.url, events=["document.published"], secret=SECRET, vault=app.state.gongkai.vault,
        allow_private=True,
    )  # fmt: skip
    env = {
        "GONGKAI_WEBHOOK_INTERVAL_SECONDS": "0.2",
        "GONGKAI_WEBHOOK_BACKOFF_SECONDS": "0.2",
        "GONGKAI_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    with live_server(settings, tmp_path / "var", env=env):
        doc = await publish(gql, desk, title="后台推送")
        deadline = time.monotonic() + 30
        while not receiver.accepted and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    [(headers, body)] = receiver.accepted
    assert json.loads(body)["document"]["indexNo"] == doc["indexNo"]
    assert receiver.tries[headers["X-Gongkai-Event-Id"]] == 3


async def test_the_cli_delivers(
    gql: GraphQLClient,
    app: Any,
    settings: Any,
    session: Any,
    system: Any,
    desk: Desk,
    receiver: Receiver,
    tmp_path: Any,
) -> None:
    """`gongkai deliver-webhooks`: one pass per run; with no backoff each run is the next attempt."""
    await webhooks.register_webhook(
        session, system, unit_code=COUNTY, url=receiver.url, events=["document.published"], secret=SECRET,
        vault=app.state.gongkai.vault, allow_private=True,
    )  # fmt: skip
    await publish(gql, desk, title="命令行推送")
    env = server_env(settings, tmp_path, GONGKAI_WEBHOOK_BACKOFF_SECONDS="0", GONGKAI_WEBHOOK_ALLOW_PRIVATE="1")
    outputs = []
    for _ in range(4):
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "api.cli", "deliver-webhooks"], env=env, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.strip())
    assert outputs == ["已尝试推送 1 条"] * 3 + ["已尝试推送 0 条"]
    assert len(receiver.accepted) == 1 and sum(receiver.tries.values()) == 3


# --- the provincial catalog ---


async def test_catalog_export_and_pull_feed(gql: GraphQLClient, client: Any, desk: Desk, session: Any) -> None:
    async def settle() -> None:
        """On PostgreSQL the feed shows an event once it is older than catalog.SETTLE."""
        if session.bind.dialect.name == "postgresql":
            await asyncio.sleep(catalog.SETTLE.total_seconds() + 0.5)

    one = await publish(gql, desk, title="目录一", docNumber="会理民发〔2026〕3号", topic="民政", genre="通知")
    await publish(gql, desk, title="依申请", attribute="ON_REQUEST", attributeReason="涉及个人信息")
    two = await publish(gql, desk, title="=目录二")

    response = await client.get("/exports/provincial-catalog", params={"unitCode": COUNTY})
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]] == list(FIELDS)
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[0] for r in table] == [two["indexNo"], one["indexNo"]]
    first = dict(zip(FIELDS, table[1], strict=True))
    assert first["信息名称"] == "目录一" and first["发布机构"] == "县民政局" and first["文号"] == "会理民发〔2026〕3号"
    assert first["主题分类"] == "民政" and first["体裁分类"] == "通知" and first["公开方式"] == "主动公开"
    assert first["有效性"] == "有效" and first["生成日期"]
    assert table[0][1] == "=目录二"  # text, never a formula

    await settle()
    pulled = (await client.get("/feeds/catalog.json")).json()
    assert [e["document"]["indexNo"] for e in pulled["events"]] == [one["indexNo"], two["indexNo"]]
    assert pulled["hasMore"] is False
    three = await publish(gql, desk, title="目录三")
    await republish(gql, desk, one, "目录一（修订）")
    await settle()
    later = (await client.get("/feeds/catalog.json", params={"since": pulled["cursor"]})).json()
    assert [(e["event"], e["document"]["indexNo"]) for e in later["events"]] == [
        ("document.published", three["indexNo"]), ("document.updated", one["indexNo"])
    ]  # fmt: skip
    assert later["events"][0]["document"]["record"]["信息名称"] == "目录三"
    assert later["events"][1]["document"]["record"]["信息名称"] == "目录一（修订）"
    assert (await client.get("/feeds/catalog.json", params={"since": later["cursor"]})).json()["events"] == []
    assert {e["eventId"] for e in pulled["events"]}.isdisjoint(e["eventId"] for e in later["events"])
    paged = (await client.get("/feeds/catalog.json", params={"limit": "1"})).json()
    assert len(paged["events"]) == 1 and paged["hasMore"] is True
    rest = (await client.get("/feeds/catalog.json", params={"since": paged["cursor"]})).json()
    assert [e["eventId"] for e in paged["events"] + rest["events"]] == [
        e["eventId"] for e in pulled["events"] + later["events"]
    ]
    assert (await client.get("/feeds/catalog.json", params={"since": "abc"})).status_code == 400
    county = (await client.get("/feeds/catalog.json", params={"unitCode": COUNTY})).json()["events"]
    assert len(county) == 4
    assert (await client.get("/feeds/catalog.json", params={"unitCode": "513426000000"})).json()["events"] == []


async def republish(gql: GraphQLClient, desk: Desk, doc: dict[str, Any], title: str) -> None:
    edit = """mutation($id: ID!, $v: Int!, $t: String!) { updateDocument(id: $id, version: $v, input: {title: $t}) {
      document { id version } errors { code } } }"""
    d = (await gql.data(edit, {"id": doc["id"], "v": doc["version"], "t": title}, desk.editor))["updateDocument"][
        "document"
    ]
    d = (await gql.data(SUBMIT, {"id": d["id"], "v": d["version"]}, desk.editor))["submitDocument"]["document"]
    d = (await step(gql, desk.editor, d))["document"]
    d = (await step(gql, desk.reviewer, d))["document"]
    assert (await step(gql, desk.approver, d, checked=True))["errors"] == []
