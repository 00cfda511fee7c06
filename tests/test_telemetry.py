"""The request log of a real server: one JSON line per request, never a query's values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from api.models import OrganizationKind, UnitKind
from api.services import units
from api.settings import Settings

from .documents_fixtures import credit, gid
from .live import live_server

ID_NUMBER = "513425199001011234"
PHONE = "13912345678"
SUBMIT = """mutation Submit($input: InfoRequestInput!) { submitInfoRequest(input: $input) {
  trackingCode errors { field code } } }"""


async def test_failed_requests_leave_no_personal_data_in_the_log(
    migrated: Settings, session: Any, system: Any, tmp_path: Path
) -> None:
    await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    org = await units.create_organization(session, system, unit_code="513425000000", name="县民政局",
                                          kind=OrganizationKind.DEPARTMENT, credit_code=credit(7))  # fmt: skip
    await session.commit()
    person = {"idNumber": ID_NUMBER, "phone": PHONE, "address": "鹿厂镇铜矿村3组", "applicantType": "NATURAL_PERSON"}
    attempts: list[dict[str, Any]] = [
        # coercion fails: the message of that error repeats the whole input value
        {"query": SUBMIT, "variables": {"input": {**person, "organizationId": gid("Organization", org.id)}}},
        # the agency does not exist: a UserError
        {
            "query": SUBMIT,
            "variables": {
                "input": {
                    **person,
                    "organizationId": gid("Organization", 999),
                    "channel": "ONLINE",
                    "applicantName": "李四",
                    "description": "低保名单",
                }
            },
        },  # fmt: skip
        # the value sits in the document itself, and the document does not parse
        {"query": f'mutation Broken {{ submitInfoRequest(input: {{phone: "{PHONE}", idNumber: "{ID_NUMBER}" }}'},
        # too long for its column: PostgreSQL refuses it in the database (SQLite stores it)
        {
            "query": SUBMIT,
            "variables": {
                "input": {
                    **person,
                    "organizationId": gid("Organization", org.id),
                    "channel": "ONLINE",
                    "applicantName": "王" * 5000,
                    "description": "低保名单",
                }
            },
        },  # fmt: skip
    ]
    with live_server(migrated, tmp_path) as server:
        ids = []
        for i, body in enumerate(attempts):
            rid = f"privacy-{i}"
            response = httpx.post(server.base_url + "/graphql", json=body, headers={"X-Request-Id": rid}, timeout=30)
            assert response.status_code in (200, 400), response.text
            answer = response.json()
            if i < 3:
                assert answer.get("errors") or answer["data"]["submitInfoRequest"]["errors"], answer
            ids.append(rid)
    log = server.log()  # after the server stopped: a request's line is written just after its answer
    assert ID_NUMBER not in log and PHONE not in log and "铜矿村3组" not in log, log[-4000:]
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = {entry["request_id"]: entry for entry in lines if entry.get("event") == "request"}
    assert set(ids) <= set(requests), requests.keys()
    first = requests["privacy-0"]
    assert first["operation"] == "Submit" and first["path"] == "/graphql" and first["user_id"] is None
    assert first["outcome"] == "error" and first["error_codes"] == ["BAD_USER_INPUT"]
    assert isinstance(first["duration_ms"], float) and first["status"] == 200
    assert requests["privacy-1"]["outcome"] == "rejected" and requests["privacy-1"]["user_error_codes"]
    assert requests["privacy-2"]["error_codes"] == ["GRAPHQL_PARSE_FAILED"]
