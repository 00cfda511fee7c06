"""GraphQL over HTTP: the answer's media type (from Accept) and its status code.

The GraphQL-over-HTTP spec: ``application/graphql-response+json`` when the client asks for it,
else ``application/json``. Under ``application/graphql-response+json`` an answer without
``data`` (a request error: parse, validation, variable coercion, no such operation) is 400,
or 500/503 when the server failed before executing; an execution result (``data`` present, even
null) is 200. Under ``application/json`` every well-formed request is answered 200.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from api.telemetry import GRAPHQL_KEY

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
SUPPORTED = (JSON, GRAPHQL_RESPONSE)  # the first is the default

# What the view leaves in the ASGI scope for logging and metrics:
# {"operation_name": str | None, "error_codes": list[str]}
FACTS_KEY = GRAPHQL_KEY
# The view's own note from process_result to the response: whether the answer has no ``data``.
NO_DATA_KEY = "gongkai.graphql.no_data"


def negotiate(accept: str | None) -> str:
    """The supported media type the Accept header prefers; application/json without a preference.

    Highest q wins; between equal q, an exact type beats ``application/*`` beats ``*/*``, then the
    one listed first; ``*/*`` alone, a missing header or one naming nothing we serve: JSON.
    """
    if not accept or not accept.strip():
        return JSON
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(accept.split(",")):
        media, _, params = part.partition(";")
        media = media.strip().lower()
        if not media:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        ranges.append((media, q, index))

    best: tuple[tuple[float, int, int, int], str] | None = None
    for preference, supported in enumerate(SUPPORTED):
        kind = supported.split("/")[0]
        match: tuple[int, float, int] | None = None  # (specificity, q, index) of the most specific range
        for media, q, index in ranges:
            specificity = 2 if media == supported else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if specificity >= 0 and (match is None or specificity > match[0]):
                match = (specificity, q, index)
        if match is None or match[1] <= 0:
            continue
        rank = (match[1], match[0], -match[2], -preference)
        if best is None or rank > best[0]:
            best = (rank, supported)
    return best[1] if best else JSON


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8"


def status_for(media_type: str, no_data: bool, codes: Sequence[str]) -> int:
    """The status of an answer the schema produced."""
    if media_type != GRAPHQL_RESPONSE or not no_data:
        return 200
    if "SERVICE_UNAVAILABLE" in codes:
        return 503
    if "INTERNAL_SERVER_ERROR" in codes:
        return 500
    return 400


def error_codes(body: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[str]:
    """extensions.code of each error of an answer (or of each answer of a batch)."""
    answers = [body] if isinstance(body, Mapping) else list(body)
    codes: list[str] = []
    for answer in answers:
        for error in answer.get("errors") or []:
            code = (error.get("extensions") or {}).get("code") if isinstance(error, Mapping) else None
            if isinstance(code, str):
                codes.append(code)
    return codes
