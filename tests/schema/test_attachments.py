"""Attachments by the GraphQL multipart request spec: signature checks, size cap, CSRF, download."""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import httpx
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from sqlalchemy import func, select

from api.app import create_app
from api.models import Attachment, Document
from api.settings import Settings

from ..conftest import GraphQLClient
from ..documents_fixtures import EXE, PDF, PNG, Desk, content, make_desk
from ..live import live_server

CREATE_WITH_FILES = """mutation($input: CreateDocumentInput!, $files: [Upload!]) {
  createDocument(input: $input, files: $files) {
    document { id current { attachments { filename contentType size sha256 url sizes { longSide url } } } }
    errors { field code message } } }"""
PREFLIGHT = {"Apollo-Require-Preflight": "true"}


def multipart(
    query: str, variables: dict[str, Any], files: list[tuple[str, bytes]], path: str = "files"
) -> dict[str, Any]:
    variables = {**variables, path: [None] * len(files)}
    return {
        "data": {
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({str(i): [f"variables.{path}.{i}"] for i in range(len(files))}),
        },
        "files": {str(i): (name, data, "application/octet-stream") for i, (name, data) in enumerate(files)},
    }


async def post_files(
    client: httpx.AsyncClient,
    token: str,
    desk: Desk,
    files: list[tuple[str, bytes]],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = multipart(
        CREATE_WITH_FILES, {"input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()}}, files
    )
    return await client.post(
        "/graphql", **body, headers={"Authorization": f"Bearer {token}", **(PREFLIGHT if headers is None else headers)}
    )


def stored_files(settings: Settings) -> list[Path]:
    root = settings.files_dir
    return (
        [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts] if root.exists() else []
    )


async def row_counts(session: Any) -> tuple[int, int]:
    session.expire_all()
    docs = (await session.execute(select(func.count()).select_from(Document))).scalar_one()
    files = (await session.execute(select(func.count()).select_from(Attachment))).scalar_one()
    return docs, files


async def test_upload_and_download(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    response = await post_files(client, desk.editor, desk, [("通知.pdf", PDF), ("现场照片.PNG", PNG)])
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["createDocument"]
    assert payload["errors"] == []
    attachments = payload["document"]["current"]["attachments"]
    assert [(a["filename"], a["contentType"], a["size"]) for a in attachments] == [
        ("通知.pdf", "application/pdf", len(PDF)), ("现场照片.PNG", "image/png", len(PNG)),
    ]  # fmt: skip
    url = attachments[0]["url"]
    staff = await client.get(url, headers={"Authorization": f"Bearer {desk.reviewer}"})
    assert staff.status_code == 200 and staff.content == PDF
    assert staff.headers["x-content-type-options"] == "nosniff"
    assert staff.headers["content-disposition"].startswith("attachment;")
    assert staff.headers["content-type"] == "application/pdf"
    anonymous = await client.get(url)
    assert anonymous.status_code == 404  # a draft's file does not exist for the public
    assert (await client.get("/files/999999")).status_code == 404


async def test_disguised_executable_is_refused(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any, settings: Settings
) -> None:
    desk = await make_desk(session, system, make_user)
    before_files, before_rows = stored_files(settings), await row_counts(session)
    response = await post_files(client, desk.editor, desk, [("正常.pdf", PDF), ("报告.pdf", EXE)])
    payload = response.json()["data"]["createDocument"]
    assert payload["document"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("files.1", "UNSUPPORTED_FILE_TYPE")]
    assert "报告.pdf" in payload["errors"][0]["message"]
    assert stored_files(settings) == before_files and await row_counts(session) == before_rows
    renamed = await post_files(client, desk.editor, desk, [("照片.pdf", PNG)])
    assert renamed.json()["data"]["createDocument"]["errors"][0]["code"] == "FILE_NAME_MISMATCH"


async def test_multipart_without_preflight_header_is_refused(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    before = await row_counts(session)
    response = await post_files(client, desk.editor, desk, [("通知.pdf", PDF)], headers={})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    assert await row_counts(session) == before


async def test_oversize_file_is_refused_and_nothing_is_stored(
    make_user: Any, session: Any, system: Any, migrated: Settings, tmp_path: Path
) -> None:
    desk = await make_desk(session, system, make_user)
    small = Settings(
        database_url=migrated.database_url, var_dir=tmp_path, max_upload_bytes=64 * 1024, max_files_per_request=2
    )
    app = create_app(small)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            before = await row_counts(session)
            big = PDF + b"0" * (64 * 1024)
            response = await post_files(client, desk.editor, desk, [("小.pdf", PDF), ("大.pdf", big)])
            payload = response.json()["data"]["createDocument"]
            assert [(e["field"], e["code"]) for e in payload["errors"]] == [("files.1", "FILE_TOO_LARGE")]
            assert "64" not in payload["errors"][0]["message"] or "MB" in payload["errors"][0]["message"]
            assert stored_files(small) == [] and await row_counts(session) == before
            tmp = small.files_dir / "tmp"
            assert not tmp.exists() or list(tmp.iterdir()) == []
            huge = await post_files(client, desk.editor, desk, [("巨.pdf", PDF + b"0" * (200 * 1024))] * 6)
            assert huge.status_code == 413
            assert huge.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_FILES"  # the third of six files
            assert stored_files(small) == [] and await row_counts(session) == before
    finally:
        await app.state.engine.dispose()


async def test_add_attachments_to_a_published_document_starts_a_new_version(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    from ..documents_fixtures import publish

    desk = await make_desk(session, system, make_user)
    doc = await publish(gql, desk)
    query = """mutation($d: ID!, $files: [Upload!]!) { addAttachments(documentId: $d, files: $files) {
      document { status attachments { filename } workingVersion { number } } errors { code } } }"""
    body = multipart(query, {"d": doc["id"]}, [("补充.pdf", PDF)])
    response = await client.post("/graphql", **body, headers={"Authorization": f"Bearer {desk.editor}", **PREFLIGHT})
    result = response.json()["data"]["addAttachments"]
    assert result["errors"] == []
    assert result["document"]["status"] == "DRAFT" and result["document"]["attachments"] == []
    assert result["document"]["workingVersion"] == {"number": 2}


async def test_gql_client_upload_to_real_uvicorn_arrives_byte_identical(
    make_user: Any, session: Any, system: Any, migrated: Settings, tmp_path: Path
) -> None:
    from gql import Client, FileVar, gql
    from gql.transport.httpx import HTTPXAsyncTransport

    desk = await make_desk(session, system, make_user)
    with live_server(migrated, tmp_path) as server:
        base = server.base_url
        payload = os.urandom(300_000)
        data = PDF + payload
        path = tmp_path / "上传.pdf"
        path.write_bytes(data)
        transport = HTTPXAsyncTransport(
            url=f"{base}/graphql", headers={"Authorization": f"Bearer {desk.editor}", **PREFLIGHT}
        )
        async with Client(transport=transport) as client:
            request = gql(CREATE_WITH_FILES)
            request.variable_values = {
                "input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()},
                "files": [FileVar(str(path), filename="上传.pdf")],
            }
            result = await client.execute(request, upload_files=True)
        payload_out = result["createDocument"]
        assert payload_out["errors"] == []
        attachment = payload_out["document"]["current"]["attachments"][0]
        async with httpx.AsyncClient() as http:
            download = await http.get(base + attachment["url"], headers={"Authorization": f"Bearer {desk.editor}"})
        assert download.status_code == 200
        assert download.content == data
        import hashlib

        assert attachment["sha256"] == hashlib.sha256(data).hexdigest()


async def test_unwritable_files_directory_is_a_clear_error_and_nothing_is_half_stored(
    make_user: Any, session: Any, system: Any, migrated: Settings, tmp_path: Path
) -> None:
    desk = await make_desk(session, system, make_user)
    broken = Settings(database_url=migrated.database_url, var_dir=tmp_path)
    tmp_path.mkdir(parents=True, exist_ok=True)
    broken.files_dir.write_bytes(b"")  # a file where the directory should be: nothing can be written below it
    app = create_app(broken)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            before = await row_counts(session)
            response = await post_files(client, desk.editor, desk, [("通知.pdf", PDF)])
            assert response.status_code == 200, response.text
            payload = response.json()["data"]["createDocument"]
            assert payload["document"] is None
            assert [(e["field"], e["code"]) for e in payload["errors"]] == [("files.0", "STORAGE_UNAVAILABLE")]
            assert "未保存" in payload["errors"][0]["message"]
            assert await row_counts(session) == before
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["files"].startswith("not writable")
            broken.files_dir.unlink()
            assert (await client.get("/readyz")).status_code == 200
            again = await post_files(client, desk.editor, desk, [("通知.pdf", PDF)])
            assert again.json()["data"]["createDocument"]["errors"] == []
    finally:
        await app.state.engine.dispose()


# --- active content: macros and PDF scripts are refused (api/active_content.py) ---


def ooxml(main: str, extra: dict[str, bytes] | None = None, content_type: str = "document.main+xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/{main}" ContentType="application/vnd.{content_type}"/></Types>',
        )
        package.writestr(main, "<document/>")
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return out.getvalue()


def pdf_with(change: Any = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _name(text: str) -> NameObject:
    return NameObject(text)


def _action(**entries: Any) -> DictionaryObject:
    return DictionaryObject({_name(f"/{k}"): v for k, v in entries.items()})


def _open_js(w: PdfWriter) -> None:
    w._root_object[_name("/OpenAction")] = _action(S=_name("/JavaScript"), JS=TextStringObject("app.alert(1)"))


def _launch(w: PdfWriter) -> None:
    w._root_object[_name("/OpenAction")] = _action(S=_name("/Launch"), F=TextStringObject("cmd.exe"))


def _page_open_action(w: PdfWriter) -> None:
    w.pages[0][_name("/AA")] = _action(O=_action(S=_name("/URI"), URI=TextStringObject("http://example.com")))


def _fit_first_page(w: PdfWriter) -> None:
    w._root_object[_name("/OpenAction")] = ArrayObject([w.pages[0].indirect_reference, _name("/Fit")])


def _open_password(w: PdfWriter) -> None:
    w.encrypt(user_password="secret", owner_password="owner")


def _owner_password_only_with_js(w: PdfWriter) -> None:
    _open_js(w)
    w.encrypt(user_password="", owner_password="owner")


def hidden_in_object_stream() -> bytes:
    """JavaScript in a compressed object stream, its names spelt with #-escapes: no byte of the file
    says JavaScript, /JS or /OpenAction."""
    objects = [b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>", b"<< /JavaScript << /Names [(a) 4 0 R] >> >>"]
    offsets, body = [], b""
    for o in objects:
        offsets.append(len(body))
        body += o + b" "
    index = b" ".join(b"%d %d" % (n, off) for n, off in zip((4, 5), offsets, strict=True)) + b" "
    data = zlib.compress(index + body)
    return b"".join([
        b"%PDF-1.5\n1 0 obj << /Type /Catalog /Pages 2 0 R /Names 5 0 R >> endobj\n",
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n",
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n",
        b"6 0 obj << /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (len(index), len(data)),
        data,
        b"\nendstream endobj\ntrailer << /Root 1 0 R /Size 7 >>\nstartxref\n99999\n%%EOF\n",
    ])  # fmt: skip


async def test_macros_and_legacy_office_files_are_refused(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any, settings: Settings
) -> None:
    desk = await make_desk(session, system, make_user)
    docx = ooxml("word/document.xml", content_type="openxmlformats-officedocument.wordprocessingml.document.main+xml")
    cases = [
        ("宏文档.docm", docx, "MACRO_ENABLED"),
        ("宏表格.xlsm", ooxml("xl/workbook.xml"), "MACRO_ENABLED"),
        ("改名的宏文档.docx", ooxml("word/document.xml", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "MACRO_ENABLED"),
        ("宏表.xlsx", ooxml("xl/workbook.xml", {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}), "MACRO_ENABLED"),
        ("类型.docx", ooxml("word/document.xml", content_type="ms-word.document.macroEnabled.main+xml"), "MACRO_ENABLED"),
        ("旧版.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "UNSUPPORTED_FILE_TYPE"),
    ]  # fmt: skip
    before_files, before_rows = stored_files(settings), await row_counts(session)
    for name, data, code in cases:
        payload = (await post_files(client, desk.editor, desk, [(name, data)])).json()["data"]["createDocument"]
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("files.0", code)], name
        assert name in payload["errors"][0]["message"]
    assert "宏" in payload["errors"][0]["message"]  # the legacy file: "可能含宏", save it as .docx
    assert stored_files(settings) == before_files and await row_counts(session) == before_rows
    accepted = (await post_files(client, desk.editor, desk, [("通知.docx", docx)])).json()["data"]["createDocument"]
    assert accepted["errors"] == [] and accepted["document"]["current"]["attachments"][0]["filename"] == "通知.docx"


async def test_pdfs_with_scripts_or_automatic_actions_are_refused(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any, settings: Settings
) -> None:
    desk = await make_desk(session, system, make_user)
    cases = [
        (pdf_with(_open_js), "ACTIVE_CONTENT", "/OpenAction"),
        (pdf_with(_launch), "ACTIVE_CONTENT", "/OpenAction"),
        (pdf_with(_page_open_action), "ACTIVE_CONTENT", "/AA"),
        (pdf_with(_owner_password_only_with_js), "ACTIVE_CONTENT", "/OpenAction"),
        (hidden_in_object_stream(), "ACTIVE_CONTENT", "/JavaScript"),
        (pdf_with(_open_password), "ENCRYPTED_FILE", "密码"),
        (b"%PDF-1.7\nnot really a pdf", "INVALID_FILE", "无法检查"),
    ]
    assert b"JavaScript" not in cases[4][0] and b"/JS" not in cases[4][0]
    before_files, before_rows = stored_files(settings), await row_counts(session)
    for i, (data, code, said) in enumerate(cases):
        payload = (await post_files(client, desk.editor, desk, [("通知.pdf", data)])).json()["data"]["createDocument"]
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("files.0", code)], i
        assert said in payload["errors"][0]["message"], payload
    assert stored_files(settings) == before_files and await row_counts(session) == before_rows
    for fine in (pdf_with(), pdf_with(_fit_first_page)):  # "open at page 1, fit" is no action
        payload = (await post_files(client, desk.editor, desk, [("通知.pdf", fine)])).json()["data"]["createDocument"]
        assert payload["errors"] == [], payload
