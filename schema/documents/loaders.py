"""The documents' DataLoaders: documents, versions and what hangs off them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import documents as service

from ..loaders import AreaLoaders


class DocumentsLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.document = self.with_actor(service.documents_by_ids)
        self.version = self.with_actor(service.versions_by_ids)
        self.attachments_of_version = self.with_actor(service.attachments_of_versions)
        self.sizes_of_attachment = self.with_actor(service.sizes_of_attachments)
        self.versions_of_document = self.with_actor(service.versions_of_documents)
        self.events_of_document = self.with_actor(service.events_of_documents)
        self.interpretations_of_policy = self.with_actor(service.interpretations_of_policies)
        # A fact about each policy (no document is returned): whoever asks.
        self.has_published_interpretation = self.unscoped(service.have_published_interpretation)
