"""Request bodies (api/bodies.py): capped while they stream, chunked or not; files per request; sign-in to upload."""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType, get_named_type
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException

from api.app import create_app
from api.bodies import PayloadTooLarge, parse_upload
from api.settings import Settings
from schema import schema

from .documents_fixtures import PDF, content, make_desk
from .live import live_server
from .probe import assert_unblocked, bystander

PREFLIGHT = {"Apollo-Require-Preflight": "true"}
BOUNDARY = "gongkai-test-boundary"
CREATE = """mutation($input: CreateDocumentInput!, $files: [Upload!]) { createDocument(input: $input, files: $files) {
  document { id } errors { field code message } } }"""
MB = 1024 * 1024


def multipart_head(files: int, org_id: str = "T3JnYW5pemF0aW9uOjE=") -> bytes:
    """The operations and map parts, then the headers of the first file part (its data follows)."""
    variables = {"input": {"publisherId": org_id, "kind": "NOTICE", "content": content()}, "files": [None] * files}
    operations = json.dumps({"query": CREATE, "variables": variables})
    mapping = json.dumps({str(i): [f"variables.files.{i}"] for i in range(files)})
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{operations}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{mapping}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    sent: int
    seconds: float


def stream(
    port: int, headers: dict[str, str], first: bytes, total: int, *, chunked: bool = True, chunk: int = 64 * 1024
) -> Answer:
    """POST /graphql on a raw socket: ``first`` then zeros up to ``total`` bytes, stopping when the server answers."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(total)}
    head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": "127.0.0.1", **headers, **framing}.items())
    sock.sendall(f"POST /graphql HTTP/1.1\r\n{head}\r\n".encode())
    started = time.perf_counter()
    sent = 0
    zeros = b"\0" * chunk
    try:
        while sent < total:
            data = first if sent == 0 else zeros[: total - sent]
            sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)
            sent += len(data)
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    raw = b""
    while b"\r\n\r\n" not in raw:
        part = sock.recv(65536)
        if not part:
            break
        raw += part
    seconds = time.perf_counter() - started
    head_bytes, _, rest = raw.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(v) for k, _, v in (line.partition(": ") for line in lines[1:]) if k.lower() == "content-length")
    while len(rest) < length:
        part = sock.recv(65536)
        if not part:
            break
        rest += part
    sock.close()
    return Answer(status, json.loads(rest[:length]), sent, seconds)


def code(answer: Answer | httpx.Response) -> str:
    body = answer.body if isinstance(answer, Answer) else answer.json()
    return str(body["errors"][0]["extensions"]["code"])


def multipart_headers(token: str | None = None) -> dict[str, str]:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **PREFLIGHT, **auth}


def test_only_staff_mutations_take_uploads() -> None:
    """No operation the public may send takes a file: that is why every upload needs a sign-in."""
    taking: set[str] = set()
    for name, graphql_type in schema._schema.type_map.items():
        if isinstance(graphql_type, GraphQLObjectType) and not name.startswith("__"):
            for field_name, field in graphql_type.fields.items():
                if any(get_named_type(arg.type).name == "Upload" for arg in field.args.values()):
                    taking.add(f"{name}.{field_name}")
    assert taking == {"Mutation.createDocument", "Mutation.addAttachments", "Mutation.importCatalog"}


async def test_anonymous_upload_is_refused_before_the_body_is_read(client: httpx.AsyncClient) -> None:
    files = {"0": ("a.pdf", PDF, "application/pdf")}
    data = {
        "operations": json.dumps({"query": CREATE, "variables": {"files": [None]}}),
        "map": '{"0": ["variables.files.0"]}',
    }
    response = await client.post("/graphql", data=data, files=files, headers=PREFLIGHT)
    assert response.status_code == 401
    assert code(response) == "UNAUTHENTICATED"
    assert "登录" in response.json()["errors"][0]["message"]


@pytest.fixture
async def small_app(migrated: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=migrated.database_url,
        var_dir=tmp_path,
        max_body_bytes=64 * 1024,
        max_upload_bytes=64 * 1024,
        max_files_per_request=2,
        password_hash="fast",
    )
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            yield http
    finally:
        await app.state.engine.dispose()


async def test_json_body_over_the_cap_is_413(small_app: httpx.AsyncClient) -> None:
    query = "query($s: String!) { search(query: $s) { totalCount } }"
    response = await small_app.post("/graphql", json={"query": query, "variables": {"s": "x" * 70_000}})
    assert response.status_code == 413
    assert code(response) == "PAYLOAD_TOO_LARGE"
    assert "请求内容过大" in response.json()["errors"][0]["message"]
    ok = await small_app.post("/graphql", json={"query": "{ __typename }"})
    assert ok.status_code == 200


async def test_more_files_than_allowed_is_413_too_many_files(
    small_app: httpx.AsyncClient, session: Any, system: Any, make_user: Any
) -> None:
    desk = await make_desk(session, system, make_user)

    def body(count: int) -> dict[str, Any]:
        variables = {
            "input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()},
            "files": [None] * count,
        }
        return {
            "data": {
                "operations": json.dumps({"query": CREATE, "variables": variables}),
                "map": json.dumps({str(i): [f"variables.files.{i}"] for i in range(count)}),
            },
            "files": {str(i): (f"{i}.pdf", PDF, "application/pdf") for i in range(count)},
        }

    headers = {"Authorization": f"Bearer {desk.editor}", **PREFLIGHT}
    refused = await small_app.post("/graphql", **body(3), headers=headers)
    assert refused.status_code == 413
    assert code(refused) == "TOO_MANY_FILES"
    assert "2个文件" in refused.json()["errors"][0]["message"]
    accepted = await small_app.post("/graphql", **body(2), headers=headers)
    assert accepted.status_code == 200
    assert accepted.json()["data"]["createDocument"]["errors"] == []


def upload_stream(*parts: bytes) -> AsyncIterator[bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    return chunks()


async def test_the_parser_keeps_no_more_than_one_byte_over_the_file_cap() -> None:
    headers = Headers({"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    big = [b"x" * MB for _ in range(5)]
    end = f"\r\n--{BOUNDARY}--\r\n".encode()
    form = await parse_upload(
        headers, upload_stream(multipart_head(1), *big, end), max_files=2, max_file_bytes=MB, max_field_bytes=MB
    )
    upload = form["0"]
    assert isinstance(upload, UploadFile)
    assert len(await upload.read()) == MB + 1  # enough for the upload check to say "too large"
    await form.close()
    with pytest.raises(PayloadTooLarge):
        await parse_upload(
            headers, upload_stream(multipart_head(1), end), max_files=2, max_file_bytes=MB, max_field_bytes=100
        )
    with pytest.raises(MultiPartException):
        await parse_upload(
            headers, upload_stream(b"--nonsense\r\n\r\n"), max_files=2, max_file_bytes=MB, max_field_bytes=MB
        )


def spooled(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def attack(port: int, base_url: str, token: str, org_id: str, sixty_body: bytes, sixty_type: str, rounds: int) -> None:
    """The body attacks, each refused quickly and with its code."""
    for _ in range(rounds):
        # 300 MB, chunked, anonymous: refused after the headers, before the body
        anonymous = stream(port, multipart_headers(), multipart_head(1), 300 * MB)
        assert (anonymous.status, code(anonymous)) == (401, "UNAUTHENTICATED")
        assert anonymous.sent < 20 * MB and anonymous.seconds < 2, anonymous
        # 300 MB, chunked, signed in: refused once the bytes pass 10 files x 1 MB + 1 MB
        chunked = stream(port, multipart_headers(token), multipart_head(1, org_id), 300 * MB)
        assert (chunked.status, code(chunked)) == (413, "PAYLOAD_TOO_LARGE"), chunked
        assert chunked.sent < 40 * MB and chunked.seconds < 5, chunked
        assert "每个文件不超过1MB" in chunked.body["errors"][0]["message"]
        # 300 MB announced by Content-Length: refused before the body
        declared = stream(port, multipart_headers(token), multipart_head(1, org_id), 300 * MB, chunked=False)
        assert (declared.status, code(declared)) == (413, "PAYLOAD_TOO_LARGE")
        assert declared.sent < 20 * MB and declared.seconds < 2
        # a 20 MB JSON body, chunked
        json_body = stream(port, {"Content-Type": "application/json"}, b'{"query": "{ __typename }", "x": "', 20 * MB)
        assert (json_body.status, code(json_body)) == (413, "PAYLOAD_TOO_LARGE")
        assert json_body.sent < 10 * MB
        # 60 files: refused when the 11th begins
        started = time.perf_counter()
        many = httpx.post(
            base_url + "/graphql",
            content=sixty_body,
            headers={"Content-Type": sixty_type, "Authorization": f"Bearer {token}", **PREFLIGHT},
            timeout=30,
        )
        assert (many.status_code, code(many)) == (413, "TOO_MANY_FILES")
        assert time.perf_counter() - started < 2


async def test_attacks_on_a_live_server_are_refused_while_it_streams(
    migrated: Settings, session: Any, system: Any, make_user: Any, tmp_path: Path
) -> None:
    desk = await make_desk(session, system, make_user)
    spool = tmp_path / "spool"
    spool.mkdir()
    env = {"GONGKAI_MAX_UPLOAD_MB": "1", "GONGKAI_MAX_FILES": "10", "GONGKAI_MAX_BODY_MB": "1", "TMPDIR": str(spool)}
    files = {str(i): (f"{i}.pdf", PDF, "application/pdf") for i in range(60)}
    variables = {"input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()}, "files": [None] * 60}
    sixty = {
        "operations": json.dumps({"query": CREATE, "variables": variables}),
        "map": json.dumps({str(i): [f"variables.files.{i}"] for i in range(60)}),
    }
    with live_server(migrated, tmp_path / "server", env=env) as server:
        # encoded before the bystander starts: the attacker's own work must not slow the bystander's thread
        prepared = httpx.Request("POST", server.base_url + "/graphql", data=sixty, files=files)
        sixty_body, sixty_type = prepared.read(), prepared.headers["content-type"]
        # one round on the fresh worker first: its first upload imports and connects what later ones reuse
        attack(server.port, server.base_url, desk.editor, desk.org_id, sixty_body, sixty_type, rounds=1)
        with bystander(server.base_url) as probe:  # then enough rounds for the bystander's 95th percentile
            attack(server.port, server.base_url, desk.editor, desk.org_id, sixty_body, sixty_type, rounds=4)
        log = server.log_with('"TOO_MANY_FILES"')
    assert_unblocked(probe)
    assert spooled(spool) == []
    assert spooled(tmp_path / "server" / "files") == []
    assert "Traceback" not in log
    assert '"PAYLOAD_TOO_LARGE"' in log and '"TOO_MANY_FILES"' in log  # the request log names the refusals


def test_stream_helper_sends_a_whole_small_body(migrated: Settings, tmp_path: Path) -> None:
    """The helper itself: a small chunked JSON body is read in full and answered (so the refusals above mean it)."""
    with live_server(migrated, tmp_path) as server:
        body = b'{"query": "{ __typename }"}'
        answer = stream(server.port, {"Content-Type": "application/json"}, body, len(body))
        assert answer.status == 200 and answer.body == {"data": {"__typename": "Query"}}
