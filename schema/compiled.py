"""Compiled answers for trusted documents (schema/trusted.py): the documents list, the search and
the local view without the executor.

A trusted query whose one root field is ``documents``, ``search`` or ``localItems`` and whose
selections are all in the tables below gets a plan when the app starts: the rows of the page with
the columns its fields show, read by the service (``documents.list_document_rows``,
``search.search_rows``, ``search.list_local_items``: the actor's filter in their SQL, the
publisher and the domain joined, a village's micro-power entries with their templates), the
attachments in another statement when shown, the count when asked; then the answer is built as a
dict in the selection's order, as graphql-core would build it. The statements of the lists and
the local view are made once (``pages.Prepared``); bench/RESULTS.md gives the CPU they cost.

The plan answers only what it covers, and hands everything else to the executor: a ``filter``, a
directive, a fragment, a field or argument not listed here, a variable of another type, an input
the bounds refuse (schema/bounds.py) or a cost over the limit (schema/cost.py), and any error. So
an answer is the executor's answer or the executor's error; tests/schema/test_compiled.py holds
the two equal field by field. GONGKAI_COMPILED_DOCUMENTS=false turns the plans off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from string import Template
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    parse,
)
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from api.auth.actor import Actor
from api.errors import Forbidden, Unauthenticated, UserInputError
from api.services import documents as service
from api.services import micropower, search

from .bounds import check_operation
from .cost import operation_cost
from .trusted import TrustedDocuments


def iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def name(value: Enum | None) -> str | None:
    return None if value is None else value.name


# What each type may be asked, by GraphQL field name: a scalar is a Python expression, an object
# field a ``Link``. In the expressions ``$column`` is the document row's column (its own, as in
# ``documents.DOCUMENT_COLUMNS``; the current version's as $v_*, the publisher's as $p_*, the
# domain's as $d_*), $_status the status shown, $_cursor the edge's cursor, $_attachments the
# current version's attachments, $_rank and $_snippet a search hit's; an attachment is ``x`` (id,
# version_id, filename, content_type, size, sha256) and the page ``P``.


@dataclass(frozen=True)
class Link:
    """An object field: ``wrap`` with the object's own expression in place of ``{}``."""

    type_name: str
    wrap: str = "{}"


@dataclass(frozen=True)
class Union:
    """A field of a union type: each member's dict, chosen by the edge's ``$_kind``."""

    members: tuple[tuple[str, str], ...]  # (kind, type name); the last is the otherwise


Table = dict[str, str | Link | Union]


def _connection(edge: str) -> Table:
    return {
        "pageInfo": Link("PageInfo"),
        "edges": Link(edge, "[{} for r, a, s, c, h in P.edges]"),
        "totalCount": "P.count.value",
        "totalCountExact": "P.count.exact",
    }


