"""Request bodies: capped while they stream, and multipart uploads parsed with their limits.

``BodyLimit`` (ASGI middleware) refuses a body over its cap with 413 ``PAYLOAD_TOO_LARGE``: at
once when ``Content-Length`` says so, else as soon as the bytes received pass it, whatever the
framing (``Transfer-Encoding: chunked`` has no length to check). Multipart uploads get the larger
cap of ``max_files_per_request`` files of ``max_upload_bytes`` each; any other body (JSON) gets
``max_body_bytes``.

``UploadParser`` is Starlette's multipart parser with our limits: more files than allowed is 413
``TOO_MANY_FILES`` when the first file too many begins, and no file keeps more than one byte over
the per-file cap (the rest of it is read and dropped), so nothing larger is ever spooled to disk
and the upload's own check still names the file that is too large (``FILE_TOO_LARGE``).
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Callable

from starlette.datastructures import FormData, Headers
from starlette.formparsers import MultiPartParser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.telemetry import GRAPHQL_KEY

MULTIPART = "multipart/form-data"
FORM_FIELDS = 8  # the GraphQL multipart request spec sends two fields: operations and map


class PayloadTooLarge(Exception):
    """The request body (or one part of it) is over a limit; answered 413 with ``code``."""

    code = "PAYLOAD_TOO_LARGE"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooManyFiles(PayloadTooLarge):
    code = "TOO_MANY_FILES"


def is_multipart(scope: Scope) -> bool:
    content_type = Headers(scope=scope).get("content-type", "")
    return content_type.lower().startswith(MULTIPART)


def upload_message(max_upload_bytes: int, max_files: int) -> str:
    mb = max_upload_bytes / (1024 * 1024)
    size = f"{mb:g}MB" if mb >= 1 else f"{max_upload_bytes // 1024}KB"
    return f"上传内容过大：每个文件不超过{size}，每次不超过{max_files}个文件"


def body_message(max_body_bytes: int) -> str:
    return f"请求内容过大：不超过{max_body_bytes / (1024 * 1024):g}MB"


async def refuse(send: Send, scope: Scope, exc: PayloadTooLarge) -> None:
    facts = scope.setdefault(GRAPHQL_KEY, {"operation_name": None, "error_codes": []})
    facts["error_codes"] = [exc.code]
    body = json.dumps({"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}, ensure_ascii=False)
    payload = body.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),  # the rest of the body is not read
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BodyLimit:
    """Caps each request body at ``limit(scope)`` bytes (see the module's docstring)."""

    def __init__(self, app: ASGIApp, limit: Callable[[Scope], tuple[int, str]]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, message = self.limit(scope)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await refuse(send, scope, PayloadTooLarge(message))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message_in = await receive()
            if message_in["type"] == "http.request":
                received += len(message_in.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(message)
            return message_in

        async def tracking_send(message_out: Message) -> None:
            nonlocal started
            if message_out["type"] == "http.response.start":
                started = True
            await send(message_out)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except PayloadTooLarge as exc:
            if started:
                raise
            await refuse(send, scope, exc)


class UploadParser(MultiPartParser):
    """Starlette's multipart parser, with the file count and the per-file cap applied while it reads."""

    def __init__(
        self,
        headers: Headers,
        stream: AsyncIterator[bytes],
        *,
        max_files: int,
        max_file_bytes: int,
        max_field_bytes: int,
    ) -> None:
        super().__init__(headers, stream, max_files=math.inf, max_fields=FORM_FIELDS, max_part_size=max_field_bytes)  # type: ignore[arg-type]
        self.file_limit = max_files
        self.max_file_bytes = max_file_bytes
        self.max_field_bytes = max_field_bytes
        self._file_bytes = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._file_bytes = 0

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        if self._current_part.file is not None and self._current_files > self.file_limit:
            raise TooManyFiles(f"每次最多上传{self.file_limit}个文件")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is None:
            if len(self._current_part.data) + end - start > self.max_field_bytes:
                raise PayloadTooLarge(body_message(self.max_field_bytes))
            super().on_part_data(data, start, end)
            return
        room = self.max_file_bytes + 1 - self._file_bytes  # one byte over: the upload check says "too large"
        if room <= 0:
            return
        end = min(end, start + room)
        self._file_bytes += end - start
        super().on_part_data(data, start, end)


async def parse_upload(
    headers: Headers, stream: AsyncIterator[bytes], *, max_files: int, max_file_bytes: int, max_field_bytes: int
) -> FormData:
    """The multipart form; ``MultiPartException`` when it is malformed, ``PayloadTooLarge`` over a limit."""
    parser = UploadParser(
        headers, stream, max_files=max_files, max_file_bytes=max_file_bytes, max_field_bytes=max_field_bytes
    )
    return await parser.parse()
