"""Attachments: storing uploaded files on a working version, and the download check."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.codes import DocumentsCode
from api.db import commit
from api.errors import Forbidden, UserInputError
from api.models import (
    Attachment,
    Document,
    DocumentKind,
    DocumentVersion,
    Stage,
)
from api.storage import JPEG, PNG, StagedFile, Storage, stage

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
    """Check every file first, then store and commit; on any failure nothing stays behind."""
    staged: list[StagedFile] = []
    created: list[str] = []
    try:
        for i, upload in enumerate(files):
            # copying, hashing and inspecting a file of some MB: off the event loop
            staged.append(
                await anyio.to_thread.run_sync(stage, upload.stream, upload.filename, tmp_dir, max_bytes, f"files.{i}")
            )
            if doc.kind is DocumentKind.VILLAGE_AFFAIRS and staged[-1].kind not in (JPEG, PNG):
                raise UserInputError(
                    f"files.{i}",
                    DocumentsCode.PHOTOS_ONLY,
                    f"村务公开只能上传照片（JPEG、PNG），“{upload.filename}”不是照片",
                )
        start = (
            await session.execute(
                select(func.coalesce(func.max(Attachment.position), -1)).where(Attachment.version_id == version.id)
            )
        ).scalar_one()
        for i, s in enumerate(staged, start=start + 1):
            session.add(
                Attachment(
                    document_id=doc.id,
                    version_id=version.id,
                    filename=s.filename,
                    content_type=s.kind.content_type,
                    size=s.size,
                    sha256=s.sha256,
                    position=i,
                    created_by_id=actor.user_id,
                )
            )
        await session.flush()
        for s in staged:
            if await storage.put(s.sha256, s.temp):
                created.append(s.sha256)
        await commit(session)
    except BaseException:
        for s in staged:
            s.temp.unlink(missing_ok=True)
        for sha in created:
            with contextlib.suppress(Exception):  # the error that brought us here is the one to report
                await storage.delete(sha)
        raise


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
