"""The Chinese label of every enum value a front end shows, in one place: GraphQL gives each value
its label as its description and lists them all in ``enumLabels``. Where a label already exists
for another purpose (a status named in an error message, a row of the annual report), it is that
one, imported, not written again."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from api.models import (
    AppealKind,
    AppealOutcome,
    ApplicantType,
    Audience,
    BodyFormat,
    Channel,
    ContactRole,
    Decision,
    DeliveryForm,
    DeliveryStatus,
    DisclosureAttribute,
    DisclosureMethod,
    DocumentKind,
    DocumentStatus,
    EventKind,
    FeeMethod,
    FindingField,
    FindingKind,
    FindingStatus,
    NoticeKind,
    OrganizationKind,
    ReplyReason,
    ReplyType,
    RequestStatus,
    Role,
    Stage,
    UnitKind,
    UnitLevel,
    UpdateFrequency,
    Validity,
    VersionStatus,
)
from api.models.commitments import KIND_LABELS as COMMITMENT_KINDS
from api.models.commitments import STATUS_LABELS as COMMITMENT_STATUSES
from api.models.commitments import CommitmentEventKind, CommitmentKind, CommitmentStatus
from api.models.documents import ATTRIBUTE_LABELS, KIND_LABELS, VALIDITY_LABELS

from .reports.annual.form import APPLICANT_LABELS, FIGURE_LABELS, SECTION_TITLES, FigureKey, FigureSource, TextSection
from .requests.fees import METHOD_NAMES
from .requests.notices import TITLES as NOTICE_TITLES
from .requests.register import STEP_NAMES
from .requests.workflow import STATUS_NAMES
from .screening import FIELD_NAMES as SCREENING_FIELDS
from .screening import KIND_NAMES as SCREENING_KINDS
from .units import LEVEL_NAMES


def _values(cls: type[Enum]) -> dict[Enum, str]:
    """Enums whose values are their Chinese labels already (县, 实时, 国家秘密…)."""
    return {member: str(member.value) for member in cls}


LABELS: dict[type[Enum], Mapping[Any, str]] = {
    UnitLevel: LEVEL_NAMES,
    UnitKind: _values(UnitKind),
    OrganizationKind: {
        OrganizationKind.GOVERNMENT_OFFICE: "政府办公室", OrganizationKind.DEPARTMENT: "政府部门",
        OrganizationKind.TOWN_GOVERNMENT: "乡镇人民政府（街道办事处）", OrganizationKind.PARK_COMMITTEE: "园区管委会",
        OrganizationKind.VILLAGE_COMMITTEE: "村（居）民委员会", OrganizationKind.PUBLIC_INSTITUTION: "事业单位",
    },
    ContactRole: {ContactRole.LEADER: "分管领导", ContactRole.STAFF: "工作人员"},
    Role: {
        Role.DISTRICT_OFFICE: "政务公开办", Role.EDITOR: "信息员（初审）", Role.REVIEWER: "审核人", Role.APPROVER: "审发人",
        Role.FOI_OFFICER: "依申请公开经办人", Role.VILLAGE_POSTER: "村务公开员", Role.AUDITOR: "审计员",
        Role.KIOSK: "政务公开专区终端",
    },
    UpdateFrequency: _values(UpdateFrequency),
    Audience: _values(Audience),
    DisclosureMethod: _values(DisclosureMethod),
    DocumentKind: KIND_LABELS,
    DisclosureAttribute: ATTRIBUTE_LABELS,
    Validity: VALIDITY_LABELS,
    BodyFormat: {BodyFormat.TEXT: "纯文本", BodyFormat.HTML: "网页格式"},
    DocumentStatus: {
        DocumentStatus.DRAFT: "草稿", DocumentStatus.FIRST_REVIEW: "待初审", DocumentStatus.REVIEW: "待审核",
        DocumentStatus.SIGN_OFF: "待审发", DocumentStatus.PUBLISHED: "已发布", DocumentStatus.RETRACTED: "已撤回",
    },
    VersionStatus: {
        VersionStatus.DRAFT: "草稿", VersionStatus.FIRST_REVIEW: "待初审", VersionStatus.REVIEW: "待审核",
        VersionStatus.SIGN_OFF: "待审发", VersionStatus.PUBLISHED: "已发布", VersionStatus.SUPERSEDED: "已被新版本替代",
    },
    Stage: {
        Stage.CREATE: "起草", Stage.EDIT: "修改", Stage.SUBMIT: "提交", Stage.FIRST_REVIEW: "初审", Stage.REVIEW: "审核",
        Stage.SIGN_OFF: "审发", Stage.RETRACT: "撤回", Stage.ATTACH: "上传附件", Stage.LINK: "关联解读",
        Stage.WAIVE: "豁免扫描发现",
    },
    Decision: {Decision.APPROVE: "通过", Decision.RETURN: "退回"},
    Channel: {
        Channel.ONLINE: "网上申请", Channel.LETTER: "信函", Channel.ONSITE: "当面申请", Channel.FAX: "传真",
        Channel.EMAIL: "电子邮件", Channel.KIOSK: "政务公开专区",
    },
    ApplicantType: {a: ("自然人" if a is ApplicantType.NATURAL_PERSON else f"法人或其他组织：{APPLICANT_LABELS[a]}")
                    for a in ApplicantType},
    DeliveryForm: {
        DeliveryForm.PAPER: "纸质", DeliveryForm.ELECTRONIC: "电子数据", DeliveryForm.EMAIL: "电子邮件",
        DeliveryForm.ONSITE_VIEW: "当场阅览", DeliveryForm.OTHER: "其他",
    },
    RequestStatus: STATUS_NAMES,
    EventKind: STEP_NAMES | {EventKind.APPEAL_RECORDED: "登记复议诉讼"},
    ReplyType: {
        ReplyType.DISCLOSED: "予以公开", ReplyType.PARTIALLY_DISCLOSED: "部分公开", ReplyType.NOT_DISCLOSED: "不予公开",
        ReplyType.UNABLE: "无法提供", ReplyType.NOT_PROCESSED: "不予处理", ReplyType.OTHER: "其他处理",
    },
    ReplyReason: _values(ReplyReason),
    AppealKind: {
        AppealKind.ADMINISTRATIVE_REVIEW: "行政复议", AppealKind.LITIGATION_DIRECT: "未经复议直接起诉",
        AppealKind.LITIGATION_AFTER_REVIEW: "复议后起诉",
    },
    AppealOutcome: {
        AppealOutcome.UPHELD: "结果维持", AppealOutcome.CORRECTED: "结果纠正", AppealOutcome.OTHER: "其他结果",
        AppealOutcome.PENDING: "尚未审结",
    },
    FeeMethod: METHOD_NAMES,
    NoticeKind: NOTICE_TITLES,
    TextSection: SECTION_TITLES,
    FigureKey: FIGURE_LABELS,
    CommitmentKind: COMMITMENT_KINDS,
    CommitmentStatus: COMMITMENT_STATUSES,
    CommitmentEventKind: {
        CommitmentEventKind.CREATED: "登记承诺", CommitmentEventKind.UPDATED: "修改承诺",
        CommitmentEventKind.MILESTONE_ADDED: "增加节点", CommitmentEventKind.MILESTONE_COMPLETED: "节点完成",
        CommitmentEventKind.PROGRESS_ADDED: "报告进展",
    },
    FindingKind: SCREENING_KINDS,
    FindingField: SCREENING_FIELDS | {FindingField.ATTACHMENT: "附件"},
    FindingStatus: {FindingStatus.OPEN: "待处理", FindingStatus.FIXED: "已修改", FindingStatus.WAIVED: "已豁免"},
    DeliveryStatus: {DeliveryStatus.PENDING: "待发送", DeliveryStatus.DELIVERED: "已送达", DeliveryStatus.FAILED: "发送失败"},
    FigureSource: {
        FigureSource.COMPUTED: "由已发布文件统计", FigureSource.ENTERED: "本报告填报", FigureSource.SUMMED: "下级填报合计",
        FigureSource.MISSING: "未填报",
    },
}  # fmt: skip


def label(member: Enum) -> str:
    return LABELS[type(member)][member]
