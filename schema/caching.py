"""HTTP caching of GraphQL answers, and the response cache's keys (the machinery: api/response_cache.py).

Who may be cached: an anonymous caller, and a kiosk device (a token without a sign-in session, of
an account holding the kiosk role only), whose answers depend on nothing but the places it is bound
to. What: a query none of whose root fields is private (schema/trusted.py), answered without errors.

- anonymous: ``Cache-Control: public, max-age=<GONGKAI_PUBLIC_MAX_AGE, default 0>, must-revalidate``
- kiosk: ``Cache-Control: private, max-age=0, must-revalidate`` (it carries a token)
- either with an ``ETag`` (a hash of the body); a GET whose ``If-None-Match`` holds it gets 304
- everything else (staff, mutations, answers with errors, refusals): ``Cache-Control: no-store``
- always ``Vary: Accept, Authorization``

The response cache keeps the answers of trusted queries (schema/trusted.py) by document id,
canonical variables, operation name, media type and audience; see schema/view.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson
from graphql import OperationDefinitionNode
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from api.auth.actor import Actor, is_device

from .trusted import public_operation

VARY = "Accept, Authorization"
NO_STORE = "no-store"
OPERATION_KEY = "gongkai.graphql.cacheable"  # the scope: whether the executed operation is a public query


def audience(actor: Actor) -> str | None:
    """Whose answers may be cached: ``anonymous``, ``kiosk:<bound paths>``, or None (staff)."""
    if actor.user is None:
        return "anonymous"
    if actor.session_id is None and is_device(actor.grants) and actor.kiosk_paths:
        return "kiosk:" + ",".join(sorted(set(actor.kiosk_paths)))
    return None


def cache_control(who: str, public_max_age: int) -> str:
    if who == "anonymous":
        return f"public, max-age={public_max_age}, must-revalidate"
    return "private, max-age=0, must-revalidate"


def canonical(value: Any) -> bytes:
    """Variables as a key: JSON with sorted keys (None and {} alike)."""
    return orjson.dumps(value or {}, option=orjson.OPT_SORT_KEYS)


def cache_version(versions: dict[str, int], today: date) -> tuple[int, str]:
    """What a cached answer is valid at: the content version, and the day (answers count days from today)."""
    return versions.get("content", -1), today.isoformat()


class RecordOperation(SchemaExtension):
    """Leaves in the request's scope whether the operation executed is a public query."""

    def on_execute(self) -> Iterator[None]:
        yield
        scope = getattr(getattr(self.execution_context.context, "request", None), "scope", None)
        document = self.execution_context.graphql_document
        if not isinstance(scope, dict) or document is None:
            return
        operation = get_operation_ast(document, self.execution_context.operation_name)
        scope[OPERATION_KEY] = isinstance(operation, OperationDefinitionNode) and public_operation(operation, document)
