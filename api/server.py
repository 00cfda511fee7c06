"""`gongkai serve`: gunicorn's arbiter with uvicorn workers, on sockets bound here.

The sockets are bound before gunicorn starts (IPv6 ones v6-only, so `0.0.0.0` and `::` can be
used together) and handed to gunicorn as `fd://N` binds; each worker process builds its own app
(engine, pool, Casbin enforcer) after the fork.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import sys
import tempfile
from typing import Any

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from api.logs import config_dict


class Worker(UvicornWorker):
    # The JSON request line of api.telemetry replaces uvicorn's access log. uvicorn's proxy_headers
    # would believe X-Forwarded-For from 127.0.0.1 (FORWARDED_ALLOW_IPS): the app decides whom to
    # believe instead, from GONGKAI_TRUSTED_PROXIES (api.telemetry.ForwardedFor).
    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "auto",
        "http": "auto",
        "access_log": False,
        "server_header": False,
        "proxy_headers": False,
    }


def bind(host: str, port: int) -> socket.socket | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if family == socket.AF_INET6:
            print(f"无法监听 [{host}]:{port}（{exc}），只用 IPv4。", file=sys.stderr)
            return None
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from api.app import create_app

        app = create_app()
        # The worker's schema, models and routes (some 180,000 objects) live as long as it does; a
        # full collection walking them holds the GIL for over 100 ms and stalls every request.
        # Frozen, they are left out of every collection.
        gc.collect()
        gc.freeze()
        return app


def serve(hosts: list[str], port: int, workers: int, timeout: int = 60) -> None:
    sockets = [s for s in (bind(h, port) for h in hosts) if s is not None]
    # Metrics of every worker meet in one directory, fresh for each start of the server.
    metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    own_metrics_dir = not metrics_dir
    if own_metrics_dir:
        metrics_dir = tempfile.mkdtemp(prefix="gongkai-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    for h in hosts:
        print(f"GraphQL: http://{f'[{h}]' if ':' in h else h}:{port}/graphql", file=sys.stderr)
    options = {
        "bind": [f"fd://{s.fileno()}" for s in sockets],
        "workers": workers,
        "worker_class": "api.server.Worker",
        "timeout": timeout,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": None,
        "logconfig_dict": config_dict(),
        "child_exit": _child_exit,
        "proc_name": "gongkai",
        # gunicorn's control socket is one file per user: two servers would fight over it.
        "control_socket_disable": True,
    }
    try:
        Server(options).run()
    finally:
        if own_metrics_dir and metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
