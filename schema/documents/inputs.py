from __future__ import annotations

from datetime import date

import strawberry

from api.services.documents import DocumentFields, DocumentFilter

from ..relay import decode_id
from .types import BodyFormat, DisclosureAttribute, DocumentKind, DocumentStatus, Validity


@strawberry.input(description="Content of a document; on update, omitted fields stay as they are.")
class DocumentContentInput:
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    body_format: BodyFormat | None = None
    issuing_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="发文机关, if not the publisher"
    )
    issuing_name: str | None = None
    doc_number: str | None = strawberry.field(
        default=None, description="发文字号: 会理府办发〔2016〕107号, [2016] or (2016)"
    )
    written_on: date | None = strawberry.field(default=None, description="成文日期")
    topic: str | None = strawberry.field(default=None, description="主题分类")
    genre: str | None = strawberry.field(default=None, description="体裁分类")
    keywords: list[str] | None = None
    domain_code: str | None = None
    attribute: DisclosureAttribute | None = None
    attribute_reason: str | None = strawberry.field(default=None, description="Required unless PROACTIVE.")
    validity: Validity | None = None
    channels: list[str] | None = None
    is_policy: bool | None = None
    catalog_item_id: strawberry.ID | None = strawberry.field(default=None, description="File under a catalog item.")
    village_item_id: strawberry.ID | None = strawberry.field(
        default=None, description="For a village posting: the entry of the village's micro-power list."
    )

    def to_service(self, issuing_organization_id: int | None) -> DocumentFields:
        return DocumentFields(
            title=self.title, summary=self.summary, body=self.body, body_format=self.body_format,
            issuing_organization_id=issuing_organization_id, issuing_name=self.issuing_name,
            doc_number=self.doc_number, written_on=self.written_on, topic=self.topic, genre=self.genre,
            keywords=self.keywords, domain_code=self.domain_code, attribute=self.attribute,
            attribute_reason=self.attribute_reason, validity=self.validity, channels=self.channels,
            is_policy=self.is_policy,
            catalog_item_id=None if self.catalog_item_id is None else decode_id(self.catalog_item_id, "CatalogItem", "catalogItemId"),
            village_item_id=None if self.village_item_id is None else decode_id(self.village_item_id, "VillagePowerItem", "villageItemId"),
        )  # fmt: skip


@strawberry.input
class CreateDocumentInput:
    publisher_id: strawberry.ID = strawberry.field(description="The publishing organization.")
    kind: DocumentKind
    content: DocumentContentInput


@strawberry.input
class DocumentFilterInput:
    unit_code: str | None = None
    include_descendants: bool = False
    organization_id: strawberry.ID | None = None
    domain_code: str | None = None
    kind: DocumentKind | None = None
    status: DocumentStatus | None = None
    attribute: DisclosureAttribute | None = None
    published_from: date | None = None
    published_to: date | None = None

    def to_service(self, organization_id: int | None, domain_id: int | None) -> DocumentFilter:
        return DocumentFilter(
            unit_code=self.unit_code, include_descendants=self.include_descendants, organization_id=organization_id,
            domain_id=domain_id, kind=self.kind, status=self.status, attribute=self.attribute,
            published_from=self.published_from, published_to=self.published_to,
        )  # fmt: skip
