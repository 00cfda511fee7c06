"""Bounds on every input value, checked once per request before any resolver runs.

Every string an operation passes (in the document or in its variables, at any depth of an input
object or list) has a length bound: the column it is stored in where it is stored, ``SHORT``
otherwise; long texts (``LONG``) may hold line breaks and tabs, no other string may hold a control
character (C0, DEL, C1) or a lone surrogate, which PostgreSQL and UTF-8 refuse. Lists have an
item bound, dates lie within ``api.bounds`` (1949–2100), ``year`` arguments too, and decimals are
finite. A value out of bounds is a request error ``BAD_USER_INPUT`` with ``extensions.field`` (the
argument's path, e.g. ``input.address``) and ``extensions.reason``; the message (Chinese) names
the field and never repeats the value. Rules of the domain (a receipt date not in the future, the
years a report exists for) stay in the services.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import (
    BooleanValueNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from api import bounds

SHORT = 200  # a one-line string without a column of its own: names looked up, codes, queries
ID_LENGTH = 100  # a global id is base64 of "TypeName:digits"
DEFAULT_ITEMS = 100
MAX_ERRORS = 10

# Long texts: their bound, and they may contain \n, \r and \t.
LONG: dict[str, int] = {
    "DocumentContentInput.body": 200_000,  # the full text of a 公文
    "DocumentContentInput.summary": 2_000,
    "DocumentContentInput.attributeReason": 2_000,
    "OrganizationProfileInput.functions": 10_000,  # 机构职能
    "CatalogItemInput.content": 5_000,
    "CatalogItemInput.basis": 5_000,
    "PowerItemInput.basis": 5_000,
    "PowerItemInput.disclosed": 5_000,
    "InfoRequestInput.description": 10_000,
    "InfoRequestInput.purpose": 2_000,
    "ReplyInput.legalBasis": 2_000,
    "ReplyInput.note": 5_000,
    "AppealInput.note": 2_000,
    "Mutation.saveReplyTemplate.body": 20_000,
    "Mutation.saveNoticeTemplate.body": 20_000,
    "Mutation.saveAnnualReportText.text": 50_000,
    "Mutation.setAssessmentFactor.note": 2_000,
    "Mutation.reviewDocument.comment": 2_000,
    "Mutation.retractDocument.reason": 2_000,
    "Mutation.setVillagePowerItemApplicable.reason": 2_000,
    "Mutation.requestCorrection.note": 2_000,
    "Mutation.startConsultation.note": 2_000,
    "Mutation.endConsultation.note": 2_000,
    "Mutation.extendInfoRequest.reason": 2_000,
    "Mutation.withdrawInfoRequest.note": 2_000,
    "Mutation.updateAppeal.note": 2_000,
    "CommitmentInput.target": 5_000,
    "CommitmentProgressInput.text": 5_000,
    "Mutation.waiveScreeningFinding.reason": 2_000,
}

# One-line strings: the length of the column they are stored in (api/models), or of what they are.
LENGTHS: dict[str, int] = {
    "RegisterWebhookInput.url": 500,
    "Mutation.updateWebhook.url": 500,
    "CreateUnitInput.name": 100,
    "UpdateUnitInput.name": 100,
    "CreateUnitInput.code": 12,
    "UpdateUnitInput.code": 12,
    "CreateUnitInput.urbanRuralCode": 3,
    "CreateOrganizationInput.name": 100,
    "UpdateOrganizationInput.name": 100,
    "CreateOrganizationInput.shortName": 50,
    "UpdateOrganizationInput.shortName": 50,
    "CreateOrganizationInput.creditCode": 18,
    "UpdateOrganizationInput.creditCode": 18,
    "UpdateOrganizationInput.indexScheme": 100,
    "UpdateOrganizationInput.noticeScheme": 60,
    "Mutation.startConsultation.thirdPartyName": 200,
    "Mutation.setSearchSynonyms.groups": 20,  # a term (api/services/search.py MAX_TERM)
    "Query.enumLabels.enum": 64,
    "RegisterWebhookInput.events": 40,  # an event's name, e.g. document.retracted
    "RegisterWebhookInput.secret": 200,
    "RegisterWebhookInput.description": 200,
    "Mutation.updateWebhook.events": 40,
    "Mutation.updateWebhook.secret": 200,
    "OrganizationProfileInput.address": 200,
    "OrganizationProfileInput.officeHours": 200,
    "OrganizationProfileInput.phone": 50,
    "OrganizationProfileInput.head": 50,
    "OrganizationContactInput.name": 50,
    "OrganizationContactInput.post": 100,
    "OrganizationContactInput.phone": 50,
    "DocumentContentInput.title": 300,
    "DocumentContentInput.issuingName": 200,
    "DocumentContentInput.docNumber": 100,
    "DocumentContentInput.topic": 100,
    "DocumentContentInput.genre": 100,
    "DocumentContentInput.keywords": 50,
    "DocumentContentInput.channels": 50,
    "CatalogItemInput.level1": 200,
    "CatalogItemInput.level2": 200,
    "CatalogItemInput.deadline": 200,
    "CatalogItemInput.subject": 200,
    "CatalogItemInput.channels": 50,
    "PowerItemInput.category": 100,
    "PowerItemInput.name": 200,
    "PowerItemInput.steps": 200,
    "PowerItemInput.responsible": 200,
    "PowerItemInput.timing": 200,
    "PowerItemInput.channel": 200,
    "InfoRequestInput.applicantName": 200,
    "InfoRequestInput.idNumber": 40,
    "InfoRequestInput.phone": 40,
    "InfoRequestInput.address": 300,
    "InfoRequestInput.email": 200,
    "CalendarDayInput.note": 100,
    "CreateUserInput.username": 64,
    "CreateUserInput.displayName": 100,
    "CreateUserInput.password": 128,
    "Mutation.login.username": 64,
    "Mutation.login.password": 128,
    "Mutation.changePassword.currentPassword": 128,
    "Mutation.changePassword.newPassword": 128,
    "Query.infoRequestStatus.password": 128,
    "Query.infoRequestStatus.trackingCode": 20,
    "Query.document.indexNo": 64,
    "Query.search.query": SHORT,
    "Query.monthlyReport.month": 10,
    "Query.monthlyCircular.month": 10,
    "Mutation.setAssessmentFactor.factor": 32,
    "Mutation.createKiosk.name": 100,
    "Mutation.extendInfoRequest.approver": 100,
    "CommitmentInput.title": 200,
    "CommitmentMilestoneInput.title": 200,
    "CommitmentProgressInput.evidenceIds": ID_LENGTH,
    "Mutation.saveSensitiveWords.words": 50,  # api/services/screening MAX_WORD_LENGTH
}

# Lists: how many items (default DEFAULT_ITEMS).
ITEMS: dict[str, int] = {
    "DocumentContentInput.keywords": 20,
    "DocumentContentInput.channels": 20,
    "CatalogItemInput.channels": 20,
    "CatalogItemInput.organizationIds": 200,
    "PowerItemInput.steps": 50,
    "CreateOrganizationInput.contacts": 50,
    "UpdateOrganizationInput.contacts": 50,
    "Mutation.saveSensitiveWords.words": 5000,  # api/services/screening MAX_WORDS
    "Mutation.setCalendarDays.days": 1000,  # a few years of holidays and 调休 days at once
    "Mutation.setSearchSynonyms.groups": 500,  # MAX_GROUPS; each group's terms: the default, checked again by the service
    "Mutation.createCommitment.milestones": 50,  # MAX_MILESTONES (api/services/commitments.py)
    "CommitmentProgressInput.evidenceIds": 5,  # MAX_EVIDENCE
}

YEAR_NAMES = frozenset({"year"})
MAX_DECIMAL = Decimal(10) ** 16

SHORT_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
LONG_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def is_identifier(key: str) -> bool:
    """Arguments that name something (a code, an id, a cursor): the SHORT bound, no declaration."""
    name = key.rsplit(".", 1)[-1]
    return name == "after" or name.endswith(("Code", "code", "Id", "id", "Ids"))


def undeclared_strings(schema: GraphQLSchema) -> list[str]:
    """String inputs that are neither identifiers nor in ``LONG`` or ``LENGTHS`` (a test keeps it empty)."""
    keys: list[str] = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(graphql_type, GraphQLObjectType):
            for field_name, field in graphql_type.fields.items():
                for arg_name, arg in field.args.items():
                    if get_named_type(arg.type).name == "String":
                        keys.append(f"{name}.{field_name}.{arg_name}")
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                if get_named_type(input_field.type).name == "String":
                    keys.append(f"{name}.{field_name}")
    return sorted(k for k in keys if k not in LONG and k not in LENGTHS and not is_identifier(k))


@dataclass(frozen=True)
class Problem:
    field: str  # the argument's path: input.contacts.0.name
    reason: str  # TOO_LONG, CONTROL_CHARACTER, TOO_MANY_ITEMS, OUT_OF_RANGE
    message: str  # Chinese, without the value

    def error(self) -> GraphQLError:
        return GraphQLError(
            f"{self.field}：{self.message}",
            extensions={"code": "BAD_USER_INPUT", "field": self.field, "reason": self.reason},
        )


MISSING = object()


class InputCheck:
    """Walks the arguments of one operation (literals and the variables they use) against the bounds."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        defaults: Mapping[str, ValueNode],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults
        self.seen_fragments: set[str] = set()
        self.problems: list[Problem] = []

    def report(self, problem: Problem) -> None:
        if len(self.problems) < MAX_ERRORS:
            self.problems.append(problem)

    # --- the selections ---

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.selections(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                definition = self.fragments.get(name)
                if definition is None or name in self.seen_fragments:
                    continue  # the same arguments: checked once
                self.seen_fragments.add(name)
                self.selections(definition.selection_set, self.schema.get_type(definition.type_condition.name.value))

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> None:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return  # introspection's meta fields: their arguments are type names, checked by validation
        for argument in node.arguments or ():
            arg = definition.args.get(argument.name.value)
            if arg is not None:
                key = f"{parent.name}.{node.name.value}.{argument.name.value}"
                self.literal(argument.value, arg.type, key, argument.name.value)
        if node.selection_set:
            self.selections(node.selection_set, get_named_type(definition.type))

    # --- values written in the document ---

    def literal(self, node: ValueNode, type_: GraphQLInputType, key: str, path: str) -> None:
        if isinstance(node, VariableNode):
            name = node.name.value
            value = self.variables.get(name, MISSING)
            if value is MISSING:
                default = self.defaults.get(name)
                if default is not None:
                    self.literal(default, type_, key, path)
                return
            self.value(value, type_, key, path)
            return
        if isinstance(node, NullValueNode):
            return
        if isinstance(type_, GraphQLNonNull):
            self.literal(node, type_.of_type, key, path)
        elif isinstance(type_, GraphQLList):
            if isinstance(node, ListValueNode):
                self.items(len(node.values or ()), key, path)
                for i, item in enumerate(node.values or ()):
                    self.literal(item, type_.of_type, key, f"{path}.{i}")
            else:
                self.literal(node, type_.of_type, key, path)
        elif isinstance(type_, GraphQLInputObjectType):
            if isinstance(node, ObjectValueNode):
                for field in node.fields or ():
                    input_field = type_.fields.get(field.name.value)
                    if input_field is not None:
                        name = field.name.value
                        self.literal(field.value, input_field.type, f"{type_.name}.{name}", f"{path}.{name}")
        elif isinstance(type_, GraphQLScalarType):
            if isinstance(node, StringValueNode):
                self.leaf(node.value, type_, key, path)
            elif isinstance(node, IntValueNode):
                self.leaf(int(node.value), type_, key, path)
            elif isinstance(node, FloatValueNode):
                self.leaf(float(node.value), type_, key, path)
            elif not isinstance(node, BooleanValueNode | EnumValueNode):
                return

    # --- values sent as variables (JSON, not yet coerced: what coercion refuses is left to it) ---

    def value(self, value: Any, type_: GraphQLInputType, key: str, path: str) -> None:
        if value is None:
            return
        if isinstance(type_, GraphQLNonNull):
            self.value(value, type_.of_type, key, path)
        elif isinstance(type_, GraphQLList):
            if isinstance(value, list):
                self.items(len(value), key, path)
                for i, item in enumerate(value[: self.item_bound(key) + 1]):
                    self.value(item, type_.of_type, key, f"{path}.{i}")
            else:
                self.value(value, type_.of_type, key, path)
        elif isinstance(type_, GraphQLInputObjectType):
            if isinstance(value, dict):
                for name, item in value.items():
                    input_field = type_.fields.get(name) if isinstance(name, str) else None
                    if input_field is not None:
                        self.value(item, input_field.type, f"{type_.name}.{name}", f"{path}.{name}")
        elif isinstance(type_, GraphQLScalarType):
            self.leaf(value, type_, key, path)

    # --- the bounds ---

    def item_bound(self, key: str) -> int:
        return ITEMS.get(key, DEFAULT_ITEMS)

    def items(self, count: int, key: str, path: str) -> None:
        limit = self.item_bound(key)
        if count > limit:
            self.report(Problem(path, "TOO_MANY_ITEMS", f"最多{limit}项，收到{count}项"))

    def leaf(self, value: Any, type_: GraphQLScalarType, key: str, path: str) -> None:
        scalar = type_.name
        if scalar in ("String", "ID"):
            if isinstance(value, str):
                self.text(value, scalar, key, path)
        elif scalar == "Int":
            if key.rsplit(".", 1)[-1] in YEAR_NAMES and isinstance(value, int) and not isinstance(value, bool):
                if not bounds.YEAR_MIN <= value <= bounds.YEAR_MAX:
                    self.report(Problem(path, "OUT_OF_RANGE", bounds.YEAR_MESSAGE))
        elif scalar == "Date":
            if isinstance(value, str):
                try:
                    day = date.fromisoformat(value)
                except ValueError:
                    return  # not a date: the scalar refuses it
                if not bounds.DATE_MIN <= day <= bounds.DATE_MAX:
                    self.report(Problem(path, "OUT_OF_RANGE", bounds.DATE_MESSAGE))
        elif scalar == "Decimal":
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                return
            if isinstance(value, float) and not math.isfinite(value):
                self.report(Problem(path, "OUT_OF_RANGE", "数值无效：应为有限的数"))
                return
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                return  # not a number: the scalar refuses it
            if not number.is_finite() or abs(number) >= MAX_DECIMAL:
                self.report(Problem(path, "OUT_OF_RANGE", "数值无效：应为有限的数，且绝对值小于10的16次方"))

    def text(self, value: str, scalar: str, key: str, path: str) -> None:
        if key in LONG:
            limit, forbidden = LONG[key], LONG_FORBIDDEN
        else:
            default = ID_LENGTH if scalar == "ID" else SHORT
            limit, forbidden = LENGTHS.get(key, default), SHORT_FORBIDDEN
        if len(value) > limit:
            self.report(Problem(path, "TOO_LONG", f"内容过长：最多{limit}个字，收到{len(value)}个字"))
        elif forbidden.search(value):
            allowed = "；只可含换行和制表符" if key in LONG else "或换行"
            self.report(Problem(path, "CONTROL_CHARACTER", f"含有不可见的控制字符{allowed}，请删除后重试"))


def check_operation(
    schema: GraphQLSchema, document: Any, operation_name: str | None, variables: Mapping[str, Any] | None
) -> list[Problem]:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    defaults = {d.variable.name.value: d.default_value for d in operation.variable_definitions or () if d.default_value}
    check = InputCheck(schema, fragments, variables or {}, defaults)
    root = schema.get_root_type(operation.operation)
    if root is not None:
        check.selections(operation.selection_set, root)
    return check.problems


class InputBounds(SchemaExtension):
    """Refuses an operation with an input value out of bounds before it executes (a request error)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and context.graphql_document is not None:
            problems = check_operation(
                context.schema._schema, context.graphql_document, context.operation_name, context.variables
            )
            if problems:
                context.result = GraphQLExecutionResult(data=None, errors=[p.error() for p in problems])
        yield
