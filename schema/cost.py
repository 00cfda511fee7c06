"""The cost of a query, computed before it runs: how many objects it may produce.

Every field that returns an object (or a list of objects) counts the objects it may return,
multiplied by how many times its parent may occur: a connection's ``edges`` count the page size
(``first``, capped at the service's page cap, or the default page), a plain list its declared
bound in ``LIST_BOUNDS``. Scalars are free (the token limit bounds how many a query names).
``{ documents(first: 100) { edges { node { title publisher { name } } } } }`` costs
1 + 100 + 100 + 100 = 301. A query over ``max_query_cost`` is refused before validation and
execution with ``QUERY_TOO_COSTLY`` and its ``cost`` and ``limit`` in ``extensions``.

The cost is linear in the multiplier, so each fragment is costed once however often it is spread.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from api.services.pages import DEFAULT_PAGE, MAX_PAGE

CODE = "QUERY_TOO_COSTLY"

# The most items each plain (non-connection) list of objects returns: a fact of the domain where
# there is one (26 domains, 4 assessment factors, the annual report's fixed tables), else a
# real-world maximum (a county has well under 100 departments). A list not named here
# counts as a full page (MAX_PAGE) and fails a test (``undeclared_lists``); a connection's edges
# count ``first``.
LIST_BOUNDS: dict[str, int] = {
    "Query.domains": 26,  # the 26 domains of the 2021 plan
    "Query.webhooks": 20,  # api/services/channels/webhooks.py MAX_WEBHOOKS per unit
    "Query.webhookDeliveries": 100,  # LOG_ROWS
    "WebhookDelivery.attempts": 50,  # GONGKAI_WEBHOOK_MAX_ATTEMPTS, at most 50
    "Query.platformColumns": 5,  # 国办公开办函〔2019〕61号: 政策, 指南, 制度, 法定主动公开内容, 年度报告
    "PlatformColumn.children": 15,  # the 15 items of Art. 20 under 法定主动公开内容
    "PlatformColumn.catalogItems": 200,  # a county catalog's rows for one column and unit
    "LocalItemsChange.documents": 100,  # schema/subscriptions.py MAX_CHANGED
    "Query.staleCatalogItems": 1000,
    "Query.powerTemplate": 200,
    "Query.villagePowerList": 200,
    "Query.unitDirectory": 200,
    "Query.assessment": 500,
    "Unit.ancestors": 6,  # county, town, village: never more than a handful
    "Unit.organizations": 100,  # a county has 40 to 80 departments; a town a handful
    "Unit.domainAssignments": 100,  # a county's 26 domains, one or a few organizations each
    "Organization.contacts": 5,  # 分管领导 and one to a few 工作人员
    "Domain.assignments": 50,  # a domain is assigned to one or a few organizations per county
    "Document.attachments": 20,
    "Document.versions": 20,
    "Document.events": 50,
    "Document.interpretations": 10,
    "DocumentVersion.attachments": 20,
    "DocumentVersion.screeningFindings": 200,  # api/services/screening MAX_FINDINGS
    "Attachment.sizes": 2,  # api/photos.py SIZES
    "CatalogItem.organizations": 50,
    "User.grants": 20,
    "InfoRequest.events": 50,
    "InfoRequest.appeals": 10,
    "InfoRequest.notices": 20,  # one per notice step: correction, letters to third parties, extension, fee, reply
    "InfoRequestStatus.notices": 20,
    "Query.feeStandards": 2,  # one per FeeMethod
    "FeeStandard.tiers": 10,  # MAX_TIERS (api/services/requests/fees.py)
    "Query.noticeTemplates": 5,  # one per NoticeKind
    "Query.enumLabels": 500,  # every labelled value of every enum (api/services/labels.py)
    "Query.infoRequestRegister": 1000,  # REGISTER_ROWS: more by the export (api/services/requests/register.py)
    "InfoRequestRegisterRow.steps": 30,
    "MonthlyReport.items": 500,
    "MonthlyReport.staleItems": 200,
    "MonthlyCircular.rows": 500,
    "MonthlyCircular.overdueMilestones": 500,
    "Commitment.milestones": 50,  # MAX_MILESTONES (api/services/commitments.py)
    "Commitment.progress": 50,  # MAX_PROGRESS
    "Commitment.events": 100,
    "CommitmentProgress.evidence": 5,  # MAX_EVIDENCE
    "AssessmentRow.factors": 4,  # 超任务数、及时性、准确性、专题任务
    "AnnualReportTable2.blocks": 10,
    "AnnualReportTable2Block.rows": 10,
    "AnnualReportTable2Row.cells": 10,
    "AnnualReportTable3.columnGroups": 10,
    "AnnualReportTable3.rows": 40,
    "AnnualReportTable4.groups": 10,
    "ImportCatalogPayload.errors": 101,  # the first 100 errors and the count
}
PAYLOAD_ERRORS = 10  # ``errors`` of any other mutation payload: one or a few UserErrors


def is_connection(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "edges" in named.fields


def undeclared_lists(schema: GraphQLSchema) -> list[str]:
    """Fields returning a plain list of objects that have no bound in ``LIST_BOUNDS``."""
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            continue
        if is_connection(graphql_type):
            continue
        for field_name, field in graphql_type.fields.items():
            returned = get_nullable_type(field.type)
            key = f"{name}.{field_name}"
            if not is_list_type(returned) or not is_composite_type(get_named_type(returned)):
                continue
            if key not in LIST_BOUNDS and not (name.endswith("Payload") and field_name == "errors"):
                missing.append(key)
    return sorted(missing)


class QueryCost:
    """The cost of one operation of a document, given its variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        defaults: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults
        self.fragment_costs: dict[str, int] = {}
        self.in_progress: set[str] = set()

    def of_operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return 0 if root is None else self.selections(operation.selection_set, root, None)

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType, page: int | None) -> int:
        """The cost of a selection set for one occurrence of its parent; ``page``: a connection's size."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, target or parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page)
        return total

    def fragment(self, name: str, page: int | None) -> int:
        key = f"{name}@{page}"
        if key in self.fragment_costs:
            return self.fragment_costs[key]
        definition = self.fragments.get(name)
        if definition is None or key in self.in_progress:  # validation refuses both; be safe anyway
            return 0
        self.in_progress.add(key)
        target = self.schema.get_type(definition.type_condition.name.value)
        cost = 0 if target is None else self.selections(definition.selection_set, target, page)
        self.in_progress.discard(key)
        self.fragment_costs[key] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType, page: int | None) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0  # introspection (off in production) and __typename
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0
        count = self.bound(parent, name, definition.type, page)
        inner_page = self.page_size(node) if is_connection(named) else None
        children = self.selections(node.selection_set, named, inner_page) if node.selection_set else 0
        return count + count * children

    def bound(self, parent: GraphQLNamedType, name: str, returned: Any, page: int | None) -> int:
        if not is_list_type(get_nullable_type(returned)):
            return 1
        if is_connection(parent) and page is not None:
            return page
        if parent.name.endswith("Payload") and name == "errors":
            return LIST_BOUNDS.get(f"{parent.name}.{name}", PAYLOAD_ERRORS)
        return LIST_BOUNDS.get(f"{parent.name}.{name}", MAX_PAGE)

    def page_size(self, node: FieldNode) -> int:
        """``first`` as the service will use it: capped at the page cap; the default page without it."""
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value: Any
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                name = argument.value.name.value
                value = self.variables.get(name, self.defaults.get(name))
            else:
                value = None  # null, or a wrong type that validation refused
            if isinstance(value, float) and math.isfinite(value) and value.is_integer():
                value = int(value)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(0, min(value, MAX_PAGE))
            if value is not None:
                return MAX_PAGE  # not an Int: coercion refuses it; never count it as cheap
        return DEFAULT_PAGE


def operation_cost(
    schema: GraphQLSchema, document: Any, operation_name: str | None, variables: Mapping[str, Any] | None
) -> int | None:
    """The cost of the operation that will run, or None when there is no such operation."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    return QueryCost(schema, fragments, variables or {}, defaults).of_operation(operation)


def too_costly(cost: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"查询过于复杂：预计返回{cost}个对象，上限为{limit}个；请减少嵌套、别名或每页条数（first）",
        extensions={"code": CODE, "cost": cost, "limit": limit},
    )


class CostLimit(SchemaExtension):
    """Refuses an operation whose cost is over the limit, before validation (a request error).

    Before, not after: a costly document is refused without paying for its validation, which
    takes tens of milliseconds for a large new one. The count tolerates an invalid document
    (an unknown field or fragment counts nothing); validation still runs on every document
    within the limit.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None and context.graphql_document is not None:
            cost = operation_cost(
                context.schema._schema, context.graphql_document, context.operation_name, context.variables
            )
            if cost is not None and cost > self.limit:
                context.pre_execution_errors = [too_costly(cost, self.limit)]
        yield
