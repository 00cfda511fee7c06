"""The strawberry ASGI view: the context comes from what the endpoint opened for the request."""

from __future__ import annotations

from typing import Any

from strawberry.asgi import GraphQL

from .context import SCOPE_KEY, AppState, Context, RequestScope


class GongkaiGraphQL(GraphQL[Context, None]):
    def __init__(self, state: AppState, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = state

    async def get_context(self, request: Any, response: Any) -> Context:
        scoped: RequestScope = request.scope[SCOPE_KEY]
        return Context(
            request=request,
            response=response,
            session=scoped.session,
            actor=scoped.actor,
            settings=self.state.settings,
            storage=self.state.storage,
            vault=self.state.vault,
        )
