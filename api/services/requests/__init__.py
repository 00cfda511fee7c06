"""Information requests (依申请公开): submission, the steps as events, the clock, replies,
archive numbers, appeals and the applicants' privacy. The statute is quoted in api/clock.py.

intake.py: submission and the applicant's query; workflow.py: the steps and their table of legal
moves (``TRANSITIONS``); replies.py: the reply, its letter and the templates; appeals.py: 复议 and
诉讼; calendar.py: the working-day calendar; queries.py: the reads; common.py: what the steps share."""

from .appeals import appeals_by_ids, appeals_of_requests, record_appeal, update_appeal
from .calendar import set_calendar_days
from .common import overrides, pauses_of, today
from .intake import STAFF_CHANNELS, TRACKING_ALPHABET, Submission, status_for_applicant, submit
from .queries import (
    RUNNING,
    STOPPED,
    RequestFilter,
    can_read,
    current_due,
    days_left,
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
