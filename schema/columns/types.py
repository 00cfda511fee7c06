from __future__ import annotations

import strawberry

from api.services import columns as service
from api.services.columns import ColumnScope, ColumnSpec

from ..catalog.types import CatalogItemType
from ..documents.types import DocumentType
from ..relay import Connection, connection


@strawberry.type(
    name="PlatformColumn",
    description="A column of the 政府信息公开 platform in the format of 国办公开办函〔2019〕61号: 政策 (规章, "
    "行政规范性文件, 其他文件, 政策解读), 政府信息公开指南, 政府信息公开制度, 法定主动公开内容 (the items of Art. 20 of "
    "the Regulations) and 政府信息公开工作年度报告. A parent column holds what its children hold.",
)
class PlatformColumnType:
    code: str = strawberry.field(description="Stable code of the column, e.g. POLICY_NORMATIVE, ART20_7, GUIDE")
    name: str = strawberry.field(description="栏目名称")
    basis: str = strawberry.field(
        description="Where the column comes from, e.g. 《政府信息公开条例》第二十条第（七）项"
    )
    shows_organization_profile: bool = strawberry.field(
        description="The column shows the organizations' own profile (职能, 地址, 办公时间, 电话, 负责人) beside its documents"
    )
    _spec: strawberry.Private[ColumnSpec]
    _scope: strawberry.Private[ColumnScope]

    @classmethod
    def of(cls, spec: ColumnSpec, scope: ColumnScope) -> PlatformColumnType:
        return cls(
            code=spec.code, name=spec.name, basis=spec.basis, shows_organization_profile=spec.organization_profile,
            _spec=spec, _scope=scope,
        )  # fmt: skip

    @strawberry.field(description="Sub-columns, in the platform's order.")
    def children(self) -> list[PlatformColumnType]:
        return [PlatformColumnType.of(child, self._scope) for child in self._spec.children]

    @strawberry.field(
        description="The column's documents, newest first; the public sees published proactive/partial ones."
    )
    async def documents(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[DocumentType]:
        ctx = info.context
        page = await service.column_documents(ctx.session, ctx.actor, self._scope, self._spec.code, first, after)
        return connection(page.replace(await DocumentType.many(info, page.items, "edges", "node")))

    @strawberry.field(
        description="The catalog items (标准目录) that fill the column and that the platform's organizations answer for."
    )
    async def catalog_items(self, info: strawberry.Info) -> list[CatalogItemType]:
        items = await info.context.loaders.columns.catalog_items.load((self._scope, self._spec.code))
        return [CatalogItemType.of(item) for item in items]
