"""Where Gongkai's CPU goes for one benchmark request: cProfile over N requests in this process.

The app runs behind httpx's ASGI transport (no HTTP server, no uvicorn), so the profile shows the
middleware, strawberry / graphql-core, the DataLoaders, SQLAlchemy and asyncpg.

    .venv/bin/python -m bench.county.profile --documents 10000 --request documents -n 50 [--sort tottime]

BENCH_PROFILE_OUT=path also writes the profile (pstats) there.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import tempfile
import time

import httpx

from . import generate
from .requests import LOGIN, deep_cursor, requests
from .run import BENCH_SETTINGS


async def run(args: argparse.Namespace) -> None:
    dsn = await generate.ensure(args.server, args.documents, args.seed)
    meta = await generate._meta(dsn)
    assert meta
    os.environ["GONGKAI_DATABASE_URL"] = generate.sqlalchemy_url(dsn)
    for name, value in BENCH_SETTINGS.items():  # every request runs its statements (bench.county.run)
        os.environ.setdefault(name, value)
    os.environ.setdefault("GONGKAI_VAR_DIR", tempfile.mkdtemp(prefix="gongkai-bench-profile-"))
    os.environ.setdefault("GONGKAI_ENV", "production")
    os.environ.setdefault("GONGKAI_SECRET_KEY", "bench-profile-" + "x" * 40)
    from api.app import create_app

    app = create_app()
    req = next(r for r in requests(meta["village_code"], await deep_cursor(dsn)) if r.key == args.request)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120) as c:
        headers = {}
        if req.signed_in:
            login = await c.post(
                "/graphql",
                json={
                    "query": LOGIN,
                    "variables": {"username": generate.OFFICE_USERNAME, "password": generate.BENCH_PASSWORD},
                },
            )
            headers["Authorization"] = "Bearer " + login.json()["data"]["login"]["token"]
        for _ in range(5):
            response = await c.post("/graphql", json=req.gongkai, headers=headers)
            assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
        profiler = cProfile.Profile()
        cpu, wall = time.process_time(), time.perf_counter()
        if not args.no_profile:
            profiler.enable()
        for _ in range(args.n):
            await c.post("/graphql", json=req.gongkai, headers=headers)
        profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if not args.no_profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        if os.environ.get("BENCH_PROFILE_OUT"):
            profiler.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    how = "not profiled, one at a time, httpx's own CPU included" if args.no_profile else "profiled"
    print(f"{req.key}: {args.n} requests, {1000 * cpu / args.n:.1f} ms CPU and {1000 * wall / args.n:.1f} ms wall each ({how})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", generate.DEFAULT_SERVER))
    parser.add_argument("--request", default="documents", help="documents, counted, local, search, office, deep")
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true", help="only the CPU and wall time per request")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
