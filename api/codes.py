"""The error codes of each area, declared once: a ``UserInputError`` takes one of these, and the
schema publishes each enum (``<Area>ErrorCode``) with the meanings below.

Generated once from the codes in use; add a code here (with its meaning) before raising it.
"""

from __future__ import annotations

from enum import StrEnum


class CommonCode(StrEnum):
    """Codes any area may answer."""

    CONFLICT = "CONFLICT"
    INVALID_CURSOR = "INVALID_CURSOR"


class AccountsCode(StrEnum):
    """Accounts, roles and kiosk devices."""

    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    ALREADY_INACTIVE = "ALREADY_INACTIVE"
    ALREADY_REVOKED = "ALREADY_REVOKED"
    DUPLICATE = "DUPLICATE"
    INVALID_CHARACTERS = "INVALID_CHARACTERS"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_USERNAME = "INVALID_USERNAME"
    NOT_FOUND = "NOT_FOUND"
    NO_SESSION = "NO_SESSION"
    ONE_LOGIN_PER_REQUEST = "ONE_LOGIN_PER_REQUEST"
    OUTSIDE_UNIT = "OUTSIDE_UNIT"
    PASSWORD_COMMON = "PASSWORD_COMMON"
    PASSWORD_GUESSABLE = "PASSWORD_GUESSABLE"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_SIMPLE = "PASSWORD_TOO_SIMPLE"
    REQUIRED = "REQUIRED"
    SAME_PASSWORD = "SAME_PASSWORD"
    SELF = "SELF"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"


class CatalogCode(StrEnum):
    """The disclosure catalog."""

    EMPTY = "EMPTY"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    INVALID_CHANNEL = "INVALID_CHANNEL"
    INVALID_FILE = "INVALID_FILE"
    INVALID_ROW = "INVALID_ROW"
    NOT_COUNTY = "NOT_COUNTY"
    OUTSIDE_COUNTY = "OUTSIDE_COUNTY"
    REQUIRED = "REQUIRED"
    TOO_MANY_ERRORS = "TOO_MANY_ERRORS"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    TOO_MANY_SHEETS = "TOO_MANY_SHEETS"
    UNKNOWN_DOMAIN = "UNKNOWN_DOMAIN"
    UNKNOWN_ORGANIZATION = "UNKNOWN_ORGANIZATION"


class CommitmentsCode(StrEnum):
    """Public commitments (民生实事, 承诺事项): milestones and progress."""

    ALREADY_DONE = "ALREADY_DONE"
    EVIDENCE_NOT_PUBLISHED = "EVIDENCE_NOT_PUBLISHED"
    IN_FUTURE = "IN_FUTURE"
    INVALID_YEAR = "INVALID_YEAR"
    NOT_FOUND = "NOT_FOUND"
    OUTSIDE_UNIT = "OUTSIDE_UNIT"
    REQUIRED = "REQUIRED"
    TOO_MANY = "TOO_MANY"


class ColumnsCode(StrEnum):
    """The standard columns of the 政府信息公开 platform."""

    NOT_IN_UNIT = "NOT_IN_UNIT"
    UNKNOWN_COLUMN = "UNKNOWN_COLUMN"