TABLES: dict[str, Table] = {
    "DocumentConnection": _connection("DocumentEdge"),
    "SearchResultConnection": _connection("SearchHitEdge"),
    "LocalItemConnection": _connection("LocalItemEdge"),
    "SearchHitEdge": {"cursor": "$_cursor", "node": Link("SearchHit")},
    "LocalItemEdge": {"cursor": "$_cursor", "node": Union((("D", "Document"), ("P", "VillagePowerItem")))},
    "SearchHit": {"snippet": "$_snippet", "rank": "$_rank", "document": Link("Document")},
    "PageInfo": {
        "hasNextPage": "P.has_next",
        "hasPreviousPage": "P.has_previous",
        "startCursor": "P.start_cursor",
        "endCursor": "P.end_cursor",
    },
    "DocumentEdge": {"cursor": "$_cursor", "node": Link("Document")},
    "Document": {
        "id": 'b64("Document", $id)',
        "indexNo": "$index_no",
        "kind": "name($kind)",
        "status": "$_status",
        "version": "$version",
        "isPolicy": "$is_policy",
        "publishedAt": "iso($published_at)",
        "firstPublishedAt": "iso($first_published_at)",
        "retractedAt": "iso($retracted_at)",
        "retractReason": "$retract_reason",
        "interpretationDue": "iso($interpretation_due)",
        "title": "$v_title",
        "publisher": Link("Organization", "({} if $p_id is not None else None)"),
        "current": Link("DocumentVersion"),
        "attachments": Link("Attachment", "[{} for x in $_attachments]"),
    },
    "DocumentVersion": {
        "number": "$v_number",
        "status": "name($v_status)",
        "title": "$v_title",
        "summary": "$v_summary",
        "body": "$v_body",
        "bodyFormat": "name($v_body_format)",
        "issuingName": "$v_issuing_name",
        "docNumber": "$v_doc_number",
        "writtenOn": "iso($v_written_on)",
        "topic": "$v_topic",
        "genre": "$v_genre",
        "keywords": "list($v_keywords or [])",
        "attribute": "name($v_attribute)",
        "attributeReason": "$v_attribute_reason",
        "validity": "name($v_validity)",
        "channels": "list($v_channels or [])",
        "createdAt": "iso($v_created_at)",
        "publishedAt": "iso($v_published_at)",
        "domain": Link("Domain", "({} if $v_domain_id is not None and $d_id is not None else None)"),
        "attachments": Link("Attachment", "[{} for x in $_attachments]"),
    },
    "Organization": {
        "id": 'b64("Organization", $p_id)',
        "name": "$p_name",
        "shortName": "$p_short_name",
        "kind": "name($p_kind)",
        "creditCode": "$p_credit_code",
        "indexScheme": "$p_index_scheme",
        "noticeScheme": "$p_notice_scheme",
        "version": "$p_version",
        "demo": "$p_demo",
    },
    "Domain": {
        "id": 'b64("Domain", $d_id)',
        "code": "$d_code",
        "name": "$d_name",
        "position": "$d_position",
    },
    "VillagePowerItem": {
        "id": 'b64("VillagePowerItem", $i_id)',
        "category": "$i_category",
        "name": "$i_name",
        "basis": "$i_basis",
        "steps": "$i_steps",
        "responsible": "$i_responsible",
        "disclosed": "$i_disclosed",
        "timing": "$i_timing",
        "channel": "$i_channel",
        "local": "$i_local",
        "applicable": "$i_applicable",
        "notApplicableReason": "$i_not_applicable_reason",
        "adoptedAt": "iso($i_adopted_at)",
        "version": "$i_version",
    },
    "Attachment": {
        "filename": "x[2]",
        "contentType": "x[3]",
        "size": "x[4]",
        "sha256": "x[5]",
        "url": '"/files/%d" % x[0]',
    },
}

# The edge's other values ($_…) by the name the expressions give them.
SPECIAL = {"_status": "s", "_cursor": "c", "_attachments": "a", "_rank": "h[0]", "_snippet": "h[1]", "_kind": "h"}


class Names(dict[str, str]):
    """The expressions' ``$names``, recorded as they are substituted: a column ``r[i]`` at its place
    in the row (``index``), or one of the edge's other values."""

    def __init__(self, index: Mapping[str, int]) -> None:
        super().__init__()
        self.index = index
        self.seen: set[str] = set()

    def __missing__(self, key: str) -> str:
        self.seen.add(key)
        if key.startswith("i_"):  # a micro-power entry's value (``micropower.entry_values``)
            return f"r[{key[2:]!r}]"
        return SPECIAL.get(key) or f"r[{self.index.get(key, -1)}]"


# The root fields a plan answers: the connection type and the arguments it takes.
ROOTS = {
    "documents": ("DocumentConnection", frozenset({"first", "after", "filter"})),
    "search": ("SearchResultConnection", frozenset({"query", "unitCode", "first", "after"})),
    "localItems": ("LocalItemConnection", frozenset({"unitCode", "first", "after", "filter"})),
}


class NotCovered(Exception):
    """The document asks for something a plan does not cover: the executor answers it."""


def expression(selection_set: SelectionSetNode | None, type_name: str, names: Names) -> str:
    """The Python expression of the dict that answers ``selection_set`` on ``type_name``."""
    if selection_set is None:
        raise NotCovered(f"{type_name}: no selection")
    return "{" + ", ".join(_items(list(selection_set.selections), type_name, names)) + "}"


def _items(selections: list[Any], type_name: str, names: Names) -> list[str]:
    table = TABLES[type_name]
    items: list[str] = []
    for node in selections:
        if not isinstance(node, FieldNode) or node.directives or node.arguments:
            raise NotCovered(f"{type_name}: a fragment, a directive or an argument")
        field = node.name.value
        key = repr(node.alias.value if node.alias else field)  # a GraphQL name: [_A-Za-z][_0-9A-Za-z]*
        entry = "'" + type_name + "'" if field == "__typename" else table.get(field)
        if entry is None:
            raise NotCovered(f"{type_name}.{field}")
        if isinstance(entry, Union):
            items.append(f"{key}: {_union(node.selection_set, entry, names)}")
        elif isinstance(entry, Link):
            inner = expression(node.selection_set, entry.type_name, names)
            items.append(f"{key}: {Template(entry.wrap).substitute(names).replace('{}', inner, 1)}")
        elif node.selection_set is not None:
            raise NotCovered(f"{type_name}.{field}: a selection on a scalar")
        else:
            items.append(f"{key}: {Template(entry).substitute(names)}")
    return items


