"""File storage: content-addressed by SHA-256, on local disk (LocalStorage) or in an S3-compatible
bucket (api/s3_storage.py), chosen by GONGKAI_STORAGE_URL (open_storage)."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import anyio.to_thread

from api import active_content
from api.codes import DocumentsCode
from api.errors import UserInputError
from api.settings import FileLocation, Settings

CHUNK = 1 << 20
READ_CHUNK = 256 * 1024
MIN_FREE_BYTES = 64 * 1024 * 1024


def unavailable(field: str | None, exc: OSError) -> UserInputError:
    """The files directory is full, read-only or gone: the clerk can only retry later."""
    reason = "磁盘已满" if exc.errno == errno.ENOSPC else "目录不可写"
    return store_unavailable(field, reason)


def store_unavailable(field: str | None, reason: str, *, saving: bool = True) -> UserInputError:
    outcome = "本次未保存任何内容；" if saving else ""
    return UserInputError(
        field,
        DocumentsCode.STORAGE_UNAVAILABLE,
        f"附件存储暂时不可用（{reason}），{outcome}请稍后重试或联系管理员",
    )


@dataclass(frozen=True)
class StoredFile:
    """A stored file being read: its size and its bytes, chunk by chunk."""

    size: int
    chunks: AsyncIterator[bytes | memoryview]


class Storage(Protocol):
    """Where files live, by their SHA-256. Every method may raise a STORAGE_UNAVAILABLE UserInputError."""

    async def exists(self, sha256: str) -> bool: ...
    async def put(self, sha256: str, source: Path) -> bool:
        """Store the file at ``source`` under ``sha256`` and remove ``source``; True when it was not
        stored before."""
        ...

    async def read(self, sha256: str) -> StoredFile | None:
        """The stored file, or None when nothing is stored under ``sha256``."""
        ...

    async def delete(self, sha256: str) -> None: ...
    async def check(self) -> str | None:
        """None when a file can be stored now, else what is wrong (for /readyz)."""
        ...


def key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / key(sha256)

    async def exists(self, sha256: str) -> bool:
        return await anyio.to_thread.run_sync(self.path(sha256).is_file)

    def _put(self, sha256: str, source: Path) -> bool:
        target = self.path(sha256)
        if target.is_file():
            source.unlink(missing_ok=True)
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        except OSError as exc:
            raise unavailable("files", exc) from exc
        return True

    async def put(self, sha256: str, source: Path) -> bool:
        return await anyio.to_thread.run_sync(self._put, sha256, source)

    async def read(self, sha256: str) -> StoredFile | None:
        try:
            f = await anyio.to_thread.run_sync(self.path(sha256).open, "rb")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise store_unavailable("id", "文件无法读取", saving=False) from exc
        size = os.fstat(f.fileno()).st_size

        async def chunks() -> AsyncIterator[bytes | memoryview]:
            try:
                while chunk := await anyio.to_thread.run_sync(f.read, READ_CHUNK):
                    yield chunk
            finally:
                f.close()

        return StoredFile(size, chunks())

    async def delete(self, sha256: str) -> None:
        await anyio.to_thread.run_sync(lambda: self.path(sha256).unlink(missing_ok=True))

    def _check(self) -> str | None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".ready-") as probe:
                probe.write(b"ok")
                probe.flush()
                os.fsync(probe.fileno())
        except OSError as exc:
            return f"not writable: {self.root}: {exc.strerror or exc}"
        if shutil.disk_usage(self.root).free < MIN_FREE_BYTES:
            return "disk almost full"
        return None

    async def check(self) -> str | None:
        return await anyio.to_thread.run_sync(self._check)


def open_storage(settings: Settings) -> Storage:
    location = settings.storage
    if isinstance(location, FileLocation):
        return LocalStorage(location.root)
    from api.s3_storage import S3Storage

    return S3Storage(location)


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
OFD = FileKind("OFD", "application/ofd", (".ofd",))
DOCX = FileKind("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
JPEG = FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileKind("PNG", "image/png", (".png",))
WEBP = FileKind("WEBP", "image/webp", (".webp",))
ALLOWED = (PDF, OFD, DOCX, XLSX, JPEG, PNG, WEBP)
ALLOWED_NAMES = "PDF、OFD、DOCX、XLSX、JPEG、PNG、WebP"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls, .ppt): a compound file


def sniff(path: Path) -> FileKind | None:
    """The kind of file by its signature bytes (and, for ZIP containers, their members)."""
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "OFD.xml" in names:
            return OFD
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
    return None


def _is_ole(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(OLE)) == OLE


@dataclass
class StagedFile:
    """An upload copied to a temporary file under the storage root, checked, hashed."""

    filename: str
    kind: FileKind
    size: int
    sha256: str
    temp: Path


def safe_filename(name: str) -> str:
    name = Path(name.replace("\\", "/")).name.strip() or "file"
    return "".join(c for c in name if c.isprintable() and c not in '<>:"|?*')[:200] or "file"


def refuse_active_content(path: Path, kind: FileKind, name: str, field: str) -> None:
    """Office files with macros and PDFs with scripts or automatic actions are refused (api/active_content.py)."""
    if kind in (DOCX, XLSX) and active_content.office_macros(path):
        raise UserInputError(
            field,
            DocumentsCode.MACRO_ENABLED,
            f"文件“{name}”含有宏或ActiveX控件，不予接收；请另存为不含宏的 .docx 或 .xlsx 后重新上传",
        )
    if kind is PDF:
        try:
            found = active_content.pdf_active_content(path)
        except active_content.Unreadable as exc:
            if exc.reason == "encrypted":
                raise UserInputError(
                    field, DocumentsCode.ENCRYPTED_FILE, f"PDF文件“{name}”设有打开密码，无法检查；请去除密码后重新上传"
                ) from exc
            raise UserInputError(
                field,
                DocumentsCode.INVALID_FILE,
                f"PDF文件“{name}”已损坏或结构异常，无法检查其中是否含有脚本；请重新导出（打印为PDF）后上传",
            ) from exc
        if found is not None:
            raise UserInputError(
                field,
                DocumentsCode.ACTIVE_CONTENT,
                f"PDF文件“{name}”含有脚本或自动执行的动作（{found}），不予接收；请重新导出（打印为PDF）后上传",
            )


def stage(source: BinaryIO, filename: str, tmp_dir: Path, max_bytes: int, field: str) -> StagedFile:
    """Copy ``source`` to a temporary file, refusing it when too large, not an allowed kind, or
    holding macros or scripts. Blocking (it hashes and parses the file): run it in a worker thread."""
    name = safe_filename(filename)
    if Path(name).suffix.lower() in active_content.MACRO_SUFFIXES:
        raise UserInputError(
            field,
            DocumentsCode.MACRO_ENABLED,
            f"文件“{name}”是启用宏的 Office 文件，不予接收；请另存为不含宏的 .docx 或 .xlsx 后重新上传",
        )
    digest = hashlib.sha256()
    size = 0
    try:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    except OSError as exc:
        raise unavailable(field, exc) from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UserInputError(
                        field,
                        DocumentsCode.FILE_TOO_LARGE,
                        f"文件“{name}”超过{max_bytes // (1024 * 1024)}MB的上限，未保存",
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UserInputError(field, DocumentsCode.EMPTY_FILE, f"文件“{name}”是空文件")
        kind = sniff(temp)
        if kind is None and _is_ole(temp):
            raise UserInputError(
                field,
                DocumentsCode.UNSUPPORTED_FILE_TYPE,
                f"文件“{name}”是旧版 Office 格式（.doc、.xls 等，可能含宏），不予接收；请另存为 .docx 或 .xlsx 后重新上传",
            )
        if kind is None:
            raise UserInputError(
                field,
                DocumentsCode.UNSUPPORTED_FILE_TYPE,
                f"文件“{name}”的内容不是允许的格式（{ALLOWED_NAMES}），未保存",
            )
        suffix = Path(name).suffix.lower()
        if suffix not in kind.extensions:
            raise UserInputError(
                field,
                DocumentsCode.FILE_NAME_MISMATCH,
                f"文件“{name}”的内容是{kind.name}，与文件名后缀不符；请改正文件名后重新上传",
            )
        refuse_active_content(temp, kind, name, field)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise unavailable(field, exc) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return StagedFile(name, kind, size, digest.hexdigest(), temp)


def read_bytes(data: bytes) -> BinaryIO:
    return io.BytesIO(data)
