from __future__ import annotations

import strawberry
from strawberry import relay

from api.services import search as service
from api.services.pages import Page

from ..documents.types import DocumentType
from ..relay import Connection, connection
from .types import SearchHit, SearchResultConnection, SearchSynonymsType


@strawberry.type
class SearchQuery:
    @strawberry.field(description="The synonym groups a search applies (public).")
    async def search_synonyms(self, info: strawberry.Info) -> SearchSynonymsType:
        ctx = info.context
        groups, version = await service.synonyms(ctx.session, ctx.actor)
        return SearchSynonymsType(groups=groups, version=version)

    @strawberry.field(
        description="Full-text search over public documents (jieba words, all must match), best first. "
        "unitCode keeps documents of that unit, of the units below it and of its ancestors' own organizations; "
        "a kiosk searches its own place unless it names a unit below it."
    )
    async def search(
        self,
        info: strawberry.Info,
        query: str,
        unit_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> SearchResultConnection:
        ctx = info.context
        hits = await service.search(ctx.session, ctx.actor, query, unit_code, first, after)
        if hits is None:
            return SearchResultConnection(
                edges=[],
                page_info=relay.PageInfo(
                    has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
                ),
                _page=Page([], [], False, False),
            )

        # The page query read each document with its shown version (Document.current).
        docs = await DocumentType.many(info, [hit.document for hit in hits.items], "edges", "node", "document")
        page: Connection[SearchHit] = connection(
            hits.replace([SearchHit.of(hit, doc) for hit, doc in zip(hits.items, docs, strict=True)])
        )
        return SearchResultConnection(edges=page.edges, page_info=page.page_info, _page=page._page)
