from __future__ import annotations

from typing import cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from api.errors import UserInputError
from api.models import CatalogItem
from api.services import catalog as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .inputs import CatalogItemInput
from .types import CatalogItemType


@strawberry.type
class CatalogItemPayload:
    item: CatalogItemType | None
    errors: list[UserError]


@strawberry.type
class ImportCatalogPayload:
    imported: int = strawberry.field(description="How many items were written (0 when any row failed).")
    errors: list[UserError] = strawberry.field(
        description="One per problem, naming the sheet and the row: the first 100, then one (TOO_MANY_ERRORS) "
        "saying how many more."
    )
    error_count: int = strawberry.field(default=0, description="How many problems the file has in all.")


@strawberry.type
class CatalogMutation:
    @strawberry.mutation
    async def create_catalog_item(self, info: strawberry.Info, input: CatalogItemInput) -> CatalogItemPayload:
        ctx = info.context

        async def run() -> CatalogItem:
            fields_ = service.ItemFields(
                level1=input.level1, level2=input.level2, frequency=input.frequency, domain_code=input.domain_code,
                content=input.content, basis=input.basis, deadline=input.deadline, subject=input.subject,
                channels=input.channels, audience=input.audience, method=input.method, levels=list(input.levels),
                organization_ids=[decode_id(o, "Organization", "organizationIds") for o in input.organization_ids],
            )  # fmt: skip
            return await service.create_item(ctx.session, ctx.actor, unit_code=input.unit_code, fields_=fields_)

        item, errors = await attempt(info, run())
        return CatalogItemPayload(item=CatalogItemType.of(item) if item else None, errors=errors)

    @strawberry.mutation(description="Import catalog items from an xlsx sheet; all rows or none.")
    async def import_catalog(self, info: strawberry.Info, unit_code: str, file: Upload) -> ImportCatalogPayload:
        ctx = info.context
        upload = cast(UploadFile, file)  # strawberry types Upload as bytes; on Starlette it is an UploadFile
        try:
            count = await service.import_catalog(ctx.session, ctx.actor, unit_code=unit_code, source=upload.file)
        except service.ImportFailed as failed:
            await ctx.session.rollback()
            return ImportCatalogPayload(
                imported=0, errors=[UserError.of(e) for e in failed.errors], error_count=failed.total
            )
        except UserInputError as exc:
            await ctx.session.rollback()
            return ImportCatalogPayload(imported=0, errors=[UserError.of(exc)], error_count=1)
        finally:
            await upload.close()
        return ImportCatalogPayload(imported=count, errors=[])
