"""An S3-compatible server for the tests: moto in server mode (`python -m moto.server`), a real HTTP
server in a subprocess on loopback; every test that asks for ``s3_url`` gets a bucket of its own."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .live import free_port

# Any key is accepted by moto; obstore (like every AWS client) reads them from the environment,
# and the `gongkai serve` processes of the tests inherit them.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "gongkai-test", "AWS_SECRET_ACCESS_KEY": "gongkai-test-secret"}


@dataclass
class MotoS3:
    endpoint: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def create_bucket(self) -> str:
        name = f"gongkai-{uuid.uuid4().hex[:12]}"
        response = httpx.put(f"{self.endpoint}/{name}", timeout=10)
        assert response.status_code == 200, response.text
        return name

    def url(self, bucket: str, prefix: str = "files") -> str:
        return f"s3://{bucket}/{prefix}?endpoint_url={self.endpoint}&region=us-east-1"


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoS3]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = MotoS3(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(server.endpoint + "/", timeout=2)
                break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"moto did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        with pytest.MonkeyPatch.context() as env:
            for name, value in CREDENTIALS.items():
                env.setenv(name, value)
            yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def s3_url(moto_s3: MotoS3) -> str:
    """GONGKAI_STORAGE_URL of a new, empty bucket on the test's moto server."""
    return moto_s3.url(moto_s3.create_bucket())


def unreachable_s3_url() -> str:
    """An s3:// URL whose endpoint is a loopback port with nothing listening."""
    return f"s3://gongkai-gone/files?endpoint_url=http://127.0.0.1:{free_port()}&region=us-east-1"
