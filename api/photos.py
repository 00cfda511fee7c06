"""Uploaded photos (JPEG, PNG, WebP): the orientation applied, every metadata block dropped, and two
smaller copies for lists (320 and 1280 pixels on the long side, never upscaled).

A phone's photo carries its GPS position and camera details in EXIF (and often again in XMP); a
village posting shows it to the public. So the uploaded bytes are never stored: the attachment's
file is the image re-encoded from its pixels at full size, with only the colour profile (ICC)
kept, and each size is made from that. The staff receive the same file as the public.

Blocking (it decodes the whole image): run ``process`` in a worker thread. The pixel count is
checked from the header before any pixel is decoded (``MAX_PIXELS``), so a small file that claims
a huge image (a decompression bomb) is refused without allocating it.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from api.codes import DocumentsCode
from api.errors import UserInputError
from api.storage import JPEG, PNG, WEBP, FileKind

SIZES = (1280, 320)  # long side in pixels, largest first: each is made from the one before
MAX_PIXELS = 50_000_000  # 8160×6120 (a 50-megapixel phone) fits; decoded as RGBA it is 200 MB
PHOTO_KINDS = (JPEG, PNG, WEBP)
QUALITY = 88
# At most two photos decoded at once per process (each up to MAX_PIXELS, several copies of it):
# further uploads wait in their worker thread, not on the event loop.
DECODING = threading.BoundedSemaphore(2)


@dataclass(frozen=True)
class Rendition:
    """One encoded image in a temporary file, ready for ``Storage.put``."""

    width: int
    height: int
    sha256: str
    size: int
    temp: Path


@dataclass(frozen=True)
class Photo:
    original: Rendition  # full size, re-encoded without metadata
    sizes: dict[int, Rendition]  # by long side (``SIZES``)

    def temps(self) -> list[Path]:
        return [self.original.temp, *(r.temp for r in self.sizes.values())]


def _refuse_unreadable(name: str, field: str) -> UserInputError:
    return UserInputError(
        field, DocumentsCode.INVALID_FILE, f"图片“{name}”已损坏或不是真正的图片文件，无法读取；请重新拍摄或导出后上传"
    )


def _too_large(name: str, field: str, width: int | None = None, height: int | None = None) -> UserInputError:
    shown = f"（{width}×{height}像素）" if width and height else ""
    return UserInputError(
        field,
        DocumentsCode.IMAGE_TOO_LARGE,
        f"图片“{name}”的尺寸过大{shown}，超过{MAX_PIXELS // 10_000}万像素的上限；请缩小后重新上传",
    )


def _open(path: Path, kind: FileKind, name: str, field: str) -> Image.Image:
    """The image, decoded, when its header claims no more than ``MAX_PIXELS``; else a UserInputError."""
    try:
        image = Image.open(path, formats=[kind.name])  # only the decoder the signature named
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own check (above its MAX_IMAGE_PIXELS, higher than ours) raises, or warns: a
        # warning is raised only where warnings are errors, elsewhere ours below refuses the image
        raise _too_large(name, field) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _refuse_unreadable(name, field) from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise _too_large(name, field, width, height)
    if getattr(image, "n_frames", 1) > 1:
        image.close()
        raise UserInputError(
            field, DocumentsCode.ANIMATED_IMAGE, f"图片“{name}”是动图（多帧），不予接收；请上传静态照片"
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # truncated or corrupt pixel data
        image.close()
        raise _refuse_unreadable(name, field) from exc
    return image


def _clean(source: Image.Image, kind: FileKind) -> Image.Image:
    """The pixels upright, in a mode the format writes, with no ``info`` (EXIF, XMP, comments, text)."""
    image = ImageOps.exif_transpose(source)
    if kind is JPEG:
        wanted = "L" if image.mode in ("L", "1", "I;16", "I") else "RGB"
    elif image.mode in ("RGB", "RGBA", "L"):
        wanted = image.mode
    else:
        transparent = "A" in image.mode or "transparency" in image.info
        wanted = "RGBA" if transparent else "RGB"
    if image.mode != wanted:
        image = image.convert(wanted)
    image.info = {}
    return image


def _save_options(kind: FileKind, icc: bytes | None, source: Image.Image | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if kind is JPEG:
        if source is not None and getattr(source, "quantization", None):
            # the upload's own quantization: the full-size copy keeps its quality and about its size
            options["qtables"] = source.quantization  # type: ignore[attr-defined]
            sampling = JpegImagePlugin.get_sampling(source)
            if sampling != -1:
                options["subsampling"] = sampling
        else:
            options["quality"] = QUALITY
            options["optimize"] = True  # a few % smaller; on a size it costs little (on 12 MP it doubles the time)
    elif kind is WEBP:
        options["quality"] = QUALITY
    return options


def _write(image: Image.Image, kind: FileKind, options: dict[str, Any], tmp_dir: Path) -> Rendition:
    buffer = io.BytesIO()
    image.save(buffer, format=kind.name, **options)
    data = buffer.getbuffer()
    with tempfile.NamedTemporaryFile(dir=tmp_dir, prefix="photo-", delete=False) as out:
        out.write(data)
    return Rendition(image.width, image.height, hashlib.sha256(data).hexdigest(), len(data), Path(out.name))


def process(path: Path, kind: FileKind, name: str, tmp_dir: Path, field: str) -> Photo:
    """The photo at ``path`` re-encoded without metadata, and its ``SIZES``. Blocking."""
    with DECODING:
        return _process(path, kind, name, tmp_dir, field)


def _process(path: Path, kind: FileKind, name: str, tmp_dir: Path, field: str) -> Photo:
    source = _open(path, kind, name, field)
    written: list[Path] = []
    try:
        # the colour profile describes the pixels as stored: a CMYK one does not fit their RGB copy
        icc = source.info.get("icc_profile") if source.mode != "CMYK" else None
        image = _clean(source, kind)
        original = _write(image, kind, _save_options(kind, icc, source if kind is JPEG else None), tmp_dir)
        written.append(original.temp)
        sizes: dict[int, Rendition] = {}
        smaller = image
        for long_side in SIZES:
            smaller = smaller.copy()
            # keeps the aspect, never enlarges; a box reduction first down to 1.5× the size, then Lanczos:
            # a third of the time of Lanczos from 12 MP, and looks the same
            smaller.thumbnail((long_side, long_side), Image.Resampling.LANCZOS, reducing_gap=1.5)
            sizes[long_side] = _write(smaller, kind, _save_options(kind, icc), tmp_dir)
            written.append(sizes[long_side].temp)
        return Photo(original, sizes)
    except Exception as exc:
        for temp in written:
            temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and (isinstance(exc, FileNotFoundError | PermissionError) or exc.errno is not None):
            raise  # the files directory, not the image: the caller reports STORAGE_UNAVAILABLE
        # anything else Pillow raises on hostile input (a broken EXIF block, a bad chunk) is the image's fault
        raise _refuse_unreadable(name, field) from exc
    except BaseException:
        for temp in written:
            temp.unlink(missing_ok=True)
        raise
    finally:
        source.close()
