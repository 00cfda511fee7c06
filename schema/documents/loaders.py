"""The documents' DataLoaders: documents, versions and what hangs off them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import documents as service

from ..loaders import AreaLoaders


class DocumentsLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.document = self.plain(service.documents_by_ids)
        self.version = self.plain(service.versions_by_ids)
        self.attachments_of_version = self.plain(service.attachments_of_versions)
        self.versions_of_document = self.plain(service.versions_of_documents)
        self.events_of_document = self.plain(service.events_of_documents)
        self.interpretations_of_policy = self.plain(service.interpretations_of_policies)
        self.visible_interpretations_of_policy = self.with_actor(service.visible_interpretations_of_policies)
