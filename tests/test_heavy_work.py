"""Nothing heavy on the event loop: the attacks of issue 11 against a real server, each refused
quickly (or served from a worker thread) while a bystander's ``{ __typename }`` keeps answering
in under 100 ms.

- a search for 1 MiB of text (it once blocked every client for 17 s);
- a 4.8 KB xlsx declaring ``A1:XFD1048576`` (over a minute), and one with a million real rows
  (60 s and 234 MB of errors), sent to ``importCatalog``;
- ``infoRequests { daysLeft }`` over a request received on 0001-01-01 (55 s);
- an export of a long monthly report and an upload of a PDF of many pages, both built or
  inspected in a worker thread.
"""

from __future__ import annotations

import gc
import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from pypdf import PdfWriter
from sqlalchemy import update

from api.models import InfoRequest, Role
from api.settings import Settings

from .conftest import GraphQLClient
from .documents_fixtures import content, make_desk
from .hostile_files import giant_dimension, many_rows
from .live import LiveServer, live_server
from .probe import Bystander, assert_unblocked
from .probe import bystander as _bystander
from .schema.test_catalog import GOOD, workbook
from .schema.test_reports import county_with, mid, publish_at
from .schema.test_requests import make_office, submit

PREFLIGHT = {"Apollo-Require-Preflight": "true"}
IMPORT = """mutation($u: String!, $file: Upload!) { importCatalog(unitCode: $u, file: $file) {
  imported errorCount errors { code message } } }"""


