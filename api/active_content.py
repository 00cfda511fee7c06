"""Active content in uploaded files: Office macros and PDF scripts and automatic actions.

Attachments are published on a government site, where the public trusts what it downloads, and a
disclosure document has no use for code that runs when it is opened. Such files are refused, not
flagged: a flag would still store and serve the file, and nobody is charged with clearing flags;
the clerk can always re-export the document (另存为 .docx/.xlsx, or 打印为 PDF), which drops the code.

- Office (OOXML): a ``vbaProject.bin`` part, an Excel 4.0 macro sheet, ActiveX controls, or a
  macro-enabled content type; names ending in .docm, .xlsm, .pptm and their templates and add-ins.
  Legacy OLE files (.doc, .xls) are not an accepted kind at all (``api.storage.sniff``), with or
  without macros, so their macros need no parser (oletools) here.
- PDF: pypdf reads the object tree (object streams unpacked, ``#xx`` escapes in names decoded, so a
  byte search's blind spots are not ours) from the trailer; a file holds active content when any
  object reachable from it has JavaScript (``/JS``, a ``/JavaScript`` action or name tree), a
  ``/Launch`` action, additional actions (``/AA``: on page open, field focus, …), an XFA form (its
  scripts), or an ``/OpenAction`` that is more than "open at this page" (a destination, or a GoTo
  action, is what Word and LaTeX write and stays allowed).
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns of every repaired xref at WARNING

MACRO_SUFFIXES = (".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm", ".ppam", ".sldm")
MAX_CONTENT_TYPES_BYTES = 1 << 20
# Objects visited in a PDF: a long report has some thousands; past this the file is not checked.
MAX_PDF_OBJECTS = 200_000


class Unreadable(Exception):
    """The file could not be inspected (broken, encrypted, or too large a structure)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def office_macros(path: Path) -> bool:
    """Whether an OOXML package carries macros or ActiveX controls."""
    with zipfile.ZipFile(path) as package:
        names = [n.lower() for n in package.namelist()]
        if any(
            n.endswith("vbaproject.bin") or "/macrosheets/" in n or n.startswith("xl/macrosheets/") or "/activex/" in n
            for n in names
        ):
            return True
        try:
            with package.open("[Content_Types].xml") as f:
                types = f.read(MAX_CONTENT_TYPES_BYTES).lower()
        except KeyError:
            return False
    return any(marker in types for marker in (b"macroenabled", b"vbaproject", b"macrosheet", b"activex"))


_SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA", "/Launch"}
_SCRIPT_ACTIONS = {"/JavaScript", "/Launch"}


def _harmless_open_action(value: object) -> bool:
    if isinstance(value, ArrayObject):  # an explicit destination: open at a page, with a zoom
        return True
    return isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo"


def pdf_active_content(path: Path) -> str | None:
    """What active content the PDF holds (its PDF name, e.g. ``/JavaScript``), or None.

    Raises Unreadable for a file pypdf cannot parse, one encrypted with an open password, or one
    with more than MAX_PDF_OBJECTS objects."""
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise Unreadable("encrypted")
        return _walk(reader)
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds (and RecursionError) for a broken file
        raise Unreadable("broken") from exc


def _walk(reader: PdfReader) -> str | None:
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise Unreadable("too many objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionaries, not their data
            for name, value in dict.items(obj):
                if name in _SCRIPT_KEYS:
                    return str(name)
                if name == "/S" and isinstance(value, NameObject) and value in _SCRIPT_ACTIONS:
                    return str(value)
                if name == "/AA" and (not isinstance(value.get_object(), DictionaryObject) or value.get_object()):
                    return "/AA"
                if name == "/OpenAction" and not _harmless_open_action(value.get_object()):
                    return "/OpenAction"
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    return None
