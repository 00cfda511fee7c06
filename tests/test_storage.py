"""File storage on both backends: a directory (file://) and an S3-compatible bucket (moto in server
mode, tests/moto_server.py); uploads and downloads through HTTP against S3; two servers sharing one bucket."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import httpx
import obstore
import pytest
from obstore.store import S3Store

from api.app import create_app
from api.errors import UserInputError
from api.s3_storage import S3Storage
from api.settings import FileLocation, S3Location, Settings, SettingsError
from api.storage import LocalStorage, Storage, open_storage

from .documents_fixtures import PDF, PNG, make_desk
from .live import live_server
from .moto_server import unreachable_s3_url
from .schema.test_attachments import PREFLIGHT, post_files, row_counts


def staged(tmp_path: Path, data: bytes) -> tuple[str, Path]:
    path = tmp_path / f"upload-{os.urandom(4).hex()}"
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest(), path


async def read_all(storage: Storage, sha256: str) -> bytes | None:
    stored = await storage.read(sha256)
    if stored is None:
        return None
    data = b"".join([bytes(chunk) async for chunk in stored.chunks])
    assert stored.size == len(data)
    return data


def stored_objects(storage: Storage) -> list[str]:
    """What the backend holds, listed behind the application's back."""
    if isinstance(storage, LocalStorage):
        return sorted(str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file())
    assert isinstance(storage, S3Storage)
    where = storage.location
    bucket = S3Store(
        where.bucket, endpoint=where.endpoint_url, region=where.region, client_options={"allow_http": True}
    )
    return sorted(
        meta["path"] for batch in obstore.list(bucket) for meta in batch if not meta["path"].endswith(".ready")
    )


