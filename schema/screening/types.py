from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from api.models import FindingField as FindingFieldModel
from api.models import FindingKind as FindingKindModel
from api.models import FindingStatus as FindingStatusModel
from api.models import ScreeningFinding
from api.services import screening as service

FindingKind = strawberry.enum(
    FindingKindModel,
    name="ScreeningFindingKind",
    description="ID_NUMBER 身份证号码 (check digit valid), MOBILE 手机号码, BANK_CARD 银行卡号 (Luhn), SENSITIVE_WORD 敏感词, "
    "UNSCANNED an attachment or its rest the scan could not read (OFD, past the page or character bound)",
)
FindingField = strawberry.enum(
    FindingFieldModel,
    name="ScreeningFindingField",
    description="Where in the version: TITLE 标题, SUMMARY 摘要, BODY 正文, ATTACHMENT 附件 (see attachmentName, page, sheet)",
)
FindingStatus = strawberry.enum(
    FindingStatusModel,
    name="ScreeningFindingStatus",
    description="OPEN blocks 审发; FIXED a later scan no longer finds it; WAIVED kept with the approver's reason",
)


@strawberry.type(
    name="ScreeningFinding",
    description="What the privacy and sensitive-word scan before 审发 found in one place of a version; "
    "the number itself is never shown, only a masked excerpt.",
)
class ScreeningFindingType:
    id: strawberry.ID = strawberry.field(description="Pass it to waiveScreeningFinding.")
    kind: FindingKind
    field: FindingField
    attachment_name: str | None
    page: int | None = strawberry.field(description="The PDF page or the workbook sheet, from 1.")
    sheet: str | None = strawberry.field(description="The workbook sheet's name.")
    place: str = strawberry.field(description="Where, in Chinese: 正文, 附件“名单.pdf”第3页.")
    excerpt: str = strawberry.field(description="The words around it, every number masked (110***********4514).")
    occurrences: int = strawberry.field(description="How often the same value is in that place.")
    status: FindingStatus
    waiver_reason: str | None
    waived_by_name: str | None
    waived_at: datetime | None
    found_at: datetime
    scanned_at: datetime = strawberry.field(description="The latest scan that saw it (or saw it gone).")

    @classmethod
    def of(cls, f: ScreeningFinding) -> ScreeningFindingType:
        return cls(
            id=strawberry.ID(str(relay.GlobalID("ScreeningFinding", str(f.id)))), kind=f.kind, field=f.field,
            attachment_name=f.attachment_name, page=f.page, sheet=f.sheet, place=service.place_name(f),
            excerpt=f.excerpt, occurrences=f.occurrences, status=f.status, waiver_reason=f.waiver_reason,
            waived_by_name=f.waived_by_name, waived_at=f.waived_at, found_at=f.found_at, scanned_at=f.scanned_at,
        )  # fmt: skip


@strawberry.type(name="SensitiveWordList", description="A county's sensitive words, kept by its district office.")
class SensitiveWordListType:
    unit_code: str
    words: list[str]
    version: int = strawberry.field(description="0 before the first save; pass it to saveSensitiveWords.")

    @classmethod
    def of(cls, w: service.WordList) -> SensitiveWordListType:
        return cls(unit_code=w.unit_code, words=w.words, version=w.version)