class DocumentsCode(StrEnum):
    """Documents, their review and attachments."""

    ACTIVE_CONTENT = "ACTIVE_CONTENT"
    ANIMATED_IMAGE = "ANIMATED_IMAGE"
    ENCRYPTED_FILE = "ENCRYPTED_FILE"
    INVALID_FILE = "INVALID_FILE"
    MACRO_ENABLED = "MACRO_ENABLED"
    COMMENT_REQUIRED = "COMMENT_REQUIRED"
    CONFIDENTIALITY_CHECK_REQUIRED = "CONFIDENTIALITY_CHECK_REQUIRED"
    EMPTY_FILE = "EMPTY_FILE"
    FILE_NAME_MISMATCH = "FILE_NAME_MISMATCH"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    GENERATED_KIND = "GENERATED_KIND"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    INVALID_DOC_NUMBER = "INVALID_DOC_NUMBER"
    INVALID_INDEX_SCHEME = "INVALID_INDEX_SCHEME"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    NOT_FOUND = "NOT_FOUND"
    NOT_INTERPRETATION = "NOT_INTERPRETATION"
    NOT_IN_VILLAGE = "NOT_IN_VILLAGE"
    NOT_POLICY = "NOT_POLICY"
    NOT_VILLAGE = "NOT_VILLAGE"
    NO_CREDIT_CODE = "NO_CREDIT_CODE"
    OUTSIDE_COUNTY = "OUTSIDE_COUNTY"
    PHOTOS_ONLY = "PHOTOS_ONLY"
    REASON_REQUIRED = "REASON_REQUIRED"
    REQUIRED = "REQUIRED"
    SAME_REVIEWER = "SAME_REVIEWER"
    STORAGE_UNAVAILABLE = "STORAGE_UNAVAILABLE"
    TOO_LONG = "TOO_LONG"
    UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE"


class DomainsCode(StrEnum):
    """Disclosure domains and their assignment."""

    NOT_COUNTY = "NOT_COUNTY"
    NOT_FOUND = "NOT_FOUND"
    OUTSIDE_COUNTY = "OUTSIDE_COUNTY"


class MicropowerCode(StrEnum):
    """Village micro-power lists."""

    NOT_COUNTY = "NOT_COUNTY"
    NOT_FOUND = "NOT_FOUND"
    NOT_VILLAGE = "NOT_VILLAGE"
    REASON_REQUIRED = "REASON_REQUIRED"
    REQUIRED = "REQUIRED"


class ReportsCode(StrEnum):
    """Monthly reports, circulars, assessment and the annual report."""

    INVALID = "INVALID"
    INVALID_MONTH = "INVALID_MONTH"
    INVALID_NUMBER = "INVALID_NUMBER"
    INVALID_VALUE = "INVALID_VALUE"
    INVALID_YEAR = "INVALID_YEAR"
    CONFIDENTIALITY_CHECK_REQUIRED = "CONFIDENTIALITY_CHECK_REQUIRED"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    PUBLISHER_OUTSIDE_SCOPE = "PUBLISHER_OUTSIDE_SCOPE"
    REQUIRED = "REQUIRED"
    SCOPE_REQUIRED = "SCOPE_REQUIRED"
    TOO_LONG = "TOO_LONG"
    UNKNOWN_FORMAT = "UNKNOWN_FORMAT"
    UNKNOWN_REPORT = "UNKNOWN_REPORT"


class RequestsCode(StrEnum):
    """Information requests (依申请公开)."""

    ALREADY_EXTENDED = "ALREADY_EXTENDED"
    ALREADY_NOTIFIED = "ALREADY_NOTIFIED"
    BEFORE_START = "BEFORE_START"
    CORRECTION_TOO_LATE = "CORRECTION_TOO_LATE"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    INVALID_CHANNEL = "INVALID_CHANNEL"
    INVALID_TEMPLATE = "INVALID_TEMPLATE"
    IN_FUTURE = "IN_FUTURE"
    LEGAL_BASIS_REQUIRED = "LEGAL_BASIS_REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    NO_FEE = "NO_FEE"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    REASON_NOT_ALLOWED = "REASON_NOT_ALLOWED"
    REASON_REQUIRED = "REASON_REQUIRED"
    REMEDIES_REQUIRED = "REMEDIES_REQUIRED"
    REQUIRED = "REQUIRED"
    SAME_REVIEWER = "SAME_REVIEWER"
    TOO_EARLY = "TOO_EARLY"
    TOO_LATE = "TOO_LATE"
    TOO_LONG = "TOO_LONG"