def _union(selection_set: SelectionSetNode | None, union: Union, names: Names) -> str:
    """Each member's dict, as graphql-core collects its fields: the union's own (``__typename``)
    and the member's inline fragments, in the document's order; chosen by the edge's kind."""
    if selection_set is None:
        raise NotCovered("a union without a selection")
    members = {type_name for _, type_name in union.members}
    for node in selection_set.selections:
        if isinstance(node, FieldNode) and node.name.value == "__typename" and not node.directives:
            continue
        if not isinstance(node, InlineFragmentNode) or node.directives or node.type_condition is None:
            raise NotCovered("a union's field other than __typename, a named fragment or a directive")
        if node.type_condition.name.value not in members:
            raise NotCovered(f"a fragment on {node.type_condition.name.value}")
    built = []
    for _, type_name in union.members:
        picked: list[Any] = []
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                picked.append(node)
            elif (
                isinstance(node, InlineFragmentNode)
                and node.type_condition is not None
                and (node.type_condition.name.value == type_name)
            ):
                picked.extend(node.selection_set.selections)
        keys = [(n.alias or n.name).value for n in picked if isinstance(n, FieldNode)]
        if len(keys) != len(set(keys)):
            raise NotCovered("a response key asked twice (fields to merge)")
        built.append("{" + ", ".join(_items(picked, type_name, names)) + "}")
    kind = Template("$_kind").substitute(names)
    out = built[-1]
    for (code, _), member in zip(reversed(union.members[:-1]), reversed(built[:-1]), strict=True):
        out = f"({member} if {kind} == {code!r} else {out})"
    return out


@dataclass(frozen=True)
class PageValues:
    """What the connection's expressions read (``P``)."""

    edges: list[tuple[Any, Any, Any, Any, Any]]
    has_next: bool
    has_previous: bool
    start_cursor: str | None
    end_cursor: str | None
    count: Any


MISSING = object()
CHECKED_MAX = 1024


CURRENT_VERSION = service.DOCUMENT_COLUMNS.index("current_version_id")
GLOBALS = {"b64": to_base64, "name": name, "iso": iso, "__builtins__": {"list": list}}


