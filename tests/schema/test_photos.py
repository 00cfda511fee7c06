"""Photos (issue 15): uploaded by the multipart spec, stored without EXIF/GPS, with 320 and 1280 px sizes."""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import zlib
from typing import Any

import httpx
from PIL import ExifTags, Image
from sqlalchemy import select

from api.auth.actor import SystemActor
from api.models import Attachment, AttachmentSize, Decision, DisclosureAttribute, Document, DocumentKind
from api.services import documents

from ..conftest import GraphQLClient
from ..documents_fixtures import PDF, REVIEW, SUBMIT, Desk, content, gid, make_desk
from .test_attachments import PREFLIGHT, multipart, row_counts, stored_files

ATTACHMENT = "filename contentType size sha256 width height url sizes { longSide width height size url }"
CREATE = (
    "mutation($input: CreateDocumentInput!, $files: [Upload!]) { createDocument(input: $input, files: $files) {"
    f" document {{ id version current {{ attachments {{ {ATTACHMENT} }} }} }} errors {{ field code message }} }} }}"
)
GPS = ExifTags.IFD.GPSInfo  # 0x8825
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>26,39.5N</exif:GPSLatitude></x:xmpmeta>'


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    """Not one flat colour, so that the encoders have something to encode."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((200, 40 + seed * 20 % 200, 30), (0, 0, width // 3, height // 4))
    return image


def phone_exif(orientation: int = 1) -> Image.Exif:
    """What a phone writes: camera, orientation and the GPS position of the shot."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(GPS)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (26.0, 39.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (102.0, 14.0, 50.0)
    return exif


def phone_jpeg(width: int, height: int, orientation: int = 1, seed: int = 0) -> bytes:
    out = io.BytesIO()
    picture(width, height, seed).save(
        out, format="JPEG", quality=90, exif=phone_exif(orientation), xmp=XMP, comment=b"home"
    )
    return out.getvalue()


