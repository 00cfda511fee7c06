"""`make bench-county`: Gongkai, the hand-written baseline and PostGraphile 4 over one generated
county database, interleaved, with a table of req/s, p50/p99, the ratios, statements per request
and server CPU per request.

    .venv/bin/python -m bench.county.run --documents 10000 --rounds 3 --duration 10

Steps: the database (``bench.county.generate``: reused when it matches); the peer's SQL functions
(``bench/postgraphile/functions.sql``); a counting pass, each server in turn behind the counting
PostgreSQL proxy (``bench.county.pgwire``), a few sequential requests of each kind; then the timed
rounds, all three servers up on free loopback ports, one worker process each: for every round, for
every request, each system in turn (the order rotates every round) gets ``--warmup`` seconds of
load, then ``--duration`` seconds measured with ``--connections`` connections. Server CPU is the
utime + stime of the server's process tree (/proc/<pid>/stat) over the measured window, divided by
the requests answered. Before the rounds each answer is checked: the raw app's JSON must equal
Gongkai's, and PostGraphile must return the same documents in the same order.

The cached pass (``--no-cached`` skips it): a second Gongkai server, ``gongkai-cached``, as in
production (the response cache on, anonymous callers limited to trusted documents: without
BENCH_SETTINGS), is sent three front-end documents by GET with their ``documentId``
(``bench.county.requests.cached_requests``), repeated, so that it answers from its response cache
after the first; the raw app and PostGraphile are sent the twins of those among the six requests
(the counted page, the kiosk view, the search). Measured the same way, in the same rounds after the
six, and counted in the counting pass; its own table, "cached (trusted documents by GET, repeated)".
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from . import generate, load, pgwire
from .requests import DEEP_OFFSET, LOGIN, CachedRequest, Request, cached_requests, deep_cursor, requests

ROOT = generate.ROOT
PEER_DIR = ROOT / "bench" / "postgraphile"
SYSTEMS = ("gongkai", "raw", "postgraphile")
TICKS = os.sysconf("SC_CLK_TCK")
# Gongkai's settings for the benchmark (the environment may override them).
BENCH_SETTINGS = {"GONGKAI_ANONYMOUS_TRUSTED_ONLY": "false", "GONGKAI_RESPONSE_CACHE_ENTRIES": "0"}
# The cached pass's Gongkai: production's defaults for both (these are removed from its environment).
CACHED = "gongkai-cached"
CACHED_SYSTEMS = (CACHED, "raw", "postgraphile")
SERVER_ORDER = ("gongkai", CACHED, "raw", "postgraphile")  # Gongkai first: its sign-in serves the raw app
NAMES = {"gongkai": "Gongkai", CACHED: "Gongkai-cached", "raw": "raw", "postgraphile": "PostGraphile"}
# Issue 12's bar for the cached pass: Gongkai-cached / PostGraphile and Gongkai-cached / raw.
CACHED_TARGETS = {"postgraphile": 2.0, "raw": 0.5}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def via(dsn: str, port: int) -> str:
    """The DSN with its host and port replaced (the counting proxy)."""
    parts = urlsplit(dsn)
    auth = parts.netloc.rsplit("@", 1)[0]
    return urlunsplit((parts.scheme, f"{auth}@127.0.0.1:{port}", parts.path, parts.query, ""))


# --- processes ---


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(_children(p))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


@dataclass
class Server:
    system: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    pids: list[int] = field(default_factory=list)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def _ready(port: int, probe: bytes, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise SystemExit(f"server on {port} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            status, _ = await load.fetch(port, probe)
            if status == 200:
                return
        except (OSError, asyncio.IncompleteReadError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"server on {port} not ready after {timeout} s:\n{log.read_text()[-3000:]}")
        await asyncio.sleep(0.3)


def _get(port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


async def start(system: str, dsn: str, work: Path, secret: str) -> Server:
    port = free_port()
    log = work / f"{system}-{port}.log"
    env = {**os.environ, "GONGKAI_SECRET_KEY": secret}
    if system in ("gongkai", CACHED):
        env.update(
            GONGKAI_ENV="production",
            GONGKAI_DATABASE_URL=generate.sqlalchemy_url(dsn),
            GONGKAI_VAR_DIR=str(work / f"var-{port}"),
        )
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        # Like the other two systems, Gongkai runs every request it is sent: the benchmark's list
        # queries are not front-end documents (clients/trusted-documents.json), the only ones an
        # anonymous caller may run in production by default; and no answer comes from the
        # response cache (the kiosk's two queries are trusted documents, which it would keep).
        # The cached server is production as shipped: the response cache on, trusted documents only.
        for name, value in BENCH_SETTINGS.items():
            if system == CACHED:
                env.pop(name, None)
            else:
                env.setdefault(name, value)
        argv = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        probe = _get(port, "/healthz")
    elif system == "raw":
        argv = [sys.executable, str(ROOT / "bench" / "raw_app.py"), "--dsn", dsn, "--port", str(port)]
        probe = _get(port, "/healthz")
    else:
        env["NODE_ENV"] = "production"
        binary = PEER_DIR / "node_modules" / ".bin" / "postgraphile"
        if not binary.exists():
            raise SystemExit(
                "PostGraphile is not installed: run `npm ci` in bench/postgraphile (make bench-county does)"
            )
        argv = [str(binary), "--connection", dsn, "--host", "127.0.0.1", "--port", str(port), "--schema", "public",
                "--disable-query-log", "--disable-default-mutations"]  # fmt: skip
        probe = load.http_request(port, {"query": "{ __typename }"})
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(system, port, process, log)
    await _ready(port, probe, process, log)
    await asyncio.sleep(0.5)  # gunicorn's worker, node's pool
    server.pids = tree(process.pid)
    return server


# --- the requests as bytes ---


async def login(port: int) -> str:
    payload = {"query": LOGIN, "variables": {"username": generate.OFFICE_USERNAME, "password": generate.BENCH_PASSWORD}}
    status, body = await load.fetch(port, load.http_request(port, payload))
    data = json.loads(body)
    token = (data.get("data") or {}).get("login", {}).get("token")
    if status != 200 or not token:
        raise SystemExit(f"login failed: {status} {body[:300]!r}")
    return str(token)


@dataclass
class Prepared:
    """What each system is sent for a request: a function of the port (the Host header). For the
    cached pass, ``cached`` is the trusted document and ``request`` its twin among the six."""

    request: Request
    bodies: dict[str, Callable[[int], bytes]]
    cached: CachedRequest | None = None

    @property
    def key(self) -> str:
        return self.cached.key if self.cached else self.request.key

    @property
    def label(self) -> str:
        return self.cached.label if self.cached else self.request.label

    @property
    def ref(self) -> str:
        """The Gongkai server whose answer the others' are checked against."""
        return CACHED if self.cached else "gongkai"


