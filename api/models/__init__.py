"""All tables; importing this module registers every model on ``Base.metadata``."""

from .accounts import CasbinRule, Role, User
from .audit import AuditEntry
from .base import Base
from .domains import Domain, DomainAlias, DomainAssignment
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
