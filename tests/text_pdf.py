"""A real PDF with Chinese text, written by hand: a Type0 font with Identity-H codes (a character's
code is its Unicode code point) and a ToUnicode map, the way a word processor's export lets a
reader such as pypdf take the text back out. No font program is embedded (nothing is drawn that
the tests look at), so the file stays small. Used by the screening tests and bench/screening.py."""

from __future__ import annotations

from collections.abc import Sequence


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)}{extra} >>\nstream\n".encode() + data + b"\nendstream"


def _to_unicode(text: str) -> bytes:
    """The characters used, one ``bfchar`` line each (at most 100 a block), as exporters write it."""
    codes = sorted({ord(ch) for ch in text if ord(ch) <= 0xFFFF})
    blocks = []
    for i in range(0, len(codes), 100):
        chunk = codes[i : i + 100]
        lines = "\n".join(f"<{c:04X}> <{c:04X}>" for c in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{lines}\nendbfchar\n")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "".join(blocks)
        + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()


def _line(text: str) -> str:
    return "<" + "".join(f"{ord(ch):04X}" for ch in text if ord(ch) <= 0xFFFF) + "> Tj"


def text_pdf(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF of ``pages``, each a list of lines of text."""
    everything = "".join("".join(lines) for lines in pages)
    objects: list[bytes] = []  # object n is objects[n - 1]
    page_ids = [5 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 "
        b"/CIDToGIDMap /Identity >>] /ToUnicode 4 0 R >>"
    )
    objects.append(_stream(_to_unicode(everything)))
    for i, lines in enumerate(pages):
        body = ["BT", "/F1 12 Tf", "16 TL", "56 800 Td"]
        for line in lines:
            body += [_line(line), "T*"]
        body.append("ET")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {page_ids[i] + 1} 0 R >>".encode()
        )
        objects.append(_stream("\n".join(body).encode()))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
