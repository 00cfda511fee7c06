"""The load generator: C keep-alive HTTP/1.1 connections, each sending the same request (a POST with a
JSON body, or a GET) back to back for a fixed time (like wrk with a Lua body), on loopback only.

A small hand-written client on asyncio streams rather than httpx: at several hundred requests a
second httpx's own CPU would be the bottleneck on a two-core machine and would be charged to
whichever server was being measured. Every answer is checked (status 200, no ``"errors"`` key).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    seconds: float = 0.0
    bytes: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def http_request(port: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode()
    lines = [
        "POST /graphql HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def http_get(port: int, target: str, headers: dict[str, str] | None = None) -> bytes:
    """A GET of ``target`` (the path and the already encoded query string)."""
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Accept: application/json",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def header(head: bytes, name: str) -> str | None:
    """A header's value in a response head (the first of that name), None when absent."""
    for line in head.split(b"\r\n")[1:]:
        key, sep, value = line.partition(b":")
        if sep and key.strip().lower() == name.lower().encode():
            return value.strip().decode("latin-1")
    return None


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    status, _, body, close = await _read_full(reader)
    return status, body, close


async def _read_full(reader: asyncio.StreamReader) -> tuple[int, bytes, bytes, bool]:
    """Status, head, body and whether the server closes the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    close = b"\r\nconnection: close" in lower
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.index(b"\r\n", at + 2)
        body = await reader.readexactly(int(lower[at + 17 : end]))
    elif b"\r\ntransfer-encoding: chunked" in lower:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    elif status == 304 or 100 <= status < 200 or status == 204:
        body = b""
    else:
        body = await reader.read()
        close = True
    return status, head, body, close


async def fetch(port: int, request: bytes) -> tuple[int, bytes]:
    """One request on a new connection (checks and set-up)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        status, body, _ = await _read_response(reader)
        return status, body
    finally:
        writer.close()


async def fetch_full(port: int, request: bytes) -> tuple[int, bytes, bytes]:
    """One request on a new connection: status, response head and body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        status, head, body, _ = await _read_full(reader)
        return status, head, body
    finally:
        writer.close()


async def _worker(port: int, request: bytes, until: float, result: Result) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            start = time.perf_counter()
            if start >= until:
                return
            writer.write(request)
            try:
                status, body, close = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                close, status, body = True, 0, b""
            result.latencies.append(time.perf_counter() - start)
            result.bytes += len(body)
            if status != 200 or b'"errors"' in body:
                result.errors += 1
                if result.first_error is None:
                    result.first_error = f"{status} {body[:300]!r}"
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def run(port: int, request: bytes, seconds: float, connections: int) -> Result:
    """``connections`` workers for ``seconds``; a request in flight at the end still counts."""
    result = Result()
    start = time.perf_counter()
    await asyncio.gather(*(_worker(port, request, start + seconds, result) for _ in range(connections)))
    result.seconds = time.perf_counter() - start
    return result


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
