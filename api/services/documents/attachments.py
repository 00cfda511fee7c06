"""Attachments: storing uploaded files on a working version, and the download check."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import photos
from api.auth.actor import Actor
from api.codes import DocumentsCode
from api.db import commit
from api.errors import Forbidden, UserInputError
from api.models import (
    Attachment,
    AttachmentSize,
    Document,
    DocumentKind,
    DocumentVersion,
    Stage,
)
from api.storage import StagedFile, Storage, stage, unavailable

from .. import audit
from .common import _editable_version, _event, _load, _obj, _touch


@dataclass
class Upload:
    filename: str
    stream: BinaryIO


async def _store_files(
    session: AsyncSession,
    actor: Actor,
    storage: Storage,
    doc: Document,
    version: DocumentVersion,
    files: Sequence[Upload],
    tmp_dir: Path,
    max_bytes: int,
) -> None:
    """Check every file first, then store and commit; on any failure nothing stays behind.

    A photo is stored as ``api.photos.process`` re-encodes it (no EXIF, no GPS), with its sizes:
    the uploaded bytes themselves are never stored."""
    staged: list[StagedFile] = []
    photos_of: dict[int, photos.Photo] = {}
    created: list[str] = []
    try:
        for i, upload in enumerate(files):
            # copying, hashing and inspecting a file of some MB: off the event loop
            staged.append(
                await anyio.to_thread.run_sync(stage, upload.stream, upload.filename, tmp_dir, max_bytes, f"files.{i}")
            )
            s = staged[-1]
            if doc.kind is DocumentKind.VILLAGE_AFFAIRS and s.kind not in photos.PHOTO_KINDS:
                raise UserInputError(
                    f"files.{i}",
                    DocumentsCode.PHOTOS_ONLY,
                    f"村务公开只能上传照片（JPEG、PNG、WebP），“{upload.filename}”不是照片",
                )
            if s.kind in photos.PHOTO_KINDS:
                done = await anyio.to_thread.run_sync(_process_photo, s, tmp_dir, f"files.{i}")
                photos_of[i] = done
                staged[-1] = StagedFile(
                    s.filename, s.kind, done.original.size, done.original.sha256, done.original.temp
                )
        start = (
            await session.execute(
                select(func.coalesce(func.max(Attachment.position), -1)).where(Attachment.version_id == version.id)
            )
        ).scalar_one()
        rows: list[Attachment] = []
        for i, s in enumerate(staged):
            found = photos_of.get(i)
            rows.append(
                Attachment(
                    document_id=doc.id,
                    version_id=version.id,
                    filename=s.filename,
                    content_type=s.kind.content_type,
                    size=s.size,
                    sha256=s.sha256,
                    position=start + 1 + i,
                    created_by_id=actor.user_id,
                    width=found.original.width if found else None,
                    height=found.original.height if found else None,
                )
            )
        session.add_all(rows)
        await session.flush()
        for i, photo in photos_of.items():
            for long_side, r in photo.sizes.items():
                session.add(
                    AttachmentSize(
                        attachment_id=rows[i].id, long_side=long_side, width=r.width, height=r.height, size=r.size,
                        sha256=r.sha256,
                    )
                )  # fmt: skip
        await session.flush()
        for s in staged:
            if await storage.put(s.sha256, s.temp):
                created.append(s.sha256)
        for photo in photos_of.values():
            for r in photo.sizes.values():
                if await storage.put(r.sha256, r.temp):
                    created.append(r.sha256)
        await commit(session)
    except BaseException:
        for s in staged:
            s.temp.unlink(missing_ok=True)
        for photo in photos_of.values():
            for temp in photo.temps():
                temp.unlink(missing_ok=True)
        for sha in created:
            with contextlib.suppress(Exception):  # the error that brought us here is the one to report
                await storage.delete(sha)
        raise


def _process_photo(staged: StagedFile, tmp_dir: Path, field: str) -> photos.Photo:
    """The photo's clean copy and sizes; the upload's temporary file goes in every case. Blocking."""
    try:
        return photos.process(staged.temp, staged.kind, staged.filename, tmp_dir, field)
    except OSError as exc:
        raise unavailable(field, exc) from exc
    finally:
        staged.temp.unlink(missing_ok=True)


async def add_attachments(
    session: AsyncSession,
    actor: Actor,
    storage: Storage,
    *,
    document_id: int,
    files: Sequence[Upload],
    tmp_dir: Path,
    max_bytes: int,
) -> Document:
    doc = await _load(session, document_id)
    actor.require(_obj(doc), "edit", doc.scope_path)
    if not files:
        raise UserInputError("files", DocumentsCode.REQUIRED, "请选择要上传的文件")
    draft = await _editable_version(session, actor, doc)
    _event(session, actor, doc, draft, Stage.ATTACH, comment=f"{len(files)}个附件")
    _touch(doc)
    audit.record(session, actor, "document.attach", "Document", doc.id, doc.scope_path, f"上传附件{len(files)}个")
    await _store_files(session, actor, storage, doc, draft, files, tmp_dir, max_bytes)
    return doc


async def attachment_for_download(session: AsyncSession, actor: Actor, attachment_id: int) -> Attachment:
    """The attachment, when the actor may read the version it belongs to; else NOT_FOUND/Forbidden."""
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None:
        raise UserInputError("id", DocumentsCode.NOT_FOUND, "找不到该附件")
    doc = await session.get(Document, attachment.document_id)
    assert doc is not None
    staff = actor.can("document", "read_staff", doc.scope_path)
    if staff:
        return attachment
    if doc.public and attachment.version_id == doc.current_version_id:
        return attachment
    if actor.user is None:
        raise UserInputError("id", DocumentsCode.NOT_FOUND, "找不到该附件")
    raise Forbidden()


@dataclass(frozen=True)
class Download:
    """What /files/{id} (or /files/{id}/{size}) sends: the stored file and how it is named."""

    filename: str
    content_type: str
    sha256: str


async def file_for_download(
    session: AsyncSession, actor: Actor, attachment_id: int, long_side: int | None = None
) -> Download:
    """The attachment's file, or one of its sizes, with the attachment's permission
    (``attachment_for_download``); NOT_FOUND for a size the attachment does not have."""
    attachment = await attachment_for_download(session, actor, attachment_id)
    if long_side is None:
        return Download(attachment.filename, attachment.content_type, attachment.sha256)
    found = (
        await session.execute(
            select(AttachmentSize).where(
                AttachmentSize.attachment_id == attachment.id, AttachmentSize.long_side == long_side
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise UserInputError("size", DocumentsCode.NOT_FOUND, "该附件没有这一尺寸的图片")
    stem, dot, suffix = attachment.filename.rpartition(".")
    name = f"{stem}-{long_side}.{suffix}" if dot else f"{attachment.filename}-{long_side}"
    return Download(name, attachment.content_type, found.sha256)


async def process_stored_photos(
    session: AsyncSession, actor: Actor, storage: Storage, tmp_dir: Path
) -> tuple[int, int]:
    """Photos stored before ``api.photos`` existed (``width`` NULL) processed as an upload is now:
    the stored file replaced by its copy without metadata, the sizes added, every attachment row
    of that file updated, one commit per file; the old file deleted when nothing refers to it.
    Returns (attachments processed, files that could not be read and stay as they were).
    For the command line (``gongkai process-photos``), with the system actor."""
    by_type = {k.content_type: k for k in photos.PHOTO_KINDS}
    pending = (
        await session.execute(
            select(Attachment)
            .where(Attachment.width.is_(None), Attachment.content_type.in_(list(by_type)))
            .order_by(Attachment.id)
        )
    ).scalars()
    groups: dict[str, list[Attachment]] = {}
    for attachment in pending:
        groups.setdefault(attachment.sha256, []).append(attachment)
    done = skipped = 0
    tmp_dir.mkdir(parents=True, exist_ok=True)
    for sha, rows in groups.items():
        stored = await storage.read(sha)
        if stored is None:
            skipped += 1
            continue
        temp = Path(await anyio.to_thread.run_sync(lambda: tempfile.mkstemp(dir=tmp_dir, prefix="legacy-")[1]))
        with temp.open("wb") as out:
            async for chunk in stored.chunks:
                await anyio.to_thread.run_sync(out.write, chunk)
        kind = by_type[rows[0].content_type]
        try:
            photo = await anyio.to_thread.run_sync(photos.process, temp, kind, rows[0].filename, tmp_dir, "id")
        except UserInputError:
            skipped += 1
            continue
        finally:
            temp.unlink(missing_ok=True)
        try:
            for r in (photo.original, *photo.sizes.values()):
                await storage.put(r.sha256, r.temp)
        finally:
            for t in photo.temps():
                t.unlink(missing_ok=True)
        for a in rows:
            a.sha256, a.size, a.width, a.height = (
                photo.original.sha256, photo.original.size, photo.original.width, photo.original.height,
            )  # fmt: skip
            for long_side, r in photo.sizes.items():
                session.add(
                    AttachmentSize(
                        attachment_id=a.id, long_side=long_side, width=r.width, height=r.height, size=r.size,
                        sha256=r.sha256,
                    )
                )  # fmt: skip
            doc = await session.get(Document, a.document_id)
            assert doc is not None
            audit.record(
                session, actor, "document.photo_cleaned", "Document", doc.id, doc.scope_path,
                f"照片“{a.filename}”去除元数据（含位置信息）并生成缩略图",
            )  # fmt: skip
        await commit(session)
        done += len(rows)
        still = (await session.execute(select(func.count()).where(Attachment.sha256 == sha))).scalar_one()
        still += (await session.execute(select(func.count()).where(AttachmentSize.sha256 == sha))).scalar_one()
        if still == 0 and sha != photo.original.sha256:
            await storage.delete(sha)  # the file with the GPS position
    return done, skipped
