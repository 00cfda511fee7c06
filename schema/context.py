"""The typed per-request context: session, actor, settings, DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from api.auth.actor import Actor, ActorCache
from api.auth.enforcer import Authorizer
from api.privacy import Vault
from api.response_cache import ResponseCache
from api.settings import Settings
from api.storage import Storage

from .accounts.loaders import AccountsLoaders
from .catalog.loaders import CatalogLoaders
from .columns.loaders import ColumnsLoaders
from .commitments.loaders import CommitmentsLoaders
from .documents.loaders import DocumentsLoaders
from .domains.loaders import DomainsLoaders
from .micropower.loaders import MicropowerLoaders
from .requests.loaders import RequestsLoaders
from .screening.loaders import ScreeningLoaders
from .trusted import TrustedDocuments
from .units.loaders import UnitsLoaders


class Loaders:
    """One request's DataLoaders, one object per area (``schema/<area>/loaders.py``)."""

    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        self.units = UnitsLoaders(session, actor)
        self.domains = DomainsLoaders(session, actor)
        self.documents = DocumentsLoaders(session, actor)
        self.catalog = CatalogLoaders(session, actor)
        self.micropower = MicropowerLoaders(session, actor)
        self.requests = RequestsLoaders(session, actor)
        self.accounts = AccountsLoaders(session, actor)
        self.commitments = CommitmentsLoaders(session, actor)
        self.screening = ScreeningLoaders(session, actor)
        self.columns = ColumnsLoaders(session, actor)


@dataclass
class Context:
    request: Request
    response: Any
    session: AsyncSession
    actor: Actor
    settings: Settings
    storage: Storage
    vault: Vault
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session, self.actor)


@dataclass
class AppState:
    """What the app shares between requests."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    authorizer: Authorizer
    storage: Storage
    vault: Vault
    trusted: TrustedDocuments = field(default_factory=lambda: TrustedDocuments({}))
    responses: ResponseCache = field(default_factory=lambda: ResponseCache(0, 0))  # answers of trusted queries
    actors: ActorCache = field(default_factory=ActorCache)  # kiosk devices' and staff sessions' actors


def client_addr(request: Request) -> str | None:
    return request.client.host if request.client else None


SCOPE_KEY = "gongkai"


@dataclass
class RequestScope:
    """What the endpoint opened for one request: the session and the actor; for a trusted query that
    may be answered from the response cache, the version (schema/caching.py) read before anything else."""

    session: AsyncSession
    actor: Actor
    version: tuple[int, str] | None = None