class ScreeningCode(StrEnum):
    """The privacy and sensitive-word scan before 审发, and the district office's word list."""

    NOT_COUNTY = "NOT_COUNTY"
    NOT_CURRENT = "NOT_CURRENT"
    NOT_FOUND = "NOT_FOUND"
    NOT_OPEN = "NOT_OPEN"
    OPEN_FINDINGS = "OPEN_FINDINGS"
    REASON_REQUIRED = "REASON_REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_MANY_WORDS = "TOO_MANY_WORDS"
    WORD_TOO_LONG = "WORD_TOO_LONG"


class SearchCode(StrEnum):
    """Search."""

    INVALID_GROUP = "INVALID_GROUP"
    TOO_LONG = "TOO_LONG"
    TOO_MANY = "TOO_MANY"


class UnitsCode(StrEnum):
    """Administrative units and organizations."""

    DUPLICATE = "DUPLICATE"
    INVALID_CODE = "INVALID_CODE"
    INVALID_CREDIT_CODE = "INVALID_CREDIT_CODE"
    INVALID_KIND = "INVALID_KIND"
    INVALID_PARENT = "INVALID_PARENT"
    INVALID_ROW = "INVALID_ROW"
    NOT_FOUND = "NOT_FOUND"
    OUTSIDE_PARENT = "OUTSIDE_PARENT"
    PARENT_NOT_FOUND = "PARENT_NOT_FOUND"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"


class ChannelsCode(StrEnum):
    """Feeds, webhooks and exports to other systems."""

    INVALID_CURSOR = "INVALID_CURSOR"
    INVALID_URL = "INVALID_URL"
    NOT_FOUND = "NOT_FOUND"
    TOO_LONG = "TOO_LONG"
    UNKNOWN_EVENT = "UNKNOWN_EVENT"
    WEAK_SECRET = "WEAK_SECRET"


class RequestCode(StrEnum):
    """Refusals of a GraphQL request before it runs (GraphQL over HTTP, schema/view.py): answered
    with no ``data``, never in a mutation payload, so not published as a schema enum."""

    TRUSTED_DOCUMENT_REQUIRED = "TRUSTED_DOCUMENT_REQUIRED"
    UNKNOWN_DOCUMENT_ID = "UNKNOWN_DOCUMENT_ID"


