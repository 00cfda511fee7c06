"""The SQL Gongkai sends for each benchmark request, and its plans (EXPLAIN ANALYZE, BUFFERS).

The app runs in this process (``create_app`` behind httpx's ASGI transport, no server); a
SQLAlchemy ``before_cursor_execute`` listener on every engine records each statement with its
parameters while one request of each kind runs (after a warm-up request). Each recorded
statement is then explained through asyncpg with the same parameters.

    .venv/bin/python -m bench.county.explain --documents 10000 [--out plans.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from . import generate
from .requests import LOGIN, deep_cursor, requests
from .run import BENCH_SETTINGS


@dataclass
class Statement:
    sql: str
    parameters: tuple[Any, ...]


async def capture(dsn: str, village_code: str, deep: str | None) -> dict[str, list[Statement]]:
    """The statements (through SQLAlchemy) of one request of each kind, after a warm-up."""
    os.environ["GONGKAI_DATABASE_URL"] = generate.sqlalchemy_url(dsn)
    for name, value in BENCH_SETTINGS.items():  # every request runs its statements (bench.county.run)
        os.environ.setdefault(name, value)
    os.environ.setdefault("GONGKAI_VAR_DIR", tempfile.mkdtemp(prefix="gongkai-bench-explain-"))
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from api.app import create_app

    recorded: list[Statement] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        recorded.append(Statement(statement, tuple(parameters or ())))

    event.listen(Engine, "before_cursor_execute", listen)
    app = create_app()
    out: dict[str, list[Statement]] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
            login = await client.post(
                "/graphql",
                json={
                    "query": LOGIN,
                    "variables": {"username": generate.OFFICE_USERNAME, "password": generate.BENCH_PASSWORD},
                },
            )
            token = login.json()["data"]["login"]["token"]
            for req in requests(village_code, deep):
                headers = {"Authorization": f"Bearer {token}"} if req.signed_in else {}
                for _ in range(2):
                    recorded.clear()
                    response = await client.post("/graphql", json=req.gongkai, headers=headers)
                    body = response.json()
                    assert response.status_code == 200 and "errors" not in body, (req.key, body)
                out[req.key] = list(recorded)
    finally:
        event.remove(Engine, "before_cursor_execute", listen)
    return out


_TIME = re.compile(r"Execution Time: ([\d.]+) ms")
_SEQ = re.compile(r"(Parallel )?Seq Scan on (\w+)")


async def explain(dsn: str, captured: dict[str, list[Statement]], labels: dict[str, str]) -> tuple[str, list[str]]:
    """The full plans as text, and one summary line per statement."""
    conn = await asyncpg.connect(dsn)
    full: list[str] = []
    summary: list[str] = []
    try:
        for key, statements in captured.items():
            full.append(f"\n######## {key}: {labels[key]} ({len(statements)} statements)\n")
            summary.append(f"{key}: {len(statements)} statements")
            for n, st in enumerate(statements, 1):
                rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + st.sql, *st.parameters)
                plan = "\n".join(r[0] for r in rows)
                shown = tuple(p if not isinstance(p, str) or len(p) < 80 else p[:77] + "..." for p in st.parameters)
                full.append(f"--- {key} #{n}\n{st.sql}\n-- parameters: {shown!r}\n{plan}\n")
                took = _TIME.search(plan)
                seqs = sorted({m.group(2) for m in _SEQ.finditer(plan)})
                first_line = " ".join(st.sql.split())[:90]
                summary.append(
                    f"  #{n} {float(took.group(1)) if took else 0:8.2f} ms"
                    f"  seq scans: {', '.join(seqs) or '-':28}  {first_line}"
                )
    finally:
        await conn.close()
    return "\n".join(full), summary


async def run(server: str, documents: int, seed: int, out: str | None) -> list[str]:
    dsn = await generate.ensure(server, documents, seed)
    meta = await generate._meta(dsn)
    assert meta
    deep = await deep_cursor(dsn)
    captured = await capture(dsn, meta["village_code"], deep)
    labels = {r.key: r.label for r in requests(meta["village_code"], deep)}
    full, summary = await explain(dsn, captured, labels)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(full)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", generate.DEFAULT_SERVER))
    parser.add_argument("--out", help="write the full plans here")
    args = parser.parse_args()
    for line in asyncio.run(run(args.server, args.documents, args.seed, args.out)):
        print(line)


if __name__ == "__main__":
    main()
