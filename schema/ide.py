"""GraphiQL at GET /graphql (development only), from assets installed as a package, never a CDN.

The assets (GraphiQL 2.4.7, React 17.0.2; MIT) come from the PyPI wheel
``graphene-django-graphiql-static``: plain files under its ``static/`` folder. Nothing of Django
is imported; the folder is found with importlib.resources and served by Starlette under
``/graphiql/<version>/`` with year-long cache headers (the path changes when the package or this
page's script does). The page is ours: no inline script (the config is a JSON data block), so it
is served with a strict Content-Security-Policy and works on a machine without internet.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_DISTRIBUTION = "graphene-django-graphiql-static"
ASSETS_PACKAGE = "graphene_django_graphiql_static"
PREFIX = "/graphiql"
IMMUTABLE = "public, max-age=31536000, immutable"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

TOKEN_NOTE = (  # HTML
    "需要登录的操作：先执行 <code>login</code> 变更（Login 标签页）取得 token，再在下方 Headers（请求头）中填入 "
    "<code>{&quot;Authorization&quot;: &quot;Bearer &lt;token&gt;&quot;}</code>；不填则以公众身份查询。"
)

DEMO_QUERY = """\
# 公开 Gongkai GraphQL 接口。
# Ctrl-Enter（⌘-Enter）执行，右侧看结果；左侧栏第一个图标打开文档。
#
# 公众（不带 token）可读已公开的内容。需要登录的操作：
#   1. 在 Login 标签页执行 login 变更，复制返回的 token；
#   2. 在下方 Headers（请求头）中填入：
#      {"Authorization": "Bearer <token>"}
#   3. 再执行查询：me 即显示当前用户。
query Demo {
  domains {
    code
    name
  }
  documents(first: 5) {
    totalCount
    edges {
      node {
        indexNo
        title
        publishedAt
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
  me {
    username
  }
}
"""

LOGIN_MUTATION = """\
# 登录：返回的 token 放进 Headers（请求头）：{"Authorization": "Bearer <token>"}
# （演示数据的账号密码见 README；生产环境请用自己的账号。）
mutation Login {
  login(username: "admin", password: "Gongkai-Demo-2026") {
    token
    errors {
      code
      message
    }
  }
}
"""

PAGE = """\
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>公开 Gongkai · GraphiQL</title>
<link rel="stylesheet" href="{assets}/graphiql.min.css">
<link rel="stylesheet" href="{assets}/gongkai-ide.css">
<script defer src="{assets}/react.production.min.js"></script>
<script defer src="{assets}/react-dom.production.min.js"></script>
<script defer src="{assets}/graphiql.min.js"></script>
<script defer src="{assets}/gongkai-ide.js"></script>
</head>
<body>
<p id="gongkai-note">{note}</p>
<div id="graphiql">正在加载 GraphiQL…</div>
<script type="application/json" id="gongkai-ide-config">{config}</script>
</body>
</html>
"""

STYLE = """\
html, body { height: 100%; margin: 0; overflow: hidden; }
body { display: flex; flex-direction: column; }
#gongkai-note { margin: 0; padding: 6px 12px; font: 13px/1.5 system-ui, sans-serif;
  background: #fff8e1; color: #5d4037; border-bottom: 1px solid #f0e0b0; }
#gongkai-note code { font-family: ui-monospace, monospace; background: #fff; padding: 0 3px; }
#graphiql { flex: 1; min-height: 0; }
"""

SCRIPT = """\
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("gongkai-ide-config").textContent);
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  ReactDOM.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: config.tabs,
      defaultQuery: config.tabs[0].query,
      defaultHeaders: "",
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    }),
    document.getElementById("graphiql")
  );
})();
"""


@cache
def assets_dir() -> Path | None:
    """The installed package's static folder, or None when the package is missing."""
    try:
        folder = resources.files(ASSETS_PACKAGE).joinpath("static", ASSETS_PACKAGE)
    except ModuleNotFoundError:
        return None
    path = Path(str(folder))
    return path if (path / "graphiql.min.js").is_file() else None


@cache
def assets_url() -> str:
    """Versioned base URL of the assets: a new package version or page script is a new URL."""
    try:
        version = metadata.version(ASSETS_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = "missing"
    digest = hashlib.sha256((version + STYLE + SCRIPT).encode()).hexdigest()[:10]
    return f"{PREFIX}/{version}-{digest}"


def _json_block(value: Any) -> str:
    """JSON safe inside <script type="application/json">."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_response(endpoint: str) -> Response:
    if assets_dir() is None:
        return HTMLResponse(
            "<!DOCTYPE html><meta charset=utf-8><title>GraphiQL</title>"
            f"<p>GraphiQL 的静态文件未安装：请安装 Python 包 {ASSETS_DISTRIBUTION}（pip install -e . 会一并安装）。"
            f"<p>GraphiQL assets are missing: install the Python package {ASSETS_DISTRIBUTION}.",
            status_code=503,
        )
    config = {
        "endpoint": endpoint,
        "tabs": [{"query": DEMO_QUERY}, {"query": LOGIN_MUTATION}],
    }
    html = PAGE.format(assets=assets_url(), note=TOKEN_NOTE, config=_json_block(config))
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


class ImmutableStaticFiles(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 404:
            response.headers["Cache-Control"] = "no-store"
        return response


def _own(body: str, media_type: str) -> Any:
    async def serve(_request: Request) -> Response:
        return Response(
            body, media_type=media_type, headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
        )

    return serve


def ide_routes() -> list[BaseRoute]:
    """The page's own script and style, then the package's static folder, under the versioned URL."""
    base = assets_url()
    routes: list[BaseRoute] = [
        Route(f"{base}/gongkai-ide.js", _own(SCRIPT, "text/javascript"), methods=["GET"]),
        Route(f"{base}/gongkai-ide.css", _own(STYLE, "text/css"), methods=["GET"]),
    ]
    folder = assets_dir()
    if folder is not None:
        routes.append(Mount(base, app=ImmutableStaticFiles(directory=folder), name="graphiql"))
    return routes
