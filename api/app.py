"""create_app(settings) -> Starlette: /graphql, /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.auth.actor import load_actor
from api.auth.backend import BearerTokenBackend, on_auth_error
from api.auth.enforcer import Authorizer
from api.db import make_engine, make_sessionmaker
from api.errors import Unauthenticated
from api.settings import Settings
from schema import build_schema
from schema.context import SCOPE_KEY, AppState, Context, RequestScope, client_addr


class GongkaiGraphQL(GraphQL[Context, None]):
    def __init__(self, state: AppState, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = state

    async def get_context(self, request: Any, response: Any) -> Context:
        scoped: RequestScope = request.scope[SCOPE_KEY]
        return Context(
            request=request, response=response, session=scoped.session, actor=scoped.actor, settings=self.state.settings
        )


class GraphQLEndpoint:
    """Opens the request's session and loads the actor around the GraphQL view; always closes it."""

    def __init__(self, state: AppState, view: GongkaiGraphQL) -> None:
        self.state = state
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        user_id = getattr(request.user, "user_id", None) if "user" in scope else None
        async with self.state.sessionmaker() as session:
            try:
                actor = await load_actor(session, self.state.authorizer, user_id, client_addr(request))
            except Unauthenticated as exc:
                await on_auth_error(request, exc)(scope, receive, send)
                return
            scope[SCOPE_KEY] = RequestScope(session=session, actor=actor)
            await self.view(scope, receive, send)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    state = AppState(
        settings=settings, sessionmaker=make_sessionmaker(engine), authorizer=Authorizer(engine, settings.policy_dir)
    )
    view = GongkaiGraphQL(
        state,
        schema=build_schema(settings),
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=False,
    )

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await state.authorizer.ensure_loaded()
        yield
        await engine.dispose()

    app = Starlette(
        routes=[Route("/graphql", GraphQLEndpoint(state, view), methods=["GET", "POST"]), Route("/healthz", healthz)],
        middleware=[
            Middleware(
                AuthenticationMiddleware, backend=BearerTokenBackend(settings.secret_key), on_error=on_auth_error
            )
        ],
        lifespan=lifespan,
    )
    app.state.gongkai = state
    app.state.engine = engine
    return app
