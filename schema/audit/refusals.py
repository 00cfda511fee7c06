"""A FORBIDDEN answer to a signed-in actor's mutation leaves an audit row (安全审计: 对重要的用户行为
和重要安全事件进行审计), written in a transaction of its own after the operation ran."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.errors import Forbidden
from api.services import audit

log = logging.getLogger("gongkai.audit")


class RecordRefusals(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context
        if context.operation_type is not OperationType.MUTATION:
            return
        refusals = []
        for error in getattr(context.result, "errors", None) or []:
            if isinstance(error.original_error, Forbidden):
                field = error.nodes[0].name.value if error.nodes else str((error.path or ["?"])[0])  # type: ignore[attr-defined]
                refusals.append((field, error.original_error))
        if not refusals:
            return
        try:
            await audit.record_refusals(context.context.session, context.context.actor, refusals)
        except Exception:
            log.exception("could not record %d refused mutation(s) in the audit log", len(refusals))