async def setup_peer(reqs: list[Request], port: int) -> None:
    """PostGraphile pages by cursor: the deep page starts after the cursor of row 2,500 (or of
    the last row, when there are fewer: an empty page, as Gongkai's)."""
    query = (
        "query($o: Int!) { allDocuments(first: 1, offset: $o, orderBy: [PUBLISHED_AT_DESC, ID_DESC], "
        "condition: { public: true }) { totalCount edges { cursor } } }"
    )

    async def cursor_at(offset: int) -> tuple[int, str | None]:
        payload = {"query": query, "variables": {"o": offset}}
        _, body = await load.fetch(port, load.http_request(port, payload))
        found = json.loads(body)["data"]["allDocuments"]
        return found["totalCount"], (found["edges"][0]["cursor"] if found["edges"] else None)

    total, cursor = await cursor_at(DEEP_OFFSET - 1)
    if cursor is None and total:
        _, cursor = await cursor_at(total - 1)
    for r in reqs:
        if r.key == "deep":
            r.postgraphile["variables"]["after"] = cursor


def prepare(reqs: list[Request], token: str | None) -> list[Prepared]:
    """The bytes of every request; the signed-in ones carry Gongkai's ``token`` (the raw app
    checks the same token against the same database)."""
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    out = []
    for r in reqs:
        headers = auth if r.signed_in else {}
        out.append(
            Prepared(
                r,
                {
                    "gongkai": lambda port, r=r, h=headers: load.http_request(port, r.gongkai, h),
                    "raw": lambda port, r=r, h=headers: load.http_request(port, r.gongkai, h),
                    "postgraphile": lambda port, r=r: load.http_request(port, r.postgraphile),
                },
            )
        )
    return out


