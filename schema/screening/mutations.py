from __future__ import annotations

import strawberry

from api.models import Document, ScreeningFinding
from api.services import screening as service

from ..documents.types import DocumentType
from ..errors import UserError, attempt
from ..relay import decode_id
from .types import ScreeningFindingType, SensitiveWordListType


@strawberry.type
class SensitiveWordListPayload:
    word_list: SensitiveWordListType | None
    errors: list[UserError]


@strawberry.type
class WaiveScreeningFindingPayload:
    document: DocumentType | None
    finding: ScreeningFindingType | None
    errors: list[UserError]


@strawberry.type
class ScreeningMutation:
    @strawberry.mutation(
        description="Replace the county's sensitive-word list (district office); blanks and repeats are dropped."
    )
    async def save_sensitive_words(
        self, info: strawberry.Info, unit_code: str, version: int, words: list[str]
    ) -> SensitiveWordListPayload:
        ctx = info.context

        async def run() -> service.WordList:
            return await service.save_words(ctx.session, ctx.actor, unit_code=unit_code, version=version, words=words)

        saved, errors = await attempt(info, run())
        return SensitiveWordListPayload(word_list=SensitiveWordListType.of(saved) if saved else None, errors=errors)

    @strawberry.mutation(
        description="Let 审发 pass a finding of the scan, with the reason (the approver; for a village posting the "
        "town's). `version` is the document's."
    )
    async def waive_screening_finding(
        self, info: strawberry.Info, id: strawberry.ID, version: int, reason: str
    ) -> WaiveScreeningFindingPayload:
        ctx = info.context

        async def run() -> tuple[Document, ScreeningFinding]:
            return await service.waive_finding(
                ctx.session, ctx.actor, finding_id=decode_id(id, "ScreeningFinding", "id"), version=version,
                reason=reason,
            )  # fmt: skip

        done, errors = await attempt(info, run())
        if done is None:
            return WaiveScreeningFindingPayload(document=None, finding=None, errors=errors)
        doc, finding = done
        return WaiveScreeningFindingPayload(
            document=DocumentType.of(doc), finding=ScreeningFindingType.of(finding), errors=errors
        )
