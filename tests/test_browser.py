"""Browsers: CORS for front ends on other origins, and GraphiQL from locally installed assets.

The browser tests drive Debian's chromium (never a downloaded build) through Playwright against a
real `gongkai serve`; the pages "on another origin" come from small static HTTP servers on other
loopback ports. The network to anything but 127.0.0.1 is cut and any attempt is recorded.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from api.app import create_app
from api.services import accounts
from api.settings import Settings, SettingsError, parse_cors_origins
from schema import ide

from .conftest import PASSWORD
from .live import LiveServer, live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ALLOWED = "http://front.example"
FOREIGN = "http://evil.example"
ME = "query Me { me { username } }"

# The front end's page: it calls the API with fetch, as a single-page app on its own origin would.
FRONT_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>front end</title>
<script>
window.callApi = async function (url, token, query) {
  const headers = {"Content-Type": "application/json", "X-Request-Id": "front-end-probe"};
  if (token) headers["Authorization"] = "Bearer " + token;
  try {
    const response = await fetch(url, {method: "POST", headers: headers, body: JSON.stringify({query: query})});
    return {ok: true, status: response.status, requestId: response.headers.get("X-Request-Id"),
            body: await response.json()};
  } catch (error) {
    return {ok: false, name: error.name, error: String(error)};
  }
};
</script></head><body><h1>front end</h1></body></html>
"""


# -- settings -------------------------------------------------------------------------------------


def test_cors_origins_setting_parses_and_refuses_what_is_not_an_origin() -> None:
    assert Settings.from_env({}).cors_origins == ()
    assert Settings.from_env({"GONGKAI_CORS_ORIGINS": " "}).cors_origins == ()
    parsed = Settings.from_env({"GONGKAI_CORS_ORIGINS": "https://GK.example.gov.cn:443, http://127.0.0.1:5173,"})
    assert parsed.cors_origins == ("https://gk.example.gov.cn", "http://127.0.0.1:5173")
    assert parse_cors_origins("http://[::1]:3000") == ("http://[::1]:3000",)
    for bad in (
        "*",
        "gk.example.gov.cn",
        "https://gk.example.gov.cn/",
        "https://gk.example.gov.cn/app",
        "ftp://gk.example.gov.cn",
        "http://x.example:0",
        "http://x.example:70000",
        "null",
    ):
        with pytest.raises(SettingsError, match="GONGKAI_CORS_ORIGINS.*scheme://host"):
            Settings.from_env({"GONGKAI_CORS_ORIGINS": f"http://ok.example,{bad}"})


# -- CORS over ASGI -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def cors_client(migrated: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(migrated, cors_origins=(ALLOWED,)))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.engine.dispose()


def preflight(origin: str, headers: str = "authorization, content-type, apollo-require-preflight") -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": headers}


async def test_preflight_from_allowed_origin_is_answered_without_token(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("/graphql", headers=preflight(ALLOWED))
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == ALLOWED
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {
        "authorization",
        "content-type",
        "apollo-require-preflight",
        "x-apollo-operation-name",
        "x-request-id",
    } <= allowed
    assert {m.strip() for m in response.headers["access-control-allow-methods"].split(",")} == {"GET", "POST"}
    assert response.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in response.headers
    # A bad token does not stop the preflight: CORS is outside authentication.
    bad = {**preflight(ALLOWED), "Authorization": "Bearer not-a-token"}
    assert (await cors_client.options("/graphql", headers=bad)).status_code == 200


async def test_actual_request_from_allowed_origin_carries_cors_headers(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.post("/graphql", json={"query": ME}, headers={"Origin": ALLOWED})
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"me": None}}
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
    # An error answer (bad token, from the authentication middleware) is readable by the front end too.
    refused = await cors_client.post(
        "/graphql", json={"query": ME}, headers={"Origin": ALLOWED, "Authorization": "Bearer not-a-token"}
    )
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ALLOWED