def prepare_cached(creqs: list[CachedRequest]) -> list[Prepared]:
    """The cached pass: Gongkai's cached server gets the GET of the trusted document, the raw app
    and PostGraphile the twin's POST (none of them is signed in)."""
    return [
        Prepared(
            c.twin,
            {
                CACHED: lambda port, c=c: load.http_get(port, c.path),
                "raw": lambda port, c=c: load.http_request(port, c.twin.gongkai),
                "postgraphile": lambda port, c=c: load.http_request(port, c.twin.postgraphile),
            },
            cached=c,
        )
        for c in creqs
    ]


# --- checks: the same answers ---


def _doc_ids_gongkai(key: str, data: dict[str, Any]) -> list[int]:
    root = next(iter(data.values()))
    ids = []
    for edge in root["edges"]:
        node = edge["node"]
        gid = node["document"]["id"] if key == "search" else node["id"]
        ids.append(int(base64.b64decode(gid).decode().split(":", 1)[1]))
    return ids


def _doc_ids_peer(data: dict[str, Any]) -> list[int]:
    root = next(iter(data.values()))
    return [int(edge["node"]["id"]) for edge in root["edges"]]


def differences(mine: Any, other: Any, path: str = "") -> tuple[list[str], set[str]]:
    """Where two answers differ in the fields both have, and the fields only ``mine`` has (the
    trusted PublicDocuments also selects totalCountExact, which the counted request does not)."""
    if isinstance(mine, dict) and isinstance(other, dict):
        differ: list[str] = []
        extra = {f"{path}.{k}".lstrip(".") for k in mine.keys() - other.keys()}
        for k in mine.keys() & other.keys():
            d, e = differences(mine[k], other[k], f"{path}.{k}")
            differ += d
            extra |= e
        if other.keys() - mine.keys():
            differ += [f"{path}.{k}".lstrip(".") + " (missing)" for k in other.keys() - mine.keys()]
        return differ, extra
    if isinstance(mine, list) and isinstance(other, list):
        if len(mine) != len(other):
            return [f"{path} ({len(mine)} vs {len(other)} items)"], set()
        differ, extra = [], set()
        for a, b in zip(mine, other, strict=True):
            d, e = differences(a, b, f"{path}[]")
            differ += d
            extra |= e
        return differ, extra
    return ([path.lstrip(".") or "."] if mine != other else []), set()


async def check_cache(p: Prepared, server: Server, first: bytes) -> list[str]:
    """A cached answer: the repeat is the same bytes with an ETag, and the ETag gets 304."""
    request = p.bodies[CACHED](server.port)
    status, head, body = await load.fetch_full(server.port, request)
    etag = load.header(head, "etag")
    if status != 200 or body != first or not etag:
        raise SystemExit(f"{CACHED} {p.key}: the repeat is {status}, ETag {etag!r}, same body {body == first}")
    target = p.cached.path if p.cached else ""
    status, head, body = await load.fetch_full(server.port, load.http_get(server.port, target, {"If-None-Match": etag}))
    if status != 304 or body:
        raise SystemExit(f"{CACHED} {p.key}: If-None-Match {etag} got {status} {body[:300]!r}")
    return [f"repeat identical, Cache-Control {load.header(head, 'cache-control')!r}, If-None-Match → 304"]


