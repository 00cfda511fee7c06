"""Applicants' personal data is sealed at rest, masked for readers who may not see it, and never
logged: after requests submitted, refused and handled through a real server, no ID number, phone,
address or e-mail is in its log or in any column of any table in clear."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.models import Role
from api.settings import Settings

from .conftest import GraphQLClient
from .live import live_server
from .schema.test_requests import REQUEST, SUBMIT, applicant, make_office, staff_view, step

ID_NUMBER = "51342519870605771X"
PHONE = "13987654321"
ADDRESS = "四川省凉山州会理县古城街道北关路88号"
EMAIL = "zhangsan.applicant@example.com"
PERSONAL = {"idNumber": ID_NUMBER, "phone": PHONE, "address": ADDRESS, "email": EMAIL}
CONTACT = """query($id: ID!) { infoRequest(id: $id) { idNumber phone address email } }"""


async def all_text(engine: AsyncEngine) -> list[str]:
    """Every value of every column of every table (the search index's and Alembic's too), as text."""
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        values: list[str] = []
        for table in tables:
            for row in (await conn.execute(text(f'SELECT * FROM "{table}"'))).all():
                values += [str(v) for v in row if v is not None]
    return values


async def test_personal_data_is_in_neither_the_log_nor_the_database_in_clear(
    make_user: Any, session: Any, system: Any, migrated: Settings, tmp_path: Path, app: Any
) -> None:
    o = await make_office(session, system, make_user)
    auditor = await make_user("auditor", Role.AUDITOR, unit_code="513425000000")
    mine = applicant(o, **PERSONAL)
    with live_server(migrated, tmp_path) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            gql = GraphQLClient(http)
            # Refused: no description; an address over its bound; a channel that does not exist; a
            # letter received tomorrow.
            refused = [
                {**mine, "description": " "},
                {**mine, "address": ADDRESS * 20},
                {**mine, "channel": "CARRIER_PIGEON"},
                {**mine, "channel": "LETTER", "receivedOn": "2999-01-01"},
            ]
            for i, bad in enumerate(refused):
                body = await gql(SUBMIT, {"input": bad}, o.foi if i == 3 else None)
                assert body.get("errors") or body["data"]["submitInfoRequest"]["errors"], (i, body)
                assert not body.get("data") or body["data"]["submitInfoRequest"]["trackingCode"] is None
            submitted = (await gql.data(SUBMIT, {"input": mine}))["submitInfoRequest"]
            assert submitted["errors"] == []

            r = await staff_view(gql, o, submitted["trackingCode"])
            for mutation in ("registerInfoRequest", "sendInfoRequestForReview"):
                r = (await step(gql, o.foi, mutation, r))["request"]
            replied = await step(
                gql, o.district, "replyInfoRequest", r, input=("ReplyInput!", {"replyType": "DISCLOSED"})
            )
            assert replied["errors"] == []
            assert (await gql.data(CONTACT, {"id": r["id"]}, o.foi))["infoRequest"] == PERSONAL
            masked = (await gql.data(CONTACT, {"id": r["id"]}, auditor))["infoRequest"]
            assert masked == {
                "idNumber": "5134**********771X",
                "phone": "139****4321",
                "address": "四川省凉山州****",
                "email": "zh***@example.com",
            }
            full = (await gql.data(REQUEST, {"id": r["id"]}, o.foi))["infoRequest"]
            assert full["status"] == "REPLIED"
    log = server.log()
    assert log.count('"event": "request"') >= 10  # every request was logged, without its data
    values = await all_text(app.state.engine)
    assert any(submitted["trackingCode"] in v for v in values)  # the scan does see the request's row
    for name, value in PERSONAL.items():
        assert value not in log, name
        assert not [v for v in values if value in v], name
    if migrated.database_url.startswith("sqlite"):
        # The file and its write-ahead log, byte by byte, read by another process: closing a file of
        # the database here would drop this process's SQLite locks on it.
        database = Path(migrated.database_url.split("///", 1)[1])
        files = [str(p) for p in database.parent.glob(database.name + "*")]
        scan = "import sys; data = b''.join(open(f, 'rb').read() for f in sys.argv[2:]); "
        scan += "print([v for v in sys.argv[1].split('|') if v.encode() in data])"
        found = subprocess.run(
            [sys.executable, "-c", scan, "|".join([*PERSONAL.values(), "张三"]), *files],
            capture_output=True,
            text=True,
            check=True,
        )
        assert found.stdout.strip() == "['张三']", found.stdout  # the name is not sealed: the scan sees the data
