from __future__ import annotations

from typing import cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from api.models import Document
from api.services import documents as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .inputs import CreateDocumentInput, DocumentContentInput
from .types import Decision, DocumentType


@strawberry.type
class DocumentPayload:
    document: DocumentType | None
    errors: list[UserError]


def _files(files: list[Upload] | None) -> list[UploadFile]:
    # strawberry types Upload as bytes; on Starlette each one is an UploadFile.
    return cast(list[UploadFile], files or [])


def _uploads(files: list[Upload] | None) -> list[service.Upload]:
    return [service.Upload(filename=f.filename or "file", stream=f.file) for f in _files(files)]


async def _close(files: list[Upload] | None) -> None:
    for f in _files(files):
        await f.close()


def _payload(doc: Document | None, errors: list[UserError]) -> DocumentPayload:
    return DocumentPayload(document=DocumentType.of(doc) if doc else None, errors=errors)


def _doc_id(value: strawberry.ID, field: str = "id") -> int:
    return decode_id(value, "Document", field)


@strawberry.type
class DocumentsMutation:
    @strawberry.mutation(description="Draft a document, with attachments (multipart request).")
    async def create_document(
        self, info: strawberry.Info, input: CreateDocumentInput, files: list[Upload] | None = None
    ) -> DocumentPayload:
        ctx = info.context

        async def run() -> Document:
            content = input.content
            issuer = None
            if content.issuing_organization_id is not None:
                issuer = decode_id(content.issuing_organization_id, "Organization", "issuingOrganizationId")
            return await service.create_document(
                ctx.session, ctx.actor, ctx.storage,
                publisher_id=decode_id(input.publisher_id, "Organization", "publisherId"), kind=input.kind,
                fields_=content.to_service(issuer), files=_uploads(files),
                tmp_dir=ctx.settings.files_dir / "tmp", max_bytes=ctx.settings.max_upload_bytes,
            )  # fmt: skip

        try:
            return _payload(*await attempt(info, run()))
        finally:
            await _close(files)

    @strawberry.mutation(description="Edit the draft; editing a published document starts a new version.")
    async def update_document(
        self, info: strawberry.Info, id: strawberry.ID, version: int, input: DocumentContentInput
    ) -> DocumentPayload:
        ctx = info.context

        async def run() -> Document:
            issuer = None
            if input.issuing_organization_id is not None:
                issuer = decode_id(input.issuing_organization_id, "Organization", "issuingOrganizationId")
            return await service.update_document(
                ctx.session, ctx.actor, document_id=_doc_id(id), version=version, fields_=input.to_service(issuer)
            )

        return _payload(*await attempt(info, run()))

    @strawberry.mutation(description="Send the draft to 初审.")
    async def submit_document(self, info: strawberry.Info, id: strawberry.ID, version: int) -> DocumentPayload:
        ctx = info.context

        async def run() -> Document:
            return await service.submit_document(
                ctx.session, ctx.actor, document_id=_doc_id(id), version=version, storage=ctx.storage
            )

        return _payload(*await attempt(info, run()))

    @strawberry.mutation(description="Take the step the document waits for: 初审, 审核 or 审发 (which publishes).")
    async def review_document(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        version: int,
        decision: Decision,
        comment: str | None = None,
        confidentiality_checked: bool | None = None,
    ) -> DocumentPayload:
        ctx = info.context

        async def run() -> Document:
            return await service.review_document(
                ctx.session, ctx.actor, document_id=_doc_id(id), version=version, decision=decision,
                comment=comment or "", confidentiality_checked=confidentiality_checked, storage=ctx.storage,
            )  # fmt: skip

        return _payload(*await attempt(info, run()))

    @strawberry.mutation(description="Hide a published document from the public, with the reason; nothing is deleted.")
    async def retract_document(
        self, info: strawberry.Info, id: strawberry.ID, version: int, reason: str
    ) -> DocumentPayload:
        ctx = info.context

        async def run() -> Document:
            return await service.retract_document(
                ctx.session, ctx.actor, document_id=_doc_id(id), version=version, reason=reason
            )

        return _payload(*await attempt(info, run()))

    @strawberry.mutation(description="Attach files to the draft (multipart request).")
    async def add_attachments(
        self, info: strawberry.Info, document_id: strawberry.ID, files: list[Upload]
    ) -> DocumentPayload:
        ctx = info.context

        async def run() -> Document:
            return await service.add_attachments(
                ctx.session, ctx.actor, ctx.storage, document_id=_doc_id(document_id, "documentId"),
                files=_uploads(files), tmp_dir=ctx.settings.files_dir / "tmp",
                max_bytes=ctx.settings.max_upload_bytes,
            )  # fmt: skip

        try:
            return _payload(*await attempt(info, run()))
        finally:
            await _close(files)

    @strawberry.mutation(description="Link a policy interpretation (解读) to the policy it interprets.")
    async def link_interpretation(
        self, info: strawberry.Info, interpretation_id: strawberry.ID, policy_id: strawberry.ID
    ) -> DocumentPayload:
        ctx = info.context

        async def run() -> Document:
            return await service.link_interpretation(
                ctx.session, ctx.actor, interpretation_id=_doc_id(interpretation_id, "interpretationId"),
                policy_id=_doc_id(policy_id, "policyId"),
            )  # fmt: skip

        return _payload(*await attempt(info, run()))