@dataclass(frozen=True)
class Plan:
    """The compiled answer of one operation of a trusted document (a root field of ``ROOTS``)."""

    root: str  # the root field: "documents", "search" or "localItems"
    schema: GraphQLSchema
    document: Any
    operation_name: str | None
    arguments: dict[str, ValueNode]  # the root field's arguments by name
    defaults: dict[str, Any]  # variables' default values
    required: frozenset[str]  # variables declared non-null without a default
    columns: service.RowColumns
    source: str  # the answer's expression, of ``P`` (PageValues)
    build: Callable[[PageValues], dict[str, Any]]
    attachments: bool
    count: bool
    status: bool
    cursors: bool  # the edges' cursors are shown
    max_cost: int
    checked: dict[Any, bool] = field(default_factory=dict, compare=False)  # by variables: ``allowed``

    def argument(self, name: str, variables: Mapping[str, Any]) -> Any:
        node = self.arguments.get(name)
        if node is None:
            return None
        if isinstance(node, VariableNode):
            value = variables.get(node.name.value, MISSING)
            return self.defaults.get(node.name.value) if value is MISSING else value
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, StringValueNode):
            return node.value
        return None  # NullValueNode (compile_operation takes no other)

    async def answer(self, session: AsyncSession, actor: Actor, variables: Any) -> dict[str, Any] | None:
        """The answer, or None when the executor is to give it (see the module's docstring)."""
        if variables is None:
            variables = {}
        if not isinstance(variables, dict) or any(variables.get(n) is None for n in self.required):
            return None
        first, after = self.argument("first", variables), self.argument("after", variables)
        query, unit_code = self.argument("query", variables), self.argument("unitCode", variables)
        if self.argument("filter", variables) is not None:
            return None
        if not (first is None or type(first) is int) or not (after is None or type(after) is str):
            return None
        if self.root == "search" and type(query) is not str:
            return None
        if self.root != "documents" and not (unit_code is None or type(unit_code) is str):
            return None
        if self.root == "localItems" and unit_code is None:
            return None
        if not self.allowed(variables):
            return None
        try:
            return await self._answer(session, actor, first, after, query, unit_code)
        except (UserInputError, Forbidden, Unauthenticated, NotCovered):
            return None  # the executor gives the error in its own shape, or the answer

    def allowed(self, variables: dict[str, Any]) -> bool:
        """Whether the bounds (schema/bounds.py) and the cost limit (schema/cost.py) let these
        variables through; remembered for the last ``CHECKED_MAX`` sets (a kiosk sends the same)."""
        try:
            key: Any = tuple((k, type(v), v) for k, v in sorted(variables.items()))  # True is not 1
            hash(key)
        except TypeError:  # a list or an object among the values: checked every time
            key = None
        found = self.checked.get(key) if key is not None else None
        if found is None:
            cost = operation_cost(self.schema, self.document, self.operation_name, variables)
            found = not check_operation(self.schema, self.document, self.operation_name, variables) and (
                cost is not None and cost <= self.max_cost
            )
            if key is not None:
                if len(self.checked) >= CHECKED_MAX:
                    self.checked.pop(next(iter(self.checked)))
                self.checked[key] = found
        return found

    async def _answer(
        self, session: AsyncSession, actor: Actor, first: int | None, after: str | None, query: Any, unit_code: Any
    ) -> Any:
        if self.root == "search":
            page, rows, hits = await self._search(session, actor, query, unit_code, first, after)
        elif self.root == "localItems":
            page, rows, hits = await self._local_items(session, actor, unit_code, first, after)
        else:
            page = await service.list_document_rows(
                session, actor, service.DocumentFilter(), self.columns, first, after
            )
            rows, hits = page.items, [search.DOCUMENT] * len(page.items)
        documents = [r for r, kind in zip(rows, hits, strict=True) if kind != search.POWER_ITEM]
        if any(row[CURRENT_VERSION] is None for row in documents):
            raise NotCovered("a document without a current version (a staff list's draft)")
        none = [None] * len(rows)
        attachments: list[Any] = none
        if self.attachments:
            found = iter(
                await service.attachment_rows_of_versions(session, actor, [r[CURRENT_VERSION] for r in documents])
            )
            attachments = [[] if kind == search.POWER_ITEM else next(found) for kind in hits]
        statuses: list[Any] = none
        if self.status:
            statuses = [
                None if kind == search.POWER_ITEM else service.shown_status(actor, r).name  # type: ignore[arg-type]
                for r, kind in zip(rows, hits, strict=True)
            ]
        cursors = page.cursors
        values = PageValues(
            edges=list(zip(rows, attachments, statuses, cursors if self.cursors else none, hits, strict=True)),
            has_next=page.has_next,
            has_previous=page.has_previous,
            start_cursor=cursors[0] if rows else None,
            end_cursor=cursors[-1] if rows else None,
            count=await page.count() if self.count else None,
        )
        return self.build(values)

    async def _search(
        self, session: AsyncSession, actor: Actor, query: str, unit_code: str | None, first: Any, after: Any
    ) -> tuple[Any, list[Any], list[Any]]:
        """The page, its document rows and each edge's (rank, snippet)."""
        page = await search.search_rows(session, actor, query, self.columns, unit_code, first, after)
        if page is None:
            raise NotCovered("a query without a word")
        return page, [row for row, _, _ in page.items], [(rank, text) for _, rank, text in page.items]

    async def _local_items(
        self, session: AsyncSession, actor: Actor, unit_code: str, first: Any, after: Any
    ) -> tuple[Any, list[Any], list[Any]]:
        """The page, its rows (a document's row, or a micro-power entry's values) and their kinds."""
        page = await search.list_local_items(
            session, actor, unit_code, search.LocalFilter(), first, after, columns=self.columns
        )
        rows = [item.row if item.kind == search.DOCUMENT else micropower.entry_values(item.row) for item in page.items]
        return page, rows, [item.kind for item in page.items]


