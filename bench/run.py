"""Benchmarks: a real uvicorn on loopback with the demo data, a bounded number of requests per
query, median and 95th-percentile latency and requests per second. `make bench` runs it."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

QUERIES = {
    "domains": "{ domains { code name } }",
    "units page (50, with organizations)": "{ units(first: 50) { edges { node { code name organizations { name } } } } }",
    "documents page (20)": "{ documents(first: 20) { edges { node { indexNo title publisher { name } attachments { url } } } } }",
    "kiosk local items (village)": '{ localItems(unitCode: "513425102001", first: 20) { totalCount edges { node { __typename } } } }',
    "search 低保": '{ search(query: "低保", first: 20) { totalCount edges { node { snippet } } } }',
}
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    env = {
        **os.environ,
        "GONGKAI_VAR_DIR": str(work),
        "GONGKAI_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'bench.sqlite3'}",
    }
    env.pop("GONGKAI_ENV", None)
    for step in (["migrate"], ["demo"]):
        subprocess.run([sys.executable, "-m", "api.cli", *step], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("server did not start") from None
                    time.sleep(0.2)
            print(f"{'query':42} {'median ms':>10} {'p95 ms':>8} {'req/s':>8}   ({REQUESTS} sequential requests each)")
            for name, query in QUERIES.items():
                times = []
                for _ in range(REQUESTS):
                    start = time.perf_counter()
                    response = client.post("/graphql", json={"query": query})
                    times.append(time.perf_counter() - start)
                    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
                times.sort()
                p95 = times[int(len(times) * 0.95) - 1]
                print(
                    f"{name:42} {statistics.median(times) * 1000:10.2f} {p95 * 1000:8.2f} {len(times) / sum(times):8.0f}"
                )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
