"""Photo evidence: what is accepted as an image, and its fingerprint (for "this photo was seen before")."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES: Final = 10 * 1024 * 1024  # 10 MB (the national upload re-encodes to JPEG ≤ 5 MB)
FORMATS: Final = frozenset({"JPEG", "PNG", "WEBP"})
MAX_PIXELS: Final = 60_000_000  # refuse decompression bombs long before Pillow's own warning


@dataclass(frozen=True)
class PhotoCheck:
    ok: bool
    message: str = ""
    format: str = ""
    width: int = 0
    height: int = 0
    sha256: str = ""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_photo(data: bytes) -> PhotoCheck:
    """Accept a JPEG, PNG or WebP image of at most 10 MB whose data decodes; say why otherwise."""
    if not data:
        return PhotoCheck(False, str(_("照片为空")))
    if len(data) > MAX_BYTES:
        return PhotoCheck(False, str(_("照片不能超过 10 MB")))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return PhotoCheck(False, str(_("文件不是有效的图片")))
    if fmt not in FORMATS:
        return PhotoCheck(False, str(_("照片须为 JPEG、PNG 或 WebP 格式")))
    if width * height > MAX_PIXELS:
        return PhotoCheck(False, str(_("照片像素过大")))
    return PhotoCheck(True, format=fmt, width=width, height=height, sha256=sha256_of(data))


NATIONAL_MAX_BYTES: Final = 5 * 1024 * 1024  # the national upload's limit per photo (REFERENCE §4, §9)
_QUALITIES: Final = (90, 80, 70, 60, 50)


def national_jpeg(data: bytes, max_bytes: int = NATIONAL_MAX_BYTES) -> bytes:
    """The photo as the national upload takes it: a JPEG of at most `max_bytes`.

    A JPEG already small enough goes out unchanged (its hash stays the stored one); anything else is
    re-encoded with Pillow (transparency flattened on white), at falling quality and then halved in size
    until it fits. ValueError when the data is not an image."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format == "JPEG" and len(data) <= max_bytes:
                return data
            image = probe.convert("RGBA") if probe.mode in ("P", "LA", "RGBA") else probe.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError("not an image") from exc
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    while True:
        for quality in _QUALITIES:
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=quality, optimize=True)
            if out.tell() <= max_bytes:
                return out.getvalue()
        if min(image.size) <= 16:
            raise ValueError("cannot fit the photo")
        image = image.resize((max(1, image.width // 2), max(1, image.height // 2)))
