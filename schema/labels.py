"""Descriptions: each value of an enum in ``api.services.labels.LABELS`` gets its Chinese label as
its description (before the schema is built), and ``enumLabels`` lists them for front ends; every
argument gets one (``ARGUMENTS``, after)."""

from __future__ import annotations

from enum import Enum

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema

from api.services.labels import LABELS


def _graphql_name(cls: type[Enum]) -> str | None:
    definition = getattr(cls, "__strawberry_definition__", None)
    return definition.name if definition is not None else None


def describe_values() -> None:
    """Every labelled value's description: its label (a value described already keeps its own)."""
    for cls, labels in LABELS.items():
        definition = getattr(cls, "__strawberry_definition__", None)
        if definition is None:
            continue
        for value in definition.values:
            if value.description is None:
                value.description = labels[cls(value.value)]


@strawberry.type(name="EnumLabel", description="The Chinese label of an enum value, as front ends show it.")
class EnumLabelType:
    enum: str = strawberry.field(description="The enum's GraphQL name, e.g. RequestStatus.")
    value: str = strawberry.field(description="The value as GraphQL spells it, e.g. AWAITING_CORRECTION.")
    label: str = strawberry.field(description="e.g. 待补正.")


@strawberry.type
class LabelsQuery:
    @strawberry.field(description="The Chinese labels of the enums' values (all enums, or the one named).")
    def enum_labels(self, enum: str | None = None) -> list[EnumLabelType]:
        rows = []
        for cls, labels in LABELS.items():
            name = _graphql_name(cls)
            if name is None or (enum is not None and name != enum):
                continue
            rows += [EnumLabelType(enum=name, value=member.name, label=labels[member]) for member in cls]
        return rows


# Arguments without a description of their own get the glossary's (by "Type.field.argument", then
# by the argument's name): the same words for the same argument everywhere. A test fails on an
# argument that has none.
ARGUMENTS = {
    "id": "The object's global id (as its `id` field gives it).",
    "version": "The `version` the object was read at: a stale one is refused with CONFLICT.",
    "input": "The fields to write.",
    "first": "Page size (at most the server's page cap, 100 by default).",
    "after": "The `endCursor` of the page before.",
    "unitCode": "A unit's 12-digit 统计用区划代码.",
    "villageCode": "A village's 12-digit 统计用区划代码.",
    "parentCode": "The parent unit's 12-digit code.",
    "code": "The natural key: a unit's 12-digit code, a domain's code.",
    "domainCode": "A domain's code (the 26 domains of 基层政务公开标准化规范化).",
    "organizationId": "An organization's global id.",
    "documentId": "A document's global id.",
    "policyId": "The policy document's global id.",
    "interpretationId": "The interpretation's (政策解读) global id.",
    "grantId": "The grant's global id.",
    "year": "A calendar year (1949–2100).",
    "month": "A month, as 2026-11.",
    "from": "The first day (included).",
    "to": "The last day (included).",
    "onDate": "The day the step took effect (default today; not in the future, not before the step it follows).",
    "note": "A comment recorded with the step.",
    "comment": "The reviewer's comment (required to return a document).",
    "reason": "Why (recorded with the step and shown in the history).",
    "filter": "Narrow the list.",
    "level": "COUNTY, TOWN or VILLAGE.",
    "indexNo": "The document's 索引号.",
    "query": "What to search for (at most 200 characters).",
    "trackingCode": "The request's 查询码.",
    "password": "The password.",
    "username": "The account's name.",
    "currentPassword": "The password now in use.",
    "newPassword": "The new password (12 characters or more).",
    "files": "Files of the multipart request (PDF, OFD, DOCX, XLSX, JPEG, PNG).",
    "file": "The workbook of the multipart request (xlsx).",
    "days": "The days.",
    "body": "The template's text, with its placeholders.",
    "enum": "An enum's GraphQL name, e.g. RequestStatus; all enums when omitted.",
    "includeEnded": "Also the assignments that have ended.",
    "name": "The name.",
    "Mutation.reviewDocument.decision": "APPROVE moves the document to the next step; RETURN sends it back.",
    "Mutation.reviewDocument.confidentialityChecked": "The 保密审查 done (required to approve).",
    "Mutation.setVillagePowerItemApplicable.applicable": "Whether the template item applies to the village.",
    "Mutation.notifyInfoRequestFee.method": "By the piece or by the volume.",
    "Mutation.notifyInfoRequestFee.units": "The applicant's requests this month including this one, or the pages.",
    "Mutation.startConsultation.thirdParty": "true: a third party's opinion (Art. 32); false: 会商 (Art. 34).",
    "Mutation.extendInfoRequest.days": "Working days, 1 to 20 (Art. 33).",
    "Mutation.extendInfoRequest.approver": "Who approved the extension (the FOI body's head).",
    "Mutation.updateAppeal.outcome": "The outcome as the annual report's table 4 counts it.",
    "Mutation.saveReplyTemplate.replyType": "The reply type the template is for.",
    "Mutation.saveNoticeTemplate.kind": "The kind of notice the template is for.",
    "Mutation.markCalendarYear.complete": "true: every holiday and 调休 day of the year is entered; false: not yet.",
    "Mutation.setRequestRules.correctionWorkingDays": "Working days from the notice, 1 to 60.",
    "Mutation.setAnnualTarget.count": "Documents to publish in the year.",
    "Mutation.setAssessmentFactor.factor": "The factor's key.",
    "Mutation.setAssessmentFactor.points": "The points given.",
    "Mutation.saveAnnualReportText.section": "The written section.",
    "Mutation.saveAnnualReportText.text": "The section's text.",
    "Mutation.setAnnualReportFigure.key": "The figure of table 2.",
    "Mutation.setAnnualReportFigure.value": "Its value (null removes what was entered).",
    "Mutation.setCalendarDays.days": "Holidays and 调休 working days.",
    "status": "Only those of this status.",
    "confidentialityChecked": "The 保密审查 is done (required to publish).",
    "publisherId": "The publishing organization's global id (inside the report's scope).",
    "Mutation.updateWebhook.active": "false stops new deliveries (pending ones wait); true resumes.",
    "Mutation.updateWebhook.url": "The receiver's http(s) URL (a public address).",
    "Mutation.updateWebhook.events": "The events it receives: document.published, document.updated, document.retracted.",
    "Mutation.updateWebhook.secret": "A new signing secret (never shown again).",
    "Mutation.saveSensitiveWords.words": "Every word of the list (replaces it; at most 5,000, each at most 50 characters).",
    "Mutation.createCommitment.milestones": "Its milestones, in order (at most 50).",
    "Mutation.completeCommitmentMilestone.milestone": "The milestone's number (1, 2, …) within the commitment.",
    "Mutation.completeCommitmentMilestone.doneOn": "The day it was done (not in the future).",
    "Mutation.setSearchSynonyms.groups": "Every group, each two to ten terms (replaces the list).",
}


def describe_arguments(schema: GraphQLSchema) -> None:
    """Give each argument without a description the glossary's."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field_name, field in named.fields.items():
            for arg_name, arg in field.args.items():
                if not arg.description:
                    arg.description = ARGUMENTS.get(f"{named.name}.{field_name}.{arg_name}") or ARGUMENTS.get(arg_name)
