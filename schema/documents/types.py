from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from api.models import Attachment, AttachmentSize, Document, DocumentEvent, DocumentVersion, Domain, Organization
from api.models import BodyFormat as BodyFormatModel
from api.models import Decision as DecisionModel
from api.models import DisclosureAttribute as DisclosureAttributeModel
from api.models import DocumentKind as DocumentKindModel
from api.models import DocumentStatus as DocumentStatusModel
from api.models import Stage as StageModel
from api.models import Validity as ValidityModel
from api.models import VersionStatus as VersionStatusModel
from api.services import documents as service

from ..domains.types import DomainType

if TYPE_CHECKING:
    from ..catalog.types import CatalogItemType
    from ..micropower.types import VillagePowerItemType
from ..relay import Node
from ..screening.types import ScreeningFindingType
from ..selection import selected
from ..units.types import OrganizationType

DocumentKind = strawberry.enum(
    DocumentKindModel,
    description="GOVERNMENT_INFO 政府信息, POLICY_INTERPRETATION 政策解读, NOTICE 通知公告, VILLAGE_AFFAIRS 村务公开, "
    "DISCLOSURE_GUIDE 政府信息公开指南, DISCLOSURE_RULES 政府信息公开制度, ANNUAL_REPORT 政府信息公开工作年度报告 "
    "(made by publishAnnualReport)",
)
DisclosureAttribute = strawberry.enum(
    DisclosureAttributeModel,
    description="PROACTIVE 主动公开, PARTIAL 部分公开, ON_REQUEST 依申请公开, NOT_DISCLOSED 不予公开",
)
Validity = strawberry.enum(ValidityModel, description="VALID 有效, EXPIRED 失效, REPEALED 废止")
BodyFormat = strawberry.enum(BodyFormatModel, description="TEXT plain text; HTML a safe subset, cleaned on write")
DocumentStatus = strawberry.enum(
    DocumentStatusModel,
    description="DRAFT, FIRST_REVIEW (waits for 初审), REVIEW (审核), SIGN_OFF (审发), PUBLISHED, RETRACTED",
)
VersionStatus = strawberry.enum(VersionStatusModel)
Stage = strawberry.enum(
    StageModel, description="FIRST_REVIEW 初审, REVIEW 审核, SIGN_OFF 审发, and the other recorded steps"
)
Decision = strawberry.enum(
    DecisionModel, description="APPROVE passes the step; RETURN sends the draft back with a comment"
)


@dataclass
class Prefetched:
    """Relations of a document read in bulk for a whole page (``DocumentType.many``): its
    publisher, the attachments and the domain of its current version; None: not read."""

    publisher: Organization | None = None
    attachments: list[Attachment] | None = None
    domain: Domain | None = None
    domain_read: bool = False


@strawberry.type(name="AttachmentSize", description="A smaller copy of a photo, without EXIF or other metadata.")
class AttachmentSizeType:
    long_side: int = strawberry.field(description="The size asked for: 320 or 1280 pixels on the long side")
    width: int = strawberry.field(description="Pixels; never more than the photo's own (no upscaling)")
    height: int
    size: int = strawberry.field(description="Bytes")
    url: str = strawberry.field(description="Download path, with the attachment's permission: /files/{id}/{longSide}")

    @classmethod
    def of(cls, s: AttachmentSize) -> AttachmentSizeType:
        return cls(
            long_side=s.long_side, width=s.width, height=s.height, size=s.size,
            url=f"/files/{s.attachment_id}/{s.long_side}",
        )  # fmt: skip


@strawberry.type(name="Attachment")
class AttachmentType:
    filename: str
    content_type: str
    size: int = strawberry.field(description="Bytes, as stored (a photo: as re-encoded without metadata)")
    sha256: str = strawberry.field(
        description="Of the stored file: for a photo the re-encoded one (orientation applied, EXIF/GPS removed), "
        "not the bytes uploaded"
    )
    width: int | None = strawberry.field(description="A photo's pixels as stored; null for other files")
    height: int | None
    _pk: strawberry.Private[int]

    @classmethod
    def of(cls, a: Attachment) -> AttachmentType:
        return cls(
            filename=a.filename, content_type=a.content_type, size=a.size, sha256=a.sha256, width=a.width,
            height=a.height, _pk=a.id,
        )  # fmt: skip

    @strawberry.field(description="Download path: GET it with the same credentials as the document.")
    def url(self) -> str:
        return f"/files/{self._pk}"

    @strawberry.field(
        description="A photo's smaller copies (320, 1280 px on the long side), smallest first; [] otherwise"
    )
    async def sizes(self, info: strawberry.Info) -> list[AttachmentSizeType]:
        return [
            AttachmentSizeType.of(s) for s in await info.context.loaders.documents.sizes_of_attachment.load(self._pk)
        ]


