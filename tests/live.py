"""A real `gongkai serve` in a subprocess, on loopback, for the tests that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@dataclass
class LiveServer:
    base_url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_with(self, text: str, timeout: float = 5) -> str:
        """The log once it holds ``text`` (a request's line is written after its answer has gone)."""
        deadline = time.monotonic() + timeout
        while text not in (log := self.log()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return log


def server_env(settings: Settings, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "GONGKAI_DATABASE_URL": settings.database_url,
        "GONGKAI_VAR_DIR": str(var_dir),
        "GONGKAI_PASSWORD_HASH": settings.password_hash,  # the tests' cheap argon2 parameters
    }
    env.pop("GONGKAI_ENV", None)
    env.update(extra)
    if env.get("GONGKAI_ENV") == "production" and "GONGKAI_PASSWORD_HASH" not in extra:
        env.pop("GONGKAI_PASSWORD_HASH")  # production refuses the cheap profile
    return env


@contextmanager
def live_server(
    settings: Settings,
    var_dir: Path,
    *,
    hosts: tuple[str, ...] = ("127.0.0.1",),
    workers: int = 1,
    env: dict[str, str] | None = None,
    database_url: str | None = None,
    ready_path: str = "/healthz",
) -> Iterator[LiveServer]:
    """Start `gongkai serve`, wait until it answers, stop it afterwards; its log goes to a file."""
    port = free_port()
    var_dir.mkdir(parents=True, exist_ok=True)
    environ = server_env(settings, var_dir, **(env or {}))
    if database_url:
        environ["GONGKAI_DATABASE_URL"] = database_url
    args = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)]
    for host in hosts:
        args += ["--host", host]
    log_path = var_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, env=environ, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}" if "127.0.0.1" in hosts else f"http://[{hosts[0]}]:{port}"
    server = LiveServer(base_url=base_url, port=port, process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base_url + ready_path, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
