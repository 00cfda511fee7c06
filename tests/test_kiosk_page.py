"""The reference kiosk page at /kiosk/, in Debian's chromium against a real `gongkai serve`.

The demo data, a kiosk device for 铜矿村 made by the district office (createKiosk), and the page
signed in with its token: the home screen, a document and its PDF, search, the directory, the
micro-power list, a request with its receipt and its status, a publication reaching the screen
through the localItemsChanged subscription, the idle timer, and the last content kept while the
server is stopped.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import expect

from api.kiosk import KIOSK_DOCUMENTS, kiosk_routes, operation_ids
from api.settings import Settings
from schema.trusted import document_id

from .conftest import GraphQLClient
from .documents_fixtures import Desk, publish
from .live import live_server
from .test_browser import Network, browser  # noqa: F401  (the chromium fixture)

DEMO_PASSWORD = "Gongkai-Demo-2026"
TONGKUANG = "513425102001"  # 铜矿村, 鹿厂镇, 会理县
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "kiosk"
ASSET = re.compile(r'(?:src|href)="([^"]+)"')


# -- the page as served ---------------------------------------------------------------------------


async def test_kiosk_page_is_served_with_its_documents_and_only_local_assets(
    client: httpx.AsyncClient, migrated: Settings
) -> None:
    redirect = await client.get("/kiosk")
    assert redirect.status_code == 308 and redirect.headers["location"] == "/kiosk/"
    page = await client.get("/kiosk/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "frame-src 'self' blob:" in csp
    assert "<script>" not in page.text and "https://" not in page.text and "http://" not in page.text
    for url in ASSET.findall(page.text):
        served = await client.get("/kiosk/" + url)
        assert served.status_code == 200, url
        assert "https://" not in served.text and "import(" not in served.text, url
    for module in ("api.js", "live.js"):
        assert (await client.get("/kiosk/" + module)).headers["content-type"].startswith("text/javascript")

    ids = (await client.get("/kiosk/documents.json")).json()
    manifest = json.loads(migrated.trusted_documents.read_text(encoding="utf-8"))
    files = sorted(KIOSK_DOCUMENTS.glob("*.graphql"))
    assert len(ids) == len(files) >= 9
    assert {document_id(p.read_text(encoding="utf-8")) for p in files} == set(ids.values()) <= set(manifest)
    assert {"LocalItems", "KioskDocument", "KioskSearch", "UnitDirectory", "KioskVillagePowerList",
            "KioskSubmitInfoRequest", "KioskInfoRequestStatus", "KioskDevice", "KioskUnit", "KioskLocalItemsChanged",
            "KioskCommitments"} == set(ids)  # fmt: skip
    assert (await client.get("/kiosk/no-such-file.js")).status_code == 404


def test_documents_missing_from_the_manifest_are_left_out(tmp_path: Path) -> None:
    (tmp_path / "A.graphql").write_text("query A { me { username } }", encoding="utf-8")
    (tmp_path / "B.graphql").write_text("query B { me { displayName } }", encoding="utf-8")
    manifest = tmp_path / "manifest.json"
    text = "query A { me { username } }"
    manifest.write_text(json.dumps({document_id(text): text}), encoding="utf-8")
    assert operation_ids(manifest, tmp_path) == {"A": document_id(text)}
    assert operation_ids(tmp_path / "missing.json", tmp_path) == {}
    assert kiosk_routes(manifest, tmp_path / "no-page") == []  # an installation without the page: 404


# -- in the browser -------------------------------------------------------------------------------

# Chromium's own PDF viewer (an extension built into the browser) loads its files from here.
BUILT_IN = ("chrome-extension://", "chrome://resources/", "blob:", "data:")


class KioskNetwork(Network):
    """Network of tests/test_browser.py, letting the browser's built-in PDF viewer load its own files."""

    async def handle(self, route: Any) -> None:
        if route.request.url.startswith(BUILT_IN):
            await route.continue_()
        else:
            await super().handle(route)

    def outside(self) -> list[str]:
        return [u for u in super().outside() if not u.startswith(BUILT_IN)]


async def login(gql: GraphQLClient, username: str) -> str:
    return await gql.login(username, DEMO_PASSWORD)


async def visible_titles(page: Any) -> list[str]:
    return list(await page.locator("#items .card .title").all_inner_texts())