async def check(prepared: list[Prepared], servers: dict[str, Server]) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for p in prepared:
        got: dict[str, Any] = {}
        sizes = {}
        lines = []
        for system, server in servers.items():
            if system not in p.bodies or (system in ("gongkai", CACHED) and system != p.ref):
                continue
            status, body = await load.fetch(server.port, p.bodies[system](server.port))
            answer = json.loads(body)
            if status != 200 or "errors" in answer:
                raise SystemExit(f"{system} {p.key}: {status} {body[:500]!r}")
            got[system] = answer["data"]
            sizes[system] = len(body)
            if system == CACHED:
                lines += await check_cache(p, server, body)
        ref, key = p.ref, p.request.key
        lines.insert(0, "response bytes: " + ", ".join(f"{s} {n:,}" for s, n in sizes.items()))
        if ref in got and "raw" in got:
            differ, extra = differences(got[ref], got["raw"])
            if differ or (extra and p.cached is None):
                differ += sorted(extra)
                lines.append(f"RAW DIFFERS FROM {NAMES[ref].upper()} ({', '.join(sorted(differ)[:5])})")
                print(f"!! {p.key}: the raw app's answer differs from {NAMES[ref]}'s", file=sys.stderr)
            elif extra:
                lines.append(
                    f"raw equal to {NAMES[ref]} in the common fields (only {NAMES[ref]}: {', '.join(sorted(extra))})"
                )
        if ref in got and "postgraphile" in got:
            mine, peer = _doc_ids_gongkai(key, got[ref]), _doc_ids_peer(got["postgraphile"])
            if mine != peer:
                lines.append(f"POSTGRAPHILE ROWS DIFFER ({len(peer)} vs {len(mine)})")
                print(f"!! {p.key}: PostGraphile returns other documents", file=sys.stderr)
            if key == "search":
                snippets = [e["node"]["snippet"] for e in got[ref]["search"]["edges"]]
                peer_snippets = [e["node"]["searchSnippet"] for e in got["postgraphile"]["searchDocuments"]["edges"]]
                same = sum(a == b for a, b in zip(snippets, peer_snippets, strict=False))
                lines.append(f"snippets equal to {NAMES[ref]}'s: {same}/{len(snippets)}")
        notes[p.key] = lines
    return notes


# --- the counting pass ---


async def count_statements(
    reqs: list[Request],
    creqs: list[CachedRequest],
    systems: list[str],
    cached_systems: list[str],
    dsn: str,
    work: Path,
    secret: str,
    repeat: int = 10,
) -> dict[str, dict[str, dict[str, float]]]:
    """Each server in turn behind the counting proxy: 3 warm-up requests of each kind, then
    ``repeat`` sequential ones counted (the cached server: answered from its cache after the first)."""
    parts = urlsplit(dsn)
    proxy = pgwire.Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy_port = await proxy.start()
    out: dict[str, dict[str, dict[str, float]]] = {}
    token = None
    try:
        for system in [s for s in SERVER_ORDER if s in systems or s in cached_systems]:
            server = await start(system, via(dsn, proxy_port), work, secret)
            try:
                if system == "gongkai":
                    token = await login(server.port)
                if system == "postgraphile":
                    await setup_peer(reqs, server.port)
                out[system] = {}
                plan = (prepare(reqs, token) if system in systems else []) + (
                    prepare_cached(creqs) if system in cached_systems else []
                )
                for p in plan:
                    if system not in p.bodies:
                        continue
                    if p.request.signed_in and system != "postgraphile" and token is None:
                        continue
                    body = p.bodies[system](server.port)
                    for _ in range(3):
                        await load.fetch(server.port, body)
                    proxy.capture, proxy.bound = system == "postgraphile", []
                    before = proxy.counts.snapshot()
                    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
                    try:
                        for _ in range(repeat):
                            writer.write(body)
                            status, answer, _ = await load._read_response(reader)
                            if status != 200 or b'"errors"' in answer:
                                raise SystemExit(f"{system} {p.key}: {status} {answer[:500]!r}")
                    finally:
                        writer.close()
                    out[system][p.key] = pgwire.per_request(before, proxy.counts.snapshot(), repeat)
                    if proxy.bound:  # the peer's one statement, for EXPLAIN by hand
                        sql, params = proxy.bound[-1]
                        with (work / "postgraphile-statements.sql").open("a", encoding="utf-8") as f:
                            f.write(f"-- {p.key}: parameters {params!r}\n{sql};\n\n")
                    proxy.capture = False
            finally:
                server.stop()
    finally:
        await proxy.stop()
    return out