@pytest.fixture(scope="module")
def server(migrated: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(migrated, tmp_path_factory.mktemp("heavy")) as live:
        # The first search loads jieba's dictionary (in a worker thread, but it takes the GIL for a
        # second): warm up before anyone measures.
        httpx.post(live.base_url + "/graphql", json={"query": '{ search(query: "低保") { totalCount } }'}, timeout=60)
        yield live


@contextmanager
def bystander(base_url: str) -> Iterator[Bystander]:
    """tests/probe.py's bystander, with this process's heap frozen meanwhile: the probe thread lives
    here, and a full collection of pytest's heap (made long by the rows a test just wrote) would
    pause it and be counted against the server."""
    gc.collect()
    gc.freeze()
    try:
        with _bystander(base_url) as probe:
            yield probe
    finally:
        gc.unfreeze()


def post(server: LiveServer, body: dict[str, Any], token: str | None = None, **kwargs: Any) -> tuple[Any, float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    response = httpx.post(server.base_url + "/graphql", json=body, headers=headers, timeout=120, **kwargs)
    return response, time.perf_counter() - started


def import_catalog(server: LiveServer, token: str, data: bytes) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    response = httpx.post(
        server.base_url + "/graphql",
        data={
            "operations": json.dumps({"query": IMPORT, "variables": {"u": "513425000000", "file": None}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("目录.xlsx", data, "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}", **PREFLIGHT},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["importCatalog"], time.perf_counter() - started


def test_a_search_for_a_mebibyte_of_text_is_refused_at_once(server: LiveServer) -> None:
    query = "query($q: String!) { search(query: $q) { totalCount } }"
    # 10 KB, and 1 MiB of UTF-8 (under the 2 MB body cap, so that the query itself is what is
    # refused); encoded before the bystander starts, as encoding holds this process's GIL.
    bodies = [
        json.dumps({"query": query, "variables": {"q": "低保资金" * (size // 12)}}, ensure_ascii=False).encode()
        for size in (10_000, 1 << 20)
    ]
    assert len(bodies[1]) > 1 << 20
    with bystander(server.base_url) as probe:
        for body in bodies:
            started = time.perf_counter()
            response = httpx.post(
                server.base_url + "/graphql", content=body, headers={"Content-Type": "application/json"}, timeout=60
            )
            seconds = time.perf_counter() - started
            assert seconds < 1, (len(body), seconds)
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT" and "200" in error["message"], error
    assert_unblocked(probe)


async def test_hostile_spreadsheets_do_not_stall_the_server(
    server: LiveServer, make_user: Any, session: Any, system: Any
) -> None:
    await make_desk(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    one = workbook([GOOD])
    # Made before the bystander starts: building them takes this process's GIL from its thread.
    declared, million = giant_dimension(one), many_rows(one)
    large = workbook([[*GOOD[:11], "每两月", GOOD[12]]] * 2000)
    assert len(declared) < 10_000
    with bystander(server.base_url) as probe:
        result, seconds = import_catalog(server, office, declared)
        assert result == {"imported": 1, "errorCount": 0, "errors": []} and seconds < 2, (result, seconds)
        result, seconds = import_catalog(server, office, million)
        assert result["imported"] == 0 and [e["code"] for e in result["errors"]] == ["TOO_MANY_ROWS"]
        assert seconds < 2 and result["errorCount"] == 1, seconds
        # A large legitimate file (2,000 rows, parsed for about a second): in a worker thread.
        result, seconds = import_catalog(server, office, large)
        assert result["errorCount"] == 2000 and len(result["errors"]) == 101, seconds
    assert_unblocked(probe)


async def test_days_left_of_a_request_received_in_the_year_one(
    server: LiveServer, make_user: Any, session: Any, system: Any
) -> None:
    o = await make_office(session, system, make_user)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        for _ in range(5):
            await submit(GraphQLClient(http), o)
    # The schema refuses such a date now; a row written before that, or by hand, must not stall the clock.
    year_one = date(1, 1, 1)
    await session.execute(update(InfoRequest).values(received_on=year_one, clock_start=year_one, due_on=date(1, 1, 29)))
    await session.commit()
    query = "{ infoRequests(first: 100) { totalCount edges { node { daysLeft overdue } } } }"
    with bystander(server.base_url) as probe:
        response, seconds = post(server, {"query": query}, o.foi)
    assert_unblocked(probe)
    edges = response.json()["data"]["infoRequests"]["edges"]
    assert len(edges) == 5 and all(e["node"]["daysLeft"] < -500_000 and e["node"]["overdue"] for e in edges)
    assert seconds < 1, seconds


async def test_a_long_export_and_a_large_pdf_are_handled_off_the_loop(
    server: LiveServer, make_user: Any, session: Any, system: Any
) -> None:
    orgs = await county_with(session, system, ["县民政局"])
    org = orgs["县民政局"]
    for i in range(3000):
        await publish_at(session, org, f"513425/org:{org.id}", mid(2025, 4), f"关于第{i}批低保资金发放情况的公示")
    await session.commit()
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    desk = await make_desk(session, system, make_user, name="县财政局", seed=2)
    writer = PdfWriter()
    for _ in range(3000):
        writer.add_blank_page(595, 842)
    pdf = io.BytesIO()
    writer.write(pdf)
    create = """mutation($input: CreateDocumentInput!, $files: [Upload!]) { createDocument(input: $input, files: $files) {
      document { id } errors { code } } }"""
    with bystander(server.base_url) as probe:
        started = time.perf_counter()
        exported = httpx.get(
            server.base_url + "/exports/monthly-report",
            params={"organizationId": str(org.id), "month": "2025-04"},
            headers={"Authorization": f"Bearer {office}"},
            timeout=120,
        )
        export_seconds = time.perf_counter() - started
        started = time.perf_counter()
        uploaded = httpx.post(
            server.base_url + "/graphql",
            data={
                "operations": json.dumps(
                    {
                        "query": create,
                        "variables": {
                            "input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()},
                            "files": [None],
                        },
                    }
                ),
                "map": json.dumps({"0": ["variables.files.0"]}),
            },
            files={"0": ("三千页.pdf", pdf.getvalue(), "application/pdf")},
            headers={"Authorization": f"Bearer {desk.editor}", **PREFLIGHT},
            timeout=120,
        )
        upload_seconds = time.perf_counter() - started
    assert_unblocked(probe)
    assert exported.status_code == 200 and len(exported.content) > 50_000, exported.text[:200]
    assert uploaded.json()["data"]["createDocument"]["errors"] == [], uploaded.text
    assert export_seconds < 30 and upload_seconds < 30


async def test_a_twelve_megapixel_photo_is_resized_off_the_loop(
    server: LiveServer, make_user: Any, session: Any, system: Any
) -> None:
    """Decoding, re-encoding and the two sizes of a phone photo (api/photos.py) take a second or more."""
    from PIL import Image

    desk = await make_desk(session, system, make_user, name="县住建局", seed=3)
    photo = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(photo, format="JPEG", quality=92)
    create = """mutation($input: CreateDocumentInput!, $files: [Upload!]) { createDocument(input: $input, files: $files) {
      document { current { attachments { width height sizes { width height } } } } errors { code } } }"""
    variables = {"input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()}, "files": [None]}
    with bystander(server.base_url) as probe:
        started = time.perf_counter()
        uploaded = httpx.post(
            server.base_url + "/graphql",
            data={
                "operations": json.dumps({"query": create, "variables": variables}),
                "map": json.dumps({"0": ["variables.files.0"]}),
            },
            files={"0": ("现场.jpg", photo.getvalue(), "image/jpeg")},
            headers={"Authorization": f"Bearer {desk.editor}", **PREFLIGHT},
            timeout=120,
        )
        seconds = time.perf_counter() - started
    assert_unblocked(probe)
    payload = uploaded.json()["data"]["createDocument"]
    assert payload["errors"] == [], uploaded.text
    (attachment,) = payload["document"]["current"]["attachments"]
    assert (attachment["width"], attachment["height"]) == (4000, 3000)
    assert attachment["sizes"] == [{"width": 320, "height": 240}, {"width": 1280, "height": 960}]
    assert seconds < 30
    print(f"12 MP photo: {seconds:.2f} s")  # noqa: T201