@pytest.fixture(params=["file", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings whose GONGKAI_STORAGE_URL is a directory, or a new bucket on moto."""
    url = "" if request.param == "file" else request.getfixturevalue("s3_url")
    return Settings(var_dir=tmp_path / "var", storage_url=url)


@pytest.fixture(params=["file", "s3"])
def broken(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """A store that cannot take a file: a files "directory" that is a file, or S3 with nothing listening."""
    if request.param == "file":
        (tmp_path / "var").mkdir()
        (tmp_path / "var" / "files").write_bytes(b"")
        return open_storage(Settings(var_dir=tmp_path / "var"))
    return open_storage(Settings(var_dir=tmp_path / "var", storage_url=unreachable_s3_url()))


async def test_put_exists_read_delete(backend: Settings, tmp_path: Path) -> None:
    storage = open_storage(backend)
    data = PDF + os.urandom(600_000)  # several read chunks
    sha, source = staged(tmp_path, data)
    assert not await storage.exists(sha)
    assert await storage.put(sha, source) is True
    assert not source.exists()  # the staged file is consumed
    assert await storage.exists(sha)
    assert await read_all(storage, sha) == data
    await storage.delete(sha)
    assert not await storage.exists(sha)
    assert await read_all(storage, sha) is None
    assert await storage.check() is None


async def test_same_bytes_are_stored_once(backend: Settings, tmp_path: Path) -> None:
    storage = open_storage(backend)
    sha, first = staged(tmp_path, PNG)
    _, second = staged(tmp_path, PNG)
    assert await storage.put(sha, first) is True
    assert await storage.put(sha, second) is False  # already there: nothing written, the copy removed
    assert not second.exists()
    assert stored_objects(storage) == [f"{'files/' if backend.storage_url else ''}{sha[:2]}/{sha[2:4]}/{sha}"]
    assert await read_all(storage, sha) == PNG


async def test_missing_object_is_none_not_an_error(backend: Settings) -> None:
    storage = open_storage(backend)
    sha = hashlib.sha256(b"never stored").hexdigest()
    assert not await storage.exists(sha)
    assert await storage.read(sha) is None
    await storage.delete(sha)


async def test_unavailable_store_is_a_clear_error(broken: Storage, tmp_path: Path) -> None:
    sha, source = staged(tmp_path, PDF)
    with pytest.raises(UserInputError) as put:
        await broken.put(sha, source)
    assert put.value.code == "STORAGE_UNAVAILABLE" and "本次未保存任何内容" in put.value.message
    with pytest.raises(UserInputError) as read:
        await broken.read(sha)
    assert read.value.code == "STORAGE_UNAVAILABLE" and "请稍后重试" in read.value.message
    problem = await broken.check()
    assert problem is not None and problem.startswith(("not writable", "unreachable"))


def test_storage_url_setting(tmp_path: Path) -> None:
    assert Settings.from_env({"GONGKAI_VAR_DIR": str(tmp_path)}).storage == FileLocation(tmp_path / "files")
    assert Settings.from_env({"GONGKAI_STORAGE_URL": "file:///srv/gongkai/files"}).storage == FileLocation(
        Path("/srv/gongkai/files")
    )
    s3 = "s3://gk-files/prod/attachments?endpoint_url=http://10.0.0.5:9000&region=cn-north-1"
    assert Settings.from_env({"GONGKAI_STORAGE_URL": s3}).storage == S3Location(
        "gk-files", "prod/attachments", "http://10.0.0.5:9000", "cn-north-1"
    )
    for bad, said in [
        ("ftp://files", "file://<directory> or s3://"),
        ("s3://Bad_Bucket", "not an S3 bucket name"),
        ("s3://bucket?endpoint=http://x", "not a parameter"),
        ("s3://bucket?endpoint_url=http://x:9000/path", "no path"),
    ]:
        with pytest.raises(SettingsError, match=said):
            Settings.from_env({"GONGKAI_STORAGE_URL": bad})


async def test_upload_and_download_through_http_against_s3(
    make_user: Any, session: Any, system: Any, migrated: Settings, tmp_path: Path, s3_url: str
) -> None:
    desk = await make_desk(session, system, make_user)
    settings = Settings(database_url=migrated.database_url, var_dir=tmp_path, storage_url=s3_url)
    app = create_app(settings)
    data = PDF + os.urandom(300_000)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await post_files(client, desk.editor, desk, [("通知 2026.pdf", data)])
            payload = response.json()["data"]["createDocument"]
            assert payload["errors"] == []
            attachment = payload["document"]["current"]["attachments"][0]
            sha = hashlib.sha256(data).hexdigest()
            assert attachment["sha256"] == sha
            storage = app.state.gongkai.storage
            assert stored_objects(storage) == [f"files/{sha[:2]}/{sha[2:4]}/{sha}"]
            assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # nothing kept on disk
            download = await client.get(attachment["url"], headers={"Authorization": f"Bearer {desk.reviewer}"})
            assert download.status_code == 200 and download.content == data
            assert download.headers["content-type"] == "application/pdf"
            assert (
                download.headers["content-disposition"] == "attachment; filename*=utf-8''%E9%80%9A%E7%9F%A5%202026.pdf"
            )
            assert download.headers["content-length"] == str(len(data))
            assert download.headers["x-content-type-options"] == "nosniff"
            assert download.headers["cache-control"] == "private, no-store"
            assert (await client.get(attachment["url"])).status_code == 404  # a draft's file: not for the public
            ready = await client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["checks"]["files"] == "ok"
            await storage.delete(sha)  # lost behind the application's back
            missing = await client.get(attachment["url"], headers={"Authorization": f"Bearer {desk.reviewer}"})
            assert missing.status_code == 404 and missing.json()["errors"][0]["extensions"]["code"] == "FILE_MISSING"
    finally:
        await app.state.engine.dispose()


async def test_unreachable_s3_is_storage_unavailable_not_a_500(
    make_user: Any, session: Any, system: Any, migrated: Settings, tmp_path: Path, s3_url: str
) -> None:
    desk = await make_desk(session, system, make_user)
    good = create_app(Settings(database_url=migrated.database_url, var_dir=tmp_path / "a", storage_url=s3_url))
    gone = create_app(
        Settings(database_url=migrated.database_url, var_dir=tmp_path / "b", storage_url=unreachable_s3_url())
    )
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=good), base_url="http://t") as up,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gone), base_url="http://t") as down,
        ):
            stored = (await post_files(up, desk.editor, desk, [("通知.pdf", PDF)])).json()["data"]["createDocument"]
            url = stored["document"]["current"]["attachments"][0]["url"]
            before = await row_counts(session)
            response = await post_files(down, desk.editor, desk, [("通知.pdf", PDF + b"other")])
            assert response.status_code == 200, response.text
            payload = response.json()["data"]["createDocument"]
            assert payload["document"] is None
            assert [(e["field"], e["code"]) for e in payload["errors"]] == [("files", "STORAGE_UNAVAILABLE")]
            assert "未保存" in payload["errors"][0]["message"]
            assert await row_counts(session) == before  # nothing half stored
            assert list((tmp_path / "b" / "files" / "tmp").iterdir()) == []  # the staged copy removed
            download = await down.get(url, headers={"Authorization": f"Bearer {desk.reviewer}"})
            assert download.status_code == 503
            assert download.json()["errors"][0]["extensions"]["code"] == "STORAGE_UNAVAILABLE"
            ready = await down.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["files"].startswith("unreachable")
    finally:
        await good.state.engine.dispose()
        await gone.state.engine.dispose()


async def test_two_servers_serve_each_others_uploads(
    make_user: Any, session: Any, system: Any, migrated: Settings, tmp_path: Path, s3_url: str
) -> None:
    desk = await make_desk(session, system, make_user)
    env = {"GONGKAI_STORAGE_URL": s3_url}
    with (
        live_server(migrated, tmp_path / "a", env=env, ready_path="/readyz") as a,
        live_server(migrated, tmp_path / "b", env=env, ready_path="/readyz") as b,
    ):
        async with httpx.AsyncClient(timeout=30) as http:
            urls = {}
            # a photo is stored re-encoded (api/photos.py): the PNG as Pillow writes it, trailing bytes dropped
            for name, server, data in (("a", a, PDF + os.urandom(200_000)), ("b", b, PNG + os.urandom(1000))):
                body = multipart_create(desk, f"{name}.{'pdf' if name == 'a' else 'png'}", data)
                response = await http.post(
                    server.base_url + "/graphql",
                    **body,
                    headers={"Authorization": f"Bearer {desk.editor}", **PREFLIGHT},
                )
                payload = response.json()["data"]["createDocument"]
                assert payload["errors"] == [], payload
                attachment = payload["document"]["current"]["attachments"][0]
                urls[name] = (attachment["url"], data if name == "a" else PNG)
                if name == "b":  # a photo's size, stored beside it in the bucket
                    urls["b-320"] = (attachment["sizes"][0]["url"], PNG)  # 40 × 30: the same image
            auth = {"Authorization": f"Bearer {desk.reviewer}"}
            for other, (url, data) in ((b, urls["a"]), (a, urls["b"]), (a, urls["b-320"])):
                download = await http.get(other.base_url + url, headers=auth)
                assert download.status_code == 200 and download.content == data
    assert [p for d in ("a", "b") for p in (tmp_path / d / "files").rglob("*") if p.is_file()] == []  # no local copy


def multipart_create(desk: Any, filename: str, data: bytes) -> dict[str, Any]:
    from .documents_fixtures import content
    from .schema.test_attachments import CREATE_WITH_FILES, multipart

    return multipart(
        CREATE_WITH_FILES,
        {"input": {"publisherId": desk.org_id, "kind": "NOTICE", "content": content()}},
        [(filename, data)],
    )