# --- the timed rounds ---


@dataclass
class Measure:
    rate: float
    latencies: list[float]
    cpu_ms: float
    errors: int
    first_error: str | None
    load1: float


async def measure(server: Server, body: bytes, warmup: float, duration: float, connections: int) -> Measure:
    if warmup > 0:
        await load.run(server.port, body, warmup, connections)
    before = cpu_seconds(server.pids)
    result = await load.run(server.port, body, duration, connections)
    used = cpu_seconds(server.pids) - before
    with open("/proc/loadavg") as f:
        load1 = float(f.read().split()[0])
    return Measure(
        rate=result.rate,
        latencies=result.latencies,
        cpu_ms=1000 * used / max(1, result.requests),
        errors=result.errors,
        first_error=result.first_error,
        load1=load1,
    )


def _fmt(x: float, digits: int = 1) -> str:
    return "–" if x != x else f"{x:,.{digits}f}"


def summary(
    prepared: list[Prepared],
    systems: list[str],
    results: dict[str, dict[str, list[Measure]]],
    counts: dict[str, dict[str, dict[str, float]]],
) -> dict[str, dict[str, dict[str, float]]]:
    """Per request and system: the median req/s and CPU ms/request of the rounds, p50/p99 (ms) over
    all rounds' latencies, and the statements per request of the counting pass (NaN: not counted)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for p in prepared:
        out[p.key] = {}
        for s in systems:
            ms = results[s][p.key]
            if not ms:
                continue
            pooled = [x for m in ms for x in m.latencies]
            out[p.key][s] = {
                "rate": statistics.median(m.rate for m in ms),
                "p50_ms": 1000 * load.percentile(pooled, 0.50),
                "p99_ms": 1000 * load.percentile(pooled, 0.99),
                "cpu_ms": statistics.median(m.cpu_ms for m in ms),
                "statements": counts.get(s, {}).get(p.key, {}).get("statements", float("nan")),
                "errors": sum(m.errors for m in ms),
            }
    return out


def table(
    prepared: list[Prepared],
    systems: list[str],
    summed: dict[str, dict[str, dict[str, float]]],
    counted: bool,
    ratios: list[tuple[str, str]],
) -> str:
    """A markdown table; ``ratios`` are (numerator, denominator) systems, shown when both ran."""
    ratios = [(a, b) for a, b in ratios if a in systems and b in systems]
    head = ["request"]
    for s in systems:
        head += [f"{s} req/s", f"{s} p50 ms", f"{s} p99 ms", f"{s} CPU ms/req"]
    head += [f"{NAMES[a]}/{NAMES[b]}" for a, b in ratios]
    if counted:
        head.append("statements/req " + " · ".join(systems))
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for p in prepared:
        row = [p.label]
        got = summed[p.key]
        for s in systems:
            m = got[s]
            row += [_fmt(m["rate"]), _fmt(m["p50_ms"]), _fmt(m["p99_ms"]), _fmt(m["cpu_ms"], 2)]
        row += [f"{got[a]['rate'] / got[b]['rate']:.2f}" if got[b]["rate"] else "–" for a, b in ratios]
        if counted:
            row.append(" · ".join(_fmt(got[s]["statements"]) for s in systems))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def targets(prepared: list[Prepared], summed: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """Issue 12's bar for the cached pass, per request: met or not."""
    out = []
    for p in prepared:
        got = summed[p.key]
        parts = []
        for peer, bar in CACHED_TARGETS.items():
            if peer in got and got[peer]["rate"]:
                ratio = got[CACHED]["rate"] / got[peer]["rate"]
                parts.append(f"{ratio:.2f}× {NAMES[peer]} (≥ {bar:g}: {'met' if ratio >= bar else 'NOT met'})")
        if parts:
            out.append(f"  {p.key}: " + ", ".join(parts))
    return out


