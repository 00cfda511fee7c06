"""Information requests (依申请公开): submission, the steps as events, the clock, replies,
archive numbers, appeals and the applicants' privacy. The statute is quoted in api/clock.py.

intake.py: submission and the applicant's query; workflow.py: the steps and their table of legal
moves (``TRANSITIONS``); fees.py: the fee standard, the 收费通知 and payment, the office's rules; replies.py: the reply, its letter and the templates; appeals.py: 复议 and
诉讼; calendar.py: the working-day calendar; queries.py: the reads; common.py: what the steps share."""

from .appeals import appeals_by_ids, appeals_of_requests, record_appeal, update_appeal
from .calendar import mark_calendar_year, set_calendar_days
from .common import overrides, pauses_of, request_rules, today
from .fees import (
    METHOD_NAMES,
    fee_for,
    fee_lapsed,
    fee_standards,
    notify_fee,
    record_payment,
    set_fee_standard,
    set_request_rules,
)
from .intake import STAFF_CHANNELS, TRACKING_ALPHABET, Submission, status_for_applicant, submit
from .notices import COMMON as NOTICE_COMMON
from .notices import FIELDS as NOTICE_FIELDS
from .notices import NODE as NOTICE_NODE
from .notices import TITLES as NOTICE_TITLES
from .notices import (
    check_notice_scheme,
    notice_templates,
    notices_for_applicant,
    notices_of_requests,
    save_notice_template,
)
from .notices import text_of as notice_text
from .queries import (
    RUNNING,
    STOPPED,
    RequestFilter,
    can_read,
    current_due,
    days_left,
    due_moves,
    events_of_requests,
    is_overdue,
    list_requests,
    requests_by_ids,
    reveal,
)
from .register import QUERY_ROWS as REGISTER_QUERY_ROWS
from .register import RegisterRow, request_register
from .replies import DEFAULT_TEMPLATES, REFUSALS, REMEDIES, ReplyInput, reply, save_template
from .workflow import (
    ACTION_NAMES,
    BACK,
    STATUS_NAMES,
    STAY,
    TRANSITIONS,
    WORKING,
    archive,
    assign,
    correction_lapsed,
    end_consultation,
    extend,
    record_correction,
    register,
    request_correction,
    send_for_review,
    short_code,
    start_consultation,
    withdraw,
)

__all__ = [
    "NOTICE_COMMON",
    "NOTICE_FIELDS",
    "NOTICE_NODE",
    "NOTICE_TITLES",
    "check_notice_scheme",
    "notice_templates",
    "notice_text",
    "notices_for_applicant",
    "notices_of_requests",
    "save_notice_template",
    "METHOD_NAMES",
    "due_moves",
    "fee_for",
    "fee_lapsed",
    "fee_standards",
    "mark_calendar_year",
    "notify_fee",
    "record_payment",
    "request_rules",
    "set_fee_standard",
    "set_request_rules",
    "ACTION_NAMES",
    "BACK",
    "DEFAULT_TEMPLATES",
    "REFUSALS",
    "REMEDIES",
    "ReplyInput",
    "RequestFilter",
    "STAFF_CHANNELS",
    "STATUS_NAMES",
    "STAY",
    "Submission",
    "TRACKING_ALPHABET",
    "TRANSITIONS",
    "WORKING",
    "appeals_by_ids",
    "appeals_of_requests",
    "archive",
    "assign",
    "can_read",
    "correction_lapsed",
    "RUNNING",
    "REGISTER_QUERY_ROWS",
    "RegisterRow",
    "request_register",
    "STOPPED",
    "current_due",
    "days_left",
    "end_consultation",
    "events_of_requests",
    "extend",
    "is_overdue",
    "list_requests",
    "overrides",
    "pauses_of",
    "record_appeal",
    "record_correction",
    "register",
    "reply",
    "request_correction",
    "requests_by_ids",
    "reveal",
    "save_template",
    "send_for_review",
    "set_calendar_days",
    "short_code",
    "start_consultation",
    "status_for_applicant",
    "submit",
    "today",
    "update_appeal",
    "withdraw",
]
