"""The GraphQL schema: the areas' queries and mutations merged, with limits and caches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay as strawberry_relay
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.errors import Forbidden, Unauthenticated, UserInputError
from api.settings import Settings

from .accounts.mutations import AccountsMutation
from .accounts.queries import AccountsQuery
from .audit.queries import AuditQuery
from .catalog.mutations import CatalogMutation
from .catalog.queries import CatalogQuery
from .documents.mutations import DocumentsMutation
from .documents.queries import DocumentsQuery
from .domains.mutations import DomainsMutation
from .domains.queries import DomainsQuery
from .errors import ErrorShaping, ProductionErrorShaping
from .micropower.mutations import MicropowerMutation
from .micropower.queries import MicropowerQuery
from .reports.annual import AnnualReportMutation, AnnualReportQuery
from .reports.monthly import ReportsMutation, ReportsQuery
from .requests.mutations import RequestsMutation
from .requests.queries import RequestsQuery
from .search.local import LocalQuery
from .search.queries import SearchQuery
from .units.mutations import UnitsMutation
from .units.queries import UnitsQuery


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when there is none.")
    async def node(self, info: strawberry.Info, id: strawberry_relay.GlobalID) -> strawberry_relay.Node | None:
        return await id.resolve_node(info, required=False)


EXPECTED = (Forbidden, Unauthenticated, UserInputError)

Query = merge_types(
    "Query",
    (
        NodeQuery,
        UnitsQuery,
        DomainsQuery,
        DocumentsQuery,
        AccountsQuery,
        AuditQuery,
        SearchQuery,
        CatalogQuery,
        MicropowerQuery,
        LocalQuery,
        RequestsQuery,
        ReportsQuery,
        AnnualReportQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        UnitsMutation,
        DomainsMutation,
        DocumentsMutation,
        CatalogMutation,
        MicropowerMutation,
        RequestsMutation,
        ReportsMutation,
        AnnualReportMutation,
        AccountsMutation,
    ),
)


class GongkaiSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log what went wrong unexpectedly; refusals and input errors are answers, not faults."""
        unexpected = [e for e in errors if not isinstance(e.original_error, EXPECTED)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(settings: Settings) -> strawberry.Schema:
    extensions: list[Callable[[], Any] | type] = [
        ProductionErrorShaping if settings.production else ErrorShaping,
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    if settings.production:
        extensions.append(DisableIntrospection)
    return GongkaiSchema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema(Settings())