@strawberry.type(name="DocumentVersion", description="The content of one version of a document.")
class DocumentVersionType:
    number: int
    status: VersionStatus
    title: str
    summary: str
    body: str
    body_format: BodyFormat
    issuing_name: str = strawberry.field(description="发文机关")
    doc_number: str | None = strawberry.field(description="发文字号, normalised: 机关代字〔2018〕12号")
    written_on: date | None = strawberry.field(description="成文日期")
    topic: str = strawberry.field(description="主题分类")
    genre: str = strawberry.field(description="体裁分类")
    keywords: list[str]
    attribute: DisclosureAttribute
    attribute_reason: str | None
    validity: Validity
    channels: list[str]
    created_at: datetime
    published_at: datetime | None
    _model: strawberry.Private[DocumentVersion]
    _pre: strawberry.Private[Prefetched | None] = None

    @classmethod
    def of(cls, v: DocumentVersion, pre: Prefetched | None = None) -> DocumentVersionType:
        return cls(
            number=v.number, status=v.status, title=v.title, summary=v.summary, body=v.body,
            body_format=v.body_format, issuing_name=v.issuing_name, doc_number=v.doc_number,
            written_on=v.written_on, topic=v.topic, genre=v.genre, keywords=list(v.keywords or []),
            attribute=v.attribute, attribute_reason=v.attribute_reason, validity=v.validity,
            channels=list(v.channels or []), created_at=v.created_at, published_at=v.published_at, _model=v,
            _pre=pre,
        )  # fmt: skip

    @strawberry.field
    def domain(self, info: strawberry.Info) -> DomainType | None:
        if self._model.domain_id is None:
            return None
        if self._pre is not None and self._pre.domain_read:
            return DomainType.of(self._pre.domain) if self._pre.domain is not None else None
        return self._domain(info)  # type: ignore[return-value]

    async def _domain(self, info: strawberry.Info) -> DomainType | None:
        assert self._model.domain_id is not None
        return DomainType.of(await info.context.loaders.domains.domain.load(self._model.domain_id))

    @strawberry.field
    async def issuing_organization(self, info: strawberry.Info) -> OrganizationType | None:
        if self._model.issuing_organization_id is None:
            return None
        return OrganizationType.of(
            await info.context.loaders.units.organization.load(self._model.issuing_organization_id)
        )

    @strawberry.field
    def attachments(self, info: strawberry.Info) -> list[AttachmentType]:
        if self._pre is not None and self._pre.attachments is not None:
            return [AttachmentType.of(a) for a in self._pre.attachments]
        return self._attachments(info)  # type: ignore[return-value]

    async def _attachments(self, info: strawberry.Info) -> list[AttachmentType]:
        return [
            AttachmentType.of(a)
            for a in await info.context.loaders.documents.attachments_of_version.load(self._model.id)
        ]

    @strawberry.field(
        description="What the privacy and sensitive-word scan found (run when the version reaches 审发, "
        "and again at 审发): staff of the document's scope; anyone else an empty list."
    )
    async def screening_findings(self, info: strawberry.Info) -> list[ScreeningFindingType]:
        rows = await info.context.loaders.screening.findings_of_version.load(self._model.id)
        return [ScreeningFindingType.of(f) for f in rows]


@strawberry.type(name="DocumentEvent", description="One step in the document's history.")
class DocumentEventType:
    stage: Stage
    decision: Decision | None
    actor_name: str
    comment: str
    confidentiality_checked: bool | None = strawberry.field(description="For 审发: whether 保密审查 was done.")
    created_at: datetime
    version_number: int | None

    @classmethod
    def of(cls, e: DocumentEvent, number: int | None) -> DocumentEventType:
        return cls(
            stage=e.stage, decision=e.decision, actor_name=e.actor_name, comment=e.comment,
            confidentiality_checked=e.confidentiality_checked, created_at=e.created_at, version_number=number,
        )  # fmt: skip


def _shown_status(root: DocumentType, info: strawberry.Info) -> DocumentStatus:
    return service.shown_status(info.context.actor, root._model)


