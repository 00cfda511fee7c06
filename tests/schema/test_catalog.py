"""The catalog: xlsx import (all rows or none), and freshness by update frequency."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook
from sqlalchemy import func, select, update

from api.models import CatalogItem, Document, Role
from api.settings import Settings

from ..conftest import GraphQLClient
from ..documents_fixtures import make_desk, publish
from ..hostile_files import giant_dimension, many_rows, unpacks_to

HEADER = ["领域", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道", "公开对象", "公开方式",
          "适用层级", "更新频率", "责任单位"]  # fmt: skip
GOOD = ["社会救助", "最低生活保障", "资金发放情况", "低保资金发放人数、金额", "《社会救助暂行办法》", "信息形成或变更之日起20个工作日内",
        "县民政局", "政府网站、公示栏/电子屏", "全社会", "主动", "县级、乡级", "月", "县民政局"]  # fmt: skip


def workbook(rows: list[list[str]], second_sheet: list[list[str]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "社会救助"
    for row in [HEADER, *rows]:
        sheet.append(row)
    if second_sheet is not None:
        other = book.create_sheet("其他")
        for row in [HEADER, *second_sheet]:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


IMPORT = """mutation($u: String!, $file: Upload!) { importCatalog(unitCode: $u, file: $file) {
  imported errors { field code message } } }"""
IMPORT_COUNTED = """mutation($u: String!, $file: Upload!) { importCatalog(unitCode: $u, file: $file) {
  imported errorCount errors { field code message } } }"""


async def upload(client: httpx.AsyncClient, token: str, data: bytes, query: str = IMPORT) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": {"u": "513425000000", "file": None}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("目录.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
        headers={"Authorization": f"Bearer {token}", "Apollo-Require-Preflight": "true"},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["importCatalog"]


async def item_count(session: Any) -> int:
    session.expire_all()
    return (await session.execute(select(func.count()).select_from(CatalogItem))).scalar_one()


async def test_import_with_one_bad_row_commits_nothing(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    await make_desk(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    bad = [*GOOD[:11], "每两月", GOOD[12]]
    result = await upload(client, office, workbook([GOOD, GOOD], second_sheet=[GOOD, bad]))
    assert result["imported"] == 0
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", "INVALID_ROW")]
    assert "工作表“其他”第3行" in result["errors"][0]["message"] and "每两月" in result["errors"][0]["message"]
    assert await item_count(session) == 0

    unknown_org = [*GOOD[:12], "县不存在局"]
    result = await upload(client, office, workbook([GOOD, unknown_org]))
    assert (
        result["imported"] == 0
        and "第3行" in result["errors"][0]["message"]
        and "县不存在局" in result["errors"][0]["message"]
    )
    assert await item_count(session) == 0

    ok = await upload(client, office, workbook([GOOD, GOOD]))
    assert ok == {"imported": 2, "errors": []}
    items = await gql.data('{ catalogItems(unitCode: "513425000000") { totalCount edges { node { level1 level2 '
                           "frequency channels levels deadlineWorkingDays domain { name } organizations { name } } } } }")  # fmt: skip
    node = items["catalogItems"]["edges"][0]["node"]
    assert node == {"level1": "最低生活保障", "level2": "资金发放情况", "frequency": "MONTHLY",
                    "channels": ["政府网站", "公示栏/电子屏"], "levels": ["COUNTY", "TOWN"], "deadlineWorkingDays": 20,
                    "domain": {"name": "社会救助"}, "organizations": [{"name": "县民政局"}]}  # fmt: skip


async def test_import_is_for_the_district_office(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps({"query": IMPORT, "variables": {"u": "513425000000", "file": None}}),
              "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("目录.xlsx", workbook([GOOD]), "application/octet-stream")},
        headers={"Authorization": f"Bearer {desk.editor}", "Apollo-Require-Preflight": "true"},
    )  # fmt: skip
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_cli_import_catalog(
    migrated: Settings, tmp_path: Path, make_user: Any, session: Any, system: Any
) -> None:
    await make_desk(session, system, make_user)
    env = {**os.environ, "GONGKAI_DATABASE_URL": migrated.database_url, "GONGKAI_VAR_DIR": str(migrated.var_dir)}
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([GOOD, [*GOOD[:7], "微博", *GOOD[8:]]]))
    run = subprocess.run([sys.executable, "-m", "api.cli", "import-catalog", str(bad), "--unit-code", "513425000000"],
                         env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode != 0 and "第3行" in run.stderr and "微博" in run.stderr and "Traceback" not in run.stderr
    assert await item_count(session) == 0
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([GOOD]))
    run = subprocess.run([sys.executable, "-m", "api.cli", "import-catalog", str(good), "--unit-code", "513425000000"],
                         env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert await item_count(session) == 1


STALE = """query($u: String!) { staleCatalogItems(unitCode: $u) { item { level2 frequency } organization { name }
  lastPublishedAt dueSince } }"""


async def test_monthly_item_without_a_document_this_month_is_stale(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    from api.services import catalog

    desk = await make_desk(session, system, make_user)
    fields = catalog.ItemFields(level1="最低生活保障", level2="资金发放情况", frequency=catalog.UpdateFrequency.MONTHLY,
                                organization_ids=[desk.org_pk])  # fmt: skip
    item = await catalog.create_item(session, system, unit_code="513425000000", fields_=fields)
    yearly = catalog.ItemFields(level1="最低生活保障", level2="低保标准", frequency=catalog.UpdateFrequency.YEARLY,
                                organization_ids=[desk.org_pk])  # fmt: skip
    await catalog.create_item(session, system, unit_code="513425000000", fields_=yearly)
    item_gid = __import__("tests.documents_fixtures", fromlist=["gid"]).gid("CatalogItem", item.id)

    stale = (await gql.data(STALE, {"u": "513425000000"}))["staleCatalogItems"]
    assert {(s["item"]["level2"], s["organization"]["name"]) for s in stale} == {
        ("资金发放情况", "县民政局"),
        ("低保标准", "县民政局"),
    }
    assert all(s["lastPublishedAt"] is None for s in stale)

    doc = await publish(gql, desk, title="本月低保资金发放", catalogItemId=item_gid)
    stale = (await gql.data(STALE, {"u": "513425000000"}))["staleCatalogItems"]
    assert [s["item"]["level2"] for s in stale] == ["低保标准"]

    # The same document, published two months ago: the monthly item is stale again.
    pk = int(__import__("base64").b64decode(doc["id"]).decode().split(":")[1])
    await session.execute(
        update(Document).where(Document.id == pk).values(published_at=datetime.now(UTC) - timedelta(days=62))
    )
    await session.commit()
    stale = (await gql.data(STALE, {"u": "513425000000"}))["staleCatalogItems"]
    monthly = [s for s in stale if s["item"]["level2"] == "资金发放情况"]
    assert monthly and monthly[0]["lastPublishedAt"] is not None


def test_frequency_periods() -> None:
    from datetime import date

    from api.models import UpdateFrequency
    from api.services.catalog import period_start

    today = date(2026, 11, 30)
    assert period_start(UpdateFrequency.XUN, today) == date(2026, 11, 21)
    assert period_start(UpdateFrequency.MONTHLY, today) == date(2026, 11, 1)
    assert period_start(UpdateFrequency.QUARTERLY, today) == date(2026, 10, 1)
    assert period_start(UpdateFrequency.YEARLY, today) == date(2026, 1, 1)
    assert period_start(UpdateFrequency.DAILY, today) == today


async def test_hostile_spreadsheets_are_refused_quickly_or_read_as_they_are(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any
) -> None:
    await make_desk(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    one = workbook([GOOD])

    started = time.perf_counter()
    declared = await upload(client, office, giant_dimension(one), IMPORT_COUNTED)
    assert declared == {"imported": 1, "errorCount": 0, "errors": []}  # the dimension claimed A1:XFD1048576
    million = await upload(client, office, many_rows(one), IMPORT_COUNTED)
    assert million["imported"] == 0 and [e["code"] for e in million["errors"]] == ["TOO_MANY_ROWS"]
    bomb = await upload(client, office, unpacks_to(one, 60 << 20), IMPORT_COUNTED)
    assert [e["code"] for e in bomb["errors"]] == ["FILE_TOO_LARGE"] and "解压后" in bomb["errors"][0]["message"]
    assert time.perf_counter() - started < 10
    assert await item_count(session) == 1

    just_over = workbook([GOOD] * 5001)
    assert [e["code"] for e in (await upload(client, office, just_over, IMPORT_COUNTED))["errors"]] == ["TOO_MANY_ROWS"]


async def test_a_file_with_thousands_of_bad_rows_answers_the_first_hundred_and_a_count(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any
) -> None:
    await make_desk(session, system, make_user)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code="513425000000")
    bad = [*GOOD[:11], "每两月", GOOD[12]]
    result = await upload(client, office, workbook([bad] * 3000), IMPORT_COUNTED)
    assert result["imported"] == 0 and result["errorCount"] == 3000
    assert len(result["errors"]) == 101
    assert {e["code"] for e in result["errors"][:100]} == {"INVALID_ROW"}
    assert "第101行" in result["errors"][99]["message"]  # rows 2 .. 101: the first hundred
    assert result["errors"][100]["code"] == "TOO_MANY_ERRORS" and "另有2900处" in result["errors"][100]["message"]
    assert await item_count(session) == 0
