"""The GraphQL schema: the areas' queries and mutations merged, with limits and caches."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay as strawberry_relay
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter
from strawberry.relay import GlobalIDValueError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.errors import Forbidden, Unauthenticated, UserInputError, is_unavailable
from api.settings import Settings

from .accounts.mutations import AccountsMutation
from .accounts.queries import AccountsQuery
from .audit.queries import AuditQuery
from .audit.refusals import RecordRefusals
from .bounds import InputBounds
from .caching import RecordOperation
from .catalog.mutations import CatalogMutation
from .catalog.queries import CatalogQuery
from .channels.mutations import ChannelsMutation
from .channels.queries import ChannelsQuery
from .codes import ERROR_CODE_ENUMS
from .columns.queries import ColumnsQuery
from .commitments.mutations import CommitmentsMutation
from .commitments.queries import CommitmentsQuery
from .cost import CostLimit
from .documents.mutations import DocumentsMutation
from .documents.queries import DocumentsQuery
from .domains.mutations import DomainsMutation
from .domains.queries import DomainsQuery
from .errors import INVALID_ID_MESSAGE, ErrorShaping, ProductionErrorShaping
from .labels import LabelsQuery, describe_arguments, describe_values
from .micropower.mutations import MicropowerMutation
from .micropower.queries import MicropowerQuery
from .relay import check_node_reads, node_key
from .reports.annual import AnnualReportMutation, AnnualReportQuery
from .reports.monthly import ReportsMutation, ReportsQuery
from .requests.mutations import RequestsMutation
from .requests.queries import RequestsQuery
from .screening.mutations import ScreeningMutation
from .screening.queries import ScreeningQuery
from .search.local import LocalQuery
from .search.mutations import SearchMutation
from .search.queries import SearchQuery
from .subscriptions import Subscription
from .units.mutations import UnitsMutation
from .units.queries import UnitsQuery
from .validation import CachedParse, CachedValidation, limit_rules


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when there is none.")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> strawberry_relay.Node | None:
        return await parse_node_id(info, id).resolve_node(info, required=False)


def parse_node_id(info: strawberry.Info, value: str) -> strawberry_relay.GlobalID:
    """A global id of a Node type with a numeric key, or BAD_USER_INPUT (reason INVALID_ID) naming ``id``."""
    try:
        gid = strawberry_relay.GlobalID.from_id(value)
        gid.resolve_type(info)
    except GlobalIDValueError as exc:
        raise UserInputError("id", "INVALID_ID", INVALID_ID_MESSAGE) from exc
    if node_key(gid.node_id) is None:
        raise UserInputError("id", "INVALID_ID", INVALID_ID_MESSAGE)
    return gid


EXPECTED = (Forbidden, Unauthenticated, UserInputError)
CLIENT_ERRORS = (*EXPECTED, GlobalIDValueError, StrawberryInputCoercionError)

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
        ColumnsQuery,
        MicropowerQuery,
        LocalQuery,
        RequestsQuery,
        ReportsQuery,
        AnnualReportQuery,
        LabelsQuery,
        CommitmentsQuery,
        ScreeningQuery,
        ChannelsQuery,
    ),
)
describe_values()
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
        SearchMutation,
        CommitmentsMutation,
        ScreeningMutation,
        ChannelsMutation,
    ),
)


log = logging.getLogger("gongkai.graphql")


class GongkaiSchema(strawberry.Schema):
    hide_suggestions = False  # production: no "Did you mean ...?" in variables' coercion errors either

    def _get_custom_context_kwargs(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # what strawberry passes on to graphql-core's execute (which takes hide_suggestions)
        return {**super()._get_custom_context_kwargs(*args, **kwargs), "hide_suggestions": self.hide_suggestions}

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log what went wrong unexpectedly; refusals and input errors are answers, not faults.

        Never the query text or the variables (``str(error)`` would print the query's source
        lines): the operation name, the path, the exception's type and its traceback. An outage
        of the database is one warning line per request.
        """
        operation = execution_context.operation_name if execution_context is not None else None
        unavailable = False
        for error in errors:
            original = error.original_error
            path = list(error.path or [])
            if isinstance(original, CLIENT_ERRORS):
                continue  # refusals and input errors are answers, not faults
            if original is None or isinstance(original, GraphQLError):
                if error.path is not None:  # e.g. null for a non-null field; without a path: a request error
                    log.error("GraphQL error: operation %r at %s: %s", operation, path, error.message)
            elif is_unavailable(original):
                if not unavailable:
                    log.warning(
                        "database unavailable: operation %r, %s at %s", operation, type(original).__name__, path
                    )
                unavailable = True
            else:
                log.error(
                    "unexpected error: operation %r at %s: %s",
                    operation,
                    path,
                    type(original).__name__,
                    exc_info=original,
                )


def build_schema(settings: Settings) -> strawberry.Schema:
    production = settings.production
    extensions: list[Callable[[], Any] | type] = [
        ProductionErrorShaping if production else ErrorShaping,
        limit_rules(settings.max_query_depth, settings.max_aliases),  # rule classes made once: the cache hits
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        CachedParse,  # a new document is parsed in a worker thread (schema/validation.py)
        lambda: CostLimit(settings.max_query_cost),  # before validation: the objects it may produce (schema/cost.py)
        lambda: CachedValidation(hide_suggestions=production),
        InputBounds,  # before execution: every input value within its bounds (schema/bounds.py)
        RecordRefusals,  # after execution: a FORBIDDEN mutation leaves an audit row (schema/audit/refusals.py)
        RecordOperation,  # after execution: whether it was a public query, for HTTP caching (schema/caching.py)
    ]
    if production:
        extensions.append(DisableIntrospection)
    built = GongkaiSchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions, types=ERROR_CODE_ENUMS
    )
    built.hide_suggestions = production
    describe_arguments(built._schema)
    check_node_reads(built)  # a Node type without a read rule fails to build
    return built


schema = build_schema(Settings())
