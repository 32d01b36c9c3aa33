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
