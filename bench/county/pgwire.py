"""A counting PostgreSQL proxy: what each system sends the database, message by message.

It sits between a server and PostgreSQL during the benchmark's counting pass (never during the
timed rounds) and counts the frontend messages: ``Q`` (a simple query, e.g. BEGIN or ROLLBACK), ``P``
(Parse: a statement prepared), ``E`` (Execute: a prepared statement run) and ``S`` (Sync: the end of
an extended-protocol exchange, one round trip). Statements = Q + E. An SSL or GSS request at
start-up is answered "no" so that the rest can be read (clients that prefer SSL go on in clear).
"""

from __future__ import annotations

import asyncio
import struct
from collections import Counter
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSS_REQUEST = 80877104


@dataclass
class Counts:
    messages: Counter[str] = field(default_factory=Counter)
    # Simple queries by their first word (BEGIN, ROLLBACK, COMMIT, SELECT, ...).
    simple: Counter[str] = field(default_factory=Counter)

    def snapshot(self) -> tuple[Counter[str], Counter[str]]:
        return Counter(self.messages), Counter(self.simple)


class Proxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.counts = Counts()
        # With ``capture`` on: (statement, parameters) of every Bind whose parameters are text
        # (node-postgres sends text; asyncpg binary, which is left as None).
        self.capture = False
        self.bound: list[tuple[str, list[str | None] | None]] = []
        self._statements: dict[bytes, str] = {}
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self, host: str = "127.0.0.1") -> int:
        self.server = await asyncio.start_server(self._client, host, 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        try:
            while True:  # start-up: length and code, no type byte
                head = await reader.readexactly(8)
                length, code = struct.unpack("!ii", head)
                if code in (SSL_REQUEST, GSS_REQUEST):
                    writer.write(b"N")
                    await writer.drain()
                    continue
                up_writer.write(head + await reader.readexactly(length - 8))
                break
            await asyncio.gather(self._frontend(reader, up_writer), self._pipe(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            for w in (writer, up_writer):
                w.close()

    async def _frontend(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        messages, simple = self.counts.messages, self.counts.simple
        while True:
            head = await reader.readexactly(5)
            kind = chr(head[0])
            (length,) = struct.unpack("!i", head[1:])
            body = await reader.readexactly(length - 4)
            messages[kind] += 1
            if kind == "Q":
                words = body.split(b"\0", 1)[0].decode(errors="replace").split()
                simple[words[0].upper().rstrip(";") if words else "(empty)"] += 1
            elif kind == "P":  # named statements are parsed once: always remember their text
                name, rest = body.split(b"\0", 1)
                self._statements[name] = rest.split(b"\0", 1)[0].decode(errors="replace")
            elif self.capture and kind == "B":
                self.bound.append(self._bind(body))
            writer.write(head + body)
            if kind == "X":
                await writer.drain()
                return
            if kind in "QSHX":  # the client now waits for an answer
                await writer.drain()

    def _bind(self, body: bytes) -> tuple[str, list[str | None] | None]:
        _portal, statement, rest = body.split(b"\0", 2)
        (nformats,) = struct.unpack("!h", rest[:2])
        formats = struct.unpack(f"!{nformats}h", rest[2 : 2 + 2 * nformats])
        at = 2 + 2 * nformats
        (nparams,) = struct.unpack("!h", rest[at : at + 2])
        at += 2
        sql = self._statements.get(statement, "?")
        if any(formats):
            return sql, None
        params: list[str | None] = []
        for _ in range(nparams):
            (size,) = struct.unpack("!i", rest[at : at + 4])
            at += 4
            params.append(None if size < 0 else rest[at : at + size].decode())
            at += max(0, size)
        return sql, params

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()


def per_request(
    before: tuple[Counter[str], Counter[str]], after: tuple[Counter[str], Counter[str]], n: int
) -> dict[str, float]:
    messages = after[0] - before[0]
    simple = after[1] - before[1]
    out = {
        "statements": (messages["Q"] + messages["E"]) / n,
        "round_trips": (messages["Q"] + messages["S"]) / n,
        "parses": messages["P"] / n,
    }
    for word, count in sorted(simple.items()):
        out[f"simple {word}"] = count / n
    return out