def png_with_metadata(width: int, height: int) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Location", "26.658N 102.247E")
    out = io.BytesIO()
    picture(width, height).convert("RGBA").save(out, format="PNG", exif=phone_exif(), pnginfo=text)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few bytes (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def assert_clean(data: bytes, fmt: str) -> Image.Image:
    """No EXIF (so no GPS IFD), no XMP, no text or comment: only pixels (and a colour profile)."""
    image = Image.open(io.BytesIO(data))
    assert image.format == fmt
    exif = image.getexif()
    assert GPS not in exif and exif.get_ifd(GPS) == {}
    assert len(exif) == 0, dict(exif)
    assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp", "Location"} & set(image.info), image.info
    assert b"GPSLatitude" not in data and b"Phone" not in data
    return image


async def upload(
    client: httpx.AsyncClient, desk: Desk, files: list[tuple[str, bytes]], kind: str = "NOTICE"
) -> dict[str, Any]:
    body = multipart(CREATE, {"input": {"publisherId": desk.org_id, "kind": kind, "content": content()}}, files)
    response = await client.post("/graphql", **body, headers={"Authorization": f"Bearer {desk.editor}", **PREFLIGHT})
    assert response.status_code == 200, response.text
    return response.json()["data"]["createDocument"]  # type: ignore[no-any-return]


async def publish_created(gql: GraphQLClient, desk: Desk, doc: dict[str, Any]) -> None:
    doc = (await gql.data(SUBMIT, {"id": doc["id"], "v": doc["version"]}, desk.editor))["submitDocument"]["document"]
    for token, checked in ((desk.editor, None), (desk.reviewer, None), (desk.approver, True)):
        variables = {"id": doc["id"], "v": doc["version"], "d": "APPROVE", "c": None, "k": checked}
        result = (await gql.data(REVIEW, variables, token))["reviewDocument"]
        assert result["errors"] == [], result
        doc = result["document"]
    assert doc["status"] == "PUBLISHED"


async def test_phone_photo_loses_its_gps_in_every_copy(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    sent = phone_jpeg(2000, 1500, orientation=6)  # held sideways: shown upright it is 1500 × 2000
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS)  # the test's photo does carry a position
    created = await upload(client, desk, [("村委会公示栏.jpg", sent)])
    assert created["errors"] == []
    (photo,) = created["document"]["current"]["attachments"]
    assert (photo["contentType"], photo["width"], photo["height"]) == ("image/jpeg", 1500, 2000)
    assert [(s["longSide"], s["width"], s["height"]) for s in photo["sizes"]] == [(320, 240, 320), (1280, 960, 1280)]

    staff = {"Authorization": f"Bearer {desk.reviewer}"}
    original = await client.get(photo["url"], headers=staff)
    assert original.status_code == 200 and len(original.content) == photo["size"]
    assert (await client.get(photo["sizes"][0]["url"])).status_code == 404  # a draft's sizes: not for the public

    await publish_created(gql, desk, created["document"])
    public = await client.get(photo["url"])  # the original as the public receives it
    assert public.status_code == 200 and public.headers["content-type"] == "image/jpeg"
    assert public.content == original.content  # staff and public get the one stored file
    assert hashlib.sha256(public.content).hexdigest() == photo["sha256"]
    assert assert_clean(public.content, "JPEG").size == (1500, 2000)  # the orientation applied
    for size in photo["sizes"]:
        got = await client.get(size["url"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        assert len(got.content) == size["size"]
        image = assert_clean(got.content, "JPEG")
        assert max(image.size) == size["longSide"] and image.size == (size["width"], size["height"])
        assert f"-{size['longSide']}.jpg" in got.headers["content-disposition"]
    assert (await client.get(photo["url"] + "/640")).status_code == 404  # only the sizes made
    assert (await client.get(photo["url"] + "/big")).status_code == 404


async def test_png_and_webp_photos_and_no_upscaling(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    webp = io.BytesIO()
    picture(1600, 900).save(webp, format="WEBP", exif=phone_exif(), xmp=XMP)
    small = io.BytesIO()
    picture(200, 120).save(small, format="JPEG", exif=phone_exif())
    created = await upload(
        client,
        desk,
        [("公示.png", png_with_metadata(3000, 500)), ("公示.webp", webp.getvalue()), ("小图.jpg", small.getvalue())],
    )
    assert created["errors"] == []
    png, web, tiny = created["document"]["current"]["attachments"]
    assert (png["contentType"], png["width"], png["height"]) == ("image/png", 3000, 500)
    assert [(s["longSide"], s["width"], s["height"]) for s in png["sizes"]] == [(320, 320, 53), (1280, 1280, 213)]
    assert web["contentType"] == "image/webp"
    assert [(s["width"], s["height"]) for s in web["sizes"]] == [(320, 180), (1280, 720)]
    assert [(s["width"], s["height"]) for s in tiny["sizes"]] == [(200, 120), (200, 120)]  # never enlarged
    staff = {"Authorization": f"Bearer {desk.reviewer}"}
    for attachment, fmt in ((png, "PNG"), (web, "WEBP"), (tiny, "JPEG")):
        assert_clean((await client.get(attachment["url"], headers=staff)).content, fmt)
        for size in attachment["sizes"]:
            got = await client.get(size["url"], headers=staff)
            assert max(assert_clean(got.content, fmt).size) == min(size["longSide"], attachment["width"])
    png_image = Image.open(io.BytesIO((await client.get(png["sizes"][1]["url"], headers=staff)).content))
    assert png_image.mode == "RGBA" and getattr(png_image, "text", {}) == {}

    cmyk = io.BytesIO()  # as a scanner or a print shop writes it
    picture(300, 200).convert("CMYK").save(cmyk, format="JPEG", exif=phone_exif())
    (scan,) = (await upload(client, desk, [("扫描件.jpg", cmyk.getvalue())]))["document"]["current"]["attachments"]
    stored = assert_clean((await client.get(scan["url"], headers=staff)).content, "JPEG")
    assert stored.mode == "RGB" and "icc_profile" not in stored.info


async def test_bombs_and_disguised_files_are_refused(
    client: httpx.AsyncClient, make_user: Any, session: Any, system: Any, migrated: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    before_files, before_rows = stored_files(migrated), await row_counts(session)
    animated = io.BytesIO()
    picture(60, 40).save(animated, format="PNG", save_all=True, append_images=[picture(60, 40, 3)])
    cases = [
        (png_header(100_000, 100_000), "IMAGE_TOO_LARGE", "上限"),  # beyond Pillow's own bomb limit
        (png_header(9000, 6000), "IMAGE_TOO_LARGE", "9000×6000像素"),  # 54 MP: beyond ours only
        (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, "INVALID_FILE", "已损坏"),  # a JPEG by its first bytes only
        (phone_jpeg(400, 300)[:600], "INVALID_FILE", "已损坏"),  # cut short
        (animated.getvalue(), "ANIMATED_IMAGE", "动图"),
    ]
    for data, code, words in cases:
        name = "照片.jpg" if data.startswith(b"\xff\xd8") else "照片.png"
        result = await upload(client, desk, [("说明.pdf", PDF), (name, data)])
        assert result["document"] is None
        assert [(e["field"], e["code"]) for e in result["errors"]] == [("files.1", code)], result
        assert words in result["errors"][0]["message"] and name in result["errors"][0]["message"]
    assert stored_files(migrated) == before_files and await row_counts(session) == before_rows
    assert not [p for p in (migrated.files_dir / "tmp").glob("*") if p.is_file()]  # no temporary file left


async def test_sizes_of_many_photos_cost_constant_statements(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any, app: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    state = app.state.gongkai
    ids = {}
    for photos in (1, 6):
        doc = await documents.create_document(
            session, system, state.storage, publisher_id=desk.org_pk, kind=DocumentKind.GOVERNMENT_INFO,
            fields_=documents.DocumentFields(title=f"{photos}张照片", attribute=DisclosureAttribute.PROACTIVE),
            files=[documents.Upload(f"照片{i}.jpg", io.BytesIO(phone_jpeg(640, 480, seed=i))) for i in range(photos)],
            tmp_dir=state.settings.files_dir / "tmp", max_bytes=1 << 22,
        )  # fmt: skip
        doc = await documents.submit_document(session, system, document_id=doc.id, version=doc.version)
        for _ in range(3):
            doc = await documents.review_document(
                session, SystemActor(authorizer=system.authorizer), document_id=doc.id, version=doc.version,
                decision=Decision.APPROVE, confidentiality_checked=True,
            )  # fmt: skip
        ids[photos] = gid("Document", doc.id)
        last = doc
    one = """query($id: ID!) { node(id: $id) { ... on Document { title
      attachments { url width sizes { longSide url width height } }
      current { attachments { sizes { url } } } } } }"""
    page = """query($n: Int!) { documents(first: $n) { edges { node { title
      attachments { url sizes { longSide url width height } } } } } }"""

    async def count(query: str, variables: dict[str, Any], photos: int) -> int:
        statement_counter.start()
        data = await gql.data(query, variables)
        used = statement_counter.stop()
        nodes = [data["node"]] if "node" in data else [e["node"] for e in data["documents"]["edges"]]
        assert sum(len(n["attachments"]) for n in nodes) == photos
        assert all(len(a["sizes"]) == 2 for n in nodes for a in n["attachments"])
        return used

    few, many = await count(one, {"id": ids[1]}, 1), await count(one, {"id": ids[6]}, 6)
    assert few == many, statement_counter.statements
    first, both = await count(page, {"n": 1}, 6), await count(page, {"n": 2}, 7)
    assert first == both, statement_counter.statements

    # an edit after publication copies the attachments to the new draft, the sizes with them
    edited = await documents.update_document(
        session, system, document_id=last.id, version=last.version,
        fields_=documents.DocumentFields(title="6张照片（更正）", attribute=DisclosureAttribute.PROACTIVE),
    )  # fmt: skip
    assert edited.working_version_id not in (None, last.current_version_id)
    copied = (
        (await session.execute(select(Attachment).where(Attachment.version_id == edited.working_version_id)))
        .scalars()
        .all()
    )
    assert len(copied) == 6 and {(a.width, a.height) for a in copied} == {(640, 480)}
    sizes = (
        await session.execute(
            select(AttachmentSize.attachment_id, AttachmentSize.long_side, AttachmentSize.width)
            .where(AttachmentSize.attachment_id.in_([a.id for a in copied]))
            .order_by(AttachmentSize.attachment_id, AttachmentSize.long_side)
        )
    ).all()
    assert [tuple(r) for r in sizes] == [
        (a.id, n, w) for a in sorted(copied, key=lambda a: a.id) for n, w in ((320, 320), (1280, 640))
    ]


async def test_photos_stored_before_are_cleaned_by_the_command(
    client: httpx.AsyncClient, gql: GraphQLClient, make_user: Any, session: Any, system: Any, app: Any
) -> None:
    """An attachment stored as uploaded (before api/photos.py): ``process_stored_photos`` (the
    ``gongkai process-photos`` command) replaces its file and adds the sizes."""
    desk = await make_desk(session, system, make_user)
    created = await upload(client, desk, [("说明.pdf", PDF)])
    await publish_created(gql, desk, created["document"])
    state = app.state.gongkai
    sent = phone_jpeg(1600, 1200)
    legacy = state.settings.files_dir / "tmp" / "legacy-upload"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(sent)
    old_sha = hashlib.sha256(sent).hexdigest()
    await state.storage.put(old_sha, legacy)
    doc = await session.get(Document, int(base64.b64decode(created["document"]["id"]).split(b":")[1]))
    row = Attachment(
        document_id=doc.id, version_id=doc.current_version_id, filename="旧照片.jpg", content_type="image/jpeg",
        size=len(sent), sha256=old_sha, position=1,
    )  # fmt: skip
    session.add(row)
    await session.commit()
    before = await client.get(f"/files/{row.id}")
    assert Image.open(io.BytesIO(before.content)).getexif().get_ifd(GPS)  # served with its position, as it was

    assert await documents.process_stored_photos(session, system, state.storage, state.settings.files_dir / "tmp") == (
        1,
        0,
    )
    after = await client.get(f"/files/{row.id}")
    assert after.status_code == 200 and assert_clean(after.content, "JPEG").size == (1600, 1200)
    query = """query($id: ID!) { node(id: $id) { ... on Document { attachments { filename width sizes { url width } } } } }"""
    (photo,) = [
        a for a in (await gql.data(query, {"id": created["document"]["id"]}))["node"]["attachments"] if a["width"]
    ]
    assert [s["width"] for s in photo["sizes"]] == [320, 1280]
    for size in photo["sizes"]:
        assert_clean((await client.get(size["url"])).content, "JPEG")
    assert await state.storage.read(old_sha) is None  # the file with the GPS position is gone
    assert await documents.process_stored_photos(session, system, state.storage, state.settings.files_dir / "tmp") == (
        0,
        0,
    )
