"""Publishing: drafts through the three-step review (三审) to a 索引号; versions, retraction,
attachments and interpretations (解读).

huili-2016: 承办人员初审、承办部门负责人审核、单位负责人审发; 一事一审; 先审查、后公开.
yintai plan: the disclosure attribute (主动/部分/依申请/不予公开) is decided with the draft, and
a reason is given when it is not proactive.

content.py: body, fields, drafts and edits; workflow.py: the review steps, publication, retraction
and 解读; numbering.py: 发文字号 and 索引号; attachments.py: files; queries.py: the reads;
common.py: what the verbs share."""

from api.models import Document, DocumentStatus  # re-exported: callers use documents.Document

from .attachments import (
    Download,
    Upload,
    add_attachments,
    attachment_for_download,
    file_for_download,
    process_stored_photos,
)
from .common import ATTRIBUTE_NAMES, CONTENT_ATTRS, POSTING_STEPS, STAGE_NAMES, STEPS
from .content import ALLOWED_TAGS, DocumentFields, add_draft, create_document, sanitize_body, update_document
from .generated import publish_generated
from .numbering import (
    DEFAULT_INDEX_SCHEME,
    DOC_NUMBER_RE,
    DocNumber,
    check_index_scheme,
    format_index_no,
    parse_doc_number,
)
from .queries import (
    DOCUMENT_COLUMNS,
    DocumentFilter,
    RowColumns,
    attachment_rows_of_versions,
    attachments_of_versions,
    can_read,
    documents_by_ids,
    events_of_documents,
    find_by_index_no,
    have_published_interpretation,
    interpretation_overdue,
    interpretations_of_policies,
    list_document_rows,
    list_documents,
    list_review_queue,
    overdue_interpretations,
    public_document_rows,
    shown_status,
    sizes_of_attachments,
    versions_by_ids,
    versions_of_documents,
    visible_clause,
)
from .workflow import (
    INTERPRETATION_WORKING_DAYS,
    link_interpretation,
    retract_document,
    review_document,
    submit_document,
)

__all__ = [
    "Document",
    "DocumentStatus",
    "ALLOWED_TAGS",
    "publish_generated",
    "ATTRIBUTE_NAMES",
    "CONTENT_ATTRS",
    "DEFAULT_INDEX_SCHEME",
    "DOC_NUMBER_RE",
    "DocNumber",
    "DocumentFields",
    "DOCUMENT_COLUMNS",
    "DocumentFilter",
    "RowColumns",
    "INTERPRETATION_WORKING_DAYS",
    "POSTING_STEPS",
    "STAGE_NAMES",
    "STEPS",
    "Download",
    "Upload",
    "add_attachments",
    "add_draft",
    "attachment_for_download",
    "file_for_download",
    "process_stored_photos",
    "sizes_of_attachments",
    "attachment_rows_of_versions",
    "attachments_of_versions",
    "can_read",
    "check_index_scheme",
    "create_document",
    "documents_by_ids",
    "events_of_documents",
    "find_by_index_no",
    "format_index_no",
    "interpretation_overdue",
    "have_published_interpretation",
    "interpretations_of_policies",
    "link_interpretation",
    "list_document_rows",
    "list_documents",
    "list_review_queue",
    "public_document_rows",
    "overdue_interpretations",
    "parse_doc_number",
    "retract_document",
    "review_document",
    "sanitize_body",
    "shown_status",
    "submit_document",
    "update_document",
    "versions_by_ids",
    "versions_of_documents",
    "visible_clause",
]
