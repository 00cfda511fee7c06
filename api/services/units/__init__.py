"""Admin units and organizations: the hierarchy's rules.

codes.py: codes and credit codes (pure); divisions.py: the units; organizations.py: the
organizations; importing.py: the code list import."""

from api.models import AdminUnit, Organization, UnitKind, UnitLevel  # re-exported: callers use units.UnitKind

from .codes import (
    CODE_RE,
    CREDIT_CHARS,
    CREDIT_WEIGHTS,
    KIND_BY_SUFFIX,
    LEVEL_NAMES,
    check_credit_code,
    credit_check_char,
    guess_kind,
    level_of,
    parent_code_of,
)
from .divisions import (
    ancestor_codes,
    create_unit,
    find_unit,
    get_unit,
    list_units,
    units_by_codes,
    units_by_ids,
    update_unit,
)
from .importing import ImportResult, import_units, parse_units_csv
from .organizations import (
    ContactInput,
    ProfileInput,
    contacts_of_organizations,
    create_organization,
    get_organization,
    list_organizations,
    locate_organization,
    organization_scope,
    organizations_by_ids,
    organizations_of_units,
    update_organization,
)

__all__ = [
    "AdminUnit",
    "Organization",
    "UnitKind",
    "UnitLevel",
    "CODE_RE",
    "CREDIT_CHARS",
    "CREDIT_WEIGHTS",
    "ContactInput",
    "ImportResult",
    "KIND_BY_SUFFIX",
    "LEVEL_NAMES",
    "ProfileInput",
    "ancestor_codes",
    "check_credit_code",
    "contacts_of_organizations",
    "create_organization",
    "create_unit",
    "credit_check_char",
    "find_unit",
    "get_organization",
    "get_unit",
    "guess_kind",
    "import_units",
    "level_of",
    "list_organizations",
    "list_units",
    "locate_organization",
    "organization_scope",
    "organizations_by_ids",
    "organizations_of_units",
    "parent_code_of",
    "parse_units_csv",
    "units_by_codes",
    "units_by_ids",
    "update_organization",
    "update_unit",
]
