"""Files in an S3-compatible bucket through obstore (Rust's object_store): an async client, so no
request waits in a thread, and one small dependency without botocore.

The credentials come from the standard AWS_* environment variables (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, ...), read by obstore when the store is made; the bucket,
prefix, endpoint and region from GONGKAI_STORAGE_URL (api/settings.py: parse_storage_url)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread
import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from api.settings import S3Location
from api.storage import READ_CHUNK, StoredFile, key, store_unavailable

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig

# A store that does not answer fails a request within seconds, not after object_store's default
# 10 retries over 3 minutes. The whole-request timeout also bounds streaming a download to a slow client.
RETRY: RetryConfig = {
    "max_retries": 2,
    "retry_timeout": timedelta(seconds=10),
    "backoff": {"init_backoff": timedelta(milliseconds=100), "max_backoff": timedelta(seconds=1), "base": 2},
}
UNREACHABLE = "对象存储无法连接"


def _reason(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


class S3Storage:
    def __init__(self, location: S3Location) -> None:
        self.location = location
        client: ClientConfig = {"connect_timeout": timedelta(seconds=5), "timeout": timedelta(minutes=10)}
        if location.endpoint_url and location.endpoint_url.startswith("http://"):
            client["allow_http"] = True
        options: dict[str, str] = {}
        if location.endpoint_url:
            options["endpoint"] = location.endpoint_url
        if location.region:
            options["region"] = location.region
        self.store = S3Store(
            location.bucket,
            prefix=location.prefix or None,
            client_options=client,
            retry_config=RETRY,
            **options,  # type: ignore[arg-type]
        )

    def __repr__(self) -> str:
        return f"S3Storage(s3://{self.location.bucket}/{self.location.prefix})"

    async def exists(self, sha256: str) -> bool:
        try:
            await obstore.head_async(self.store, key(sha256))
        except FileNotFoundError:  # obstore's not-found is the built-in one
            return False
        except (BaseError, OSError) as exc:
            raise store_unavailable("files", UNREACHABLE) from exc
        return True

    async def put(self, sha256: str, source: Path) -> bool:
        if await self.exists(sha256):
            await anyio.to_thread.run_sync(lambda: source.unlink(missing_ok=True))
            return False
        try:
            await obstore.put_async(self.store, key(sha256), source)
        except (BaseError, OSError) as exc:
            raise store_unavailable("files", UNREACHABLE) from exc
        await anyio.to_thread.run_sync(lambda: source.unlink(missing_ok=True))
        return True

    async def read(self, sha256: str) -> StoredFile | None:
        try:
            result = await obstore.get_async(self.store, key(sha256))
        except FileNotFoundError:  # obstore's not-found is the built-in one
            return None
        except (BaseError, OSError) as exc:
            raise store_unavailable("id", UNREACHABLE, saving=False) from exc

        async def chunks() -> AsyncIterator[bytes | memoryview]:
            async for chunk in result.stream(min_chunk_size=READ_CHUNK):
                yield memoryview(chunk)

        return StoredFile(int(result.meta["size"]), chunks())

    async def delete(self, sha256: str) -> None:
        try:
            await obstore.delete_async(self.store, key(sha256))
        except FileNotFoundError:  # obstore's not-found is the built-in one
            pass
        except (BaseError, OSError) as exc:
            raise store_unavailable("files", UNREACHABLE) from exc

    async def check(self) -> str | None:
        try:
            await obstore.put_async(self.store, ".ready", b"ok")
        except (BaseError, OSError) as exc:
            return f"unreachable: s3://{self.location.bucket}: {_reason(exc)}"
        return None