def _row_columns(seen: set[str]) -> service.RowColumns:
    columns = {n for n in seen if n not in SPECIAL and not n.startswith("i_")}
    own = {n for n in columns if not n.startswith(("v_", "p_", "d_"))}
    if not own <= set(service.DOCUMENT_COLUMNS):
        raise NotCovered(f"not document columns: {sorted(own - set(service.DOCUMENT_COLUMNS))}")

    def of(prefix: str) -> tuple[str, ...]:
        return tuple(sorted(n[2:] for n in columns if n.startswith(prefix)))

    return service.RowColumns(version=of("v_"), publisher=of("p_"), domain=of("d_"))


def _row_index(columns: service.RowColumns) -> dict[str, int]:
    names = [
        *service.DOCUMENT_COLUMNS,
        *(f"v_{n}" for n in columns.version),
        *(f"p_{n}" for n in columns.publisher),
        *(f"d_{n}" for n in columns.domain),
    ]
    return {n: i for i, n in enumerate(names)}


def compile_operation(
    schema: GraphQLSchema, text: str, operation: OperationDefinitionNode, max_cost: int
) -> Plan | None:
    """The plan of ``operation`` (a query of a trusted document), or None when it is not covered."""
    if operation.operation != OperationType.QUERY or operation.directives:
        return None
    roots = operation.selection_set.selections
    if len(roots) != 1 or not isinstance(roots[0], FieldNode):
        return None
    root = roots[0]
    if root.name.value not in ROOTS or root.directives:
        return None
    connection, allowed = ROOTS[root.name.value]
    arguments = {a.name.value: a.value for a in root.arguments or ()}
    if not set(arguments) <= allowed:
        return None
    if not all(
        isinstance(v, VariableNode | IntValueNode | StringValueNode | NullValueNode) for v in arguments.values()
    ):
        return None  # a filter written in the document: the executor's
    if not isinstance(arguments.get("filter"), VariableNode | NullValueNode | None):
        return None
    defaults: dict[str, Any] = {}
    required: set[str] = set()
    for definition in operation.variable_definitions or ():
        name, value = definition.variable.name.value, definition.default_value
        if definition.directives or not isinstance(definition.type, NamedTypeNode | NonNullTypeNode):
            return None
        if isinstance(value, IntValueNode):
            defaults[name] = int(value.value)
        elif isinstance(value, StringValueNode | BooleanValueNode):
            return None
        elif value is None and isinstance(definition.type, NonNullTypeNode):
            required.add(name)
    key = repr(root.alias.value if root.alias else root.name.value)
    try:
        first_pass = Names({})
        expression(root.selection_set, connection, first_pass)
        columns = _row_columns(first_pass.seen)
        if root.name.value == "search":  # the snippets are made of these
            version = tuple(sorted(set(columns.version) | set(search.SNIPPET_COLUMNS)))
            columns = service.RowColumns(version=version, publisher=columns.publisher, domain=columns.domain)
        names = Names(_row_index(columns))
        source = "{'data': {" + key + ": " + expression(root.selection_set, connection, names) + "}}"
    except NotCovered:
        return None
    # The source is made of the tables' expressions and the document's response keys, which are
    # GraphQL names (written with repr): nothing a caller sends reaches it.
    build = eval("lambda P: " + source, dict(GLOBALS))  # noqa: S307
    return Plan(
        root=root.name.value, schema=schema, document=parse(text, no_location=True),
        operation_name=operation.name.value if operation.name else None, arguments=arguments, defaults=defaults,
        required=frozenset(required), columns=columns, source=source, build=build,
        attachments="_attachments" in names.seen, count="P.count" in source, status="_status" in names.seen,
        cursors="_cursor" in names.seen, max_cost=max_cost,
    )  # fmt: skip


class CompiledDocuments:
    """The plans of the trusted documents, by (document id, operation name)."""

    def __init__(self, schema: GraphQLSchema, trusted: TrustedDocuments, max_cost: int, enabled: bool = True) -> None:
        self.plans: dict[tuple[str, str | None], Plan] = {}
        if not enabled:
            return
        for key, document in trusted.by_id.items():
            parsed = parse(document.text, no_location=True)
            operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) != len(parsed.definitions):
                continue  # fragments: not covered
            for operation in operations:
                plan = compile_operation(schema, document.text, operation, max_cost)
                if plan is None:
                    continue
                self.plans[(key, plan.operation_name)] = plan
                if len(operations) == 1:
                    self.plans[(key, None)] = plan

    def get(self, document_id: str, operation_name: Any) -> Plan | None:
        if not isinstance(operation_name, str | None):
            return None
        return self.plans.get((document_id, operation_name))

    def __len__(self) -> int:
        return len({id(p) for p in self.plans.values()})
