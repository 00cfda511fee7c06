"""Parsing and validation: cached, off the event loop when new, with the limit rules built once.

strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` make a new rule class per instance,
and its ``ValidationCache`` keys on the rule classes: built per request, the cache never hit.
Here the rules are made once per schema and added to every request (``AddValidationRules``),
so a document seen before is validated from the cache.

A document not seen before is parsed and validated in a worker thread: a new 2,000-token
document takes tens of milliseconds for each, which must slow other requests down, not stop them.
A document seen before costs a dictionary lookup on the event loop, keyed by its text (hashing a
``DocumentNode`` walks the whole tree).

In production no message suggests names ("Did you mean 'documents'?"): they map the schema for a
caller that cannot introspect it. graphql-core's ``validate`` and ``execute`` (variables' enum
values) both take ``hide_suggestions``; strawberry passes neither.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Any, Generic, TypeVar

import anyio
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

# strawberry's own rules, which its ``validate_document`` adds to the specified ones
STRAWBERRY_RULES: tuple[type[ASTValidationRule], ...] = (MaybeNullValidationRule, OneOfInputValidationRule)
CACHE_SIZE = 256
CACHE_BUDGET = 128 * 1024  # characters of query text: the front ends' operations are 12 KB in all

V = TypeVar("V")


def limit_rules(max_depth: int, max_aliases: int) -> Callable[[], AddValidationRules]:
    """A factory of the extension adding the depth and alias rules, the same classes every request."""
    rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    return lambda: AddValidationRules(rules)


class Recent(Generic[V]):
    """The most recent values by key, at most ``size`` of them and ``budget`` characters of query
    text in all; used on the event loop only (no lock).

    The budget matters: every node of a cached document is an object the garbage collector walks
    in each full collection, so 256 documents of 2,000 tokens would cost every request that
    triggers one a pause of ~100 ms. Only documents that passed are cached (an attacker's new
    documents, refused, never displace the front ends' ones).
    """

    def __init__(self, size: int = CACHE_SIZE, budget: int = CACHE_BUDGET) -> None:
        self.size = size
        self.budget = budget
        self.values: OrderedDict[tuple[Any, ...], tuple[V, int]] = OrderedDict()
        self.weight = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> V | None:
        found = self.values.get(key)
        if found is None:
            self.misses += 1
            return None
        self.values.move_to_end(key)
        self.hits += 1
        return found[0]

    def put(self, key: tuple[Any, ...], value: V, weight: int) -> None:
        if weight > self.budget or key in self.values:
            return
        self.values[key] = (value, weight)
        self.weight += weight
        while len(self.values) > self.size or self.weight > self.budget:
            _, (_, dropped) = self.values.popitem(last=False)
            self.weight -= dropped


DOCUMENTS: Recent[DocumentNode] = Recent()
VALIDATIONS: Recent[list[GraphQLError]] = Recent()


class CachedParse(SchemaExtension):
    """Parses through ``DOCUMENTS``; a new document in a worker thread, cached once it is executed.

    A document that does not parse is left to strawberry (``graphql_document`` stays None), which
    parses it again and answers the syntax error as a request error that the other extensions see
    (``ErrorShaping`` gives it its code); the token limit bounds that second parse.
    """

    def __init__(self) -> None:
        super().__init__()
        self.new: tuple[tuple[Any, ...], DocumentNode] | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            options = context.parse_options
            key = (context.query, *sorted(options.items()))
            document = DOCUMENTS.get(key)
            if document is None:
                try:
                    document = await anyio.to_thread.run_sync(partial(parse, context.query, **options))
                except GraphQLError:
                    document = None
                else:
                    self.new = (key, document)
            context.graphql_document = document
        yield

    def on_execute(self) -> Iterator[None]:
        if self.new is not None:  # it passed its cost and validation
            DOCUMENTS.put(*self.new, weight=len(self.execution_context.query or ""))
        yield


def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> list[GraphQLError]:
    return validate(schema, document, (*rules, *STRAWBERRY_RULES), hide_suggestions=hide_suggestions)


class CachedValidation(SchemaExtension):
    """strawberry's validation through ``VALIDATIONS``, a new document in a worker thread; optionally
    without suggestions. A document already refused (by its cost) is not validated."""

    def __init__(self, hide_suggestions: bool = False) -> None:
        super().__init__()
        self.hide_suggestions = hide_suggestions

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            schema = context.schema._schema
            key = (schema, context.query, context.validation_rules, self.hide_suggestions)
            errors = VALIDATIONS.get(key) if context.query else None
            if errors is None:
                run = partial(_validate, schema, document, context.validation_rules, self.hide_suggestions)
                errors = await anyio.to_thread.run_sync(run)
                if context.query and not errors:  # errors hold the document's nodes: not worth keeping
                    VALIDATIONS.put(key, errors, weight=len(context.query))
            context.pre_execution_errors = list(errors)
        yield


def cache_info() -> tuple[int, int]:
    """The validation cache's hits and misses (for the tests)."""
    return VALIDATIONS.hits, VALIDATIONS.misses