@strawberry.type(name="Document", description="A piece of government information (政府信息).")
class DocumentType(Node):
    pk: relay.NodeID[int]
    index_no: str | None = strawberry.field(description="索引号, given at first publication, never changed.")
    kind: DocumentKind
    status: DocumentStatus = strawberry.field(
        resolver=_shown_status,
        description="PUBLISHED for the public while a published document is revised; staff see the revision's step.",
    )
    version: int = strawberry.field(description="Send it back with updates; a stale one is a CONFLICT.")
    is_policy: bool = strawberry.field(description="A policy document, due an interpretation (解读).")
    published_at: datetime | None
    first_published_at: datetime | None
    retracted_at: datetime | None
    retract_reason: str | None
    interpretation_due: date | None = strawberry.field(description="3 working days after first publication.")
    _model: strawberry.Private[Document]
    _pre: strawberry.Private[Prefetched | None] = None

    @classmethod
    def of(cls, d: Document, pre: Prefetched | None = None) -> DocumentType:
        return cls(
            pk=d.id, index_no=d.index_no, kind=d.kind, version=d.version, is_policy=d.is_policy,
            published_at=d.published_at, first_published_at=d.first_published_at, retracted_at=d.retracted_at,
            retract_reason=d.retract_reason, interpretation_due=d.interpretation_due, _model=d, _pre=pre,
        )  # fmt: skip

    @classmethod
    async def many(cls, info: strawberry.Info, docs: Sequence[Document], *path: str) -> list[DocumentType]:
        """The documents of a page, with the relations the query selects at ``path`` (the item's
        place below the resolver's field) read in bulk through their DataLoaders: one await per
        relation for the page instead of one per document and relation."""
        shown = selected(info, *path)
        current = selected(info, *path, "current") if "current" in shown else set()
        loaders = info.context.loaders
        pre = [Prefetched() for _ in docs]
        jobs = []

        async def publishers() -> None:
            for p, org in zip(
                pre, await loaders.units.organization.load_many([d.publisher_id for d in docs]), strict=True
            ):
                p.publisher = org

        async def attachments() -> None:
            with_version = [
                (p, d.current_version_id) for p, d in zip(pre, docs, strict=True) if d.current_version_id is not None
            ]
            found = await loaders.documents.attachments_of_version.load_many([v for _, v in with_version])
            for (p, _), rows in zip(with_version, found, strict=True):
                p.attachments = rows

        async def domains() -> None:
            versions = [(p, d.__dict__.get("current")) for p, d in zip(pre, docs, strict=True)]
            wanted = [(p, v.domain_id) for p, v in versions if v is not None and v.domain_id is not None]
            found = await loaders.domains.domain.load_many([i for _, i in wanted])
            for (p, _), domain in zip(wanted, found, strict=True):
                p.domain, p.domain_read = domain, True

        if "publisher" in shown:
            jobs.append(publishers())
        if "attachments" in shown or "attachments" in current:
            jobs.append(attachments())
        if "domain" in current:
            jobs.append(domains())
        await asyncio.gather(*jobs)
        return [cls.of(d, p) for d, p in zip(docs, pre, strict=True)]

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        docs = await info.context.loaders.documents.document.load_many(ids)
        return [cls.of(d) if d else None for d in docs]

    def _staff(self, info: strawberry.Info) -> bool:
        return info.context.actor.can("document", "read_staff", self._model.scope_path)

    def _loaded_current(self) -> DocumentVersion | None:
        """The current version when the list read it with the document (``list_documents``)."""
        version: DocumentVersion | None = self._model.__dict__.get("current")
        return version

    async def _current(self, info: strawberry.Info) -> DocumentVersion:
        assert self._model.current_version_id is not None
        return await info.context.loaders.documents.version.load(self._model.current_version_id)

    async def _title(self, info: strawberry.Info) -> str:
        return (await self._current(info)).title

    async def _current_type(self, info: strawberry.Info) -> DocumentVersionType:
        return DocumentVersionType.of(await self._current(info))

    # Plain (not async) resolvers: with the version read by the list, no coroutine, no DataLoader
    # round per document; otherwise they hand the executor the awaitable of the DataLoader's read.
    @strawberry.field(description="The title of the version shown (the published one once published).")
    def title(self, info: strawberry.Info) -> str:
        loaded = self._loaded_current()
        return loaded.title if loaded is not None else self._title(info)  # type: ignore[return-value]

    @strawberry.field(description="The version shown: the published one, or the draft before publication.")
    def current(self, info: strawberry.Info) -> DocumentVersionType:
        loaded = self._loaded_current()
        if loaded is not None:
            return DocumentVersionType.of(loaded, self._pre)
        return self._current_type(info)  # type: ignore[return-value]

    @strawberry.field(description="Attachments of the version shown.")
    def attachments(self, info: strawberry.Info) -> list[AttachmentType]:
        if self._pre is not None and self._pre.attachments is not None:
            return [AttachmentType.of(a) for a in self._pre.attachments]
        return self._attachments(info)  # type: ignore[return-value]

    async def _attachments(self, info: strawberry.Info) -> list[AttachmentType]:
        rows = await info.context.loaders.documents.attachments_of_version.load(self._model.current_version_id)
        return [AttachmentType.of(a) for a in rows]

    @strawberry.field
    def publisher(self, info: strawberry.Info) -> OrganizationType:
        if self._pre is not None and self._pre.publisher is not None:
            return OrganizationType.of(self._pre.publisher)
        return self._publisher(info)  # type: ignore[return-value]

    async def _publisher(self, info: strawberry.Info) -> OrganizationType:
        return OrganizationType.of(await info.context.loaders.units.organization.load(self._model.publisher_id))

    @strawberry.field(description="The version being drafted or reviewed (staff only).")
    async def working_version(self, info: strawberry.Info) -> DocumentVersionType | None:
        if self._model.working_version_id is None:
            return None
        # The service reads a working version for staff of the scope only: None for the public.
        version = await info.context.loaders.documents.version.load(self._model.working_version_id)
        return DocumentVersionType.of(version) if version else None

    @strawberry.field(description="Every version, oldest first (staff); the public sees the published one.")
    async def versions(self, info: strawberry.Info) -> list[DocumentVersionType]:
        if not self._staff(info):
            return [await self._current_type(info)]
        rows = await info.context.loaders.documents.versions_of_document.load(self._model.id)
        return [DocumentVersionType.of(v) for v in rows]

    @strawberry.field(description="The event log: every step with who, when and the comment (staff only).")
    async def events(self, info: strawberry.Info) -> list[DocumentEventType]:
        rows = await info.context.loaders.documents.events_of_document.load(self._model.id)  # staff only
        numbers = {
            v.id: v.number for v in await info.context.loaders.documents.versions_of_document.load(self._model.id)
        }
        return [DocumentEventType.of(e, numbers.get(e.version_id or 0)) for e in rows]

    @strawberry.field(description="The catalog item the document is filed under.")
    async def catalog_item(
        self, info: strawberry.Info
    ) -> Annotated[CatalogItemType, strawberry.lazy("schema.catalog.types")] | None:
        from ..catalog.types import CatalogItemType

        if self._model.catalog_item_id is None:
            return None
        return CatalogItemType.of(await info.context.loaders.catalog.item.load(self._model.catalog_item_id))

    @strawberry.field(description="For a village posting: the entry of the village's micro-power list.")
    async def village_item(
        self, info: strawberry.Info
    ) -> Annotated[VillagePowerItemType, strawberry.lazy("schema.micropower.types")] | None:
        from ..micropower.types import VillagePowerItemType

        if self._model.village_item_id is None:
            return None
        item = await info.context.loaders.micropower.village_item.load(self._model.village_item_id)
        return (await VillagePowerItemType.build(info, [item]))[0]

    @strawberry.field(description="For a policy interpretation: the policy it interprets.")
    async def interprets(self, info: strawberry.Info) -> DocumentType | None:
        if self._model.interprets_id is None:
            return None
        doc = await info.context.loaders.documents.document.load(self._model.interprets_id)
        return DocumentType.of(doc) if doc else None

    @strawberry.field(description="For a policy: its published interpretations.")
    async def interpretations(self, info: strawberry.Info) -> list[DocumentType]:
        rows = await info.context.loaders.documents.interpretations_of_policy.load(self._model.id)
        return [DocumentType.of(d) for d in rows]

    @strawberry.field(description="A policy with no published interpretation past its due date.")
    async def interpretation_overdue(self, info: strawberry.Info) -> bool:
        if not self._model.is_policy:
            return False
        published = await info.context.loaders.documents.has_published_interpretation.load(self._model.id)
        return service.interpretation_overdue(self._model, published)