async def test_foreign_origin_gets_no_allow_origin(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("/graphql", headers=preflight(FOREIGN))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    posted = await cors_client.post("/graphql", json={"query": ME}, headers={"Origin": FOREIGN})
    assert "access-control-allow-origin" not in posted.headers
    # An unlisted header is refused too.
    odd = await cors_client.options("/graphql", headers=preflight(ALLOWED, "x-something-else"))
    assert odd.status_code == 400


async def test_no_cors_headers_when_setting_is_empty(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight(ALLOWED))
    assert response.status_code == 405
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    posted = await client.post("/graphql", json={"query": ME}, headers={"Origin": ALLOWED})
    assert posted.status_code == 200
    assert not [h for h in posted.headers if h.lower().startswith("access-control-")]


# -- GraphiQL over ASGI ---------------------------------------------------------------------------

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


async def test_graphiql_page_is_ours_and_its_assets_are_local_and_long_cached(client: httpx.AsyncClient) -> None:
    assert ide.assets_dir() is not None, f"install the Python package {ide.ASSETS_DISTRIBUTION}"
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    page = response.text
    assert "<script>" not in page  # no inline script: the CSP allows none
    assets = ASSET.findall(page)
    assert len(assets) == 6, assets
    for url in assets:
        assert url.startswith(ide.assets_url() + "/"), url
        served = await client.get(url)
        assert served.status_code == 200, url
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        kind = "text/css" if url.endswith(".css") else "text/javascript"
        assert served.headers["content-type"].startswith(kind), (url, served.headers["content-type"])
    assert "https://" not in page and "//unpkg" not in page and "jsdelivr" not in page
    assert "Bearer &lt;token&gt;" in page  # the visible note on how to send a token
    missing = await client.get(ide.assets_url() + "/no-such-file.js")
    assert missing.status_code == 404


async def test_production_has_no_ide(migrated: Settings) -> None:
    app = create_app(replace(migrated, env="production", secret_key="x" * 40, password_hash="default"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            page = await c.get("/graphql", headers={"Accept": "text/html"})
            assert not page.headers.get("content-type", "").startswith("text/html")
            assert (await c.get(ide.assets_url() + "/graphiql.min.js")).status_code == 404
    finally:
        await app.state.engine.dispose()


# -- real browser, real server --------------------------------------------------------------------


@dataclass
class StaticSite:
    """A page on its own origin: python's http.server on another loopback port, in a thread."""

    origin: str
    server: ThreadingHTTPServer
    thread: threading.Thread


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def start_site(directory: Path) -> StaticSite:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    thread.start()
    return StaticSite(origin=f"http://127.0.0.1:{server.server_address[1]}", server=server, thread=thread)


def stop_site(site: StaticSite) -> None:
    site.server.shutdown()
    site.server.server_close()
    site.thread.join(timeout=10)


@dataclass
class Sites:
    front: StaticSite  # its origin is in GONGKAI_CORS_ORIGINS
    foreign: StaticSite  # its origin is not


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    folder = tmp_path_factory.mktemp("front")
    (folder / "index.html").write_text(FRONT_PAGE, encoding="utf-8")
    front, foreign = start_site(folder), start_site(folder)
    try:
        yield Sites(front=front, foreign=foreign)
    finally:
        stop_site(front)
        stop_site(foreign)


@pytest.fixture(scope="module")
def server(migrated: Settings, sites: Sites, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    var_dir = tmp_path_factory.mktemp("live")
    origins = f"{sites.front.origin},http://127.0.0.1:1"
    with live_server(migrated, var_dir, env={"GONGKAI_CORS_ORIGINS": origins}) as live:
        yield live


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


class Network:
    """Every request the browser makes; anything not to 127.0.0.1 is aborted and recorded."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.blocked: list[str] = []

    async def attach(self, context: Any) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        await context.route("**/*", self.handle)

    async def handle(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            self.blocked.append(url)
            await route.abort()

    def outside(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname != "127.0.0.1" and not u.startswith("data:")]


async def sign_in(server: LiveServer, session: Any, system: Any, username: str) -> str:
    await accounts.create_user(session, system, username=username, display_name=username, password=PASSWORD)
    await session.commit()
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token errors { code } } }",
                "variables": {"u": username, "p": PASSWORD},
            },
        )
    payload = response.json()["data"]["login"]
    assert payload["errors"] == [], payload
    return str(payload["token"])


async def test_page_on_allowed_origin_calls_api_with_token_and_foreign_origin_fails(
    server: LiveServer, sites: Sites, browser: Any, session: Any, system: Any
) -> None:
    token = await sign_in(server, session, system, "front_user")
    endpoint = server.base_url + "/graphql"
    context = await browser.new_context()
    network = Network()
    await network.attach(context)
    try:
        page = await context.new_page()
        await page.goto(sites.front.origin + "/index.html")
        signed = await page.evaluate("([u, t, q]) => window.callApi(u, t, q)", [endpoint, token, ME])
        assert signed["ok"], signed
        assert signed["status"] == 200
        assert signed["body"] == {"data": {"me": {"username": "front_user"}}}  # read with the token
        assert signed["requestId"] == "front-end-probe"  # X-Request-Id is exposed to the page
        anonymous = await page.evaluate("([u, t, q]) => window.callApi(u, t, q)", [endpoint, None, ME])
        assert anonymous["body"] == {"data": {"me": None}}

        await page.goto(sites.foreign.origin + "/index.html")
        refused = await page.evaluate("([u, t, q]) => window.callApi(u, t, q)", [endpoint, token, ME])
        assert refused["ok"] is False, refused
        assert refused["name"] == "TypeError" and "Failed to fetch" in refused["error"], refused
    finally:
        await context.close()
    assert network.blocked == [] and network.outside() == [], network.requests


SCREENSHOT = Path("/tmp/gongkai-graphiql.png")


HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"  # shown: headers
RESPONSE_HAS = """(text) => { const el = document.querySelector('.graphiql-response .CodeMirror');
    return el !== null && el.CodeMirror.getValue().includes(text); }"""


async def test_graphiql_loads_offline_shows_demo_query_and_runs_it(
    server: LiveServer, browser: Any, session: Any, system: Any
) -> None:
    token = await sign_in(server, session, system, "ide_user")
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    network = Network()
    await network.attach(context)
    problems: list[str] = []
    try:
        page = await context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
        response = await page.goto(server.base_url + "/graphql", wait_until="load")
        assert response is not None and response.status == 200
        editor = page.locator(".graphiql-query-editor .CodeMirror").first
        try:
            await editor.wait_for(state="visible", timeout=20_000)
        except PlaywrightTimeoutError as exc:
            raise AssertionError(f"GraphiQL did not render; blocked {network.blocked}; {problems}") from exc
        query = await editor.evaluate("el => el.CodeMirror.getValue()")
        assert "query Demo" in query and "domains {" in query and "documents(first: 5)" in query, query
        assert '{"Authorization": "Bearer <token>"}' in query
        note = page.locator("#gongkai-note")
        assert await note.is_visible()
        assert "Bearer <token>" in await note.inner_text()

        await page.locator(".graphiql-execute-button").click()
        await page.wait_for_function(RESPONSE_HAS, arg="totalCount", timeout=20_000)
        answer = await page.locator(".graphiql-response .CodeMirror").first.evaluate("el => el.CodeMirror.getValue()")
        assert "社会救助" in answer and '"me": null' in answer, answer
        await page.screenshot(path=str(SCREENSHOT))

        # The note's recipe: the token in the headers editor, and the same query now knows the user.
        headers = page.locator(HEADERS_EDITOR)
        assert await headers.count() == 1 and await headers.is_visible(), "the headers editor is not open"
        await headers.evaluate(
            "(el, t) => el.CodeMirror.setValue(JSON.stringify({Authorization: 'Bearer ' + t}))", token
        )
        await page.locator(".graphiql-execute-button").click()
        await page.wait_for_function(RESPONSE_HAS, arg='"username": "ide_user"', timeout=20_000)
        await page.screenshot(path=str(SCREENSHOT))
    finally:
        await context.close()
    assert network.blocked == [] and network.outside() == [], network.requests
    assert any("/graphiql/" in u and u.endswith("graphiql.min.js") for u in network.requests), network.requests
    assert problems == [], problems