def machine() -> dict[str, str]:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    node = shutil.which("node")
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() if node else "-",
    }


async def main_async(args: argparse.Namespace) -> None:
    systems = [s for s in args.systems.split(",") if s]
    dsn = await generate.ensure(args.server, args.documents, args.seed)
    meta = await generate._meta(dsn)
    assert meta
    conn = await asyncpg.connect(dsn)
    try:
        pg_version = await conn.fetchval("SHOW server_version")
        if "postgraphile" in systems:
            await conn.execute((PEER_DIR / "functions.sql").read_text(encoding="utf-8"))
        settings = {
            k: await conn.fetchval(f"SHOW {k}")
            for k in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
        }
    finally:
        await conn.close()
    info = {**machine(), "postgresql": pg_version, **{f"pg {k}": v for k, v in settings.items()}}
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"before: {uptime_before}")
    work = Path(tempfile.mkdtemp(prefix="gongkai-bench-county-"))
    secret = secrets.token_urlsafe(36)
    reqs = requests(meta["village_code"], await deep_cursor(dsn))
    creqs = [] if args.no_cached else cached_requests(meta["village_code"])
    if args.only:
        reqs = [r for r in reqs if r.key in args.only.split(",")]
        creqs = [c for c in creqs if c.key in args.only.split(",")]
    cached_systems = [s for s in CACHED_SYSTEMS if s == CACHED or s in systems] if creqs else []
    counts: dict[str, dict[str, dict[str, float]]] = {}
    servers: dict[str, Server] = {}
    try:
        if not args.skip_count:
            print("counting statements (each server behind the counting proxy) ...", flush=True)
            counts = await count_statements(reqs, creqs, systems, cached_systems, dsn, work, secret)
        for s in SERVER_ORDER:
            if s in systems or s in cached_systems:
                servers[s] = await start(s, dsn, work, secret)
        print("servers: " + ", ".join(f"{s} :{v.port} (pids {v.pids})" for s, v in servers.items()))
        if "postgraphile" in servers:
            await setup_peer(reqs, servers["postgraphile"].port)
        token = await login(servers["gongkai"].port) if "gongkai" in servers else None
        prepared = prepare(reqs, token)
        cprepared = prepare_cached(creqs)
        notes = await check(prepared, {s: v for s, v in servers.items() if s in systems})
        notes |= await check(cprepared, {s: v for s, v in servers.items() if s in cached_systems})
        for key, lines in notes.items():
            print(f"  {key}: " + "; ".join(lines))
        results: dict[str, dict[str, list[Measure]]] = {s: {} for s in servers}
        for group, members in ((prepared, systems), (cprepared, cached_systems)):
            for s in members:
                results[s].update({p.key: [] for p in group})
        started = time.monotonic()
        for round_ in range(args.rounds):
            if "gongkai" in servers and round_ > 0:  # a fresh sign-in every round (30 minutes idle end it)
                prepared = prepare(reqs, await login(servers["gongkai"].port))
            for group, members in ((prepared, systems), (cprepared, cached_systems)):
                order = members[round_ % len(members) :] + members[: round_ % len(members)] if members else []
                for p in group:
                    for s in order:
                        server = servers[s]
                        m = await measure(
                            server, p.bodies[s](server.port), args.warmup, args.duration, args.connections
                        )
                        results[s][p.key].append(m)
                        print(
                            f"  round {round_ + 1} {p.key:13} {s:14} {m.rate:8.1f} req/s  "
                            f"p50 {1000 * load.percentile(m.latencies, 0.5):7.1f} ms  CPU {m.cpu_ms:6.2f} ms/req  "
                            f"load {m.load1:.2f}" + (f"  ERRORS {m.errors}: {m.first_error}" if m.errors else ""),
                            flush=True,
                        )
        elapsed = time.monotonic() - started
    finally:
        for server in servers.values():
            server.stop()
    uptime_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    loads = [m.load1 for s in results.values() for ms in s.values() for m in ms]
    print(f"after: {uptime_after}")
    if (work / "postgraphile-statements.sql").exists():
        print(f"PostGraphile's statements: {work / 'postgraphile-statements.sql'}")
    summed = summary(prepared, systems, results, counts) if reqs and systems else {}
    csummed = summary(cprepared, cached_systems, results, counts) if creqs else {}
    if loads:
        print()
        print(
            f"{args.documents:,} documents, {args.rounds} rounds × {args.duration:g} s per request and system "
            f"(+{args.warmup:g} s warm-up), {args.connections} connections; medians of the rounds (p50/p99 over "
            f"all rounds); rounds took {elapsed / 60:.1f} min; 1-minute load during the runs "
            f"{min(loads):.2f}–{max(loads):.2f} (median {statistics.median(loads):.2f})"
        )
        if summed:
            print()
            print("uncached (POST with the query text; Gongkai with " + ", ".join(
                f"{k}={os.environ.get(k, v)}" for k, v in BENCH_SETTINGS.items()) + ")")  # fmt: skip
            print()
            print(table(prepared, systems, summed, bool(counts), [("gongkai", "raw"), ("gongkai", "postgraphile")]))
        if csummed:
            print()
            print(
                f"cached (trusted documents by GET, repeated; {CACHED}: production, response cache on, "
                "trusted documents only; raw and PostGraphile: the same requests as above, by POST)"
            )
            print()
            print(table(cprepared, cached_systems, csummed, bool(counts), [(CACHED, "postgraphile"), (CACHED, "raw")]))
            print()
            print("issue 12's bar for the cached pass (≥ 2× PostGraphile 4, ≥ 0.5× raw):")
            print("\n".join(targets(cprepared, csummed)))
    if counts:
        print()
        print("database traffic per request (counting proxy): statements = Q + E; round trips = Q + Sync; parses = P")
        for s, per in counts.items():
            for key, c in per.items():
                extra = ", ".join(f"{k} {v:g}" for k, v in c.items() if k.startswith("simple"))
                print(f"  {s:14} {key:13} statements {c['statements']:5.1f}  round trips {c['round_trips']:5.1f}  "
                      f"parses {c['parses']:5.1f}  ({extra})")  # fmt: skip
    if args.json:
        record = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "machine": info,
            "uptime_before": uptime_before,
            "uptime_after": uptime_after,
            "args": vars(args),
            "gongkai_settings": {k: os.environ.get(k, v) for k, v in BENCH_SETTINGS.items()},
            "notes": notes,
            "counts": counts,
            "summary": summed,
            "cached": {
                "settings": f"{CACHED}: GONGKAI_ENV=production without " + ", ".join(BENCH_SETTINGS),
                "requests": {
                    c.key: {"label": c.label, "document": c.document, "documentId": c.document_id, "get": c.path,
                            "twin": c.twin.key}
                    for c in creqs
                },
                "summary": csummed,
            },
            "results": {
                s: {
                    k: [
                        {"rate": m.rate, "p50": load.percentile(m.latencies, 0.5), "p99": load.percentile(m.latencies, 0.99),
                         "cpu_ms": m.cpu_ms, "errors": m.errors, "load1": m.load1, "requests": len(m.latencies)}
                        for m in ms
                    ]
                    for k, ms in per.items()
                }
                for s, per in results.items()
            },
        }  # fmt: skip
        Path(args.json).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nraw numbers: {args.json}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=int(os.environ.get("BENCH_DOCUMENTS", 100_000)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 2)))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument(
        "--only",
        help="comma-separated request keys: documents,counted,local,search,office,deep "
        "and the cached pass's cached-public,cached-local,cached-search",
    )
    parser.add_argument("--no-cached", action="store_true", help="no cached pass (trusted documents by GET)")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", generate.DEFAULT_SERVER))
    parser.add_argument("--skip-count", action="store_true", help="no counting pass")
    parser.add_argument("--json", help="write every measurement here")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