MEANINGS: dict[str, str] = {
    "NOT_CURRENT": "The finding belongs to a version that is no longer the one under review.",
    "NOT_OPEN": "The finding is already fixed (a later scan no longer finds it) or waived.",
    "OPEN_FINDINGS": "The privacy and sensitive-word scan found ID numbers, mobile or card numbers or listed words that are neither fixed nor waived: 审发 (or the town's approval) waits until each is.",
    "TOO_MANY_WORDS": "The sensitive-word list holds more words than allowed (the message says how many).",
    "WORD_TOO_LONG": "A word of the sensitive-word list is longer than allowed.",
    "ACTIVE_CONTENT": "The PDF holds JavaScript or actions that run by themselves (/OpenAction, /AA, /Launch).",
    "ANIMATED_IMAGE": "The image has several frames (an animation); only still photos are taken.",
    "ALREADY_EXTENDED": "The reply period was already extended once (Art. 33 allows one extension).",
    "ALREADY_NOTIFIED": "The notice may be sent once only (Art. 30: 一次性告知 the correction).",
    "ALREADY_REVOKED": "The grant or device was already revoked.",
    "BEFORE_START": "The date lies before the fact it follows (receipt, the request, the notice).",
    "COMMENT_REQUIRED": "Sending back or refusing a step needs a comment.",
    "CONFIDENTIALITY_CHECK_REQUIRED": "审发 needs the 保密审查 confirmed.",
    "CONFLICT": "The object changed since the client read it (stale version): reload and retry.",
    "CORRECTION_TOO_LATE": "The correction notice is past the 7 working days of Art. 30.",
    "DUPLICATE": "A unique value (username, code, name) is already taken.",
    "EMPTY": "The file or list holds nothing to import.",
    "ENCRYPTED_FILE": "The file is protected by an open password and cannot be checked.",
    "EMPTY_FILE": "The uploaded file is empty.",
    "FILE_NAME_MISMATCH": "The file's name does not match its content type.",
    "GENERATED_KIND": "Documents of this kind are made by the system (the annual report: publishAnnualReport).",
    "FILE_TOO_LARGE": "The file is over the size limit.",
    "ILLEGAL_TRANSITION": "The step is not allowed from the object's current status.",
    "IMAGE_TOO_LARGE": "The image has more pixels than the limit (a decompression bomb is refused from its header).",
    "INVALID": "The value is not valid for this field.",
    "INVALID_CHANNEL": "Unknown channel, or one the caller may not use (a request's KIOSK channel: kiosk devices only).",
    "INVALID_CODE": "Not a valid 12-digit 统计用区划代码, or of the wrong level.",
    "INVALID_CREDENTIALS": "Wrong username or password (or the account is inactive).",
    "INVALID_CREDIT_CODE": "Not a valid 统一社会信用代码 (GB 32100 check digit).",
    "INVALID_CURSOR": "The pagination cursor is malformed.",
    "INVALID_URL": "The address is not an http(s) URL the server may call (or it names a private network).",
    "INVALID_DOC_NUMBER": "The 文号 is not in the form 机关代字〔年份〕序号号.",
    "INVALID_FILE": "The file cannot be read as the expected format.",
    "INVALID_GROUP": "A synonym group is malformed (2 to 10 distinct terms, each in one group only).",
    "INVALID_INDEX_SCHEME": "The 索引号 scheme is malformed.",
    "INVALID_KIND": "The kind does not fit the unit's level.",
    "INVALID_MONTH": "Not a valid month (YYYY-MM).",
    "INVALID_NUMBER": "Not a valid number.",
    "INVALID_PARENT": "The parent unit is of the wrong level.",
    "INVALID_ROW": "A row of the imported file is invalid (the message names the row).",
    "INVALID_TEMPLATE": "The reply template is malformed.",
    "INVALID_USERNAME": "The username has characters or a length not allowed.",
    "INVALID_VALUE": "The value is out of the allowed set.",
    "INVALID_YEAR": "The year is outside the allowed range.",
    "IN_FUTURE": "The date lies in the future.",
    "LEGAL_BASIS_REQUIRED": "The reply needs the article it relies on.",
    "MACRO_ENABLED": "The Office file holds macros or ActiveX controls, or is of a macro-enabled kind.",
    "NOT_APPLICABLE": "The field does not apply to this kind of object.",
    "NOT_COUNTY": "The unit given is not a county.",
    "NO_FEE": "The office's fee standard charges nothing for this request (国办函〔2020〕109号 thresholds).",
    "NOT_FOUND": "No object with this id or code (or not one the caller may see).",
    "PUBLISHER_OUTSIDE_SCOPE": "The publishing organization lies outside the report's organization or unit.",
    "NOT_IN_UNIT": "The organization does not belong to the unit given beside it.",
    "NOT_INTERPRETATION": "The document is not a policy interpretation.",
    "NOT_IN_VILLAGE": "The organization is not in the village.",
    "NOT_POLICY": "The document is not a policy.",
    "NOT_VILLAGE": "The unit given is not a village.",
    "NO_CREDIT_CODE": "The issuing organization has no 统一社会信用代码 (needed for the 索引号).",
    "OUTSIDE_COUNTY": "The object lies outside the county concerned.",
    "OUTSIDE_PARENT": "The code does not lie under its parent's code.",
    "OUTSIDE_UNIT": "The organization does not belong to the unit given.",
    "OUT_OF_RANGE": "The number is out of range.",
    "PARENT_NOT_FOUND": "The parent unit does not exist.",
    "PASSWORD_TOO_SHORT": "The password is too short.",
    "PHOTOS_ONLY": "Only photos (JPEG, PNG, WebP) may be attached here.",
    "REASON_NOT_ALLOWED": "The reason does not fit the reply type.",
    "REASON_REQUIRED": "A reason is required.",
    "REMEDIES_REQUIRED": "A refusal must state the remedies (复议, 诉讼).",
    "REQUIRED": "A required field is empty.",
    "SAME_REVIEWER": "The same person may not take two review steps (of one version, or draft and approve a reply).",
    "SCOPE_REQUIRED": "Say which unit the report is for.",
    "STORAGE_UNAVAILABLE": "The file store cannot be reached; retry later.",
    "TOO_EARLY": "The step waits for a deadline that has not passed (a correction or fee lapses only after its day).",
    "TOO_LATE": "The step comes after its deadline (an extension asked after the due date).",
    "TOO_LONG": "The text is over its length limit.",
    "UNKNOWN_EVENT": "The event name is not one the server sends (document.published, .updated, .retracted).",
    "TOO_MANY_ERRORS": "More errors than are listed; the message says how many.",
    "TOO_MANY_ROWS": "The file has more rows than one import takes.",
    "TOO_MANY_SHEETS": "The workbook has more sheets than one import takes.",
    "UNKNOWN_COLUMN": "No platform column with this code (PlatformColumn.code).",
    "UNKNOWN_DOMAIN": "No disclosure domain with this code.",
    "UNKNOWN_FORMAT": "Unknown export format.",
    "UNKNOWN_ORGANIZATION": "No organization with this name or code.",
    "UNKNOWN_REPORT": "Unknown report.",
    "UNSUPPORTED_FILE_TYPE": "The file type is not accepted.",
    "WEAK_SECRET": "The webhook secret is shorter than 16 characters.",
    "ACCOUNT_LOCKED": "Too many failed sign-ins for the account or from the address: locked for a while (the message says until when).",
    "ALREADY_DONE": "The milestone is already done (its done date stands; record progress instead).",
    "EVIDENCE_NOT_PUBLISHED": "Evidence must be a published, public document of this system.",
    "TOO_MANY": "More items than one object may hold (the message says the limit).",
    "ALREADY_INACTIVE": "The account is already deactivated.",
    "INVALID_CHARACTERS": "The value holds control characters (line breaks, tabs, NUL).",
    "NO_SESSION": "The token names no sign-in session (a kiosk device token): nothing to log out.",
    "ONE_LOGIN_PER_REQUEST": "A request may check one password only (login, change of password): send one per request.",
    "PASSWORD_COMMON": "The password is on the list of common passwords.",
    "PASSWORD_GUESSABLE": "The password is too easy to guess (words, sequences, repeats, the user's own name).",
    "PASSWORD_TOO_LONG": "The password is over 128 characters.",
    "PASSWORD_TOO_SIMPLE": "The password has fewer than three of: upper case, lower case, digits, other characters.",
    "SAME_PASSWORD": "The new password is the same as the current one.",
    "SELF": "An account cannot do this to itself (e.g. deactivate its own account).",
    "TRUSTED_DOCUMENT_REQUIRED": "Anonymous callers may run the trusted documents only (GONGKAI_ANONYMOUS_TRUSTED_ONLY): send its documentId, or sign in.",
    "UNKNOWN_DOCUMENT_ID": "The documentId names no trusted document of this server (clients/trusted-documents.json).",
    "TOO_MANY_ATTEMPTS": "As many sign-in attempts as are left for the account or address are being checked right now: retry in a few seconds.",
}

AREAS: dict[str, type[StrEnum]] = {
    "Common": CommonCode,
    "Accounts": AccountsCode,
    "Catalog": CatalogCode,
    "Commitments": CommitmentsCode,
    "Channels": ChannelsCode,
    "Columns": ColumnsCode,
    "Documents": DocumentsCode,
    "Domains": DomainsCode,
    "Micropower": MicropowerCode,
    "Reports": ReportsCode,
    "Requests": RequestsCode,
    "Screening": ScreeningCode,
    "Search": SearchCode,
    "Units": UnitsCode,
}