async def test_kiosk_page_in_chromium(migrated: Settings, demo: None, browser: Any) -> None:  # noqa: F811, PLR0915
    # The live server shares the test's var directory: the demo's attachments are stored there.
    with live_server(migrated, migrated.var_dir) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            gql = GraphQLClient(http)
            office = await login(gql, "huili_office")
            made = await gql.data(
                'mutation { createKiosk(unitCode: "513425102001", name: "铜矿村便民服务点终端") { token errors { code } } }',
                token=office,
            )
            token = made["createKiosk"]["token"]
            assert token, made

            context = await browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
            network = KioskNetwork()
            await network.attach(context)
            problems: list[str] = []
            stopped: list[bool] = []  # once the server is stopped, the socket's reconnects are refused
            statuses: list[tuple[str, int, str | None]] = []
            try:
                page = await context.new_page()
                page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
                # The browser logs each refused request (the wrong token, the stopped server) itself.
                page.on(
                    "console",
                    lambda msg: (
                        problems.append(f"console: {msg.text}")
                        if msg.type == "error"
                        and "Failed to load resource" not in msg.text
                        and not (stopped and msg.text.startswith("WebSocket connection to"))
                        else None
                    ),
                )
                page.on(
                    "response",
                    lambda r: statuses.append((r.url, r.status, r.request.headers.get("authorization"))),
                )
                await page.goto(server.base_url + "/kiosk")

                # Setup: a wrong token is refused with a clear message, the kiosk's token signs in.
                await page.locator("#setup-token").fill("not-a-token")
                await page.locator("#setup-form button").click()
                await expect(page.locator("#setup-error")).to_contain_text("设备令牌无效")
                await page.locator("#setup-token").fill(token)
                await page.locator("#setup-form button").click()
                await page.locator("#items .card").first.wait_for(timeout=10_000)
                assert await page.locator("#unit-name").inner_text() == "铜矿村政务公开专区"
                titles = await visible_titles(page)
                assert "铜矿村2026年第三季度财务收支公开（演示）" in titles  # the village's own posting
                assert "会理县城乡低保审核确认办法（演示）" in titles  # the county's, which applies here
                assert len(titles) >= 5

                # By column and by domain.
                await page.locator("#columns .chip", has_text="村务公开").click()
                village = await visible_titles(page)
                assert village and all("铜矿村" in t for t in village), village
                await page.locator("#columns .chip", has_text="全部栏目").click()
                await page.locator("#domains .chip", has_text="社会救助").click()
                assistance = await visible_titles(page)
                assert "会理县城乡低保审核确认办法（演示）" in assistance
                assert "铜矿村2026年第三季度财务收支公开（演示）" not in assistance
                await page.locator("#domains .chip", has_text="全部领域").click()

                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=str(SCREENSHOTS / "home-portrait.png"))
                await page.set_viewport_size({"width": 1920, "height": 1080})
                await page.screenshot(path=str(SCREENSHOTS / "home-landscape.png"))
                # Touch targets: every button on the home screen is at least 60 px high.
                heights = await page.eval_on_selector_all(
                    "#app button:not([hidden])", "els => els.filter(e => e.offsetParent).map(e => e.offsetHeight)"
                )
                assert heights and min(heights) >= 60, heights

                # A document and its PDF, fetched with the token and shown from a blob: URL.
                await page.locator("#items .card", has_text="会理县城乡低保审核确认办法（演示）").click()
                reader = page.locator("#reader")
                await reader.locator(".doc-title").wait_for()
                assert await reader.locator(".doc-title").inner_text() == "会理县城乡低保审核确认办法（演示）"
                assert "索引号" in await reader.inner_text()
                await reader.locator(".attachment").first.click()
                pdf = page.locator("#viewer iframe.pdf")
                await pdf.wait_for(state="attached", timeout=10_000)
                assert (await pdf.get_attribute("src") or "").startswith("blob:")
                files = [s for s in statuses if "/files/" in s[0]]
                assert files and files[-1][1] == 200 and files[-1][2] == f"Bearer {token}", files
                await page.locator("#reader-back").click()
                assert await page.locator("#view-home").is_visible()

                # Search.
                await page.locator(".tab[data-view=search]").click()
                await page.locator("#search-input").fill("低保")
                await page.locator("#search-form button").click()
                await expect(page.locator("#search-results .card")).to_have_count(3)
                assert "共 3 条" in await page.locator("#search-count").inner_text()
                marks = await page.locator("#search-results mark").all_inner_texts()
                assert marks and set(marks) == {"低保"}, marks

                # The directory and the village's micro-power list.
                await page.locator(".tab[data-view=directory]").click()
                committee = page.locator("#directory .org", has_text="铜矿村委会")
                assert "工作日 9:00-12:00" in await committee.inner_text()
                await page.locator(".tab[data-view=power]").click()
                await page.locator("#power .power", has_text="村级重大事项决策（四议两公开）").wait_for()
                assert "党员大会审议" in await page.locator("#power").inner_text()

                # 申请: a request at the kiosk, its tracking code on screen, and a printable receipt.
                await page.locator(".tab[data-view=apply]").click()
                options = await page.locator("#apply-org option").all()
                org_value = [await o.get_attribute("value") for o in options if "铜矿村委会" in await o.inner_text()][0]
                await page.locator("#apply-org").select_option(org_value)
                await page.locator("#apply-name").fill("张三")
                await page.locator("#apply-description").fill("2026年铜矿村低保对象名单")
                await page.locator("#apply-form button[type=submit]").click()
                await expect(page.locator("#apply-error")).to_contain_text("身份证件号码")  # the service's message
                await page.locator("#apply-id").fill("11010519491231002X")
                await page.locator("#apply-phone").fill("13800000000")
                await page.locator("#apply-form button[type=submit]").click()
                await expect(page.locator("#apply-error")).to_have_text("")
                await page.locator("#receipt-code").wait_for()
                code = await page.locator("#receipt-code").inner_text()
                password = await page.locator("#receipt-password").inner_text()
                assert code and password
                await page.emulate_media(media="print")
                assert await page.locator("#receipt").is_visible()
                assert not await page.locator(".tabs").is_visible()
                assert not await page.locator("#receipt button").first.is_visible()
                await page.emulate_media(media="screen")

                # 查询: the status by tracking code and password.
                await page.locator(".tab[data-view=status]").click()
                await page.locator("#status-code").fill(code)
                await page.locator("#status-password").fill("wrong-password")
                await page.locator("#status-form button").click()
                await expect(page.locator("#status-error")).to_contain_text("不正确")
                await page.locator("#status-password").fill(password)
                await page.locator("#status-form button").click()
                await page.locator("#status-result").wait_for()
                status = await page.locator("#status-result").inner_text()
                assert code in status and "已收到" in status, status

                # A publication through the API reaches the home screen, without a reload, within 2 s.
                await page.locator(".tab[data-view=home]").click()
                desk = await county_desk(gql)
                # The page holds the localItemsChanged subscription (polling only as a safety net).
                await page.locator("html[data-live=subscription]").wait_for(state="attached", timeout=5_000)
                reads = len([s for s in statuses if "LocalItems" in s[0]])
                title = "关于2026年冬季城乡低保资金发放的公告（测试）"
                await publish(gql, desk, title=title)
                published = time.monotonic()
                await page.locator("#items .card", has_text=title).wait_for(timeout=2_000)
                assert time.monotonic() - published < 2
                assert (await visible_titles(page))[0] == title  # newest first
                # One read of LocalItems for the announcement (no polling once a second).
                await page.wait_for_timeout(1_500)
                assert len([s for s in statuses if "LocalItems" in s[0]]) - reads <= 2, statuses[-5:]

                # The idle timer brings the screen home (and forgets input); the token is kept.
                await page.goto(server.base_url + "/kiosk/?idle=2")
                await page.locator("#items .card").first.wait_for()
                assert await page.locator("#setup").is_hidden()
                await page.locator(".tab[data-view=search]").click()
                await page.locator("#search-input").fill("低保")
                await page.locator("#view-home").wait_for(timeout=5_000)
                assert await page.locator("#search-input").input_value() == ""
            except BaseException:
                await context.close()
                raise

        # The server stops: the page keeps the last content and says so.
        stopped.append(True)
        server.process.terminate()
        server.process.wait(timeout=30)
        try:
            notice = page.locator("#offline")
            await notice.wait_for(timeout=5_000)
            assert "网络连接中断" in await notice.inner_text()
            titles = await visible_titles(page)
            assert titles[0] == title and "铜矿村2026年第三季度财务收支公开（演示）" in titles
            # A document read before opens from what was kept.
            await page.locator("#items .card", has_text="会理县城乡低保审核确认办法（演示）").click()
            await page.locator("#reader .doc-title").wait_for()
            assert "此前保存的内容" in await page.locator("#reader").inner_text()
        finally:
            await context.close()
    assert network.blocked == [] and network.outside() == [], network.requests
    assert problems == [], problems


async def county_desk(gql: GraphQLClient) -> Desk:
    """The demo's 县民政局 (会理县) with its editor, reviewer and approver, signed in."""
    orgs = await gql.data('{ organizations(unitCode: "513425000000", first: 100) { edges { node { id name } } } }')
    org_id = next(e["node"]["id"] for e in orgs["organizations"]["edges"] if e["node"]["name"] == "县民政局")
    tokens = [await login(gql, name) for name in ("editor", "reviewer", "approver")]
    return Desk(0, "", org_id, *tokens)
