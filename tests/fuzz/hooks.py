"""Schemathesis checks and scalars of our own (loaded through SCHEMATHESIS_HOOKS by tests/fuzz/run.py)."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

# Decimal travels as a string; Upload cannot be sent in a JSON body (tests/schema/test_attachments.py
# sends real multipart uploads), so the fuzzer sends null and the server must say what is missing.
schemathesis.graphql.scalar(
    "Decimal", st.one_of(st.decimals(allow_nan=True).map(str), st.text(max_size=20)).map(nodes.String)
)
schemathesis.graphql.scalar("Upload", st.just(nodes.Null))

STACK_TRACE = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+|sqlalchemy\.exc\.|asyncpg\."
)


def _errors(response: Any) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"not JSON: {response.status_code} {response.text[:200]!r}") from None
    return list(body.get("errors") or []) if isinstance(body, dict) else []


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: Any) -> None:
    """No 5xx, and no GraphQL error that is the server's fault (INTERNAL_SERVER_ERROR)."""
    if response.status_code >= 500:
        raise AssertionError(f"{response.status_code}: {response.text[:300]}")
    for error in _errors(response):
        if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR":
            raise AssertionError(f"INTERNAL_SERVER_ERROR at {error.get('path')}: {error.get('message')!r}")


@schemathesis.check
def no_stack_trace(ctx: Any, response: Any, case: Any) -> None:
    """No answer carries a Python traceback, a source path or a driver's exception."""
    found = STACK_TRACE.search(response.text or "")
    if found:
        raise AssertionError(f"the response shows internals: {found.group(0)!r}")


@schemathesis.check
def every_error_has_a_code(ctx: Any, response: Any, case: Any) -> None:
    """Every GraphQL error names its kind in extensions.code (issue 9), whatever the input."""
    for error in _errors(response):
        if not (error.get("extensions") or {}).get("code"):
            raise AssertionError(f"an error without extensions.code: {error.get('message')!r}")
