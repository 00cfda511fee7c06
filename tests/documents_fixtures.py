"""Shared setup for the publishing tests: a county department with the three reviewers."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from PIL import Image

from api.models import OrganizationKind, Role, UnitKind
from api.services import units
from api.services.units import credit_check_char

from .conftest import GraphQLClient

# A whole (one blank page) PDF: uploads are parsed (api/active_content.py), and a file without
# an xref is refused.
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
    b"endobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n"
    b"0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \n"
    b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n"
)


def _png() -> bytes:
    """A real (small) PNG: photos are decoded and re-encoded (api/photos.py). Written as Pillow
    writes it, so the stored copy has the same bytes."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode" * 4


def credit(seed: int) -> str:
    body = f"11513425MB{seed:07d}"[:17]
    return body + credit_check_char(body)


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


@dataclass
class Desk:
    org_pk: int
    credit_code: str
    org_id: str
    editor: str
    reviewer: str
    approver: str


async def make_desk(session: Any, system: Any, make_user: Any, name: str = "县民政局", seed: int = 1) -> Desk:
    if await units.find_unit(session, "513425000000") is None:
        await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    org = await units.create_organization(
        session, system, unit_code="513425000000", name=name, kind=OrganizationKind.DEPARTMENT, credit_code=credit(seed)
    )
    tokens = [
        await make_user(f"{role.value}{seed}", role, organization_id=org.id)
        for role in (Role.EDITOR, Role.REVIEWER, Role.APPROVER)
    ]
    return Desk(org.id, str(org.credit_code), gid("Organization", org.id), *tokens)


CREATE = """
mutation($input: CreateDocumentInput!) {
  createDocument(input: $input) { document { id version status indexNo title } errors { field code message } }
}"""
SUBMIT = """mutation($id: ID!, $v: Int!) { submitDocument(id: $id, version: $v) {
  document { id version status } errors { field code message } } }"""
REVIEW = """mutation($id: ID!, $v: Int!, $d: Decision!, $c: String, $k: Boolean) {
  reviewDocument(id: $id, version: $v, decision: $d, comment: $c, confidentialityChecked: $k) {
    document { id version status indexNo publishedAt } errors { field code message } } }"""


def content(title: str = "关于做好2026年城乡低保工作的通知", **extra: Any) -> dict[str, Any]:
    base = {"title": title, "body": "正文", "attribute": "PROACTIVE", "docNumber": "会理民发〔2026〕3号",
            "domainCode": "SOCIAL_ASSISTANCE"}  # fmt: skip
    base.update(extra)
    return base


async def create(gql: GraphQLClient, desk: Desk, **extra: Any) -> dict[str, Any]:
    data = await gql.data(
        CREATE,
        {"input": {"publisherId": desk.org_id, "kind": "GOVERNMENT_INFO", "content": content(**extra)}},
        desk.editor,
    )
    assert data["createDocument"]["errors"] == [], data
    return data["createDocument"]["document"]


async def step(
    gql: GraphQLClient, token: str, doc: dict[str, Any], decision: str = "APPROVE", **kw: Any
) -> dict[str, Any]:
    variables = {"id": doc["id"], "v": doc["version"], "d": decision, "c": kw.get("comment"), "k": kw.get("checked")}
    return (await gql.data(REVIEW, variables, token))["reviewDocument"]


async def publish(gql: GraphQLClient, desk: Desk, **extra: Any) -> dict[str, Any]:
    doc = await create(gql, desk, **extra)
    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, desk.editor))["submitDocument"]["document"]
    doc = (await step(gql, desk.editor, doc))["document"]
    doc = (await step(gql, desk.reviewer, doc))["document"]
    result = await step(gql, desk.approver, doc, checked=True)
    assert result["errors"] == [], result
    return result["document"]
