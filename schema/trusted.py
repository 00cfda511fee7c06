"""Trusted documents: the front ends' operation documents (clients/{kiosk,miniprogram,web}/*.graphql)
by hash, in the committed manifest clients/trusted-documents.json.

The manifest is a JSON object ``{"sha256:<hex of the document's UTF-8 text>": "<document text>"}``,
keys sorted, written by ``gongkai trusted-documents > clients/trusted-documents.json`` (``make
trusted-documents``); tests/schema/test_trusted.py fails when it is out of date with the files.

A front end sends ``documentId`` instead of ``query``: ``GET /graphql?documentId=sha256:…&variables=…``
(queries only) or ``POST {"documentId": …, "variables": …}``. A ``query`` whose text is a trusted
document counts as that document. Only a trusted query's answer to an anonymous caller or a kiosk
may come from the response cache, and with GONGKAI_ANONYMOUS_TRUSTED_ONLY (on in production) an
anonymous caller may run nothing else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
FRONT_ENDS = ("kiosk", "miniprogram", "web")
PREFIX = "sha256:"

# Root fields whose answer belongs to one person (a request's status behind its password, the
# signed-in user): never cached, in process or by HTTP.
PRIVATE_ROOT_FIELDS = frozenset({"infoRequestStatus", "me"})


def document_id(text: str) -> str:
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def client_documents(clients: Path = CLIENTS) -> list[Path]:
    return sorted(p for folder in FRONT_ENDS for p in (clients / folder).glob("*.graphql"))


def build_manifest(clients: Path = CLIENTS) -> dict[str, str]:
    """Every front end's documents by id (the same text sent by two front ends is one entry)."""
    texts = [path.read_text(encoding="utf-8") for path in client_documents(clients)]
    return {document_id(text): text for text in sorted(texts, key=document_id)}


def render_manifest(manifest: dict[str, str]) -> str:
    return json.dumps(dict(sorted(manifest.items())), ensure_ascii=False, indent=2) + "\n"


def public_operation(operation: OperationDefinitionNode, document: DocumentNode) -> bool:
    """A query none of whose root fields is private (fragments at the root are looked into)."""
    if operation.operation != OperationType.QUERY:
        return False
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    seen: set[str] = set()

    def root_fields(selection_set: SelectionSetNode) -> set[str]:
        names: set[str] = set()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                names |= root_fields(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    names |= root_fields(fragment.selection_set)
        return names

    return not (root_fields(operation.selection_set) & PRIVATE_ROOT_FIELDS)


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    id: str
    text: str
    # operation name (None: the document's only operation) -> (is a query, its answer may be cached)
    operations: dict[str | None, tuple[bool, bool]]

    def operation(self, name: str | None) -> tuple[bool, bool] | None:
        return self.operations.get(name)


def trusted_document(key: str, text: str) -> TrustedDocument:
    document = parse(text, no_location=True)
    operations: dict[str | None, tuple[bool, bool]] = {}
    defined = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in defined:
        facts = (operation.operation == OperationType.QUERY, public_operation(operation, document))
        if operation.name is not None:
            operations[operation.name.value] = facts
        if len(defined) == 1:
            operations[None] = facts
    return TrustedDocument(id=key, text=text, operations=operations)


class TrustedDocuments:
    """The manifest in memory: documents by id and by text."""

    def __init__(self, manifest: dict[str, str]) -> None:
        self.by_id: dict[str, TrustedDocument] = {}
        for key, text in manifest.items():
            if document_id(text) != key:
                raise ValueError(f"trusted documents: {key} is not the hash of its text")
            self.by_id[key] = trusted_document(key, text)
        self.by_text = {d.text: d for d in self.by_id.values()}

    @classmethod
    def load(cls, path: Path) -> TrustedDocuments:
        """The manifest at ``path`` (GONGKAI_TRUSTED_DOCUMENTS); none there: no trusted documents."""
        if not path.is_file():
            return cls({})
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or not all(isinstance(v, str) for v in manifest.values()):
                raise ValueError("not an object of document texts")
            return cls(manifest)
        except (ValueError, GraphQLError) as exc:
            raise ValueError(f"GONGKAI_TRUSTED_DOCUMENTS: {path} is not a trusted-documents manifest: {exc}") from exc

    def get(self, key: str) -> TrustedDocument | None:
        return self.by_id.get(key)

    def of_text(self, text: str) -> TrustedDocument | None:
        return self.by_text.get(text)

    def __len__(self) -> int:
        return len(self.by_id)
