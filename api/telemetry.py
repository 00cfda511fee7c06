"""Per request: a request id, one JSON log line, Prometheus metrics, and a JSON answer for a fault.

With several worker processes, prometheus-client's multiprocess mode is used: the server sets
PROMETHEUS_MULTIPROC_DIR before any worker starts, each worker writes its samples there, and
/metrics adds them up.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ServiceUnavailable, is_unavailable
from api.logs import FIELDS, request_id

log = logging.getLogger("gongkai.request")
fault_log = logging.getLogger("gongkai.fault")

REQUESTS = Counter(
    "gongkai_requests", "Requests answered, by GraphQL operation (or route) and outcome", ["operation", "outcome"]
)
LATENCY = Histogram(
    "gongkai_request_duration_seconds",
    "Time to answer a request, by GraphQL operation (or route)",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
POOL_IN_USE = Gauge(
    "gongkai_db_pool_in_use", "Database connections checked out of the pool", multiprocess_mode="livesum"
)

GRAPHQL_KEY = "gongkai.graphql"  # what the GraphQL view leaves in the scope: operation_name, error_codes
USER_ERRORS_KEY = "gongkai.user_errors"  # codes of the UserErrors that mutation payloads carried
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
OPERATION_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
QUIET = {"/healthz", "/readyz", "/metrics"}
ROUTES = {"/graphql", "/files", "/exports", "/graphiql", "/kiosk"}
MAX_OPERATIONS = 500  # distinct operation labels per process; later names count as "other"
_operations: set[str] = set()


def operation_label(name: object) -> str:
    if not isinstance(name, str) or not OPERATION_NAME.match(name):
        return "anonymous"
    if name not in _operations:
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(name)
    return name


def outcome_of(status: int, codes: list[str], user_errors: list[str] | None = None) -> str:
    """ok, rejected (payload UserErrors), error (GraphQL errors, 4xx), unavailable, fault."""
    if status >= 500 or "INTERNAL_SERVER_ERROR" in codes:
        return "unavailable" if status == 503 or "SERVICE_UNAVAILABLE" in codes else "fault"
    if "SERVICE_UNAVAILABLE" in codes:
        return "unavailable"
    if status >= 400 or codes:
        return "error"
    return "rejected" if user_errors else "ok"


def metrics_text() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def error_body(exc: BaseException) -> tuple[int, bytes]:
    if is_unavailable(exc):
        status, message, code = 503, ServiceUnavailable().message, ServiceUnavailable.code
    else:
        status, message, code = 500, "服务器内部错误，请稍后重试", "INTERNAL_SERVER_ERROR"
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return status, json.dumps(body, ensure_ascii=False).encode()


class Telemetry:
    """The outermost middleware: nothing escapes it as a stack trace or a dropped connection."""

    def __init__(self, app: ASGIApp, pool_in_use: Callable[[], int]) -> None:
        self.app = app
        self.pool_in_use = pool_in_use

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if is_unavailable(exc):
                fault_log.warning("database unavailable: %s", type(exc).__name__)
            else:
                fault_log.exception("unexpected error")
            if status == 0:
                code, body = error_body(exc)
                await send_with_id(
                    {
                        "type": "http.response.start",
                        "status": code,
                        "headers": [
                            (b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            *([(b"retry-after", b"2")] if code == 503 else []),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
        finally:
            self.record(scope, status, time.perf_counter() - started)
            request_id.reset(token)

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        path = scope.get("path", "")
        try:
            POOL_IN_USE.set(self.pool_in_use())
        except Exception:  # a pool without a count: no gauge, never a failed request
            pass
        if path in QUIET:
            return
        facts: dict[str, Any] = scope.get(GRAPHQL_KEY) or {}
        codes = [c for c in facts.get("error_codes", []) if isinstance(c, str)]
        if path == "/graphql" and (scope.get("method") == "POST" or facts):
            operation = operation_label(facts.get("operation_name"))
        else:
            prefix = "/" + path.split("/")[1] if path.count("/") else path
            operation = prefix if prefix in ROUTES else "other"
        user_errors = [c for c in scope.get(USER_ERRORS_KEY, []) if isinstance(c, str)]
        outcome = outcome_of(status, codes, user_errors)
        REQUESTS.labels(operation, outcome).inc()
        LATENCY.labels(operation).observe(seconds)
        user = scope.get("user")
        fields = {
            "event": "request",
            "method": scope.get("method"),
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "operation": operation,
            "outcome": outcome,
            "user_id": getattr(user, "user_id", None),
        }
        if codes:
            fields["error_codes"] = sorted(set(codes))
        if user_errors:
            fields["user_error_codes"] = sorted(set(user_errors))
        log.info("request", extra={FIELDS: fields})


class ForwardedFor:
    """The client's address (the one audit rows record): the peer's, or, when the peer is one of
    GONGKAI_TRUSTED_PROXIES, the address that proxy says in ``X-Forwarded-For``.

    Hops are read from the right (each proxy appends the address it saw): trusted proxies are
    skipped, and the first address that is not one is the client. A malformed hop ends the walk
    at the last address believed. With no trusted proxy nobody's header is believed, not even a
    proxy's on the same host (uvicorn's own proxy_headers is off, api/server.py).
    """

    def __init__(self, app: ASGIApp, trusted: tuple[str, ...]) -> None:
        self.app = app
        self.networks = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def trusts(self, host: str) -> bool:
        address = _address(host)
        return address is not None and any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and self.networks and client and self.trusts(client[0]):
            hops = [
                hop.strip()
                for name, value in scope.get("headers") or []
                if name == b"x-forwarded-for"
                for hop in value.decode("latin-1").split(",")
            ]
            believed = client[0]
            for hop in reversed(hops[-32:]):
                address = _address(hop)
                if address is None:
                    break
                believed = str(address)
                if not any(address in network for network in self.networks):
                    break
            scope["client"] = (believed, 0 if believed != client[0] else client[1])
        await self.app(scope, receive, send)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address, also as ``[v6]:port`` or ``v4:port``; None for anything else."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address
