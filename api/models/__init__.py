"""All tables; importing this module registers every model on ``Base.metadata``."""

from .accounts import CasbinRule, Role, User
from .audit import AuditEntry
from .base import Base
from .catalog import Audience, CatalogItem, CatalogResponsibility, DisclosureMethod, UpdateFrequency
from .documents import (
    Attachment,
    BodyFormat,
    Decision,
    DisclosureAttribute,
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    IndexCounter,
    Stage,
    Validity,
    VersionStatus,
)
from .domains import Domain, DomainAlias, DomainAssignment
from .micropower import PowerItem, VillagePowerItem
from .search import DocumentSearch
from .units import (
    AdminUnit,
    ContactRole,
    Organization,
    OrganizationContact,
    OrganizationKind,
    UnitKind,
    UnitLevel,
)

__all__ = [
    "Audience",
    "CatalogItem",
    "CatalogResponsibility",
    "DisclosureMethod",
    "PowerItem",
    "UpdateFrequency",
    "VillagePowerItem",
    "DocumentSearch",
    "Attachment",
    "BodyFormat",
    "Decision",
    "DisclosureAttribute",
    "Document",
    "DocumentEvent",
    "DocumentKind",
    "DocumentStatus",
    "DocumentVersion",
    "IndexCounter",
    "Stage",
    "Validity",
    "VersionStatus",
    "AdminUnit",
    "AuditEntry",
    "Base",
    "CasbinRule",
    "ContactRole",
    "Domain",
    "DomainAlias",
    "DomainAssignment",
    "Organization",
    "OrganizationContact",
    "OrganizationKind",
    "Role",
    "UnitKind",
    "UnitLevel",
    "User",
]
